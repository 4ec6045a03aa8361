# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The domain layer the replace strategy builds on: name coverage, certificate lookup, and
domains_using / domain_usage / switch_certificate against the emulator, counting its requests."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import (
    NetcenterDomainApi, check_domain_name, covers, domain_usage, domains_using, resolve_certificate,
    switch_certificate,
)


def domain_api(emulator):
    options = emulator.options
    return NetcenterDomainApi(NetcenterClient(dict(
        endpoint=emulator.url, timeout=5, max_retries=0, validate_certs=True, ca_bundle=None,
        access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key)))


def seed(emulator, pki, certificates, domains=()):
    """``certificates``: [(name, pki stem, related domains)]; returns their IDs as strings."""
    answer = emulator.admin('POST', 'seed', {'netcenter': {
        'certificates': [dict(name=name, certificate=pki['%s.fullchain.pem' % stem], private_key=pki['%s.key' % stem],
                              related_domains=list(related)) for name, stem, related in certificates],
        'domains': [dict(name=name) for name in domains]}})
    emulator.admin('DELETE', 'requests')
    return [str(certificate_id) for certificate_id in answer['netcenter']['certificates']]


@pytest.fixture(scope='module')
def wildcard():
    """A certificate for *.example.com (and its own CA), PEM texts."""
    from cloudemu import certs
    ca, ca_key = certs.make_ca('certfleet wildcard CA')
    leaf, key = certs.make_leaf(ca, ca_key, ['*.example.com'])
    return dict(fullchain=certs.cert_pem(leaf) + certs.cert_pem(ca), key=certs.key_pem(key))


def calls(emulator):
    return [(entry['method'], entry['path']) for entry in emulator.requests()]


@pytest.mark.parametrize('names, domain, expected', [
    (['www.example.com'], 'www.example.com', True),
    (['www.example.com'], 'WWW.Example.com', True),
    (['*.example.com'], 'static.example.com', True),
    (['*.example.com'], 'a.static.example.com', False),   # one label only, as TLS matches
    (['*.example.com'], 'example.com', False),
    (['*.example.com'], '*.example.com', True),            # a wildcard accelerated domain
    (['www.example.com', 'shop.example.org'], 'shop.example.org', True),
    (['www.example.com'], 'wwwexample.com', False),
    ([], 'www.example.com', False),
])
def test_coverage_is_tls_name_matching(names, domain, expected):
    assert covers(names, domain) is expected


@pytest.mark.parametrize('given, expected', [
    ('WWW.Example.COM.', 'www.example.com'),
    (' *.example.com ', '*.example.com'),
])
def test_domain_names_are_normalised(given, expected):
    assert check_domain_name('domains', given) == expected


@pytest.mark.parametrize('given', ['', 'www', 'a..example.com', '*.*.example.com', 'www.example.com/x', 'a' * 64 + '.com',
                                   'x.' * 127 + 'com'])
def test_bad_domain_names_are_refused_naming_the_option(given):
    with pytest.raises(InputError) as caught:
        check_domain_name('domains', given)
    assert caught.value.field == 'domains'


def test_certificates_resolve_by_id_then_name():
    listed = [dict(id='100001', name='100002'), dict(id='100002', name='www'), dict(id='100003', name='dup'),
              dict(id='100004', name='dup')]
    assert resolve_certificate(listed, '100002')['id'] == '100002'   # the ID wins over another's name
    assert resolve_certificate(listed, 'www')['id'] == '100002'
    with pytest.raises(InputError, match='2 certificates are named .dup. .ids: 100003, 100004.'):
        resolve_certificate(listed, 'dup')
    with pytest.raises(InputError, match="no certificate has the ID or name 'gone'"):
        resolve_certificate(listed, 'gone')


def test_usage_comes_from_one_list_call(emulator, pki):
    www, rotated = seed(emulator, pki, [('www', 'www.example.com', ['www.example.com']),
                                        ('unused', 'www.example.com-rotated', [])], domains=['img.example.com'])
    api = domain_api(emulator)
    assert domain_usage(api) == {www: ['www.example.com']}
    assert domains_using(api, www) == ['www.example.com']
    assert domains_using(api, int(www)) == ['www.example.com']
    assert domains_using(api, rotated) == []
    assert domains_using(api, '999') == []
    assert calls(emulator) == [('GET', '/api/ssl/certificate')] * 5


def test_switch_is_idempotent_and_moves_usage(emulator, pki):
    old, new = seed(emulator, pki, [('old', 'www.example.com', ['www.example.com']),
                                    ('new', 'www.example.com-rotated', [])])
    api = domain_api(emulator)
    switched = switch_certificate(api, 'www.example.com', old, new)
    assert switched == dict(changed=True, before=dict(use_ssl=True, certificate_id=old),
                            after=dict(use_ssl=True, certificate_id=new))
    assert calls(emulator) == [('GET', '/api/domain/www.example.com'), ('PUT', '/api/domain/www.example.com')]
    assert api.get('www.example.com')['certificate_id'] == new
    assert domains_using(api, new) == ['www.example.com'] and domains_using(api, old) == []
    emulator.admin('DELETE', 'requests')
    again = switch_certificate(api, 'www.example.com', old, new)
    assert again['changed'] is False and again['before'] == again['after'] == switched['after']
    assert calls(emulator) == [('GET', '/api/domain/www.example.com')]


def test_switch_in_check_mode_sends_no_edit(emulator, pki):
    old, new = seed(emulator, pki, [('old', 'www.example.com', ['www.example.com']),
                                    ('new', 'www.example.com-rotated', [])])
    planned = switch_certificate(domain_api(emulator), 'www.example.com', old, new, check_mode=True)
    assert planned['changed'] is True and planned['after']['certificate_id'] == new
    assert calls(emulator) == [('GET', '/api/domain/www.example.com')]


def test_switch_from_no_certificate(emulator, pki):
    (new,) = seed(emulator, pki, [('new', 'www.example.com', [])], domains=['www.example.com'])
    result = switch_certificate(domain_api(emulator), 'www.example.com', None, new)
    assert result['before'] == dict(use_ssl=False, certificate_id=None)
    assert result['after'] == dict(use_ssl=True, certificate_id=new)


def test_switch_refusals_send_no_edit(emulator, pki):
    certificates = [('first', 'www.example.com', []), ('second', 'www.example.com-rotated', ['www.example.com']),
                    ('third', 'www.example.com', [])]
    first, second, third = seed(emulator, pki, certificates, domains=['img.example.com'])
    api = domain_api(emulator)
    with pytest.raises(InputError, match='www.example.com uses certificate %s, not %s' % (second, first)):
        switch_certificate(api, 'www.example.com', first, third)
    with pytest.raises(InputError, match='does not cover img.example.com'):
        switch_certificate(api, 'img.example.com', None, third, new_dns_names=['www.example.com'])
    with pytest.raises(InputError, match='no accelerated domain nope.example.com'):
        switch_certificate(api, 'nope.example.com', None, third)
    assert [method for method, path in calls(emulator)] == ['GET'] * 3
    # Without the names, the API's own refusal comes back, and nothing changed.
    with pytest.raises(ApiError) as caught:
        switch_certificate(api, 'img.example.com', None, third)
    assert caught.value.error_code == '36542024' and caught.value.message == 'img.example.com'
    assert api.get('img.example.com')['certificate_id'] is None


def test_threads_each_with_their_api_switch_their_domains(emulator, wildcard):
    names = ['d%d.example.com' % index for index in range(8)]
    emulator.admin('POST', 'seed', {'netcenter': {'certificates': [dict(
        name='many', certificate=wildcard['fullchain'], private_key=wildcard['key'])]}})
    emulator.admin('POST', 'seed', {'netcenter': {'domains': [dict(name=name) for name in names]}})
    results, errors = {}, []

    def switch(name):
        try:
            results[name] = switch_certificate(domain_api(emulator), name, None, '100001')
        except Exception as error:  # reported below, with the thread's domain
            errors.append((name, error))

    threads = [threading.Thread(target=switch, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(result['changed'] for result in results.values()) and len(results) == 8
    assert domains_using(domain_api(emulator), '100001') == names
