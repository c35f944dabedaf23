import { SPF_LOOKUP_TERMS, type SpfMechanism, type SpfMechanismInput, spfMechanism, spfQualifier } from "./spf";

/** The mechanism names of SPF (RFC 7208 5). */
export type SpfMechanismName = "all" | "include" | "a" | "mx" | "ptr" | "ip4" | "ip6" | "exists";

/** One mechanism of a published SPF record. */
export interface ParsedSpfMechanism {
  /** The term as written. */
  text: string;
  /** `+` pass (the default), `-` fail, `~` softfail, `?` neutral. */
  qualifier: "+" | "-" | "~" | "?";
  /** The mechanism, lower case. */
  type: SpfMechanismName;
  /** The domain-spec of a, mx, ptr, include and exists (absent: the domain being checked), or the network of ip4/ip6. */
  target?: string;
  /** A prefix length as written, e.g. `/24`, or the dual form of a and mx (`/24//64`). */
  cidr?: string;
  /** True when `target` holds SPF macros (`%{i}`): what it names is known only while a message is checked. */
  macro: boolean;
  /** The same mechanism as the library's SPF builder types it, when the builder can write it. */
  mechanism?: SpfMechanism;
}

/** A published SPF record read into its terms. */
export interface ParsedSpf {
  /** Mechanisms, in evaluation order. */
  mechanisms: ParsedSpfMechanism[];
  /** The `redirect=` modifier's domain-spec. */
  redirect?: string;
  /** The `exp=` modifier's domain-spec. */
  exp?: string;
  /** Modifiers other than redirect and exp, which evaluation ignores. */
  otherModifiers: { name: string; value: string }[];
  /** Syntax errors; any of them makes the record a permerror (RFC 7208 4.6). */
  errors: string[];
  /** Legal but ill-advised terms, each with the reason. */
  warnings: string[];
  /** DNS lookups the record's own terms cost (RFC 7208 4.6.4), without those of its includes and redirect. */
  lookups: number;
}

const MECHANISMS: ReadonlySet<string> = new Set(["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"]);

/** True for TXT text that is an SPF record: it starts with `v=spf1` and a space, or is only that (RFC 7208 4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

/** The library's own validation of a mechanism: its first issue, or undefined when valid. */
function schemaIssue(input: SpfMechanismInput): string | undefined {
  const r = spfMechanism.safeParse(input);
  return r.success ? undefined : r.error.issues[0]?.message;
}

/** A domain-spec checked by the same rule as every domain mechanism of the builder; a final dot is allowed. */
function domainIssue(domain: string): string | undefined {
  return schemaIssue({ type: "include", domain: domain.endsWith(".") ? domain.slice(0, -1) : domain });
}

function parseMechanism(term: string, errors: string[]): ParsedSpfMechanism | undefined {
  const m = /^([-+~?]?)([A-Za-z][A-Za-z0-9_.-]*)(.*)$/.exec(term);
  const type = m?.[2].toLowerCase();
  if (!m || type === undefined || !MECHANISMS.has(type)) {
    errors.push(`${term}: unknown mechanism (SPF has all, include, a, mx, ptr, ip4, ip6, exists)`);
    return undefined;
  }
  const qualifier = spfQualifier.parse(m[1] || "+");
  const rest = m[3];
  const base = { text: term, qualifier, type: type as SpfMechanismName, macro: false };
  const fail = (why: string) => {
    errors.push(`${term}: ${why}`);
    return undefined;
  };
  switch (type) {
    case "all":
      if (rest !== "") return fail("all takes no argument");
      return { ...base, mechanism: { type: "all", qualifier } };
    case "include":
    case "exists":
    case "ptr": {
      if (rest === "" && type === "ptr") return base;
      if (!rest.startsWith(":") || rest.length === 1) return fail(`${type} needs a domain, e.g. ${type}:example.com`);
      const target = rest.slice(1);
      if (target.includes("%")) return { ...base, target, macro: true };
      const issue = domainIssue(target);
      if (issue) return fail(issue);
      return type === "ptr"
        ? { ...base, target }
        : { ...base, target, mechanism: { type, domain: target.replace(/\.$/, ""), qualifier } };
    }
    case "a":
    case "mx": {
      const parts = /^(?::([^/]*))?((?:\/(\d+))?(?:\/\/(\d+))?)$/.exec(rest);
      if (!parts) return fail(`${type} is written ${type}, ${type}:domain, or either with /prefix or //prefix6`);
      const [, target, cidr, v4, v6] = parts;
      if (target === "") return fail(`${type}: the domain after ":" is empty`);
      if ((v4 !== undefined && Number(v4) > 32) || (v6 !== undefined && Number(v6) > 128)) {
        return fail("prefix length out of range (IPv4 at most /32, IPv6 at most //128)");
      }
      const parsed = { ...base, target, cidr: cidr || undefined };
      if (target?.includes("%")) return { ...parsed, macro: true };
      if (target !== undefined) {
        const issue = domainIssue(target);
        if (issue) return fail(issue);
      }
      if (cidr) return parsed;
      const domain = target?.replace(/\.$/, "");
      return { ...parsed, mechanism: { type, qualifier, ...(domain === undefined ? {} : { domain }) } };
    }
    default: {
      // ip4, ip6
      if (!rest.startsWith(":"))
        return fail(`${type} needs a network, e.g. ${type}:${type === "ip4" ? "192.0.2.0/24" : "2001:db8::/32"}`);
      const value = rest.slice(1);
      const input = { type: type as "ip4" | "ip6", value, qualifier };
      const issue = schemaIssue(input);
      if (issue) return fail(issue);
      const slash = value.indexOf("/");
      return {
        ...base,
        target: slash === -1 ? value : value.slice(0, slash),
        cidr: slash === -1 ? undefined : value.slice(slash),
        mechanism: input,
      };
    }
  }
}

/**
 * Reads the text of a published SPF record (RFC 7208 4.6, 12): mechanisms
 * with their qualifiers, the redirect and exp modifiers, the record's own
 * DNS lookup count, syntax errors and ill-advised terms. Mechanisms the
 * library's builder can write are checked by its own rules and come back
 * typed as well. Nothing is looked up.
 */
export function parseSpfRecord(text: string): ParsedSpf {
  const out: ParsedSpf = { mechanisms: [], otherModifiers: [], errors: [], warnings: [], lookups: 0 };
  if (!isSpfRecord(text)) {
    out.errors.push("does not start with v=spf1");
    return out;
  }
  for (const term of text
    .slice(6)
    .split(" ")
    .filter((t) => t !== "")) {
    const modifier = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/.exec(term);
    if (modifier) {
      const name = modifier[1].toLowerCase();
      const value = modifier[2];
      if (name === "redirect" || name === "exp") {
        if (out[name] !== undefined) out.errors.push(`${term}: ${name} appears twice (RFC 7208 6)`);
        else if (value === "") out.errors.push(`${term}: ${name} needs a domain`);
        else if (!value.includes("%") && domainIssue(value)) out.errors.push(`${term}: ${domainIssue(value)}`);
        else out[name] = value;
      } else {
        out.otherModifiers.push({ name, value });
      }
      continue;
    }
    const mechanism = parseMechanism(term, out.errors);
    if (mechanism) out.mechanisms.push(mechanism);
  }
  const allAt = out.mechanisms.findIndex((m) => m.type === "all");
  if (allAt !== -1 && allAt < out.mechanisms.length - 1) {
    out.warnings.push(`${out.mechanisms[allAt + 1].text} and what follows come after all and are never evaluated`);
  }
  if (allAt !== -1 && out.redirect !== undefined) {
    out.warnings.push(`redirect=${out.redirect} is ignored: the record has an all mechanism (RFC 7208 6.1)`);
  }
  for (const m of out.mechanisms.filter((x) => x.type === "ptr")) {
    out.warnings.push(`${m.text}: RFC 7208 5.5 says ptr should not be used (slow, unreliable; many receivers skip it)`);
  }
  out.lookups =
    out.mechanisms.filter((m) => SPF_LOOKUP_TERMS.has(m.type)).length +
    (out.redirect !== undefined && allAt === -1 ? 1 : 0);
  return out;
}
