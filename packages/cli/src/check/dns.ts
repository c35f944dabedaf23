import { Resolver } from "node:dns/promises";

/** A lookup that failed for a reason other than "no such name" or "no such record" (timeout, SERVFAIL, refused). */
export class DnsLookupError extends Error {
  constructor(
    readonly query: string,
    readonly code: string,
  ) {
    super(`${query}: ${code}`);
    this.name = "DnsLookupError";
  }
}

/**
 * The lookups `check` makes. A name or record that does not exist gives an
 * empty list; any other failure throws {@link DnsLookupError}.
 */
export interface Dns {
  /** TXT records, each record's strings joined as SPF, DKIM and DMARC read them (RFC 7208 3.3). */
  txt(name: string): Promise<string[]>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
  /** MX exchanges, lowest preference first. */
  mx(name: string): Promise<string[]>;
  /** PTR names of an address, without the final dot. */
  ptr(address: string): Promise<string[]>;
}

/** Codes of node's resolver that mean "nothing there", as opposed to "could not find out". */
const EMPTY = new Set(["ENODATA", "ENOTFOUND"]);

/**
 * {@link Dns} through node's resolver: the system's name servers, or
 * `server` (`ADDRESS` or `ADDRESS:PORT`; `[IPv6]:PORT`) when given.
 */
export function resolverDns(server?: string): Dns {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (server !== undefined) resolver.setServers([server]);
  const ask = async <T>(query: string, lookup: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await lookup();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      if (EMPTY.has(code)) return [];
      throw new DnsLookupError(query, code);
    }
  };
  return {
    txt: (name) => ask(`TXT ${name}`, async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""))),
    a: (name) => ask(`A ${name}`, () => resolver.resolve4(name)),
    aaaa: (name) => ask(`AAAA ${name}`, () => resolver.resolve6(name)),
    mx: (name) =>
      ask(`MX ${name}`, async () =>
        (await resolver.resolveMx(name)).sort((x, y) => x.priority - y.priority).map((m) => m.exchange),
      ),
    ptr: (address) =>
      ask(`PTR ${address}`, async () => (await resolver.reverse(address)).map((n) => n.replace(/\.$/, ""))),
  };
}
