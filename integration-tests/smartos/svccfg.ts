/**
 * EMULATOR of svccfg(8) for the testbed's SmartOS personality: the
 * subcommands the product uses on one instance, `svccfg -s FMRI setprop
 * pg/prop = [type:] value` and `svccfg -s FMRI listprop [pg/prop]`, on the
 * editing properties of smf.ts (a change reaches methods and svcprop(1) only
 * after `svcadm refresh`, as svccfg(8) says of property changes). Installed
 * as /usr/sbin/svccfg in a test host only.
 */
import { loadServices, matching, saveServices } from "./smf";
import { CommandFailure, runCli, withLock } from "./state";

runCli((args) => {
  if (args[0] !== "-s" || !args[1]) throw new CommandFailure("svccfg: only `-s FMRI subcommand` is emulated", 1);
  const [, pattern, command, ...rest] = args;
  withLock("smf", () => {
    const services = loadServices();
    const found = matching(services, pattern, "svccfg");
    if (found.length !== 1) throw new CommandFailure(`svccfg: Pattern '${pattern}' matches more than one instance`);
    const s = found[0];
    s.properties ??= {};
    switch (command) {
      case "setprop": {
        const [name, eq, ...value] = rest;
        if (!name?.includes("/") || eq !== "=" || value.length === 0) {
          throw new CommandFailure("svccfg: Syntax error: setprop pg/name = [type:] value", 1);
        }
        const words = /^[a-z_]+:$/.test(value[0]) ? value.slice(1) : value;
        s.properties[name] = words.join(" ").replace(/^"(.*)"$/, "$1");
        saveServices(services);
        return;
      }
      case "listprop":
        for (const [name, value] of Object.entries(s.properties)) {
          if (!rest[0] || name === rest[0] || name.startsWith(`${rest[0]}/`)) {
            process.stdout.write(`${name.padEnd(40)} astring  ${value}\n`);
          }
        }
        return;
      default:
        throw new CommandFailure(`svccfg: '${command}' is not emulated; setprop and listprop are`, 1);
    }
  });
});
