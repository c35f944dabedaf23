/**
 * EMULATOR of ipf(8) for the testbed's SmartOS personality, written from the
 * ipf(8) man page and the way the ipfilter method uses it (illumos-gate
 * usr/src/cmd/ipf/svc/ipfilter); the model is in ipfilter.ts. Installed as
 * /usr/sbin/ipf in a test host only.
 *
 * Covers: -E (enable) and -D (disable: every rule goes), -I (act on the
 * inactive set), -F a|i|o (flush), -f FILE (load rules; `-` is stdin; a bad
 * line fails with its line number and nothing is loaded), -r (remove the
 * file's rules instead), -n (parse only), -s (swap the active and inactive
 * sets); -v, -y and -6 are accepted and change nothing here.
 */
import { readFileSync } from "node:fs";
import { type IpfState, parseRules, withIpf } from "./ipfilter";
import { CommandFailure, readStdin, runCli } from "./state";

runCli((args) => {
  let inactive = false;
  let remove = false;
  let dryRun = false;
  const steps: ((s: IpfState) => void)[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a === "-") throw new CommandFailure(`ipf: unexpected argument "${a}"`, 1);
    const flags = a.slice(1);
    for (let j = 0; j < flags.length; j++) {
      const f = flags[j];
      const rest = () => (j + 1 < flags.length ? flags.slice(j + 1) : args[++i]);
      switch (f) {
        case "E":
          steps.push((s) => {
            s.enabled = true;
          });
          break;
        case "D":
          steps.push((s) => {
            s.enabled = false;
            s.active = { in: [], out: [] };
            s.inactive = { in: [], out: [] };
          });
          break;
        case "I":
          inactive = true;
          break;
        case "r":
          remove = true;
          break;
        case "n":
          dryRun = true;
          break;
        case "s":
          steps.push((s) => {
            [s.active, s.inactive] = [s.inactive, s.active];
          });
          break;
        case "v":
        case "y":
        case "6":
          break;
        case "F": {
          const which = rest();
          j = flags.length;
          if (!["a", "i", "o"].includes(which ?? "")) throw new CommandFailure(`ipf: bad flush option "${which}"`, 1);
          const into = inactive;
          steps.push((s) => {
            const set = into ? s.inactive : s.active;
            if (which !== "o") set.in = [];
            if (which !== "i") set.out = [];
          });
          break;
        }
        case "f": {
          const file = rest();
          j = flags.length;
          if (!file) throw new CommandFailure("ipf: -f needs a file", 1);
          const text = file === "-" ? readStdin().toString("utf8") : readFileSync(file, "utf8");
          const rules = parseRules(text, file);
          const into = inactive;
          const removing = remove;
          steps.push((s) => {
            const set = into ? s.inactive : s.active;
            for (const r of rules) {
              if (removing) set[r.dir] = set[r.dir].filter((x) => x !== r.rule);
              else set[r.dir].push(r.rule);
            }
          });
          break;
        }
        default:
          throw new CommandFailure(`ipf: option -${f} is not emulated`, 1);
      }
    }
  }
  if (dryRun) return;
  withIpf((s) => {
    for (const step of steps) step(s);
  });
});
