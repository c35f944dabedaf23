import { z } from "zod";
import { hasControlChars } from "./names";

/** zod: a main.cf parameter name (transport-prefixed names such as smtp-aggr_... included). */
export const parameterName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, "must be a main.cf parameter name: lower-case letters, digits, _ and -");

/**
 * Finds the first `$` in a value that is not Postfix macro syntax: `$$`,
 * `$name`, `${name}`, `$(name)`, or `${name?text}` / `${name:text}` /
 * `${name==value?...}` style conditionals. Returns the offending text or null.
 */
export function badMacro(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== "$") continue;
    const next = value[i + 1];
    if (next === "$") {
      i++;
      continue;
    }
    if (next !== undefined && /[A-Za-z0-9_]/.test(next)) continue;
    const close = next === "(" ? ")" : next === "{" ? "}" : undefined;
    const name = /^[A-Za-z0-9_]+/.exec(value.slice(i + 2))?.[0];
    const after = name ? value[i + 2 + name.length] : undefined;
    const ok =
      close !== undefined &&
      name !== undefined &&
      (after === close || (close === "}" && after !== undefined && /[?:=!]/.test(after)));
    if (!ok) return value.slice(i, i + 12).split(/\s/)[0];
  }
  return null;
}

/**
 * zod: a main.cf parameter value. One line (main.cf is line-based), at most
 * 4096 characters, and `$` only as Postfix macro syntax. Quotes, backticks
 * and spaces are fine: values reach postconf as one quoted shell word.
 */
export const parameterValue = z
  .string()
  .max(4096, "must be at most 4096 characters")
  .refine((v) => !hasControlChars(v), {
    message: "must be one line without control characters (main.cf values cannot contain newlines or tabs)",
  })
  .superRefine((v, ctx) => {
    const bad = badMacro(v);
    if (bad !== null) {
      ctx.addIssue({
        code: "custom",
        message: `has "${bad}", which is not a Postfix parameter reference ($name, \${name} or $(name)); write $$ for a literal $`,
      });
    }
  });
