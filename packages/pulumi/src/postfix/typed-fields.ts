import { isIP } from "node:net";
import { z } from "zod";
import { type PlatformName, platform } from "../remote/platform";
import { fqdn, hasControlChars, hostnameOrIp, isHostname, tcpPort } from "../validation/names";
import { parseCidr } from "../validation/networks";

/**
 * PostfixConfig's typed main.cf fields, in one table: each field's schema
 * (with the TSDoc the README shows), the main.cf parameters it owns, and how
 * its value becomes postconf values. The resource's schema takes its shape
 * from {@link TYPED_FIELDS}, the check that `parameters` leaves a field's
 * parameters alone reads {@link typedFieldOwning}, and {@link mainCfParameters}
 * turns the inputs into main.cf values. Adding a typed field is one entry here
 * (and its example in test/postfix-typed-fields.test.ts).
 */

// ---------------------------------------------------------------- sub-schemas

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
    /** Relay host name or IP. */
    host: hostnameOrIp,
    /** Relay port (Postfix's default: 25). */
    port: tcpPort.optional(),
    /** Look up MX records for `host` instead of connecting to it directly (no brackets). Default false. */
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
    /** SASL user name. */
    username: z
      .string()
      .regex(/^[^\s:]{1,256}$/, "must be 1..256 characters with no spaces or colons")
      .refine((u) => !hasControlChars(u), { message: "must have no control characters" }),
    /** SASL password; written to a 0600 map on the host through stdin, never a command line. */
    password: z
      .string()
      .min(1, "must not be empty")
      .max(1024, "must be at most 1024 characters")
      .refine((p) => !hasControlChars(p) && p.trim() === p, {
        message: "must have no control characters and no leading or trailing spaces (value not shown)",
      }),
    /** `smtp_sasl_security_options`. Default `["noanonymous"]`, as in the guide. */
    securityOptions: z.array(saslSecurityOption).min(1).default(["noanonymous"]),
    /** Set `smtp_tls_security_level=encrypt` so the password never crosses the network in clear. Default true. */
    requireTls: z.boolean().default(true),
  })
  .strict();

/** smtp_tls_security_level values (postconf(5)). */
const TLS_LEVELS = ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"] as const;

/** One smtp_tls_security_level value. */
export type TlsSecurityLevel = (typeof TLS_LEVELS)[number];

const clientTlsSchema = z
  .object({
    /** `smtp_tls_security_level`: none, may, encrypt, dane, dane-only, fingerprint, verify or secure. */
    securityLevel: z.enum(TLS_LEVELS),
    /** `smtp_dns_support_level`: disabled, enabled or dnssec. Default: dnssec for dane levels, else unset. */
    dnsSupportLevel: z.enum(["disabled", "enabled", "dnssec"]).optional(),
  })
  .strict()
  .refine((t) => !t.securityLevel.startsWith("dane") || (t.dnsSupportLevel ?? "dnssec") === "dnssec", {
    message:
      'must be dnssec for dane: Postfix uses TLSA records only from DNSSEC-validated answers (the guide sets smtp_dns_support_level=dnssec); set dnsSupportLevel: "dnssec" or leave it unset',
    path: ["dnsSupportLevel"],
  });

// ---------------------------------------------------------------- the table

/** What a field's values may depend on besides its own value. */
export interface FieldContext {
  /** The platform profile: where the host keeps its files. */
  profile: PlatformName;
}

/** One typed field: its schema, the parameters it owns, and their postconf values. */
export interface TypedField<S extends z.ZodType = z.ZodType> {
  /** The field's schema, optional: an unset field leaves its parameters alone. */
  readonly schema: S;
  /** The main.cf parameters the field owns: `parameters` must not set them. */
  readonly parameters: readonly string[];
  /**
   * Parameters another field owns that this one also sets, with the sub-field
   * that sets them (the ownership message names both). An entry later in the
   * table wins a parameter both set.
   */
  readonly alsoSets?: Readonly<Record<string, string>>;
  /** The postconf values of a set field: its parameters (and {@link alsoSets}) only. */
  readonly values: (value: NonNullable<z.output<S>>, context: FieldContext) => Record<string, string>;
}

/** A typed field whose value may set several parameters. */
function typed<S extends z.ZodType>(
  schema: S,
  parameters: readonly string[],
  values: TypedField<S>["values"],
  alsoSets?: Record<string, string>,
): TypedField<S> {
  return { schema, parameters, values, ...(alsoSets ? { alsoSets } : {}) };
}

/** A typed field that is one parameter: its value, a list joined with ", " as postconf(5) writes lists. */
function parameter<S extends z.ZodType<string | string[] | undefined>>(name: string, schema: S): TypedField<S> {
  return typed(schema, [name], (value) => ({ [name]: Array.isArray(value) ? value.join(", ") : String(value) }));
}

/** `relayhost` as Postfix reads it: `[host]:port`, or `host:port` with MX lookup; IPv6 with `ipv6:`. */
export function relayhostValue(r: z.output<typeof relayhostSchema>): string {
  const host = isIP(r.host) === 6 ? `ipv6:${r.host}` : r.host;
  const base = r.mxLookup ? host : `[${host}]`;
  return r.port === undefined ? base : `${base}:${r.port}`;
}

/**
 * The typed fields, in the order their parameters are set. The TSDoc on each
 * key is the field's documentation (the README's table and the Args type).
 */
export const TYPED_FIELDS = {
  /** `myhostname`: the name Postfix gives itself; should match the PTR of the sending IP, e.g. `mx.example.com`. */
  myhostname: parameter("myhostname", fqdn.optional()),
  /** `mydomain`; Postfix's default is myhostname minus its first label. */
  mydomain: parameter("mydomain", fqdn.optional()),
  /** `myorigin`; Postfix's default is `$myhostname` (the guide keeps it), many set `$mydomain`. */
  myorigin: parameter(
    "myorigin",
    z
      .string()
      .refine((v) => v === "$myhostname" || v === "$mydomain" || isHostname(v) || /^\/[^\s]+$/.test(v), {
        message: "must be $myhostname, $mydomain, a domain name or an absolute file path",
      })
      .optional(),
  ),
  /** `mynetworks`: clients trusted to relay, e.g. `["$myhostname", "127.0.0.0/8", "[::1]/128"]`. */
  mynetworks: parameter("mynetworks", z.array(networkEntry).min(1, "must list at least one network").optional()),
  /** `inet_interfaces`: `["all"]`, `["loopback-only"]`, or addresses such as `["1.2.3.4", "localhost"]`. */
  inetInterfaces: parameter(
    "inet_interfaces",
    z
      .array(inetInterface)
      .min(1, "must list at least one interface")
      .refine((l) => l.length === 1 || !l.some((i) => i === "all" || i === "loopback-only"), {
        message: "all and loopback-only must stand alone",
      })
      .optional(),
  ),
  /** `relayhost`: send everything through this host. `[host]:port` unless `mxLookup` is true. */
  relayhost: typed(relayhostSchema.optional(), ["relayhost"], (r) => ({ relayhost: relayhostValue(r) })),
  /** Authenticate to the relay host with SASL (needs `relayhost`). The password is kept as a secret. */
  saslRelay: typed(
    saslRelaySchema.optional(),
    ["smtp_sasl_auth_enable", "smtp_sasl_password_maps", "smtp_sasl_security_options"],
    (s, { profile }) => ({
      // The guide writes hash:smtp_passwd, a relative path Postfix resolves
      // against its working directory; the map needs its absolute path.
      smtp_sasl_auth_enable: "yes",
      smtp_sasl_password_maps: `hash:${platform(profile).saslPasswordMap}`,
      smtp_sasl_security_options: s.securityOptions.join(", "),
      // The guide warns the password otherwise crosses the network in clear text.
      ...(s.requireTls ? { smtp_tls_security_level: "encrypt" } : {}),
    }),
    { smtp_tls_security_level: "requireTls" },
  ),
  /**
   * Client TLS for outgoing mail. The guide's choice is opportunistic DANE:
   * `{ securityLevel: "dane" }`, which also sets `smtp_dns_support_level=dnssec`
   * (needed for TLSA records; the host's resolver must validate DNSSEC).
   * `may` is plain opportunistic TLS; `encrypt` and stricter never send in clear.
   */
  clientTls: typed(clientTlsSchema.optional(), ["smtp_tls_security_level", "smtp_dns_support_level"], (t) => {
    const dns = t.dnsSupportLevel ?? (t.securityLevel.startsWith("dane") ? "dnssec" : undefined);
    return { smtp_tls_security_level: t.securityLevel, ...(dns !== undefined ? { smtp_dns_support_level: dns } : {}) };
  }),
};

/** The name of a typed field. */
export type TypedFieldName = keyof typeof TYPED_FIELDS;

/** The typed fields' schemas, keyed (and documented) as in {@link TYPED_FIELDS}: part of the resource's shape. */
export const typedFieldsShape = Object.fromEntries(
  Object.entries(TYPED_FIELDS).map(([name, field]) => [name, field.schema]),
) as { [K in keyof typeof TYPED_FIELDS]: (typeof TYPED_FIELDS)[K]["schema"] };

/** The typed fields' validated values, each optional. */
export type TypedValues = { [K in TypedFieldName]?: z.output<(typeof TYPED_FIELDS)[K]["schema"]> };

const FIELDS = Object.entries(TYPED_FIELDS) as [TypedFieldName, TypedField][];

/** The typed field that owns `parameter` (`parameters` must not set it), if any. */
export function typedFieldOwning(parameter: string): TypedFieldName | undefined {
  return FIELDS.find(([, field]) => field.parameters.includes(parameter))?.[0];
}

/** The owner of `parameter` as the ownership message names it: `clientTls (or saslRelay.requireTls)`. */
export function typedOwnerText(parameter: string): string | undefined {
  const owner = typedFieldOwning(parameter);
  if (owner === undefined) return undefined;
  const others = FIELDS.filter(([, f]) => f.alsoSets !== undefined && Object.hasOwn(f.alsoSets, parameter)).map(
    ([name, f]) => `${name}.${f.alsoSets?.[parameter]}`,
  );
  return others.length > 0 ? `${owner} (or ${others.join(", ")})` : owner;
}

/** The main.cf parameters the inputs ask for, as postconf values: the typed fields', then `parameters`. */
export function mainCfParameters(
  i: TypedValues & FieldContext & { parameters: Record<string, string> },
): Record<string, string> {
  const p: Record<string, string> = {};
  for (const [name, field] of FIELDS) {
    const value = i[name];
    if (value !== undefined) Object.assign(p, field.values(value as never, i));
  }
  return { ...p, ...i.parameters };
}
