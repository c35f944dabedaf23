/** A failure the user can act on: printed as `error: <message>` and `hint: <hint>`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The command line itself is wrong (unknown option, missing value): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, hint, 2);
    this.name = "UsageError";
  }
}
