import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

const sameName = (a: string, b: string) => a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();

/**
 * Forward-confirmed reverse DNS of one address of `mailHost`: its PTR names
 * one host name whose A/AAAA records include the address again. The guide
 * wants that name to be the mail host's own (Postfix's myhostname).
 */
export async function checkAddress(dns: Dns, mailHost: string, address: string): Promise<Finding> {
  const check = `PTR ${address}`;
  const family = address.includes(":") ? "aaaa" : "a";
  const names = await dns.ptr(address);
  if (names.length === 0) {
    return {
      check,
      status: "fail",
      detail: `no PTR record; ask the owner of ${address} to set it to ${mailHost} (many receivers refuse mail without one)`,
    };
  }
  const confirmed: string[] = [];
  for (const name of names) {
    if ((await dns[family](name)).includes(address)) confirmed.push(name);
  }
  const own = confirmed.find((n) => sameName(n, mailHost));
  if (own) return { check, status: "pass", detail: `${own}, which resolves back to ${address}` };
  if (confirmed.length > 0) {
    return {
      check,
      status: "warn",
      detail: `${confirmed[0]} resolves back to ${address}, but it is not ${mailHost}: set the PTR, or Postfix's myhostname, so they match`,
    };
  }
  return {
    check,
    status: "fail",
    detail: `PTR ${names.join(", ")} does not resolve back to ${address} (not forward-confirmed): fix the PTR or the name's ${family.toUpperCase()} record`,
  };
}

/**
 * Reverse DNS of the mail hosts: `mailHost` when given, else the domain's
 * MX hosts. Every A and AAAA address of each must be forward-confirmed.
 */
export async function checkReverseDns(dns: Dns, domain: string, mailHost?: string): Promise<Finding[]> {
  try {
    const hosts = mailHost !== undefined ? [mailHost] : await dns.mx(domain);
    if (hosts.length === 0) {
      return [
        {
          check: "PTR",
          status: "warn",
          detail: `${domain} has no MX to take the mail host from; pass --mail-host (Postfix's myhostname) to check its reverse DNS`,
        },
      ];
    }
    const findings: Finding[] = [];
    for (const host of hosts) {
      const addresses = [...(await dns.a(host)), ...(await dns.aaaa(host))];
      if (addresses.length === 0) {
        findings.push({ check: `PTR ${host}`, status: "fail", detail: `${host} has no A or AAAA record` });
      }
      for (const address of addresses) {
        findings.push(await checkAddress(dns, host, address).catch((err) => lookupFailed(`PTR ${address}`, err)));
      }
    }
    return findings;
  } catch (err) {
    return [lookupFailed("PTR", err)];
  }
}

function lookupFailed(check: string, err: unknown): Finding {
  if (!(err instanceof DnsLookupError)) throw err;
  return { check, status: "fail", detail: `cannot look up ${err.message}` };
}
