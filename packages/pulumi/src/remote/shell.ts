/**
 * The one way values reach a remote shell. Every interpolated value in an
 * {@link sh} template is single-quoted by {@link shq}; only another
 * {@link Script} (itself built by `sh`) is inserted verbatim.
 */

/** A piece of POSIX sh whose interpolated values were all quoted by {@link shq}. */
export class Script {
  /** @param text the shell text; build it with {@link sh}, never by hand. */
  private constructor(readonly text: string) {}

  /** @internal used by {@link sh} and {@link joinScripts} only. */
  static fromTrusted(text: string): Script {
    return new Script(text);
  }

  toString(): string {
    return this.text;
  }
}

/** A value {@link sh} accepts: quoted if a string or number, inserted if a Script, space-joined if a list. */
export type ShellValue = string | number | Script | readonly (string | number | Script)[];

/**
 * Quotes a value as one POSIX sh word. Works in sh, bash and ksh93 (SmartOS's
 * /bin/sh): single quotes, with each embedded quote written as '\''.
 */
export function shq(value: string | number): string {
  const text = String(value);
  if (text.includes("\0")) {
    throw new Error("a NUL byte cannot be passed to a remote shell");
  }
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function render(value: ShellValue): string {
  if (value instanceof Script) return value.text;
  if (Array.isArray(value)) return value.map((v) => render(v)).join(" ");
  return shq(value as string | number);
}

/** Tagged template: `sh\`postconf -e ${"a=b"}\`` gives a Script with every value quoted. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): Script {
  let text = strings[0];
  values.forEach((value, i) => {
    text += render(value) + strings[i + 1];
  });
  return Script.fromTrusted(text);
}

/** Joins scripts with a separator (newline by default). */
export function joinScripts(parts: readonly Script[], separator = "\n"): Script {
  return Script.fromTrusted(parts.map((p) => p.text).join(separator));
}
