import { isIP } from "node:net";
import { expandIpv6 } from "../validation/networks";

/** The PTR owner name of an address: `7.113.0.203.in-addr.arpa` or the ip6.arpa nibble name. */
export function reverseName(address: string): string {
  if (isIP(address) === 4) return `${address.split(".").reverse().join(".")}.in-addr.arpa`;
  if (isIP(address) === 6) return `${[...expandIpv6(address.toLowerCase())].reverse().join(".")}.ip6.arpa`;
  throw new Error(`${address} is not an IP address`);
}
