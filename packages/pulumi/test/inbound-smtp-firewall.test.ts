import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firewallPlatform } from "../src/firewall/rules";
import { failureText } from "../src/providers/check";
import { inboundSmtpFirewallProvider } from "../src/providers/inbound-smtp-firewall";
import { inboundSmtpFirewallSchema } from "../src/schemas/inbound-smtp-firewall";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "198.18.0.11", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };

async function reasons(news: Record<string, unknown>): Promise<string[]> {
  const r = await inboundSmtpFirewallProvider.check!({}, { __provider: "p", ...news });
  return (r.failures ?? []).map(failureText);
}

describe("InboundSmtpFirewall", () => {
  it("defaults to the guide's rule: port 25 on net0 under the smartos profile, eth0 under linux", () => {
    const smartos = inboundSmtpFirewallSchema.parse({ connection });
    assert.deepEqual([smartos.profile, smartos.interface, smartos.ports], ["smartos", "net0", [25]]);
    assert.equal(
      firewallPlatform("smartos").rules(smartos.interface, smartos.ports),
      "block in on net0 proto tcp from any to any port = 25",
    );
    const linux = inboundSmtpFirewallSchema.parse({ connection, profile: "linux" });
    assert.equal(linux.interface, "eth0");
    assert.match(
      firewallPlatform("linux").rules(linux.interface, [25, 587]),
      /^table inet smartos_mail_smtp \{\n {2}chain input \{\n.*\n {4}iifname "eth0" tcp dport \{ 25, 587 \} drop\n {2}\}\n\}$/,
    );
  });

  it("refuses bad interfaces and ports at check, naming the field", async () => {
    assert.deepEqual(await reasons({ connection, interface: "net0; reboot" }), [
      "interface: must be a network interface name such as net0 (SmartOS) or eth0 (Linux): lower-case letters, digits, '_', '.', '-', at most 15 characters",
    ]);
    assert.equal((await reasons({ connection, interface: "averyveryverylongname0" })).length, 1);
    assert.deepEqual(await reasons({ connection, ports: [] }), ["ports: must list at least one port, e.g. [25]"]);
    assert.deepEqual(await reasons({ connection, ports: [0] }), ["ports[0]: must be a TCP port 1-65535"]);
    assert.deepEqual(await reasons({ connection, ports: [25.5] }), ["ports[0]: must be a whole number"]);
    assert.deepEqual(await reasons({ connection, ports: [25, 25] }), [
      "ports: lists a port twice; list each port once",
    ]);
    assert.equal((await reasons({ connection, profile: "freebsd" }))[0]?.startsWith("profile:"), true);
    assert.deepEqual(await reasons({ connection, zone: "x" }), ['Unrecognized key: "zone"']);
  });

  it("diff: a new interface or port list is an update, a new host a replacement, the same inputs nothing", async () => {
    const state = {
      ...inboundSmtpFirewallSchema.parse({ connection, profile: "linux" }),
      applied: { block: firewallPlatform("linux").rules("eth0", [25]), active: true },
      enabledBefore: false,
    };
    const diff = (news: Record<string, unknown>) => inboundSmtpFirewallProvider.diff!("id", state, news);
    assert.equal((await diff({ connection, profile: "linux" })).changes, false);
    assert.deepEqual(await diff({ connection, profile: "linux", ports: [25, 587] }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    assert.deepEqual((await diff({ connection: { ...connection, host: "198.18.0.12" }, profile: "linux" })).replaces, [
      "connection",
    ]);
    const drifted = { ...state, applied: { block: state.applied.block, active: false } };
    assert.equal(
      (await inboundSmtpFirewallProvider.diff!("id", drifted, { connection, profile: "linux" })).changes,
      true,
    );
  });
});
