# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet engine: validation of every target first, the shared request budget, and 50 targets at
once against the emulator with a failure, a lost answer and 429s on one account."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import deploy, probe
from ansible_collections.certfleet.cloud.plugins.module_utils.deploy import RequestBudget, provider_params
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ConfigurationError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient

WRONG_SECRET = 'wrong-secret-key-for-one-target-0000'


class FakeTime:
    """A clock that only moves when someone sleeps; safe to share between threads."""

    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds


def test_the_budget_paces_requests_at_the_rate():
    fake = FakeTime()
    budget = RequestBudget(requests_per_second=10, clock=fake.clock, sleep=fake.sleep)
    for dummy in range(5):
        budget.acquire()
    assert fake.sleeps == pytest.approx([0.1] * 4)


def test_a_pause_holds_back_every_caller_of_the_account():
    fake = FakeTime()
    budget = RequestBudget(clock=fake.clock, sleep=fake.sleep)
    budget.acquire()
    assert fake.sleeps == []
    budget.pause(2.0)
    budget.acquire()
    assert sum(fake.sleeps) == pytest.approx(2.0) and budget.throttled == 1


def test_a_budget_under_threads_never_hands_out_one_slot_twice():
    budget = RequestBudget(requests_per_second=200)
    taken = []
    lock = threading.Lock()

    def worker():
        for dummy in range(10):
            budget.acquire()
            with lock:
                taken.append(budget._clock())

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken.sort()
    # 80 slots 5 ms apart take at least 79 intervals (a little scheduling slack allowed).
    assert taken[-1] - taken[0] >= 79 * 0.005 * 0.9


def test_connection_options_come_from_the_target_then_the_defaults_then_the_environment(monkeypatch):
    monkeypatch.setenv('HW_REGION_NAME', 'from-env')
    monkeypatch.setenv('HW_PROJECT_ID', 'env-project')
    params = provider_params('huaweicloud', {'access_key': 'target-ak', 'timeout': '7'},
                             {'access_key': 'default-ak', 'project_id': 'default-project'})
    assert params['access_key'] == 'target-ak' and params['project_id'] == 'default-project'
    assert params['region'] == 'from-env' and params['timeout'] == 7.0 and params['max_retries'] == 5
    assert params['security_token'] is None and params['validate_certs'] is True


def test_a_connection_option_of_the_wrong_type_is_a_configuration_error_naming_it():
    with pytest.raises(ConfigurationError) as caught:
        provider_params('netcenter', {'access_key': 'ak', 'timeout': 'soon'})
    assert 'timeout' in str(caught.value)


def connections(emulator, **huawei):
    options = emulator.options
    return dict(huaweicloud=emulator.params(iam_endpoint=None, **huawei),
                netcenter=dict(access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key,
                               endpoint=emulator.url, timeout=5, max_retries=3))


def test_every_refused_target_is_named_and_nothing_is_sent(emulator, pki):
    targets = [{'service': 'elb', 'name': 'www-a'}, {'service': 'netcenter', 'name': 'www-cdn'},
               {'service': 'vpn', 'gateway': 'gm-gateway', 'label': 'gm'}, {'service': 'elb'}]
    with pytest.raises(InputError) as caught:
        deploy.deploy(targets, pki['www.example.com.pem'], pki['www.example.com.key'], connections(emulator))
    message = str(caught.value)
    assert caught.value.field == 'targets' and 'nothing was sent; 4 of 4 targets' in message
    assert 'elb:www-a: certificate: holds only the leaf' in message
    assert 'netcenter:www-cdn: certificate: holds only the leaf' in message
    assert 'gm: certificate: is required for a vpn target' in message and 'elb:#4: name:' in message
    assert emulator.requests() == []


def test_duplicate_labels_are_refused():
    with pytest.raises(InputError) as caught:
        deploy.deploy([{'service': 'elb', 'name': 'a'}, {'service': 'elb', 'name': 'a'}], 'x', 'y', {})
    assert 'elb:a given more than once' in str(caught.value)


def fleet(count):
    targets = []
    for index in range(count):
        service = 'elb' if index % 2 == 0 else 'netcenter'
        targets.append({'service': service, 'name': 'www-%02d' % index})
    return targets


def test_fifty_targets_at_once_with_a_failure_a_lost_answer_and_429s_on_one_account(emulator, pki):
    targets = fleet(50)
    # One target's connection refuses it (a wrong secret key); the others are untouched by it.
    targets[4] = dict(targets[4], connection={'secret_key': WRONG_SECRET, 'max_retries': 0})
    emulator.admin('POST', 'faults', [
        # A CDN create that takes effect but whose answer is lost: found again, never sent twice.
        {'method': 'POST', 'path': '/api/certificate$', 'drop': True, 'after': True, 'count': 1},
        # The CDN account, and only it, is told to slow down.
        {'method': 'GET', 'path': '/api/ssl/certificate$', 'status': 429, 'headers': {'Retry-After': '1'},
         'count': 2},
    ])
    certificate, key = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    # The CDN account is paced (generously) so that the test shows the shared pause, not the pace learnt from it.
    result = deploy.deploy(targets, certificate, key, connections(emulator, max_retries=3), parallelism=10,
                           requests_per_second={'netcenter': 100})

    rows = result['targets']
    assert [row['label'] for row in rows] == ['%s:%s' % (t['service'], t['name']) for t in targets]
    failed = [row for row in rows if row['failed']]
    assert [row['label'] for row in failed] == ['elb:www-04'] and result['failed'] is True
    assert failed[0]['error_code'] and failed[0]['request_id'] and 'secret_key' in failed[0]['msg']
    assert 'elb:www-04' in result['msg'] and WRONG_SECRET not in result['msg']
    assert all(row['changed'] and row['verified'] for row in rows if not row['failed'])
    assert len(result['diff']) == 49

    log = emulator.requests()
    throttled = [entry for entry in log if entry['status'] == 429]
    assert len(throttled) == 2 and all(entry['path'].startswith('/api/') for entry in throttled)
    # The 429s slowed the CDN account as a whole: no CDN request went out within the second after one.
    first_429 = min(entry['time'] for entry in throttled)
    cdn_after = [entry['time'] for entry in log if entry['path'].startswith('/api/') and entry['time'] > first_429 + 0.1]
    assert cdn_after and min(cdn_after) >= first_429 + 0.9
    # One create per target that got through, the lost one included (never sent twice).
    creates = [entry for entry in log if entry['method'] == 'POST']
    assert len(creates) == 49

    emulator.admin('DELETE', 'requests')
    rerun = deploy.deploy(fleet(50), certificate, key, connections(emulator), parallelism=10)
    log = emulator.requests()
    writes = [entry for entry in log if entry['method'] != 'GET']
    assert [row['label'] for row in rerun['targets'] if row['changed']] == ['elb:www-04']
    assert 'failed' not in rerun and all(row['verified'] for row in rerun['targets'])
    assert len(writes) == 1 and writes[0]['method'] == 'POST' and '/elb/' in writes[0]['path']
    # Each target found by its name exactly once (a duplicate would be refused as ambiguous): one read each.
    assert len([entry for entry in log if entry['method'] == 'GET']) == 50


def test_check_mode_is_the_plan_with_zero_writes(emulator, pki):
    certificate, key = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    deploy.deploy(fleet(4), certificate, key, connections(emulator))
    emulator.admin('DELETE', 'requests')
    plan = deploy.deploy(fleet(6), pki['www.example.com-rotated.fullchain.pem'], pki['www.example.com-rotated.key'],
                         connections(emulator), check_mode=True)
    assert [row['changed'] for row in plan['targets']] == [True] * 6
    assert [row['before'] is None for row in plan['targets']] == [False] * 4 + [True] * 2
    assert all(row['verified'] is None for row in plan['targets']) and len(plan['diff']) == 6
    assert [entry for entry in emulator.requests() if entry['method'] != 'GET'] == []
    for diff in plan['diff']:
        assert 'PRIVATE KEY' not in repr(diff) and diff['before_header'] == diff['after_header']


def test_limit_deploys_only_the_named_targets_after_validating_all(emulator, pki):
    certificate, key = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    result = deploy.deploy(fleet(4), certificate, key, connections(emulator), limit=['netcenter:www-01'])
    assert [row['label'] for row in result['targets']] == ['netcenter:www-01']
    assert all(entry['path'].startswith('/api/') for entry in emulator.requests())
    with pytest.raises(InputError) as caught:
        deploy.deploy(fleet(2), certificate, key, connections(emulator), limit=['elb:nope'])
    assert caught.value.field == 'limit'


def test_an_unpaced_account_keeps_to_less_than_the_rate_that_drew_a_429():
    fake = FakeTime()
    budget = RequestBudget(clock=fake.clock, sleep=fake.sleep)
    for dummy in range(20):
        budget.acquire()
    assert fake.sleeps == []
    budget.pause(1.0)
    fake.sleeps.clear()
    for dummy in range(5):
        budget.acquire()
    # 20 requests within the second that drew the 429: 16 a second after the pause, then a little more
    # with every second without a 429.
    assert fake.sleeps[0] == pytest.approx(1.0)
    assert 1 / 17.0 < fake.sleeps[1] <= 1 / 16.0 + 1e-9
    assert fake.sleeps[1:] == sorted(fake.sleeps[1:], reverse=True)
    fake.sleep(10.0)
    budget.acquire()
    assert budget.interval < 1 / 25.0


def test_429s_to_requests_sent_before_the_pause_do_not_lower_the_pace_again():
    fake = FakeTime()
    budget = RequestBudget(clock=fake.clock, sleep=fake.sleep)
    for dummy in range(10):
        budget.acquire()
    budget.pause(1.0)
    budget.pause(1.0)
    assert budget.interval == pytest.approx(1 / 8.0) and budget.throttled == 2


def test_a_given_rate_is_kept_after_a_429():
    fake = FakeTime()
    budget = RequestBudget(requests_per_second=5, clock=fake.clock, sleep=fake.sleep)
    for dummy in range(3):
        budget.acquire()
    budget.pause(0.5)
    assert budget.interval == pytest.approx(0.2)


def test_gateways_start_first_and_results_keep_the_order_given(emulator, pki):
    started = []
    original = deploy.deploy_one

    def recording(target):
        started.append(target.service_name)
        return original(target)

    gateway = {'service': 'vpn', 'gateway': '0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f', 'name': 'vpn-gm',
               'certificate': pki['gm-sign.pem'], 'private_key': pki['gm-sign.key'],
               'enc_certificate': pki['gm-enc.pem'], 'enc_private_key': pki['gm-enc.key'],
               'certificate_chain': pki['gm-ca.pem']}
    emulator.admin('POST', 'seed', {'vpn': {'gateways': [{'id': gateway['gateway'], 'name': 'gm', 'flavor': 'GM'}]}})
    deploy.deploy_one = recording
    try:
        result = deploy.deploy(fleet(3) + [gateway], pki['www.example.com.fullchain.pem'], pki['www.example.com.key'],
                               connections(emulator), parallelism=1)
    finally:
        deploy.deploy_one = original
    # The services in turn, the slowest first; the result in the order given.
    assert started == ['vpn', 'elb', 'netcenter', 'elb']
    assert [row['service'] for row in result['targets']] == ['elb', 'netcenter', 'elb', 'vpn']


def test_each_target_is_validated_once(emulator, pki, monkeypatch):
    from ansible_collections.certfleet.cloud.plugins.module_utils import elb
    calls = []
    original = elb.ElbCertificate.validate

    def counted(self):
        calls.append(self.params['name'])
        return original(self)

    monkeypatch.setattr(elb.ElbCertificate, 'validate', counted)
    deploy.deploy([{'service': 'elb', 'name': 'a'}, {'service': 'elb', 'name': 'b'}],
                  pki['www.example.com.fullchain.pem'], pki['www.example.com.key'], connections(emulator))
    assert sorted(calls) == ['a', 'b']


def test_an_elb_target_lands_in_its_enterprise_project(emulator, pki):
    project = '8f2d0a4e-5b6c-4d7e-9f80-112233445566'
    targets = [{'service': 'elb', 'name': 'eps-www', 'enterprise_project_id': project}]
    result = deploy.deploy(targets, pki['www.example.com.fullchain.pem'], pki['www.example.com.key'],
                           connections(emulator))
    assert result['targets'][0]['verified'] is True
    created = [entry for entry in emulator.requests() if entry['method'] == 'POST']
    assert len(created) == 1
    client = HuaweiCloudClient(emulator.params(), 'elb')
    listed = client.request('GET', client.path('/v3/{project_id}/elb/certificates'),
                            [('name', 'eps-www'), ('enterprise_project_id', project)])
    assert [item['enterprise_project_id'] for item in listed['certificates']] == [project]


def test_a_failed_target_still_reports_what_it_serves(emulator, pki):
    certificate, key = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    targets = [{'service': 'elb', 'name': 'www-a', 'connection': {'max_retries': 0}},
               {'service': 'netcenter', 'name': 'www-cdn'},
               {'service': 'elb', 'name': 'www-b', 'connection': {'secret_key': WRONG_SECRET, 'max_retries': 0}}]
    first = deploy.deploy(targets[:2], certificate, key, connections(emulator))
    served = first['targets'][0]['after']
    # Every ELB update fails: the write of www-a is refused after its certificate was read.
    emulator.admin('POST', 'faults', [{'method': 'PUT', 'path': '/elb/certificates/[^/]+$', 'status': 500, 'count': 10}])
    result = deploy.deploy(targets, pki['www.example.com-rotated.fullchain.pem'], pki['www.example.com-rotated.key'],
                           connections(emulator))
    www_a, cdn, www_b = result['targets']
    assert www_a['failed'] and www_a['before'] == served and www_a['before_known'] is True and www_a['after'] is None
    assert not cdn['failed'] and cdn['before']['serial'] == served['serial'] and cdn['before_known'] is True
    # The lookup itself was refused: what www-b serves is unknown, which is not the same as "nothing".
    assert www_b['failed'] and www_b['before'] is None and www_b['before_known'] is False


def elb_ids(emulator):
    client = HuaweiCloudClient(emulator.params(), 'elb')
    listed = client.request('GET', client.path('/v3/{project_id}/elb/certificates'))
    return dict((item['name'], item['id']) for item in listed['certificates'])


def test_probes_see_what_the_listeners_serve_after_the_deployment(emulator, pki, monkeypatch):
    first = pki['www.example.com.fullchain.pem'], pki['www.example.com.key']
    rotated = pki['www.example.com-rotated.fullchain.pem'], pki['www.example.com-rotated.key']
    initial = deploy.deploy([{'service': 'elb', 'name': 'www-a'}, {'service': 'elb', 'name': 'www-b'}], first[0],
                            first[1], connections(emulator))
    first_serial = initial['targets'][1]['after']['serial']
    ids = elb_ids(emulator)
    ports = emulator.admin('POST', 'seed', {'elb': {'listeners': [
        {'id': 'lb-a', 'certificate_ids': [ids['www-a']], 'tls_port': 0},
        {'id': 'lb-b', 'certificate_ids': [ids['www-b']], 'tls_port': 0}]}})['elb']['tls_ports']

    def probes(listener, **options):
        return [dict(dict(host='127.0.0.1', port=ports[listener], server_name='www.example.com', retries=0), **options)]

    handshakes = []
    original = probe.served_leaf

    def counted(*args):
        handshakes.append(args)
        return original(*args)

    monkeypatch.setattr(probe, 'served_leaf', counted)
    plan = deploy.deploy([{'service': 'elb', 'name': 'www-a', 'probes': probes('lb-a')}], rotated[0], rotated[1],
                         connections(emulator), check_mode=True)
    # Nothing was deployed in check mode: nothing to probe.
    assert plan['targets'][0]['probes'] == [] and handshakes == []

    done = deploy.deploy([{'service': 'elb', 'name': 'www-a', 'probes': probes('lb-a')}], rotated[0], rotated[1],
                         connections(emulator))
    row = done['targets'][0]
    assert 'failed' not in done and row['changed'] and row['verified']
    assert len(row['probes']) == 1 and row['probes'][0]['matches'] is True and len(handshakes) == 1
    assert row['probes'][0]['served']['sha256_fingerprint'] == row['after']['sha256_fingerprint']
    assert row['probes'][0]['served']['serial'] != row['before']['serial']

    # www-a serves the rotated certificate, but a probe pointed at lb-b sees www-b's first one.
    both = probes('lb-a') + probes('lb-b', retries=1, delay=0.01)
    missed = deploy.deploy([{'service': 'elb', 'name': 'www-a', 'probes': both}], rotated[0], rotated[1],
                           connections(emulator))
    row = missed['targets'][0]
    assert missed['failed'] and row['failed'] and row['verified'] and not row['changed']
    assert [result['matches'] for result in row['probes']] == [True, False] and row['probes'][1]['attempts'] == 2
    assert row['probes'][1]['served']['serial'] == first_serial != row['after']['serial']
    assert row['msg'] == probe.failure_text(row['probes'][1], row['after'])
    assert 'probe 127.0.0.1:%d (SNI www.example.com) serves serial %s' % (ports['lb-b'], first_serial) in missed['msg']


def test_a_probe_on_a_gm_gateway_is_refused_before_anything_is_sent(emulator, pki):
    gateway = {'service': 'vpn', 'gateway': 'gm', 'name': 'vpn-gm', 'label': 'vpn:gm',
               'certificate': pki['gm-sign.pem'], 'private_key': pki['gm-sign.key'],
               'enc_certificate': pki['gm-enc.pem'], 'enc_private_key': pki['gm-enc.key'],
               'certificate_chain': pki['gm-ca.pem'], 'probes': [{'host': 'vpn.example.com', 'port': 443}]}
    with pytest.raises(InputError) as caught:
        deploy.deploy([gateway, {'service': 'elb', 'name': 'www-a'}], pki['www.example.com.fullchain.pem'],
                      pki['www.example.com.key'], connections(emulator))
    assert 'nothing was sent; 1 of 2 targets would be refused: vpn:gm: probes: cannot be used on a vpn target' \
        in str(caught.value)
    assert 'TLCP' in str(caught.value) and emulator.requests() == []
