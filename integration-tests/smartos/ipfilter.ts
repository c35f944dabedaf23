/**
 * EMULATOR of illumos IP Filter's rule tables and its SMF service
 * svc:/network/ipfilter:default for the testbed's SmartOS personality; the
 * CLIs are ipf.ts and ipfstat.ts, the service's method ipfilter-method.ts.
 * Written from illumos-gate's usr/src/cmd/ipf/svc/ipfilter (the method),
 * usr/src/cmd/svc/shell/ipf_include.sh (create_global_rules), ipfilter.xml
 * (the manifest), ipf(8) and ipfstat(8). Rules are kept, listed and loaded as
 * ipf does; no packet is filtered (the host's traffic is untouched).
 *
 * Which file the service loads is chosen by the property
 * firewall_config_default/policy, as create_global_rules does: `custom` loads
 * firewall_config_default/custom_policy_file; `none` (the manifest's default)
 * loads no rules at all; `deny` and `allow` load only the generated
 * "pass out log quick all keep state" (no apply_to/exceptions here).
 * /etc/ipf/ipf.conf is read only through `custom`. The one-time migration to
 * `custom` (upgrade_config, run while the property `version` is 0) has
 * already run in a zone image, which boots before it is published, and found
 * no rules then: version is 1 and policy none, as a zone starts.
 *
 * Rules are listed as ipf's printfr does: words separated by one space, and a
 * port compared with `=` named from /etc/services when it has a name for the
 * rule's protocol (lib/common/portname.c), e.g. `port = smtp` for 25.
 */
import { readFileSync } from "node:fs";
import { loadServices, type Service, saveServices } from "./smf";
import { CommandFailure, readJson, statePath, withLock, writeJson } from "./state";

/** The kernel's filter state: enabled, and the active and inactive rule sets. */
export interface IpfState {
  enabled: boolean;
  active: { in: string[]; out: string[] };
  inactive: { in: string[]; out: string[] };
}

const FILE = statePath("ipf", "state.json");
export const IPFILTER_FMRI = "svc:/network/ipfilter:default";

/** Reads, changes and stores the filter state under its lock. */
export function withIpf<T>(task: (s: IpfState) => T): T {
  return withLock("ipf", () => {
    const s = readJson<IpfState>(FILE, {
      enabled: false,
      active: { in: [], out: [] },
      inactive: { in: [], out: [] },
    });
    const result = task(s);
    writeJson(FILE, s);
    return result;
  });
}

function serviceName(port: string, proto: string): string {
  for (const line of readFileSync("/etc/services", "utf8").split("\n")) {
    const [name, spec] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (spec === `${port}/${proto}`) return name;
  }
  return port;
}

const ACTIONS = /^(pass|block|log|count|auth|call|skip \d+)$/;

/** Parses a rules text as ipf(8) -f does: a rule per line, `#` comments; throws on a bad line. */
export function parseRules(text: string, source: string): { dir: "in" | "out"; rule: string }[] {
  const rules: { dir: "in" | "out"; rule: string }[] = [];
  text.split("\n").forEach((raw, i) => {
    const words = raw.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const action = words[0] === "skip" ? `skip ${words[1]}` : words[0];
    const dirAt = words[0] === "skip" ? 2 : 1;
    const dir = words[dirAt];
    if (!ACTIONS.test(action) || (dir !== "in" && dir !== "out")) {
      throw new CommandFailure(`${i + 1}: syntax error at "${words[0]}"\nipf: ${source}: load of rules failed`);
    }
    const proto = words[words.indexOf("proto") + 1];
    const printed = words.map((w, j) =>
      j > 1 && words[j - 1] === "=" && words[j - 2] === "port" && /^\d+$/.test(w) && words.includes("proto")
        ? serviceName(w, proto)
        : w,
    );
    rules.push({ dir, rule: printed.join(" ") });
  });
  return rules;
}

/** The rules create_global_rules (ipf_include.sh) makes the service load for the running properties. */
export function policyRules(props: Record<string, string>): { text: string; source: string } {
  const policy = props["firewall_config_default/policy"] ?? "none";
  switch (policy) {
    case "custom": {
      const file = props["firewall_config_default/custom_policy_file"] ?? "";
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        // custom_set_symlink: nothing to do when the file does not exist.
      }
      return { text, source: file };
    }
    case "none":
      return { text: "", source: "/var/run/ipf/ipf.conf" };
    case "deny":
    case "allow":
      return { text: "pass out log quick all keep state\n", source: "/var/run/ipf/ipf.conf" };
    default:
      throw new CommandFailure(`ipfilter: unknown firewall_config_default/policy "${policy}"`, 96);
  }
}

/** configure_firewall: enables the filter and loads the policy's rules in one swap (load_ipf). */
export function configureFirewall(props: Record<string, string>): void {
  const { text, source } = policyRules(props);
  const rules = parseRules(text, source);
  withIpf((s) => {
    s.enabled = true;
    s.active = { in: [], out: [] };
    for (const r of rules) s.active[r.dir].push(r.rule);
  });
}

/** Registers the service as a zone has it: disabled, the manifest's properties, migration done. */
export function registerIpfilter(): void {
  const method = (m: string) => ["/usr/bin/node", `${__dirname}/ipfilter-method.js`, m];
  const properties = {
    "firewall_config_default/policy": "none",
    "firewall_config_default/custom_policy_file": "/etc/ipf/ipf.conf",
    "firewall_config_default/version": "1",
  };
  withLock("smf", () => {
    const services = loadServices();
    const service: Service = {
      fmri: IPFILTER_FMRI,
      start: method("start"),
      stop: method("stop"),
      refresh: method("reload"),
      probe: method("status"),
      enabled: false,
      state: "disabled",
      stime: new Date().toISOString(),
      properties,
      running: { ...properties },
    };
    services[IPFILTER_FMRI] = service;
    saveServices(services);
  });
}
