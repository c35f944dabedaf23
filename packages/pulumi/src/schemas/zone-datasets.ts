import { z } from "zod";
import { capacityPlanSchema, checkQuotaCoversPlan, planCapacity } from "../plan/capacity";
import { connectionSchema } from "../remote/connection-schema";
import type { LayoutLive, RemovedDir } from "../smartos/datasets";

/** The guide's spool quota ("A quota of 10GB should be appropriate for the Postfix queue"), GiB. */
const GUIDE_SPOOL_QUOTA = 10;

const quotaGiB = (what: string) =>
  z.number().int(`must be a whole number of GiB (${what})`).min(1, `must be at least 1 GiB (${what})`);

/** zod schema of ZoneDatasets' inputs: `check` validates with it, the arguments' type derives from it. */
export const zoneDatasetsSchema = z
  .object({
    /** How to reach the zone itself (not the global zone), e.g. `zone.zoneConnection`. */
    connection: connectionSchema,
    /**
     * The zone's UUID; its delegated dataset is zones/<uuid>/data. Pass the SmartOsZone's output
     * `zone.uuid`, not the UUID as a string: the output makes these datasets depend on the zone, so
     * the engine deletes them before the zone. With a plain string it deletes both at once, and
     * `vmadm delete` fails on the still-mounted /var/spool/postfix ("Device busy").
     */
    zoneUuid: z
      .string()
      .regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        "must be the zone's UUID (SmartOsZone's uuid output)",
      ),
    /**
     * Quota of the mail dataset at /var/mail, in GiB; it holds the spool
     * dataset too. Default: the capacity plan's recommendation; required
     * without `capacityPlan`. The guide: 980 in a 1000 GiB zone.
     */
    mailQuota: quotaGiB("the mail dataset at /var/mail, the guide's 980").optional(),
    /**
     * Quota of the spool dataset at /var/spool/postfix, in GiB, at most
     * `mailQuota`. Default: the capacity plan's recommendation, else the guide's 10.
     */
    spoolQuota: quotaGiB("the spool dataset at /var/spool/postfix, the guide's 10").optional(),
    /**
     * The zone's quota in GiB, as in its manifest (`quota`; vmadm's default is
     * 10, 0 is none). vmadm puts it on zones/<uuid>, and a ZFS quota counts the
     * datasets below, so the mail dataset (with the spool inside it) shares it
     * with the zone's own files: when given, preview fails if `mailQuota` (plus
     * the capacity plan's `systemReserveGb`) does not fit in it, naming the
     * numbers. Default: not checked.
     */
    zoneQuota: z
      .number()
      .int("must be a whole number of GiB (the zone's manifest.quota)")
      .min(0, "must be 0 or more GiB (the zone's manifest.quota; 0 is no quota)")
      .optional(),
    /**
     * The guide's storage model (`planCapacity`'s inputs). When set, it gives
     * the default quotas, and preview fails if a quota given is below the
     * plan's need, naming both numbers. Default: none.
     */
    capacityPlan: capacityPlanSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const plan = v.capacityPlan && planCapacity(v.capacityPlan);
    if (v.mailQuota === undefined && !plan) {
      ctx.addIssue({
        code: "custom",
        path: ["mailQuota"],
        message:
          "is required without capacityPlan: give the mail dataset's quota in GiB (the guide's 980 for a 1000 GiB zone)",
      });
      return;
    }
    const quotas = quotasOf(v);
    if (quotas.spool > quotas.mail) {
      ctx.addIssue({
        code: "custom",
        path: ["spoolQuota"],
        message: `${quotas.spool} GiB is more than the mail dataset's ${quotas.mail} GiB; the spool dataset lives inside it`,
      });
    }
    // vmadm sets the zone quota on zones/<uuid>, and a ZFS quota counts every descendant
    // (zfs(8) quota), so the delegated datasets share it with the zone's own files.
    if (v.zoneQuota !== undefined && v.zoneQuota > 0) {
      const reserve = plan ? plan.inputs.systemReserveGb : 0;
      const room = v.zoneQuota - reserve;
      if (quotas.mail > room) {
        const field = v.mailQuota === undefined ? "capacityPlan" : "mailQuota";
        const what = v.mailQuota === undefined ? "the capacity plan's recommended mail quota of" : "";
        ctx.addIssue({
          code: "custom",
          path: [field],
          message:
            `${what ? `${what} ` : ""}${quotas.mail} GiB (the spool's ${quotas.spool} GiB inside it) does not fit in the zone quota of ` +
            `${v.zoneQuota} GiB${reserve > 0 ? ` less the plan's system reserve of ${reserve} GiB` : ""}: the delegated datasets ` +
            `count against the zone quota (vmadm sets it on zones/<uuid>); lower mailQuota to at most ${Math.max(room, 0)} GiB ` +
            `or raise the zone's manifest.quota to at least ${quotas.mail + Math.ceil(reserve)} GiB`,
        });
      }
    }
    if (!plan) return;
    for (const [target, field] of [
      ["mail", "mailQuota"],
      ["spool", "spoolQuota"],
    ] as const) {
      const problem = checkQuotaCoversPlan(quotas[target], plan, target);
      if (problem) ctx.addIssue({ code: "custom", path: [field], message: problem });
    }
  });

/** Validated ZoneDatasets inputs. */
export type ZoneDatasetsInputs = z.output<typeof zoneDatasetsSchema>;

/** The quotas in force (GiB): as given, else the capacity plan's recommendation, else the guide's spool quota. */
export function quotasOf(i: Pick<ZoneDatasetsInputs, "mailQuota" | "spoolQuota" | "capacityPlan">): {
  mail: number;
  spool: number;
} {
  const plan = i.capacityPlan && planCapacity(i.capacityPlan);
  return {
    mail: i.mailQuota ?? plan?.quota.mailGb ?? 0,
    spool: i.spoolQuota ?? plan?.quota.spoolGb ?? GUIDE_SPOOL_QUOTA,
  };
}

/** What the provider stores: the inputs, what it found and changed, and what zfs reports. */
export interface ZoneDatasetsState extends ZoneDatasetsInputs {
  /** The datasets as `zfs get` last reported them. */
  live: LayoutLive;
  /** What create changed, for delete to put back. */
  previous: {
    /** The delegated dataset's mountpoint and its source (local, default, inherited from ...). */
    rootMountpoint: { mountpoint: string; source: string };
    /** The empty directories create removed. */
    removed: RemovedDir[];
  };
  /** The dataset names: root (zones/<uuid>/data), mail and spool. */
  datasets: { root: string; mail: string; spool: string };
}
