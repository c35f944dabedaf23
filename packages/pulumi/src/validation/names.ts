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

/** zod: an e-mail address of the plain local@domain form Postfix aliases and maps accept. */
export const mailbox = z
  .string()
  .refine((v) => /^[A-Za-z0-9.!#%&*+/=?^_{|}~-]{1,64}@[^@]+$/.test(v) && isHostname(v.split("@")[1]), {
    message: "must be an address like postmaster@example.com (no spaces, quotes or commas)",
  });
