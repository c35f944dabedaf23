import {
  activateIfChanged,
  beginStage,
  isEmptyChange,
  type MainCfChange,
  parsePostconf,
  showMainCf,
  stageChange,
  stageListMember,
  validateStage,
} from "../postfix/main-cf";
import { removeMap, showMap } from "../postfix/maps";
import { parseServices, showServices, stageService, stageServiceRemoval } from "../postfix/master-cf";
import { withRemoteLock } from "../remote/lock";
import type { Platform } from "../remote/platform";
import { prelude } from "../remote/script-prelude";
import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { MAP_MARKER } from "./policy";

/** What of a rate-limit policy is live on the host. */
export interface RateLimitApplied {
  /** Live values of the managed main.cf parameters (null: unset). */
  parameters: Record<string, string | null>;
  /** Live master.cf entries of the managed services (null: absent). */
  services: Record<string, string | null>;
  /** The transport map's text (null: no file). */
  transportMap: string | null;
  /** Whether transport_maps lists the map. */
  mapListed: boolean;
}

/** The edits one run makes on the host. */
export interface RateLimitEdit {
  /** main.cf parameters to set and remove. */
  change: MainCfChange;
  /** Services to create or rewrite: `name/type` -> entry, and whether they are already ours. */
  addServices: { service: string; entry: string; owned: boolean }[];
  /** Services to remove (`name/type`). */
  removeServices: string[];
  /** New transport map text to write and postmap. */
  writeMap?: string;
  /** Remove the transport map file (after main.cf no longer lists it). */
  removeMap: boolean;
  /** Add the map to transport_maps (true), take it out (false), or leave the list alone. */
  listMap?: boolean;
}

/** True when the edit changes nothing. */
export function isEmptyEdit(e: RateLimitEdit): boolean {
  return (
    isEmptyChange(e.change) &&
    e.addServices.length === 0 &&
    e.removeServices.length === 0 &&
    e.writeMap === undefined &&
    !e.removeMap &&
    e.listMap === undefined
  );
}

function writeMapScript(path: string, text: string): Script {
  return sh`map=${path}
if [ -f "$map" ] && [ "$(head -n 1 "$map")" != ${MAP_MARKER} ]; then
  fail "$map exists and smartos-mail did not write it: move its entries into transports[].domains, remove the file, and run pulumi up again"
fi
printf '%s' ${text} >"$map.smartos-mail-new" && chmod 644 "$map.smartos-mail-new" && mv "$map.smartos-mail-new" "$map" || fail "cannot write $map"
postmap "hash:$map" 2>"$map.postmap-err" || { err=$(cat "$map.postmap-err"); rm -f "$map.postmap-err"; fail "postmap hash:$map failed: $err"; }
rm -f "$map.postmap-err"
map_changed=1`;
}

/** Prints what {@link parseApplied} reads: main.cf, the services and the map. */
export function showApplied(services: readonly string[], mapPath: string): Script {
  return joinScripts([
    section("after", showMainCf),
    section("map", showMap(mapPath)),
    // Last: the final section also gets the output's trailing newline, which parseServices ignores.
    section("services", showServices(services)),
  ]);
}

/** One script making the edit under the host lock: stage, check, activate, reload, then show the result. */
export function editScript(p: Platform, e: RateLimitEdit, services: readonly string[], mapPath: string): Script {
  const steps: Script[] = [section("before", showMainCf), beginStage, sh`map_changed=`];
  // Services first: Postfix warns about <name>_* parameters of a transport master.cf does not have.
  for (const s of e.addServices) {
    const [name, type] = s.service.split("/");
    steps.push(stageService(name, type, s.entry, s.owned));
  }
  for (const s of e.removeServices) {
    const [name, type] = s.split("/");
    steps.push(stageServiceRemoval(name, type));
  }
  steps.push(stageChange(e.change));
  if (e.listMap !== undefined) steps.push(stageListMember("transport_maps", `hash:${mapPath}`, !e.listMap));
  steps.push(validateStage);
  // The map is built before main.cf names it, and removed only once main.cf no longer does.
  if (e.writeMap !== undefined) steps.push(writeMapScript(mapPath, e.writeMap));
  steps.push(activateIfChanged);
  if (e.removeMap) steps.push(removeMap(mapPath), sh`map_changed=1`);
  steps.push(sh`if [ -n "$main_cf_changed" ] || [ -n "$map_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload; the configuration checked clean, see the Postfix log"
fi`);
  return joinScripts([prelude(p), withRemoteLock(joinScripts(steps)), showApplied(services, mapPath)]);
}

/** Reads the live policy from a script's sections. */
export function parseApplied(
  sections: Record<string, string>,
  want: { parameters: readonly string[]; services: readonly string[] },
  mapPath: string,
): RateLimitApplied {
  const live = parsePostconf(sections.after ?? "");
  const services = parseServices(sections.services ?? "");
  const map = sections.map ?? "no\n";
  return {
    parameters: Object.fromEntries(want.parameters.map((k) => [k, live[k] ?? null])),
    services: Object.fromEntries(want.services.map((k) => [k, services[k] ?? null])),
    transportMap: map.startsWith("yes\n") ? map.slice(4) : null,
    mapListed: (live.transport_maps ?? "").split(/[\s,]+/).includes(`hash:${mapPath}`),
  };
}

/** The `before` section's main.cf, for recording what was there before. */
export function parseBefore(sections: Record<string, string>): Record<string, string> {
  return parsePostconf(sections.before ?? "");
}
