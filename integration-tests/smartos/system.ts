/**
 * EMULATOR state of the SmartOS system itself for the testbed's SmartOS
 * personality: the facts sysinfo(8) reports and the image source imgadm(8)
 * imports from. Written at boot (boot.ts) and read by sysinfo, vmadm and
 * imgadm; kept under /var/lib/smartos-emulator inside the test host.
 */
import { CommandFailure, readJson, statePath, writeJson } from "./state";

/** What `sysinfo` prints (a subset of the real keys, same names). */
export interface SystemFacts {
  UUID: string;
  Hostname: string;
  "Live Image": string;
  "System Type": "SunOS";
  "Boot Time": string;
  Manufacturer: string;
  Product: string;
  "MiB of Memory": string;
  Zpool: string;
  "Zpool Size in GiB": number;
  /** Physical links; each lists the nic tags that map to it ("NIC Names"). */
  "Network Interfaces": Record<
    string,
    { "MAC Address": string; ip4addr: string; "Link Status": string; "NIC Names": string[] }
  >;
}

/** An image manifest as imgadm(8) shows it (the fields vmadm and the tests use). */
export interface ImageManifest {
  v: 2;
  uuid: string;
  name: string;
  version: string;
  type: "zone-dataset" | "lx-dataset";
  os: "smartos" | "linux";
  state: "active";
  published_at: string;
  description: string;
  requirements?: { min_platform?: Record<string, string> };
  tags?: Record<string, string>;
}

const FACTS = statePath("sysinfo.json");
const SOURCE = statePath("imgadm", "source.json");

/** The system's facts; fails when the emulated system was never booted. */
export function systemFacts(): SystemFacts {
  const facts = readJson<SystemFacts | null>(FACTS, null);
  if (!facts) throw new CommandFailure("sysinfo: no system information (the SmartOS emulator was not booted)");
  return facts;
}

/** Stores the system's facts (at boot). */
export function saveSystemFacts(facts: SystemFacts): void {
  writeJson(FACTS, facts);
}

/** The physical link a nic tag maps to, or undefined when no link carries it. */
export function linkForNicTag(tag: string): string | undefined {
  const links = systemFacts()["Network Interfaces"];
  return Object.keys(links).find((link) => links[link]["NIC Names"].includes(tag));
}

/** The images the configured image source offers. */
export function imageSource(): ImageManifest[] {
  return readJson<ImageManifest[]>(SOURCE, []);
}

/** Replaces the image source's catalog (at boot). */
export function saveImageSource(images: ImageManifest[]): void {
  writeJson(SOURCE, images);
}

/** Where an installed image's manifest is kept. */
export function installedImagePath(uuid: string): string {
  return statePath("imgadm", "installed", `${uuid}.json`);
}

/** The manifest of an installed image, or null. */
export function installedImage(uuid: string): ImageManifest | null {
  return readJson<ImageManifest | null>(installedImagePath(uuid), null);
}
