import {
  activateIfChanged,
  beginStage,
  type MainCfChange,
  parsePostconf,
  showMainCf,
  stageChange,
  stageListFirst,
  stageListMember,
  validateStage,
} from "../postfix/main-cf";
import { removeMap } from "../postfix/maps";
import { parseServices, showServices, stageService, stageServiceRemoval } from "../postfix/master-cf";
import { putCronBlock, removeCronBlock, showCronBlock } from "../remote/crontab";
import { withRemoteLock } from "../remote/lock";
import type { Platform } from "../remote/platform";
import { prelude } from "../remote/script-prelude";
import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import type { ActiveAction, FeedbackLive } from "../schemas/delivery-feedback";
import { FEEDBACK_CRON_OWNER, FEEDBACK_DIR, RULES_PATH, WATCHER_PATH } from "./rules-file";
import { FEEDBACK_MAP_MARKER } from "./watcher";

/** The crontab line: one watcher pass a minute, its words (a rule acting, an error) to syslog's mail facility. */
export function feedbackCronLine(): string {
  return `* * * * * ${sh`/bin/sh ${WATCHER_PATH} run 2>&1 | logger -p mail.notice -t smartos-mail-feedback`.text}`;
}

/** What one `up` puts on the host. */
export interface FeedbackInstall {
  /** The watcher script's text. */
  watcher: string;
  /** The rules file's text. */
  rules: string;
  /** The feedback map's path. */
  map: string;
  /** main.cf parameters to set and remove. */
  change: MainCfChange;
  /** Throttle services to create or rewrite, and whether they are already ours. */
  addServices: { service: string; entry: string; owned: boolean }[];
  /** Throttle services to remove (`name/type`). */
  removeServices: string[];
  /** The login user, whose crontab runs the watcher. */
  user: string;
}

/** Writes `text` to `path` (mode `mode`) when it differs, with one rename. */
function putFile(path: string, text: string, mode: string): Script {
  return sh`printf '%s' ${text} >${`${path}.smartos-mail-new`} || fail ${`cannot write ${path}`}
if cmp -s ${`${path}.smartos-mail-new`} ${path}; then rm -f ${`${path}.smartos-mail-new`}; else
  chmod ${mode} ${`${path}.smartos-mail-new`} && mv ${`${path}.smartos-mail-new`} ${path} || fail ${`cannot put ${path} in place`}
fi`;
}

/** Makes the map (only its marker line) and its .db when absent; refuses a file smartos-mail did not write. */
function ensureMap(map: string): Script {
  return sh`map=${map}
if [ -f "$map" ]; then
  [ "$(head -n 1 "$map")" = ${FEEDBACK_MAP_MARKER} ] || fail "$map exists and smartos-mail did not write it; move it away and run pulumi up again"
else
  printf '%s\n' ${FEEDBACK_MAP_MARKER} >"$map" || fail "cannot write $map"
fi
[ -f "$map.db" ] || postmap "hash:$map" || fail "postmap hash:$map failed"`;
}

/** Prints what {@link parseFeedback} reads. */
export function showFeedback(p: Platform, user: string, services: readonly string[]): Script {
  const digest = (path: string) => sh`if [ -f ${path} ]; then set -- ${path}; ${p.sha256}; fi`;
  return joinScripts([
    section("watcher", digest(WATCHER_PATH)),
    section("rules", digest(RULES_PATH)),
    section("cron", showCronBlock(user, FEEDBACK_CRON_OWNER)),
    section("actions", sh`cat ${`${FEEDBACK_DIR}/actions`} 2>/dev/null || true`),
    section("suppressed", sh`cat ${`${FEEDBACK_DIR}/suppressed`} 2>/dev/null | wc -l`),
    section("maincf", showMainCf),
    // Last: the final section also gets the output's trailing newline, which parseServices ignores.
    section("services", showServices(services)),
  ]);
}

/** The installation as one script: files, main.cf and master.cf under the host lock, then one watcher pass. */
export function installScript(p: Platform, i: FeedbackInstall, services: readonly string[]): Script {
  const locked = joinScripts([
    section("before", showMainCf),
    sh`mkdir -p ${FEEDBACK_DIR} && chmod 700 ${FEEDBACK_DIR} || fail ${`cannot create ${FEEDBACK_DIR}`}`,
    putFile(WATCHER_PATH, i.watcher, "755"),
    putFile(RULES_PATH, i.rules, "644"),
    ensureMap(i.map),
    beginStage,
    ...i.addServices.map((s) => {
      const [name, type] = s.service.split("/");
      return stageService(name, type, s.entry, s.owned);
    }),
    ...i.removeServices.map((s) => {
      const [name, type] = s.split("/");
      return stageServiceRemoval(name, type);
    }),
    stageChange(i.change),
    stageListFirst("transport_maps", `hash:${i.map}`),
    validateStage,
    activateIfChanged,
    sh`if [ -n "$main_cf_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload; the configuration checked clean, see the Postfix log"
fi`,
    putCronBlock(i.user, FEEDBACK_CRON_OWNER, feedbackCronLine()),
  ]);
  // The lock is released (the subshell's exit) before the pass, which takes it itself.
  return joinScripts([
    prelude(p),
    sh`(
${withRemoteLock(locked)}
) || exit $?
/bin/sh ${WATCHER_PATH} run || fail "the watcher's first pass failed"`,
    showFeedback(p, i.user, services),
  ]);
}

/**
 * Takes everything away under the host lock: the crontab block first (no pass starts after it), the throttle
 * services and parameters, the map from `transport_maps` (its earlier text put back when the rest of the list is
 * what it was), the map and the watcher's directory; then the queue is flushed so suspended mail leaves.
 */
export function removeScript(
  p: Platform,
  old: {
    user: string;
    map: string;
    parameters: readonly string[];
    services: readonly string[];
    previous: string | null;
  },
): Script {
  const words = (s: Script) => sh`${s} | awk '{ gsub(/,/, " "); $1 = $1; print }'`;
  const restore =
    old.previous === null
      ? sh`postconf -c "$stage" -X transport_maps`
      : sh`postconf -c "$stage" -e ${`transport_maps=${old.previous}`}`;
  const locked = joinScripts([
    removeCronBlock(old.user, FEEDBACK_CRON_OWNER),
    beginStage,
    ...old.services.map((s) => {
      const [name, type] = s.split("/");
      return stageServiceRemoval(name, type);
    }),
    stageChange({ set: {}, remove: [...old.parameters] }),
    stageListMember("transport_maps", `hash:${old.map}`, true),
    sh`left=$(${words(sh`postconf -c "$stage" -h transport_maps`)})
was=$(${words(sh`printf '%s\n' ${old.previous ?? ""}`)})
if [ "$left" = "$was" ]; then ${restore} || fail "cannot put transport_maps back"; fi`,
    validateStage,
    activateIfChanged,
    sh`if [ -n "$main_cf_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload; the configuration checked clean, see the Postfix log"
fi
held=$(cat ${`${FEEDBACK_DIR}/actions`} 2>/dev/null | wc -l)`,
    removeMap(old.map),
    sh`rm -rf ${FEEDBACK_DIR}
rmdir /var/db/smartos-mail 2>/dev/null || true
if [ "$held" -gt 0 ]; then postqueue -f >/dev/null 2>&1 || true; fi`,
  ]);
  return joinScripts([prelude(p), withRemoteLock(locked)]);
}

/** What {@link showFeedback} printed, read back. */
export interface FeedbackFound {
  /** The files and settings. */
  live: FeedbackLive;
  /** Suspensions and throttles in force, by domain. */
  active: ActiveAction[];
  /** Suppressed addresses. */
  suppressedCount: number;
  /** `transport_maps` before the install (only from {@link installScript}'s output; null: unset). */
  transportMapsBefore: string | null;
}

/** Reads the watcher's `actions` file: `domain TAB rule TAB action TAB until TAB transport`. */
export function parseActions(text: string): ActiveAction[] {
  return text
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((f) => f.length >= 4 && (f[2] === "suspend" || f[2] === "throttle") && /^\d+$/.test(f[3]))
    .map((f) => ({
      domain: f[0],
      rule: f[1],
      action: f[2] as ActiveAction["action"],
      until: new Date(Number(f[3]) * 1000).toISOString().replace(/\.000Z$/, "Z"),
    }))
    .sort((a, b) => a.domain.localeCompare(b.domain));
}

/** Reads the sections {@link showFeedback} (and {@link installScript}) printed. */
export function parseFeedback(
  s: Record<string, string>,
  want: { map: string; parameters: readonly string[]; services: readonly string[] },
): FeedbackFound {
  const live = parsePostconf(s.maincf ?? "");
  const services = parseServices(s.services ?? "");
  const digest = (t: string | undefined) => (t ?? "").trim().split(/\s+/)[0] || null;
  const cron = (s.cron ?? "").trim();
  const before = parsePostconf(s.before ?? "");
  return {
    live: {
      watcher: digest(s.watcher),
      rules: digest(s.rules),
      cronLine: cron === "" ? null : cron,
      mapFirst: (live.transport_maps ?? "").split(/[\s,]+/)[0] === `hash:${want.map}`,
      parameters: Object.fromEntries(want.parameters.map((k) => [k, live[k] ?? null])),
      services: Object.fromEntries(want.services.map((k) => [k, services[k] ?? null])),
    },
    active: parseActions(s.actions ?? ""),
    suppressedCount: Number.parseInt((s.suppressed ?? "0").trim(), 10) || 0,
    transportMapsBefore: before.transport_maps ?? null,
  };
}
