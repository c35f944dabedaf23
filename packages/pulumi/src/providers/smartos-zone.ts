import { randomUUID } from "node:crypto";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { waitUntilReachable } from "../remote/reachable";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts, type Script } from "../remote/shell";
import { type SmartOsZoneInputs, type SmartOsZoneState, smartOsZoneSchema } from "../schemas/smartos-zone";
import {
  createPayload,
  type LiveNic,
  type LiveZone,
  liveZone,
  primaryAddress,
  rebootPending,
  replacedProperties,
  updatePayload,
  zoneAddresses,
} from "../smartos/manifest";
import { createZone, deleteZone, showZone, updateZone } from "../smartos/vmadm";
import { hostProvider } from "./host-provider";

/** Seconds a rebooted zone gets to accept connections on its readiness port. */
const REACHABLE_TIMEOUT = 300;

/** The outputs for `live`, with the nics the zone runs with and what waits for its next boot. */
function outputsOf(
  live: LiveZone,
  activeNics: LiveNic[] = live.nics,
  pendingReboot: string[] = [],
): Omit<SmartOsZoneState, keyof SmartOsZoneInputs> {
  return {
    uuid: live.uuid,
    live,
    state: live.state,
    primaryIp: primaryAddress(activeNics),
    ips: zoneAddresses(activeNics),
    delegatedDataset: live.datasets.find((d) => d.endsWith("/data")) ?? null,
    pendingReboot,
    activeNics,
  };
}

/**
 * The outputs after vmadm reported `vm`: a zone that booted since `old` was
 * recorded runs with everything vmadm has (nothing pending); otherwise it
 * keeps the nics it booted with and `pending` waits.
 */
function outputsAfter(old: SmartOsZoneState, vm: LiveZone, pending: string[]) {
  const rebooted = vm.boot_timestamp !== undefined && vm.boot_timestamp !== old.live.boot_timestamp;
  if (rebooted || vm.state !== "running") return outputsOf(vm, vm.nics, rebooted ? [] : pending);
  return outputsOf(vm, old.activeNics, pending);
}

async function runOnGlobalZone(news: SmartOsZoneInputs, body: Script, step: string, stdin?: string): Promise<string> {
  const host = new RemoteHost(news.connection);
  const result = await host.run(joinScripts([prelude(platform("smartos")), body]), { step, stdin });
  return parseSections(result.stdout).vm?.trim() ?? "";
}

/** The SmartOsZone hooks, run by the engine's dynamic-provider host. */
export const smartOsZoneProvider = hostProvider<SmartOsZoneInputs, SmartOsZoneState>({
  kind: "smartOsZone",
  schema: smartOsZoneSchema,
  // vmadm properties fixed at create: the zone is made anew. The replacement takes over the
  // zone's addresses (and the alias), so the old zone goes first (the default).
  replaces: (old, next) => replacedProperties(old.live, next.manifest).map((k) => `manifest.${k}`),
  // Refresh found the zone unlike the manifest, or changes wait for a reboot the inputs now ask for.
  drifted: (old, next) =>
    Object.keys(updatePayload(old.live, next.manifest, old.manifest)).length > 0 ||
    (next.rebootForChanges && old.pendingReboot.length > 0),
  // The outputs other than these three follow from what vmadm said, derived again at each run.
  stateOf: (inputs, stored) => {
    const { live, activeNics, pendingReboot } = stored as unknown as SmartOsZoneState;
    return { ...inputs, ...outputsOf(live, activeNics, pendingReboot) };
  },
  id: (state) => state.uuid,

  async create(news) {
    const uuid = randomUUID();
    const vm = await runOnGlobalZone(
      news,
      createZone(news.manifest.image_uuid, uuid),
      "create the zone",
      JSON.stringify(createPayload(news.manifest, uuid)),
    );
    if (!vm) throw new Error(`vmadm create reported success, but vmadm does not list zone ${uuid}`);
    const outputs = outputsOf(liveZone(vm));
    // As after a reboot: vmadm says running before the zone's services listen (and before the network has
    // learnt its new address), and the resources that log in to the zone start as soon as it has an address.
    if (outputs.state === "running" && outputs.primaryIp !== null) {
      await waitUntilReachable(outputs.primaryIp, news.readinessPort, REACHABLE_TIMEOUT);
    }
    return { ...news, ...outputs };
  },

  async read(old) {
    const vm = await runOnGlobalZone(old, showZone(old.uuid), "read the zone");
    // Gone: the next up creates it again.
    if (!vm) return undefined;
    return { ...old, ...outputsAfter(old, liveZone(vm), old.pendingReboot) };
  },

  async update(old, next) {
    const payload = updatePayload(old.live, next.manifest, old.manifest);
    const update = Object.keys(payload).length > 0;
    const pending = [...new Set([...old.pendingReboot, ...rebootPending(payload, old.live)])];
    const reboot = next.rebootForChanges && pending.length > 0 && old.live.state === "running";
    if (!update && !reboot) return { ...next, ...outputsOf(old.live, old.activeNics, pending) };
    const step = reboot ? (update ? "update and reboot the zone" : "reboot the zone") : "update the zone";
    const vm = liveZone(
      await runOnGlobalZone(
        next,
        updateZone(old.uuid, { update, reboot }),
        step,
        update ? JSON.stringify(payload) : undefined,
      ),
    );
    const outputs = outputsAfter(old, vm, pending);
    // vmadm says running before the zone's services listen: hand out its address once it answers.
    if (reboot && outputs.primaryIp !== null) {
      await waitUntilReachable(outputs.primaryIp, next.readinessPort, REACHABLE_TIMEOUT);
    }
    return { ...next, ...outputs };
  },

  async delete(old) {
    await runOnGlobalZone(old, deleteZone(old.uuid), "delete the zone");
  },
});
