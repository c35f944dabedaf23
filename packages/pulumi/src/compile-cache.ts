/**
 * Turns on Node.js's module compile cache (Node.js 22.1 and later) for the modules the provider process
 * loads after this one: the providers, zod, the SSH client. The engine starts a new provider process for
 * every `pulumi up`, `preview`, `refresh` and `destroy`, and each one compiles them again; with the
 * cache, V8 reads the compiled code back from disk instead. The cache lives in `NODE_COMPILE_CACHE` when
 * the user set it, else in `node-compile-cache` under the OS's temporary directory; Node.js keys each
 * entry by the file's content and its own version, so an upgrade never reads a stale one. Nothing is
 * printed, and a cache that cannot be written is skipped. `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 * Imported first by `provider-runtime` only, so a user's program is not affected.
 */
import * as nodeModule from "node:module";

// Node.js 22.0 has no enableCompileCache (engines allows >=22).
nodeModule.enableCompileCache?.();
