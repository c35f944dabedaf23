import { withRemoteLock } from "../remote/lock";
import { putMarkedBlock, removeMarkedBlock, showMarkedBlock } from "../remote/marked-block";
import type { Platform } from "../remote/platform";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { FIREWALL_OWNER, type FirewallPlatform } from "./rules";

/** The firewall as found on the host. */
export interface FirewallApplied {
  /** The rules between this resource's markers in the rules file; null when there is no block. */
  block: string | null;
  /** Whether the live firewall has the block's rules. */
  active: boolean;
}

function showApplied(fw: FirewallPlatform, iface: string, ports: readonly number[]): Script {
  return joinScripts([
    section("active", fw.showActive(iface, ports)),
    section(
      "block",
      sh`if [ -f ${fw.rulesFile} ] && grep -qxF ${`# END ${FIREWALL_OWNER}`} ${fw.rulesFile}; then
  echo present
  ${showMarkedBlock(fw.rulesFile, FIREWALL_OWNER)}
fi`,
    ),
  ]);
}

/** Prints what {@link parseApplied} reads, without changing anything. */
export function readScript(p: Platform, fw: FirewallPlatform, iface: string, ports: readonly number[]): Script {
  return joinScripts([prelude(p), showApplied(fw, iface, ports)]);
}

/**
 * Puts the block into the rules file (other rules stay as they were) and makes
 * it live when the file changed or the live firewall lacks it, then waits (at
 * most 10 s) until the live firewall has it: a service may load its rules after
 * the command that asked for them returned. Prints whether the firewall
 * service was enabled before, so delete can put that back.
 */
export function applyScript(
  p: Platform,
  fw: FirewallPlatform,
  iface: string,
  ports: readonly number[],
  rules: string,
): Script {
  return joinScripts([
    prelude(p),
    section("enabled", fw.showEnabled),
    withRemoteLock(
      joinScripts([
        fw.install,
        putMarkedBlock(fw.rulesFile, FIREWALL_OWNER, rules),
        sh`if [ -n "$block_changed" ] || [ -z "$(${fw.showActive(iface, ports)})" ]; then
  ${fw.activate}
fi
n=0
while [ -z "$(${fw.showActive(iface, ports)})" ] && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -n "$(${fw.showActive(iface, ports)})" ] || fail "the firewall is running but its live rules lack the block for "${iface}" after 10 s"`,
      ]),
    ),
    showApplied(fw, iface, ports),
  ]);
}

/**
 * Takes the block out of the rules file and the live firewall. The service is
 * disabled again only when it was not enabled before this resource and
 * nothing else in the file blocks traffic.
 */
export function removeScript(p: Platform, fw: FirewallPlatform, wasEnabled: boolean): Script {
  return joinScripts([
    prelude(p),
    withRemoteLock(
      joinScripts([
        removeMarkedBlock(fw.rulesFile, FIREWALL_OWNER),
        fw.deactivate,
        wasEnabled ? sh`:` : sh`if [ ! -f "$f" ] || ! ${fw.othersBlock}; then ${fw.disable}; fi`,
      ]),
    ),
  ]);
}

/** Reads a script's sections back. */
export function parseApplied(stdout: string): { applied: FirewallApplied; enabledBefore: boolean } {
  const s = parseSections(stdout);
  const block = s.block ?? "";
  return {
    applied: {
      block: block.startsWith("present\n") ? block.slice("present\n".length).replace(/\n+$/, "") : null,
      active: (s.active ?? "").trim() === "active",
    },
    enabledBefore: (s.enabled ?? "").trim() === "enabled",
  };
}
