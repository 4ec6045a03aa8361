# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import datetime
import re
import subprocess
import time

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CertificateBundle, PrivateKey, canonical_pem, certificate_summary, check_chain_order, check_key_matches,
    MAX_PEM_CHARS, check_not_expired, load_certificates, name_covers, openssl_serial, pem_blocks, pem_spans,
    select_expiring,
)


def one_line(pem):
    """The seed pages' form: -----BEGIN X-----MIIC...-----END X-----"""
    return re.sub(r'\s+', '', pem).replace('-----BEGINCERTIFICATE-----', '-----BEGIN CERTIFICATE-----').replace(
        '-----ENDCERTIFICATE-----', '-----END CERTIFICATE-----')


def rewrap(pem, width):
    label = re.search(r'-----BEGIN ([A-Z ]+)-----', pem).group(1)
    body = re.sub(r'-----[A-Z ]+-----|\s', '', pem)
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label)


def test_equivalent_layouts_give_the_same_der_and_canonical_bytes(pki):
    pem = pki['www.example.com.pem']
    variants = [pem, pem.replace('\n', '\r\n'), '\n\n  ' + pem + '\n\n', one_line(pem), rewrap(pem, 76),
                '\n'.join('    ' + line for line in pem.splitlines())]
    ders = set()
    canonicals = set()
    for variant in variants:
        ders.add(load_certificates(variant, 'certificate')[0].der)
        canonicals.add(canonical_pem(variant, 'certificate'))
    assert len(ders) == 1 and len(canonicals) == 1
    canonical = canonicals.pop()
    assert all(len(line) <= 64 for line in canonical.splitlines())
    assert canonical == pem  # cryptography already writes the canonical form


def test_bundle_is_parsed_leaf_first(pki):
    chain = load_certificates(pki['www.example.com.fullchain.pem'], 'certificate')
    assert [c.subject for c in chain] == ['CN=www.example.com', 'CN=certfleet test CA']
    check_chain_order(chain, 'certificate')


def test_chain_in_the_wrong_order_names_the_field(pki):
    chain = load_certificates(pki['ca.pem'] + pki['www.example.com.pem'], 'certificate')
    with pytest.raises(InputError) as caught:
        check_chain_order(chain, 'certificate')
    assert caught.value.field == 'certificate' and 'is not issued by' in str(caught.value)


def test_summary_has_no_pem(pki):
    summary = load_certificates(pki['www.example.com.pem'], 'certificate')[0].summary()
    # The shared shape of the service-layer issue (it replaced ``subject_alternative_names`` with ``sans``).
    assert set(summary) == {'subject', 'issuer', 'sans', 'serial', 'not_before', 'not_after',
                            'sha256_fingerprint', 'days_left'}
    assert summary['sans'] == ['www.example.com']
    assert 'BEGIN' not in repr(summary)


@pytest.mark.parametrize('text, reason', [
    ('', 'is empty'),
    ('hello', 'no PEM block found'),
    ('-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----', 'not valid base64'),
    ('-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----', 'is closed by'),
    ('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAAAA\n',
     'without its "-----END CERTIFICATE-----" line'),
    ('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----trailing', 'outside its PEM blocks'),
    ('-----BEGIN CERTIFICATE-----\nMIIBVDCB/KADAgECAhQBSQeaNdA89OVxOB8PV', 'without its "-----END CERTIFICATE-----"'),
])
def test_malformed_pem_is_reported_with_the_field(text, reason):
    with pytest.raises(InputError) as caught:
        pem_blocks(text, 'certificate')
    assert caught.value.field == 'certificate'
    assert reason in str(caught.value)


def test_text_around_a_private_key_is_not_echoed(pki):
    key = pki['www.example.com.key']
    body = key.split('-----')[2].strip()
    pasted_twice = key + body[:60]
    with pytest.raises(InputError) as caught:
        pem_blocks(pasted_twice, 'private_key')
    assert 'outside its PEM blocks' in str(caught.value)
    assert body[:20] not in str(caught.value)


def test_garbage_der_is_reported():
    garbage = '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % base64.b64encode(b'x' * 40).decode()
    with pytest.raises(InputError) as caught:
        load_certificates(garbage, 'certificate')
    assert 'does not parse' in str(caught.value)


def test_a_key_in_the_certificate_option_is_refused(pki):
    with pytest.raises(InputError) as caught:
        load_certificates(pki['www.example.com.key'], 'certificate')
    assert 'only CERTIFICATE blocks' in str(caught.value)


def test_key_matches_its_certificate_only(pki):
    leaf = load_certificates(pki['www.example.com.pem'], 'certificate')[0]
    check_key_matches(PrivateKey(pki['www.example.com.key'], 'private_key'), leaf, 'private_key')
    with pytest.raises(InputError) as caught:
        check_key_matches(PrivateKey(pki['other.key'], 'private_key'), leaf, 'private_key')
    assert caught.value.field == 'private_key' and 'does not match' in str(caught.value)


def test_key_errors_never_quote_the_key(pki):
    key = pki['www.example.com.key']
    body_lines = [line for line in key.splitlines() if not line.startswith('-----')]
    damaged = key.replace(body_lines[1], body_lines[1][::-1])
    with pytest.raises(InputError) as caught:
        PrivateKey(damaged, 'private_key')
    message = str(caught.value)
    assert not any(line[:16] in message for line in body_lines)


def test_encrypted_keys_are_refused_clearly():
    text = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'
    with pytest.raises(InputError) as caught:
        PrivateKey(text, 'private_key')
    assert 'encrypted private keys are not supported' in str(caught.value)
    legacy = ('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n'
              '-----END RSA PRIVATE KEY-----\n')
    with pytest.raises(InputError) as caught:
        PrivateKey(legacy, 'private_key')
    assert 'encrypted legacy PEM' in str(caught.value)


def test_expiry_check(pki):
    with pytest.raises(InputError) as caught:
        check_not_expired(load_certificates(pki['expired.pem'], 'certificate'), 'certificate')
    assert 'expired on' in str(caught.value) and 'allow_expired' in str(caught.value)
    check_not_expired(load_certificates(pki['www.example.com.pem'], 'certificate'), 'certificate')


def test_canonical_key_pem_is_stable(pki):
    key = pki['www.example.com.key']
    assert PrivateKey(key.replace('\n', '\r\n'), 'private_key').canonical_pem() == key


def test_select_expiring_adds_days_and_keeps_only_those_due():
    now = datetime.datetime(2026, 11, 22, tzinfo=datetime.timezone.utc)
    certificates = [{'name': 'soon', 'expire_time': '2026-12-01T00:00:00Z'},
                    {'name': 'later', 'expire_time': '2027-06-01T00:00:00Z'},
                    {'name': 'gone', 'expire_time': '2026-11-01T00:00:00Z'},
                    {'name': 'unknown', 'expire_time': None}]
    due = select_expiring([dict(c) for c in certificates], 'expire_time', 30, now=now)
    assert [(c['name'], c['expires_in_days']) for c in due] == [('soon', 9), ('gone', -21)]
    everything = select_expiring([dict(c) for c in certificates], 'expire_time', None, now=now)
    assert [c['name'] for c in everything] == ['soon', 'later', 'gone', 'unknown']
    assert 'expires_in_days' not in everything[3]


# The certificate-bundle input and the shared summary ----------------------------------------------

def test_a_bundle_checks_order_repeats_limits_and_key(pki):
    bundle = CertificateBundle(pki['www.example.com.fullchain.pem'], 'certificate', pki['www.example.com.key'],
                               'private_key', max_certificates=2)
    assert bundle.pem == pki['www.example.com.fullchain.pem'] and bundle.chain_pem == pki['ca.pem']
    assert not bundle.differs_from(pki['www.example.com.fullchain.pem'].replace('\n', '\r\n'))
    assert bundle.differs_from(pki['www.example.com.pem'])
    assert not bundle.differs_from(None, bundle.leaf.sha1_fingerprint.upper())
    cases = [
        (dict(certificate_text=pki['ca.pem'] + pki['www.example.com.pem']), 'certificate', 'is not issued by'),
        (dict(certificate_text=pki['www.example.com.pem'] + pki['client-ca.pem']), 'certificate', 'is not issued by'),
        (dict(max_certificates=1), 'certificate', 'at most 1'),
        (dict(max_chars=100), 'certificate', 'at most 100 are allowed'),
        (dict(key_text=pki['other.key']), 'private_key', 'does not match'),
        (dict(key_text=None, key_required=True), 'private_key', 'is required with certificate'),
        (dict(certificate_text=pki['www.example.com.pem'], require_chain=True), 'certificate', 'append its CA chain'),
    ]
    for overrides, field, reason in cases:
        arguments = dict(certificate_text=pki['www.example.com.fullchain.pem'], cert_field='certificate',
                         key_text=pki['www.example.com.key'], key_field='private_key')
        arguments.update(overrides)
        with pytest.raises(InputError) as caught:
            CertificateBundle(**arguments)
        assert caught.value.field == field and reason in str(caught.value), (overrides, str(caught.value))


def test_a_bundle_from_params(pki):
    assert CertificateBundle.from_params({'certificate': None, 'private_key': None}, 'certificate', 'private_key') is None
    with pytest.raises(InputError) as caught:
        CertificateBundle.from_params({'certificate': None, 'private_key': 'k'}, 'certificate', 'private_key')
    assert str(caught.value) == 'private_key: given without certificate'
    expired = CertificateBundle.from_params({'certificate': pki['expired.pem'], 'allow_expired': True}, 'certificate')
    assert expired.leaf.summary()['days_left'] < 0


def test_unrelated_cas_pass_when_order_is_not_checked(pki):
    bundle = CertificateBundle(pki['ca.pem'] + pki['client-ca.pem'], 'certificate', check_order=False)
    assert len(bundle.certificates) == 2


@pytest.mark.parametrize('number, printed', [
    (0x149079a35d03cf4e571381f0f57e551b8f93459, '0149079A35D03CF4E571381F0F57E551B8F93459'),
    (0xabc, '0ABC'), (0x10, '10'), (0, '00'), (-0x1f, '-1F'),
])
def test_serials_print_as_openssl_does(number, printed):
    assert openssl_serial(number) == printed


def test_summary_serials_agree_with_openssl_on_generated_certificates(tmp_path):
    for index in range(8):
        key = tmp_path / ('k%d.pem' % index)
        cert = tmp_path / ('c%d.pem' % index)
        subprocess.check_call(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                               '-nodes', '-keyout', str(key), '-out', str(cert), '-subj', '/CN=s%d.example.com' % index,
                               '-days', '2'], stderr=subprocess.DEVNULL)
        printed = subprocess.check_output(['openssl', 'x509', '-noout', '-serial', '-fingerprint', '-sha256',
                                           '-in', str(cert)], text=True).splitlines()
        summary = load_certificates(cert.read_text(), 'certificate')[0].summary()
        assert printed[0] == 'serial=' + summary['serial']
        assert printed[1].split('=', 1)[1].replace(':', '').lower() == summary['sha256_fingerprint']
        assert summary['days_left'] in (1, 2)


@pytest.mark.parametrize('name, domain, covered', [
    ('www.example.com', 'WWW.example.com', True), ('*.example.com', 'shop.example.com', True),
    ('*.example.com', 'a.b.example.com', False), ('*.example.com', 'example.com', False),
    ('www.example.com', 'shop.example.org', False),
])
def test_name_covers(name, domain, covered):
    assert name_covers(name, domain) is covered


def test_summary_from_reported_facts_has_the_same_shape(pki):
    leaf = load_certificates(pki['www.example.com.pem'], 'certificate')[0]
    reported = certificate_summary(serial='0A', not_after='2030-01-01T00:00:00Z', issuer='CN=x', sans=['a'])
    assert set(reported) == set(leaf.summary())
    assert reported['subject'] is None and reported['days_left'] > 0 and reported['not_before'] is None


@pytest.mark.parametrize('count', [2000, 20000])
def test_unclosed_begin_lines_are_read_in_one_pass(count):
    """Thousands of unclosed BEGIN lines (hostile input) are refused as fast as a few: no lazy scan to
    the end from each of them."""
    text = '-----BEGIN CERTIFICATE-----\nAAAA\n' * count
    started = time.process_time()
    with pytest.raises(InputError) as caught:
        pem_blocks(text, 'certificate')
    spent = time.process_time() - started
    assert 'without its "-----END CERTIFICATE-----" line' in str(caught.value)
    # A guard against the quadratic scan coming back, not a speed goal: the lazy regex took minutes
    # on 20000 lines (640 KB); one pass takes milliseconds, so the bound is loose enough for any CI.
    assert spent < 5.0


def test_pem_text_past_the_bound_is_refused_naming_the_field():
    with pytest.raises(InputError) as caught:
        pem_blocks('A' * (MAX_PEM_CHARS + 1), 'certificate')
    assert caught.value.field == 'certificate' and 'at most %d' % MAX_PEM_CHARS in str(caught.value)


def test_pem_spans_finds_closed_and_unclosed_blocks():
    text = 'x-----BEGIN A-----1-----END A----------BEGIN B-----2'
    assert [(label, body, end) for label, body, end, dummy, dummy in pem_spans(text)] == [('A', '1', 'A'), ('B', '2', None)]
