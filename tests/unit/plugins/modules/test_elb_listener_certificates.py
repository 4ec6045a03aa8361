# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""elb_listener_certificates, elb_listener_certificates_info and elb_certificate_info's include_listeners,
run as modules (main()) or listings against the emulator."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.modules import (
    elb_certificate_info, elb_listener_certificates, elb_listener_certificates_info,
)


@pytest.fixture
def seeded(emulator, pki):
    server = dict(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    specs = [dict(server, name='www', domain='www.example.com'), dict(server, name='api', domain='api.example.com'),
             dict(name='partner-ca', type='client', certificate=pki['client-ca.pem']), dict(server, name='spare')]
    ids = emulator.admin('POST', 'seed', {'elb': {'certificates': specs}})['elb']['certificates']
    cert = dict((spec['name'], certificate_id) for spec, certificate_id in zip(specs, ids))
    emulator.admin('POST', 'seed', {'elb': {'listeners': [
        dict(id='l1', name='https-443', loadbalancer_id='lb1', default_tls_container_ref=cert['www']),
        dict(id='l2', name='tcp-80', loadbalancer_id='lb1', protocol='TCP', protocol_port=80)]}})
    emulator.admin('DELETE', 'requests')
    return cert


def module_args(emulator, **args):
    options = emulator.options
    return dict(args, endpoint=emulator.url, iam_endpoint=emulator.url, access_key=options.access_key,
                secret_key=options.secret_key, region=options.region, project_id=options.project_id, timeout=5)


def test_the_module_attaches_plans_and_reruns_unchanged(emulator, seeded, run_module, pki):
    args = module_args(emulator, listener='l1', server_certificate='api', sni_certificates=['www'],
                       client_ca_certificate='partner-ca', _ansible_check_mode=True, _ansible_diff=True)
    planned = run_module(elb_listener_certificates, args)
    assert planned['changed'] is True and not [e for e in emulator.requests() if e['method'] == 'PUT']
    args['_ansible_check_mode'] = False
    done = run_module(elb_listener_certificates, args)
    assert done['diff'] == planned['diff'] and done['changed'] is True
    slots = done['listener']['certificates']
    assert (slots['default']['name'], [item['name'] for item in slots['sni']], slots['client_ca']['name']) == (
        'api', ['www'], 'partner-ca')
    assert pki['www.example.com.key'] not in repr(done) and 'BEGIN' not in repr(done)
    emulator.admin('DELETE', 'requests')
    rerun = run_module(elb_listener_certificates, args)
    assert rerun['changed'] is False and [e['method'] for e in emulator.requests()] == ['GET', 'GET']


@pytest.mark.parametrize('args, words', [
    (dict(listener='l1', listener_name='x'), 'mutually exclusive'),
    (dict(listener_name='x', server_certificate='www'), 'loadbalancer'),
    (dict(server_certificate='www'), 'one of the following is required: listener, listener_name'),
])
def test_the_argument_spec_refuses_before_any_request(emulator, seeded, run_module, args, words):
    result = run_module(elb_listener_certificates, module_args(emulator, **args))
    assert result['failed'] is True and words in result['msg']
    assert emulator.requests() == []


def test_a_refused_rule_fails_naming_the_option(emulator, seeded, run_module):
    result = run_module(elb_listener_certificates, module_args(emulator, listener='l1', sni_certificates=['spare']))
    assert result['failed'] is True and result['field'] == 'sni_certificates'
    assert result['msg'].startswith('sni_certificates: certificate %s (spare) has no domain' % seeded['spare'])
    assert [e for e in emulator.requests() if e['method'] != 'GET'] == []


def test_the_info_module_lists_slots_and_filters_by_certificate(emulator, seeded, run_module, fake_module):
    client = HuaweiCloudClient(emulator.params(), 'elb')
    spec = elb_listener_certificates_info.ARGUMENT_SPEC
    listed = elb_listener_certificates_info.list_listeners(fake_module(spec, client=client))
    assert [item['id'] for item in listed['listeners']] == ['l1', 'l2']
    l1, l2 = listed['listeners']
    assert l1['default']['name'] == 'www' and l1['default']['subject'] == 'CN=www.example.com'
    assert (l1['sni'], l1['client_ca'], l1['loadbalancer_ids']) == ([], None, ['lb1'])
    assert (l2['default'], l2['protocol']) == (None, 'TCP')
    emulator.admin('DELETE', 'requests')
    by_certificate = elb_listener_certificates_info.list_listeners(fake_module(
        spec, client=client, certificate=[seeded['www']], include_certificates=False))
    assert [item['id'] for item in by_certificate['listeners']] == ['l1']
    assert by_certificate['listeners'][0]['default'] == {'id': seeded['www']}
    assert len(emulator.requests()) == 1
    filtered = elb_listener_certificates_info.list_listeners(fake_module(spec, client=client, protocol=['TCP']))
    assert [item['id'] for item in filtered['listeners']] == ['l2']


def test_certificate_info_shows_where_each_is_used_for_one_more_call(emulator, seeded, fake_module):
    client = HuaweiCloudClient(emulator.params(), 'elb')
    spec = elb_certificate_info.ARGUMENT_SPEC
    plain = elb_certificate_info.list_certificates(fake_module(spec, client=client))
    assert all('listeners' not in item for item in plain['certificates'])
    emulator.admin('DELETE', 'requests')
    used = elb_certificate_info.list_certificates(fake_module(spec, client=client, include_listeners=True))
    assert [entry['path'].rsplit('/', 1)[1] for entry in emulator.requests()] == ['certificates', 'listeners']
    where = dict((item['name'], item['listeners']) for item in used['certificates'])
    assert where['www'] == [{'listener_id': 'l1', 'listener_name': 'https-443', 'slot': 'default'}]
    assert where['api'] == [] and where['partner-ca'] == []
