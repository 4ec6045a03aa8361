# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotating one certificate across a fleet: a serial loop, certificate_deploy, the role, the role per host.

    make bench     (or: python benchmarks/rotation.py --venv build/venv-3.11 --collections build/collections)

Three parts, each against the emulator holding every API answer back --latency seconds (0.2 by
default, a real region's round trip):

1. Fleet size. For 10, 50 and 200 targets (ELB and Wangsu CDN certificates in turn, and one GM VPN
   gateway in ten, spread through the list) it deploys a first certificate, then measures the
   rotation to a second one from that same state with: a plain playbook looping over the modules
   one target after the other (the serial loop); certificate_deploy alone, one task; the
   certificate_rotation role on localhost (certificate_rotation_targets); the role on one inventory
   host per target (certificate_rotation_target, --forks at a time); then the role's unchanged rerun.
   For each: wall time of the ansible-playbook run and its ratio to the serial loop, CPU seconds of
   the whole process tree, API calls (reads, writes, and throttled ones, i.e. retried) from the
   emulator's log, and peak memory (the largest sum of RSS over ansible-playbook and every process
   it started, sampled every 20 ms).
2. Rate limit. An emulator with --rate-limit (20 requests a second per credential by default) and the
   role rotating --rate-targets targets (200) with no certificate_rotation_requests_per_second (only the
   account-wide pause on a 429 applies) and with each value of --paced (15, 18, 20) for both
   providers: wall time, failed targets, requests, throttled (retried) requests and their share.
3. Module CPU. One unchanged elb_certificate run, ad hoc (`ansible localhost -m ...`), against
   ansible.builtin.ping ad hoc, and the module's own process alone (its AnsiballZ payload, kept with
   ANSIBLE_KEEP_REMOTE_FILES and run again): user+sys CPU seconds and the largest RSS, median of 5.

A measurement, not a test: nothing fails on time. Nothing here needs more than the venv and the
emulator; --targets, --skip-serial-above and --parts shorten it (the whole takes about 12 minutes,
three of them the 200-target serial loop).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
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
WAYS = ('serial', 'deploy', 'role', 'hosts', 'rerun')
LABELS = {'serial': 'serial loop', 'deploy': 'certificate_deploy alone', 'role': 'role',
          'hosts': 'role, one host per target', 'rerun': 'role, unchanged rerun'}
FAILED = re.compile(r'certificate_rotation failed on (\d+) of (\d+) targets')


def admin(url, path, method='GET', body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    request = urllib.request.Request(url + '/_emulator/' + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode('utf-8'))


def tree_rss_kib(root_pid):
    """RSS of ``root_pid`` and all its descendants, in KiB (from /proc)."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    fields = handle.read().rsplit(')', 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [root_pid], [root_pid]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            tree.append(child)
            frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open('/proc/%d/status' % pid) as handle:
                for line in handle:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def measured_run(command, env):
    """Run ``command``: rc, output, wall seconds, CPU seconds (user+sys of the whole process tree, from
    wait4), peak MiB (the largest sum of RSS over the tree, sampled) and max_rss MiB (the largest
    single process of the tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    process.stdout.close()
    # wait4 rather than Popen.wait: its rusage counts the child and every descendant it reaped.
    dummy, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return dict(rc=process.returncode, output=output, seconds=seconds, cpu=usage.ru_utime + usage.ru_stime,
                mib=peak[0] / 1024.0, max_rss=usage.ru_maxrss / 1024.0)


def api_calls(url):
    log = [entry for entry in admin(url, 'requests')['requests'] if entry.get('service') != 'iam']
    return dict(requests=len(log), reads=sum(1 for entry in log if entry['method'] == 'GET'),
                writes=sum(1 for entry in log if entry['method'] != 'GET'),
                throttled=sum(1 for entry in log if entry.get('throttled')))


class Bench:
    def __init__(self, venv, env, work, forks):
        self.venv, self.env, self.work, self.forks = venv, env, work, forks
        files = certs.write_set(os.path.join(work, 'pki'))
        self.pem = {}
        for suffix in ('', '-rotated'):
            self.pem[suffix] = dict(
                certificate=files['www.example.com%s.fullchain.pem' % suffix],
                private_key=files['www.example.com%s.key' % suffix],
                gm=dict(certificate=files['gm-sign%s.pem' % suffix], private_key=files['gm-sign%s.key' % suffix],
                        enc_certificate=files['gm-enc%s.pem' % suffix], enc_private_key=files['gm-enc%s.key' % suffix],
                        certificate_chain=files['gm-ca.pem']))

    @staticmethod
    def targets(count):
        """``count`` targets: in every ten, the sixth a GM VPN gateway, the others ELB and CDN in turn.

        The deploy starts targets in list order and a VPN one takes longest (its status wait), so
        where they sit matters a little: here, spread through the list, neither first nor last."""
        rows = []
        for index in range(count):
            if index % 10 == 5 or 1 < count < 6 and index == count - 1:
                rows.append({'service': 'vpn', 'gateway': gateway_id(index), 'name': 'bench-vpn-%03d' % index,
                             'label': 'vpn:bench-gw-%03d' % index})
            else:
                others = sum(1 for row in rows if row['service'] != 'vpn')
                rows.append({'service': 'elb' if others % 2 == 0 else 'netcenter', 'name': 'bench-%03d' % index})
        return rows

    @staticmethod
    def seed(url, count):
        """Forget everything, then make the GM gateways the targets name."""
        admin(url, 'reset', 'POST')
        gateways = [dict(id=target['gateway'], name='bench-gw-%s' % target['name'][-3:], flavor='GM')
                    for target in Bench.targets(count) if target['service'] == 'vpn']
        admin(url, 'seed', 'POST', {'vpn': {'gateways': gateways}})

    def files(self, url, count, suffix, requests_per_second=None):
        """The -e @vars file and the one-host-per-target inventory of ``count`` targets."""
        pem = self.pem[suffix]
        targets = [dict(target, **pem['gm']) if target['service'] == 'vpn' else target
                   for target in self.targets(count)]
        name = os.path.join(self.work, '%d%s%s' % (count, suffix, '-paced' if requests_per_second else ''))
        variables = dict(emulator_url=url, project_id=PROJECT_ID, certificate=pem['certificate'],
                         private_key=pem['private_key'], targets=targets)
        if requests_per_second:
            variables['requests_per_second'] = requests_per_second
        with open(name + '.vars.json', 'w') as handle:
            json.dump(variables, handle)
        hosts = {}
        for index, target in enumerate(targets):
            hosts['target-%03d' % index] = {'certificate_rotation_target': target}
        with open(name + '.inventory.json', 'w') as handle:
            json.dump({'rotation_targets': {'hosts': hosts}}, handle)
        return name + '.vars.json', name + '.inventory.json'

    def playbook(self, url, way, count, suffix, requests_per_second=None, check=True):
        """One ansible-playbook run of ``way`` (the rerun is the role's): timings and the API calls it made."""
        variables, inventory = self.files(url, count, suffix, requests_per_second)
        admin(url, 'requests', 'DELETE')
        command = [os.path.join(self.venv, 'bin', 'ansible-playbook'), PLAYBOOK,
                   '-e', 'way=' + ('role' if way == 'rerun' else way), '-e', '@' + variables]
        if way == 'hosts':
            command += ['-i', inventory, '--forks', str(self.forks)]
        result = measured_run(command, self.env)
        if check and result['rc'] != 0:
            raise SystemExit('%s run of %d targets failed:\n%s' % (way, count, result['output'][-4000:]))
        result.update(api_calls(url))
        return result


def gateway_id(index):
    return '5d2c6f1e-8a3b-4c7d-9e0f-%012d' % index


def fleet(bench, url, counts, skip_serial_above):
    rows = []
    for count in counts:
        measured = {}
        for way in ('serial', 'deploy', 'role', 'hosts'):
            if way == 'serial' and skip_serial_above and count > skip_serial_above:
                continue
            Bench.seed(url, count)
            bench.playbook(url, 'deploy', count, '')  # the same starting state for each: the first certificate
            measured[way] = bench.playbook(url, way, count, '-rotated')
            print('  %d targets, %s: %.1f s' % (count, way, measured[way]['seconds']), file=sys.stderr, flush=True)
        measured['rerun'] = bench.playbook(url, 'rerun', count, '-rotated')
        rows.append((count, measured))
    return rows


def rate_limited(bench, url, count, limit, paced):
    """The role rotating ``count`` targets under the emulator's rate limit, unpaced and at each pace."""
    rows = []
    for rate in [None] + paced:
        requests_per_second = {'huaweicloud': rate, 'netcenter': rate} if rate else None
        Bench.seed(url, count)
        admin(url, 'rate-limit', 'POST', {'limit': 0})
        bench.playbook(url, 'deploy', count, '')  # the first certificate, unthrottled
        admin(url, 'rate-limit', 'POST', {'limit': limit})
        result = bench.playbook(url, 'role', count, '-rotated', requests_per_second, check=False)
        failed = FAILED.search(result['output'])
        if result['rc'] == 0:
            result['failed'] = 0
        elif failed:
            result['failed'] = int(failed.group(1))
        else:
            raise SystemExit('the role failed before deploying:\n%s' % result['output'][-4000:])
        rows.append((rate, result))
        print('  rate limit %d, requests_per_second %s: %.1f s' % (limit, rate, result['seconds']),
              file=sys.stderr, flush=True)
    admin(url, 'rate-limit', 'POST', {'limit': 0})
    return rows


def module_cpu(venv, env, url, work, repeat=5):
    """CPU and memory of one unchanged elb_certificate run: ad hoc, against ping ad hoc, and its process alone."""
    Bench.seed(url, 1)
    pem = certs.write_set(os.path.join(work, 'pki-adhoc'))
    module_args = json.dumps(dict(name='adhoc-cpu', certificate=pem['www.example.com.fullchain.pem'],
                                  private_key=pem['www.example.com.key'], endpoint=url, project_id=PROJECT_ID))
    ansible = os.path.join(venv, 'bin', 'ansible')
    elb = [ansible, 'localhost', '-m', 'certfleet.cloud.elb_certificate', '-a', module_args]
    ping = [ansible, 'localhost', '-m', 'ansible.builtin.ping']
    remote = os.path.join(work, 'remote')
    kept = dict(env, ANSIBLE_KEEP_REMOTE_FILES='1', ANSIBLE_REMOTE_TMP=remote)
    first = measured_run(elb, kept)  # creates the certificate; keeps the AnsiballZ payload of that run
    if first['rc'] != 0:
        raise SystemExit('ad hoc elb_certificate failed:\n%s' % first['output'][-3000:])
    payload = glob.glob(os.path.join(remote, '*', 'AnsiballZ_elb_certificate.py'))[0]
    python = os.path.join(venv, 'bin', 'python')
    rows = []
    for label, command in (('ansible.builtin.ping, ad hoc', ping),
                           ('elb_certificate (unchanged), ad hoc', elb),
                           ('elb_certificate (unchanged), its module process alone', [python, payload])):
        runs = [measured_run(command, env) for dummy in range(repeat)]
        for run in runs:
            if run['rc'] != 0 or '"changed": true' in run['output']:
                raise SystemExit('%s: not an unchanged run:\n%s' % (label, run['output'][-3000:]))
        rows.append((label, statistics.median(run['seconds'] for run in runs),
                     statistics.median(run['cpu'] for run in runs), max(run['max_rss'] for run in runs)))
    return rows


def ratio(result, serial):
    return '%.2f' % (result['seconds'] / serial['seconds']) if serial else '-'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collections', required=True)
    parser.add_argument('--latency', type=float, default=0.2)
    parser.add_argument('--targets', default='10,50,200', help='comma-separated target counts')
    parser.add_argument('--forks', type=int, default=10, help='forks of the one-host-per-target run')
    parser.add_argument('--skip-serial-above', type=int, default=0,
                        help='no serial loop above this many targets (it takes about 1 s a target); 0: always')
    parser.add_argument('--rate-limit', type=int, default=20, help="the emulator's requests a second per credential")
    parser.add_argument('--rate-targets', type=int, default=200)
    parser.add_argument('--paced', default='15,18,20', help='comma-separated requests_per_second values to try')
    parser.add_argument('--parts', default='fleet,rate,cpu', help='which parts to run: fleet, rate, cpu')
    args = parser.parse_args()
    parts = args.parts.split(',')
    venv = os.path.abspath(args.venv)
    python = os.path.join(venv, 'bin', 'python')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
               ANSIBLE_PYTHON_INTERPRETER=python, **EMULATOR_ENV)
    for name in ('HW_PROJECT_ID', 'WANGSU_USERNAME', 'WANGSU_API_KEY', 'WANGSU_ENDPOINT'):
        env.pop(name, None)
    started = time.time()
    fleet_rows, rate_rows, cpu_rows = [], [], []
    with tempfile.TemporaryDirectory() as work:
        bench = Bench(venv, env, work, args.forks)
        if 'fleet' in parts or 'cpu' in parts:
            emulator, url = start_emulator(python, '--latency', str(args.latency))
            try:
                if 'fleet' in parts:
                    fleet_rows = fleet(bench, url, [int(part) for part in args.targets.split(',')],
                                       args.skip_serial_above)
                if 'cpu' in parts:
                    cpu_rows = module_cpu(venv, env, url, work)
            finally:
                emulator.terminate()
                emulator.wait(timeout=10)
        if 'rate' in parts:
            emulator, url = start_emulator(python, '--latency', str(args.latency), '--rate-limit', str(args.rate_limit))
            try:
                rate_rows = rate_limited(bench, url, args.rate_targets, args.rate_limit,
                                         [float(part) for part in args.paced.split(',') if part])
            finally:
                emulator.terminate()
                emulator.wait(timeout=10)

    if fleet_rows:
        print('\nrotation at %.1f s latency (ELB and CDN in turn, one GM VPN gateway in ten; hosts: --forks %d)'
              % (args.latency, args.forks))
        print('| targets | run | wall s | / serial | CPU s | API reads | API writes | retried | peak MiB |')
        print('|---|---|---|---|---|---|---|---|---|')
        for count, measured in fleet_rows:
            for way in WAYS:
                if way not in measured:
                    continue
                result = measured[way]
                print('| %d | %s | %.1f | %s | %.1f | %d | %d | %d | %.0f |' % (
                    count, LABELS[way], result['seconds'], ratio(result, measured.get('serial')), result['cpu'],
                    result['reads'], result['writes'], result['throttled'], result['mib']))
    if rate_rows:
        print('\nthe role, %d targets, emulator at --rate-limit %d (per credential) and %.1f s latency'
              % (args.rate_targets, args.rate_limit, args.latency))
        print('| requests_per_second | wall s | failed targets | requests | retried (throttled) | retried % '
              '| peak MiB |')
        print('|---|---|---|---|---|---|---|')
        for rate, result in rate_rows:
            print('| %s | %.1f | %d | %d | %d | %.1f | %.0f |' % (
                'unset' if rate is None else '%g each' % rate, result['seconds'], result['failed'],
                result['requests'], result['throttled'], 100.0 * result['throttled'] / max(1, result['requests']),
                result['mib']))
    if cpu_rows:
        print('\none module run, median of 5 (CPU: user+sys of the whole process tree; RSS: the largest process)')
        print('| run | wall s | CPU s | max RSS MiB |')
        print('|---|---|---|---|')
        for label, seconds, cpu, rss in cpu_rows:
            print('| %s | %.2f | %.2f | %.0f |' % (label, seconds, cpu, rss))
    print('\ntook %.0f s' % (time.time() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
