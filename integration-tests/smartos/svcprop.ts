/**
 * EMULATOR of svcprop(1) for the testbed's SmartOS personality:
 * `svcprop [-c] -p pg/prop FMRI` prints the property's value from the running
 * snapshot (with -c, the editing one), or fails with "Couldn't find property".
 * The model is in smf.ts. Installed as /usr/bin/svcprop in a test host only.
 */
import { loadServices, matching } from "./smf";
import { CommandFailure, runCli } from "./state";

runCli((args) => {
  const at = args.indexOf("-p");
  const name = at >= 0 ? args[at + 1] : undefined;
  const pattern = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "-p")[0];
  if (!name || !pattern) throw new CommandFailure("Usage: svcprop [-c] -p pg/prop FMRI", 2);
  const [s] = matching(loadServices(), pattern, "svcprop");
  const props = args.includes("-c") ? s.properties : s.running;
  const value = props?.[name];
  if (value === undefined) {
    throw new CommandFailure(`svcprop: Couldn't find property \`${name}' for instance \`${s.fmri}'.`);
  }
  process.stdout.write(`${value}\n`);
});
