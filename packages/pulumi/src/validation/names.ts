import { isIP } from "node:net";
import { z } from "zod";

/** True if `v` has an ASCII control character (newline, tab, NUL, DEL, ...). */
export function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for an RFC 1123 host name (letters, digits, hyphens; labels of 1..63; 253 in all). */
export function isHostname(value: string): boolean {
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split(".").every((label) => LABEL.test(label));
}

/** zod: a fully qualified host name, at least two labels, no trailing dot. */
export const fqdn = z.string().refine((v) => isHostname(v) && v.includes(".") && !v.endsWith("."), {
  message: "must be a fully qualified host name such as mx.example.com (letters, digits, hyphens, dots)",
});

/** zod: a host name or a literal IPv4/IPv6 address. */
export const hostnameOrIp = z.string().refine((v) => isIP(v) !== 0 || isHostname(v), {
  message: "must be a host name or an IP address",
});

/** zod: an IPv4 or IPv6 address. */
export const ipAddress = z.string().refine((v) => isIP(v) !== 0, { message: "must be an IPv4 or IPv6 address" });

/** zod: an IPv4 address. */
export const ipv4Address = z
  .string()
  .refine((v) => isIP(v) === 4, { message: "must be an IPv4 address such as 203.0.113.1" });

/** zod: an IPv6 address. */
export const ipv6Address = z
  .string()
  .refine((v) => isIP(v) === 6, { message: "must be an IPv6 address such as 2001:db8::1" });

/** zod: a TCP port. */
export const tcpPort = z
  .number()
  .int("must be a whole number")
  .min(1, "must be a TCP port 1-65535")
  .max(65535, "must be a TCP port 1-65535");

/** zod: one DNS label in lower case, such as a DKIM selector. */
export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "must be one DNS label of lower-case letters, digits and hyphens");

/** zod: a POSIX user name such as root. */
export const posixUserName = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, "must be a POSIX user name such as root");

/** zod: an e-mail address of the plain local@domain form Postfix aliases and maps accept. */
export const mailbox = z
  .string()
  .refine((v) => /^[A-Za-z0-9.!#%&*+/=?^_{|}~-]{1,64}@[^@]+$/.test(v) && isHostname(v.split("@")[1]), {
    message: "must be an address like postmaster@example.com (no spaces, quotes or commas)",
  });

/**
 * An IPv6 address in its RFC 5952 form (section 4: lower-case hex, no leading zeros, the first longest run of two
 * or more zero groups as `::`), which is how Cloudflare stores AAAA content; anything else is returned as given.
 */
export function canonicalIpv6(address: string): string {
  if (isIP(address) !== 6) return address;
  // The WHATWG URL serializer of an IPv6 host is exactly RFC 5952 4.2 (url.spec.whatwg.org, "IPv6 serializer").
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
