#!/bin/bash
# Runs inside a testbed host (testbed.sh exec NAME bash dns-server.sh DIR).
# Makes it the testbed's DNS, from Debian's packages, as the Internet looks
# to a mail server: nsd is authoritative for the zones in DIR (one ZONE.zone
# file each) on 127.0.0.1 port 5353, and unbound, a recursive resolver
# reached at the host's own address, port 53, answers for them through
# stub-zones (other names fail at once: the testbed has no route out).
# Stub resolvers and libunbound's forwarding mode both want a recursive
# server's answers (RA set), which an authoritative server does not give.
# Run again after changing the files: both daemons are restarted.
#   dns-server.sh DIR [dnssec|signed]
# With dnssec, every zone is signed (dnssec-signzone; a KSK and a ZSK per
# zone, made once and kept in /var/lib/nsd/keys/ZONE, so re-runs keep the
# same keys) and nsd serves the signed zones; unbound validates them
# (module-config "validator iterator") against each zone's KSK as a trust
# anchor, so validated answers carry the AD bit and bogus ones get SERVFAIL.
# Names under no anchor stay insecure (no root anchor: this config is not
# Debian's, which loads one).
# With signed, the zones are signed the same way but unbound does not
# validate (module-config "iterator", no anchors): a resolver that passes
# signatures on (with the DO bit) and never sets AD, as many ISPs' do.
set -euo pipefail
dir=$1
dnssec=${2:-}
case "$dnssec" in "" | dnssec | signed) ;; *) echo "dns-server.sh: second argument must be dnssec or signed" >&2; exit 2 ;; esac
ip=$(ip -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
mkdir -p /etc/nsd/zones /var/lib/nsd /etc/unbound
rm -f /etc/nsd/zones/*.zone
cp "$dir"/*.zone /etc/nsd/zones/
zones=()
for f in /etc/nsd/zones/*.zone; do zones+=("$(basename "$f" .zone)"); done
modules=iterator
if [ -n "$dnssec" ]; then
  [ "$dnssec" = signed ] || modules="validator iterator"
  : >/etc/unbound/testbed-anchors.keys
  for z in "${zones[@]}"; do
    keys=/var/lib/nsd/keys/$z
    if ! ls "$keys"/K*.key >/dev/null 2>&1; then
      rm -rf "$keys"
      mkdir -p "$keys"
      dnssec-keygen -q -K "$keys" -a ECDSAP256SHA256 -f KSK "$z" >/dev/null
      dnssec-keygen -q -K "$keys" -a ECDSAP256SHA256 "$z" >/dev/null
    fi
    # -S: take the keys from $keys, publish their DNSKEYs, sign with each for its role.
    dnssec-signzone -q -S -K "$keys" -o "$z" -f "/etc/nsd/zones/$z.zone.signed" "/etc/nsd/zones/$z.zone" >/dev/null
    mv "/etc/nsd/zones/$z.zone.signed" "/etc/nsd/zones/$z.zone"
    # The KSK's DNSKEY (flags 257) is the zone's trust anchor.
    grep -h -v '^;' "$keys"/K*.key | awk '{ for (i = 1; i < NF; i++) if ($i == "DNSKEY" && $(i + 1) == 257) print }' >>/etc/unbound/testbed-anchors.keys
  done
fi
{
  cat <<CONF
server:
  ip-address: 127.0.0.1
  port: 5353
  username: ""
  chroot: ""
  zonesdir: /etc/nsd/zones
  pidfile: /run/nsd.pid
  database: ""
  zonelistfile: /var/lib/nsd/zone.list
  xfrdfile: /var/lib/nsd/xfrd.state
  logfile: /var/log/nsd.log
  verbosity: 1
remote-control:
  control-enable: no
CONF
  for z in "${zones[@]}"; do printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$z" "$z"; done
} >/etc/nsd/nsd.conf
{
  cat <<CONF
server:
  interface: $ip
  port: 53
  access-control: 198.18.0.0/24 allow
  username: ""
  chroot: ""
  directory: /etc/unbound
  pidfile: /run/unbound-testbed.pid
  logfile: /var/log/unbound.log
  use-syslog: no
  do-not-query-localhost: no
  module-config: "$modules"
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  local-zone: "test." nodefault
  local-zone: "18.198.in-addr.arpa." transparent
CONF
  [ "$dnssec" != dnssec ] || printf '  trust-anchor-file: %s\n  trust-anchor-signaling: no\n  val-log-level: 2\n' \
    /etc/unbound/testbed-anchors.keys
  printf 'remote-control:\n  control-enable: no\n'
  for z in "${zones[@]}"; do printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@5353\n' "$z"; done
} >/etc/unbound/testbed.conf
nsd-checkconf /etc/nsd/nsd.conf
for z in "${zones[@]}"; do nsd-checkzone "$z" "/etc/nsd/zones/$z.zone" >/dev/null; done
unbound-checkconf /etc/unbound/testbed.conf >/dev/null

# Stops the daemon whose pid file is $1 and waits until nothing listens on port $2 any more.
# The race this closes: the wait used to read the pid file again on each turn. nsd's main
# process truncates and unlinks its pid file first when it quits, then tells xfrd to quit
# while its server children still hold the sockets (nsd server.c, server_main), so the wait
# ended early and the new nsd could not bind 127.0.0.1:5353: it exited 1 with its reason only
# in nsd.log (a soak run's DANE suite failed so). Now the wait follows the pid read once,
# then the port.
stop() {
  local pidfile=$1 port=$2 pid _
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  for _ in $(seq 1 100); do ss -Hlntu "sport = :$port" | grep -q . || return 0; sleep 0.1; done
  echo "dns-server.sh: port $port is still in use: $(ss -Hlntup "sport = :$port")" >&2
  exit 1
}
# Starts a daemon; when it fails, its log says why, so that goes to stderr.
start() {
  local log=$1
  shift
  "$@" || { echo "dns-server.sh: $* failed; the end of $log:" >&2; tail -n 20 "$log" >&2; exit 1; }
}
stop /run/nsd.pid 5353
stop /run/unbound-testbed.pid 53
start /var/log/nsd.log nsd -c /etc/nsd/nsd.conf
start /var/log/unbound.log unbound -c /etc/unbound/testbed.conf
for _ in $(seq 1 50); do
  if [ "$dnssec" != dnssec ]; then
    dig +short +time=1 +tries=1 @"$ip" SOA "${zones[0]}" | grep -q . && exit 0
  else
    # Validated: the answer has the AD flag.
    dig +dnssec +time=1 +tries=1 @"$ip" SOA "${zones[0]}" | grep -q '^;; flags:.* ad[ ;]' && exit 0
  fi
  sleep 0.1
done
what=; [ "$dnssec" != dnssec ] || what=" with validated (AD) answers"
echo "the testbed DNS does not answer$what on $ip" >&2
exit 1
