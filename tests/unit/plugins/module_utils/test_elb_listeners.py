# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""elb_listeners: the slots' rules, idempotency, check mode, purge_sni, names, and the functions a rotation
by replacement uses, against the emulator (its request log proves what was sent)."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.elb_listeners import (
    ARGUMENT_SPEC, ListenerApi, ListenerCertificates, SlotConflictError, elb_certificate_usage, listeners_using,
    switch_certificate,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates

LB = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'


@pytest.fixture
def cloud(emulator, pki):
    """Certificates by name -> ID and a few listeners; the request log starts empty."""
    server = dict(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    specs = [
        dict(server, name='www', domain='www.example.com'),
        dict(server, name='api', domain='api.example.com'),
        dict(server, name='shop', domain='shop.example.com'),
        dict(server, name='www-too', domain='www.example.com'),
        dict(server, name='bare'),
        dict(certificate=pki['rsa.pem'], private_key=pki['rsa.key'], name='www-rsa', domain='www.example.com'),
        dict(name='partner-ca', type='client', certificate=pki['client-ca.pem']),
        dict(server, name='twin', domain='twin1.example.com'),
        dict(server, name='twin', domain='twin2.example.com'),
    ]
    ids = emulator.admin('POST', 'seed', {'elb': {'certificates': specs}})['elb']['certificates']
    names = dict((spec['name'], certificate_id) for spec, certificate_id in zip(specs, ids))
    emulator.admin('POST', 'seed', {'elb': {'listeners': [
        dict(id='l-https', name='https-443', loadbalancer_id=LB, protocol='HTTPS', default_tls_container_ref=names['www']),
        dict(id='l-tcp', name='tcp-80', loadbalancer_id=LB, protocol='TCP'),
        dict(id='l-quic', name='quic-443', loadbalancer_id=LB, protocol='QUIC', default_tls_container_ref=names['www-rsa']),
        dict(id='l-dup1', name='dup', loadbalancer_id=LB, protocol='HTTPS', default_tls_container_ref=names['www']),
        dict(id='l-dup2', name='dup', loadbalancer_id=LB, protocol='HTTPS', default_tls_container_ref=names['www']),
    ]}})
    emulator.admin('DELETE', 'requests')
    return names


def run(emulator, check_mode=False, **params):
    api = ListenerApi(HuaweiCloudClient(emulator.params(), 'elb'))
    manager = ListenerCertificates(with_defaults(ARGUMENT_SPEC, params), api, check_mode)
    return reconcile(manager)


def log(emulator):
    entries = [entry for entry in emulator.requests() if '/elb/' in entry['path']]
    emulator.admin('DELETE', 'requests')
    return entries


def writes(entries):
    return [entry for entry in entries if entry['method'] != 'GET']


def listener(emulator, listener_id='l-https'):
    return ListenerApi(HuaweiCloudClient(emulator.params(), 'elb')).get(listener_id)


def test_attach_by_name_then_rerun_reads_twice_and_writes_nothing(emulator, cloud, pki):
    result = run(emulator, listener='l-https', server_certificate='api')
    entries = log(emulator)
    assert result['changed'] is True
    assert [(entry['method'], entry['fields']) for entry in writes(entries)] == [
        ('PUT', ['listener.default_tls_container_ref'])]
    assert listener(emulator)['default_tls_container_ref'] == cloud['api']
    before, after = result['diff']['before']['default'], result['diff']['after']['default']
    assert (before['name'], after['name']) == ('www', 'api')
    leaf = load_certificates(pki['www.example.com.pem'], 'c')[0]
    assert after['serial'] == leaf.serial_openssl and after['subject'] == 'CN=www.example.com'
    assert 'BEGIN' not in repr(result)
    assert result['listener']['certificates']['default']['id'] == cloud['api']
    log(emulator)

    rerun = run(emulator, listener='l-https', server_certificate='api')
    entries = log(emulator)
    assert rerun['changed'] is False and rerun['diff']['before'] == rerun['diff']['after']
    assert [entry['method'] for entry in entries] == ['GET', 'GET']
    # By ID, the same: the listener, then one certificate list.
    rerun = run(emulator, listener='l-https', server_certificate=cloud['api'])
    assert rerun['changed'] is False and len(log(emulator)) == 2


def test_check_mode_predicts_the_real_diff_and_sends_no_write(emulator, cloud):
    planned = run(emulator, check_mode=True, listener='l-https', sni_certificates=['api', 'shop'],
                  client_ca_certificate='partner-ca', sni_match_algo='longest_suffix')
    assert planned['changed'] is True and writes(log(emulator)) == []
    assert listener(emulator)['sni_container_refs'] == []
    log(emulator)
    done = run(emulator, listener='l-https', sni_certificates=['api', 'shop'], client_ca_certificate='partner-ca',
               sni_match_algo='longest_suffix')
    assert done['diff'] == planned['diff']
    assert [item['name'] for item in done['diff']['after']['sni']] == ['api', 'shop']
    assert done['diff']['after']['client_ca']['name'] == 'partner-ca'
    assert len(writes(log(emulator))) == 1


def test_purge_sni_false_adds_true_sets_exactly_and_order_is_no_change(emulator, cloud):
    run(emulator, listener='l-https', sni_certificates=['api'])
    run(emulator, listener='l-https', sni_certificates=['shop'])
    assert listener(emulator)['sni_container_refs'] == [cloud['api'], cloud['shop']]
    log(emulator)
    same = run(emulator, listener='l-https', sni_certificates=['shop', 'api'], purge_sni=True)
    assert same['changed'] is False and writes(log(emulator)) == []
    purged = run(emulator, listener='l-https', sni_certificates=['shop'], purge_sni=True)
    assert purged['changed'] is True and listener(emulator)['sni_container_refs'] == [cloud['shop']]
    emptied = run(emulator, listener='l-https', sni_certificates=[], purge_sni=True)
    assert emptied['changed'] is True and listener(emulator)['sni_container_refs'] == []
    assert 'sni' not in emptied['diff']['after']


def test_client_ca_is_attached_and_an_empty_string_removes_it(emulator, cloud):
    run(emulator, listener='l-https', client_ca_certificate='partner-ca')
    assert listener(emulator)['client_ca_tls_container_ref'] == cloud['partner-ca']
    removed = run(emulator, listener='l-https', client_ca_certificate='')
    assert removed['changed'] is True and listener(emulator)['client_ca_tls_container_ref'] is None
    log(emulator)
    again = run(emulator, listener='l-https', client_ca_certificate='')
    assert again['changed'] is False and writes(log(emulator)) == []


def test_found_by_loadbalancer_and_listener_name(emulator, cloud):
    result = run(emulator, loadbalancer=LB, listener_name='https-443', server_certificate='api')
    assert result['listener']['id'] == 'l-https'
    listed = [entry for entry in log(emulator) if entry['path'].endswith('/elb/listeners')]
    assert 'loadbalancer_id=%s' % LB in listed[0]['query'] and 'name=https-443' in listed[0]['query']


@pytest.mark.parametrize('params, field', [
    (dict(listener='l-tcp', server_certificate='www'), 'server_certificate'),
    (dict(listener='l-https', server_certificate='partner-ca'), 'server_certificate'),
    (dict(listener='l-https', client_ca_certificate='www'), 'client_ca_certificate'),
    (dict(listener='l-quic', client_ca_certificate='partner-ca'), 'client_ca_certificate'),
    (dict(listener='l-quic', sni_certificates=['api']), 'sni_certificates'),
    (dict(listener='l-https', sni_certificates=['bare']), 'sni_certificates'),
    (dict(listener='l-https', sni_certificates=['www', 'www-too']), 'sni_certificates'),
    (dict(listener='l-https', server_certificate='twin'), 'server_certificate'),
    (dict(listener='l-https', sni_certificates=['nothing-by-this-name']), 'sni_certificates'),
    (dict(listener='no-such-listener', server_certificate='www'), 'listener'),
    (dict(loadbalancer=LB, listener_name='dup', server_certificate='www'), 'listener_name'),
    (dict(loadbalancer=LB, listener_name='none', server_certificate='www'), 'listener_name'),
])
def test_refusals_name_the_option_and_send_no_write(emulator, cloud, params, field):
    with pytest.raises(InputError) as caught:
        run(emulator, **params)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ': ')
    assert writes(log(emulator)) == []


@pytest.mark.parametrize('params, field', [
    (dict(server_certificate='www'), 'listener'),
    (dict(listener='l-https', listener_name='x', loadbalancer=LB, server_certificate='www'), 'listener'),
    (dict(listener='l-https'), 'server_certificate'),
    (dict(listener='l-https', server_certificate=' '), 'server_certificate'),
    (dict(listener='l-https', sni_certificates=['api', 'api']), 'sni_certificates'),
    (dict(listener='l-https', sni_certificates=['c%d' % index for index in range(51)]), 'sni_certificates'),
    (dict(listener='l-https', sni_match_algo='shortest'), 'sni_match_algo'),
])
def test_local_refusals_send_nothing_at_all(emulator, cloud, params, field):
    with pytest.raises(InputError) as caught:
        run(emulator, **params)
    assert caught.value.field == field
    assert log(emulator) == []


def test_the_sni_limits_are_checked_on_the_list_the_listener_would_hold(emulator, cloud):
    # One ECC and one RSA certificate may share a domain; two ECC may not (with what the listener holds).
    run(emulator, listener='l-https', sni_certificates=['www'])
    shared = run(emulator, listener='l-https', sni_certificates=['www-rsa'])
    assert shared['changed'] is True
    log(emulator)
    with pytest.raises(InputError) as caught:
        run(emulator, listener='l-https', sni_certificates=['www-too'])
    assert 'both have domain www.example.com' in str(caught.value) and writes(log(emulator)) == []


def test_a_32_hex_name_that_is_no_id_is_looked_up_as_a_name(emulator, cloud, pki):
    name = 'f' * 32
    seeded = emulator.admin('POST', 'seed', {'elb': {'certificates': [dict(
        name=name, domain='hex.example.com', certificate=pki['www.example.com.fullchain.pem'],
        private_key=pki['www.example.com.key'])]}})['elb']['certificates'][0]
    result = run(emulator, listener='l-https', server_certificate=name)
    assert result['changed'] is True and listener(emulator)['default_tls_container_ref'] == seeded


def test_usage_listeners_using_and_switch(emulator, cloud):
    run(emulator, listener='l-https', sni_certificates=['api', 'shop'])
    api = ListenerApi(HuaweiCloudClient(emulator.params(), 'elb'))
    log(emulator)

    usage = elb_certificate_usage(api)
    assert sorted((entry['listener_id'], entry['slot']) for entry in usage[cloud['www']]) == [
        ('l-dup1', 'default'), ('l-dup2', 'default'), ('l-https', 'default')]
    assert usage[cloud['api']] == [{'listener_id': 'l-https', 'listener_name': 'https-443', 'slot': 'sni'}]
    assert [entry['method'] for entry in log(emulator)] == ['GET']

    using = listeners_using(api, cloud['api'])
    assert [(item['id'], slot) for item, slot in using] == [('l-https', 'sni')]
    (current, slot), = using
    log(emulator)

    planned = switch_certificate(api, current, 'sni', cloud['api'], cloud['twin'], check_mode=True)
    assert planned['changed'] and planned['after'] == [cloud['twin'], cloud['shop']] and log(emulator) == []
    switched = switch_certificate(api, current, 'sni', cloud['api'], cloud['twin'])
    assert switched['listener']['sni_container_refs'] == [cloud['twin'], cloud['shop']]
    (put,) = log(emulator)
    assert put['method'] == 'PUT' and put['fields'] == ['listener.sni_container_refs']
    # Again with the answer: already switched, nothing sent.
    again = switch_certificate(api, switched['listener'], 'sni', cloud['api'], cloud['twin'])
    assert again['changed'] is False and log(emulator) == []

    default = switch_certificate(api, switched['listener'], 'default', cloud['www'], cloud['api'])
    assert (default['before'], default['after']) == (cloud['www'], cloud['api'])
    assert listener(emulator)['default_tls_container_ref'] == cloud['api']
    with pytest.raises(SlotConflictError):
        switch_certificate(api, default['listener'], 'default', cloud['www'], cloud['shop'])


def test_switch_takes_a_listener_id_and_reads_it_first(emulator, cloud):
    api = ListenerApi(HuaweiCloudClient(emulator.params(), 'elb'))
    switched = switch_certificate(api, 'l-https', 'default', cloud['www'], cloud['api'])
    assert switched['changed'] and [entry['method'] for entry in log(emulator)] == ['GET', 'PUT']
    with pytest.raises(InputError) as caught:
        switch_certificate(api, 'no-such-listener', 'default', cloud['www'], cloud['api'])
    assert caught.value.field == 'listener'
