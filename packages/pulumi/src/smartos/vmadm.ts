import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";

// Every step reads its stdin from /dev/null but vmadm create/update, whose
// payload (customer_metadata may hold secrets) is the command's stdin.

/** Prints the zone's `vmadm get` in the section `vm`; the section is empty when no such zone exists. */
export function showZone(uuid: string): Script {
  return section(
    "vm",
    sh`if [ -n "$(vmadm list -p -H -o uuid uuid=${uuid} </dev/null)" ]; then
  vmadm get ${uuid} </dev/null || fail ${`vmadm get ${uuid} failed`}
fi`,
  );
}

/**
 * Imports the image with imgadm when it is not installed yet, then creates
 * the zone with `vmadm create` from the payload on stdin, and shows it.
 */
export function createZone(imageUuid: string, uuid: string): Script {
  return sh`if ! imgadm get ${imageUuid} >/dev/null 2>&1 </dev/null; then
  out=$(imgadm import -q ${imageUuid} 2>&1 </dev/null) || fail ${`imgadm import ${imageUuid} failed:`} "$out"
fi
out=$(vmadm create 2>&1) || fail "vmadm create failed: $out"
${showZone(uuid)}`;
}

/** Seconds to wait for a rebooted zone to be `running` again. */
const REBOOT_TIMEOUT = 300;

/**
 * Runs `vmadm update` with the payload on stdin (when `update`), then, when
 * `reboot`, `vmadm reboot` and waits until vmadm says the zone is running
 * again; then shows the zone.
 */
export function updateZone(uuid: string, { update, reboot }: { update: boolean; reboot: boolean }): Script {
  const steps: Script[] = [];
  if (update) steps.push(sh`out=$(vmadm update ${uuid} 2>&1) || fail ${`vmadm update ${uuid} failed:`} "$out"`);
  if (reboot) {
    steps.push(sh`out=$(vmadm reboot ${uuid} 2>&1 </dev/null) || fail ${`vmadm reboot ${uuid} failed:`} "$out"
waited=0
while [ "$(vmadm list -p -H -o state uuid=${uuid} </dev/null)" != running ]; do
  [ "$waited" -lt ${String(REBOOT_TIMEOUT)} ] || fail ${`zone ${uuid} was not running ${REBOOT_TIMEOUT} s after vmadm reboot`}
  sleep 1
  waited=$((waited + 1))
done`);
  }
  steps.push(showZone(uuid));
  return joinScripts(steps);
}

/** Stops the zone if it runs (gracefully: its services get to shut down), then deletes it. Gone already is fine. */
export function deleteZone(uuid: string): Script {
  return sh`if [ -n "$(vmadm list -p -H -o uuid uuid=${uuid} </dev/null)" ]; then
  if [ "$(vmadm list -p -H -o state uuid=${uuid} </dev/null)" = running ]; then
    out=$(vmadm stop ${uuid} 2>&1 </dev/null) || fail ${`vmadm stop ${uuid} failed:`} "$out"
  fi
  out=$(vmadm delete ${uuid} 2>&1 </dev/null) || fail ${`vmadm delete ${uuid} failed:`} "$out"
fi`;
}
