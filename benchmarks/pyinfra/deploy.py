# The guide's Postfix steps ("Configuring Postfix", "Using an Authenticated
# Relay Service") as an idempotent pyinfra deploy: the same work as
# benchmarks/ansible/postfix.yml, for the comparison in benchmarks/RESULTS.md.
# benchmarks/src/pyinfra.ts writes the inventory's data (postfix_parameters,
# sasl_*, root_alias); inventory.py reads it.
import shlex
from io import StringIO

from pyinfra import host
from pyinfra.api import FactBase
from pyinfra.operations import files, server
from pyinfra.operations.util import any_changed


class PostconfN(FactBase):
    """The main.cf parameters that differ from Postfix's defaults, as `postconf -n` prints them."""

    command = "postconf -n"

    def process(self, output):
        return list(output)


current = set(host.get_fact(PostconfN))
differing = [
    f"{name}={value}"
    for name, value in host.data.postfix_parameters.items()
    if f"{name} = {value}" not in current
]

# One postconf -e for every parameter that differs, as the guide does; none if none do.
parameters = server.shell(
    name="Set each main.cf parameter that differs with postconf -e",
    commands=[f"postconf -e {' '.join(shlex.quote(p) for p in differing)}"] if differing else [],
)

sasl_map = files.put(
    name="Write the SASL relay password map, readable by root only",
    src=StringIO(f"{host.data.sasl_key} {host.data.sasl_username}:{host.data.sasl_password}\n"),
    dest=host.data.sasl_map,
    user="root",
    group="root",
    mode="600",
)

alias = files.line(
    name="Alias root to an address someone reads",
    path="/etc/aliases",
    line="^root:.*$",
    replace=f"root: {host.data.root_alias}",
)

# Handlers, in the play's order: each runs only when what it follows changed.
server.shell(
    name="Postmap the SASL map",
    commands=[f"postmap hash:{shlex.quote(host.data.sasl_map)}"],
    _if=sasl_map.did_change,
)
server.shell(name="Rebuild the alias database", commands=["newaliases"], _if=alias.did_change)
# `postfix reload` leaves a postsuper running in the background
# (postfix-script: `postsuper &`); sent to /dev/null, the operation ends with
# the reload, as PostfixConfig's does.
server.shell(
    name="Reload Postfix",
    commands=["postfix reload >/dev/null 2>&1"],
    _if=any_changed(parameters, sasl_map, alias),
)
