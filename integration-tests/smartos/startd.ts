/**
 * EMULATOR of the part of svc.startd(8) that carries out `svcadm restart`
 * for the testbed's SmartOS personality (see smf.ts). svcadm(8) only
 * requests a restart; the restarter acts on the request afterwards. Started
 * detached by svcadm restart, this waits a second, then stops the instance
 * (online* -> offline*) and starts it (-> online, or maintenance when the
 * start method fails), each step under the SMF lock.
 *
 *   node startd.js restart FMRI
 */
import { loadServices, restartStep, saveServices } from "./smf";
import { CommandFailure, runCli, withLock } from "./state";

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

runCli(([action, fmri]) => {
  if (action !== "restart" || !fmri) throw new CommandFailure("usage: startd.js restart FMRI", 2);
  for (const delay of [1000, 500]) {
    sleep(delay);
    const done = withLock("smf", () => {
      const services = loadServices();
      const s = services[fmri];
      // Another request (a disable) may have settled the instance meanwhile.
      if (!s?.next) return true;
      const step = restartStep(s);
      saveServices(services);
      return step === "started";
    });
    if (done) return;
  }
});
