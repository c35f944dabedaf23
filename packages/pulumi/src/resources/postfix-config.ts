import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { PostfixConfigState, postfixConfigSchema } from "../schemas/postfix-config";
import { type HostArgs, HostResource } from "./host-resource";

/**
 * Arguments of {@link PostfixConfig}, derived from its schema (fields: the
 * README's field table). Every field but `connection` is optional: unset
 * fields are left alone.
 */
export type PostfixConfigArgs = HostArgs<z.input<typeof postfixConfigSchema>>;

/** The warning every run prints for a PostfixConfig with `allowOpenRelay`. */
function openRelayWarning(name: string, reason: string): string {
  return `DANGEROUS: PostfixConfig ${name} has allowOpenRelay: true, so it may relay mail for anyone on the internet (an open relay gets the host blocklisted within hours). Reason given: ${reason}`;
}

/**
 * Postfix's main.cf basics on one host, applied with postconf as the guide
 * does: host names, trusted networks, listening interfaces, relay (with SASL),
 * the root alias and any extra parameters. Every change is staged, checked
 * by Postfix and put in place in one rename, under a host-wide lock.
 */
export class PostfixConfig extends HostResource {
  /** Live values of the main.cf parameters this resource manages (null: unset). */
  declare readonly applied: pulumi.Output<Record<string, string | null>>;
  /** Values found before this resource took each parameter over; restored when it is deleted. */
  declare readonly previous: pulumi.Output<PostfixConfigState["previous"]>;
  /** The myhostname this resource set. */
  declare readonly myhostname: pulumi.Output<string | undefined>;
  /** Why the host's live configuration relays mail for anyone, or null: it does not (read again by refresh). */
  declare readonly openRelay: pulumi.Output<string | null>;

  /**
   * @param name the resource name.
   * @param args what to configure; see {@link PostfixConfigArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: PostfixConfigArgs, opts?: pulumi.CustomResourceOptions) {
    super("postfixConfig", name, args, opts);
    // Only once the engine took the resource: the SDK chains every log call on the one before it
    // (log/index.js, a module-wide `lastLog`) and each waits for its resource's URN, which never comes
    // for a resource whose check failed; in a process that runs several programs (the Automation API)
    // every later log call, and so every later run, would wait forever.
    pulumi.all([this.urn, args.allowOpenRelay, args.openRelayReason]).apply(([, allow, reason]) => {
      if (allow) pulumi.log.warn(openRelayWarning(name, reason ?? "(none given)"), this);
    });
  }
}
