import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ActiveAction, deliveryFeedbackSchema } from "../schemas/delivery-feedback";
import { type HostArgs, HostResource } from "./host-resource";

/** Arguments of {@link DeliveryFeedback}, derived from its schema (fields: the README's field table). */
export type DeliveryFeedbackArgs = HostArgs<z.input<typeof deliveryFeedbackSchema>>;

/** A suspension or throttle the watcher has in force: which domain, by which rule, until when. */
export type DeliveryFeedbackAction = ActiveAction;

/**
 * Postfix reacting to what receivers answer: a watcher (POSIX sh and awk, run by cron every minute) reads the
 * mail log as it grows and, when a rule's replies reach its threshold (Gmail's 4.7.28, Yahoo's [TSS04],
 * Outlook's RP-00x by default), suspends the recipient domain (`domain retry:4.7.0 …` in a transport map listed
 * first in `transport_maps`) or sends its mail through a slower transport for a while; when the time is up the
 * entry goes and the domain's queue is flushed. Hard "no such mailbox" bounces suppress the address
 * (`user@domain error:5.1.1 …`). Delete removes the watcher, its crontab entry, map and transports, and puts
 * `transport_maps` back as it was.
 */
export class DeliveryFeedback extends HostResource {
  /** The mail log the watcher reads. */
  declare readonly watchedLog: pulumi.Output<string>;
  /** Suspensions and throttles in force at the last up or refresh. */
  declare readonly active: pulumi.Output<DeliveryFeedbackAction[]>;
  /** Addresses suppressed at the last up or refresh. */
  declare readonly suppressedCount: pulumi.Output<number>;

  /**
   * @param name the resource name.
   * @param args the rules and the suppression list; see {@link DeliveryFeedbackArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: DeliveryFeedbackArgs, opts?: pulumi.CustomResourceOptions) {
    super("deliveryFeedback", name, args, opts);
  }
}
