import { z } from "zod";
import type { FirewallApplied } from "../firewall/host";
import { firewallPlatform } from "../firewall/rules";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { tcpPort } from "../validation/names";

/** zod schema of InboundSmtpFirewall's inputs: `check` validates with it, the arguments' type derives from it. */
export const inboundSmtpFirewallSchema = z
  .object({
    /** How to reach the host, with its pinned host key. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (ipfilter; default) or `linux` (nftables; also lx zones). */
    profile: platformSchema,
    /** The public interface to close. Default `net0` on SmartOS (the guide's rule), `eth0` on Linux. */
    interface: z
      .string()
      .regex(
        /^[a-z][a-z0-9_.-]{0,14}$/,
        "must be a network interface name such as net0 (SmartOS) or eth0 (Linux): lower-case letters, digits, '_', '.', '-', at most 15 characters",
      )
      .optional(),
    /** TCP ports to block inbound on that interface. Default `[25]`. */
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
