/**
 * Turns on Node.js's module compile cache for every module loaded after this one, in the private
 * directory {@link compileCacheDir} names. `provider-runtime` imports it first, so the provider code,
 * zod and the SSH client come from the cache; a user's program never loads it. Node.js keys each entry
 * by the file's content and its own version, so an upgrade of either never reads a stale one; it prints
 * nothing, and a cache it cannot write is skipped. Node.js 22.0 has no `enableCompileCache`.
 */
import * as nodeModule from "node:module";
import { compileCacheDir } from "./compile-cache";

const dir = process.getuid ? compileCacheDir(process.env, process.getuid()) : undefined;
if (dir !== undefined) nodeModule.enableCompileCache?.(dir);
