import { createHash } from "node:crypto";
import { feedbackCronLine, installScript, parseFeedback, removeScript, showFeedback } from "../feedback/host";
import {
  effectiveRules,
  FEEDBACK_DIR,
  feedbackMapPath,
  rulesFile,
  throttleParameters,
  throttleServices,
} from "../feedback/rules-file";
import { watcherScript } from "../feedback/watcher";
import { resolveLogFile } from "../monitoring/pflogsumm";
import type { MainCfChange } from "../postfix/main-cf";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import {
  type DeliveryFeedbackInputs,
  type DeliveryFeedbackState,
  deliveryFeedbackSchema,
  type FeedbackLive,
} from "../schemas/delivery-feedback";
import { hostProvider } from "./host-provider";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** What the inputs put on the host, given the log the watcher reads. */
function wanted(v: DeliveryFeedbackInputs, log: string) {
  const p = platform(v.profile);
  const map = feedbackMapPath(p);
  const rules = effectiveRules(v);
  const watcher = watcherScript(p, { dir: FEEDBACK_DIR, map }).text;
  const rulesText = rulesFile(v, log);
  return {
    p,
    map,
    watcher,
    rules: rulesText,
    parameters: throttleParameters(rules),
    services: throttleServices(rules),
    live: {
      watcher: sha256(watcher),
      rules: sha256(rulesText),
      cronLine: feedbackCronLine(),
      mapFirst: true,
    },
  };
}

const NOTHING: FeedbackLive = {
  watcher: null,
  rules: null,
  cronLine: null,
  mapFirst: false,
  parameters: {},
  services: {},
};

/** The log `next` watches, known without the host: given, or resolved before and still not given; else undefined. */
function knownLog(old: DeliveryFeedbackState, next: DeliveryFeedbackInputs): string | undefined {
  return next.logFile ?? (old.logFile === undefined ? old.watchedLog : undefined);
}

/** Whether what refresh found differs from what `next` wants (or which log it watches needs the host). */
function drifted(old: DeliveryFeedbackState, next: DeliveryFeedbackInputs): boolean {
  const log = knownLog(old, next);
  if (log === undefined) return true;
  const w = wanted(next, log);
  const l = old.live;
  return (
    l.watcher !== w.live.watcher ||
    l.rules !== w.live.rules ||
    l.cronLine !== w.live.cronLine ||
    !l.mapFirst ||
    Object.entries(w.parameters).some(([k, v]) => l.parameters[k] !== v) ||
    Object.entries(l.parameters).some(([k, v]) => !(k in w.parameters) && v !== null) ||
    Object.entries(w.services).some(([k, v]) => l.services[k] !== v) ||
    Object.entries(l.services).some(([k, v]) => !(k in w.services) && v !== null)
  );
}

async function apply(
  old: DeliveryFeedbackState | undefined,
  news: DeliveryFeedbackInputs,
): Promise<DeliveryFeedbackState> {
  const p = platform(news.profile);
  const host = new RemoteHost(news.connection);
  const found = await host.run(joinScripts([prelude(p), section("log", resolveLogFile(news.profile, news.logFile))]), {
    step: "find the mail log",
  });
  const log = (parseSections(found.stdout).log ?? "").trim();
  const w = wanted(news, log);
  const live = old?.live ?? NOTHING;
  const change: MainCfChange = { set: {}, remove: [] };
  for (const [k, v] of Object.entries(w.parameters)) if (live.parameters[k] !== v) change.set[k] = v;
  for (const [k, v] of Object.entries(live.parameters)) if (!(k in w.parameters) && v !== null) change.remove.push(k);
  const addServices = Object.entries(w.services)
    .filter(([s, entry]) => live.services[s] !== entry)
    .map(([service, entry]) => ({ service, entry, owned: live.services[service] != null }));
  const removeServices = Object.entries(live.services)
    .filter(([s, entry]) => !(s in w.services) && entry !== null)
    .map(([s]) => s);
  const services = Object.keys(w.services);
  const result = await host.exclusive(() =>
    host.run(
      installScript(
        p,
        {
          watcher: w.watcher,
          rules: w.rules,
          map: w.map,
          change,
          addServices,
          removeServices,
          user: news.connection.user,
        },
        services,
      ),
      { step: "install the delivery feedback watcher" },
    ),
  );
  const s = parseFeedback(parseSections(result.stdout), {
    map: w.map,
    parameters: Object.keys(w.parameters),
    services,
  });
  // A run cut off after main.cf listed the map leaves it in "before": it was not there before the resource.
  const before =
    s.transportMapsBefore
      ?.split(/[\s,]+/)
      .filter((m) => m !== "" && m !== `hash:${w.map}`)
      .join(", ") || null;
  return {
    ...news,
    watchedLog: log,
    live: s.live,
    previousTransportMaps: old ? old.previousTransportMaps : before,
    active: s.active,
    suppressedCount: s.suppressedCount,
  };
}

/** The DeliveryFeedback hooks, run by the engine's dynamic-provider host. */
export const deliveryFeedbackProvider = hostProvider<DeliveryFeedbackInputs, DeliveryFeedbackState>({
  kind: "deliveryFeedback",
  schema: deliveryFeedbackSchema,
  // The crontab entry belongs to the login user: another user is another crontab.
  replaces: (old, next) => (old.connection.user !== next.connection.user ? ["connection.user"] : []),
  // What the watcher is doing (active, suppressedCount) changes by itself: it is reported, never drift.
  drifted,
  create: (news) => apply(undefined, news),
  async read(old) {
    const p = platform(old.profile);
    const map = feedbackMapPath(p);
    const host = new RemoteHost(old.connection);
    const result = await host.run(
      joinScripts([
        prelude(p),
        section("log", resolveLogFile(old.profile, old.logFile)),
        showFeedback(p, old.connection.user, Object.keys(old.live.services)),
      ]),
      { step: "read the delivery feedback watcher" },
    );
    const sections = parseSections(result.stdout);
    const s = parseFeedback(sections, {
      map,
      parameters: Object.keys(old.live.parameters),
      services: Object.keys(old.live.services),
    });
    return {
      ...old,
      watchedLog: (sections.log ?? "").trim() || old.watchedLog,
      live: s.live,
      active: s.active,
      suppressedCount: s.suppressedCount,
    };
  },
  update: (old, news) => apply(old, news),
  async delete(old) {
    const p = platform(old.profile);
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(
        removeScript(p, {
          user: old.connection.user,
          map: feedbackMapPath(p),
          parameters: Object.keys(old.live.parameters),
          services: Object.keys(old.live.services),
          previous: old.previousTransportMaps,
        }),
        { step: "remove the delivery feedback watcher" },
      ),
    );
  },
});
