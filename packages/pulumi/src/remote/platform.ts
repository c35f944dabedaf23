import { z } from "zod";
import { type Script, sh } from "./shell";

/** Where things live and how services are driven on a kind of host. */
export interface Platform {
  /** Profile name as given in resource inputs. */
  readonly name: PlatformName;
  /** PATH for remote scripts, pkgsrc or distro tools first. */
  readonly path: string;
  /** Postfix's config_directory as the platform's package installs it. */
  readonly configDir: string;
  /** Where the SASL client password map is kept (the guide's location on SmartOS). */
  readonly saslPasswordMap: string;
  /** Makes Postfix run with the current main.cf: enable and start it if needed, else reload it. */
  readonly reloadPostfix: Script;
  /** Restarts Postfix and returns once it runs again; a reload does not give running daemons a new group list. */
  readonly restartPostfix: Script;
  /** Prints the SHA-256 (hex) of the file named by `$1`. */
  readonly sha256: Script;
  /** OpenDKIM on this platform. */
  readonly openDkim: OpenDkimPlatform;
}

/** Where OpenDKIM lives and how it is driven. */
export interface OpenDkimPlatform {
  /** Installs the opendkim daemon and opendkim-testkey. */
  readonly install: Script;
  /** opendkim.conf. */
  readonly confPath: string;
  /** The guide's data directory: keys and tables. */
  readonly dbDir: string;
  /** Directory holding the milter socket, made opendkim:opendkim 0750 when it is not `dbDir`. */
  readonly socketDir: string;
  /** The `Socket` line's value. */
  readonly socket: string;
  /** The socket as Postfix's smtpd_milters/non_smtpd_milters name it. */
  readonly milter: string;
  /** opendkim.conf lines this platform's service needs beyond the guide's. */
  readonly extraConf: readonly string[];
  /** Enables the service and (re)starts it with the current configuration. */
  readonly restart: Script;
  /** Makes the running daemon re-read its configuration, tables and keys. */
  readonly reload: Script;
  /** Stops and disables the service. */
  readonly stop: Script;
  /** Exits 0 when the daemon is running. */
  readonly running: Script;
}

/** The platform profiles: `smartos` (joyent-brand zone, pkgsrc) and `linux` (Debian/Ubuntu, also lx zones). */
export const platformNames = ["smartos", "linux"] as const;
/** A platform profile name. */
export type PlatformName = (typeof platformNames)[number];
/** zod schema of a profile name, defaulting to the guide's SmartOS zone. */
export const platformSchema = z.enum(platformNames).default("smartos");

/**
 * Restarts an SMF service and returns once it is online again. `svcadm restart`
 * only requests a restart and returns before it happens (svcadm(8): restart
 * "Requests that the service instances ... be restarted" and, unlike enable and
 * disable, has no -s). So the service is disabled and enabled with -s, each of
 * which waits for its state; svcadm fails when the service ends in
 * maintenance, and the state is then printed on stderr.
 */
function smfRestart(service: string): Script {
  return sh`{ svcadm disable -s ${service} && svcadm enable -s ${service}; } || {
  echo ${`${service} did not come back online; svcs says:`} "$(svcs -H -o state ${service} 2>&1)" >&2
  false
}`;
}

const platforms: Record<PlatformName, Platform> = {
  smartos: {
    name: "smartos",
    path: "/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    configDir: "/opt/local/etc/postfix",
    saslPasswordMap: "/var/db/postfix/smtp_passwd",
    // The guide's `svcadm enable postfix`, then `svcadm refresh postfix` to reload main.cf.
    reloadPostfix: sh`svcadm enable -s postfix && svcadm refresh postfix`,
    restartPostfix: smfRestart("postfix"),
    sha256: sh`digest -a sha256 "$1"`,
    openDkim: {
      install: sh`pkgin -y install opendkim`,
      confPath: "/opt/local/etc/opendkim.conf",
      dbDir: "/var/db/opendkim",
      // The guide's socket; pkgsrc Postfix does not chroot its daemons.
      socketDir: "/var/db/opendkim",
      socket: "local:/var/db/opendkim/opendkim.sock",
      milter: "unix:/var/db/opendkim/opendkim.sock",
      extraConf: [],
      restart: smfRestart("opendkim"),
      // pkgsrc's OpenDKIM manifest (mail/opendkim/files/smf/manifest.xml) has
      // start and stop methods only, and `svcadm refresh` runs a refresh method
      // only if there is one (svcadm(8)): a refresh would leave the daemon with
      // its old tables and keys. A restart makes it read them.
      reload: smfRestart("opendkim"),
      stop: sh`svcadm disable -s opendkim`,
      running: sh`[ "$(svcs -H -o state opendkim 2>/dev/null)" = online ]`,
    },
  },
  linux: {
    name: "linux",
    path: "/usr/sbin:/usr/bin:/sbin:/bin",
    configDir: "/etc/postfix",
    saslPasswordMap: "/etc/postfix/sasl/smtp_passwd",
    // With systemd the unit owns the master process; without it (containers, chroots) postfix(1) does.
    reloadPostfix: sh`if [ -d /run/systemd/system ]; then systemctl enable --now postfix >/dev/null 2>&1 && systemctl reload postfix; elif postfix status >/dev/null 2>&1; then postfix reload 2>&1; else postfix start 2>&1; fi`,
    restartPostfix: sh`if [ -d /run/systemd/system ]; then systemctl enable postfix >/dev/null 2>&1 && systemctl restart postfix; else
  postfix stop >/dev/null 2>&1
  n=0; while postfix status >/dev/null 2>&1 && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  postfix start 2>&1
fi`,
    sha256: sh`sha256sum "$1" | awk '{ print $1 }'`,
    openDkim: {
      install: sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q opendkim opendkim-tools`,
      confPath: "/etc/opendkim.conf",
      dbDir: "/var/db/opendkim",
      // Debian runs smtpd and cleanup chrooted in the queue directory, so the
      // socket lives there and Postfix names it relative to it, which works
      // chrooted or not (Debian's README.Debian does the same).
      socketDir: "/var/spool/postfix/opendkim",
      socket: "local:/var/spool/postfix/opendkim/opendkim.sock",
      milter: "unix:opendkim/opendkim.sock",
      // Debian's unit and init script start opendkim as root with this pid file.
      extraConf: ["UserID opendkim", "PidFile /run/opendkim/opendkim.pid"],
      restart: sh`if [ -d /run/systemd/system ]; then systemctl enable opendkim >/dev/null 2>&1 && systemctl restart opendkim; else service opendkim restart >/dev/null; fi`,
      reload: sh`if [ -d /run/systemd/system ]; then systemctl reload opendkim; else service opendkim reload >/dev/null; fi`,
      stop: sh`if [ -d /run/systemd/system ]; then systemctl disable --now opendkim >/dev/null 2>&1; else service opendkim stop >/dev/null 2>&1; fi; true`,
      running: sh`[ -f /run/opendkim/opendkim.pid ] && kill -0 "$(cat /run/opendkim/opendkim.pid)" 2>/dev/null`,
    },
  },
};

/** The profile for a name. */
export function platform(name: PlatformName): Platform {
  return platforms[name];
}
