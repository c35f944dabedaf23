import * as pulumi from "@pulumi/pulumi";

/**
 * Runs the Pulumi SDK under mocks that take each new resource as given (id
 * `<name>-id`, its inputs as its state) and returns the list its registrations
 * are added to, in order.
 */
export async function recordRegistrations(): Promise<pulumi.runtime.MockResourceArgs[]> {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: cloudflareDataSources(),
    },
    "proj",
    "stack",
    false,
  );
  return registered;
}

/** The zones the unit tests' programs name (id → name), as the account behind Cloudflare's data sources has them. */
const ZONES: Record<string, string> = {
  z: "cospix.net",
  "zone-cospix": "cospix.net",
  "zone-example": "example.org",
  r: "113.0.203.in-addr.arpa",
  "zone-reverse": "113.0.203.in-addr.arpa",
};

/**
 * Cloudflare's data sources under the mocks, for an account with `zones` (id → name; by default the unit
 * tests' own): `getZone` answers for those zones (another id fails, as at Cloudflare), `getDnsRecords`
 * finds an empty zone.
 */
export function cloudflareDataSources(
  zones: Record<string, string> = ZONES,
): (call: pulumi.runtime.MockCallArgs) => Record<string, unknown> {
  return (call) => {
    const zoneId = String(call.inputs.zoneId);
    if (call.token === "cloudflare:index/getZone:getZone") {
      const name = zones[zoneId];
      if (name === undefined) throw new Error(`no zone ${zoneId} in the mocked account`);
      return { id: zoneId, zoneId, name };
    }
    if (call.token === "cloudflare:index/getDnsRecords:getDnsRecords") return { results: [] };
    throw new Error(`no mock for ${call.token}`);
  };
}
