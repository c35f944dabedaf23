import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { RateLimitApplied } from "../ratelimit/host";
import type { rateLimitSchema, rateLimitsSchema, transportSchema, warmupSchema } from "../schemas/rate-limit-transport";
import { type HostArgs, HostResource } from "./host-resource";
import type { InputsOf } from "./input-types";

/** Recipient limit and rate delay for a destination class; see the guide's "Message Rate Limiting". */
export type RateLimitArgs = InputsOf<z.input<typeof rateLimitsSchema>>;

/** An IP warm-up schedule for a rate delay. */
export type WarmupArgs = InputsOf<z.input<typeof warmupSchema>>;

/** A named transport (a master.cf service running smtp) and the domains routed through it. */
export type TransportArgs = InputsOf<z.input<typeof transportSchema>>;

/** Arguments of {@link RateLimitTransport}, derived from its schema (fields: the README's field table). */
export type RateLimitTransportArgs = HostArgs<z.input<typeof rateLimitSchema>>;

/**
 * The guide's message rate limiting on one Postfix host: default limits,
 * named smtp transports in master.cf (made with `postconf -M`) with their own
 * recipient limits, rate delays and concurrency, the domain -> transport map
 * (`hash:`, postmapped on every change), and warm-up schedules that ramp the
 * delays as the days pass. One resource owns a host's rate-limit policy.
 */
export class RateLimitTransport extends HostResource {
  /** The rate delay in force per transport (`smtp`: the defaults). */
  declare readonly rateDelays: pulumi.Output<Record<string, string>>;
  /** The day each warm-up schedule takes its next step. */
  declare readonly nextWarmupStep: pulumi.Output<Record<string, string>>;
  /** What was live on the host after the last change or refresh. */
  declare readonly applied: pulumi.Output<RateLimitApplied>;

  /**
   * @param name the resource name.
   * @param args the policy; see {@link RateLimitTransportArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: RateLimitTransportArgs, opts?: pulumi.CustomResourceOptions) {
    super("rateLimitTransport", name, args, opts);
  }
}
