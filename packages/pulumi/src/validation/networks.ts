import { isIP } from "node:net";

/** An IP address with an optional prefix length, as written: `192.0.2.0/24`, `2001:db8::/32`, `192.0.2.1`. */
export interface Cidr {
  /** 4 or 6. */
  family: 4 | 6;
  /** The address part, as written. */
  address: string;
  /** The prefix length, when one was written (at most 32 for IPv4, 128 for IPv6). */
  prefix?: number;
}

/** `ADDRESS` or `ADDRESS/PREFIX` with a prefix the family allows; undefined for anything else (host names too). */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefix, ...rest] = text.split("/");
  const found = isIP(address);
  if (rest.length > 0 || found === 0) return undefined;
  const family = found === 4 ? 4 : 6;
  if (prefix === undefined) return { family, address };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return undefined;
  return { family, address, prefix: Number(prefix) };
}

/** The 32 hex digits of an IPv6 address, every group written out (an IPv4 tail, `::ffff:192.0.2.1`, as its two groups). */
export function expandIpv6(address: string): string {
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (v4Tail) {
    const [a, b, c, d] = v4Tail[1].split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
    text = `${address.slice(0, -v4Tail[1].length)}${a}${b}:${c}${d}`;
  }
  const [head, tail = ""] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = text.includes("::") && tail ? tail.split(":") : [];
  const groups = text.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return groups.map((g) => g.padStart(4, "0")).join("");
}

/** An IPv4 address as its 32-bit number, an IPv6 address as its 128-bit number. */
export function addressNumber(address: string): bigint {
  if (isIP(address) === 4) return address.split(".").reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  return BigInt(`0x${expandIpv6(address)}`);
}
