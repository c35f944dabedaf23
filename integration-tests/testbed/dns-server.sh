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
set -euo pipefail
dir=$1
ip=$(ip -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }')
mkdir -p /etc/nsd/zones /var/lib/nsd /etc/unbound
rm -f /etc/nsd/zones/*.zone
cp "$dir"/*.zone /etc/nsd/zones/
zones=()
for f in /etc/nsd/zones/*.zone; do zones+=("$(basename "$f" .zone)"); done
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
  module-config: "iterator"
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  local-zone: "test." nodefault
  local-zone: "18.198.in-addr.arpa." transparent
remote-control:
  control-enable: no
CONF
  for z in "${zones[@]}"; do printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@5353\n' "$z"; done
} >/etc/unbound/testbed.conf
nsd-checkconf /etc/nsd/nsd.conf
for z in "${zones[@]}"; do nsd-checkzone "$z" "/etc/nsd/zones/$z.zone" >/dev/null; done
unbound-checkconf /etc/unbound/testbed.conf >/dev/null

stop() {
  local pidfile=$1 _
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}
stop /run/nsd.pid
stop /run/unbound-testbed.pid
nsd -c /etc/nsd/nsd.conf
unbound -c /etc/unbound/testbed.conf
for _ in $(seq 1 50); do
  dig +short +time=1 +tries=1 @"$ip" SOA "${zones[0]}" | grep -q . && exit 0
  sleep 0.1
done
echo "the testbed DNS does not answer on $ip" >&2
exit 1
