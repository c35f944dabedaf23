import { z } from "zod";
import { parseCidr } from "../validation/networks";

/** SPF qualifiers (RFC 7208 4.6.2): pass, fail, softfail, neutral. */
export const spfQualifier = z.enum(["+", "-", "~", "?"]);

/** A domain in an SPF term: host-name labels, where underscores are allowed (`_spf.google.com`). */
const domainSpec = z
  .string()
  .refine(
    (v) =>
      v.length <= 253 &&
      v.split(".").every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
      v.includes("."),
    {
      message: "must be a domain name such as _spf.example.com",
    },
  );

function cidrOk(v: string, family: 4 | 6): boolean {
  return parseCidr(v)?.family === family;
}

/**
 * One SPF mechanism. `all` defaults to `-` (the guide: every record should
 * end in -all); the others default to `+`, SPF's own default. `ptr` is not
 * offered: RFC 7208 says it SHOULD NOT be used, and the guide agrees.
 */
export const spfMechanism = z.discriminatedUnion("type", [
  z
    .object({
      /** `ip4`: matches when the sender's address is in `value`. */
      type: z.literal("ip4"),
      /**
       * The address or CIDR range the mechanism matches: IPv4 for `ip4` (e.g. `192.0.2.0/24`), IPv6 for `ip6`
       * (e.g. `2001:db8::/32`).
       */
      value: z
        .string()
        .refine((v) => cidrOk(v, 4), { message: "must be an IPv4 address or CIDR such as 192.0.2.0/24" }),
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `ip6`: matches when the sender's address is in `value`. */
      type: z.literal("ip6"),
      /**
       * The address or CIDR range the mechanism matches: IPv4 for `ip4` (e.g. `192.0.2.0/24`), IPv6 for `ip6`
       * (e.g. `2001:db8::/32`).
       */
      value: z
        .string()
        .refine((v) => cidrOk(v, 6), { message: "must be an IPv6 address or CIDR such as 2001:db8::/32" }),
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `a`: matches when the sender's address is one of `domain`'s A/AAAA addresses (a DNS lookup). */
      type: z.literal("a"),
      /**
       * The domain the mechanism queries, e.g. `_spf.google.com` (no macros): required for `include` and
       * `exists`; for `a` and `mx`, default the domain being checked.
       */
      domain: domainSpec.optional(),
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `mx`: matches when the sender's address is one of the addresses of `domain`'s MX hosts (a DNS lookup). */
      type: z.literal("mx"),
      /**
       * The domain the mechanism queries, e.g. `_spf.google.com` (no macros): required for `include` and
       * `exists`; for `a` and `mx`, default the domain being checked.
       */
      domain: domainSpec.optional(),
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `include`: matches when `domain`'s own SPF record passes the sender (a DNS lookup, plus those that record needs). */
      type: z.literal("include"),
      /**
       * The domain the mechanism queries, e.g. `_spf.google.com` (no macros): required for `include` and
       * `exists`; for `a` and `mx`, default the domain being checked.
       */
      domain: domainSpec,
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `exists`: matches when `domain` has an A record (a DNS lookup). */
      type: z.literal("exists"),
      /**
       * The domain the mechanism queries, e.g. `_spf.google.com` (no macros): required for `include` and
       * `exists`; for `a` and `mx`, default the domain being checked.
       */
      domain: domainSpec,
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("+"),
    })
    .strict(),
  z
    .object({
      /** `all`: matches every sender, so it comes last (`ptr` is not offered: RFC 7208 says it SHOULD NOT be used). */
      type: z.literal("all"),
      /**
       * The result when the mechanism matches: `+` pass, `-` fail, `~` softfail, `?` neutral (RFC 7208 4.6.2).
       * Default `+`, SPF's own; `-` for `all`, as the guide recommends.
       */
      qualifier: spfQualifier.default("-"),
    })
    .strict(),
]);

/** A validated SPF mechanism. */
export type SpfMechanism = z.output<typeof spfMechanism>;
/** An SPF mechanism as written by a user (qualifier optional). */
export type SpfMechanismInput = z.input<typeof spfMechanism>;

/**
 * Terms that cost a DNS lookup (RFC 7208 4.6.4): these mechanisms (`ptr`
 * too, though it is not offered here) and the `redirect` modifier.
 */
export const SPF_LOOKUP_TERMS: ReadonlySet<string> = new Set(["a", "mx", "include", "exists", "ptr", "redirect"]);
/** Lookup terms one SPF evaluation may use, includes and redirects followed (RFC 7208 4.6.4). */
export const SPF_MAX_LOOKUPS = 10;

/** zod schema of an SPF policy: mechanisms in order, ending in exactly one `all`, at most 10 lookups. */
export const spfSchema = z
  .object({
    /**
     * The mechanisms, in evaluation order; the last must be `{ type: "all" }`, e.g.
     * `[{ type: "mx" }, { type: "include", domain: "_spf.google.com" }, { type: "all" }]`.
     */
    mechanisms: z.array(spfMechanism).min(1, 'must list at least { type: "all" }'),
  })
  .strict()
  .superRefine((spf, ctx) => {
    const m = spf.mechanisms;
    const allAt = m.findIndex((x) => x.type === "all");
    if (allAt === -1) {
      ctx.addIssue({
        code: "custom",
        path: ["mechanisms"],
        message: 'must end with { type: "all" } (-all, as the guide recommends); without it the record allows anyone',
      });
    } else if (allAt !== m.length - 1) {
      ctx.addIssue({
        code: "custom",
        path: ["mechanisms", allAt + 1],
        message: "comes after all, so it can never match; put all last",
      });
    }
    const lookups = m.filter((x) => SPF_LOOKUP_TERMS.has(x.type)).length;
    if (lookups > SPF_MAX_LOOKUPS) {
      ctx.addIssue({
        code: "custom",
        path: ["mechanisms"],
        message: `need ${lookups} DNS lookups; SPF allows ${SPF_MAX_LOOKUPS} (RFC 7208 4.6.4), replace a, mx or include with ip4/ip6`,
      });
    }
  });

/** A validated SPF policy. */
export type Spf = z.output<typeof spfSchema>;

function term(m: SpfMechanism): string {
  const q = m.qualifier === "+" ? "" : m.qualifier;
  switch (m.type) {
    case "ip4":
    case "ip6":
      return `${q}${m.type}:${m.value}`;
    case "a":
    case "mx":
      return m.domain === undefined ? `${q}${m.type}` : `${q}${m.type}:${m.domain}`;
    case "include":
    case "exists":
      return `${q}${m.type}:${m.domain}`;
    case "all":
      return `${q}all`;
  }
}

/** The SPF record text, e.g. `v=spf1 mx include:_spf.google.com -all`. */
export function spfRecord(spf: Spf): string {
  return ["v=spf1", ...spf.mechanisms.map(term)].join(" ");
}
