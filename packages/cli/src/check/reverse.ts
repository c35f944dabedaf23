import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";
import type { SendingAddress } from "./senders";

const sameName = (a: string, b: string) => a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();

/** One address's reverse DNS: the finding, and the PTR name that resolves back to it (the host's likely HELO name). */
export interface AddressReverse {
  finding: Finding;
  /** The forward-confirmed PTR name, if there is one. */
  name?: string;
}

/**
 * Forward-confirmed reverse DNS of one sending address: its PTR names one
 * host name whose A/AAAA records include the address again. With `mailHost`
 * (Postfix's myhostname, the HELO name) the guide wants that name to be it.
 */
export async function checkAddress(dns: Dns, address: string, mailHost?: string): Promise<AddressReverse> {
  const check = `PTR ${address}`;
  const family = address.includes(":") ? "aaaa" : "a";
  const names = await dns.ptr(address);
  if (names.length === 0) {
    return {
      finding: {
        check,
        status: "fail",
        detail: `no PTR record; ask the owner of ${address} to set it to ${mailHost ?? "the host's name (Postfix's myhostname)"} (many receivers refuse mail without one)`,
      },
    };
  }
  const confirmed: string[] = [];
  for (const name of names) {
    if ((await dns[family](name)).includes(address)) confirmed.push(name);
  }
  if (confirmed.length === 0) {
    return {
      finding: {
        check,
        status: "fail",
        detail: `PTR ${names.join(", ")} does not resolve back to ${address} (not forward-confirmed): fix the PTR or the name's ${family.toUpperCase()} record`,
      },
    };
  }
  const name = (mailHost !== undefined && confirmed.find((n) => sameName(n, mailHost))) || confirmed[0];
  if (mailHost === undefined || sameName(name, mailHost)) {
    return { finding: { check, status: "pass", detail: `${name}, which resolves back to ${address}` }, name };
  }
  return {
    finding: {
      check,
      status: "warn",
      detail: `${name} resolves back to ${address}, but it is not ${mailHost}: set the PTR, or Postfix's myhostname, so they match`,
    },
    name,
  };
}

/**
 * Reverse DNS of every sending address: each must be forward-confirmed, and
 * with `mailHost` name it. Returns the findings and the confirmed PTR names.
 */
export async function checkReverseDns(
  dns: Dns,
  senders: readonly SendingAddress[],
  mailHost?: string,
): Promise<{ findings: Finding[]; names: string[] }> {
  const findings: Finding[] = [];
  const names: string[] = [];
  for (const { address } of senders) {
    try {
      const r = await checkAddress(dns, address, mailHost);
      findings.push(r.finding);
      if (r.name !== undefined && !names.some((n) => sameName(n, r.name ?? ""))) names.push(r.name);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      findings.push({ check: `PTR ${address}`, status: "fail", detail: `cannot look up ${err.message}` });
    }
  }
  return { findings, names };
}
