import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { applyScript, type FirewallApplied, parseApplied, readScript, removeScript } from "../firewall/host";
import { firewallPlatform } from "../firewall/rules";
import { type ConnectionArgs, connectionSchema, secretConnection } from "../remote/connection";
import { type PlatformName, platform, platformSchema } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { tcpPort } from "../validation/names";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";
import { connectionChanged, hostReplaces } from "./host-diff";

/** zod schema of InboundSmtpFirewall's inputs, used by `check`. */
export const inboundSmtpFirewallSchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    interface: z
      .string()
      .regex(
        /^[a-z][a-z0-9_.-]{0,14}$/,
        "must be a network interface name such as net0 (SmartOS) or eth0 (Linux): lower-case letters, digits, '_', '.', '-', at most 15 characters",
      )
      .optional(),
    ports: z
      .array(tcpPort)
      .min(1, "must list at least one port, e.g. [25]")
      .default([25])
      .refine((ps) => new Set(ps).size === ps.length, { message: "lists a port twice; list each port once" }),
  })
  .strict()
  .transform((v) => ({ ...v, interface: v.interface ?? firewallPlatform(v.profile).defaultInterface }));

/** InboundSmtpFirewall's inputs, with defaults applied. */
export type InboundSmtpFirewallInputs = z.output<typeof inboundSmtpFirewallSchema>;

/** What the provider stores: the inputs and what it found on the host. */
export interface InboundSmtpFirewallState extends InboundSmtpFirewallInputs {
  /** The block in the rules file and whether the live firewall has it, after the last change or refresh. */
  applied: FirewallApplied;
  /** Whether the firewall service was enabled before this resource; delete leaves it so. */
  enabledBefore: boolean;
}

function rulesOf(v: InboundSmtpFirewallInputs): string {
  return firewallPlatform(v.profile).rules(v.interface, v.ports);
}

function converged(s: InboundSmtpFirewallState, v: InboundSmtpFirewallInputs): boolean {
  return s.applied.active && s.applied.block === rulesOf(v);
}

async function apply(news: InboundSmtpFirewallInputs, enabledBefore?: boolean): Promise<InboundSmtpFirewallState> {
  const host = new RemoteHost(news.connection);
  const result = await host.exclusive(() =>
    host.run(
      applyScript(platform(news.profile), firewallPlatform(news.profile), news.interface, news.ports, rulesOf(news)),
      {
        step: "block inbound SMTP",
      },
    ),
  );
  const found = parseApplied(result.stdout);
  return { ...news, applied: found.applied, enabledBefore: enabledBefore ?? found.enabledBefore };
}

function parseInputs(raw: Record<string, unknown>): InboundSmtpFirewallInputs {
  return storedInputs(inboundSmtpFirewallSchema, raw, ["applied", "enabledBefore"]);
}

function parseState(raw: Record<string, unknown>): InboundSmtpFirewallState {
  const s = raw as unknown as InboundSmtpFirewallState;
  return { ...parseInputs(raw), applied: s.applied, enabledBefore: s.enabledBefore };
}

/** The InboundSmtpFirewall hooks, run by the engine's dynamic-provider host. */
export const inboundSmtpFirewallProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(inboundSmtpFirewallSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = hostReplaces(old, next);
    const changes =
      replaces.length > 0 ||
      connectionChanged(old, next) ||
      old.interface !== next.interface ||
      JSON.stringify(old.ports) !== JSON.stringify(next.ports) ||
      !converged(old, next);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    return { id: `${news.connection.host}/inbound-smtp-firewall/${randomUUID()}`, outs: await apply(news) };
  },

  async read(id, props) {
    const old = parseState(props);
    const host = new RemoteHost(old.connection);
    const result = await host.run(
      readScript(platform(old.profile), firewallPlatform(old.profile), old.interface, old.ports),
      {
        step: "read the inbound SMTP firewall",
      },
    );
    return { id, props: { ...old, applied: parseApplied(result.stdout).applied } };
  },

  async update(_id, olds, news) {
    return { outs: await apply(parseInputs(news), parseState(olds).enabledBefore) };
  },

  async delete(_id, props) {
    const old = parseState(props);
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(removeScript(platform(old.profile), firewallPlatform(old.profile), old.enabledBefore), {
        step: "remove the inbound SMTP block",
      }),
    );
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link InboundSmtpFirewall}. */
export interface InboundSmtpFirewallArgs {
  /** How to reach the host, with its pinned host key. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (ipfilter; default) or `linux` (nftables; also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /** The public interface to close. Default `net0` on SmartOS (the guide's rule), `eth0` on Linux. */
  interface?: pulumi.Input<string>;
  /** TCP ports to block inbound on that interface. Default `[25]`. */
  ports?: pulumi.Input<pulumi.Input<number>[]>;
}

/**
 * The guide's firewall for a send-only server whose Postfix listens on all
 * interfaces (for relaying from private networks): inbound TCP to port 25 on
 * the public interface is dropped. On SmartOS it is the guide's ipf rule
 * (`block in on net0 proto tcp from any to any port = 25`) in
 * /etc/ipf/ipf.conf with ipfilter enabled; on Linux an nftables table of its
 * own, written to /etc/nftables.conf. Other rules in those files are left as
 * they are. Outbound mail and local submission are not affected.
 */
export class InboundSmtpFirewall extends pulumi.dynamic.Resource {
  /** The interface the rule applies to. */
  declare readonly interface: pulumi.Output<string>;
  /** What was live on the host after the last change or refresh. */
  declare readonly applied: pulumi.Output<FirewallApplied>;

  /**
   * @param name the resource name.
   * @param args the rule; see {@link InboundSmtpFirewallArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: InboundSmtpFirewallArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("inboundSmtpFirewall"),
      name,
      { ...args, connection: secretConnection(args.connection), applied: undefined, enabledBefore: undefined },
      dynamicResourceOptions("InboundSmtpFirewall", name, opts),
      "smartos-mail",
      "InboundSmtpFirewall",
    );
  }
}
