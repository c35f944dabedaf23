/**
 * EMULATOR of pkgin(1) for the testbed's SmartOS personality, written from
 * pkgin(1) and the layout of pkgsrc's Postfix on SmartOS (prefix /opt/local,
 * configuration in /opt/local/etc/postfix, data in /var/db/postfix, an SMF
 * service network/postfix). Installed as /opt/local/bin/pkgin in a test host
 * only. Nothing is downloaded: a package is Debian's already-installed
 * binaries laid out the pkgsrc way.
 *
 * Covers: `[-y] install|in PKG...` for the one package the testbed offers,
 * postfix: /opt/local/sbin gets Postfix's commands as wrappers that point
 * Debian's binaries at config_directory /opt/local/etc/postfix (MAIL_CONFIG;
 * postdrop and postqueue are copies set-gid to group maildrop, pkgsrc's
 * setgid_group (mail/postfix/Makefile: PKG_GROUPS postfix maildrop, and
 * DEF_SGID_GROUP postdrop -> maildrop), which also owns the queue's maildrop
 * and public directories, so `postfix check` is clean), /opt/local/bin gets
 * newaliases and mailq, main.cf gets the pkgsrc directories. pkgsrc does not
 * change Postfix's alias database, so it stays the compiled-in SunOS default
 * hash:/etc/mail/aliases (Postfix's src/util/sys_defs.h); Debian's binaries
 * default to /etc/aliases, so main.cf names it here, and /etc/mail/aliases
 * starts as a copy of /etc/aliases. Debian's /etc/postfix/main.cf lists the
 * directory in alternate_config_directories (the set-gid programs insist),
 * and the SMF service svc:/network/postfix:default is registered disabled,
 * as a manifest import leaves it. Also `list|ls` and `avail|av`.
 * "already installed" and "not available in the repository" as pkgin says.
 *
 * opendkim: Debian's binaries (moved out of /usr by smartos-host.sh, as a
 * SmartOS zone has no OpenDKIM in /usr) in /opt/local/sbin, reading
 * /opt/local/etc/opendkim.conf by default (pkgsrc's --sysconfdir); the
 * package's directories /var/db/opendkim (opendkim 0700) and
 * /var/run/opendkim (0750) as mail/opendkim/Makefile's OWN_DIRS_PERMS; and
 * svc:/pkgsrc/opendkim:default (mk/smf.mk's SMF_PREFIX pkgsrc), disabled,
 * with the manifest's methods only (mail/opendkim/files/smf/manifest.xml):
 * start runs opendkim as opendkim:opendkim (method_credential), stop kills
 * it (`:kill`), and there is no refresh method.
 *
 * pflogsumm: sysutils/pflogsumm installs its script as ${PREFIX}/sbin/pflogsumm.
 */
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { loadServices, saveServices } from "./smf";
import { CommandFailure, host, readJson, runCli, statePath, withLock, writeJson } from "./state";

const PREFIX = "/opt/local";
const CONFIG = `${PREFIX}/etc/postfix`;
const INSTALLED = statePath("pkgin", "installed.json");
const COMMENT = "Fast, easy to administer, and secure mail transfer agent";

/** Postfix's commands that only need MAIL_CONFIG pointed at the pkgsrc configuration. */
const WRAPPED = [
  "postalias",
  "postcat",
  "postconf",
  "postfix",
  "postkick",
  "postlock",
  "postlog",
  "postmap",
  "postmulti",
  "postsuper",
  "sendmail",
];

function wrapper(path: string, exec: string): void {
  writeFileSync(
    path,
    `#!/bin/sh\n# pkgsrc layout in the testbed (see pkgin.ts): Debian's Postfix with config_directory ${CONFIG}.\nMAIL_CONFIG=\${MAIL_CONFIG:-${CONFIG}}; export MAIL_CONFIG\nexec ${exec} "$@"\n`,
  );
  chmodSync(path, 0o755);
}

function postfixVersion(): string {
  return host("/usr/sbin/postconf", ["-d", "-h", "mail_version"], "postconf").trim();
}

function installPostfix(): void {
  mkdirSync(`${PREFIX}/sbin`, { recursive: true });
  mkdirSync(`${PREFIX}/bin`, { recursive: true });
  mkdirSync(`${PREFIX}/libexec`, { recursive: true });
  mkdirSync(CONFIG, { recursive: true });
  host("cp", ["-rL", "/etc/postfix/.", `${CONFIG}/`], "copy the default configuration");
  mkdirSync("/etc/mail", { recursive: true });
  host("cp", ["/etc/aliases", "/etc/mail/aliases"], "copy the aliases");
  host("groupadd", ["-f", "maildrop"], "add the maildrop group");
  if (!existsSync(`${PREFIX}/libexec/postfix`)) symlinkSync("/usr/lib/postfix/sbin", `${PREFIX}/libexec/postfix`);
  for (const c of WRAPPED) wrapper(`${PREFIX}/sbin/${c}`, `/usr/sbin/${c}`);
  for (const c of ["postdrop", "postqueue"]) {
    host("install", ["-m", "2555", "-g", "maildrop", `/usr/sbin/${c}`, `${PREFIX}/sbin/${c}`], `install ${c}`);
  }
  host("chgrp", ["maildrop", "/var/spool/postfix/maildrop", "/var/spool/postfix/public"], "chgrp the queue");
  wrapper(`${PREFIX}/bin/newaliases`, `${PREFIX}/sbin/sendmail -I`);
  wrapper(`${PREFIX}/bin/mailq`, `${PREFIX}/sbin/sendmail -bp`);
  mkdirSync("/var/db/postfix", { recursive: true });
  host("chown", ["postfix", "/var/db/postfix"], "chown /var/db/postfix");
  host(
    `${PREFIX}/sbin/postconf`,
    [
      "-c",
      CONFIG,
      "-e",
      `command_directory=${PREFIX}/sbin`,
      `daemon_directory=${PREFIX}/libexec/postfix`,
      `meta_directory=${CONFIG}`,
      "data_directory=/var/db/postfix",
      `sendmail_path=${PREFIX}/sbin/sendmail`,
      `newaliases_path=${PREFIX}/bin/newaliases`,
      `mailq_path=${PREFIX}/bin/mailq`,
      "setgid_group=maildrop",
      "alias_maps=hash:/etc/mail/aliases",
      "alias_database=hash:/etc/mail/aliases",
    ],
    "configure the pkgsrc directories",
  );
  host("/usr/sbin/postconf", ["-e", `alternate_config_directories=${CONFIG}`], "allow the configuration directory");
  host(`${PREFIX}/bin/newaliases`, [], "newaliases");
  const postfix = `${PREFIX}/sbin/postfix`;
  withLock("smf", () => {
    const services = loadServices();
    services["svc:/network/postfix:default"] = {
      fmri: "svc:/network/postfix:default",
      start: [postfix, "start"],
      stop: [postfix, "stop"],
      refresh: [postfix, "reload"],
      probe: [postfix, "status"],
      enabled: false,
      state: "disabled",
      stime: new Date().toISOString(),
    };
    saveServices(services);
  });
}

/** Where smartos-host.sh keeps the Debian binaries a zone gets only from pkgsrc. */
const STASH = "/usr/lib/smartos-emulator/pkgsrc";

function installOpenDkim(): void {
  mkdirSync(`${PREFIX}/sbin`, { recursive: true });
  const conf = `${PREFIX}/etc/opendkim.conf`;
  writeFileSync(
    `${PREFIX}/sbin/opendkim`,
    `#!/bin/sh\n# pkgsrc layout in the testbed (see pkgin.ts): Debian's opendkim, configuration ${conf} unless -x names one.\ncase " $* " in *" -x "*) exec ${STASH}/opendkim "$@" ;; esac\nexec ${STASH}/opendkim -x ${conf} "$@"\n`,
  );
  chmodSync(`${PREFIX}/sbin/opendkim`, 0o755);
  for (const c of ["opendkim-testkey", "opendkim-genkey"]) {
    if (existsSync(`${STASH}/${c}`)) symlinkSync(`${STASH}/${c}`, `${PREFIX}/sbin/${c}`);
  }
  for (const [dir, mode] of [
    ["/var/db/opendkim", "0700"],
    ["/var/run/opendkim", "0750"],
  ]) {
    host("install", ["-d", "-m", mode, "-o", "opendkim", "-g", "opendkim", dir], `make ${dir}`);
  }
  withLock("smf", () => {
    const services = loadServices();
    services["svc:/pkgsrc/opendkim:default"] = {
      fmri: "svc:/pkgsrc/opendkim:default",
      // method_credential user/group opendkim, working_directory /var/db/opendkim.
      start: ["setpriv", "--reuid=opendkim", "--regid=opendkim", "--init-groups", "--", `${PREFIX}/sbin/opendkim`],
      stop: ["pkill", "-u", "opendkim", "-x", "opendkim"],
      probe: ["pgrep", "-u", "opendkim", "-x", "opendkim"],
      enabled: false,
      state: "disabled",
      stime: new Date().toISOString(),
    };
    saveServices(services);
  });
}

function installPflogsumm(): void {
  mkdirSync(`${PREFIX}/sbin`, { recursive: true });
  symlinkSync(`${STASH}/pflogsumm`, `${PREFIX}/sbin/pflogsumm`);
}

function debianVersion(pkg: string): string {
  return host("dpkg-query", ["-W", "-f", `\${Version}`, pkg], `version of ${pkg}`).replace(/-[^-]*$/, "");
}

/** What the testbed's repository offers: package name -> version, comment, installer. */
function repository(): Record<string, { version: string; comment: string; install: () => void }> {
  return {
    postfix: { version: postfixVersion(), comment: COMMENT, install: installPostfix },
    opendkim: {
      version: debianVersion("opendkim"),
      comment: "Open source DKIM library, MTA filter implementation and tools",
      install: installOpenDkim,
    },
    pflogsumm: {
      version: debianVersion("pflogsumm"),
      comment: "Produce summaries from Postfix syslog data",
      install: installPflogsumm,
    },
  };
}

function listing(packages: Record<string, string>): string {
  const repo = repository();
  return Object.entries(packages)
    .map(([name, version]) => `${`${name}-${version}`.padEnd(24)}${repo[name]?.comment ?? ""}\n`)
    .join("");
}

runCli((argv) => {
  const args = argv.filter((a) => a !== "-y");
  const [command, ...packages] = args;
  const installed = readJson<Record<string, string>>(INSTALLED, {});
  switch (command) {
    case "list":
    case "ls":
      process.stdout.write(listing(installed));
      return;
    case "avail":
    case "av":
      process.stdout.write(listing(Object.fromEntries(Object.entries(repository()).map(([n, p]) => [n, p.version]))));
      return;
    case "install":
    case "in": {
      if (packages.length === 0) throw new CommandFailure("pkgin: missing package name", 1);
      const repo = repository();
      for (const name of packages) {
        if (!repo[name]) throw new CommandFailure(`${name} is not available in the repository`);
      }
      for (const name of packages) {
        const label = `${name}-${repo[name].version}`;
        if (installed[name]) {
          process.stdout.write(`${label} is already installed\n`);
          continue;
        }
        process.stdout.write(`installing ${label}...\n`);
        repo[name].install();
        installed[name] = repo[name].version;
        writeJson(INSTALLED, installed);
      }
      return;
    }
    default:
      throw new CommandFailure(
        `pkgin: ${command === undefined ? "missing command" : `'${command}' is not emulated`}; the testbed's pkgin covers install, list, avail`,
        1,
      );
  }
});
