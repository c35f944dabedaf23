/**
 * EMULATOR of illumos digest(1) for the testbed's SmartOS personality,
 * written from the digest(1) man page. Installed as /usr/bin/digest in a
 * test host only.
 *
 * Covers: `digest -l` (algorithms), `digest [-v] -a ALGORITHM [FILE...]`
 * for md5, sha1, sha256, sha384 and sha512: one file (or stdin) prints the
 * bare hex digest, several print `ALGORITHM (FILE) = hex`, as does -v.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { CommandFailure, readStdin, runCli } from "./state";

const ALGORITHMS = ["md5", "sha1", "sha256", "sha384", "sha512"];

runCli((args) => {
  if (args.includes("-l")) {
    process.stdout.write(`${ALGORITHMS.join("\n")}\n`);
    return;
  }
  const at = args.indexOf("-a");
  const algorithm = at >= 0 ? args[at + 1] : undefined;
  if (!algorithm) throw new CommandFailure("usage: digest -l | [-v] -a <algorithm> [file...]", 2);
  if (!ALGORITHMS.includes(algorithm)) throw new CommandFailure(`digest: unknown algorithm -- ${algorithm}`, 2);
  const files = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "-a");
  const verbose = args.includes("-v") || files.length > 1;
  const inputs = files.length > 0 ? files : ["-"];
  let status = 0;
  for (const file of inputs) {
    let data: Buffer;
    try {
      data = file === "-" ? readStdin() : readFileSync(file);
    } catch (err) {
      process.stderr.write(
        `digest: ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (err as Error).message}\n`,
      );
      status = 1;
      continue;
    }
    const hex = createHash(algorithm).update(data).digest("hex");
    process.stdout.write(verbose ? `${algorithm} (${file}) = ${hex}\n` : `${hex}\n`);
  }
  if (status !== 0) throw new CommandFailure("", status);
});
