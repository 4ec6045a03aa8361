# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The certificate_rotation role against a serial loop of the same module tasks, at fleet size.

    make bench     (or: python benchmarks/rotation.py --venv build/venv-3.11 --collections build/collections)

The emulator holds every API answer back --latency seconds (0.2 by default, a real region's round
trip). For 1, 10 and 50 targets (half ELB, half Wangsu CDN certificates) it deploys a first
certificate, then measures the rotation to a second one three times from that same state: with a
plain playbook looping over the targets (the playbook's serial play), with the role on localhost
(async jobs), and with the role on one inventory host per target (--forks at a time); then the
role's unchanged rerun. For each: wall time of the ansible-playbook run, API calls (reads, writes) from
the emulator's log, and peak memory (the largest sum of RSS over ansible-playbook and every
process it started, sampled every 20 ms). A measurement, not a test: nothing fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'hack'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

from run_demo import EMULATOR_ENV, start_emulator  # noqa: E402  pylint: disable=wrong-import-position
from cloudemu import certs  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(ROOT, 'benchmarks', 'playbooks', 'rotation.yml')
PROJECT_ID = '0a7c1c2b3d4e5f60718293a4b5c6d7e8'


def admin(url, path, method='GET'):
    request = urllib.request.Request(url + '/_emulator/' + path, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode('utf-8'))


def tree_rss_kib(root_pid):
    """RSS of ``root_pid`` and all its descendants, in KiB (from /proc)."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    fields = handle.read().rsplit(')', 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            with open('/proc/%d/status' % pid) as handle:
                for line in handle:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def run(venv, way, files, env, url, forks=None):
    """One ansible-playbook run: seconds, reads, writes, peak MiB; fails on a failed run."""
    admin(url, 'requests', 'DELETE')
    inventory = ['-i', files['inventory'], '--forks', str(forks)] if way == 'hosts' else []
    command = [os.path.join(venv, 'bin', 'ansible-playbook'), PLAYBOOK, '-e', 'way=' + way] + inventory + [
        '-e', 'emulator_url=' + url, '-e', 'project_id=' + PROJECT_ID,
        '-e', 'certificate_file=' + files['certificate'], '-e', 'private_key_file=' + files['key'],
        '-e', 'targets_file=' + files['targets']]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit('%s run failed:\n%s' % (way, output[-3000:]))
    log = [entry for entry in admin(url, 'requests')['requests'] if entry.get('service') != 'iam']
    reads = sum(1 for entry in log if entry['method'] == 'GET')
    return dict(seconds=seconds, reads=reads, writes=len(log) - reads, mib=peak[0] / 1024.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collections', required=True)
    parser.add_argument('--latency', type=float, default=0.2)
    parser.add_argument('--targets', default='1,10,50', help='comma-separated target counts')
    parser.add_argument('--forks', type=int, default=10, help='forks of the one-host-per-target run')
    args = parser.parse_args()
    venv = os.path.abspath(args.venv)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
               ANSIBLE_PYTHON_INTERPRETER=os.path.join(venv, 'bin', 'python'), **EMULATOR_ENV)
    emulator, url = start_emulator(os.path.join(venv, 'bin', 'python'), '--latency', str(args.latency))
    rows = []
    try:
        with tempfile.TemporaryDirectory() as work:
            certs.write_set(work)
            first = dict(certificate=os.path.join(work, 'www.example.com.fullchain.pem'),
                         key=os.path.join(work, 'www.example.com.key'))
            rotated = dict(certificate=os.path.join(work, 'www.example.com-rotated.fullchain.pem'),
                           key=os.path.join(work, 'www.example.com-rotated.key'))
            for count in [int(part) for part in args.targets.split(',')]:
                targets = [{'service': 'elb' if index % 2 == 0 else 'netcenter', 'name': 'bench-%03d' % index}
                           for index in range(count)]
                targets_file = os.path.join(work, 'targets-%d.json' % count)
                with open(targets_file, 'w') as handle:
                    json.dump(targets, handle)
                inventory_file = os.path.join(work, 'inventory-%d.json' % count)
                with open(inventory_file, 'w') as handle:
                    json.dump({'rotation_targets': {'hosts': {
                        target['name']: {'certificate_rotation_target': target} for target in targets}}}, handle)
                first['targets'] = rotated['targets'] = targets_file
                first['inventory'] = rotated['inventory'] = inventory_file
                measured = {}
                for way in ('serial', 'role', 'hosts'):
                    admin(url, 'reset', 'POST')
                    run(venv, 'role', first, env, url)  # the same starting state for each
                    measured[way] = run(venv, way, rotated, env, url, args.forks)
                measured['rerun'] = run(venv, 'role', rotated, env, url)
                rows.append((count, measured))
                print('%d targets done' % count, file=sys.stderr, flush=True)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    print('\nrotation at %.1f s latency: the role against a serial loop of the same module tasks' % args.latency)
    print('| targets | run | wall s | API reads | API writes | peak MiB | role / serial time |')
    print('|---|---|---|---|---|---|---|')
    for count, measured in rows:
        for way in ('serial', 'role', 'hosts', 'rerun'):
            result = measured[way]
            ratio = '%.2f' % (result['seconds'] / measured['serial']['seconds']) if way in ('role', 'hosts') else ''
            label = {'serial': 'serial loop', 'role': 'role, async jobs from localhost',
                     'hosts': 'role, one host per target, %d forks' % args.forks,
                     'rerun': 'role, unchanged rerun'}[way]
            print('| %d | %s | %.1f | %d | %d | %.0f | %s |' % (count, label, result['seconds'], result['reads'],
                                                                result['writes'], result['mib'], ratio))
    return 0


if __name__ == '__main__':
    sys.exit(main())
