/**
 * EMULATOR of illumos svcs(1) for the testbed's SmartOS personality, written
 * from the svcs(1) man page; the service model is in smf.ts. Installed as
 * /usr/bin/svcs in a test host only.
 *
 * Covers: `svcs [-H] [-a] [-o state,stime,fmri] [FMRI...]`: without
 * patterns the enabled services (all with -a), a header unless -H, and
 * "Pattern '...' doesn't match any instances" (exit 1). The state is what
 * smf.ts observes: online only while the service's processes run, and with
 * an asterisk while the instance is in transition (svcs(1), STATE column:
 * "An asterisk is appended for instances in transition").
 */
import { loadServices, matching, type Service, shownState } from "./smf";
import { CommandFailure, runCli } from "./state";

const COLUMNS: Record<string, (s: Service) => string> = {
  state: shownState,
  stime: (s) => s.stime.slice(11, 19),
  fmri: (s) => s.fmri,
};

runCli((args) => {
  const at = args.indexOf("-o");
  const columns = (at >= 0 ? args[at + 1] : "state,stime,fmri").split(",");
  for (const c of columns)
    if (!COLUMNS[c]) throw new CommandFailure(`svcs: Unrecognized or unsupported column "${c}"`, 2);
  const patterns = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "-o");
  const services = loadServices();
  const chosen =
    patterns.length > 0
      ? patterns.flatMap((p) => matching(services, p, "svcs"))
      : Object.values(services).filter((s) => args.includes("-a") || s.enabled);
  const rows = chosen.map((s) => columns.map((c) => COLUMNS[c](s)));
  const table = args.includes("-H") ? rows : [columns.map((c) => c.toUpperCase()), ...rows];
  const widths = columns.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const separator = args.includes("-H") ? " " : "  ";
  process.stdout.write(
    table
      .map((r) => `${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join(separator)}\n`)
      .join(""),
  );
});
