import { isDmarcRecord, parseDmarcRecord } from "@smartos-mail/pulumi/tools";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

/** DMARC at `_dmarc.<domain>`: one valid record, its policy and where aggregate reports go. */
export async function checkDmarc(dns: Dns, domain: string): Promise<Finding[]> {
  const check = "DMARC";
  const name = `_dmarc.${domain}`;
  let records: string[];
  try {
    records = (await dns.txt(name)).filter(isDmarcRecord);
  } catch (err) {
    if (!(err instanceof DnsLookupError)) throw err;
    return [{ check, status: "fail", detail: `cannot look up ${err.message}` }];
  }
  if (records.length === 0) {
    return [
      {
        check,
        status: "warn",
        detail: `no record at ${name}; large receivers expect one: start with "v=DMARC1; p=none; rua=mailto:postmaster@${domain}"`,
      },
    ];
  }
  if (records.length > 1) {
    return [
      {
        check,
        status: "fail",
        detail: `${records.length} DMARC records at ${name}; receivers then apply none (RFC 7489 6.6.3): keep one`,
      },
    ];
  }
  const parsed = parseDmarcRecord(records[0]);
  if (parsed.errors.length > 0 || parsed.dmarc === undefined) {
    return [{ check, status: "fail", detail: `${records[0]} -- ${parsed.errors.join("; ")}` }];
  }
  const { p, rua } = parsed.dmarc;
  const notes: string[] = [];
  let status: Finding["status"] = "pass";
  if (p === "none")
    notes.push("p=none reports only; move to quarantine or reject once reports show no false positives");
  else notes.push(`p=${p}`);
  if (rua === undefined) {
    status = "warn";
    notes.push("no rua: nobody receives aggregate reports; add rua=mailto:postmaster@<domain>");
  } else {
    notes.push(`reports to ${rua.join(", ")}`);
  }
  if (parsed.problems.length > 0) {
    status = "warn";
    notes.push(...parsed.problems);
  }
  if (parsed.unknownTags.length > 0) notes.push(`unknown tags ignored: ${parsed.unknownTags.join(", ")}`);
  return [{ check, status, detail: `${records[0]} -- ${notes.join("; ")}` }];
}
