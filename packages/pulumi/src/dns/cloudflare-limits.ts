import { quotedTxt } from "./txt";

/**
 * What Cloudflare refuses at `pulumi up` and the schema therefore refuses at preview: "The Content for each TXT
 * record must be 2,048 characters or less … the sum of their Content characters … must be 8,192 or less"
 * (developers.cloudflare.com/dns/manage-dns-records/reference/dns-record-types/, TXT), names of at most 253
 * characters in labels of at most 63 (…/dns/manage-dns-records/, "Name" field).
 */
export const CLOUDFLARE_LIMITS = { txtContent: 2048, txtPerName: 8192, name: 253 } as const;

/** An issue for the schema's superRefine: the field's path and what is wrong. */
interface LimitIssue {
  path: (string | number)[];
  message: string;
}

/** The parts of the arguments these limits read. */
interface Limited {
  domain: string;
  apexTxt: string[];
  dkim: { selector: string }[];
  adsp: unknown;
  dmarc: unknown;
}

/**
 * Apex TXT values over 2048 characters as sent (quoted strings, see quotedTxt), and all of them with the SPF
 * record (`spf`, its text) over 8192.
 */
export function txtOverLimits(a: Limited, spf: string): LimitIssue[] {
  const issues: LimitIssue[] = [];
  let total = quotedTxt(spf).length;
  a.apexTxt.forEach((t, i) => {
    const sent = quotedTxt(t).length;
    total += sent;
    if (sent > CLOUDFLARE_LIMITS.txtContent) {
      issues.push({
        path: ["apexTxt", i],
        message: `is ${sent} characters as sent (quoted strings of 255); Cloudflare takes at most ${CLOUDFLARE_LIMITS.txtContent} per TXT record`,
      });
    }
  });
  if (total > CLOUDFLARE_LIMITS.txtPerName) {
    issues.push({
      path: ["apexTxt"],
      message: `add up to ${total} characters as sent with the SPF record, over Cloudflare's ${CLOUDFLARE_LIMITS.txtPerName} for all TXT records of ${a.domain}`,
    });
  }
  return issues;
}

/** Record names built from `domain` that are over 253 characters, each under the field that asks for it. */
export function overLongNames(a: Limited): LimitIssue[] {
  const named: { path: (string | number)[]; name: string; fix: string }[] = [
    ...(a.adsp === false ? [] : [{ path: ["adsp"], name: `_adsp._domainkey.${a.domain}`, fix: "set adsp: false" }]),
    ...(a.dmarc === false ? [] : [{ path: ["dmarc"], name: `_dmarc.${a.domain}`, fix: "use a shorter domain" }]),
    ...a.dkim.map((d, i) => ({
      path: ["dkim", i, "selector"],
      name: `${d.selector}._domainkey.${a.domain}`,
      fix: "use a shorter selector",
    })),
  ];
  return named
    .filter(({ name }) => name.length > CLOUDFLARE_LIMITS.name)
    .map(({ path, name, fix }) => ({
      path,
      message: `makes the record name ${name} ${name.length} characters long; DNS and Cloudflare allow ${CLOUDFLARE_LIMITS.name} (${fix})`,
    }));
}
