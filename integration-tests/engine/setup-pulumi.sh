#!/bin/bash
# The real Pulumi engine for the demo, the tests and the benchmarks: prints the
# directory that holds the `pulumi` CLI to use (its last line of output).
#
# Uses a `pulumi` already on PATH when its version is at least the pinned one;
# otherwise builds the pinned version from its published Go module
# (github.com/pulumi/pulumi/pkg/v3, command cmd/pulumi) into a cache outside
# the clone, keyed by version, which later runs and CI on the same machine
# reuse. Only the Go module proxy is asked for anything.
#
# Why a wrapper module: pkg/go.mod has `replace` lines (sdk/v3 => ../sdk, a
# fork of atotto/clipboard), so `go install pkg/v3/cmd/pulumi@VERSION`
# refuses. The wrapper requires pkg/v3 and sdk/v3 at the same version, copies
# the non-local replace line, and names the command as a go.mod `tool`.
# The version is stamped with -ldflags -X, as Pulumi's own release build does;
# without it the CLI reports v0.0.0 and the Automation API refuses it.
#
# Not built: pulumi-language-nodejs. It is a Go module of its own
# (sdk/nodejs/cmd/pulumi-language-nodejs) that the module proxy does not serve
# (it answers 403 "This module version is not available" for every version),
# so Node.js programs run as Automation API inline programs, whose language
# runtime the test process itself serves. The dynamic-provider plugin
# (pulumi-resource-pulumi-nodejs) is a script, the same in Pulumi's release
# archives (next to the `pulumi` binary, where the engine looks for bundled
# plugins) and in @pulumi/pulumi's npm package: it is copied from the latter
# next to the built binary, so the engine finds it as a released CLI's.
#
#   setup-pulumi.sh          prints the bin directory (building if needed)
set -euo pipefail
version=v3.274.1
cache=${SMARTOS_MAIL_CACHE:-/var/cache/smartos-mail}/pulumi-$version
log() { echo "setup-pulumi: $*" >&2; }

# Prints "MAJOR MINOR PATCH" of a vX.Y.Z version.
triple() { echo "$1" | sed -E 's/^v?([0-9]+)\.([0-9]+)\.([0-9]+).*/\1 \2 \3/'; }
at_least() {
  local a b
  read -ra a <<<"$(triple "$1")"
  read -ra b <<<"$(triple "$2")"
  for i in 0 1 2; do
    [ "${a[i]}" -gt "${b[i]}" ] && return 0
    [ "${a[i]}" -lt "${b[i]}" ] && return 1
  done
  return 0
}

if onpath=$(command -v pulumi 2>/dev/null) && [ "$(dirname "$onpath")" != "$cache/bin" ]; then
  have=$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null || true)
  if [[ $have =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ ]] && at_least "$have" "$version"; then
    log "using $onpath ($have, on PATH; pinned $version)"
    dirname "$onpath"
    exit 0
  fi
  log "ignoring $onpath (${have:-no version}): older than the pinned $version"
fi

if [ ! -x "$cache/bin/pulumi" ]; then
  log "building the pulumi CLI $version from its Go module into $cache (first run only; about 10 minutes on 2 cores)"
  command -v go >/dev/null || { log "needs Go (1.26 or later) on PATH"; exit 1; }
  work="$cache/module"
  rm -rf "$work"
  mkdir -p "$work" "$cache/bin"
  cat >"$work/go.mod" <<EOF
module smartos-mail.invalid/pulumi-cli

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 $version
	github.com/pulumi/pulumi/sdk/v3 $version
)
EOF
  # pkg/v3's own go.mod names this fork; a replace only takes effect in the main module.
  replace=$(cd "$work" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$version" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  grep -E '^replace ' "$replace" | grep -v '=> \.' >>"$work/go.mod"
  (
    cd "$work"
    go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version" >&2
    go mod tidy >&2
    go build -trimpath -o "$cache/bin/pulumi.tmp" \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  )
  mv "$cache/bin/pulumi.tmp" "$cache/bin/pulumi"
fi
if [ ! -x "$cache/bin/pulumi-resource-pulumi-nodejs" ]; then
  install -m 0755 "$(dirname "$0")/../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$cache/bin/"
fi
log "using $cache/bin/pulumi ($("$cache/bin/pulumi" version), built from the Go module)"
echo "$cache/bin"
