/**
 * EMULATOR of the ipfilter SMF method (illumos-gate usr/src/cmd/ipf/svc/ipfilter)
 * for the testbed's SmartOS personality; the model is in ipfilter.ts.
 *
 *   node ipfilter-method.js start|reload|stop|status
 *
 * start and reload (the manifest's refresh method) run configure_firewall
 * with the running snapshot's properties; a rules file ipf refuses exits 96
 * (SMF_EXIT_ERR_CONFIG), so the service goes to maintenance. stop disables
 * the filter (`ipf -D`), which drops every rule. status (the emulator's probe
 * that the service runs) exits 0 while the filter is enabled.
 */
import { configureFirewall, IPFILTER_FMRI, withIpf } from "./ipfilter";
import { loadServices } from "./smf";
import { CommandFailure, runCli } from "./state";

runCli(([m]) => {
  const fmri = process.env.SMF_FMRI ?? IPFILTER_FMRI;
  switch (m) {
    case "start":
    case "reload":
      try {
        configureFirewall(loadServices()[fmri]?.running ?? {});
      } catch (err) {
        if (err instanceof CommandFailure) throw new CommandFailure(err.message, 96);
        throw err;
      }
      return;
    case "stop":
      withIpf((s) => {
        s.enabled = false;
        s.active = { in: [], out: [] };
        s.inactive = { in: [], out: [] };
      });
      return;
    case "status":
      if (!withIpf((s) => s.enabled)) throw new CommandFailure("", 1);
      return;
    default:
      throw new CommandFailure("Usage: ipfilter (start|stop|reload)", 1);
  }
});
