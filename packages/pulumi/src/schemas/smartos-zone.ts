import { isIP } from "node:net";
import { z } from "zod";
import { capacityPlanSchema, checkQuotaCoversPlan, planCapacity } from "../plan/capacity";
import { connectionSchema } from "../remote/connection-schema";
import type { LiveNic, LiveZone } from "../smartos/manifest";
import { hasControlChars, ipAddress, ipv4Address, isHostname } from "../validation/names";
import { parseCidr } from "../validation/networks";

// ---------------------------------------------------------------- values

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const uuid = z.string().regex(UUID, "must be a lower-case UUID such as 088b97b0-e1a1-11e5-b895-9baa2086eb33");

const mib = (min: number, what: string) =>
  z.number().int("must be a whole number of MiB").min(min, `must be at least ${min} MiB (${what})`);

const count = (what: string) =>
  z.number().int(`must be a whole number (${what})`).min(0, `must be 0 or more (${what})`);

const text = z
  .string()
  .min(1, "must not be empty")
  .refine((v) => !hasControlChars(v), { message: "must have no control characters (newlines, tabs)" });

/** One entry of `nics.*.ips`: an address with its prefix length, `dhcp` or `addrconf` (vmadm(8)). */
const nicAddress = z.string().refine((v) => v === "dhcp" || v === "addrconf" || parseCidr(v)?.prefix !== undefined, {
  message:
    "must be an address with its prefix length such as 203.0.113.25/24 (vmadm takes CIDR, not a netmask), dhcp or addrconf",
});

/** One entry of `nics.*.allowed_ips`: an address or a CIDR (vmadm(8)). */
const allowedIp = z
  .string()
  .refine((v) => parseCidr(v) !== undefined, { message: "must be an IP address or a CIDR such as 203.0.113.0/24" });

const compression = z.enum(
  ["on", "off", "lzjb", "lz4", "zle", "gzip", ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `gzip-${n}`)],
  {
    error: "must be one of on, off, lzjb, lz4, zle, gzip, gzip-1 .. gzip-9",
  },
);

const metadataKey = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,128}$/, "must be 1..128 letters, digits, _ : . or - (a metadata key)");

/** zod schema of one nic of the zone (`nics.*` in vmadm(8)). */
export const nicSchema = z
  .object({
    /** The global zone's nic tag to attach to, as listed in `sysinfo`'s NIC Names, e.g. `external` (the guide: `cospix0`). */
    nic_tag: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,31}$/, "must be a nic tag listed in the global zone's sysinfo NIC Names, e.g. external"),
    /** Addresses with prefix length (`203.0.113.25/24`, `2001:db8::25/64`), `dhcp` or `addrconf`. */
    ips: z
      .array(nicAddress)
      .min(1, "must list at least one address: ip/prefix, dhcp or addrconf")
      .max(20, "may list at most 20 addresses (vmadm's limit)"),
    /** IPv4 gateways; each must lie in one of the nic's IPv4 networks. Default: none (not needed with dhcp). */
    gateways: z.array(ipv4Address).optional(),
    /** Marks the nic whose gateway and resolvers the zone uses. Default: the first nic is primary. */
    primary: z
      .literal(true, { error: "may only be true: mark the one primary nic, leave it out on the others" })
      .optional(),
    /** Pins the nic's MAC; nics are matched by MAC when given, else by position. Default: vmadm generates one. */
    mac: z
      .string()
      .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, "must be a lower-case MAC address such as 90:b8:d0:12:34:56")
      .optional(),
    /** VLAN to tag traffic with. Default 0 (none). */
    vlan_id: z.number().int().min(0, "must be 0 (no VLAN) to 4095").max(4095, "must be 0 (no VLAN) to 4095").optional(),
    /**
     * MTU: 1500..9000 on a physical nic tag (vmadm refuses less there), 576..9000 on an etherstub or
     * overlay. Default: the MTU of the nic tag's link. Like every nic change, an update waits for a reboot.
     */
    mtu: z.number().int().min(576, "must be 576 to 9000").max(9000, "must be 576 to 9000").optional(),
    /** Let the zone send from addresses other than its own. Default false. */
    allow_ip_spoofing: z.boolean().optional(),
    /** Let the zone act as a DHCP server. Default false. */
    allow_dhcp_spoofing: z.boolean().optional(),
    /** Let the zone send from other MAC addresses. Default false. */
    allow_mac_spoofing: z.boolean().optional(),
    /** Let the zone send traffic other than IPv4, IPv6 and ARP. Default false. */
    allow_restricted_traffic: z.boolean().optional(),
    /** More addresses or CIDRs the zone may send from. Default: none. */
    allowed_ips: z.array(allowedIp).optional(),
  })
  .strict();

/** A validated nic. */
export type NicSpec = z.output<typeof nicSchema>;

/** The static addresses of a nic, as [address, prefix length]. */
export function staticAddresses(nic: { ips: string[] }): [string, number][] {
  return nic.ips.filter((a) => a.includes("/")).map((a) => [a.split("/")[0], Number(a.split("/")[1])]);
}

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function inNetwork(ip: string, network: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(v4Number(ip) / size) === Math.floor(v4Number(network) / size);
}

/**
 * zod schema of the vmadm manifest a SmartOsZone is created from: vmadm(8)'s
 * property names, for OS zones (brand joyent or lx). Properties left out get
 * vmadm's defaults and are not managed afterwards.
 */
export const zoneManifestSchema = z
  .object({
    /** Display name, need not be unique. Default: none. */
    alias: text.max(128, "must be at most 128 characters").optional(),
    /**
     * The zone's host name. Default: the zone's UUID. Create-only: vmadm stores a later change but it
     * "does nothing for OS VMs" (vmadm(8)), so a change replaces the zone.
     */
    hostname: z
      .string()
      .refine((v) => isHostname(v), {
        message: "must be a host name such as cospix-pdx0-mx1 (letters, digits, hyphens, dots)",
      })
      .optional(),
    /** `joyent` (a SmartOS zone, pkgsrc) or `lx` (a Linux zone). Default `joyent`. Create-only. */
    brand: z
      .enum(["joyent", "lx"], { error: "must be joyent (a SmartOS zone) or lx (a Linux zone)" })
      .default("joyent"),
    /** The image to create the zone from; imported with imgadm when missing. Create-only. */
    image_uuid: uuid,
    /** RAM cap in MiB. Default 256 (vmadm). The guide uses 1024. */
    max_physical_memory: mib(128, "the zone's RAM cap").optional(),
    /**
     * Lockable memory in MiB, at most max_physical_memory (vmadm clamps a larger value, so preview refuses
     * it). Default: max_physical_memory.
     */
    max_locked_memory: mib(1, "at most max_physical_memory").optional(),
    /**
     * Virtual memory cap in MiB, at least max_physical_memory and 256 (vmadm raises a smaller value, so
     * preview refuses it). Default: max_physical_memory or 256.
     */
    max_swap: mib(256, "at least max_physical_memory and 256").optional(),
    /** Most lightweight processes at once. Default 2000. */
    max_lwps: z.number().int().min(1, "must be at least 1").optional(),
    /**
     * CPU cap in percent of one CPU (100: one CPU, 0: no cap; vmadm removes the cap and `vmadm get` leaves
     * it out, which counts as 0). Default: no cap. The guide uses 100.
     */
    cpu_cap: count("percent of one CPU; 100 is one CPU, 0 is no cap").optional(),
    /** Fair-share scheduler shares. Default 100. */
    cpu_shares: count("fair-share scheduler shares").optional(),
    /** Relative I/O priority. Default 100. */
    zfs_io_priority: count("relative I/O priority").optional(),
    /**
     * The zone's disk quota in GiB (0: none). Default 10 (vmadm). With
     * `capacityPlan`, a quota below the plan's need fails preview with the numbers.
     */
    quota: count("GiB of the zone's file system; 0 is no quota").optional(),
    /** MiB of memory for /tmp (0: no tmpfs). Default: max_physical_memory. A change to or from 0 waits for a reboot. */
    tmpfs: count("MiB of memory for /tmp; 0 is no tmpfs").optional(),
    /** Give the zone the dataset zones/<uuid>/data to manage itself (see ZoneDatasets). Default false. Create-only. */
    delegate_dataset: z.boolean().default(false),
    /**
     * Domain for /etc/hosts. Default `local`. Create-only: vmadm accepts an update but the zone keeps
     * the domain written at create (vmadm(8): "no effect"), so a change replaces the zone.
     */
    dns_domain: z
      .string()
      .refine((v) => isHostname(v), { message: "must be a domain name such as example.com" })
      .optional(),
    /**
     * The zone's nics; when set, exactly these (added, changed, removed with `vmadm update`). Default:
     * not managed. A running zone gets nic changes at its next boot only: see `rebootForChanges`;
     * until then `primaryIp` and `ips` stay the addresses it has.
     */
    nics: z.array(nicSchema).optional(),
    /**
     * Resolvers for /etc/resolv.conf, e.g. `["8.8.8.8", "8.8.4.4"]`, written at create. Default: none.
     * A later change reaches the zone's resolv.conf only with `maintain_resolvers: true`.
     */
    resolvers: z.array(ipAddress).optional(),
    /** Rewrite resolv.conf in the running zone when `resolvers` changes. Default false (vmadm shows false by leaving it out). */
    maintain_resolvers: z.boolean().optional(),
    /**
     * Metadata the zone reads with mdata-get (e.g. `root_authorized_keys`,
     * `user-script`). Wrap secrets with `pulumi.secret`; the payload reaches
     * vmadm on stdin only. Keys you set are managed, others left alone. Default: none.
     */
    customer_metadata: z.record(metadataKey, z.string()).optional(),
    /** Operator metadata (keys ending in `_pw` belong here). Default: none. */
    internal_metadata: z.record(metadataKey, z.string()).optional(),
    /** Tags. Default: none. */
    tags: z.record(metadataKey, z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Boot the zone with the machine. Default true; `vmadm stop` sets it false. */
    autoboot: z.boolean().optional(),
    /**
     * Apply fwadm firewall rules to the zone. Default false. With true, the zone's base policy blocks
     * **all inbound traffic, SSH and SMTP included** (fwrule(7)) until `fwadm` rules on the global zone
     * allow it, e.g. `fwadm add -e 'FROM any TO vm <uuid> ALLOW tcp PORT 22'`. Preview refuses true unless
     * SmartOsZone's `firewallAllowsSsh` says those rules exist.
     */
    firewall_enabled: z.boolean().optional(),
    /** Privileges of the zone. Default `default`. A change waits for a reboot. */
    limit_priv: text.optional(),
    /** File system types the zone may mount, e.g. `tmpfs`. Default: none. A change waits for a reboot. */
    fs_allowed: z
      .string()
      .regex(/^[a-z0-9]+(,[a-z0-9]+)*$/, "must be file system types separated by commas, such as ufs,pcfs,tmpfs")
      .optional(),
    /** Owner UUID, for external tools. Default all zeros. */
    owner_uuid: uuid.optional(),
    /** Billing UUID, for external tools. Default all zeros. */
    billing_id: uuid.optional(),
    /** Package name, for external tools. Default: none. */
    package_name: text.optional(),
    /** Package version, for external tools. Default: none. */
    package_version: text.optional(),
    /** Compression of the zone root (new writes only). Default `off` (`vmadm get` leaves `off` out). */
    zfs_root_compression: compression.optional(),
    /** Compression of the delegated dataset (needs delegate_dataset; new writes only). Default `off`. */
    zfs_data_compression: compression.optional(),
    /** Linux version an lx zone emulates, e.g. `4.3.0`. Default: the image's. lx only. A change waits for a reboot. */
    kernel_version: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, "must be a Linux version such as 4.3.0")
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const primaries = (m.nics ?? []).flatMap((n, i) => (n.primary ? [i] : []));
    if (primaries.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["nics"],
        message: `only one nic may be primary; nics[${primaries.join("] and nics[")}] are`,
      });
    }
    (m.nics ?? []).forEach((nic, i) => {
      const v4 = staticAddresses(nic).filter(([ip]) => isIP(ip) === 4);
      (nic.gateways ?? []).forEach((gw, g) => {
        if (v4.length > 0 && !v4.some(([ip, prefix]) => inNetwork(gw, ip, prefix))) {
          ctx.addIssue({
            code: "custom",
            path: ["nics", i, "gateways", g],
            message: `${gw} is not in this nic's network (${v4.map(([ip, p]) => `${ip}/${p}`).join(", ")}); the zone could not reach it`,
          });
        }
      });
    });
    // vmadm does not refuse these: VM.js fixPayloadMemory() clamps them, so the zone would never
    // have the value asked for and every up would show a change.
    const physical = m.max_physical_memory ?? 256;
    if (m.max_locked_memory !== undefined && m.max_locked_memory > physical) {
      ctx.addIssue({
        code: "custom",
        path: ["max_locked_memory"],
        message: `${m.max_locked_memory} MiB is more than max_physical_memory (${physical} MiB); vmadm would silently clamp it to ${physical} MiB: give at most ${physical}`,
      });
    }
    if (m.max_swap !== undefined && m.max_swap < physical) {
      ctx.addIssue({
        code: "custom",
        path: ["max_swap"],
        message: `${m.max_swap} MiB is less than max_physical_memory (${physical} MiB); vmadm would silently raise it to ${physical} MiB: give at least ${physical}`,
      });
    }
    if (m.kernel_version !== undefined && m.brand !== "lx") {
      ctx.addIssue({
        code: "custom",
        path: ["kernel_version"],
        message: "applies to lx zones only; remove it or use brand lx",
      });
    }
    if (m.zfs_data_compression !== undefined && !m.delegate_dataset) {
      ctx.addIssue({
        code: "custom",
        path: ["zfs_data_compression"],
        message: "applies to the delegated dataset only; set delegate_dataset: true or remove it",
      });
    }
    for (const key of Object.keys(m.customer_metadata ?? {})) {
      if (key.endsWith("_pw")) {
        ctx.addIssue({
          code: "custom",
          path: ["customer_metadata", key],
          message: "keys ending in _pw are read from internal_metadata (vmadm(8)); put it there",
        });
      }
    }
  });

/** A validated manifest with defaults applied. */
export type ZoneManifest = z.output<typeof zoneManifestSchema>;

// ---------------------------------------------------------------- the resource

/** vmadm(8)'s quota for an OS zone created without one, in GiB. */
const VMADM_DEFAULT_QUOTA = 10;

/** zod schema of SmartOsZone's inputs: `check` validates with it, the arguments' type derives from it. */
export const smartOsZoneSchema = z
  .object({
    /** How to reach the SmartOS global zone (the compute node running vmadm), with its pinned host key. */
    connection: connectionSchema,
    /** The zone, as a vmadm manifest; see `ZoneManifestArgs`. */
    manifest: zoneManifestSchema,
    /**
     * The guide's storage model (`planCapacity`'s inputs, e.g. `{ sentGbPerMonth: 5 }`).
     * When set, preview fails if `manifest.quota` is below what the plan needs, naming both numbers.
     * Default: no capacity check.
     */
    capacityPlan: capacityPlanSchema.optional(),
    /**
     * Reboot a running zone (`vmadm reboot`) when an update changed properties it only gets at boot
     * (nics, limit_priv, fs_allowed, kernel_version, tmpfs to or from 0), then wait until vmadm says it
     * runs and its primary address accepts connections on `readinessPort`, before dependent resources
     * get the new address. Setting it later applies changes still pending. Default false: the zone is
     * not rebooted; `pendingReboot` lists what waits and `primaryIp`/`ips` keep the addresses it has.
     */
    rebootForChanges: z.boolean().default(false),
    /**
     * TCP port that answers once a created or rebooted zone is up: create and a reboot wait (up to 5
     * minutes) until the primary address accepts on it before handing the address to dependent resources.
     * Default: `zoneSsh.port`, else 22.
     */
    readinessPort: z
      .number()
      .int()
      .min(1, "must be a TCP port, 1 to 65535")
      .max(65535, "must be a TCP port, 1 to 65535")
      .default(22),
    /**
     * Says fwadm rules allowing SSH (and what else the zone serves, such as SMTP) into this zone exist on
     * the global zone, so `manifest.firewall_enabled: true` will not lock everyone out. Default false:
     * preview refuses `firewall_enabled: true`.
     */
    firewallAllowsSsh: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    // fwrule(7): "The base policy for a VM with its firewall enabled is: block all inbound traffic".
    if (v.manifest.firewall_enabled === true && !v.firewallAllowsSsh) {
      ctx.addIssue({
        code: "custom",
        path: ["manifest", "firewall_enabled"],
        message:
          "true blocks all inbound traffic to the zone, SSH and SMTP included, until fwadm rules allow it (fwrule(7)); " +
          "add them on the global zone first, e.g. fwadm add -e 'FROM any TO vm <uuid> ALLOW tcp PORT 22', " +
          "then set firewallAllowsSsh: true, or leave firewall_enabled out",
      });
    }
    const quota = v.manifest.quota ?? VMADM_DEFAULT_QUOTA;
    if (!v.capacityPlan || quota === 0) return;
    const problem = checkQuotaCoversPlan(quota, planCapacity(v.capacityPlan), "zone");
    if (problem) {
      ctx.addIssue({
        code: "custom",
        path: ["manifest", "quota"],
        message: v.manifest.quota === undefined ? `is not set, so vmadm's default applies: ${problem}` : problem,
      });
    }
  });

/** Validated SmartOsZone inputs with defaults applied. */
export type SmartOsZoneInputs = z.output<typeof smartOsZoneSchema>;

/** What the provider stores: the inputs and what `vmadm get` reported. */
export interface SmartOsZoneState extends SmartOsZoneInputs {
  /** The zone's UUID (also the resource id). */
  uuid: string;
  /** The managed properties as `vmadm get` last reported them; refresh updates them, so drift shows. */
  live: LiveZone;
  /** vmadm's state: running, stopped, ... */
  state: string;
  /** The address to reach the zone at (the primary nic's first static IPv4), or null with only dhcp/addrconf. */
  primaryIp: string | null;
  /** Every static address of the zone, primary nic first, without prefix lengths. */
  ips: string[];
  /** The delegated dataset (zones/<uuid>/data), or null. */
  delegatedDataset: string | null;
  /** Changed properties the zone gets at its next boot (e.g. `nics`); empty when none wait. */
  pendingReboot: string[];
  /** The nics the zone booted with: its addresses now, whatever vmadm has stored since. */
  activeNics: LiveNic[];
}
