import type { PostfixConfigInputs, PostfixConfigState } from "../schemas/postfix-config";
import { isEmptyChange, type MainCfChange } from "./main-cf";
import { mainCfParameters, relayhostValue } from "./typed-fields";

/** What one PostfixConfig create/update/delete must do on the host. */
export interface Plan {
  change: MainCfChange;
  /** Parameters newly managed: their originals are recorded on the host first. */
  snapshot: string[];
  /** Parameters no longer managed: their originals are put back, then dropped from the host's record. */
  forget: string[];
  /** New root alias target; null restores "no root alias". Absent: leave it. */
  rootAlias?: string | null;
  /** Whether the root alias becomes managed now (record what was there). */
  snapshotAlias: boolean;
  /** Whether the root alias stops being managed (its original is put back). */
  forgetAlias: boolean;
  /** SASL map: write these contents, remove it, or leave it. */
  saslMap?: { write: string } | "remove";
}

/** The SASL password map's one entry, keyed by the relay host as relayhost spells it, or null: no map. */
export function saslMapContent(i: PostfixConfigInputs): string | null {
  if (!i.saslRelay || !i.relayhost) return null;
  return `${relayhostValue(i.relayhost)} ${i.saslRelay.username}:${i.saslRelay.password}\n`;
}

/** What must change on the host to go from `old` (undefined: nothing managed yet) to `news`. */
export function planFor(old: PostfixConfigState | undefined, news: PostfixConfigInputs): Plan {
  const desired = mainCfParameters(news);
  const applied = old?.applied ?? {};
  const previous = old?.previous.parameters ?? {};
  const change: MainCfChange = { set: {}, remove: [] };
  for (const [k, v] of Object.entries(desired)) {
    if (applied[k] !== v) change.set[k] = v;
  }
  for (const k of Object.keys(applied)) {
    if (k in desired) continue;
    const before = previous[k] ?? null;
    if (before === null) change.remove.push(k);
    else change.set[k] = before;
  }
  const plan: Plan = {
    change,
    snapshot: Object.keys(desired).filter((k) => !(k in previous)),
    forget: Object.keys(previous).filter((k) => !(k in desired)),
    snapshotAlias: news.rootAlias !== undefined && old?.previous.rootAlias === undefined,
    forgetAlias: news.rootAlias === undefined && old?.previous.rootAlias !== undefined,
  };
  if (news.rootAlias !== undefined && news.rootAlias !== old?.rootAliasApplied) {
    plan.rootAlias = news.rootAlias;
  } else if (plan.forgetAlias) {
    plan.rootAlias = old?.previous.rootAlias;
  }
  const content = saslMapContent(news);
  if (content !== null) {
    const oldContent = old ? saslMapContent(old) : null;
    if (content !== oldContent || old?.saslMapInSync !== true || old.profile !== news.profile)
      plan.saslMap = { write: content };
  } else if (old?.saslRelay) {
    plan.saslMap = "remove";
  }
  return plan;
}

/** Whether a plan changes nothing on the host. */
export function planIsEmpty(p: Plan): boolean {
  return (
    isEmptyChange(p.change) &&
    p.rootAlias === undefined &&
    p.saslMap === undefined &&
    p.forget.length === 0 &&
    !p.forgetAlias
  );
}
