#!/bin/bash
# Testbed: isolated hosts on this machine, each a network namespace with its own
# process table and its own view of /etc, /var, /root, /tmp and /run, running
# real sshd and real Postfix
# from Debian's packages. Hosts sit on a private bridge (198.18.0.0/24, the
# RFC 2544 benchmarking range) and have no default route: they can reach each
# other and the bridge address, nothing else.
#
#   testbed.sh install            apt packages the testbed needs (idempotent)
#   testbed.sh up NAME INDEX      start host NAME at 198.18.0.(10+INDEX) (idempotent)
#   testbed.sh down NAME          stop host NAME and remove its state (idempotent)
#   testbed.sh down-all           stop every testbed host
#   testbed.sh info NAME          host facts as JSON (ip, port, fingerprint, key path)
#   testbed.sh exec NAME CMD...   run CMD inside the host (test inspection only)
#   testbed.sh run NAME SCRIPT ARG...  run a bash script of this machine inside the host
#   testbed.sh up-smartos NAME INDEX   up, then give the host a SmartOS personality (smartos-host.sh;
#                                      needs the emulators built: pnpm exec tsc -b)
set -euo pipefail

STATE=${SMTB_STATE:-/srv/smartos-mail-testbed}
BRIDGE=smtb0
BRIDGE_IP=198.18.0.1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

need_root() { [ "$(id -u)" = 0 ] || { echo "testbed: must run as root" >&2; exit 1; }; }

install_packages() {
  # Receivers verify with OpenDKIM, OpenDMARC and policyd-spf; nsd serves the
  # test zones; the product installs opendkim and nftables itself, but /usr is
  # shared by all hosts and apt cannot run inside one. MailArchive's rotation
  # script needs crontab and xz, and its test runs it under posh and ksh93
  # (SmartOS's /bin/sh) as well as dash. dns-server.sh's dnssec mode signs
  # zones with bind9-utils' dnssec-keygen and dnssec-signzone. MailLogReport
  # installs pflogsumm itself, but that too is apt.
  local pkgs=(postfix openssh-server openssh-client socat iproute2 procps util-linux
    opendkim opendkim-tools opendmarc postfix-policyd-spf-python nsd unbound bind9-dnsutils nftables
    cron xz-utils posh ksh93u+m bind9-utils pflogsumm)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    # Keep package scripts from starting services in the root namespace.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string testbed.invalid" | debconf-set-selections
    echo "opendmarc opendmarc/dbconfig-install boolean false" | debconf-set-selections
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # The root namespace never runs the testbed's daemons.
  postfix status >/dev/null 2>&1 && postfix stop >/dev/null 2>&1 || true
}

client_key() {
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  [ -f "$STATE/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C smartos-mail-testbed -f "$STATE/client_ed25519"
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# The host's init (PID 1 inside it) as a PID of this machine; empty when the host is not up.
host_init_pid() {
  local name=$1 p
  [ -f "$STATE/$name/ready" ] || return 0
  for p in $(ip netns pids "smtb-$name" 2>/dev/null || true); do
    awk '/^NSpid:/ { found = ($NF == 1) } END { exit !found }' "/proc/$p/status" 2>/dev/null && { echo "$p"; return 0; }
  done
}

host_running() { [ -n "$(host_init_pid "$1")" ]; }

up() {
  local name=$1 index=$2
  [[ "$name" =~ ^[a-z][a-z0-9]{0,8}$ ]] || { echo "testbed: bad host name '$name'" >&2; exit 1; }
  [[ "$index" =~ ^[0-9]+$ ]] && [ "$index" -ge 1 ] && [ "$index" -le 200 ] || { echo "testbed: index 1..200" >&2; exit 1; }
  local ip="198.18.0.$((10 + index))" ns="smtb-$name"
  if host_running "$name"; then return 0; fi
  down "$name"
  client_key
  bridge_up
  ip netns add "$ns"
  ip link add "smtb-$name" type veth peer name eth0 netns "$ns"
  ip link set "smtb-$name" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  # A host brought up again has a new MAC: drop this machine's neighbour entry for its address, or
  # clients here keep sending to the old MAC until the entry fails (a minute of SSH timeouts).
  ip neigh flush to "$ip" dev "$BRIDGE" 2>/dev/null || true
  local dir="$STATE/$name"
  mkdir -p "$dir"/{etc,var,root}.{upper,work}
  echo "$ip" >"$dir/ip"
  # host-init.sh mounts a fresh /tmp before it installs these, and a checkout
  # may live under /tmp: hand it copies kept in the host's state directory.
  install -m 755 "$HERE/audit-exec.sh" "$dir/audit-exec.sh"
  # host-init.sh becomes PID 1 of the host's own mount and PID namespaces,
  # mounts its private views, starts its daemons and stays. A process table
  # per host matters: Debian's init scripts stop daemons by executable name
  # (start-stop-daemon --exec), which would otherwise reach every host's.
  setsid ip netns exec "$ns" unshare --mount --propagation private --pid --fork --mount-proc \
    "$HERE/host-init.sh" "$dir" "$name" "$ip" "$STATE/client_ed25519.pub" "$dir/audit-exec.sh" \
    </dev/null >"$dir/init.log" 2>&1 9>&- &
  local i
  for i in $(seq 1 100); do
    host_running "$name" && return 0
    sleep 0.1
  done
  echo "testbed: host $name did not start:" >&2
  cat "$dir/init.log" >&2
  exit 1
}

down() {
  local name=$1 ns="smtb-$1"
  if ip netns list 2>/dev/null | grep -qw "$ns"; then
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    ip netns del "$ns"
  fi
  ip link del "smtb-$name" 2>/dev/null || true
  rm -rf "${STATE:?}/$name"
}

down_all() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^smtb-' || true); do
    down "${ns#smtb-}"
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

info() {
  local name=$1 dir="$STATE/$1"
  host_running "$name" || { echo "testbed: host $name is not up" >&2; exit 1; }
  printf '{"name":"%s","host":"%s","port":22,"user":"root","privateKeyPath":"%s","hostKeyFingerprint":"%s"}\n' \
    "$name" "$(cat "$dir/ip")" "$STATE/client_ed25519" "$(cat "$dir/fingerprint")"
}

host_exec() {
  local name=$1
  shift
  host_running "$name" || { echo "testbed: host $name is not up" >&2; exit 1; }
  nsenter --target "$(host_init_pid "$name")" --mount --net --pid -- "$@"
}

# The host sees its own /tmp, so a checkout under /tmp is hidden from it: the
# script is copied into the host's state directory, which it does see.
host_run() {
  local name=$1 script=$2
  shift 2
  host_running "$name" || { echo "testbed: host $name is not up" >&2; exit 1; }
  mkdir -p "$STATE/$name/scripts"
  install -m 755 "$script" "$STATE/$name/scripts/"
  host_exec "$name" bash "$STATE/$name/scripts/$(basename "$script")" "$@"
}

# `up`, then the SmartOS personality, once: emulated vmadm, zfs, imgadm,
# sysinfo, SMF and pkgin, and Debian's Postfix in the pkgsrc layout.
up_smartos() {
  local name=$1 dir="$STATE/$1" emulator="$HERE/../dist/smartos"
  up "$name" "$2"
  [ ! -f "$dir/smartos" ] || return 0
  [ -f "$emulator/vmadm.js" ] || { echo "testbed: $emulator/vmadm.js is missing; build first (pnpm exec tsc -b)" >&2; exit 1; }
  rm -rf "$dir/smartos-emulator"
  cp -r "$emulator" "$dir/smartos-emulator"
  host_run "$name" "$HERE/smartos-host.sh" "$dir/smartos-emulator" "$name" "$dir"
  touch "$dir/smartos"
}

need_root
case "${1:-}" in
  install) install_packages ;;
  up)
    install_packages
    mkdir -p "$STATE"
    # Test files run in parallel: one bring-up at a time (shared bridge and client key).
    exec 9>"$STATE/.lock"
    flock 9
    up "$2" "$3"
    ;;
  up-smartos)
    install_packages
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock 9
    up_smartos "$2" "$3"
    ;;
  down) down "$2" ;;
  down-all) down_all ;;
  info) info "$2" ;;
  exec) shift; host_exec "$@" ;;
  run) shift; host_run "$@" ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
