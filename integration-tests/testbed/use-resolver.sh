#!/bin/bash
# Runs inside a testbed host: resolve names with the testbed DNS server at
# ADDRESS only, for the host and for Postfix's chrooted daemons.
#   use-resolver.sh ADDRESS
set -euo pipefail
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$1" >/etc/resolv.conf
mkdir -p /var/spool/postfix/etc
cp /etc/resolv.conf /var/spool/postfix/etc/resolv.conf
