#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""API calls of a ``strategy: replace`` rotation: one certificate used by 20 ELB listener slots (10 listeners
with it as default, 10 with it as default and SNI) and 10 Wangsu domains, against the in-process emulator;
reads and writes counted from the emulator's request log. A measurement, not a test.

Run: PYTHONPATH=build/collections python benchmarks/replace.py
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

from cloudemu import certs  # noqa: E402
from cloudemu.server import DEFAULTS, make_server  # noqa: E402
from ansible_collections.certfleet.cloud.plugins.module_utils import deploy  # noqa: E402
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient  # noqa: E402

DOMAINS = ['d%02d.example.com' % index for index in range(10)]


def admin(url, method, action, payload=None):
    data = json.dumps(payload).encode('utf-8') if payload is not None else None
    request = urllib.request.Request(url + '/_emulator/' + action, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request) as answer:  # nosec - loopback only
        return json.loads(answer.read().decode('utf-8'))


def main():
    server = make_server(argparse.Namespace(**DEFAULTS))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = 'http://127.0.0.1:%d' % server.server_address[1]
    options = server.emulator.options
    huawei = dict(access_key=options.access_key, secret_key=options.secret_key, region=options.region,
                  project_id=options.project_id, endpoint=url, timeout=5, max_retries=0)
    connections = dict(huaweicloud=huawei, netcenter=dict(access_key=options.netcenter_access_key,
                                                          secret_key=options.netcenter_secret_key, endpoint=url))
    ca, ca_key = certs.make_ca('bench CA')
    pairs = []
    for dummy in range(2):
        leaf, key = certs.make_leaf(ca, ca_key, ['www.example.com', '*.example.com'])
        pairs.append((certs.cert_pem(leaf) + certs.cert_pem(ca), certs.key_pem(key)))
    client = HuaweiCloudClient(dict(huawei, security_token=None, auth_token=None, validate_certs=True, ca_bundle=None,
                                    iam_endpoint=None), 'elb')
    old = client.request('POST', client.path('/v3/{project_id}/elb/certificates'), body={'certificate': {
        'name': 'www', 'certificate': pairs[0][0], 'private_key': pairs[0][1], 'domain': 'www.example.com'}})
    old_id = old['certificate']['id']
    listeners = [dict(id='lst-%02d' % index, default_tls_container_ref=old_id,
                      sni_container_refs=[old_id] if index < 10 else []) for index in range(20)]
    admin(url, 'POST', 'seed', {'elb': {'listeners': listeners}, 'netcenter': {
        'certificates': [dict(name='www', certificate=pairs[0][0], private_key=pairs[0][1], related_domains=DOMAINS)]}})
    targets = [{'service': 'elb', 'name': 'www'}, {'service': 'netcenter', 'name': 'www'}]
    print('| run | ELB reads | ELB writes | CDN reads | CDN writes | seconds |')
    print('|---|---|---|---|---|---|')
    for title, check_mode in (('check mode (the plan)', True), ('replace', False), ('unchanged rerun', False)):
        admin(url, 'DELETE', 'requests')
        started = time.time()
        result = deploy.deploy(targets, pairs[1][0], pairs[1][1], connections, check_mode=check_mode, strategy='replace')
        elapsed = time.time() - started
        assert not result.get('failed'), result.get('msg')
        log = admin(url, 'GET', 'requests')['requests']
        cells = []
        for prefix in ('/v3/', '/api/'):
            mine = [entry for entry in log if entry['path'].startswith(prefix)]
            cells += [len([e for e in mine if e['method'] == 'GET']), len([e for e in mine if e['method'] != 'GET'])]
        print('| %s | %d | %d | %d | %d | %.2f |' % tuple([title] + cells + [elapsed]))
    server.shutdown()


if __name__ == '__main__':
    main()
