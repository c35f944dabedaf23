/**
 * Where the provider process keeps Node.js's module compile cache (Node.js 22.1 and later): the engine
 * starts a new provider process for every `pulumi up`, `preview`, `refresh` and `destroy`, and each one
 * would compile the providers, zod and the SSH client again. The cache holds V8 code that the process
 * runs, and this process holds SSH keys and API tokens: it may only live in a directory no other account
 * can write, never in the shared temporary directory Node.js picks by default.
 */
import { lstatSync, mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Whether a directory is a real directory (not a link) of account `uid` that only it can write. */
function isPrivate(dir: string, uid: number): boolean {
  const st = lstatSync(dir);
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/**
 * The directory for the provider process's compile cache: `smartos-mail/node-compile-cache` under
 * `XDG_CACHE_HOME` (else `~/.cache`), made with mode 0700. Undefined, and so no cache, when the user
 * set `NODE_COMPILE_CACHE` (Node.js has turned the cache on there itself) or `NODE_DISABLE_COMPILE_CACHE`,
 * when it or the `smartos-mail` directory above it is a link, another account's, or writable by group or
 * others, or when it cannot be made.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv, uid: number): string | undefined {
  if (env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  const own = path.join(base, "smartos-mail");
  const dir = path.join(own, "node-compile-cache");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return isPrivate(own, uid) && isPrivate(dir, uid) ? dir : undefined;
  } catch {
    return undefined;
  }
}
