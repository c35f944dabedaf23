import { type Script, sh } from "./shell";

/** The host-wide lock directory; under /var/run so a reboot clears it. */
export const LOCK_DIR = "/var/run/smartos-mail.lock";

/**
 * Wraps a script so it runs while holding the host-wide edit lock.
 *
 * SmartOS has no util-linux `flock`, so this uses `mkdir`, atomic on every
 * POSIX file system. The holder writes its shell's pid into the lock; a
 * waiter that finds the holder dead takes the lock over by renaming it away
 * (only one waiter's rename can succeed) and checking it moved the dead
 * holder's lock. The wait is bounded: 1200 tries of 0.1 s, then exit 75.
 * `lockDir` is for tests that run host scripts outside a testbed host.
 */
export function withRemoteLock(body: Script, lockDir: string = LOCK_DIR): Script {
  return sh`lock=${lockDir}
tries=0
while ! mkdir "$lock" 2>/dev/null; do
  owner=$(cat "$lock/pid" 2>/dev/null || true)
  if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
    if mv "$lock" "$lock.stale.$$" 2>/dev/null; then
      if [ "$(cat "$lock.stale.$$/pid" 2>/dev/null)" = "$owner" ]; then rm -rf "$lock.stale.$$"; else mv "$lock.stale.$$" "$lock" 2>/dev/null || rm -rf "$lock.stale.$$"; fi
    fi
    continue
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 1200 ]; then echo "timed out after 120s waiting for $lock (held by pid \${owner:-unknown})" >&2; exit 75; fi
  sleep 0.1 2>/dev/null || sleep 1
done
echo $$ >"$lock/pid"
trap 'rm -rf "$lock"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
${body}`;
}
