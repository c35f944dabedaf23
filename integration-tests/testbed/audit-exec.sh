#!/bin/sh
# sshd ForceCommand of the testbed: records each command a client runs, then
# runs it unchanged with the client's stdin/stdout/stderr. Each record starts
# with a line "---- <UTC time>" so tests can count commands.
umask 077
{ printf -- '---- %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; printf '%s\n' "$SSH_ORIGINAL_COMMAND"; } >>/var/log/testbed-ssh-commands.log
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
