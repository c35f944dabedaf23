import { type Dns, DnsLookupError } from "../src/check/dns";

/** Records of a fake zone, by query: `TXT name`, `A name`, `AAAA name`, `MX name`, `PTR address`. */
export type FakeZone = Record<string, string[]>;

/**
 * A {@link Dns} answering from `zone`; queries listed in `failing` throw the
 * given resolver code (SERVFAIL, timeout). Every query asked is recorded.
 */
export function fakeDns(zone: FakeZone, failing: Record<string, string> = {}): Dns & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (query: string) => {
    asked.push(query);
    if (failing[query]) throw new DnsLookupError(query, failing[query]);
    return zone[query] ?? [];
  };
  return {
    asked,
    txt: (name) => answer(`TXT ${name}`),
    a: (name) => answer(`A ${name}`),
    aaaa: (name) => answer(`AAAA ${name}`),
    mx: (name) => answer(`MX ${name}`),
    ptr: (address) => answer(`PTR ${address}`),
  };
}
