/**
 * EMULATOR of the Service Management Facility for the testbed's SmartOS
 * personality, written from smf(7), svcadm(8) and svcs(1) as documented for
 * illumos. Shared by svcadm.ts, svcs.ts and pkgin.ts (which registers a
 * package's service as the pkgsrc package's manifest import would).
 *
 * A service is its FMRI and its start, stop and refresh methods: real
 * commands of the test host (for Postfix, the pkgsrc-layout `postfix start`,
 * `postfix stop` and `postfix reload`), so svcadm drives the real daemon.
 * Covers states disabled, offline (only in transition), online and
 * maintenance: a failing method puts the service in maintenance, and an
 * online service whose processes are gone (its probe fails) shows as
 * maintenance, where SMF's restarter would have given up. Stopping waits
 * until the processes are gone, as SMF waits for the service's contract to
 * empty. Method output goes to /var/svc/log/<service>.log as on illumos.
 *
 * `svcadm restart` only requests a restart (svcadm(8), restart: "Requests
 * that the service instances ... be restarted"; it has no -s): svc.startd
 * acts on it later. Here startd.ts does, a second after the request, so the
 * instance passes through the transitional states svcs(1) marks with an
 * asterisk ("online*" while the stop is pending, "offline*" while the start
 * is), and a caller that does not wait sees the old daemon or none at all.
 *
 * A refresh runs the refresh method only if the service has one (svcadm(8),
 * refresh: "the refresh method will be invoked if it exists"); pkgsrc's
 * OpenDKIM manifest (mail/opendkim/files/smf/manifest.xml) defines only start
 * and stop, so refreshing it changes nothing in the running daemon.
 * Properties: svccfg.ts edits a service's properties, `svcadm refresh`
 * copies them to the running snapshot, and svcprop.ts and methods read that.
 * Not covered: dependencies, degraded, contracts, property types.
 */
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { CommandFailure, readJson, statePath, writeJson } from "./state";

/** An SMF state. */
export type ServiceState = "online" | "offline" | "disabled" | "maintenance";

/** A service instance. */
export interface Service {
  /** Full FMRI, e.g. svc:/network/postfix:default. */
  fmri: string;
  /** Method commands, as argv. */
  start: string[];
  stop: string[];
  /** Absent when the manifest defines no refresh method. */
  refresh?: string[];
  /** Exits 0 while the service's processes run. */
  probe: string[];
  /** Properties as svccfg(8) edits them ("pg/prop" -> value): the editing snapshot. */
  properties?: Record<string, string>;
  /** The running snapshot methods and svcprop(1) read; a refresh copies the editing one here. */
  running?: Record<string, string>;
  enabled: boolean;
  state: ServiceState;
  /** The state the restarter is moving the instance to (SMF's next_state), while in transition. */
  next?: ServiceState;
  /** When the state last changed (ISO 8601). */
  stime: string;
}

const FILE = statePath("smf", "services.json");

/** Every registered service by FMRI. */
export function loadServices(): Record<string, Service> {
  return readJson<Record<string, Service>>(FILE, {});
}

/** Stores the services. */
export function saveServices(services: Record<string, Service>): void {
  writeJson(FILE, services);
}

/**
 * The services an FMRI pattern names: a full FMRI, or its tail after any
 * `/` (postfix, network/postfix, network/postfix:default), as svcadm(8)
 * abbreviations work.
 */
export function matching(services: Record<string, Service>, pattern: string, command: string): Service[] {
  const found = Object.values(services).filter((s) => {
    const full = s.fmri;
    const noInstance = full.replace(/:default$/, "");
    return [full, noInstance].some((f) => f === pattern || f.endsWith(`/${pattern}`) || f === `svc:/${pattern}`);
  });
  if (found.length === 0) throw new CommandFailure(`${command}: Pattern '${pattern}' doesn't match any instances`);
  return found;
}

function logFile(s: Service): string {
  return `/var/svc/log/${s.fmri.replace(/^svc:\//, "").replaceAll("/", "-")}.log`;
}

function method(s: Service, name: "start" | "stop" | "refresh"): boolean {
  const argv = s[name];
  if (!argv) return true;
  // As svc.startd does for a method, SMF_FMRI names the instance in the method's environment.
  const env = { ...process.env, SMF_FMRI: s.fmri };
  mkdirSync("/var/svc/log", { recursive: true });
  const log = logFile(s);
  appendFileSync(log, `[ ${new Date().toUTCString()} Executing ${name} method ("${argv.join(" ")}") ]\n`);
  try {
    appendFileSync(
      log,
      execFileSync(argv[0], argv.slice(1), { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] }),
    );
    appendFileSync(log, `[ ${new Date().toUTCString()} Method "${name}" exited with status 0 ]\n`);
    return true;
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    appendFileSync(
      log,
      `${e.stdout ?? ""}${e.stderr ?? ""}[ Method "${name}" exited with status ${e.status ?? "?"} ]\n`,
    );
    return false;
  }
}

function running(s: Service): boolean {
  try {
    execFileSync(s.probe[0], s.probe.slice(1), { stdio: "ignore", env: { ...process.env, SMF_FMRI: s.fmri } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the stop method and waits (at most 60 s) until the service's processes
 * are gone, as SMF waits for the service's contract to empty: `postfix stop`
 * only signals the master process and returns. Stopped means no processes
 * left, whatever the method's exit status.
 */
function stopped(s: Service): boolean {
  method(s, "stop");
  for (let i = 0; i < 600 && running(s); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  return !running(s);
}

function enter(s: Service, state: ServiceState): void {
  if (s.state !== state) s.stime = new Date().toISOString();
  s.state = state;
}

/** The state: an online service whose processes died is in maintenance. */
export function observedState(s: Service): ServiceState {
  if (s.state !== "online" || s.next) return s.state;
  return running(s) ? "online" : "maintenance";
}

/** The STATE column of svcs(1): the state, with `*` while the instance is in transition. */
export function shownState(s: Service): string {
  return s.next ? `${s.state}*` : observedState(s);
}

/** svcadm enable: marks the service enabled and starts it unless it is online or in maintenance. */
export function enable(s: Service): void {
  s.enabled = true;
  if (s.next) return;
  if (observedState(s) !== s.state) enter(s, "maintenance");
  if (s.state === "disabled") enter(s, method(s, "start") ? "online" : "maintenance");
}

/** svcadm disable: marks the service disabled and stops it if it runs. */
export function disable(s: Service): void {
  s.enabled = false;
  s.next = undefined;
  if (s.state === "online" && !stopped(s)) {
    enter(s, "maintenance");
    return;
  }
  enter(s, "disabled");
}

/**
 * svcadm refresh: the running snapshot takes the edited properties (whatever
 * the state; svcadm(8): "update the service's running configuration snapshot
 * with the values from the current configuration"), and an online service
 * re-reads its configuration if it has a refresh method.
 */
export function refresh(s: Service): void {
  if (s.properties) {
    s.running = { ...s.properties };
    // Stored before the refresh method runs, so the method (svcprop) reads the new snapshot.
    const all = loadServices();
    all[s.fmri] = s;
    saveServices(all);
  }
  if (s.state === "online" && !s.next && !method(s, "refresh")) enter(s, "maintenance");
}

/**
 * svcadm restart: asks the restarter (startd.ts, started detached) to stop and
 * start an online service, and returns at once.
 */
export function restart(s: Service): void {
  if (observedState(s) !== "online") return;
  s.next = "offline";
  spawn(process.execPath, [`${__dirname}/startd.js`, "restart", s.fmri], {
    detached: true,
    stdio: "ignore",
  }).unref();
}

/** What the restarter does for a restart request, step by step: stop (online* -> offline*), then start. */
export function restartStep(s: Service): "started" | "stopped" {
  if (s.next === "offline") {
    const ok = stopped(s);
    enter(s, ok ? "offline" : "maintenance");
    s.next = ok ? "online" : undefined;
    return "stopped";
  }
  s.next = undefined;
  enter(s, s.state === "offline" && method(s, "start") ? "online" : "maintenance");
  return "started";
}

/** svcadm clear: a service in maintenance is started again if enabled, else marked disabled. */
export function clear(s: Service): void {
  if (observedState(s) !== "maintenance") return;
  if (!s.enabled) {
    enter(s, "disabled");
    return;
  }
  enter(s, stopped(s) && method(s, "start") ? "online" : "maintenance");
}
