import { isIP } from "node:net";

function expandIpv6(address: string): string {
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  const groups = address.includes("::") ? [...left, ...Array(missing).fill("0"), ...right] : left;
  return groups.map((g) => g.padStart(4, "0")).join("");
}

/** The PTR owner name of an address: `7.113.0.203.in-addr.arpa` or the ip6.arpa nibble name. */
export function reverseName(address: string): string {
  if (isIP(address) === 4) return `${address.split(".").reverse().join(".")}.in-addr.arpa`;
  if (isIP(address) === 6) return `${[...expandIpv6(address.toLowerCase())].reverse().join(".")}.ip6.arpa`;
  throw new Error(`${address} is not an IP address`);
}
