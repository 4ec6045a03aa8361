# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""API calls and wall time per task, as the number of certificates in the account grows.

    make bench            (or: python benchmarks/api_calls.py --venv build/venv-3.11 --collections build/collections)

For each account size it seeds the emulator with that many certificates and runs, as ad-hoc
`ansible` commands (one module run each, as in a playbook task):
  - elb_certificate / netcenter_certificate on an existing, unchanged certificate (the idempotent rerun)
  - elb_certificate_info / netcenter_certificate_info listing everything (ELB pages with the API's
    largest page; the Wangsu list answers with every certificate at once)
and prints the API calls the emulator logged and the median wall time of --repeat runs.
The numbers are a measurement, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'hack'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

from run_demo import EMULATOR_ENV, start_emulator  # noqa: E402  pylint: disable=wrong-import-position
from cloudemu import certs  # noqa: E402  pylint: disable=wrong-import-position


def call(url, path, method='GET', body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    request = urllib.request.Request(url + '/_emulator/' + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode('utf-8'))


def run_module(venv, module, args, env):
    command = [os.path.join(venv, 'bin', 'ansible'), 'localhost', '-o', '-m', 'certfleet.cloud.' + module,
               '-a', json.dumps(args)]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit('%s failed: %s' % (module, result.stdout[-500:] + result.stderr[-500:]))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collections', required=True)
    parser.add_argument('--sizes', default='1,100,2000,5000')
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    venv = os.path.abspath(args.venv)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', **EMULATOR_ENV)
    emulator, url = start_emulator(os.path.join(venv, 'bin', 'python'))
    connection = {'endpoint': url, 'iam_endpoint': url, 'project_id': '0a7c1c2b3d4e5f60718293a4b5c6d7e8'}
    netcenter = {'endpoint': url, 'access_key': 'CERTFLEETNETCENTERAK1',
                 'secret_key': 'certfleet-emulator-netcenter-secret-0'}
    rows = []
    try:
        with tempfile.TemporaryDirectory() as pki:
            files = certs.write_set(pki)
            leaf, key = files['www.example.com.fullchain.pem'], files['www.example.com.key']
            for size in [int(size) for size in args.sizes.split(',')]:
                call(url, 'reset', 'POST')
                if size > 1:
                    call(url, 'seed', 'POST', {
                        'elb': {'certificates': [{'name': 'filler-{index}', 'certificate': files['ca.pem'],
                                                  'type': 'client', 'copies': size - 1}]},
                        'netcenter': {'certificates': [{'name': 'filler-{index}', 'certificate': leaf,
                                                        'private_key': key, 'copies': size - 1}]}})
                ensure_elb = dict(connection, name='bench', certificate=leaf, private_key=key)
                ensure_netcenter = dict(netcenter, name='bench', certificate=leaf, private_key=key)
                run_module(venv, 'elb_certificate', ensure_elb, env)
                run_module(venv, 'netcenter_certificate', ensure_netcenter, env)
                for module, module_args in (('elb_certificate', ensure_elb), ('elb_certificate_info', connection),
                                            ('netcenter_certificate', ensure_netcenter),
                                            ('netcenter_certificate_info', netcenter)):
                    times = []
                    for dummy in range(args.repeat):
                        call(url, 'requests', 'DELETE')
                        times.append(run_module(venv, module, module_args, env))
                    calls = call(url, 'requests')['requests']
                    rows.append((size, module, len(calls),
                                 sum(1 for entry in calls if entry['method'] != 'GET'), statistics.median(times)))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print('%-12s %-28s %9s %7s %10s' % ('certificates', 'task', 'API calls', 'writes', 'median s'))
    for size, module, calls, writes, seconds in rows:
        print('%-12d %-28s %9d %7d %10.2f' % (size, module, calls, writes, seconds))
    return 0


if __name__ == '__main__':
    sys.exit(main())
