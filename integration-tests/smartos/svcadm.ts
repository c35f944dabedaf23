/**
 * EMULATOR of illumos svcadm(8) for the testbed's SmartOS personality,
 * written from the svcadm(8) man page; the service model is in smf.ts.
 * Installed as /usr/sbin/svcadm in a test host only.
 *
 * Covers: `enable [-r] [-s] [-t] FMRI...`, `disable [-s] [-t] FMRI...`,
 * `refresh FMRI...`, `restart FMRI...`, `clear FMRI...`, with FMRI
 * abbreviations (postfix, network/postfix, svc:/network/postfix:default).
 * Methods run synchronously, so -s (wait for the state) always holds when
 * the command returns; with -s a service that ends in maintenance fails the
 * command, as svcadm does when the awaited state cannot be reached. -r and -t
 * are accepted and make no difference (no dependencies, no reboots here).
 */
import { clear, disable, enable, loadServices, matching, observedState, refresh, restart, saveServices } from "./smf";
import { CommandFailure, runCli, withLock } from "./state";

const ACTIONS = { enable, disable, refresh, restart, clear };

runCli(([command, ...args]) => {
  const action = ACTIONS[command as keyof typeof ACTIONS];
  if (!action) {
    throw new CommandFailure(
      `svcadm: ${command === undefined ? "no subcommand" : `'${command}' is not emulated`}; the testbed's svcadm covers ${Object.keys(ACTIONS).join(", ")}`,
      2,
    );
  }
  const synchronous = args.includes("-s");
  const patterns = args.filter((a) => !a.startsWith("-"));
  if (patterns.length === 0) throw new CommandFailure(`Usage: svcadm ${command} [-rst] <service> ...`, 2);
  withLock("smf", () => {
    const services = loadServices();
    try {
      for (const pattern of patterns) {
        for (const s of matching(services, pattern, "svcadm")) {
          action(s);
          if (synchronous && observedState(s) === "maintenance") {
            throw new CommandFailure(`svcadm: Instance "${s.fmri}" entered maintenance state.`);
          }
        }
      }
    } finally {
      saveServices(services);
    }
  });
});
