import { withRemoteLock } from "../remote/lock";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts, type Script } from "../remote/shell";
import {
  quotasOf,
  type ZoneDatasetsInputs,
  type ZoneDatasetsState,
  zoneDatasetsSchema,
} from "../schemas/zone-datasets";
import {
  createLayout,
  type LayoutLive,
  layoutFor,
  parseLayout,
  parseRemoved,
  removeLayout,
  setQuotas,
  showLayout,
} from "../smartos/datasets";
import { hostProvider } from "./host-provider";

const GIB = 1024 ** 3;

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
export const zoneDatasetsProvider = hostProvider<ZoneDatasetsInputs, ZoneDatasetsState>({
  kind: "zoneDatasets",
  schema: zoneDatasetsSchema,
  // Another zone's datasets; the same dataset names are made again, so the old layout goes first (the default).
  replaceOn: ["zoneUuid"],
  // The zone's quota only bounds what check accepts for mailQuota; vmadm, not this resource, sets it.
  checkOnly: ["zoneQuota"],
  // A quota changed by hand (refresh shows it): the next up sets it back.
  drifted: (old, next) => Object.keys(quotaChanges(old.live, next)).length > 0,
  id: (state) => `${state.connection.host}/zone-datasets/${state.zoneUuid}`,

  async create(news) {
    const s = await runInZone(news, createLayout(news.zoneUuid, quotasOf(news)), "create the mail datasets");
    const [mountpoint, source] = (s.before ?? "").trim().split("\t");
    const datasets = layoutFor(news.zoneUuid);
    return {
      ...news,
      live: parseLayout(s.datasets ?? "", datasets),
      previous: { rootMountpoint: { mountpoint, source }, removed: parseRemoved(s.removed ?? "") },
      datasets,
    };
  },

  async read(old) {
    const host = new RemoteHost(old.connection);
    const result = await host.run(joinScripts([prelude(platform("smartos")), showLayout(old.datasets)]), {
      step: "read the mail datasets",
    });
    return { ...old, live: parseLayout(parseSections(result.stdout).datasets ?? "", old.datasets) };
  },

  async update(old, next) {
    const changes = quotaChanges(old.live, next);
    let live = old.live;
    if (Object.keys(changes).length > 0) {
      const s = await runInZone(next, setQuotas(next.zoneUuid, changes), "set the mail dataset quotas");
      live = parseLayout(s.datasets ?? "", old.datasets);
    }
    return { ...next, live, previous: old.previous, datasets: old.datasets };
  },

  async delete(old) {
    await runInZone(
      old,
      removeLayout(old.zoneUuid, old.previous.rootMountpoint, old.previous.removed),
      "remove the mail datasets",
    );
  },
});
