import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** The value the engine sends for inputs not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function isUnknownAt(value: unknown, path: readonly PropertyKey[]): boolean {
  let v = value;
  for (const key of path) {
    if (v === UNKNOWN) return true;
    if (v === null || typeof v !== "object") return false;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v === UNKNOWN;
}

/** Whether `value` holds a value the engine does not know yet (preview). */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).some(containsUnknown);
}

/** A property path as a message names it: `manifest.nics[0].ips`. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/**
 * The issues worth showing for one zod issue. A bad record key carries the key
 * schema's own issues; a union (`{...} | false`) carries each branch's: the
 * branch the value was meant for is the one that got past the type check.
 */
function specific(issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === "invalid_key" && issue.issues[0]) {
    return [{ path: issue.path, message: issue.issues[0].message }];
  }
  if (issue.code === "invalid_union") {
    const branch = issue.errors.find(
      (b) => b.length > 0 && !b.every((i) => i.code === "invalid_type" && i.path.length === 0),
    );
    if (branch) return branch.flatMap((i) => specific({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
  }
  return [{ path: issue.path, message: issue.message }];
}

/**
 * Input keys whose values are secrets: the connection's key and its passphrase
 * and the relay's SASL credentials, which the resources wrap with
 * `pulumi.secret`, and zone metadata, whose values the user may wrap (the
 * provider cannot tell which: the engine strips the secret marks before Check).
 */
const SECRET_KEYS = new Set([
  "privateKey",
  "privateKeyPassword",
  "saslRelay",
  "customer_metadata",
  "internal_metadata",
]);

/** Secret text shorter than this is not looked for in a message: it would match ordinary words. */
const MIN_SECRET_TEXT = 4;

/** A PEM armor word (`-----BEGIN`, `OPENSSH`, `PRIVATE`, `KEY-----`): a key's label, not its secret. */
const ARMOR = /^[A-Z-]+$/;

/**
 * Every string under a {@link SECRET_KEYS} key of `value`, as the pieces a
 * message could echo: the value, trimmed, and each of its words.
 */
function secretTexts(value: unknown, secret = false, out = new Set<string>()): Set<string> {
  if (typeof value === "string" && secret) {
    const words = value.split(/[\s\p{Cc}]+/u).filter((w) => !ARMOR.test(w));
    for (const piece of [value, value.trim(), ...words]) {
      if (piece.length >= MIN_SECRET_TEXT) out.add(piece);
    }
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) secretTexts(v, secret || SECRET_KEYS.has(k), out);
  }
  return out;
}

/** `text` with every secret piece replaced by `[secret]`, as the engine renders a secret value. */
function redact(text: string, secrets: Set<string>): string {
  return [...secrets].sort((a, b) => b.length - a.length).reduce((t, s) => t.replaceAll(s, "[secret]"), text);
}

/**
 * One failure as Check returns it to the engine, shaped for the message the
 * CLI prints. The engine prints a failure with a property as
 * `<type> resource '<name>': property <property> value {<inputs[property]>} has a problem: <reason>`
 * and one without as `<type> resource '<name>' has a problem: <reason>`. It
 * names the property and shows its value itself, so a top-level field goes in
 * `property` and `reason` is the bare message (repeating the field there made
 * the CLI show it twice). The engine looks the value up by the top-level key
 * only: a nested path (`relayhost.port`, `transports[0].name`) as the property
 * would print `value {<nil>}`, so a nested failure has no property and its
 * reason names the path, `<path>: <message>`. A failure of the inputs as a
 * whole (an unknown key) is the message alone. The engine renders secret
 * values as `[secret]`; the reason never holds one (see {@link redact}).
 */
function failureOf(path: readonly PropertyKey[], message: string, secrets: Set<string>): pulumi.dynamic.CheckFailure {
  const reason = redact(message, secrets);
  if (path.length === 0) return { property: "", reason };
  if (path.length === 1 && typeof path[0] === "string") return { property: path[0], reason };
  return { property: "", reason: `${pathText(path)}: ${reason}` };
}

/**
 * A failure as one line, `<field>: <message>` when it names a top-level field:
 * what an error thrown outside the engine (a component's constructor) says.
 */
export function failureText(failure: pulumi.dynamic.CheckFailure): string {
  return failure.property ? `${failure.property}: ${failure.reason}` : failure.reason;
}

/**
 * The `check` hook of every provider: validates `news` with the resource's
 * zod schema. Each failure names the field and how to fix it, shaped for the
 * CLI's message (see {@link failureOf}). Values unknown during preview are not
 * judged. Nothing runs on any host.
 */
export function checkWithSchema(
  schema: z.ZodType,
  news: Record<string, unknown>,
  providerKey = "__provider",
): pulumi.dynamic.CheckResult {
  const { [providerKey]: _provider, ...inputs } = news;
  const parsed = schema.safeParse(inputs);
  if (parsed.success) {
    return { inputs: { ...(parsed.data as Record<string, unknown>) } };
  }
  const secrets = secretTexts(inputs);
  const failures = parsed.error.issues
    .flatMap(specific)
    .filter((issue) => !isUnknownAt(inputs, issue.path))
    .map((issue) => failureOf(issue.path, issue.message, secrets));
  if (failures.length === 0 && containsUnknown(inputs)) {
    return { inputs };
  }
  return { inputs, failures };
}
