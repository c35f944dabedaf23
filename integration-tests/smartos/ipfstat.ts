/**
 * EMULATOR of ipfstat(8) for the testbed's SmartOS personality: `-i` lists
 * the active inbound rules, `-o` the outbound ones (`-io` both, outbound
 * first), one per line as ipf's printfr prints them, or
 * "empty list for ipfilter(in)" when there are none. The model is in
 * ipfilter.ts. Installed as /usr/sbin/ipfstat in a test host only.
 */
import { withIpf } from "./ipfilter";
import { CommandFailure, runCli } from "./state";

runCli((args) => {
  const flags = args.join("").replaceAll("-", "");
  if (!/^[io]+$/.test(flags)) throw new CommandFailure("ipfstat: only -i and -o are emulated", 1);
  const active = withIpf((s) => s.active);
  const lists: ("out" | "in")[] = (["out", "in"] as const).filter((d) => flags.includes(d[0]));
  for (const dir of lists) {
    const rules = active[dir];
    process.stdout.write(rules.length > 0 ? rules.map((r) => `${r}\n`).join("") : `empty list for ipfilter(${dir})\n`);
  }
});
