# The floor: the guide's Postfix steps as one script, run in one SSH session
# (`ssh HOST sh -s < script`). benchmarks/src/floor.ts puts the values in front
# of it: the main.cf settings as positional parameters (name=value, for
# postconf -e) and SASL_MAP, SASL_KEY, SASL_LOGIN and ROOT_ALIAS. No staging,
# no checks, no idempotence: the least a configuration run can cost.
set -eu
postconf -e "$@"
mkdir -p "$(dirname "$SASL_MAP")"
(umask 077 && printf '%s %s\n' "$SASL_KEY" "$SASL_LOGIN" >"$SASL_MAP")
postmap "hash:$SASL_MAP"
{ grep -v '^root:' /etc/aliases || true; printf 'root: %s\n' "$ROOT_ALIAS"; } >/etc/aliases.new
mv /etc/aliases.new /etc/aliases
newaliases
# `postfix reload` leaves a postsuper running in the background (postfix-script:
# `postsuper &`); with the session's stdout it would hold the session open until
# it finishes, which is not configuration work.
postfix reload >/dev/null 2>&1
