#!/bin/bash
# Runs as PID 1 of a testbed host's fresh network, mount and PID namespaces
# (see testbed.sh). Mounts the host's private views, writes its baseline sshd
# and Postfix configuration, starts sshd and Postfix, marks the host ready and
# stays on as the host's init: it reaps orphaned daemons and, by living, keeps
# the namespaces alive.
set -euo pipefail
dir=$1 name=$2 ip=$3 client_pub=$4 audit=$5

for d in etc var root; do
  mount -t overlay "smtb-$name-$d" -o "lowerdir=/$d,upperdir=$dir/$d.upper,workdir=$dir/$d.work" "/$d"
done
# root's dot files as on a fresh Debian server: the machine's own may start
# tools (pyenv init, seen here: 0.5 s) in every shell sshd runs for a command,
# which would be charged to every SSH command a test or benchmark times.
cp /usr/share/base-files/dot.bashrc /root/.bashrc
cp /usr/share/base-files/dot.profile /root/.profile
mount -t tmpfs -o mode=1777 "smtb-$name-tmp" /tmp
mount -t tmpfs -o mode=755 "smtb-$name-run" /run
mkdir -p /run/sshd

# sshd: one ed25519 host key of this host's own, key login for root only, and
# every command recorded by the audit wrapper so tests can count them.
rm -f /etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $2}' >"$dir/fingerprint"
install -m 600 "$client_pub" /etc/ssh/testbed_authorized_keys
install -m 755 "$audit" /etc/ssh/testbed-audit-exec
cat >/etc/ssh/sshd_config <<CONF
ListenAddress $ip
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile /etc/ssh/testbed_authorized_keys
PidFile /run/sshd.pid
ForceCommand /etc/ssh/testbed-audit-exec
LogLevel VERBOSE
CONF
/usr/sbin/sshd -E /var/log/sshd.log

# Postfix: Debian's package, made to look like a fresh server: an Internet
# site listening on all interfaces, logging to a file (no syslog here).
echo "$name.testbed.invalid" >/etc/mailname
postconf -X default_transport relay_transport
postconf -e "myhostname=$name.testbed.invalid" 'mydestination=$myhostname, localhost' \
  inet_interfaces=all inet_protocols=ipv4 maillog_file=/var/log/postfix.log
newaliases
/usr/lib/postfix/configure-instance.sh - >/dev/null
postfix start >/dev/null 2>&1

touch "$dir/ready"
trap 'exit 0' TERM
# bash collects every exited child on SIGCHLD, orphans reparented to it included.
while :; do
  sleep 3600 &
  wait $! || true
done
