#!/bin/bash
# Runs inside a testbed host: a plain receiving MTA (real Postfix) named MX
# that accepts mail for every address in the given DOMAINS into
# /var/mail/root, offers STARTTLS with a throw-away self-signed certificate
# and logs each TLS session, so tests read delivery times and TLS use from
# /var/log/postfix.log. Run again to change TLS:
#   sink.sh MX tls|notls DOMAIN...
set -euo pipefail
mx=$1 tls=$2
shift 2
cert=/etc/postfix/sink-cert.pem key=/etc/postfix/sink-key.pem
if [ ! -f "$cert" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$mx" -keyout "$key" -out "$cert" 2>/dev/null
  chmod 600 "$key"
fi
level=none
[ "$tls" = tls ] && level=may
domains=$(printf '%s, ' "$@")
regexps=()
for d in "$@"; do regexps+=("$(printf '/@%s$/ root@localhost' "${d//./\\.}")"); done
printf '%s\n' "${regexps[@]}" >/etc/postfix/sink-catchall
postconf -e "myhostname=$mx" "mydestination=${domains}\$myhostname, localhost" \
  virtual_alias_maps=regexp:/etc/postfix/sink-catchall \
  "smtpd_tls_cert_file=$cert" "smtpd_tls_key_file=$key" "smtpd_tls_security_level=$level" smtpd_tls_loglevel=1
postfix reload >/dev/null 2>&1
