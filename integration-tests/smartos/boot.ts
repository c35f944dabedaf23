/**
 * EMULATOR boot of a SmartOS global zone inside a testbed host: run once by
 * integration-tests/testbed/smartos-host.sh. Imports the `zones` pool
 * (mounted at /zones, as on SmartOS), caches the facts sysinfo(8) reports
 * (a fresh server UUID, the host's link with the nic tags `admin` and
 * `external`), configures the image source imgadm(8) imports from and
 * registers the ipfilter service (ipfilter.ts), disabled as a zone has it.
 *
 *   node boot.js HOSTNAME
 *
 * The image source is the testbed's own catalog: the guide's base-64-lts
 * 15.4.1 (its UUID is the one in the guide's manifest) and two images made up
 * for tests, whose names say so.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { registerIpfilter } from "./ipfilter";
import { createPool } from "./pool";
import { CommandFailure, runCli } from "./state";
import { type ImageManifest, saveImageSource, saveSystemFacts } from "./system";

const POOL_BYTES = 2 * 1024 ** 4;

const CATALOG: ImageManifest[] = [
  {
    v: 2,
    uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33",
    name: "base-64-lts",
    version: "15.4.1",
    type: "zone-dataset",
    os: "smartos",
    state: "active",
    published_at: "2016-03-04T00:52:39Z",
    description: "A 64-bit SmartOS image with just essential packages installed (the guide's image).",
  },
  {
    v: 2,
    uuid: "5e1d7e57-0000-4000-8000-00000000b002",
    name: "testbed-base-64",
    version: "2.0.0",
    type: "zone-dataset",
    os: "smartos",
    state: "active",
    published_at: "2025-01-01T00:00:00Z",
    description: "Made up for the testbed: a second joyent-brand image, to replace a zone's image.",
  },
  {
    v: 2,
    uuid: "5e1d7e57-0000-4000-8000-00000000c001",
    name: "testbed-ubuntu",
    version: "1.0.0",
    type: "lx-dataset",
    os: "linux",
    state: "active",
    published_at: "2025-01-01T00:00:00Z",
    description: "Made up for the testbed: an lx-brand image.",
    tags: { kernel_version: "4.3.0" },
  },
];

runCli(([hostname]) => {
  if (!hostname) throw new CommandFailure("usage: boot.js HOSTNAME", 2);
  const eth0 = networkInterfaces().eth0?.find((a) => a.family === "IPv4");
  if (!eth0) throw new CommandFailure("boot: the host has no IPv4 address on eth0");
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  saveSystemFacts({
    UUID: randomUUID(),
    Hostname: hostname,
    "Live Image": "20250101T000000Z",
    "System Type": "SunOS",
    "Boot Time": String(Math.floor(Date.now() / 1000)),
    Manufacturer: "smartos-mail testbed",
    Product: "SmartOS emulator",
    "MiB of Memory": String(Math.floor(memKb / 1024)),
    Zpool: "zones",
    "Zpool Size in GiB": POOL_BYTES / 1024 ** 3,
    "Network Interfaces": {
      eth0: { "MAC Address": eth0.mac, ip4addr: eth0.address, "Link Status": "up", "NIC Names": ["admin", "external"] },
    },
  });
  createPool("zones", POOL_BYTES);
  saveImageSource(CATALOG);
  registerIpfilter();
});
