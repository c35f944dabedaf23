import type { Io } from "../src/output/io";

/** An {@link Io} that keeps what was written; `tty` makes standard error a terminal. */
export function captureIo(tty = false): Io & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: tty },
    out: () => out,
    err: () => err,
  };
}
