import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

const HISTORIC = "ADSP (RFC 5617) has been Historic since 2013 and receivers ignore it; DMARC replaces it";

/** ADSP at `_adsp._domainkey.<domain>`: reported as a note either way, since nothing acts on it any more. */
export async function checkAdsp(dns: Dns, domain: string): Promise<Finding[]> {
  const check = "ADSP";
  const name = `_adsp._domainkey.${domain}`;
  let records: string[];
  try {
    records = await dns.txt(name);
  } catch (err) {
    if (!(err instanceof DnsLookupError)) throw err;
    return [{ check, status: "info", detail: `cannot look up ${err.message}; ${HISTORIC}` }];
  }
  if (records.length === 0) return [{ check, status: "info", detail: `not published (fine: ${HISTORIC})` }];
  const valid = records.filter((r) => /^\s*dkim\s*=\s*(unknown|all|discardable)\s*(;.*)?$/i.test(r));
  if (valid.length !== records.length) {
    return [
      {
        check,
        status: "warn",
        detail: `${records.join(" | ")}: not dkim=unknown|all|discardable; fix or remove it (${HISTORIC})`,
      },
    ];
  }
  return [{ check, status: "info", detail: `${records.join(" | ")} published; ${HISTORIC}` }];
}
