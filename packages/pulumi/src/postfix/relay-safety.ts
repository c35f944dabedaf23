import { isIP } from "node:net";
import { addressNumber, parseCidr } from "../validation/networks";

/**
 * Whether a Postfix configuration relays mail for strangers: an open relay,
 * the first thing spammers scan for. The rule reads the effective main.cf
 * parameters (postconf(5)) as Postfix's SMTP server would for a client
 * outside the operator's networks, with no SASL login and no client
 * certificate, asking to relay from one outside address to another
 * (SMTPD_ACCESS_README, "Relay control" and "Getting selective"): every
 * restriction list is evaluated on its own, left to right, until a `permit`,
 * a `reject` or its end (the end permits); mail is relayed only when no list
 * rejects. A `permit` in smtpd_client_restrictions ends that list only.
 */

/** The restriction lists a client's RCPT TO passes, in Postfix's order. */
const LISTS = [
  "smtpd_client_restrictions",
  "smtpd_helo_restrictions",
  "smtpd_sender_restrictions",
  "smtpd_relay_restrictions",
  "smtpd_recipient_restrictions",
] as const;

/** The main.cf parameters the rule reads. */
export const RELAY_PARAMETERS = ["inet_interfaces", "mynetworks", "mynetworks_style", ...LISTS] as const;

/** One parameter the rule reads. */
export type RelayParameter = (typeof RELAY_PARAMETERS)[number];

/**
 * The parameters as Postfix would use them; a missing one is not known (at
 * preview: the host keeps its own value, or Postfix's default).
 */
export type RelayConfig = Partial<Record<RelayParameter, string>>;

/** Why a configuration relays for strangers, and the parameter to fix. */
export interface RelayFinding {
  /** The main.cf parameter at fault. */
  parameter: RelayParameter;
  /** What it allows and how to close it, without the parameter's name. */
  message: string;
}

/**
 * Postfix's default lists (postconf(5), compatibility_level 1 and later):
 * only smtpd_relay_restrictions is set. Before that level the relay check sat
 * in smtpd_recipient_restrictions instead, with the same result for strangers.
 */
const DEFAULT_LISTS: Partial<Record<RelayParameter, string>> = {
  smtpd_relay_restrictions: "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
};

/**
 * Restrictions that stop a stranger relaying to an outside address. `check_relay_domains`
 * is Postfix 2.1's spelling; `defer_if_permit` defers whatever a later step permits.
 */
const BLOCKS = new Set([
  "reject",
  "defer",
  "defer_if_permit",
  "reject_unauth_destination",
  "defer_unauth_destination",
  "check_relay_domains",
]);

const LOOPBACK = new Set(["loopback-only", "localhost", "::1", "[::1]"]);

/** What to do instead, said with each finding. */
const FIX =
  "list only your own networks, or listen on loopback only (inet_interfaces = loopback-only, the guide's send-only shape); a deliberate relay needs allowOpenRelay: true with openRelayReason";

/** The list's words: restrictions and their arguments, as Postfix splits them. */
function words(list: string): string[] {
  return list.split(/[\s,]+/).filter((w) => w !== "");
}

/** True when Postfix listens on loopback addresses only. Postfix's default is `all`. */
export function listensOnLoopbackOnly(inetInterfaces: string | undefined): boolean {
  const names = words(inetInterfaces ?? "all");
  return names.length > 0 && names.every((n) => LOOPBACK.has(n) || (isIP(n) === 4 && n.startsWith("127.")));
}

// ---------------------------------------------------------------- networks

/** A network as an interval of addresses in one family. */
interface Network {
  family: 4 | 6;
  start: bigint;
  /** One past the last address. */
  end: bigint;
  prefix: number;
  text: string;
}

function block(family: 4 | 6, base: bigint, prefix: number, text: string): Network {
  const bits = family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - prefix);
  const start = base & ~(size - 1n);
  return { family, start, end: start + size, prefix, text };
}

/**
 * One mynetworks entry as a network, or undefined for what the rule cannot
 * place (a host name, `$parameter`, a lookup table, a file, a `!` exclusion).
 * An IPv4-mapped IPv6 network (`[::ffff:0.0.0.0]/96`) counts as the IPv4
 * network it maps.
 */
function parseNetwork(entry: string): Network | undefined {
  const cidr = parseCidr(entry.replace(/^\[([^\]]*)\]/, "$1"));
  if (!cidr) return undefined;
  const n = addressNumber(cidr.address);
  const prefix = cidr.prefix ?? (cidr.family === 4 ? 32 : 128);
  if (cidr.family === 6 && prefix >= 96 && n >> 32n === 0xffffn) return block(4, n & 0xffffffffn, prefix - 96, entry);
  return block(cidr.family, n, prefix, entry);
}

/** True when the networks of one family together cover all of its addresses. */
function coversAll(networks: Network[], family: 4 | 6): boolean {
  const all = 1n << BigInt(family === 4 ? 32 : 128);
  let reached = 0n;
  for (const n of networks.filter((x) => x.family === family).sort((a, b) => (a.start < b.start ? -1 : 1))) {
    if (n.start > reached) return false;
    if (n.end > reached) reached = n.end;
  }
  return reached >= all;
}

/** IPv6 unique-local addresses (fc00::/7, RFC 4193): private however large. */
const ULA = block(6, addressNumber("fc00::"), 7, "fc00::/7");

/**
 * The shortest prefixes one operator's own network can have: an IPv4 /8 is
 * 16.7 million addresses (the largest block ever assigned to one holder),
 * an IPv6 /16 is more than any registry allocates.
 */
const SHORTEST = { 4: 8, 6: 16 } as const;

/** What in mynetworks trusts strangers: the whole address space, or a block no operator owns. */
function mynetworksFinding(mynetworks: string): string | undefined {
  const networks = words(mynetworks)
    .map(parseNetwork)
    .filter((n): n is Network => n !== undefined);
  for (const family of [4, 6] as const) {
    if (coversAll(networks, family)) {
      // Named: the entries the coverage needs (a 127.0.0.0/8 beside 0.0.0.0/0 is beside the point).
      const needed = networks.filter((n) => n.family === family);
      for (const n of [...needed]) {
        const without = needed.filter((x) => x !== n);
        if (coversAll(without, family)) needed.splice(needed.indexOf(n), 1);
      }
      const list = needed.map((n) => n.text);
      return `${list.join(", ")} ${list.length === 1 ? "covers" : "together cover"} every IPv${family} address: any client on the internet may relay mail through this host (an open relay, blocklisted within hours); ${FIX}`;
    }
  }
  const broad = networks.find(
    (n) => n.prefix < SHORTEST[n.family] && !(n.family === 6 && n.start >= ULA.start && n.end <= ULA.end),
  );
  if (broad) {
    return `${broad.text} is broader than a /${SHORTEST[broad.family]}, more than any operator's own network: clients all over the internet may relay mail through this host (an open relay); ${FIX}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- restrictions

/** How one list ends for a stranger relaying: its first `permit`, its first block, or its end. */
type ListEnd = { kind: "permit"; word: string } | { kind: "block" } | { kind: "end" };

/**
 * An access check whose table answers OK for everyone (`check_client_access static:OK`): access(5)'s OK
 * permits, like `permit`. What other tables answer is not known here.
 */
const PERMIT_ALL_TABLE = /^static:(ok|permit)$/i;

function evaluate(list: string, mynetworksOpen: boolean): ListEnd {
  let warnOnly = false;
  const all = words(list);
  for (const [i, w] of all.entries()) {
    if (/^check_[a-z_]+_access$/.test(w) && PERMIT_ALL_TABLE.test(all[i + 1] ?? "")) {
      return { kind: "permit", word: `${w} ${all[i + 1]}` };
    }
    if (w === "warn_if_reject") {
      // The next restriction's reject is logged, not applied.
      warnOnly = true;
      continue;
    }
    const softened = warnOnly;
    warnOnly = false;
    if (w === "permit" || (w === "permit_mynetworks" && mynetworksOpen)) return { kind: "permit", word: w };
    if (BLOCKS.has(w) && !softened) return { kind: "block" };
  }
  return { kind: "end" };
}

/**
 * Why `config` makes Postfix relay for strangers: nothing when it listens on
 * loopback only, or when some restriction list rejects them. Parameters not in
 * `config` are taken as Postfix's defaults, except mynetworks, which is then
 * not known (its default comes from the host's own addresses).
 */
export function relayFindings(config: RelayConfig): RelayFinding[] {
  if (listensOnLoopbackOnly(config.inet_interfaces)) return [];
  const findings: RelayFinding[] = [];
  const mynetworks = config.mynetworks === undefined ? undefined : mynetworksFinding(config.mynetworks);
  if (mynetworks) findings.push({ parameter: "mynetworks", message: mynetworks });
  const style = config.mynetworks_style;
  if (config.mynetworks === undefined && (style === "subnet" || style === "class")) {
    findings.push({
      parameter: "mynetworks_style",
      message: `${style} trusts every address on the host's ${style === "class" ? "whole address classes" : "subnets"}, which cannot be known before the host is read (on a hosting network they are other customers' machines); set mynetworks to the networks you trust`,
    });
  }
  const ends = LISTS.map((name) => ({ name, end: evaluate(config[name] ?? DEFAULT_LISTS[name] ?? "", !!mynetworks) }));
  if (ends.some((l) => l.end.kind === "block")) return findings;
  // A permit in smtpd_client_restrictions ends that list only; the relay check is in the others.
  const [permitted] = ends.flatMap(({ name, end }) =>
    end.kind === "permit" && name !== "smtpd_client_restrictions" ? [{ name, word: end.word }] : [],
  );
  // Reached only when mynetworks trusts everyone, which is already a finding.
  if (permitted?.word === "permit_mynetworks") return findings;
  if (permitted) {
    findings.push({
      parameter: permitted.name,
      message: `"${permitted.word}" lets every client through before reject_unauth_destination: any client on the internet may relay mail through this host (an open relay; a plain permit makes current Postfix ignore what follows and its SMTP server refuse to start instead); put reject_unauth_destination (or defer_unauth_destination) before any permit, e.g. "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"`,
    });
  } else {
    findings.push({
      parameter: "smtpd_relay_restrictions",
      message: `neither it nor smtpd_recipient_restrictions rejects relaying (no reject_unauth_destination or defer_unauth_destination reached): any client on the internet may relay mail through this host (an open relay); use Postfix's default "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"`,
    });
  }
  return findings;
}

/** The findings as one text, the same words at preview, in state and from the CLI. */
export function relayFindingsText(findings: RelayFinding[]): string {
  return findings.map((f) => `${f.parameter}: ${f.message}`).join("; ");
}
