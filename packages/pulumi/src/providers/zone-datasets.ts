import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { capacityPlanSchema, checkQuotaCoversPlan, planCapacity } from "../plan/capacity";
import { type ConnectionArgs, connectionSchema, sameMachine, secretConnection } from "../remote/connection";
import { withRemoteLock } from "../remote/lock";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts, type Script } from "../remote/shell";
import {
  createLayout,
  type LayoutLive,
  layoutFor,
  parseLayout,
  parseRemoved,
  type RemovedDir,
  removeLayout,
  setQuotas,
  showLayout,
} from "../smartos/datasets";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";

/** The guide's spool quota ("A quota of 10GB should be appropriate for the Postfix queue"), GiB. */
const GUIDE_SPOOL_QUOTA = 10;

const GIB = 1024 ** 3;

const quotaGiB = (what: string) =>
  z.number().int(`must be a whole number of GiB (${what})`).min(1, `must be at least 1 GiB (${what})`);

/** zod schema of ZoneDatasets' inputs, used by `check`. */
export const zoneDatasetsSchema = z
  .object({
    connection: connectionSchema,
    zoneUuid: z
      .string()
      .regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        "must be the zone's UUID (SmartOsZone's uuid output)",
      ),
    mailQuota: quotaGiB("the mail dataset at /var/mail, the guide's 980").optional(),
    spoolQuota: quotaGiB("the spool dataset at /var/spool/postfix, the guide's 10").optional(),
    zoneQuota: z
      .number()
      .int("must be a whole number of GiB (the zone's manifest.quota)")
      .min(0, "must be 0 or more GiB (the zone's manifest.quota; 0 is no quota)")
      .optional(),
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

const OUTPUTS = ["live", "previous", "datasets"] as const;

function parseInputs(raw: Record<string, unknown>): ZoneDatasetsInputs {
  return storedInputs(zoneDatasetsSchema, raw, OUTPUTS);
}

function parseState(raw: Record<string, unknown>): ZoneDatasetsState {
  const s = raw as unknown as ZoneDatasetsState;
  return { ...parseInputs(raw), live: s.live, previous: s.previous, datasets: s.datasets };
}

/** The quota changes (GiB) that take `live` to the quotas the inputs ask for. */
function quotaChanges(live: LayoutLive, i: ZoneDatasetsInputs): { mail?: number; spool?: number } {
  const want = quotasOf(i);
  return {
    ...(live.mail.quota !== want.mail * GIB ? { mail: want.mail } : {}),
    ...(live.spool.quota !== want.spool * GIB ? { spool: want.spool } : {}),
  };
}

async function runInZone(i: ZoneDatasetsInputs, body: Script, step: string): Promise<Record<string, string>> {
  const host = new RemoteHost(i.connection);
  const result = await host.exclusive(() =>
    host.run(joinScripts([prelude(platform("smartos")), withRemoteLock(body)]), { step }),
  );
  return parseSections(result.stdout);
}

/** The ZoneDatasets hooks, run by the engine's dynamic-provider host. */
export const zoneDatasetsProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(zoneDatasetsSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces: string[] = [];
    if (!sameMachine(old.connection, next.connection)) replaces.push("connection");
    if (old.zoneUuid !== next.zoneUuid) replaces.push("zoneUuid");
    const { live: _l, previous: _p, datasets: _d, ...oldInputs } = old;
    const changes =
      replaces.length > 0 ||
      Object.keys(quotaChanges(old.live, next)).length > 0 ||
      JSON.stringify(oldInputs) !== JSON.stringify(next);
    // The same dataset names are made again: the old layout must be gone first.
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    const s = await runInZone(news, createLayout(news.zoneUuid, quotasOf(news)), "create the mail datasets");
    const [mountpoint, source] = (s.before ?? "").trim().split("\t");
    const datasets = layoutFor(news.zoneUuid);
    const outs: ZoneDatasetsState = {
      ...news,
      live: parseLayout(s.datasets ?? "", datasets),
      previous: { rootMountpoint: { mountpoint, source }, removed: parseRemoved(s.removed ?? "") },
      datasets,
    };
    return { id: `${news.connection.host}/zone-datasets/${news.zoneUuid}`, outs };
  },

  async read(id, props) {
    const old = parseState(props);
    const host = new RemoteHost(old.connection);
    const result = await host.run(joinScripts([prelude(platform("smartos")), showLayout(old.datasets)]), {
      step: "read the mail datasets",
    });
    return { id, props: { ...old, live: parseLayout(parseSections(result.stdout).datasets ?? "", old.datasets) } };
  },

  async update(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const changes = quotaChanges(old.live, next);
    let live = old.live;
    if (Object.keys(changes).length > 0) {
      const s = await runInZone(next, setQuotas(next.zoneUuid, changes), "set the mail dataset quotas");
      live = parseLayout(s.datasets ?? "", old.datasets);
    }
    return { outs: { ...next, live, previous: old.previous, datasets: old.datasets } };
  },

  async delete(_id, props) {
    const old = parseState(props);
    await runInZone(
      old,
      removeLayout(old.zoneUuid, old.previous.rootMountpoint, old.previous.removed),
      "remove the mail datasets",
    );
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link ZoneDatasets}. */
export interface ZoneDatasetsArgs {
  /** How to reach the zone itself (not the global zone), e.g. `zone.zoneConnection`. */
  connection: ConnectionArgs;
  /**
   * The zone's UUID; its delegated dataset is zones/<uuid>/data. Pass the SmartOsZone's output
   * `zone.uuid`, not the UUID as a string: the output makes these datasets depend on the zone, so
   * the engine deletes them before the zone. With a plain string it deletes both at once, and
   * `vmadm delete` fails on the still-mounted /var/spool/postfix ("Device busy").
   */
  zoneUuid: pulumi.Input<string>;
  /**
   * Quota of the mail dataset at /var/mail, in GiB; it holds the spool
   * dataset too. Default: the capacity plan's recommendation; required
   * without `capacityPlan`. The guide: 980 in a 1000 GiB zone.
   */
  mailQuota?: pulumi.Input<number>;
  /**
   * Quota of the spool dataset at /var/spool/postfix, in GiB, at most
   * `mailQuota`. Default: the capacity plan's recommendation, else the guide's 10.
   */
  spoolQuota?: pulumi.Input<number>;
  /**
   * The zone's quota in GiB, as in its manifest (`quota`; vmadm's default is
   * 10, 0 is none). vmadm puts it on zones/<uuid>, and a ZFS quota counts the
   * datasets below, so the mail dataset (with the spool inside it) shares it
   * with the zone's own files: when given, preview fails if `mailQuota` (plus
   * the capacity plan's `systemReserveGb`) does not fit in it, naming the
   * numbers. Default: not checked.
   */
  zoneQuota?: pulumi.Input<number>;
  /**
   * The guide's storage model (`planCapacity`'s inputs). When set, it gives
   * the default quotas, and preview fails if a quota given is below the
   * plan's need, naming both numbers. Default: none.
   */
  capacityPlan?: pulumi.Input<z.input<typeof capacityPlanSchema>>;
}

/**
 * The guide's "Delegated Dataset" layout inside a SmartOS zone made with
 * `delegate_dataset: true`: zones/<uuid>/data gets mountpoint none, the mail
 * dataset is mounted at /var/mail and the Postfix queue's dataset at
 * /var/spool/postfix, each with its quota; existing files move onto them with
 * Postfix stopped. Quotas change in place; destroy moves the files back,
 * removes the datasets and restores the mountpoint and directories.
 */
export class ZoneDatasets extends pulumi.dynamic.Resource {
  /** The dataset names: root (zones/<uuid>/data), mail and spool. */
  declare readonly datasets: pulumi.Output<{ root: string; mail: string; spool: string }>;
  /** The datasets as zfs last reported them (quotas in bytes). */
  declare readonly live: pulumi.Output<LayoutLive>;

  /**
   * @param name the resource name.
   * @param args the quotas; see {@link ZoneDatasetsArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: ZoneDatasetsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("zoneDatasets"),
      name,
      {
        connection: secretConnection(args.connection),
        zoneUuid: args.zoneUuid,
        mailQuota: args.mailQuota,
        spoolQuota: args.spoolQuota,
        zoneQuota: args.zoneQuota,
        capacityPlan: args.capacityPlan,
        ...Object.fromEntries(OUTPUTS.map((k) => [k, undefined])),
      },
      dynamicResourceOptions("ZoneDatasets", name, opts),
      "smartos-mail",
      "ZoneDatasets",
    );
  }
}
