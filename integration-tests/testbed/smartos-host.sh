#!/bin/bash
# Gives a running testbed host a SmartOS personality (`testbed.sh up-smartos`);
# runs inside the host as root:
#
#   smartos-host.sh EMULATOR_DIR NAME HOST_STATE_DIR
#
# The SmartOS tools are the emulators of integration-tests/smartos (compiled
# to EMULATOR_DIR), installed where SmartOS keeps them: vmadm, imgadm, zfs,
# svcadm, svccfg, ipf and ipfstat in /usr/sbin; sysinfo, svcs, svcprop and
# digest in /usr/bin; pkgin in /opt/local/bin. This host gets its own /usr (an overlay over the machine's)
# and a fresh /opt, so nothing lands on the machine. Postfix is Debian's,
# laid out by the emulated pkgin the pkgsrc way (/opt/local/etc/postfix,
# /opt/local/sbin, no chroot) and run by the emulated SMF, so the product's
# `smartos` profile drives the real daemon. The host then plays a SmartOS
# global zone and, once vmadm has plumbed a zone's address, that zone.
set -euo pipefail
emulator=$1 name=$2 dir=$3

mkdir -p "$dir"/usr.{upper,work}
mount -t overlay "smtb-$name-usr" -o "lowerdir=/usr,upperdir=$dir/usr.upper,workdir=$dir/usr.work" /usr
mount -t tmpfs -o mode=755 "smtb-$name-opt" /opt
mkdir -p /usr/lib/smartos-emulator /opt/local/bin
cp "$emulator"/*.js /usr/lib/smartos-emulator/
tool() {
  printf '#!/bin/sh\n# SmartOS %s, emulated for the testbed: integration-tests/smartos/%s.ts\nexec /usr/bin/node /usr/lib/smartos-emulator/%s.js "$@"\n' \
    "$2" "$2" "$2" >"$1"
  chmod 755 "$1"
}
for t in vmadm imgadm zfs svcadm svccfg ipf ipfstat; do tool "/usr/sbin/$t" "$t"; done
for t in sysinfo svcs svcprop digest; do tool "/usr/bin/$t" "$t"; done
# illumos ships /etc/ipf; its rules file is read only with ipfilter's policy custom.
mkdir -p /etc/ipf
printf '# ipf.conf: IP Filter rules (testbed SmartOS personality)\n' >/etc/ipf/ipf.conf
tool /opt/local/bin/pkgin pkgin
# A SmartOS zone has no OpenDKIM or pflogsumm until pkgin installs them: Debian's
# copies leave this host's /usr for the emulated pkgin to lay out in /opt/local.
mkdir -p /usr/lib/smartos-emulator/pkgsrc
for b in /usr/sbin/opendkim /usr/sbin/opendkim-testkey /usr/sbin/opendkim-genkey /usr/sbin/pflogsumm; do
  if [ -e "$b" ]; then mv "$b" /usr/lib/smartos-emulator/pkgsrc/; fi
done
node /usr/lib/smartos-emulator/boot.js "$name"

# Debian's instance (configuration /etc/postfix) makes way for the pkgsrc one.
# pkgsrc's Postfix runs nothing chrooted, so Debian's chroot copies in the
# queue directory go; a fresh base-64-lts zone has the empty /var/mail/:saved
# and /var/spool/postfix/etc that the guide removes before mounting datasets.
postfix stop >/dev/null 2>&1 || true
/opt/local/bin/pkgin -y install postfix >/dev/null
/opt/local/sbin/postconf -F '*/*/chroot=n'
rm -rf /var/spool/postfix/{dev,etc,lib,usr}
mkdir -p "/var/mail/:saved" /var/spool/postfix/etc
# The testbed logs to a file where SmartOS has syslog. Programs that run as
# the mail owner before postlogd is up write it themselves: postsuper, when
# `postfix start` finds queue files it must rename (after a queue moves).
chown postfix /var/log/postfix.log
svcadm enable -s postfix

# sshd answers on every address, so a zone's address (plumbed by vmadm) reaches it too.
sed -i 's/^ListenAddress .*/ListenAddress 0.0.0.0/' /etc/ssh/sshd_config
kill -HUP "$(cat /run/sshd.pid)"
