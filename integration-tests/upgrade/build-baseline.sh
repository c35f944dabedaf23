#!/bin/bash
# A released @smartos-mail/pulumi for the upgrade tests, built from its commit in this repository's history,
# laid out where a test can load it: prints that directory (its last line of output).
#
#   build-baseline.sh COMMIT DEST
#
# The build is cached outside the clone, keyed by commit, like engine/setup-pulumi.sh's CLI:
# `git archive` of the commit's packages/pulumi and examples, compiled with this clone's TypeScript against
# this clone's installed dependencies (no registry access; about 30 s on 2 cores, once per commit). The cache
# holds no link into any clone. DEST (under .test-output) then gets a copy of the built package and of
# examples/send-only, whose node_modules link to this clone's install: one realpath of @pulumi/pulumi and
# of every other dependency for both versions (pulumi/pulumi#7333), and the example loads the baseline's
# library. Once the package is published, `npm pack @smartos-mail/pulumi@<release>` replaces the archive.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
commit=$(git -C "$root" rev-parse --verify "$1^{commit}")
dest=$2
cache=${SMARTOS_MAIL_CACHE:-/var/cache/smartos-mail}/upgrade/$commit
log() { echo "build-baseline: $*" >&2; }
sdk=$(readlink -f "$root/packages/pulumi/node_modules/@pulumi/pulumi")

# Links the tree's node_modules to this clone's install (DIR is packages/pulumi's parent's parent).
link_install() {
  local dir=$1
  ln -sfn "$root/packages/pulumi/node_modules" "$dir/packages/pulumi/node_modules"
  mkdir -p "$dir/examples/send-only/node_modules/@pulumi" "$dir/examples/send-only/node_modules/@smartos-mail"
  ln -sfn "$sdk" "$dir/examples/send-only/node_modules/@pulumi/pulumi"
  ln -sfn ../../../../packages/pulumi "$dir/examples/send-only/node_modules/@smartos-mail/pulumi"
}

# Test files run side by side: one builds, the others wait for it.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -f "$cache/built" ]; then
  log "building @smartos-mail/pulumi at $commit into $cache (once per commit)"
  rm -rf "$cache.tmp"
  mkdir -p "$cache.tmp"
  git -C "$root" archive "$commit" tsconfig.base.json packages/pulumi examples/send-only | tar -x -C "$cache.tmp"
  link_install "$cache.tmp"
  # @types/node and the compiler, as the clone's root resolves them.
  ln -sfn "$root/node_modules" "$cache.tmp/node_modules"
  "$root/node_modules/.bin/tsc" -b "$cache.tmp/packages/pulumi" "$cache.tmp/examples/send-only"
  rm -rf "$cache.tmp/node_modules" "$cache.tmp/packages/pulumi/node_modules" "$cache.tmp/examples/send-only/node_modules"
  touch "$cache.tmp/built"
  rm -rf "$cache"
  mv "$cache.tmp" "$cache"
fi
flock -u 9

rm -rf "$dest"
mkdir -p "$dest/packages/pulumi" "$dest/examples/send-only"
cp -r "$cache/packages/pulumi/package.json" "$cache/packages/pulumi/dist" "$dest/packages/pulumi/"
cp -r "$cache/examples/send-only/Pulumi.yaml" "$cache/examples/send-only/dist" "$dest/examples/send-only/"
link_install "$dest"
log "release at $commit laid out in $dest"
echo "$dest"
