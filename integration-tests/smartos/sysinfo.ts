/**
 * EMULATOR of SmartOS sysinfo(8) for the testbed's SmartOS personality,
 * written from the sysinfo(1M) man page. Installed as /usr/bin/sysinfo in a
 * test host only.
 *
 * Covers: the JSON object (default) with the keys boot.ts caches (UUID,
 * Hostname, Live Image, Zpool, Network Interfaces with their NIC Names, ...),
 * `-p` (parsable `Key='value'` lines of the scalar keys), and `-f`/`-u`
 * (refresh the cache: a no-op here, the facts do not change).
 */
import { CommandFailure, runCli } from "./state";
import { systemFacts } from "./system";

runCli((args) => {
  const unknown = args.find((a) => !["-p", "-f", "-u"].includes(a));
  if (unknown) throw new CommandFailure(`Usage: sysinfo [-f|-p|-u]\n  unknown option ${unknown}`, 1);
  if (args.includes("-u")) return;
  const facts = systemFacts();
  if (args.includes("-p")) {
    const lines = Object.entries(facts)
      .filter(([, v]) => typeof v !== "object")
      .map(([k, v]) => `${k.replace(/[^A-Za-z0-9]+/g, "_")}='${v}'`);
    process.stdout.write(`${lines.join("\n")}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
});
