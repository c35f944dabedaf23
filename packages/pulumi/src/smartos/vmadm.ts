import { section } from "../remote/sections";
import { type Script, sh } from "../remote/shell";

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

/** Runs `vmadm update` with the payload on stdin, then shows the zone. */
export function updateZone(uuid: string): Script {
  return sh`out=$(vmadm update ${uuid} 2>&1) || fail ${`vmadm update ${uuid} failed:`} "$out"
${showZone(uuid)}`;
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
