# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The emulator's Wangsu API: wangsu-sdk-python's signer is accepted unchanged, a tampered one is
refused, and every input error of the seed's table that input can trigger is answered as documented."""

from __future__ import annotations

import pytest
import requests
from wangsu.certificationmanage.models import QueryCertificateInfoResponseData


def sdk_call(emulator, method, uri, payload=None, secret_key=None, tamper=False):
    return emulator.wangsu_sdk_call(method, uri, payload, secret_key, tamper)


def bundle(pki, name='www.example.com'):
    return pki['%s.fullchain.pem' % name]


def add(emulator, pki, name='www', **overrides):
    payload = dict(name=name, certificate=bundle(pki), privateKey=pki['www.example.com.key'])
    payload.update(overrides)
    return sdk_call(emulator, 'POST', '/api/certificate', payload)


def test_full_lifecycle_signed_by_the_sdk(emulator, pki):
    created = add(emulator, pki, comment='first')
    assert created.status_code == 202, created.text
    assert created.json() == {'code': '0', 'message': 'success'}
    assert created.headers['x-cnc-request-id']
    certificate_id = created.headers['Location'].rsplit('/', 1)[1]

    listed = sdk_call(emulator, 'GET', '/api/ssl/certificate').json()['ssl-certificates']
    assert [entry['name'] for entry in listed] == ['www']
    assert listed[0]['dns-names'] == ['www.example.com']
    assert len(listed[0]['crt-md5']) == len(listed[0]['key-md5']) == len(listed[0]['ca-md5']) == 32

    shown = sdk_call(emulator, 'GET', '/api/certificate/%s' % certificate_id).json()
    assert shown['code'] == '0' and shown['data']['commonName'] == 'www.example.com'
    assert shown['data']['comment'] == 'first'
    content = sdk_call(emulator, 'GET', '/api/certificate/%s/content' % certificate_id).json()['data']
    assert content['certificate'].count('BEGIN CERTIFICATE') == 2 and 'PRIVATE' not in content['certificate']

    rotated = sdk_call(emulator, 'PUT', '/api/certificate/%s' % certificate_id, dict(
        name='www', certificate=bundle(pki, 'www.example.com-rotated'),
        privateKey=pki['www.example.com-rotated.key'], autoRenew='true'))
    assert rotated.status_code == 200 and rotated.json()['code'] == '0'
    after = sdk_call(emulator, 'GET', '/api/ssl/certificate').json()['ssl-certificates'][0]
    assert after['certificate-serial'] != listed[0]['certificate-serial']

    deleted = sdk_call(emulator, 'DELETE', '/api/certificate/%s' % certificate_id)
    assert deleted.status_code == 200 and deleted.json()['code'] == '0'
    assert sdk_call(emulator, 'GET', '/api/ssl/certificate').json()['ssl-certificates'] == []
    again = sdk_call(emulator, 'DELETE', '/api/certificate/%s' % certificate_id)
    assert again.json()['code'] == '36540000'


def test_a_tampered_or_wrong_signature_is_refused(emulator):
    tampered = sdk_call(emulator, 'GET', '/api/ssl/certificate', tamper=True)
    assert tampered.status_code == 401 and tampered.json()['code'] == 'SignatureDoesNotMatch'
    wrong = sdk_call(emulator, 'GET', '/api/ssl/certificate', secret_key='not-the-secret')
    assert wrong.status_code == 401
    unsigned = requests.get(emulator.url + '/api/ssl/certificate', timeout=10)
    assert unsigned.status_code == 401 and unsigned.json()['code'] == 'MissingAuthorization'


def rewrap(text, width):
    out = []
    for block in text.strip().split('-----END CERTIFICATE-----'):
        if 'BEGIN' not in block:
            continue
        body = ''.join(block.split('-----BEGIN CERTIFICATE-----')[1].split())
        lines = [body[i:i + width] for i in range(0, len(body), width)]
        out.append('-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % '\n'.join(lines))
    return ''.join(out)


@pytest.mark.parametrize('label, overrides, code', [
    ('no name', {'name': ''}, '26938005'),
    ('long name', {'name': 'n' * 513}, '26938005'),
    ('long comment', {'comment': 'c' * 1025}, '26938005'),
    ('no certificate', {'certificate': None}, '26938005'),
    ('76-column lines', {'certificate': 'REWRAP76'}, '36540072'),
    ('blank line', {'certificate': 'BLANK'}, '36540072'),
    ('BEGIN without END', {'certificate': 'UNBALANCED'}, '36540098'),
    ('leaf only', {'certificate': 'LEAF'}, '36540103'),
    ('chain of another CA', {'certificate': 'OTHER_CA'}, '36540106'),
    ('two leaves', {'certificate': 'TWO_LEAVES'}, '36540100'),
    ('key mismatch', {'privateKey': 'OTHER_KEY'}, '36540147'),
    ('garbage key', {'privateKey': 'nonsense'}, '36540146'),
    ('expired', {'certificate': 'EXPIRED', 'privateKey': 'EXPIRED_KEY'}, '36540145'),
    ('csr unknown', {'privateKey': None, 'csrId': 42}, '36540129'),
])
def test_input_errors_of_the_seed_table(emulator, pki, label, overrides, code):
    fullchain = bundle(pki)
    substitutes = {
        'REWRAP76': rewrap(fullchain, 76),
        'BLANK': fullchain.replace('\n', '\n\n', 3),
        'UNBALANCED': fullchain + '-----BEGIN CERTIFICATE-----\n',
        'LEAF': pki['www.example.com.pem'],
        'OTHER_CA': pki['www.example.com.pem'] + pki['client-ca.pem'],
        'TWO_LEAVES': pki['www.example.com.pem'] + pki['www.example.com-rotated.pem'] + pki['ca.pem'],
        'OTHER_KEY': pki['other.key'],
        'EXPIRED': pki['expired.pem'] + pki['ca.pem'],
        'EXPIRED_KEY': pki['expired.key'],
    }
    payload = dict(name='www', certificate=fullchain, privateKey=pki['www.example.com.key'])
    for field, value in overrides.items():
        payload[field] = substitutes.get(value, value) if isinstance(value, str) else value
    payload = dict((field, value) for field, value in payload.items() if value is not None)
    answer = sdk_call(emulator, 'POST', '/api/certificate', payload)
    assert answer.status_code == 400, label
    assert answer.json()['code'] == code, (label, answer.json())


def test_state_errors(emulator, pki):
    assert add(emulator, pki).status_code == 202
    duplicate = add(emulator, pki)
    assert duplicate.json()['code'] == '36540154' and 'certificateId: 100001' in duplicate.json()['message']
    missing = sdk_call(emulator, 'PUT', '/api/certificate/999', dict(name='x', certificate=bundle(pki)))
    assert missing.json()['code'] == '36540132'
    not_a_number = sdk_call(emulator, 'PUT', '/api/certificate/abc', dict(name='x', certificate=bundle(pki)))
    assert not_a_number.json()['code'] == '26939999'

    emulator.admin('POST', 'seed', {'netcenter': {'deploying': {'100001': 1}}})
    busy = sdk_call(emulator, 'PUT', '/api/certificate/100001', dict(name='www', certificate=bundle(pki)))
    assert busy.json()['code'] == '36540026'
    # Without a key, the stored one is kept when it matches the certificate.
    kept = sdk_call(emulator, 'PUT', '/api/certificate/100001', dict(name='www', certificate=bundle(pki)))
    assert kept.json()['code'] == '0'


def test_related_domains_must_stay_covered(emulator, pki):
    seeded = emulator.admin('POST', 'seed', {'netcenter': {'certificates': [{
        'name': 'shop', 'certificate': bundle(pki), 'private_key': pki['www.example.com.key'],
        'related_domains': ['www.example.com', 'shop.example.org']}]}})
    certificate_id = seeded['netcenter']['certificates'][0]
    answer = sdk_call(emulator, 'PUT', '/api/certificate/%s' % certificate_id,
                      dict(name='shop', certificate=bundle(pki, 'www.example.com-rotated'),
                           privateKey=pki['www.example.com-rotated.key']))
    assert answer.json() == {'code': '36542024', 'message': 'shop.example.org', 'data': None}


def test_query_answers_as_its_page_and_the_sdk_model_read_it(emulator, pki):
    certificate_id = add(emulator, pki).headers['Location'].rsplit('/', 1)[1]
    shown = sdk_call(emulator, 'GET', '/api/certificate/%s' % certificate_id).json()['data']
    # The SDK reads each SAN as an object (QueryCertificateInfoResponseDataSubjectAlternativeNames).
    assert shown['subjectAlternativeNames'] == [{'subjectAlternativeName': 'www.example.com'}]
    assert QueryCertificateInfoResponseData().from_map(shown).subject_alternative_names[0].subject_alternative_name \
        == 'www.example.com'
    # The page's error table: an ID that is not a number is PARAM_INVALID, an unknown one NO_SUCH_SSL.
    assert sdk_call(emulator, 'GET', '/api/certificate/abc').json()['code'] == '26938005'
    assert sdk_call(emulator, 'GET', '/api/certificate/999').json() == {'code': '19638021', 'message': 'NO_SUCH_SSL',
                                                                        'data': None}


def test_an_injected_fault_says_its_own_status(emulator):
    emulator.admin('POST', 'faults', [{'path': '^/api/ssl/certificate$', 'status': 403, 'count': 1},
                                      {'path': '^/api/ssl/certificate$', 'status': 503, 'count': 1}])
    forbidden = sdk_call(emulator, 'GET', '/api/ssl/certificate')
    assert forbidden.status_code == 403 and forbidden.json() == {'code': '403', 'message': 'Forbidden', 'data': None}
    unavailable = sdk_call(emulator, 'GET', '/api/ssl/certificate')
    assert unavailable.status_code == 503 and unavailable.json()['message'] == 'Service Unavailable'


# Accelerated domains ----------------------------------------------------------------------------

def seed_domains(emulator, pki):
    """Certificate 100001 (www.example.com) used by www.example.com; img.example.com without SSL."""
    emulator.admin('POST', 'seed', {'netcenter': {
        'certificates': [{'name': 'www', 'certificate': bundle(pki), 'private_key': pki['www.example.com.key'],
                          'related_domains': ['www.example.com']},
                         {'name': 'rotated', 'certificate': bundle(pki, 'www.example.com-rotated'),
                          'private_key': pki['www.example.com-rotated.key']}],
        'domains': [{'name': 'img.example.com'}]}})


def edit_ssl(emulator, domain, **ssl):
    from wangsu.domainconfigurtion.models import EditDomainConfigRequest, EditDomainConfigRequestSsl
    body = EditDomainConfigRequest(ssl=EditDomainConfigRequestSsl(**ssl)).to_map()
    return sdk_call(emulator, 'PUT', '/api/domain/%s' % domain, body)


def test_domains_answer_as_the_sdk_models_read_them(emulator, pki):
    from wangsu.domainconfigurtion.models import GetBasicConfigurationOfDomainResponse
    from wangsu.domainmanagement.models import QueryApiDomainListServiceResponse
    seed_domains(emulator, pki)
    listed = sdk_call(emulator, 'GET', '/api/domain')
    assert listed.status_code == 200 and listed.headers['x-cnc-request-id']
    model = QueryApiDomainListServiceResponse().from_map(listed.json())
    assert [(item.domain_name, item.domain_id) for item in model.domain_list] == [('www.example.com', 1001),
                                                                                  ('img.example.com', 1002)]
    shown = sdk_call(emulator, 'GET', '/api/domain/www.example.com')
    detail = GetBasicConfigurationOfDomainResponse().from_map(shown.json())
    assert (detail.domain_name, detail.ssl.use_ssl, detail.ssl.use_for_sni, detail.ssl.ssl_certificate_id) == (
        'www.example.com', 'true', 'true', 100001)
    # The pages take a domain's ID in place of its name.
    by_id = sdk_call(emulator, 'GET', '/api/domain/1002').json()
    assert by_id['domain-name'] == 'img.example.com' and by_id['ssl'] == {'use-ssl': 'false', 'use-for-sni': 'false'}
    missing = sdk_call(emulator, 'GET', '/api/domain/nope.example.com')
    assert missing.status_code == 404 and missing.json()['code'] == 'NoSuchDomain'


def test_ssl_settings_move_usage_and_guard_deletion(emulator, pki):
    seed_domains(emulator, pki)
    switched = edit_ssl(emulator, 'www.example.com', use_ssl='true', use_for_sni='true', ssl_certificate_id=100002)
    assert switched.status_code == 202 and switched.headers['x-cnc-deploy-version'] == '1'
    assert sdk_call(emulator, 'GET', '/api/domain/www.example.com').json()['ssl']['ssl-certificate-id'] == 100002
    listed = dict((entry['name'], entry['related-domains'])
                  for entry in sdk_call(emulator, 'GET', '/api/ssl/certificate').json()['ssl-certificates'])
    assert listed == {'www': [], 'rotated': [{'domain-id': 1001, 'domain-name': 'www.example.com'}]}

    # The delete page: a certificate that domains use cannot be deleted until they leave it.
    refused = sdk_call(emulator, 'DELETE', '/api/certificate/100002')
    assert refused.status_code == 400 and refused.json()['code'] == 'CertificateInUse'
    assert 'www.example.com' in refused.json()['message']
    assert sdk_call(emulator, 'DELETE', '/api/certificate/100001').json()['code'] == '0'
    off = edit_ssl(emulator, 'www.example.com', use_ssl='false')
    assert off.status_code == 202
    ssl_off = {'use-ssl': 'false', 'use-for-sni': 'false'}
    assert sdk_call(emulator, 'GET', '/api/domain/www.example.com').json()['ssl'] == ssl_off
    assert sdk_call(emulator, 'DELETE', '/api/certificate/100002').json()['code'] == '0'


def test_a_certificate_edit_keeps_every_domain_that_uses_it_covered(emulator, pki):
    from cloudemu import certs
    seed_domains(emulator, pki)
    ca, ca_key = certs.make_ca('certfleet other CA')
    leaf, key = certs.make_leaf(ca, ca_key, ['other.example.net'])
    elsewhere = dict(name='rotated', certificate=certs.cert_pem(leaf) + certs.cert_pem(ca), privateKey=certs.key_pem(key))
    # Unused, the certificate may take any names; once a domain uses it (through the domain API), no longer.
    assert sdk_call(emulator, 'PUT', '/api/certificate/100002', elsewhere).json()['code'] == '0'
    back = dict(name='rotated', certificate=bundle(pki, 'www.example.com-rotated'), privateKey=pki['www.example.com-rotated.key'])
    assert sdk_call(emulator, 'PUT', '/api/certificate/100002', back).json()['code'] == '0'
    assert edit_ssl(emulator, 'www.example.com', use_ssl='true', ssl_certificate_id=100002).status_code == 202
    refused = sdk_call(emulator, 'PUT', '/api/certificate/100002', elsewhere)
    assert refused.json() == {'code': '36542024', 'message': 'www.example.com', 'data': None}


@pytest.mark.parametrize('domain, ssl, status, code', [
    ('img.example.com', dict(use_ssl='true', ssl_certificate_id=100001), 400, '36542024'),
    ('www.example.com', dict(use_ssl='true', ssl_certificate_id=999), 400, '36540132'),
    ('www.example.com', dict(use_ssl='true'), 400, 'InvalidParameter'),
    ('www.example.com', dict(use_ssl='false', ssl_certificate_id=100001), 400, 'InvalidParameter'),
    ('www.example.com', dict(use_ssl='true', use_for_sni='false', ssl_certificate_id=100001), 400, 'InvalidParameter'),
    ('www.example.com', dict(use_ssl='maybe'), 400, 'InvalidParameter'),
    ('nope.example.com', dict(use_ssl='false'), 404, 'NoSuchDomain'),
])
def test_refused_ssl_settings_change_nothing(emulator, pki, domain, ssl, status, code):
    seed_domains(emulator, pki)
    before = sdk_call(emulator, 'GET', '/api/domain/www.example.com').json()
    answer = edit_ssl(emulator, domain, **ssl)
    assert (answer.status_code, answer.json()['code']) == (status, code)
    assert sdk_call(emulator, 'GET', '/api/domain/www.example.com').json() == before
    if code == '36542024':
        assert answer.json()['message'] == 'img.example.com'


def test_domain_seeds_name_their_certificate(emulator, pki):
    seed_domains(emulator, pki)
    answer = emulator.admin('POST', 'seed', {'netcenter': {'domains': [{'name': 'Shop.Example.org', 'certificate': 'rotated'},
                                                                       {'name': 'www.example.com', 'certificate': None}]}})
    assert answer == {'netcenter': {'certificates': [], 'domains': [1003, 1001]}}
    assert sdk_call(emulator, 'GET', '/api/domain/shop.example.org').json()['ssl']['ssl-certificate-id'] == 100002
    assert sdk_call(emulator, 'GET', '/api/domain/www.example.com').json()['ssl']['use-ssl'] == 'false'
    with pytest.raises(Exception, match='400'):
        emulator.admin('POST', 'seed', {'netcenter': {'domains': [{'name': 'x.example.com', 'certificate': 'gone'}]}})
