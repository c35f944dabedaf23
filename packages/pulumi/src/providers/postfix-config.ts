import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { setAlias, showAlias } from "../postfix/aliases";
import {
  activateMainCf,
  isEmptyChange,
  type MainCfChange,
  parsePostconf,
  showMainCf,
  showRelayParameters,
  stagedRelayParameters,
  stageMainCf,
} from "../postfix/main-cf";
import { removeMap, showMap, writeSecretMap } from "../postfix/maps";
import { forgetOriginals, parseOriginals, recordOriginals } from "../postfix/originals";
import {
  listensOnLoopbackOnly,
  RELAY_PARAMETERS,
  type RelayConfig,
  relayFindings,
  relayFindingsText,
} from "../postfix/relay-safety";
import { type Connection, type ConnectionArgs, connectionSchema, secretConnection } from "../remote/connection";
import { withRemoteLock } from "../remote/lock";
import { type PlatformName, platform, platformSchema } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { fqdn, hasControlChars, hostnameOrIp, isHostname, mailbox, tcpPort } from "../validation/names";
import { parseCidr } from "../validation/networks";
import { parameterName, parameterValue } from "../validation/postfix-values";
import { checkWithSchema, storedInputs, UNKNOWN } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";
import { connectionChanged, hostReplaces } from "./host-diff";

// ---------------------------------------------------------------- inputs

/**
 * One mynetworks entry: an IPv4 address or CIDR, a bracketed IPv6 address or
 * CIDR (`[::1]/128`), a `$parameter` reference or a host name. The guide
 * writes `[::1/128]`; postconf(5) documents `[::1]/128`, so that spelling is
 * rewritten to the documented one.
 */
const networkEntry = z
  .string()
  .transform((v) => v.replace(/^\[([0-9A-Fa-f:.]+)\/(\d{1,3})\]$/, "[$1]/$2"))
  .refine(
    (v) => {
      const bracketed = /^\[([^\]]*)\](\/.*)?$/.exec(v);
      if (bracketed) return parseCidr(`${bracketed[1]}${bracketed[2] ?? ""}`)?.family === 6;
      if (/^[\d./]+$/.test(v)) return parseCidr(v)?.family === 4;
      return /^\$[a-z_][a-z0-9_]*$/.test(v) || isHostname(v);
    },
    {
      message:
        "must be an IPv4 address or CIDR (10.0.0.0/24), a bracketed IPv6 CIDR ([2001:db8::]/32), $myhostname or a host name",
    },
  );

const inetInterface = z
  .string()
  .refine((v) => ["all", "loopback-only", "localhost"].includes(v) || isIP(v) !== 0 || isHostname(v), {
    message: "must be all, loopback-only, localhost, an IP address or a host name",
  });

const relayhostSchema = z
  .object({
    host: hostnameOrIp,
    port: tcpPort.optional(),
    mxLookup: z.boolean().default(false),
  })
  .strict()
  .refine((r) => !(r.mxLookup && isIP(r.host) !== 0), {
    message: "mxLookup needs a domain name: an IP address has no MX records",
    path: ["mxLookup"],
  });

const saslSecurityOption = z.enum(["noanonymous", "noplaintext", "noactive", "nodictionary", "mutual_auth"]);

const saslRelaySchema = z
  .object({
    username: z
      .string()
      .regex(/^[^\s:]{1,256}$/, "must be 1..256 characters with no spaces or colons")
      .refine((u) => !hasControlChars(u), { message: "must have no control characters" }),
    password: z
      .string()
      .min(1, "must not be empty")
      .max(1024, "must be at most 1024 characters")
      .refine((p) => !hasControlChars(p) && p.trim() === p, {
        message: "must have no control characters and no leading or trailing spaces (value not shown)",
      }),
    securityOptions: z.array(saslSecurityOption).min(1).default(["noanonymous"]),
    requireTls: z.boolean().default(true),
  })
  .strict();

/** smtp_tls_security_level values (postconf(5)). */
const TLS_LEVELS = ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"] as const;

/** Levels that never send a message in clear, so SASL credentials cannot leak. */
const TLS_ALWAYS = new Set(["encrypt", "dane-only", "fingerprint", "verify", "secure"]);

const clientTlsSchema = z
  .object({
    securityLevel: z.enum(TLS_LEVELS),
    dnsSupportLevel: z.enum(["disabled", "enabled", "dnssec"]).optional(),
  })
  .strict()
  .refine((t) => !t.securityLevel.startsWith("dane") || (t.dnsSupportLevel ?? "dnssec") === "dnssec", {
    message:
      'must be dnssec for dane: Postfix uses TLSA records only from DNSSEC-validated answers (the guide sets smtp_dns_support_level=dnssec); set dnsSupportLevel: "dnssec" or leave it unset',
    path: ["dnsSupportLevel"],
  });

/** The parameters the typed fields own; `parameters` must not set them too. */
const TYPED_PARAMETERS: Record<string, string> = {
  myhostname: "myhostname",
  mydomain: "mydomain",
  myorigin: "myorigin",
  mynetworks: "mynetworks",
  inet_interfaces: "inetInterfaces",
  relayhost: "relayhost",
  smtp_sasl_auth_enable: "saslRelay",
  smtp_sasl_password_maps: "saslRelay",
  smtp_sasl_security_options: "saslRelay",
  smtp_tls_security_level: "clientTls (or saslRelay.requireTls)",
  smtp_dns_support_level: "clientTls",
};

/**
 * What manages a parameter `parameters` must not set, if anything: a typed
 * field, or another resource (set in both, an `up` of one would undo the
 * other's value; a whole milter list would drop OpenDKIM's milter, and mail
 * would leave unsigned).
 */
function managerOf(name: string): string | undefined {
  if (Object.hasOwn(TYPED_PARAMETERS, name)) return `the ${TYPED_PARAMETERS[name]} field`;
  if (name === "always_bcc") return "MailArchive (a local archive, or remoteAddress)";
  if (["smtpd_milters", "non_smtpd_milters", "milter_protocol", "milter_default_action"].includes(name)) {
    return "OpenDkimKey, which adds its milter to the milter lists and keeps other milters added by hand";
  }
  if (name === "transport_maps") return "RateLimitTransport, which adds its map to the list (transports[].domains)";
  if (/_destination_(rate_delay|recipient_limit|concurrency_limit)$/.test(name)) {
    return "RateLimitTransport (defaults for smtp, transports[] for a named transport)";
  }
  return undefined;
}

/**
 * The relay-safety rule over what the inputs set (postfix/relay-safety.ts),
 * each finding at the field that sets its parameter. Values the engine does
 * not know yet are not judged.
 */
function previewRelayFindings(v: PostfixConfigInputs): { path: string[]; message: string }[] {
  const set = mainCfParameters(v);
  const config: RelayConfig = Object.fromEntries(RELAY_PARAMETERS.filter((k) => k in set).map((k) => [k, set[k]]));
  if (Object.values(config).some((value) => value.includes(UNKNOWN))) return [];
  return relayFindings(config).map((f) => ({
    path: f.parameter in TYPED_PARAMETERS ? [TYPED_PARAMETERS[f.parameter]] : ["parameters", f.parameter],
    message: f.message,
  }));
}

/** zod schema of PostfixConfig's inputs, used by `check`. */
export const postfixConfigSchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    myhostname: fqdn.optional(),
    mydomain: fqdn.optional(),
    myorigin: z
      .string()
      .refine((v) => v === "$myhostname" || v === "$mydomain" || isHostname(v) || /^\/[^\s]+$/.test(v), {
        message: "must be $myhostname, $mydomain, a domain name or an absolute file path",
      })
      .optional(),
    mynetworks: z.array(networkEntry).min(1, "must list at least one network").optional(),
    inetInterfaces: z
      .array(inetInterface)
      .min(1, "must list at least one interface")
      .refine((l) => l.length === 1 || !l.some((i) => i === "all" || i === "loopback-only"), {
        message: "all and loopback-only must stand alone",
      })
      .optional(),
    relayhost: relayhostSchema.optional(),
    saslRelay: saslRelaySchema.optional(),
    clientTls: clientTlsSchema.optional(),
    rootAlias: mailbox.optional(),
    parameters: z.record(parameterName, parameterValue).default({}),
    allowOpenRelay: z.boolean().default(false),
    openRelayReason: z
      .string()
      .trim()
      .min(10, "must say in a sentence why this host relays for anyone (at least 10 characters)")
      .max(500, "must be at most 500 characters")
      .refine((r) => !hasControlChars(r), { message: "must have no control characters" })
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.allowOpenRelay && v.openRelayReason === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["openRelayReason"],
        message: "is required with allowOpenRelay: true: say why this host must relay mail for anyone",
      });
    }
    if (!v.allowOpenRelay && v.openRelayReason !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["openRelayReason"],
        message: "has no effect without allowOpenRelay: true; remove it",
      });
    }
    if (!v.allowOpenRelay) {
      for (const finding of previewRelayFindings(v)) ctx.addIssue({ code: "custom", ...finding });
    }
    if (v.saslRelay && !v.relayhost) {
      ctx.addIssue({
        code: "custom",
        path: ["saslRelay"],
        message: "needs relayhost: the password map is keyed by the relay host",
      });
    }
    for (const key of Object.keys(v.parameters)) {
      const manager = managerOf(key);
      if (manager) {
        ctx.addIssue({ code: "custom", path: ["parameters", key], message: `is managed by ${manager}; set it there` });
      }
    }
    if (v.saslRelay?.requireTls && v.clientTls && !TLS_ALWAYS.has(v.clientTls.securityLevel)) {
      ctx.addIssue({
        code: "custom",
        path: ["clientTls", "securityLevel"],
        message: `${v.clientTls.securityLevel} may send the SASL password in clear; with saslRelay.requireTls use encrypt, dane-only, verify or secure (or set requireTls: false)`,
      });
    }
  });

/** Validated PostfixConfig inputs with defaults applied. */
export type PostfixConfigInputs = z.output<typeof postfixConfigSchema>;

/** What the provider stores: the inputs plus what it found and changed on the host. */
export interface PostfixConfigState extends PostfixConfigInputs {
  /** Live values of the main.cf parameters this resource manages (null: not set). */
  applied: Record<string, string | null>;
  /** Live target of the root alias, when `rootAlias` is managed (null: no root alias). */
  rootAliasApplied?: string | null;
  /** Whether the SASL password map on the host holds exactly the configured entry. */
  saslMapInSync?: boolean;
  /** Why the live configuration relays mail for anyone (postfix/relay-safety.ts), or null: it does not. */
  openRelay: string | null;
  /** What was there before this resource took each item over; restored on delete. */
  previous: {
    /** Earlier value of each managed parameter (null: it was not set). */
    parameters: Record<string, string | null>;
    /** Earlier root alias target (null: none), present once rootAlias is managed. */
    rootAlias?: string | null;
  };
}

// ---------------------------------------------------------------- model

function relayhostValue(r: NonNullable<PostfixConfigInputs["relayhost"]>): string {
  const host = isIP(r.host) === 6 ? `ipv6:${r.host}` : r.host;
  const base = r.mxLookup ? host : `[${host}]`;
  return r.port === undefined ? base : `${base}:${r.port}`;
}

function saslMapPath(name: PlatformName): string {
  return platform(name).saslPasswordMap;
}

/** The main.cf parameters the inputs ask for, as postconf values. */
export function mainCfParameters(i: PostfixConfigInputs): Record<string, string> {
  const p: Record<string, string> = {};
  if (i.myhostname !== undefined) p.myhostname = i.myhostname;
  if (i.mydomain !== undefined) p.mydomain = i.mydomain;
  if (i.myorigin !== undefined) p.myorigin = i.myorigin;
  if (i.mynetworks !== undefined) p.mynetworks = i.mynetworks.join(", ");
  if (i.inetInterfaces !== undefined) p.inet_interfaces = i.inetInterfaces.join(", ");
  if (i.relayhost !== undefined) p.relayhost = relayhostValue(i.relayhost);
  if (i.saslRelay !== undefined) {
    // The guide writes hash:smtp_passwd, a relative path Postfix resolves
    // against its working directory; the map needs its absolute path.
    p.smtp_sasl_auth_enable = "yes";
    p.smtp_sasl_password_maps = `hash:${saslMapPath(i.profile)}`;
    p.smtp_sasl_security_options = i.saslRelay.securityOptions.join(", ");
    // The guide warns the password otherwise crosses the network in clear text.
    if (i.saslRelay.requireTls) p.smtp_tls_security_level = "encrypt";
  }
  if (i.clientTls !== undefined) {
    p.smtp_tls_security_level = i.clientTls.securityLevel;
    const dns = i.clientTls.dnsSupportLevel ?? (i.clientTls.securityLevel.startsWith("dane") ? "dnssec" : undefined);
    if (dns !== undefined) p.smtp_dns_support_level = dns;
  }
  return { ...p, ...i.parameters };
}

function saslMapContent(i: PostfixConfigInputs): string | null {
  if (!i.saslRelay || !i.relayhost) return null;
  return `${relayhostValue(i.relayhost)} ${i.saslRelay.username}:${i.saslRelay.password}\n`;
}

/** What one create/update/delete must do on the host. */
interface Plan {
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

function planFor(old: PostfixConfigState | undefined, news: PostfixConfigInputs): Plan {
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

function planIsEmpty(p: Plan): boolean {
  return (
    isEmptyChange(p.change) &&
    p.rootAlias === undefined &&
    p.saslMap === undefined &&
    p.forget.length === 0 &&
    !p.forgetAlias
  );
}

// ---------------------------------------------------------------- remote steps

/** The parameters Postfix reads only when it starts: a change needs a restart, not a reload. */
const REBIND = ["inet_interfaces", "inet_protocols"];

function applyScript(i: PostfixConfigInputs, plan: Plan): Script {
  const p = platform(i.profile);
  const map = saslMapPath(i.profile);
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
  if (i.saslRelay !== undefined) steps.push(section("sasl-after", showMap(saslMapPath(i.profile))));
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

function parseInputs(raw: Record<string, unknown>): PostfixConfigInputs {
  return storedInputs(postfixConfigSchema, raw, []);
}

function parseState(raw: Record<string, unknown>): PostfixConfigState {
  const { applied, rootAliasApplied, saslMapInSync, openRelay, previous } = raw as unknown as PostfixConfigState;
  const inputs = storedInputs(postfixConfigSchema, raw, [
    "applied",
    "rootAliasApplied",
    "saslMapInSync",
    "openRelay",
    "previous",
  ]);
  return {
    ...inputs,
    applied,
    previous,
    // State written before the relay rule has no record: not known to relay.
    openRelay: openRelay ?? null,
    ...(rootAliasApplied !== undefined ? { rootAliasApplied } : {}),
    ...(saslMapInSync !== undefined ? { saslMapInSync } : {}),
  };
}

/**
 * Whether a replacement stays on the machine it leaves: the pinned host key is
 * the machine's identity, whatever address reaches it. There the old and the
 * new resource own the same main.cf, so the old one must go first: the engine
 * runs a create-before-delete replacement's delete at the end of the run, and
 * that delete puts the values from before the old resource back over the new
 * resource's settings. On another machine the new one is created first, so the
 * old server keeps sending until its replacement is ready.
 */
function sameHostKey(a: Connection, b: Connection): boolean {
  return a.hostKeyFingerprint === b.hostKeyFingerprint;
}

/** The PostfixConfig hooks, run by the engine's dynamic-provider host. */
export const postfixConfigProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(postfixConfigSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = hostReplaces(old, next);
    const changes =
      replaces.length > 0 ||
      connectionChanged(old, next) ||
      !planIsEmpty(planFor(old, next)) ||
      // A host found relaying for anyone is drift: the next update repairs it or says why it cannot.
      (old.openRelay !== null && !next.allowOpenRelay) ||
      old.allowOpenRelay !== next.allowOpenRelay ||
      old.openRelayReason !== next.openRelayReason;
    return { changes, replaces, deleteBeforeReplace: sameHostKey(old.connection, next.connection) };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    const outs = await apply(undefined, news, true);
    return { id: `${news.connection.host}/postfix-config/${randomUUID()}`, outs };
  },

  async read(id, props) {
    const old = parseState(props);
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
    return { id, props: state };
  },

  async update(_id, olds, news) {
    return { outs: await apply(parseState(olds), parseInputs(news), true) };
  },

  async delete(_id, props) {
    const old = parseState(props);
    // Nothing desired but where the host is: every managed value goes back to what it was.
    await apply(
      old,
      { connection: old.connection, profile: old.profile, parameters: {}, allowOpenRelay: false },
      false,
    );
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link PostfixConfig}. Every field but `connection` is optional: unset fields are left alone. */
export interface PostfixConfigArgs {
  /** How to reach the host (a SmartOS zone or any host with Postfix), with its pinned host key. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (pkgsrc paths, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /** `myhostname`: the name Postfix gives itself; should match the PTR of the sending IP, e.g. `mx.example.com`. */
  myhostname?: pulumi.Input<string>;
  /** `mydomain`; Postfix's default is myhostname minus its first label. */
  mydomain?: pulumi.Input<string>;
  /** `myorigin`; Postfix's default is `$myhostname` (the guide keeps it), many set `$mydomain`. */
  myorigin?: pulumi.Input<string>;
  /** `mynetworks`: clients trusted to relay, e.g. `["$myhostname", "127.0.0.0/8", "[::1]/128"]`. */
  mynetworks?: pulumi.Input<pulumi.Input<string>[]>;
  /** `inet_interfaces`: `["all"]`, `["loopback-only"]`, or addresses such as `["1.2.3.4", "localhost"]`. */
  inetInterfaces?: pulumi.Input<pulumi.Input<string>[]>;
  /** `relayhost`: send everything through this host. `[host]:port` unless `mxLookup` is true. */
  relayhost?: pulumi.Input<{
    /** Relay host name or IP. */
    host: pulumi.Input<string>;
    /** Relay port (Postfix's default: 25). */
    port?: pulumi.Input<number>;
    /** Look up MX records for `host` instead of connecting to it directly (no brackets). Default false. */
    mxLookup?: pulumi.Input<boolean>;
  }>;
  /** Authenticate to the relay host with SASL (needs `relayhost`). The password is kept as a secret. */
  saslRelay?: pulumi.Input<{
    /** SASL user name. */
    username: pulumi.Input<string>;
    /** SASL password; written to a 0600 map on the host through stdin, never a command line. */
    password: pulumi.Input<string>;
    /** `smtp_sasl_security_options`. Default `["noanonymous"]`, as in the guide. */
    securityOptions?: pulumi.Input<pulumi.Input<string>[]>;
    /** Set `smtp_tls_security_level=encrypt` so the password never crosses the network in clear. Default true. */
    requireTls?: pulumi.Input<boolean>;
  }>;
  /**
   * Client TLS for outgoing mail. The guide's choice is opportunistic DANE:
   * `{ securityLevel: "dane" }`, which also sets `smtp_dns_support_level=dnssec`
   * (needed for TLSA records; the host's resolver must validate DNSSEC).
   * `may` is plain opportunistic TLS; `encrypt` and stricter never send in clear.
   */
  clientTls?: pulumi.Input<{
    /** `smtp_tls_security_level`: none, may, encrypt, dane, dane-only, fingerprint, verify or secure. */
    securityLevel: pulumi.Input<string>;
    /** `smtp_dns_support_level`: disabled, enabled or dnssec. Default: dnssec for dane levels, else unset. */
    dnsSupportLevel?: pulumi.Input<string>;
  }>;
  /** Where root's (and so postmaster's) mail goes: sets the `root:` alias and runs newaliases. */
  rootAlias?: pulumi.Input<string>;
  /** Any other main.cf parameters, e.g. `{ smtpd_banner: "$myhostname ESMTP" }`. Values reach Postfix literally. */
  parameters?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * DANGEROUS. Lets this host relay mail for anyone: an open relay is found by spammers' scanners within hours
   * and gets the host's address blocklisted. By default preview refuses a configuration that listens beyond
   * loopback and relays for clients outside your own networks (`mynetworks` covering the internet, restriction
   * lists that permit before `reject_unauth_destination`), and create and update refuse one the host's own
   * main.cf would complete. Default false; `true` needs `openRelayReason`, and every run warns.
   */
  allowOpenRelay?: pulumi.Input<boolean>;
  /** Why this host must relay for anyone (required with `allowOpenRelay`; shown in every run's warning). */
  openRelayReason?: pulumi.Input<string>;
}

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
export class PostfixConfig extends pulumi.dynamic.Resource {
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
    super(
      dynamicProvider("postfixConfig"),
      name,
      {
        ...args,
        connection: secretConnection(args.connection),
        saslRelay: args.saslRelay === undefined ? undefined : pulumi.secret(args.saslRelay),
        applied: undefined,
        previous: undefined,
        openRelay: undefined,
      },
      {
        ...dynamicResourceOptions("PostfixConfig", name, opts),
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "saslRelay"],
      },
      "smartos-mail",
      "PostfixConfig",
    );
    // Only once the engine took the resource: the SDK chains every log call on the one before it
    // (log/index.js, a module-wide `lastLog`) and each waits for its resource's URN, which never comes
    // for a resource whose check failed; in a process that runs several programs (the Automation API)
    // every later log call, and so every later run, would wait forever.
    pulumi.all([this.urn, args.allowOpenRelay, args.openRelayReason]).apply(([, allow, reason]) => {
      if (allow) pulumi.log.warn(openRelayWarning(name, reason ?? "(none given)"), this);
    });
  }
}
