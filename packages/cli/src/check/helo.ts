import { isSpfRecord } from "@smartos-mail/pulumi/tools";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

/**
 * SPF at each HELO name: `--mail-host` (Postfix's myhostname, which it says
 * in HELO), else the sending addresses' PTR names. Receivers check the HELO
 * identity (RFC 7208 2.3), and for mail with an empty envelope sender
 * (bounces the host sends) it is the only identity checked (2.4), so a name
 * without an SPF record leaves that mail with none. Missing is a warning: the
 * mail of the domain itself is judged by the domain's record.
 */
export async function checkHeloSpf(dns: Dns, names: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const name of names) {
    const check = `HELO ${name}`;
    let records: string[];
    try {
      records = (await dns.txt(name)).filter(isSpfRecord);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      findings.push({ check, status: "warn", detail: `cannot look up ${err.message}` });
      continue;
    }
    if (records.length === 1) {
      findings.push({ check, status: "pass", detail: `SPF at the HELO name: ${records[0]}` });
    } else if (records.length === 0) {
      findings.push({
        check,
        status: "warn",
        detail: `no SPF record at the HELO name: receivers check it (RFC 7208 2.3), and it is all they can check for bounces (empty envelope sender, 2.4); publish e.g. "v=spf1 a -all" at ${name}`,
      });
    } else {
      findings.push({
        check,
        status: "warn",
        detail: `${records.length} SPF records at the HELO name (permerror, RFC 7208 4.5); keep one, e.g. "v=spf1 a -all"`,
      });
    }
  }
  return findings;
}
