import { setAlias, showAlias } from "../postfix/aliases";
import { type Plan, planFor, planIsEmpty, saslMapContent } from "../postfix/config-plan";
import {
  activateMainCf,
  isEmptyChange,
  parsePostconf,
  showMainCf,
  showRelayParameters,
  stagedRelayParameters,
  stageMainCf,
} from "../postfix/main-cf";
import { removeMap, showMap, writeSecretMap } from "../postfix/maps";
import { forgetOriginals, parseOriginals, recordOriginals } from "../postfix/originals";
import { listensOnLoopbackOnly, RELAY_PARAMETERS, relayFindings, relayFindingsText } from "../postfix/relay-safety";
import { mainCfParameters } from "../postfix/typed-fields";
import { withRemoteLock } from "../remote/lock";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { type PostfixConfigInputs, type PostfixConfigState, postfixConfigSchema } from "../schemas/postfix-config";
import { hostProvider } from "./host-provider";

// ---------------------------------------------------------------- remote steps

/** The parameters Postfix reads only when it starts: a change needs a restart, not a reload. */
const REBIND = ["inet_interfaces", "inet_protocols"];

function applyScript(i: PostfixConfigInputs, plan: Plan): Script {
  const p = platform(i.profile);
  const map = p.saslPasswordMap;
  const steps: Script[] = [];
  const editsMainCf = !isEmptyChange(plan.change);
  // postconf(5), inet_interfaces and inet_protocols: "you need to stop and start Postfix when this
  // parameter changes"; a reload keeps listening where it did (on all addresses, after loopback-only).
  const mayRebind = [...Object.keys(plan.change.set), ...plan.change.remove].some((k) => REBIND.includes(k));
  if (editsMainCf) steps.push(stageMainCf(plan.change));
  if (mayRebind) {
    steps.push(
      sh`[ "$(postconf -c "$cfg" -h ${REBIND})" = "$(postconf -c "$stage" -h ${REBIND})" ] && rebind= || rebind=1`,
    );
  }
  // Once Postfix accepted the staged main.cf, before anything goes live.
  const recordAliases = plan.snapshotAlias ? ["root"] : [];
  if (plan.snapshot.length > 0 || recordAliases.length > 0) {
    steps.push(section("originals", recordOriginals(plan.snapshot, recordAliases)));
  }
  if (plan.saslMap !== undefined && plan.saslMap !== "remove") steps.push(writeSecretMap(map));
  if (plan.rootAlias !== undefined) steps.push(setAlias("root", plan.rootAlias));
  if (editsMainCf) steps.push(activateMainCf);
  // The map goes only after main.cf no longer points at it.
  if (plan.saslMap === "remove") steps.push(removeMap(map));
  const reload = sh`${p.reloadPostfix} >/dev/null || fail "Postfix did not reload; main.cf checked clean, see the Postfix log"`;
  steps.push(
    mayRebind
      ? sh`if [ -n "$rebind" ]; then
  ${p.restartPostfix} >/dev/null || fail "Postfix did not restart; main.cf checked clean, see the Postfix log"
else
  ${reload}
fi`
      : reload,
  );
  // Only once the originals are live again may the host's record of them go.
  if (plan.forget.length > 0 || plan.forgetAlias) {
    steps.push(forgetOriginals(plan.forget, plan.forgetAlias ? ["root"] : []));
  }
  steps.push(section("after", showMainCf), section("relay", showRelayParameters));
  return joinScripts([prelude(p), withRemoteLock(joinScripts(steps))]);
}

function readScript(i: PostfixConfigInputs): Script {
  const steps: Script[] = [
    prelude(platform(i.profile)),
    section("after", showMainCf),
    section("relay", showRelayParameters),
  ];
  if (i.rootAlias !== undefined) steps.push(section("alias-after", showAlias("root")));
  if (i.saslRelay !== undefined) steps.push(section("sasl-after", showMap(platform(i.profile).saslPasswordMap)));
  return joinScripts(steps);
}

function aliasFrom(sections: Record<string, string>, name: string): string | null {
  return sections[name]?.trim() || null;
}

function saslInSync(sections: Record<string, string>, i: PostfixConfigInputs): boolean {
  const text = sections["sasl-after"] ?? "no\n";
  return text.startsWith("yes\n") && text.slice(4) === saslMapContent(i);
}

function appliedFrom(live: Record<string, string>, i: PostfixConfigInputs): Record<string, string | null> {
  const applied: Record<string, string | null> = {};
  for (const k of Object.keys(mainCfParameters(i))) applied[k] = live[k] ?? null;
  return applied;
}

/** Why the host's values (`postconf -x` of the relay parameters) relay mail for anyone, or null. */
function openRelayOf(relayValues: string): string | null {
  const findings = relayFindings(parsePostconf(relayValues));
  return findings.length > 0 ? relayFindingsText(findings) : null;
}

/**
 * Refuses, before anything changes, a plan that would leave the host relaying
 * mail for anyone: the preview rule saw only what the inputs set, this one
 * sees the host's whole main.cf with the change applied to a staged copy.
 */
async function refuseOpenRelay(host: RemoteHost, news: PostfixConfigInputs, plan: Plan): Promise<void> {
  const check = withRemoteLock(stagedRelayParameters(plan.change));
  const result = await host.run(joinScripts([prelude(platform(news.profile)), check]), {
    step: "check the new configuration for an open relay",
  });
  const openRelay = openRelayOf(result.stdout);
  if (openRelay !== null) {
    throw new Error(
      `PostfixConfig: with this change Postfix on ${news.connection.host} would relay mail for anyone, so nothing was changed. ${openRelay}. Parameters this resource does not set keep the host's own main.cf values: set them in parameters, or fix them on the host. A deliberate relay needs allowOpenRelay: true with openRelayReason.`,
    );
  }
}

/**
 * Whether a plan must be checked against the host's whole main.cf first
 * ({@link refuseOpenRelay}). Not when the inputs keep Postfix on loopback
 * (nothing on the host can then open a relay), nor when the host was last
 * found closed and the plan touches none of the parameters relaying depends
 * on: an update of myhostname stays one remote command.
 */
function relayCheckNeeded(old: PostfixConfigState | undefined, news: PostfixConfigInputs, plan: Plan): boolean {
  if (news.allowOpenRelay || listensOnLoopbackOnly(mainCfParameters(news).inet_interfaces)) return false;
  if (old === undefined || old.openRelay !== null) return true;
  const touched = [...Object.keys(plan.change.set), ...plan.change.remove];
  return touched.some((k) => (RELAY_PARAMETERS as readonly string[]).includes(k));
}

/**
 * Brings the host to `news`. With `checkRelay`, a plan is first checked
 * against the host's whole configuration and refused if it would relay for
 * anyone (see {@link refuseOpenRelay}); a delete puts back what was there and
 * is never refused.
 */
async function apply(
  old: PostfixConfigState | undefined,
  news: PostfixConfigInputs,
  checkRelay: boolean,
): Promise<PostfixConfigState> {
  const plan = planFor(old, news);
  const previous: PostfixConfigState["previous"] = {
    parameters: { ...(old?.previous.parameters ?? {}) },
    ...(old?.previous.rootAlias !== undefined ? { rootAlias: old.previous.rootAlias } : {}),
  };
  for (const k of Object.keys(previous.parameters)) {
    if (!(k in mainCfParameters(news))) delete previous.parameters[k];
  }
  if (news.rootAlias === undefined) delete previous.rootAlias;
  let applied = old?.applied ?? {};
  let rootAliasApplied = old?.rootAliasApplied;
  let openRelay = old?.openRelay ?? null;
  const host = new RemoteHost(news.connection);
  if (checkRelay && relayCheckNeeded(old, news, plan)) {
    await refuseOpenRelay(host, news, plan);
    openRelay = null;
  }
  if (!planIsEmpty(plan)) {
    const saslWrite = plan.saslMap !== undefined && plan.saslMap !== "remove" ? plan.saslMap.write : undefined;
    const result = await host.exclusive(() =>
      host.run(applyScript(news, plan), { step: "apply the Postfix configuration", stdin: saslWrite }),
    );
    const s = parseSections(result.stdout);
    const originals = parseOriginals(s.originals ?? "");
    for (const k of plan.snapshot) previous.parameters[k] = originals.parameters[k] ?? null;
    if (plan.snapshotAlias) previous.rootAlias = originals.aliases.root ?? null;
    applied = appliedFrom(parsePostconf(s.after ?? ""), news);
    openRelay = openRelayOf(s.relay ?? "");
    if (plan.rootAlias !== undefined) rootAliasApplied = plan.rootAlias;
  }
  applied = Object.fromEntries(Object.keys(mainCfParameters(news)).map((k) => [k, applied[k] ?? null]));
  return {
    ...news,
    applied,
    ...(news.rootAlias !== undefined ? { rootAliasApplied: rootAliasApplied ?? null } : {}),
    ...(news.saslRelay !== undefined ? { saslMapInSync: true } : {}),
    openRelay,
    previous,
  };
}

// ---------------------------------------------------------------- hooks

/** The PostfixConfig hooks, run by the engine's dynamic-provider host. */
export const postfixConfigProvider = hostProvider<PostfixConfigInputs, PostfixConfigState>({
  kind: "postfixConfig",
  schema: postfixConfigSchema,
  // The host differs from what the inputs ask (a value, the root alias or the SASL map changed by hand), or
  // a host found relaying for anyone: the next update repairs it or says why it cannot.
  drifted: (old, next) => !planIsEmpty(planFor(old, next)) || (old.openRelay !== null && !next.allowOpenRelay),
  /**
   * Whether a replacement stays on the machine it leaves: the pinned host key is
   * the machine's identity, whatever address reaches it. There the old and the
   * new resource own the same main.cf, so the old one must go first: the engine
   * runs a create-before-delete replacement's delete at the end of the run, and
   * that delete puts the values from before the old resource back over the new
   * resource's settings. On another machine the new one is created first, so the
   * old server keeps sending until its replacement is ready.
   */
  deleteBeforeReplace: (old, next) => old.connection.hostKeyFingerprint === next.connection.hostKeyFingerprint,
  create: (news) => apply(undefined, news, true),
  async read(old) {
    const host = new RemoteHost(old.connection);
    const result = await host.run(readScript(old), { step: "read the Postfix configuration" });
    const s = parseSections(result.stdout);
    const state: PostfixConfigState = {
      ...old,
      applied: appliedFrom(parsePostconf(s.after ?? ""), old),
      openRelay: openRelayOf(s.relay ?? ""),
    };
    if (old.rootAlias !== undefined) state.rootAliasApplied = aliasFrom(s, "alias-after");
    if (old.saslRelay !== undefined) state.saslMapInSync = saslInSync(s, old);
    return state;
  },
  update: (old, news) => apply(old, news, true),
  async delete(old) {
    // Nothing desired but where the host is: every managed value goes back to what it was.
    await apply(
      old,
      { connection: old.connection, profile: old.profile, parameters: {}, allowOpenRelay: false },
      false,
    );
  },
});
