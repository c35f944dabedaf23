import { z } from "zod";
import { type Script, sh } from "./shell";

/** Where things live and how services are driven on a kind of host. */
export interface Platform {
  /** Profile name as given in resource inputs. */
  readonly name: PlatformName;
  /** PATH for remote scripts, pkgsrc or distro tools first. */
  readonly path: string;
  /** Where the SASL client password map is kept (the guide's location on SmartOS). */
  readonly saslPasswordMap: string;
  /** Makes Postfix run with the current main.cf: enable and start it if needed, else reload it. */
  readonly reloadPostfix: Script;
}

/** The platform profiles: `smartos` (joyent-brand zone, pkgsrc) and `linux` (Debian/Ubuntu, also lx zones). */
export const platformNames = ["smartos", "linux"] as const;
/** A platform profile name. */
export type PlatformName = (typeof platformNames)[number];
/** zod schema of a profile name, defaulting to the guide's SmartOS zone. */
export const platformSchema = z.enum(platformNames).default("smartos");

const platforms: Record<PlatformName, Platform> = {
  smartos: {
    name: "smartos",
    path: "/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    saslPasswordMap: "/var/db/postfix/smtp_passwd",
    // The guide's `svcadm enable postfix`, then `svcadm refresh postfix` to reload main.cf.
    reloadPostfix: sh`svcadm enable -s postfix && svcadm refresh postfix`,
  },
  linux: {
    name: "linux",
    path: "/usr/sbin:/usr/bin:/sbin:/bin",
    saslPasswordMap: "/etc/postfix/sasl/smtp_passwd",
    // With systemd the unit owns the master process; without it (containers, chroots) postfix(1) does.
    reloadPostfix: sh`if [ -d /run/systemd/system ]; then systemctl enable --now postfix >/dev/null 2>&1 && systemctl reload postfix; elif postfix status >/dev/null 2>&1; then postfix reload 2>&1; else postfix start 2>&1; fi`,
  },
};

/** The profile for a name. */
export function platform(name: PlatformName): Platform {
  return platforms[name];
}
