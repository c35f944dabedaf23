import type { Platform } from "./platform";
import { type Script, sh } from "./shell";

/**
 * The start of every remote script: the platform's PATH, a safe umask, and
 * `fail`, which prints its message on stderr, drops the staging directory
 * if one was made, and exits 65.
 */
export function prelude(platform: Platform): Script {
  return sh`PATH=${platform.path}; export PATH
umask 022
stage=
fail() { [ -z "$stage" ] || rm -rf "$stage"; printf '%s\n' "$*" >&2; exit 65; }`;
}
