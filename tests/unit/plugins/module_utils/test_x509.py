# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import datetime
import re

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    PemError, PrivateKey, canonical_pem, check_chain_order, check_key_matches, check_not_expired,
    load_certificates, pem_blocks, select_expiring,
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
    with pytest.raises(PemError) as caught:
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
     'outside its PEM blocks'),
    ('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----trailing', 'outside its PEM blocks'),
    ('-----BEGIN CERTIFICATE-----\nMIIBVDCB/KADAgECAhQBSQeaNdA89OVxOB8PV', 'without its "-----END CERTIFICATE-----"'),
])
def test_malformed_pem_is_reported_with_the_field(text, reason):
    with pytest.raises(PemError) as caught:
        pem_blocks(text, 'certificate')
    assert caught.value.field == 'certificate'
    assert reason in str(caught.value)


def test_text_around_a_private_key_is_not_echoed(pki):
    key = pki['www.example.com.key']
    body = key.split('-----')[2].strip()
    pasted_twice = key + body[:60]
    with pytest.raises(PemError) as caught:
        pem_blocks(pasted_twice, 'private_key')
    assert 'outside its PEM blocks' in str(caught.value)
    assert body[:20] not in str(caught.value)


def test_garbage_der_is_reported():
    garbage = '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % base64.b64encode(b'x' * 40).decode()
    with pytest.raises(PemError) as caught:
        load_certificates(garbage, 'certificate')
    assert 'does not parse' in str(caught.value)


def test_a_key_in_the_certificate_option_is_refused(pki):
    with pytest.raises(PemError) as caught:
        load_certificates(pki['www.example.com.key'], 'certificate')
    assert 'only CERTIFICATE blocks' in str(caught.value)


def test_key_matches_its_certificate_only(pki):
    leaf = load_certificates(pki['www.example.com.pem'], 'certificate')[0]
    check_key_matches(PrivateKey(pki['www.example.com.key'], 'private_key'), leaf, 'private_key')
    with pytest.raises(PemError) as caught:
        check_key_matches(PrivateKey(pki['other.key'], 'private_key'), leaf, 'private_key')
    assert caught.value.field == 'private_key' and 'does not match' in str(caught.value)


def test_key_errors_never_quote_the_key(pki):
    key = pki['www.example.com.key']
    body_lines = [line for line in key.splitlines() if not line.startswith('-----')]
    damaged = key.replace(body_lines[1], body_lines[1][::-1])
    with pytest.raises(PemError) as caught:
        PrivateKey(damaged, 'private_key')
    message = str(caught.value)
    assert not any(line[:16] in message for line in body_lines)


def test_encrypted_keys_are_refused_clearly():
    text = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'
    with pytest.raises(PemError) as caught:
        PrivateKey(text, 'private_key')
    assert 'encrypted private keys are not supported' in str(caught.value)
    legacy = ('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n'
              '-----END RSA PRIVATE KEY-----\n')
    with pytest.raises(PemError) as caught:
        PrivateKey(legacy, 'private_key')
    assert 'encrypted legacy PEM' in str(caught.value)


def test_expiry_check(pki):
    with pytest.raises(PemError) as caught:
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
