import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { shq } from "../../packages/pulumi/dist/remote/shell";
import { type BenchHost, sshCount, sshDelta, sshOptions } from "./hosts";
import type { Sample } from "./ours";
import { mainCfParameters, missingParameters, ROOT_ALIAS, SASL, SASL_MAP } from "./workload";

const GUIDE_SCRIPT = path.resolve(__dirname, "..", "floor", "guide-postfix.sh");

/** The guide's steps for `myhostname` as one script: values first, then guide-postfix.sh. */
export function guideScript(myhostname: string): string {
  const settings = Object.entries(mainCfParameters(myhostname)).map(([k, v]) => shq(`${k}=${v}`));
  return [
    `set -- ${settings.join(" ")}`,
    `SASL_MAP=${shq(SASL_MAP)}`,
    `SASL_KEY=${shq(mainCfParameters(myhostname).relayhost)}`,
    `SASL_LOGIN=${shq(`${SASL.username}:${SASL.password}`)}`,
    `ROOT_ALIAS=${shq(ROOT_ALIAS)}`,
    readFileSync(GUIDE_SCRIPT, "utf8"),
  ].join("\n");
}

/** The least a one-value change can do: that one `postconf -e`, then the reload. */
export function oneChangeScript(myhostname: string): string {
  // Output to /dev/null: see guide-postfix.sh on the reload's background postsuper.
  return `set -eu\npostconf -e ${shq(`myhostname=${myhostname}`)}\npostfix reload >/dev/null 2>&1\n`;
}

/**
 * The floor of a drift check: `postconf -n` read in one SSH session and compared with the parameters
 * as the update left them; drift is any line missing.
 */
export function checkFloor(h: BenchHost, myhostname: string): Sample {
  const { stdout, ...sample } = runFloor(h, "postconf -n", "drift check");
  const missing = missingParameters(stdout, myhostname);
  return {
    ...sample,
    drift: missing.length > 0,
    outcome: missing.length > 0 ? `differs: ${missing.join("; ")}` : "same",
  };
}

/** Runs `script` on the host in one OpenSSH session (`ssh HOST sh -s`), timed from spawn to exit; with its output. */
export function runFloor(h: BenchHost, script: string, what: string): Sample & { stdout: string } {
  const before = [sshCount(h.name)];
  const t0 = performance.now();
  const r = spawnSync("ssh", [...sshOptions(h), `${h.user}@${h.host}`, "sh -s"], {
    input: script,
    encoding: "utf8",
    timeout: 60_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(`floor ${what} on ${h.name} failed (exit ${r.status ?? r.signal}): ${r.stderr.trim()}`);
  }
  return { seconds, ssh: sshDelta(before, [sshCount(h.name)]), outcome: "exit 0", stdout: r.stdout };
}
