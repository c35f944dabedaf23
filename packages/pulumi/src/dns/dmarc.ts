import { z } from "zod";
import { mailbox } from "../validation/names";

const policy = z.enum(["none", "quarantine", "reject"]);
const alignment = z.enum(["r", "s"]);

/** A DMARC report URI: `mailto:` an address, optionally with a size limit such as `!10m` (RFC 7489 6.2). */
const reportUri = z
  .string()
  .refine((v) => /^mailto:[^!]+(![0-9]+[kmgt]?)?$/.test(v) && mailbox.safeParse(v.slice(7).split("!")[0]).success, {
    message: "must be mailto:address (optionally with a size limit such as !10m), e.g. mailto:dmarc@example.com",
  });

/**
 * zod schema of a DMARC policy record's tags (RFC 7489 6.3). `v=DMARC1` is
 * always written first. Defaults follow the guide: `p=none` with aggregate
 * reports to postmaster (rua is filled in by the caller, who knows the domain).
 */
export const dmarcSchema = z
  .object({
    /**
     * What receivers do with mail from the domain that fails DMARC: `none` (only report; default, as the
     * guide starts), `quarantine` (treat as suspicious, e.g. the spam folder) or `reject`.
     */
    p: policy.default("none"),
    /** The policy for subdomains (`none`, `quarantine` or `reject`). Default: receivers apply `p`. */
    sp: policy.optional(),
    /** Percentage (0-100) of failing mail the policy applies to, for a gradual move to it. Default: receivers use 100. */
    pct: z.number().int().min(0).max(100).optional(),
    /**
     * Where aggregate (daily) reports go: `mailto:` URIs, each optionally with a size limit such as `!10m`
     * (RFC 7489 6.2). Default here: `mailto:postmaster@<domain>`, as in the guide.
     */
    rua: z.array(reportUri).min(1).optional(),
    /** Where failure (per-message) reports go, `mailto:` URIs as in `rua`. Default: none asked for. */
    ruf: z.array(reportUri).min(1).optional(),
    /** DKIM alignment: `r` relaxed (the signing domain may be a subdomain of From:'s; receivers' default) or `s` strict (the same domain). */
    adkim: alignment.optional(),
    /** SPF alignment: `r` relaxed (the envelope sender's domain may be a subdomain of From:'s; receivers' default) or `s` strict (the same domain). */
    aspf: alignment.optional(),
    /** Format of failure reports: `afrf` (receivers' default) or `iodef`. */
    rf: z.enum(["afrf", "iodef"]).optional(),
    /** Interval asked for between aggregate reports, in seconds (1..4294967295). Default: receivers use 86400 (a day). */
    ri: z.number().int().min(1).max(4294967295).optional(),
    /**
     * When failure reports are sent, options written colon-separated: `0` when both SPF and DKIM fail to
     * give an aligned pass (receivers' default), `1` when either does, `d` when a DKIM signature fails to
     * verify, `s` when SPF fails. Each at most once; needs `ruf`.
     */
    fo: z
      .array(z.enum(["0", "1", "d", "s"]))
      .min(1)
      .refine((l) => new Set(l).size === l.length, { message: "must not repeat an option" })
      .optional(),
  })
  .strict()
  .refine((d) => d.fo === undefined || d.ruf !== undefined, {
    message: "only matters with ruf (failure reports); add ruf or drop fo",
    path: ["fo"],
  });

/** Validated DMARC tags. */
export type Dmarc = z.output<typeof dmarcSchema>;

/** The DMARC record text, e.g. `v=DMARC1; p=none; rua=mailto:postmaster@example.com`. */
export function dmarcRecord(d: Dmarc): string {
  const tags: string[] = ["v=DMARC1", `p=${d.p}`];
  if (d.sp !== undefined) tags.push(`sp=${d.sp}`);
  if (d.pct !== undefined) tags.push(`pct=${d.pct}`);
  if (d.rua !== undefined) tags.push(`rua=${d.rua.join(",")}`);
  if (d.ruf !== undefined) tags.push(`ruf=${d.ruf.join(",")}`);
  if (d.adkim !== undefined) tags.push(`adkim=${d.adkim}`);
  if (d.aspf !== undefined) tags.push(`aspf=${d.aspf}`);
  if (d.rf !== undefined) tags.push(`rf=${d.rf}`);
  if (d.ri !== undefined) tags.push(`ri=${d.ri}`);
  if (d.fo !== undefined) tags.push(`fo=${d.fo.join(":")}`);
  return tags.join("; ");
}
