import { z } from "zod";

/**
 * zod: an absolute path that reaches a remote shell and crontab as it is:
 * letters, digits, `.`, `_` and `-` in each part, no `.` or `..` parts.
 */
export const absolutePath = z
  .string()
  .refine((v) => /^(\/[A-Za-z0-9._-]+)+$/.test(v) && !v.split("/").some((part) => part === "." || part === ".."), {
    message:
      "must be an absolute path of letters, digits, '.', '_' and '-' with no . or .. parts, e.g. /var/log/maillog",
  });
