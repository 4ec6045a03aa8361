# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""`make demo`: start the emulator, make a throwaway PKI, rotate with the role, rerun, report, stop.

The demo playbook (the certificate_rotation role) is run as a user would: with the first
certificate (created on ELB, on the CDN and, with its own GM pair, on a GM VPN gateway), with the
rotated ones (updated in place everywhere, verified), with the rotated ones again (nothing to do),
and with a certificate a CCM private CA issues (ELB and the CDN follow it); then the expiry report
runs across every service. The emulator's request log shows what each run cost in API calls; the
demo fails if a run does not do what it should, so it is also a smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.path.join(ROOT, 'tests', 'emulator')
# The emulator's documented default credentials (tests/emulator/README.md); nothing real.
EMULATOR_ENV = {
    'HW_ACCESS_KEY': 'CERTFLEETEMULATORAK1',
    'HW_SECRET_KEY': 'certfleet-emulator-secret-key-do-not-use-0',
    'HW_REGION_NAME': 'cn-north-4',
    'WANGSU_ACCESS_KEY': 'CERTFLEETNETCENTERAK1',
    'WANGSU_SECRET_KEY': 'certfleet-emulator-netcenter-secret-0',
}
# Where the demo's throwaway PKI stays after the run, for the printed rerun command.
DEMO_PKI = os.path.join('build', 'demo', 'pki')
DEMO_REPORT = os.path.join('build', 'demo', 'report')
DEMO_GATEWAY = '5d2c6f1e-8a3b-4c7d-9e0f-1a2b3c4d5e6f'


def rerun_port():
    """The port `make emulator` serves on: ``PORT`` as for it (`make demo PORT=9090`), else 8080."""
    value = os.environ.get('PORT') or '8080'
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SystemExit('PORT must be a TCP port number from 1 to 65535, not %r' % value)
    return int(value)


RERUN_PORT = rerun_port()


def rerun_command(venv, collections):
    """The command, as printed, that runs the demo again from the checkout against `make emulator`."""
    url = 'http://127.0.0.1:%d' % RERUN_PORT
    assignments = dict(EMULATOR_ENV, HW_PROJECT_ID='', WANGSU_USERNAME='', WANGSU_API_KEY='', WANGSU_ENDPOINT='',
                       ANSIBLE_COLLECTIONS_PATH=os.path.relpath(collections, ROOT))
    return 'cd %s && %s %s certfleet.cloud.demo --diff -e huaweicloud_endpoint=%s -e netcenter_endpoint=%s ' \
        '-e certificate_file=%s -e private_key_file=%s' % (
            shlex.quote(ROOT), ' '.join('%s=%s' % (name, shlex.quote(value)) for name, value in sorted(assignments.items())),
            os.path.join(os.path.relpath(venv, ROOT), 'bin', 'ansible-playbook'), url, url,
            os.path.join(DEMO_PKI, 'www.example.com-rotated.fullchain.pem'),
            os.path.join(DEMO_PKI, 'www.example.com-rotated.key'))


def check_rerun_command(python, command):
    """Run the printed command exactly as printed, against an emulator on its port; None when the port is taken."""
    with socket.socket() as probe:
        if probe.connect_ex(('127.0.0.1', RERUN_PORT)) == 0:
            return None
    process = subprocess.Popen([python, os.path.join(EMULATOR, 'serve.py'), '--port', str(RERUN_PORT)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        if not process.stdout.readline().startswith('ready '):
            return False
        clean = dict((name, value) for name, value in os.environ.items()
                     if not name.startswith(('HW_', 'WANGSU_', 'ANSIBLE_')))
        done = subprocess.run(['bash', '-c', command], env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        return done.returncode == 0 and re.search(r'changed=2\s+unreachable=0\s+failed=0', done.stdout) is not None
    finally:
        process.terminate()
        process.wait(timeout=10)


def start_emulator(python, *options):
    process = subprocess.Popen([python, os.path.join(EMULATOR, 'serve.py'), '--port', '0'] + list(options),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith('ready '):
        process.kill()
        raise SystemExit('the emulator did not start: %r' % line)
    return process, line.split(' ', 1)[1]


def admin(url, path, method='GET', body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    request = urllib.request.Request(url + '/_emulator/' + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode('utf-8'))


def run_playbook(venv, url, playbook, extra_vars, env):
    admin(url, 'requests', 'DELETE')
    command = [os.path.join(venv, 'bin', 'ansible-playbook'), playbook, '--diff',
               '-e', 'huaweicloud_endpoint=' + url, '-e', 'netcenter_endpoint=' + url]
    command.extend(['-e', json.dumps(dict(extra_vars))])
    print('$ ' + ' '.join(os.path.basename(part) if os.path.isabs(part) else part for part in command), flush=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    output = []
    for line in process.stdout:
        sys.stdout.write(line)
        output.append(line)
    rc = process.wait()
    recap = re.search(r'changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)', ''.join(output))
    requests = admin(url, 'requests')['requests']
    api = [entry for entry in requests if entry.get('service') != 'iam']
    return {
        'rc': rc,
        'changed': int(recap.group(1)) if recap else None,
        'failed': int(recap.group(2)) if recap else None,
        'reads': sum(1 for entry in api if entry['method'] == 'GET'),
        'writes': sum(1 for entry in api if entry['method'] != 'GET'),
        'iam': len(requests) - len(api),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collections', required=True, help='a folder holding ansible_collections/certfleet/cloud')
    args = parser.parse_args()
    venv = os.path.abspath(args.venv)
    python = os.path.join(venv, 'bin', 'python')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
               ANSIBLE_FORCE_COLOR=os.environ.get('ANSIBLE_FORCE_COLOR', 'false'), **EMULATOR_ENV)
    for name in ('HW_PROJECT_ID', 'WANGSU_USERNAME', 'WANGSU_API_KEY', 'WANGSU_ENDPOINT'):
        env.pop(name, None)  # the Huawei project is looked up through the emulator's IAM, as in the cloud

    started = time.time()
    emulator, url = start_emulator(python)
    try:
        pki = os.path.join(ROOT, DEMO_PKI)
        shutil.rmtree(pki, ignore_errors=True)
        os.makedirs(pki)
        subprocess.check_call([python, '-m', 'cloudemu.certs', pki, '--name', 'www.example.com'],
                              env=dict(env, PYTHONPATH=EMULATOR), stdout=subprocess.DEVNULL)
        print('emulator at %s; throwaway CA and certificates in %s' % (url, pki), flush=True)
        os.makedirs(os.path.join(ROOT, DEMO_REPORT), exist_ok=True)
        admin(url, 'seed', 'POST', {
            'vpn': {'gateways': [{'id': DEMO_GATEWAY, 'name': 'demo-gm-gateway', 'flavor': 'GM'}]},
            'ccm': {'authorities': [{'common_name': 'demo root CA', 'key_algorithm': 'EC256',
                                     'signature_algorithm': 'SHA256'}]}})

        def files(suffix):
            return [('certificate_file', os.path.join(pki, 'www.example.com%s.fullchain.pem' % suffix)),
                    ('private_key_file', os.path.join(pki, 'www.example.com%s.key' % suffix)),
                    ('vpn_gateway', DEMO_GATEWAY),
                    ('gm_sign_certificate_file', os.path.join(pki, 'gm-sign%s.pem' % suffix)),
                    ('gm_sign_key_file', os.path.join(pki, 'gm-sign%s.key' % suffix)),
                    ('gm_enc_certificate_file', os.path.join(pki, 'gm-enc%s.pem' % suffix)),
                    ('gm_enc_key_file', os.path.join(pki, 'gm-enc%s.key' % suffix)),
                    ('gm_chain_file', os.path.join(pki, 'gm-ca.pem'))]

        # The demo runs with --diff: a rotation is two changed tasks, the targets' diffs and the summary.
        steps = [
            ('upload', 'certfleet.cloud.demo', files(''), lambda r: r['writes'] == 3 and r['changed'] == 2),
            ('rotate', 'certfleet.cloud.demo', files('-rotated'), lambda r: r['writes'] == 3 and r['changed'] == 2),
            ('rerun', 'certfleet.cloud.demo', files('-rotated'), lambda r: r['writes'] == 0 and r['changed'] == 0),
            # CCM's tag filter and export are POSTs that change nothing; the apply, the tag and the two
            # in-place updates are the writes that do. Three changed tasks: the issue and the rotation's two.
            ('ccm', 'certfleet.cloud.demo', [('ccm_issuer', 'demo root CA')],
             lambda r: r['writes'] == 6 and r['changed'] == 3),
            ('report', 'certfleet.cloud.expiry_report', [('expiry_days', '100'), ('output_dir', os.path.join(ROOT, DEMO_REPORT))],
             lambda r: r['writes'] == 0 and os.path.exists(os.path.join(ROOT, DEMO_REPORT, 'expiry_report.html'))),
        ]
        results = []
        for label, playbook, extra_vars, expected in steps:
            print('\n=== %s ===' % label, flush=True)
            result = run_playbook(venv, url, playbook, extra_vars, env)
            result['ok'] = result['rc'] == 0 and result['failed'] == 0 and expected(result)
            results.append((label, result))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    print('\ndemo summary (emulator %s, stopped)' % url)
    for label, result in results:
        print('  %-7s changed=%s  API calls: %d read, %d write%s  %s' % (
            label, result['changed'], result['reads'], result['writes'],
            ', %d IAM' % result['iam'] if result['iam'] else '', 'ok' if result['ok'] else 'UNEXPECTED'))
    command = rerun_command(venv, args.collections)
    checked = check_rerun_command(python, command)
    verdicts = {None: 'not checked: port %d is in use' % RERUN_PORT, True: 'checked: ok', False: 'checked: FAILED'}
    print('  %-7s %s' % ('command', verdicts[checked]))
    print('\nrun it yourself: `make emulator` (port %d) in another terminal, then, the PKI being in %s:\n  %s'
          % (RERUN_PORT, DEMO_PKI, command))
    print('took %.0fs' % (time.time() - started))
    return 0 if all(result['ok'] for dummy, result in results) and checked is not False else 1


if __name__ == '__main__':
    sys.exit(main())
