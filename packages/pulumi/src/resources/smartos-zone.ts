import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type ConnectionArgs, secretConnection } from "../remote/connection";
import type { nicSchema, smartOsZoneSchema, zoneManifestSchema } from "../schemas/smartos-zone";
import type { LiveZone } from "../smartos/manifest";
import { type HostArgs, HostResource } from "./host-resource";
import type { InputsOf } from "./input-types";

/** One nic of the zone (`nics.*` in vmadm(8)), derived from its schema. */
export type ZoneNicArgs = InputsOf<z.input<typeof nicSchema>>;

/**
 * The vmadm manifest, with vmadm(8)'s property names, e.g. the guide's zone:
 * `{ alias: "cospix.pdx0.mx1", hostname: "cospix-pdx0-mx1", brand: "joyent",
 * image_uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33", max_physical_memory: 1024,
 * cpu_cap: 100, quota: 1000, delegate_dataset: true, nics: [...], resolvers: ["8.8.8.8", "8.8.4.4"] }`.
 * brand, image_uuid, delegate_dataset, dns_domain and hostname only take
 * effect at create: changing one replaces the zone, destroying the old zone
 * and its delegated dataset (guard a zone holding mail with the `protect`
 * option). Everything else is changed in place with `vmadm update`; the
 * memory and CPU caps, quota and I/O priority apply at once (vmadm's "live
 * update"), nics, limit_priv, fs_allowed and kernel_version at the zone's
 * next boot (see `rebootForChanges`). A property left out gets vmadm's
 * default and is not managed. Derived from its schema (fields: the README's
 * SmartOsZone table, `manifest.*`).
 */
export type ZoneManifestArgs = InputsOf<z.input<typeof zoneManifestSchema>>;

/**
 * How to log in to the zone itself once it runs; see {@link SmartOsZone.zoneConnection}.
 * A {@link ConnectionArgs} with these differences: `host` may be left out (the
 * zone's `primaryIp`); without `privateKey` and `agentSocket` the global zone
 * connection's key or agent is used; and the zone makes its host key on first
 * boot, so read `hostKeyFingerprint` over a trusted path after the first `up`,
 * e.g. on the global zone:
 * `zlogin <uuid> ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`.
 */
export interface ZoneSshArgs extends Omit<ConnectionArgs, "host"> {
  /** Address to connect to. Default: the zone's primary IPv4 address (`primaryIp`). */
  host?: ConnectionArgs["host"];
}

/** Arguments of {@link SmartOsZone}, derived from its schema (fields: the README's field table), and `zoneSsh`. */
export type SmartOsZoneArgs = HostArgs<z.input<typeof smartOsZoneSchema>> & {
  /**
   * Log-in details for the zone, for `zoneConnection`. Default: no zone connection.
   * As the connection's fields, except: `host` defaults to the zone's `primaryIp`; without
   * `privateKey` and `agentSocket` the global zone connection's are used; the zone makes its host
   * key on first boot, so read its fingerprint after the first `up`, e.g. on the global zone
   * `zlogin <uuid> ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`. Not sent to the provider.
   */
  zoneSsh?: ZoneSshArgs;
};

/**
 * A SmartOS zone made with vmadm on a global zone, as the guide's "SmartOS
 * Zone Configuration": created from a typed manifest (the image imported with
 * imgadm when missing), changed in place with `vmadm update` where vmadm
 * allows it and replaced where it does not, read back with `vmadm get` so
 * refresh shows drift, and stopped and deleted on destroy.
 */
export class SmartOsZone extends HostResource {
  /** The zone's UUID. */
  declare readonly uuid: pulumi.Output<string>;
  /** vmadm's state: running, stopped, ... */
  declare readonly state: pulumi.Output<string>;
  /**
   * The primary nic's first static IPv4 address (else its first static one), or null: an address
   * the zone has now (a nic change waiting for a reboot does not show here yet).
   */
  declare readonly primaryIp: pulumi.Output<string | null>;
  /** Every static address of the zone, primary nic first, without prefix lengths. */
  declare readonly ips: pulumi.Output<string[]>;
  /** The delegated dataset (zones/<uuid>/data) when delegate_dataset is true, else null. */
  declare readonly delegatedDataset: pulumi.Output<string | null>;
  /** Changed properties the zone gets at its next boot, e.g. `["nics"]`; empty when nothing waits. */
  declare readonly pendingReboot: pulumi.Output<string[]>;
  /** The managed properties as vmadm last reported them. */
  declare readonly live: pulumi.Output<LiveZone>;
  /**
   * How to reach the zone itself over SSH, ready for PostfixConfig,
   * OpenDkimKey or ZoneDatasets (`connection: zone.zoneConnection`):
   * `zoneSsh` with its defaults. Undefined without `zoneSsh`.
   */
  readonly zoneConnection: ConnectionArgs | undefined;

  /**
   * @param name the resource name.
   * @param args the zone; see {@link SmartOsZoneArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: SmartOsZoneArgs, opts?: pulumi.CustomResourceOptions) {
    // The provider gets the schema's fields only: zoneSsh stays here, its port the readiness default.
    const inputs: HostArgs<z.input<typeof smartOsZoneSchema>> = {
      connection: args.connection,
      manifest: args.manifest,
      capacityPlan: args.capacityPlan,
      rebootForChanges: args.rebootForChanges,
      readinessPort: args.readinessPort ?? args.zoneSsh?.port,
      firewallAllowsSsh: args.firewallAllowsSsh,
    };
    super("smartOsZone", name, inputs, opts);
    this.zoneConnection = args.zoneSsh && zoneConnectionOf(name, args.connection, args.zoneSsh, this.primaryIp);
  }
}

function zoneConnectionOf(
  name: string,
  globalZone: ConnectionArgs,
  ssh: ZoneSshArgs,
  primaryIp: pulumi.Output<string | null>,
): ConnectionArgs {
  const ownCredentials = ssh.privateKey !== undefined || ssh.agentSocket !== undefined;
  const credentials = ownCredentials ? ssh : globalZone;
  return secretConnection({
    host:
      ssh.host ??
      primaryIp.apply((ip) => {
        if (ip === null) {
          throw new Error(`SmartOsZone ${name}: the primary nic has no static address to connect to; set zoneSsh.host`);
        }
        return ip;
      }),
    port: ssh.port,
    user: ssh.user,
    privateKey: credentials.privateKey,
    privateKeyPassword: credentials.privateKeyPassword,
    agentSocket: credentials.agentSocket,
    hostKeyFingerprint: ssh.hostKeyFingerprint,
  });
}
