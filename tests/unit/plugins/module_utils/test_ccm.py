# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CCM spec comparison, the renewal decision and which owned certificate is current."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, strategies as st

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import (
    NAME_TAG, SPEC_TAG, Owned, dn_text, renewal_reason, reported_summary, spec_differences, spec_digest, to_millis,
    validity_end,
)

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.timezone.utc)
ISSUER_ID = '2cb2878b-6cd1-460d-bd25-afe655159bdc'
SPEC = dict(key_algorithm='EC256', signature_algorithm='SHA256',
            distinguished_name={'common_name': 'www.example.com', 'organization': 'certfleet'},
            validity={'type': 'DAY', 'value': 90},
            subject_alternative_names=[{'type': 'DNS', 'value': 'www.example.com'}, {'type': 'IP', 'value': '192.0.2.1'}],
            key_usages=['digitalSignature', 'keyAgreement'], extended_key_usage={'server_auth': True, 'client_auth': False})


def shown(days_left=60, **overrides):
    """A certificate as show reports it, issued with SPEC by the CA."""
    certificate = dict(certificate_id='c1', status='ISSUED', issuer_id=ISSUER_ID, issuer_name='Issuing CA',
                       key_algorithm='EC256', signature_algorithm='SHA256', serial_number='1A2B',
                       create_time=to_millis(NOW - datetime.timedelta(days=30)),
                       not_before=to_millis(NOW - datetime.timedelta(days=30)),
                       not_after=to_millis(NOW + datetime.timedelta(days=days_left)),
                       distinguished_name={'common_name': 'www.example.com', 'organization': 'certfleet',
                                           'country': 'CN', 'state': 'Guangdong'})
    certificate.update(overrides)
    return certificate


TAGS = {NAME_TAG: 'web', SPEC_TAG: spec_digest(SPEC)}


def test_a_certificate_issued_with_the_spec_serves_as_it_is():
    assert renewal_reason(shown(), TAGS, SPEC, ISSUER_ID, 30, NOW) is None
    assert renewal_reason(shown(), TAGS, SPEC, 'Issuing CA', 30, NOW) is None


@pytest.mark.parametrize('certificate, reason', [
    (None, 'no certificate yet'),
    (shown(status='REVOKED'), 'the certificate is REVOKED'),
    (shown(status='EXPIRED'), 'the certificate is EXPIRED'),
    (shown(days_left=29), 'within renew_before_days (30)'),
    (shown(issuer_id='other', issuer_name='Other CA'), 'another issuer'),
    (shown(key_algorithm='RSA2048'), 'another key_algorithm'),
    (shown(signature_algorithm='SHA384'), 'another signature_algorithm'),
    (shown(distinguished_name={'common_name': 'old.example.com', 'organization': 'certfleet'}),
     'another distinguished_name.common_name'),
])
def test_why_a_replacement_is_issued(certificate, reason):
    assert reason in renewal_reason(certificate, TAGS, SPEC, ISSUER_ID, 30, NOW)


def test_the_renewal_window_is_a_strict_boundary():
    exactly = shown(days_left=30)
    assert renewal_reason(exactly, TAGS, SPEC, ISSUER_ID, 30, NOW) is None
    just_inside = shown(not_after=to_millis(NOW + datetime.timedelta(days=30) - datetime.timedelta(seconds=1)))
    assert 'within renew_before_days' in renewal_reason(just_inside, TAGS, SPEC, ISSUER_ID, 30, NOW)
    assert renewal_reason(shown(days_left=1), TAGS, SPEC, ISSUER_ID, 0, NOW) is None


def test_dn_fields_left_out_are_inherited_and_not_compared():
    # The CA filled in country and state; the spec does not mention them.
    assert spec_differences(shown(), TAGS, SPEC, ISSUER_ID) == []
    asked_country = dict(SPEC, distinguished_name=dict(SPEC['distinguished_name'], country='NL'))
    assert spec_differences(shown(), TAGS, asked_country, ISSUER_ID) == ['distinguished_name.country']


@pytest.mark.parametrize('change', [
    dict(subject_alternative_names=[{'type': 'DNS', 'value': 'www.example.com'}]),
    dict(key_usages=['digitalSignature']),
    dict(extended_key_usage={'server_auth': True, 'client_auth': True}),
    dict(customized_extension={'object_identifier': '1.3.6.1.4.1.2011.4.99', 'value': 'x'}),
])
def test_what_the_api_does_not_show_is_compared_through_the_spec_tag(change):
    differences = spec_differences(shown(), TAGS, dict(SPEC, **change), ISSUER_ID)
    assert differences == ['subject_alternative_names, key_usages, extended_key_usage or customized_extension']


def test_a_certificate_without_the_spec_tag_is_replaced():
    assert spec_differences(shown(), {NAME_TAG: 'web'}, SPEC, ISSUER_ID) != []


def test_validity_is_not_part_of_the_spec():
    assert spec_digest(dict(SPEC, validity={'type': 'YEAR', 'value': 2})) == spec_digest(SPEC)


@given(st.permutations(SPEC['subject_alternative_names'] + [{'type': 'EMAIL', 'value': 'a@example.com'}]),
       st.permutations(['digitalSignature', 'keyAgreement', 'nonRepudiation']))
def test_the_digest_ignores_order_and_explicit_false(sans, usages):
    base = dict(SPEC, subject_alternative_names=SPEC['subject_alternative_names'] + [
        {'type': 'EMAIL', 'value': 'a@example.com'}], key_usages=['nonRepudiation', 'digitalSignature', 'keyAgreement'])
    shuffled = dict(base, subject_alternative_names=list(sans), key_usages=list(usages),
                    extended_key_usage={'server_auth': True, 'code_signing': False})
    assert spec_digest(shuffled) == spec_digest(base)


def test_omitted_and_empty_parts_are_the_same():
    bare = dict(key_algorithm='EC256', signature_algorithm='SHA256', distinguished_name={'common_name': 'a'})
    empty = dict(bare, subject_alternative_names=[], key_usages=[], extended_key_usage={'server_auth': False},
                 customized_extension={'object_identifier': None, 'value': None})
    assert spec_digest(bare) == spec_digest(empty)


def test_the_newest_issued_certificate_is_current():
    old = shown(certificate_id='old', create_time=1000)
    new = shown(certificate_id='new', create_time=2000)
    revoked_newer = shown(certificate_id='revoked', create_time=3000, status='REVOKED')
    owned = Owned([old, revoked_newer, new], {'old': {NAME_TAG: 'web'}, 'new': TAGS})
    assert owned.current is new
    assert [item['certificate_id'] for item in owned.replaced] == ['revoked', 'old']
    assert owned.tags_of(owned.current) == TAGS


def test_without_an_issued_one_the_newest_is_current():
    owned = Owned([shown(certificate_id='a', create_time=1, status='REVOKED'),
                   shown(certificate_id='b', create_time=2, status='EXPIRED')], {})
    assert owned.current['certificate_id'] == 'b'
    assert Owned([], {}).current is None and Owned([], {}).all == []


@pytest.mark.parametrize('validity_type, value, end', [
    ('YEAR', 1, datetime.datetime(2027, 11, 23, 12, 0, tzinfo=datetime.timezone.utc)),
    ('MONTH', 2, NOW + datetime.timedelta(days=62)),
    ('DAY', 90, NOW + datetime.timedelta(days=90)),
    ('HOUR', 5, NOW + datetime.timedelta(hours=5)),
])
def test_validity_end(validity_type, value, end):
    assert validity_end(NOW, validity_type, value) == end


def test_a_leap_day_plus_a_year_ends_on_28_february():
    leap = datetime.datetime(2028, 2, 29, tzinfo=datetime.timezone.utc)
    assert validity_end(leap, 'YEAR', 1) == datetime.datetime(2029, 2, 28, tzinfo=datetime.timezone.utc)


def test_reported_summary_has_the_shared_shape():
    summary = reported_summary(shown(serial_number='A2B', days_left=60), now=NOW)
    assert summary['serial'] == '0A2B'
    assert summary['subject'] == 'CN=www.example.com,O=certfleet,ST=Guangdong,C=CN'
    assert summary['issuer'] == 'CN=Issuing CA'
    assert summary['days_left'] == 60 and summary['sha256_fingerprint'] is None and summary['sans'] == []
    assert dn_text({'common_name': 'a,b'}) == 'CN=a\\,b'
