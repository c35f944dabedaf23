import { randomUUID } from "node:crypto";
import { putMarkedBlock, removeMarkedBlock, showMarkedBlock } from "./marked-block";
import { type Script, sh } from "./shell";

// A crontab is not edited in place: cron learns of changes only through
// crontab(1) (illumos cron does not re-read its spool by itself). So the
// login user's crontab is copied to a private work file, edited there with the
// marked-block helpers, and installed back with `crontab FILE` if it changed.
// Debian and illumos both keep crontabs in /var/spool/cron/crontabs.
const SPOOL = "/var/spool/cron/crontabs";

/** A work file under /var/run (root only), unique per script so concurrent reads never share one. */
function workFile(): string {
  return `/var/run/smartos-mail-crontab.${randomUUID()}`;
}

/**
 * Copies `user`'s crontab (the login user's) to `work`; an absent crontab is
 * an empty file. A crontab that exists but cannot be listed fails the script,
 * so its entries are never replaced by ours alone.
 */
function copyCrontab(user: string, work: string): Script {
  return sh`if ! (umask 077 && crontab -l >${work} 2>/dev/null); then
  if [ -f ${`${SPOOL}/${user}`} ]; then rm -f ${work}; fail ${`crontab -l failed although ${SPOOL}/${user} exists; nothing was changed`}; fi
  (umask 077 && : >${work}) || fail "cannot write a work copy of the crontab in /var/run"
fi`;
}

/**
 * Puts `lines` between `owner`'s markers in the login user's crontab,
 * leaving every other entry as it was; installs it only when it changed.
 * Must run under the host lock.
 */
export function putCronBlock(user: string, owner: string, lines: string): Script {
  const work = workFile();
  return sh`${copyCrontab(user, work)}
${putMarkedBlock(work, owner, lines)}
if [ -n "$block_changed" ]; then crontab ${work} || { rm -f ${work}; fail "crontab refused the new entry"; }; fi
rm -f ${work}`;
}

/**
 * Removes `owner`'s block from the login user's crontab. A crontab left with
 * nothing in it is removed (`crontab -r`), as it was before the block came.
 * Must run under the host lock.
 */
export function removeCronBlock(user: string, owner: string): Script {
  const work = workFile();
  return sh`${copyCrontab(user, work)}
${removeMarkedBlock(work, owner)}
if [ -n "$block_changed" ]; then
  if awk 'NF { found = 1 } END { exit !found }' ${work}; then crontab ${work}; else crontab -r; fi || { rm -f ${work}; fail "crontab refused the change"; }
fi
rm -f ${work}`;
}

/** Prints the lines of `owner`'s block in the login user's crontab (nothing when absent). */
export function showCronBlock(user: string, owner: string): Script {
  const work = workFile();
  return sh`${copyCrontab(user, work)}
${showMarkedBlock(work, owner)}
rm -f ${work}`;
}
