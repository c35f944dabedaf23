import {
  activateIfChanged,
  backdateStagedMainCf,
  beginStage,
  stageChange,
  stageListMember,
  validateStage,
} from "../postfix/main-cf";
import type { Platform } from "../remote/platform";
import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";

/** Our own bookkeeping on the host: one fragment per key, and what was there before the first key. */
export const REGISTRY_DIR = "/var/db/smartos-mail/opendkim";

/** What one OpenDkimKey puts on a host. */
export interface KeyPlacement {
  /** The signing domain. */
  domain: string;
  /** Names under `domain` whose mail the key also signs, with `d=` the domain (e.g. the host name). */
  subdomains: string[];
  /** The RSA selector; names the fragment files. */
  selector: string;
  /** Key files, in the order their PEM blocks arrive on stdin. */
  keyFiles: string[];
  /** KeyTable lines. */
  keyTable: string[];
  /** SigningTable lines (empty: this key does not sign). */
  signing: string[];
  /** TrustedHosts entries beyond 127.0.0.1 and ::1. */
  trusted: string[];
}

/** Where a key file goes: the guide's `keys/<domain>/<selector>.private`. */
export function keyFilePath(p: Platform, domain: string, selector: string): string {
  return `${p.openDkim.dbDir}/keys/${domain}/${selector}.private`;
}

/** The guide's opendkim.conf, plus what the platform's service needs and MultipleSignatures. */
export function openDkimConf(p: Platform): string {
  const db = p.openDkim.dbDir;
  return [
    "# Written by smartos-mail (OpenDkimKey). Changes here are overwritten.",
    "Canonicalization        relaxed/simple",
    `ExternalIgnoreList      refile:${db}/TrustedHosts`,
    `InternalHosts           refile:${db}/TrustedHosts`,
    `KeyTable                refile:${db}/KeyTable`,
    `SigningTable            refile:${db}/SigningTable`,
    `Socket                  ${p.openDkim.socket}`,
    "Syslog                  Yes",
    "UMask                   007",
    // Not in the guide: lets an Ed25519 key sign beside the RSA key (RFC 8463)
    // and an old and a new selector overlap while a key is rotated.
    "MultipleSignatures      Yes",
    `ResolverConfiguration   ${db}/resolver.conf`,
    ...p.openDkim.extraConf,
    "",
  ].join("\n");
}

const tableHelpers: Script = sh`reg=${REGISTRY_DIR}
mkdir -p "$reg" && chmod 700 "$reg" || fail "cannot create $reg"
tables_changed=
# rebuild TABLE SUFFIX [FIRST-LINES...]: the table is the union of every key's fragments.
rebuild() {
  t=$1 suffix=$2
  shift 2
  { [ "$#" -eq 0 ] || printf '%s\n' "$@"; cat "$reg"/*"$suffix" 2>/dev/null; } | awk '!seen[$0]++' >"$db/$t.new" || fail "cannot write $db/$t"
  if cmp -s "$db/$t.new" "$db/$t"; then rm -f "$db/$t.new"; else mv "$db/$t.new" "$db/$t" && tables_changed=1; fi
}
rebuild_all() {
  rebuild KeyTable .keys
  rebuild SigningTable .signing
  rebuild TrustedHosts .trusted 127.0.0.1 ::1
}
# put FILE CONTENT: writes FILE when its content differs.
put() {
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then printf '%s\n' "$2" >"$1.new" && mv "$1.new" "$1" || fail "cannot write $1"; fi
}`;

function setVars(p: Platform): Script {
  return sh`db=${p.openDkim.dbDir}
conf=${p.openDkim.confPath}
sha256_of() { ${p.sha256}; }
postfix_supplementary() {
  getent group | awk -F: '{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == "postfix") s = s (s == "" ? "" : ",") $1 } END { print s }'
}`;
}

/** Installs OpenDKIM with the platform's package manager when it is missing; checks Ed25519 support when asked. */
function ensureInstalled(p: Platform, needEd25519: boolean): Script {
  const steps: Script[] = [
    sh`if ! command -v opendkim >/dev/null 2>&1 || ! command -v opendkim-testkey >/dev/null 2>&1; then
  ${p.openDkim.install} >"$reg/install.log" 2>&1 || fail "cannot install OpenDKIM: $(tail -n 3 "$reg/install.log")"
fi`,
  ];
  if (needEd25519) {
    // `opendkim -V` listing ed25519-sha256 is not enough: up to 2.11.0 (what
    // Debian 12 and pkgsrc ship) the algorithm is one global setting
    // (SignatureAlgorithm), so an Ed25519 key in the KeyTable beside an RSA
    // key makes every message fail with "resource unavailable"
    // (trusteddomainproject/OpenDKIM#6 and #107; seen in this project's testbed).
    steps.push(
      sh`version=$(opendkim -V 2>&1 | awk 'NR == 1 { print $NF }')
opendkim -V 2>&1 | grep -q ed25519-sha256 || fail "this host's OpenDKIM $version cannot sign with Ed25519 (opendkim -V lists no ed25519-sha256): drop ed25519Selector"
case "$version" in
  v1.* | v2.[0-9].* | v2.10.* | v2.11.0 | v2.11.0-*) fail "this host's OpenDKIM $version signs every key with one algorithm (SignatureAlgorithm), so it cannot add an Ed25519 signature beside RSA (OpenDKIM issues #6 and #107): drop ed25519Selector, or install a later OpenDKIM" ;;
esac`,
    );
  }
  return joinScripts(steps);
}

/** Writes the key files from stdin (PEM blocks in `keyFiles` order), each 0400 in a 0500 directory. */
function installKeys(k: KeyPlacement): Script {
  return sh`mkdir -p "$db/keys/"${k.domain} || fail "cannot create the key directory"
(umask 077 && cat >"$reg/incoming") || fail "cannot receive the keys"
set -- ${k.keyFiles}
awk -v files="$*" 'BEGIN { n = split(files, f, " "); i = 1 } i <= n { print > (f[i] ".new") } /^-----END / { close(f[i] ".new"); i++ }' "$reg/incoming"
rm -f "$reg/incoming"
for f in "$@"; do
  [ -s "$f.new" ] || fail "no key arrived for $f"
  chmod 400 "$f.new"
  if cmp -s "$f.new" "$f"; then rm -f "$f.new"; else mv "$f.new" "$f" && tables_changed=1; fi
done`;
}

/** Fails unless DNS already serves this key's record, as opendkim-testkey sees it from the host. */
function requirePublished(k: KeyPlacement): Script {
  return sh`if [ ! -f "$reg/"${`${k.domain}.${k.selector}.signing`} ]; then
  if ! out=$(opendkim-testkey -d ${k.domain} -s ${k.selector} -k ${k.keyFiles[0]} -vvv 2>&1); then
    fail "the DKIM record "${`${k.selector}._domainkey.${k.domain}`}" is not visible from this host or does not match this key, so signing was not switched on: $(printf '%s' "$out" | tail -n 1). Publish the record, wait for its TTL and run pulumi up again."
  fi
fi`;
}

function writeFragments(k: KeyPlacement): Script {
  const frag = `${REGISTRY_DIR}/${k.domain}.${k.selector}`;
  return joinScripts([
    sh`put ${`${frag}.keys`} ${k.keyTable.join("\n")}`,
    k.signing.length > 0 ? sh`put ${`${frag}.signing`} ${k.signing.join("\n")}` : sh`rm -f ${`${frag}.signing`}`,
    k.trusted.length > 0 ? sh`put ${`${frag}.trusted`} ${k.trusted.join("\n")}` : sh`rm -f ${`${frag}.trusted`}`,
  ]);
}

/**
 * Sets `$want` to the opendkim.conf this host should have and `$want_resolver`
 * to its resolver file. OpenDKIM (and opendkim-testkey) resolve with
 * libunbound, which by default recurses from the root servers itself; the
 * resolver file forwards to the host's own resolvers instead, so OpenDKIM
 * sees what every other program on the host sees.
 */
function wantConf(p: Platform): Script {
  return sh`want=$(printf '%s' ${openDkimConf(p)})
want_resolver=$(printf '%s\n' 'forward-zone:' '  name: "."'; awk '$1 == "nameserver" { print "  forward-addr: " $2 }' /etc/resolv.conf 2>/dev/null)`;
}

/** opendkim.conf (the old one kept once, to restore when the last key goes) and the guide's ownership and modes. */
function writeConfAndModes(p: Platform): Script {
  const ownSocketDir =
    p.openDkim.socketDir === p.openDkim.dbDir
      ? sh`:`
      : sh`mkdir -p ${p.openDkim.socketDir} && chown opendkim:opendkim ${p.openDkim.socketDir} && chmod 750 ${p.openDkim.socketDir} || fail "cannot prepare the socket directory"`;
  return sh`if [ ! -f "$reg/opendkim.conf.before" ] && [ ! -f "$reg/opendkim.conf.absent" ]; then
  if [ -f "$conf" ]; then cp -p "$conf" "$reg/opendkim.conf.before"; else : >"$reg/opendkim.conf.absent"; fi
fi
${wantConf(p)}
conf_changed=
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  printf '%s\n' "$want" >"$conf.new" && chmod 644 "$conf.new" && mv "$conf.new" "$conf" || fail "cannot write $conf"
  conf_changed=1
fi
if [ "$(cat "$db/resolver.conf" 2>/dev/null)" != "$want_resolver" ]; then
  printf '%s\n' "$want_resolver" >"$db/resolver.conf" || fail "cannot write $db/resolver.conf"
  conf_changed=1
fi
${ownSocketDir}
# The guide's modes: 710 on the directory, 500 on key directories, 400 on files.
chown -R opendkim:opendkim "$db" || fail "cannot chown $db to opendkim (is the opendkim user there?)"
find "$db" -type f -exec chmod 400 {} + && chmod 710 "$db" && chmod 500 "$db/keys" "$db/keys"/*/ || fail "cannot set the modes under $db"`;
}

/**
 * Puts postfix in the opendkim group keeping its other supplementary groups:
 * illumos usermod -G replaces the whole list (the guide's `usermod -G
 * mail,opendkim postfix` spells the list out), so the list is read first.
 */
const joinOpenDkimGroup: Script = sh`group_changed=
supp=$(postfix_supplementary)
case ",$supp," in
  *,opendkim,*) ;;
  *) usermod -G "\${supp:+$supp,}opendkim" postfix || fail "cannot add postfix to the opendkim group"; group_changed=1 ;;
esac`;

const leaveOpenDkimGroup: Script = sh`group_changed=
supp=$(postfix_supplementary)
case ",$supp," in
  *,opendkim,*)
    rest=$(printf '%s\n' "$supp" | tr ',' '\n' | grep -vx opendkim | awk '{ s = s (s == "" ? "" : ",") $0 } END { print s }')
    usermod -G "$rest" postfix || fail "cannot take postfix out of the opendkim group"
    group_changed=1 ;;
esac`;

/** The guide's milter settings, our socket added to any milters already configured; staged and checked. */
function addMilter(p: Platform): Script {
  return joinScripts([
    sh`[ -f "$reg/postfix-before" ] || postconf -n milter_protocol milter_default_action >"$reg/postfix-before"`,
    beginStage,
    stageChange({ set: { milter_protocol: "2", milter_default_action: "accept" }, remove: [] }),
    stageListMember("smtpd_milters", p.openDkim.milter),
    stageListMember("non_smtpd_milters", p.openDkim.milter),
    validateStage,
    activateIfChanged,
  ]);
}

function removeMilter(p: Platform): Script {
  return joinScripts([
    beginStage,
    sh`for param in milter_protocol milter_default_action; do
  v=$(awk -v p="$param" '$1 == p { sub(/^[^=]*= ?/, ""); print }' "$reg/postfix-before" 2>/dev/null)
  if [ -n "$v" ]; then postconf -c "$stage" -e "$param=$v"; else postconf -c "$stage" -X "$param"; fi || fail "cannot restore $param"
  ${backdateStagedMainCf}
done`,
    stageListMember("smtpd_milters", p.openDkim.milter, true),
    stageListMember("non_smtpd_milters", p.openDkim.milter, true),
    validateStage,
    activateIfChanged,
  ]);
}

/** Restarts OpenDKIM if its configuration changed or it is down, else reloads it if tables or keys changed; then Postfix. */
function converge(p: Platform): Script {
  const sock = p.openDkim.socket.replace(/^local:/, "");
  return sh`if [ -n "$conf_changed" ] || ! { ${p.openDkim.running}; }; then
  out=$(opendkim -n -x "$conf" 2>&1) || fail "OpenDKIM refuses $conf: $out"
  rm -f ${sock}
  ${p.openDkim.restart} || fail "OpenDKIM did not start"
elif [ -n "$tables_changed" ]; then
  ${p.openDkim.reload} || fail "OpenDKIM did not reload"
fi
n=0
while [ ! -S ${sock} ] && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -S ${sock} ] || fail "OpenDKIM is not listening on "${sock}" after 10 s"
if [ -n "$group_changed" ]; then
  ${p.restartPostfix} >/dev/null || fail "Postfix did not restart"
elif [ -n "$main_cf_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload"
fi`;
}

/**
 * The SigningTable lines of a key that signs: `*@domain name` for each of its KeyTable names, then
 * `*@sub.domain name` for each subdomain. A refile SigningTable's keys are wildcard patterns matched against
 * the From: address (opendkim.conf(5)), and the KeyTable name carries `d=domain`, so mail From
 * `root@mx.example.com` is signed `d=example.com`: aligned under DMARC's relaxed alignment.
 */
export function signingLines(k: Pick<KeyPlacement, "domain" | "subdomains" | "keyTable">): string[] {
  return k.keyTable.flatMap((l) => [k.domain, ...k.subdomains].map((d) => `*@${d} ${l.split(" ")[0]}`));
}

/** Prints what is live for one key (see {@link parseLive}). */
export function showLive(p: Platform, k: KeyPlacement): Script {
  return section(
    "live",
    joinScripts([
      setVars(p),
      sh`for f in ${k.keyFiles}; do printf 'key %s %s\n' "$f" "$(sha256_of "$f" 2>/dev/null)"; done
missing=
for line in ${k.keyTable}; do grep -qxF "$line" "$db/KeyTable" 2>/dev/null || missing=1; done
[ -n "$missing" ] || echo keytable
signing=1
for line in ${signingLines(k)}; do grep -qxF "$line" "$db/SigningTable" 2>/dev/null || signing=; done
[ -z "$signing" ] || echo signing
case " $(postconf -h smtpd_milters | tr ',' ' ') " in *" "${p.openDkim.milter}" "*) echo smtpd-milter ;; esac
case " $(postconf -h non_smtpd_milters | tr ',' ' ') " in *" "${p.openDkim.milter}" "*) echo non-smtpd-milter ;; esac
if { ${p.openDkim.running}; }; then echo running; fi
${wantConf(p)}
[ "$(cat "$conf" 2>/dev/null)" != "$want" ] || [ "$(cat "$db/resolver.conf" 2>/dev/null)" != "$want_resolver" ] || echo conf`,
    ]),
  );
}

/** The live facts of one key on its host. */
export interface Live {
  /** SHA-256 of each key file on the host ("" when missing). */
  keys: Record<string, string>;
  /** Every KeyTable line of this key is in KeyTable. */
  keyTable: boolean;
  /** Every SigningTable line this key would have is in SigningTable. */
  signing: boolean;
  /** Postfix's smtpd_milters and non_smtpd_milters both name the OpenDKIM socket. */
  milter: boolean;
  /** The OpenDKIM daemon is running. */
  running: boolean;
  /** opendkim.conf is the one this host should have. */
  conf: boolean;
}

/** Parses the `live` section {@link showLive} printed. */
export function parseLive(text: string): Live {
  const lines = text.split("\n");
  const keys: Record<string, string> = {};
  for (const l of lines) {
    const m = /^key (\S+) ?(\S*)$/.exec(l);
    if (m) keys[m[1]] = m[2];
  }
  const has = (w: string) => lines.includes(w);
  return {
    keys,
    keyTable: has("keytable"),
    signing: has("signing"),
    milter: has("smtpd-milter") && has("non-smtpd-milter"),
    running: has("running"),
    conf: has("conf"),
  };
}

/** Everything the guide does for one key, converging from any state; keys arrive on stdin. */
export function applyKeyScript(p: Platform, k: KeyPlacement, opts: { ed25519: boolean; verify: boolean }): Script {
  return joinScripts([
    setVars(p),
    tableHelpers,
    ensureInstalled(p, opts.ed25519),
    installKeys(k),
    opts.verify && k.signing.length > 0 ? requirePublished(k) : sh`:`,
    writeFragments(k),
    sh`rebuild_all`,
    writeConfAndModes(p),
    joinOpenDkimGroup,
    addMilter(p),
    converge(p),
  ]);
}

/** Takes one key off the host; the last key out also restores Postfix, the group list and opendkim.conf. */
export function removeKeyScript(p: Platform, k: KeyPlacement): Script {
  const frag = `${REGISTRY_DIR}/${k.domain}.${k.selector}`;
  return joinScripts([
    setVars(p),
    tableHelpers,
    sh`rm -f ${k.keyFiles} ${`${frag}.keys`} ${`${frag}.signing`} ${`${frag}.trusted`}
rmdir "$db/keys/"${k.domain} 2>/dev/null || true
if [ -d "$db" ]; then rebuild_all; fi
conf_changed= main_cf_changed= group_changed=
if ls "$reg"/*.keys >/dev/null 2>&1; then
  if [ -n "$tables_changed" ] && { ${p.openDkim.running}; }; then ${p.openDkim.reload} || fail "OpenDKIM did not reload"; fi
  exit 0
fi`,
    removeMilter(p),
    leaveOpenDkimGroup,
    sh`${p.openDkim.stop}
if [ -f "$reg/opendkim.conf.before" ]; then mv "$reg/opendkim.conf.before" "$conf"; elif [ -f "$reg/opendkim.conf.absent" ]; then rm -f "$conf"; fi
rm -f "$db/KeyTable" "$db/SigningTable" "$db/TrustedHosts" "$db/resolver.conf" "$reg/postfix-before" "$reg/opendkim.conf.absent"
rmdir "$db/keys" "$db" 2>/dev/null || true
if [ -n "$group_changed" ]; then
  ${p.restartPostfix} >/dev/null || fail "Postfix did not restart"
elif [ -n "$main_cf_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload"
fi`,
  ]);
}
