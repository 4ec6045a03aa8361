# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""netcenter_domain_certificate's rules, run without AnsibleModule against the emulator: every refusal
before any write (the request log shows what was sent), idempotency, check mode equal to the real
run, absent; then the module's main() and the _info listing."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import (
    ARGUMENT_SPEC, INFO_ARGUMENT_SPEC, NetcenterDomainApi, list_domain_certificates, manage_domain_certificates,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import with_defaults
from ansible_collections.certfleet.cloud.plugins.modules import netcenter_domain_certificate as module
from ansible_collections.certfleet.cloud.plugins.modules import netcenter_domain_certificate_info as info_module

LIST = ('GET', '/api/ssl/certificate')


def connection(emulator):
    options = emulator.options
    return dict(endpoint=emulator.url, timeout=5, max_retries=0, validate_certs=True, ca_bundle=None,
                access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key)


def run(emulator, check_mode=False, **params):
    api = NetcenterDomainApi(NetcenterClient(connection(emulator)))
    return manage_domain_certificates(with_defaults(ARGUMENT_SPEC, params), api, check_mode)


def calls(emulator):
    return [(entry['method'], entry['path']) for entry in emulator.requests()]


def clear(emulator):
    emulator.admin('DELETE', 'requests')


@pytest.fixture(scope='module')
def wildcard():
    from cloudemu import certs
    ca, ca_key = certs.make_ca('certfleet wildcard CA')
    leaf, key = certs.make_leaf(ca, ca_key, ['*.example.com'])
    return dict(fullchain=certs.cert_pem(leaf) + certs.cert_pem(ca), key=certs.key_pem(key))


@pytest.fixture
def account(emulator, pki, wildcard):
    """www (www.example.com) used by www.example.com; rotated (www.example.com) unused; wild (*.example.com);
    domains img.example.com and a.static.example.com without SSL."""
    emulator.admin('POST', 'seed', {'netcenter': {'certificates': [
        dict(name='www', certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'],
             related_domains=['www.example.com']),
        dict(name='rotated', certificate=pki['www.example.com-rotated.fullchain.pem'],
             private_key=pki['www.example.com-rotated.key']),
        dict(name='wild', certificate=wildcard['fullchain'], private_key=wildcard['key'])],
        'domains': [dict(name='img.example.com'), dict(name='a.static.example.com')]}})
    clear(emulator)
    return dict(www='100001', rotated='100002', wild='100003')


def test_switch_then_rerun(emulator, account):
    switched = run(emulator, domains=['www.example.com'], certificate='rotated')
    assert switched['changed'] is True
    assert calls(emulator) == [LIST, ('GET', '/api/domain/www.example.com'), ('PUT', '/api/domain/www.example.com')]
    (domain,) = switched['domains']
    assert domain['certificate_id'] == account['rotated'] and domain['certificate_name'] == 'rotated'
    assert domain['use_ssl'] is True and domain['changed'] is True
    before = switched['diff']['before']['www.example.com']
    after = switched['diff']['after']['www.example.com']
    assert before['certificate_id'] == account['www'] and after['certificate_id'] == account['rotated']
    assert before['certificate']['serial'] != after['certificate']['serial']
    assert after['certificate']['sans'] == ['www.example.com']
    assert switched['certificate']['id'] == account['rotated']

    clear(emulator)
    again = run(emulator, domains=['www.example.com'], certificate=account['rotated'])
    assert again['changed'] is False and again['domains'][0]['changed'] is False
    assert again['diff']['before'] == again['diff']['after'] == switched['diff']['after']
    assert calls(emulator) == [LIST, ('GET', '/api/domain/www.example.com')]


def test_check_mode_plans_exactly_what_the_run_does(emulator, account):
    planned = run(emulator, check_mode=True, domains=['img.example.com', 'www.example.com'], certificate='wild')
    assert [method for method, path in calls(emulator)] == ['GET'] * 3
    clear(emulator)
    done = run(emulator, domains=['img.example.com', 'www.example.com'], certificate='wild')
    assert planned['changed'] is done['changed'] is True
    assert planned['diff'] == done['diff'] and planned['domains'] == done['domains']
    assert [domain['changed'] for domain in done['domains']] == [True, True]
    assert [method for method, path in calls(emulator)] == ['GET', 'GET', 'GET', 'PUT', 'PUT']


def test_attach_to_domains_without_ssl(emulator, account):
    done = run(emulator, domains=['IMG.example.com.', 'img.example.com'], certificate='wild')
    assert done['changed'] is True and [domain['domain_name'] for domain in done['domains']] == ['img.example.com']
    assert done['diff']['before'] == {'img.example.com': {'use_ssl': False, 'certificate_id': None}}
    assert done['diff']['after']['img.example.com']['certificate_name'] == 'wild'
    assert calls(emulator) == [LIST, ('GET', '/api/domain/img.example.com'), ('PUT', '/api/domain/img.example.com')]


@pytest.mark.parametrize('domains, certificate, uncovered', [
    (['img.example.com'], 'www', 'img.example.com is not covered by certificate 100001 (www)'),
    (['a.static.example.com'], 'wild', 'a.static.example.com is not covered by certificate 100003 (wild)'),
    (['www.example.com', 'example.com', 'img.example.com'], 'www', 'example.com, img.example.com are not covered'),
])
def test_an_uncovered_domain_is_refused_after_the_list_only(emulator, account, domains, certificate, uncovered):
    with pytest.raises(InputError) as caught:
        run(emulator, domains=domains, certificate=certificate)
    assert caught.value.field == 'domains'
    assert uncovered in caught.value.reason
    assert calls(emulator) == [LIST]


def test_check_mode_refuses_the_same(emulator, account):
    with pytest.raises(InputError) as caught:
        run(emulator, check_mode=True, domains=['img.example.com'], certificate='www')
    assert caught.value.field == 'domains' and calls(emulator) == [LIST]


@pytest.mark.parametrize('params, field', [
    (dict(domains=[], certificate='www'), 'domains'),
    (dict(domains=['not a domain'], certificate='www'), 'domains'),
    (dict(domains=['www.example.com']), 'certificate'),
    (dict(domains=['www.example.com'], certificate='  '), 'certificate'),
])
def test_bad_options_send_nothing(emulator, account, params, field):
    with pytest.raises(InputError) as caught:
        run(emulator, **params)
    assert caught.value.field == field
    assert calls(emulator) == []


def test_unknown_certificate_or_domain_is_refused_before_any_write(emulator, account):
    with pytest.raises(InputError, match="no certificate has the ID or name 'nope'") as caught:
        run(emulator, domains=['www.example.com'], certificate='nope')
    assert caught.value.field == 'certificate' and calls(emulator) == [LIST]
    clear(emulator)
    with pytest.raises(InputError, match='no accelerated domain nope.example.com') as caught:
        run(emulator, domains=['img.example.com', 'nope.example.com'], certificate='wild')
    assert caught.value.field == 'domains'
    assert calls(emulator) == [LIST, ('GET', '/api/domain/img.example.com'), ('GET', '/api/domain/nope.example.com')]


def test_absent_turns_ssl_off_only_where_asked(emulator, account):
    run(emulator, domains=['img.example.com'], certificate='wild')
    clear(emulator)
    # Detaching "rotated", which neither domain uses, changes nothing.
    untouched = run(emulator, state='absent', domains=['www.example.com', 'img.example.com'], certificate='rotated')
    assert untouched['changed'] is False and [method for method, path in calls(emulator)] == ['GET'] * 3
    clear(emulator)
    detached = run(emulator, state='absent', domains=['www.example.com', 'img.example.com'], certificate='wild')
    assert detached['changed'] is True
    assert [domain['certificate_id'] for domain in detached['domains']] == [account['www'], None]
    assert detached['diff']['after']['img.example.com'] == {'use_ssl': False, 'certificate_id': None}
    assert calls(emulator)[-1] == ('PUT', '/api/domain/img.example.com')
    clear(emulator)
    everything = run(emulator, state='absent', domains=['www.example.com', 'img.example.com'])
    assert [domain['changed'] for domain in everything['domains']] == [True, False]
    assert calls(emulator)[-1] == ('PUT', '/api/domain/www.example.com')
    clear(emulator)
    gone = run(emulator, state='absent', domains=['www.example.com'], certificate='deleted-long-ago')
    assert gone['changed'] is False and gone['certificate'] is None
    assert calls(emulator) == [LIST, ('GET', '/api/domain/www.example.com')]


def test_the_module_returns_what_its_documentation_says(emulator, account, run_module):
    import yaml
    args = dict(connection(emulator), domains=['www.example.com'], certificate='rotated')
    result = run_module(module, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True and calls(emulator)[-1][0] == 'GET'
    documented = yaml.safe_load(module.RETURN)
    assert set(result['domains'][0]) == set(documented['domains']['contains'])
    assert set(result['certificate']) == set(documented['certificate']['sample'])
    assert result['diff']['before']['www.example.com']['certificate_id'] == account['www']
    real = run_module(module, args)
    assert real['changed'] is True and real['domains'] == result['domains']
    refused = run_module(module, dict(args, domains=['img.example.com'], certificate='www'))
    assert refused['failed'] is True and refused['field'] == 'domains'
    assert 'img.example.com is not covered' in refused['msg']


def test_info_filters_by_domain_and_certificate(emulator, account, run_module):
    params = dict(connection(emulator))
    api = NetcenterDomainApi(NetcenterClient(params))
    everything = list_domain_certificates(with_defaults(INFO_ARGUMENT_SPEC, {}), api)
    assert [(domain['domain_name'], domain['certificate_name']) for domain in everything['domains']] == [
        ('www.example.com', 'www'), ('img.example.com', None), ('a.static.example.com', None)]
    assert calls(emulator) == [LIST, ('GET', '/api/domain')] + [('GET', '/api/domain/' + name) for name in (
        'www.example.com', 'img.example.com', 'a.static.example.com')]
    clear(emulator)
    by_certificate = list_domain_certificates(with_defaults(INFO_ARGUMENT_SPEC, dict(certificate=['www'])), api)
    assert [domain['domain_name'] for domain in by_certificate['domains']] == ['www.example.com']
    assert by_certificate['domains'][0]['certificate']['sans'] == ['www.example.com']
    assert calls(emulator) == [LIST, ('GET', '/api/domain/www.example.com')]
    clear(emulator)
    by_name = list_domain_certificates(with_defaults(INFO_ARGUMENT_SPEC, dict(domains=['img.example.com'])), api)
    assert [domain['use_ssl'] for domain in by_name['domains']] == [False]
    assert calls(emulator) == [LIST, ('GET', '/api/domain/img.example.com')]
    missing = run_module(info_module, dict(params, domains=['nope.example.com']))
    assert missing['failed'] is True and missing['field'] == 'domains'
    shown = run_module(info_module, dict(params, certificate=[account['www']]))
    import yaml
    documented = yaml.safe_load(info_module.RETURN)
    assert set(shown['domains'][0]) == set(documented['domains']['contains'])
