/** Where a command writes: standard output for results, standard error for progress and errors. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Prints a command's `--help` text on standard output; returns the exit code, 0. */
export function printHelp(io: Io, help: string): number {
  io.stdout.write(help);
  return 0;
}

/**
 * One status line on standard error, rewritten in place, for operations that
 * take a while. Silent unless standard error is a terminal, so logs and pipes
 * never see it.
 */
export class Progress {
  private shown = false;

  constructor(private readonly io: Io) {}

  /** Replaces the status line with `text`. */
  update(text: string): void {
    if (!this.io.stderr.isTTY) return;
    this.io.stderr.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** Removes the status line (before results or errors are printed). */
  clear(): void {
    if (!this.shown) return;
    this.io.stderr.write("\r\x1b[2K");
    this.shown = false;
  }
}
