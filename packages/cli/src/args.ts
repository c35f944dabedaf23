import { isIP } from "node:net";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The option every command has: `-h, --help` prints its help. */
const HELP = { help: { type: "boolean", short: "h" } } as const;

/**
 * `util.parseArgs` for one command, strict, with `-h, --help` added to its
 * options and its errors turned into a {@link UsageError} that points at the
 * command's help.
 */
export function parseCommandLine<T extends Options>(
  command: string,
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T & typeof HELP; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options: { ...options, ...HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs' messages end with advice for the script author ("To specify a positional argument ..."); keep the first sentence.
    const message = (err as Error).message.split(/\. (?=[A-Z])/)[0].replace(/\.$/, "");
    throw new UsageError(message, `see smartos-mail ${command} --help`);
  }
}

/** A number option's value, or undefined when it was not given. */
export function numberOption(
  name: string,
  value: string | undefined,
  rule: { integer?: boolean; min?: number; max?: number; above?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const what = rule.integer ? "a whole number" : "a number";
  if (value.trim() === "" || !Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} is "${value}"; give ${what}`);
  }
  if (rule.above !== undefined && !(n > rule.above))
    throw new UsageError(`--${name} is ${value}; it must be above ${rule.above}`);
  if (rule.min !== undefined && n < rule.min)
    throw new UsageError(`--${name} is ${value}; it must be at least ${rule.min}`);
  if (rule.max !== undefined && n > rule.max)
    throw new UsageError(`--${name} is ${value}; it must be at most ${rule.max}`);
  return n;
}

/** Exactly `count` positional arguments, named in the message when missing. */
export function positionals(command: string, values: string[], names: string[]): string[] {
  if (values.length < names.length) {
    throw new UsageError(
      `${command} needs ${names.map((n) => `<${n}>`).join(" ")}`,
      `see smartos-mail ${command} --help`,
    );
  }
  if (values.length > names.length) {
    throw new UsageError(
      `${command}: unexpected argument "${values[names.length]}"`,
      `see smartos-mail ${command} --help`,
    );
  }
  return values;
}

/** A TCP endpoint written `ADDRESS`, `ADDRESS:PORT` or `[IPv6]:PORT`; the address must be an IP. */
export function ipEndpoint(option: string, value: string): { address: string; port?: number } {
  let address: string | undefined;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(value);
  if (bracketed) [, address, portText] = bracketed;
  else if (isIP(value) === 6) address = value;
  else if (plain) [, address, portText] = plain;
  const port = portText === undefined ? undefined : Number(portText);
  if (address === undefined || isIP(address) === 0 || (port !== undefined && (port < 1 || port > 65535))) {
    throw new UsageError(
      `--${option} is "${value}"; give an IP address, optionally with a port: 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53`,
    );
  }
  return { address, port };
}
