import { applyScript, parseApplied, readScript, removeScript } from "../firewall/host";
import { firewallPlatform } from "../firewall/rules";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import {
  type InboundSmtpFirewallInputs,
  type InboundSmtpFirewallState,
  inboundSmtpFirewallSchema,
} from "../schemas/inbound-smtp-firewall";
import { hostProvider } from "./host-provider";

function rulesOf(v: InboundSmtpFirewallInputs): string {
  return firewallPlatform(v.profile).rules(v.interface, v.ports);
}

async function apply(news: InboundSmtpFirewallInputs, enabledBefore?: boolean): Promise<InboundSmtpFirewallState> {
  const host = new RemoteHost(news.connection);
  const script = applyScript(
    platform(news.profile),
    firewallPlatform(news.profile),
    news.interface,
    news.ports,
    rulesOf(news),
  );
  const result = await host.exclusive(() => host.run(script, { step: "block inbound SMTP" }));
  const found = parseApplied(result.stdout);
  return { ...news, applied: found.applied, enabledBefore: enabledBefore ?? found.enabledBefore };
}

/** The InboundSmtpFirewall hooks, run by the engine's dynamic-provider host. */
export const inboundSmtpFirewallProvider = hostProvider<InboundSmtpFirewallInputs, InboundSmtpFirewallState>({
  kind: "inboundSmtpFirewall",
  schema: inboundSmtpFirewallSchema,
  // A rule removed or the firewall stopped by hand: the next up puts it back.
  drifted: (old, next) => !old.applied.active || old.applied.block !== rulesOf(next),
  create: (news) => apply(news),
  async read(old) {
    const host = new RemoteHost(old.connection);
    const script = readScript(platform(old.profile), firewallPlatform(old.profile), old.interface, old.ports);
    const result = await host.run(script, { step: "read the inbound SMTP firewall" });
    return { ...old, applied: parseApplied(result.stdout).applied };
  },
  update: (old, news) => apply(news, old.enabledBefore),
  async delete(old) {
    const host = new RemoteHost(old.connection);
    const script = removeScript(platform(old.profile), firewallPlatform(old.profile), old.enabledBefore);
    await host.exclusive(() => host.run(script, { step: "remove the inbound SMTP block" }));
  },
});
