import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DnsAuthRecords, type DnsAuthRecordsArgs } from "@smartos-mail/pulumi";

/**
 * DnsAuthRecords' zone-file outputs for these arguments, computed by the
 * component itself under the SDK's mocks (the Cloudflare API cannot be
 * reached here; the zone-file form is what the testbed's DNS serves).
 */
export async function zoneFilesOf(args: DnsAuthRecordsArgs): Promise<{ zone: string; reverse: string }> {
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: cloudflareAccountOf(args) },
    "zones",
    "test",
    false,
  );
  const c = new DnsAuthRecords("zone", args);
  const value = (o: pulumi.Output<string>) => new Promise<string>((resolve) => o.apply(resolve));
  const files = { zone: await value(c.zoneFile), reverse: await value(c.reverseZoneFile) };
  // The component registers its outputs after they resolve; let that finish
  // before the next program replaces these mocks. waitForRPCs is the SDK's
  // own drain (what disconnect() awaits); it is left out of its typings.
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return files;
}

/**
 * Cloudflare's data sources under the SDK's mocks, for an account that holds exactly the zones `args` names:
 * `getZone` gives `domain` for `zoneId` and `ptrZone` for `ptrZoneId`; `getDnsRecords` finds empty zones.
 */
export function cloudflareAccountOf(args: Pick<DnsAuthRecordsArgs, "domain" | "zoneId" | "ptrZone" | "ptrZoneId">) {
  const zones = new Map<unknown, string | undefined>([
    [args.zoneId, args.domain],
    [args.ptrZoneId, args.ptrZone],
  ]);
  return (call: pulumi.runtime.MockCallArgs): Record<string, unknown> => {
    if (call.token === "cloudflare:index/getDnsRecords:getDnsRecords") return { results: [] };
    const name = zones.get(call.inputs.zoneId);
    if (call.token !== "cloudflare:index/getZone:getZone" || name === undefined) {
      throw new Error(`no mock for ${call.token}(${JSON.stringify(call.inputs)})`);
    }
    return { id: call.inputs.zoneId, zoneId: call.inputs.zoneId, name };
  };
}

/** The SOA and NS records a test zone starts with; its name server is `ns.<zone>` at `nsAddress` (reverse zones name one outside). */
export function zoneHead(zone: string, nsAddress: string, serial: number): string {
  return [
    "$TTL 60",
    `${zone}. IN SOA ns.${zone}. hostmaster.${zone}. ${serial} 3600 600 86400 60`,
    `${zone}. IN NS ${zone.endsWith(".arpa") ? "ns.dns.smtb." : `ns.${zone}.`}`,
    ...(zone.endsWith(".arpa") ? [] : [`ns.${zone}. IN A ${nsAddress}`]),
    "",
  ].join("\n");
}

/**
 * Writes a fresh directory of zone files for the testbed's DNS host
 * (dns-server.sh serves every `<zone>.zone` in it): each zone is its
 * {@link zoneHead} followed by its records, and nothing else is left there.
 */
export function writeZones(dir: string, nsAddress: string, serial: number, zones: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [zone, records] of Object.entries(zones)) {
    writeFileSync(path.join(dir, `${zone}.zone`), zoneHead(zone, nsAddress, serial) + records);
  }
}

/** A receiving domain's records: its MX `mx.<domain>` at `mxAddress`. */
export function receiverRecords(domain: string, mxAddress: string): string {
  return `${domain}. IN MX 10 mx.${domain}.\nmx.${domain}. IN A ${mxAddress}\n`;
}
