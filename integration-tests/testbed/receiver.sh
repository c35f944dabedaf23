#!/bin/bash
# Runs inside a testbed host: makes it the MX of DOMAIN (as mx.DOMAIN) that
# verifies what arrives with real software from Debian: OpenDKIM in verify
# mode, OpenDMARC, and policyd-spf (python) for SPF. Each writes an
# Authentication-Results header with authserv-id mx.DOMAIN. Mail to any
# address in DOMAIN lands in /var/mail/root.
#   receiver.sh DOMAIN DNS-ADDRESS
set -euo pipefail
domain=$1 dns=$2
mx="mx.$domain"

postconf -e "myhostname=$mx" "mydestination=$domain, \$myhostname, localhost" \
  "virtual_alias_maps=regexp:/etc/postfix/virtual-catchall" \
  "smtpd_milters=unix:opendkim/opendkim.sock, unix:opendmarc/opendmarc.sock" \
  'non_smtpd_milters=$smtpd_milters' milter_default_action=tempfail \
  'smtpd_recipient_restrictions=permit_mynetworks, reject_unauth_destination, check_policy_service unix:private/policyd-spf' \
  policyd-spf_time_limit=3600 mynetworks=127.0.0.0/8
printf '/@%s$/ root@localhost\n' "${domain//./\\.}" >/etc/postfix/virtual-catchall
postconf -M 'policyd-spf/unix=policyd-spf unix - n n - 0 spawn user=policyd-spf argv=/usr/bin/policyd-spf'
id policyd-spf >/dev/null 2>&1 || useradd -r -s /usr/sbin/nologin policyd-spf
cat >/etc/postfix-policyd-spf-python/policyd-spf.conf <<CONF
debugLevel = 1
TestOnly = 1
HELO_reject = False
Mail_From_reject = False
PermError_reject = False
TempError_Defer = False
skip_addresses = 127.0.0.0/8
Header_Type = AR
Authserv_Id = $mx
CONF

mkdir -p /var/spool/postfix/opendkim /var/spool/postfix/opendmarc /run/opendkim /run/opendmarc
chown opendkim:opendkim /var/spool/postfix/opendkim /run/opendkim
chown opendmarc:opendmarc /var/spool/postfix/opendmarc /run/opendmarc
chmod 750 /var/spool/postfix/opendkim /var/spool/postfix/opendmarc
usermod -a -G opendkim,opendmarc postfix
cat >/etc/opendkim.conf <<CONF
Mode                    v
AuthservID              $mx
Socket                  local:/var/spool/postfix/opendkim/opendkim.sock
UserID                  opendkim
PidFile                 /run/opendkim/opendkim.pid
UMask                   007
Nameservers             $dns
Syslog                  No
CONF
# Receivers find a subdomain's Organizational Domain (its DMARC record, relaxed alignment) with the Public
# Suffix List; without one OpenDMARC evaluates only the presented domain (opendmarc.conf(5)). The testbed's
# top-level domain is the list's one entry, as "com" is in the real list.
mkdir -p /etc/opendmarc
echo smtb >/etc/opendmarc/public_suffix_list.dat
cat >/etc/opendmarc.conf <<CONF
PublicSuffixList        /etc/opendmarc/public_suffix_list.dat
AuthservID              $mx
TrustedAuthservIDs      $mx
Socket                  local:/var/spool/postfix/opendmarc/opendmarc.sock
UserID                  opendmarc
PidFile                 /run/opendmarc/opendmarc.pid
UMask                   007
SPFSelfValidate         true
RejectFailures          false
FailureReports          false
Syslog                  false
CONF
service opendkim restart >/dev/null
service opendmarc restart >/dev/null 2>&1 || service opendmarc start >/dev/null
for _ in $(seq 1 50); do
  [ -S /var/spool/postfix/opendkim/opendkim.sock ] && [ -S /var/spool/postfix/opendmarc/opendmarc.sock ] && break
  sleep 0.1
done
postfix stop >/dev/null 2>&1 || true
for _ in $(seq 1 50); do postfix status >/dev/null 2>&1 || break; sleep 0.1; done
postfix start >/dev/null 2>&1
