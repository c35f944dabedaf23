# The hosts and their data for deploy.py, from the JSON file benchmarks/src/pyinfra.ts names in
# BENCH_PYINFRA_INVENTORY: [[address, {ssh_*..., postfix_parameters, ...}], ...].
import json
import os

with open(os.environ["BENCH_PYINFRA_INVENTORY"]) as f:
    hosts = [(address, data) for address, data in json.load(f)]
