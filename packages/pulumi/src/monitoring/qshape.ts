import { platform } from "../remote/platform";
import { type Script, sh } from "../remote/shell";

/** Postfix queue directories qshape can read (its arguments, relative to `queue_directory`). */
export const qshapeQueues = ["incoming", "active", "deferred", "hold", "maildrop"] as const;
/** A Postfix queue name. */
export type QshapeQueue = (typeof qshapeQueues)[number];

/** What {@link qshapeScript} asks qshape for. Defaults are qshape's own. */
export interface QshapeOptions {
  /** Queues to summarise. Default: qshape's `incoming` and `active`. */
  queues?: readonly QshapeQueue[];
  /** Number of age buckets, the last open-ended (`-b`). Default 10. */
  buckets?: number;
  /** Age limit of the first bucket in minutes; each next bucket doubles it (`-t`). Default 5. */
  bucketMinutes?: number;
  /** Count by sender domain instead of recipient domain (`-s`): one count per message. */
  bySender?: boolean;
}

/** Counts of one row of qshape's table. */
export interface QshapeRow {
  /** Addresses (recipients, or messages with `bySender`) of any age. */
  count: number;
  /** Addresses per age bucket, in the order of {@link QueueShape.bucketsMinutes}. */
  buckets: number[];
}

/** One domain's row. */
export interface QshapeDomainRow extends QshapeRow {
  /** The domain as qshape prints it (lower case; `MAILER-DAEMON` for the null sender with `-s`). */
  domain: string;
  /** True when qshape cut the name to fit its width: `domain` is then `+` and the name's tail. */
  truncated: boolean;
}

/** qshape's table as data. */
export interface QueueShape {
  /**
   * The bucket headings in minutes: each bucket's upper bound (a message
   * younger than 5 minutes counts under 5), except the last, which is
   * open-ended and holds everything at least that old (qshape's `1280+`).
   */
  bucketsMinutes: number[];
  /** The TOTAL row. */
  total: QshapeRow;
  /** One row per domain, in qshape's order: most addresses first. */
  domains: QshapeDomainRow[];
}

/** qshape printed something that is not its table. */
export class QshapeParseError extends Error {
  constructor(
    message: string,
    readonly text: string,
  ) {
    super(`cannot read qshape's output: ${message}`);
    this.name = "QshapeParseError";
  }
}

/**
 * A domain name is at most 253 characters; qshape shortens names that do not
 * fit its width (default 80), so the width asked for leaves room for the
 * longest name beside every count column (each column is at least 3 wide).
 */
function widthFor(buckets: number): number {
  return 253 + 8 * (buckets + 1);
}

function checkOptions(o: QshapeOptions): void {
  if (o.buckets !== undefined && !(Number.isInteger(o.buckets) && o.buckets >= 1 && o.buckets <= 40)) {
    throw new RangeError(`qshape buckets is ${o.buckets}; give a whole number from 1 to 40 (qshape's default is 10)`);
  }
  if (o.bucketMinutes !== undefined && !(Number.isFinite(o.bucketMinutes) && o.bucketMinutes > 0)) {
    throw new RangeError(`qshape bucketMinutes is ${o.bucketMinutes}; give minutes above 0 (qshape's default is 5)`);
  }
  for (const q of o.queues ?? []) {
    if (!(qshapeQueues as readonly string[]).includes(q)) {
      throw new RangeError(`qshape queue "${q}" is not one of ${qshapeQueues.join(", ")}`);
    }
  }
}

/**
 * The remote command that prints qshape's table (the guide's "Qshape"). It
 * needs read access to the queue, so it runs as root (or Postfix's
 * mail_owner). PATH covers pkgsrc (SmartOS) before the system directories
 * (Debian, where qshape comes with the postfix package).
 */
export function qshapeScript(options: QshapeOptions = {}): Script {
  checkOptions(options);
  const buckets = options.buckets ?? 10;
  const args: (string | number)[] = ["-w", widthFor(buckets)];
  if (options.buckets !== undefined) args.push("-b", options.buckets);
  if (options.bucketMinutes !== undefined) args.push("-t", options.bucketMinutes);
  if (options.bySender) args.push("-s");
  const queues = options.queues ?? [];
  return sh`PATH=${platform("smartos").path}; export PATH
command -v qshape >/dev/null 2>&1 || { echo 'qshape is not installed on this host (it comes with Postfix: pkgsrc postfix, Debian postfix)' >&2; exit 127; }
exec qshape ${args} ${[...queues]}`;
}

function numbers(tokens: string[], line: number, text: string): number[] {
  return tokens.map((t) => {
    if (!/^\d+$/.test(t)) throw new QshapeParseError(`line ${line}: "${t}" is not a count`, text);
    return Number(t);
  });
}

/**
 * Reads qshape's table: a heading line (`T 5 10 20 ... 1280 1280+`), then
 * the TOTAL row and one row per domain, each right-aligned with at least one
 * space between columns. Throws {@link QshapeParseError} on anything else.
 */
export function parseQshape(text: string): QueueShape {
  // qshape clears the screen between interim tables when writing to a terminal.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the terminal's control sequences
  const plain = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const lines = plain
    .split(/\r?\n/)
    .map((l, i) => ({ n: i + 1, text: l.trim() }))
    .filter((l) => l.text !== "");
  // With a terminal, interim tables come first; the last heading starts the final one.
  let start = -1;
  lines.forEach((l, i) => {
    if (/^T(\s|$)/.test(l.text)) start = i;
  });
  if (start === -1) throw new QshapeParseError("no heading line starting with T", text);
  const heads = lines[start].text.split(/\s+/).slice(1);
  if (heads.length === 0) throw new QshapeParseError("the heading has no buckets", text);
  const bucketsMinutes = heads.map((h, i) => {
    const open = i === heads.length - 1;
    const m = (open ? /^(\d+(?:\.\d+)?(?:e[-+]?\d+)?)\+$/i : /^(\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i).exec(h);
    if (!m) {
      throw new QshapeParseError(
        `heading "${h}" is not ${open ? "an open-ended bucket such as 1280+" : "a number of minutes"}`,
        text,
      );
    }
    return Number(m[1]);
  });
  const rows = lines.slice(start + 1).map(({ n, text: line }) => {
    const tokens = line.split(/\s+/);
    if (tokens.length < heads.length + 2) {
      throw new QshapeParseError(`line ${n} has ${tokens.length - 1} counts, the heading ${heads.length + 1}`, text);
    }
    const counts = numbers(tokens.slice(-(heads.length + 1)), n, text);
    const domain = tokens.slice(0, -(heads.length + 1)).join(" ");
    const sum = counts.slice(1).reduce((a, b) => a + b, 0);
    if (sum !== counts[0]) {
      throw new QshapeParseError(`line ${n}: the buckets add up to ${sum}, the total says ${counts[0]}`, text);
    }
    return { domain, count: counts[0], buckets: counts.slice(1) };
  });
  if (rows.length === 0 || rows[0].domain !== "TOTAL") {
    throw new QshapeParseError("the first row after the heading is not TOTAL", text);
  }
  const [total, ...domains] = rows;
  return {
    bucketsMinutes,
    total: { count: total.count, buckets: total.buckets },
    domains: domains.map((d) => ({ ...d, truncated: d.domain.startsWith("+") || d.domain.startsWith(".+") })),
  };
}
