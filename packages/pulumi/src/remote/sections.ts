import { type Script, sh } from "./shell";

const MARK = "@@smartos-mail-section:";

/**
 * Prints a named section marker then runs `body`, so one remote command can
 * return several outputs that {@link parseSections} splits apart again.
 */
export function section(name: string, body: Script): Script {
  return sh`printf '%s\n' ${`${MARK}${name}@@`}
${body}`;
}

/** Splits a command's stdout into the sections {@link section} printed. */
export function parseSections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current: string | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith(MARK) && line.endsWith("@@")) {
      current = line.slice(MARK.length, -2);
      out[current] = "";
    } else if (current !== undefined) {
      out[current] += `${line}\n`;
    }
  }
  return out;
}
