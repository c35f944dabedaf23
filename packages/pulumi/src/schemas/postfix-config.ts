import { z } from "zod";
import { RELAY_PARAMETERS, type RelayConfig, relayFindings } from "../postfix/relay-safety";
import { mainCfParameters, typedFieldOwning, typedFieldsShape, typedOwnerText } from "../postfix/typed-fields";
import { UNKNOWN } from "../providers/check";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { hasControlChars, mailbox } from "../validation/names";
import { parameterName, parameterValue } from "../validation/postfix-values";

/** Levels that never send a message in clear, so SASL credentials cannot leak. */
const TLS_ALWAYS = new Set(["encrypt", "dane-only", "fingerprint", "verify", "secure"]);

/**
 * What manages a parameter `parameters` must not set, if anything: a typed
 * field, or another resource (set in both, an `up` of one would undo the
 * other's value; a whole milter list would drop OpenDKIM's milter, and mail
 * would leave unsigned).
 */
function managerOf(name: string): string | undefined {
  const typed = typedOwnerText(name);
  if (typed !== undefined) return `the ${typed} field`;
  if (name === "always_bcc") return "MailArchive (a local archive, or remoteAddress)";
  if (["smtpd_milters", "non_smtpd_milters", "milter_protocol", "milter_default_action"].includes(name)) {
    return "OpenDkimKey, which adds its milter to the milter lists and keeps other milters added by hand";
  }
  if (name === "transport_maps") {
    return "RateLimitTransport, which adds its map to the list (transports[].domains), and DeliveryFeedback, which lists its map first";
  }
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
function previewRelayFindings(v: Parameters<typeof mainCfParameters>[0]): { path: string[]; message: string }[] {
  const set = mainCfParameters(v);
  const config: RelayConfig = Object.fromEntries(RELAY_PARAMETERS.filter((k) => k in set).map((k) => [k, set[k]]));
  if (Object.values(config).some((value) => value.includes(UNKNOWN))) return [];
  return relayFindings(config).map((f) => {
    const field = typedFieldOwning(f.parameter);
    return { path: field !== undefined ? [field] : ["parameters", f.parameter], message: f.message };
  });
}

/**
 * zod schema of PostfixConfig's inputs: `check` validates with it, the
 * arguments' type derives from it. The typed main.cf fields come from
 * postfix/typed-fields.ts. Every field but `connection` is optional: unset
 * fields are left alone.
 */
export const postfixConfigSchema = z
  .object({
    /** How to reach the host (a SmartOS zone or any host with Postfix), with its pinned host key. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgsrc paths, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
    profile: platformSchema,
    ...typedFieldsShape,
    /** Where root's (and so postmaster's) mail goes: sets the `root:` alias and runs newaliases. */
    rootAlias: mailbox.optional(),
    /** Any other main.cf parameters, e.g. `{ smtpd_banner: "$myhostname ESMTP" }`. Values reach Postfix literally. */
    parameters: z.record(parameterName, parameterValue).default({}),
    /**
     * DANGEROUS. Lets this host relay mail for anyone: an open relay is found by spammers' scanners within hours
     * and gets the host's address blocklisted. By default preview refuses a configuration that listens beyond
     * loopback and relays for clients outside your own networks (`mynetworks` covering the internet, restriction
     * lists that permit before `reject_unauth_destination`), and create and update refuse one the host's own
     * main.cf would complete. Default false; `true` needs `openRelayReason`, and every run warns.
     */
    allowOpenRelay: z.boolean().default(false),
    /** Why this host must relay for anyone (required with `allowOpenRelay`; shown in every run's warning). */
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
