import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { FirewallApplied } from "../firewall/host";
import type { inboundSmtpFirewallSchema } from "../schemas/inbound-smtp-firewall";
import { type HostArgs, HostResource } from "./host-resource";

/** Arguments of {@link InboundSmtpFirewall}, derived from its schema (fields: the README's field table). */
export type InboundSmtpFirewallArgs = HostArgs<z.input<typeof inboundSmtpFirewallSchema>>;

/**
 * The guide's firewall for a send-only server whose Postfix listens on all
 * interfaces (for relaying from private networks): inbound TCP to port 25 on
 * the public interface is dropped. On SmartOS it is the guide's ipf rule
 * (`block in on net0 proto tcp from any to any port = 25`) in
 * /etc/ipf/ipf.conf with ipfilter enabled; on Linux an nftables table of its
 * own, written to /etc/nftables.conf. Other rules in those files are left as
 * they are. Outbound mail and local submission are not affected.
 */
export class InboundSmtpFirewall extends HostResource {
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
    super("inboundSmtpFirewall", name, args, opts);
  }
}
