# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CCM spec comparison, the renewal decision, which owned certificate is current and which are retired,
and the lifecycle of ccm_private_certificate built from explicit values (no HTTP, no AnsibleModule)."""

from __future__ import annotations

import datetime
import os

import pytest
from cloudemu import certs as emulator_certs
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from hypothesis import given, strategies as st

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import (
    ARGUMENT_SPEC, NAME_TAG, PREDICTED_FINGERPRINT, PREDICTED_SERIAL, SPEC_TAG, Owned, PrivateCertificate, dn_text,
    renewal_reason, reported_summary, revoked_on_retirement, secret_texts, spec_differences, spec_digest,
    summary_sans, to_millis, to_retire, validity_end,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates
from ansible_collections.certfleet.cloud.plugins.module_utils.state import with_defaults

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


EP_ID = '0d4c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d'


@pytest.mark.parametrize('wanted, shown_project, differs', [
    (EP_ID, '0', True),          # the API cannot move a certificate: another project is a new certificate
    (EP_ID, EP_ID, False),
    ('0', '0', False),
    (None, EP_ID, False),        # not asked for: wherever it is, it serves
    (EP_ID, None, False),        # an answer without the field must not renew on every run
])
def test_the_enterprise_project_is_compared_when_both_sides_have_one(wanted, shown_project, differs):
    spec = dict(SPEC, enterprise_project_id=wanted) if wanted is not None else SPEC
    certificate = shown(enterprise_project_id=shown_project) if shown_project is not None else shown()
    assert ('enterprise_project_id' in spec_differences(certificate, TAGS, spec, ISSUER_ID)) is differs
    # Not through the spec tag: certificates issued before the option existed keep their digest.
    assert spec_digest(spec) == spec_digest(SPEC)


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


# Which owned certificates a run retires ---------------------------------------------------------
def owned_pair(current_status='ISSUED', current_days_left=60):
    """c1, the current one, and c0, which it replaced on a run that stopped before untagging c0."""
    current = shown(certificate_id='c1', create_time=2000, status=current_status, days_left=current_days_left)
    return Owned([shown(certificate_id='c0', create_time=1000), current], {'c1': TAGS, 'c0': {NAME_TAG: 'web'}})


def ids(certificates):
    return [item['certificate_id'] for item in certificates]


def test_without_a_renewal_only_the_replaced_ones_are_retired():
    assert ids(to_retire(owned_pair(), renewing=False)) == ['c0']
    assert to_retire(Owned([shown()], {'c1': TAGS}), renewing=False) == []


def test_a_renewal_retires_every_owned_one():
    assert ids(to_retire(owned_pair(), renewing=True)) == ['c1', 'c0']
    assert to_retire(Owned([], {}), renewing=True) == []


@pytest.mark.parametrize('status, revoke_replaced, revoked', [
    ('ISSUED', True, True),
    ('ISSUED', False, False),
    ('REVOKED', True, False),      # already revoked: only untagged
    ('EXPIRED', True, False),
])
def test_a_retired_certificate_is_revoked_only_when_asked_and_still_issued(status, revoke_replaced, revoked):
    assert revoked_on_retirement(shown(status=status), revoke_replaced) is revoked


# The lifecycle, over a fake API ------------------------------------------------------------------
AUTHORITY = dict(ca_id=ISSUER_ID, status='ACTIVED', distinguished_name={'common_name': 'Issuing CA', 'country': 'CN'},
                 not_after=to_millis(NOW + datetime.timedelta(days=3650)))
READS = ('owned', 'authority', 'authorities', 'get', 'list')


class FakeClient:
    def service_now(self):
        return NOW


class FakeCcmApi:
    """What PrivateCertificate asks of PrivateCertificateApi; every call is recorded."""

    def __init__(self, owned, issued=None, exported=None, authority=None):
        self._owned, self.issued, self.exported = owned, issued, exported
        self._authority = AUTHORITY if authority is None else authority
        self.calls = []

    def owned(self, name):
        self.calls.append(('owned', name))
        return self._owned

    def authority(self, ca_id):
        self.calls.append(('authority', ca_id))
        return self._authority if ca_id == ISSUER_ID else None

    def authorities(self, name=None):
        self.calls.append(('authorities', name))
        return [self._authority]

    def get(self, certificate_id):
        self.calls.append(('get', certificate_id))
        return self.issued

    def list(self, name=None, status=None):
        self.calls.append(('list', name))
        return []

    def apply(self, payload, recheck=None):
        self.calls.append(('apply', payload['issuer_id']))
        return self.issued['certificate_id']

    def tag(self, certificate_id, tags):
        self.calls.append(('tag', certificate_id))

    def untag(self, certificate_id, tags):
        self.calls.append(('untag', certificate_id))

    def revoke(self, certificate_id, reason):
        self.calls.append(('revoke', certificate_id))

    def export(self, certificate_id):
        self.calls.append(('export', certificate_id))
        return dict(self.exported)

    def delete(self, certificate):
        self.calls.append(('delete', certificate['certificate_id']))

    def writes(self):
        return [call for call in self.calls if call[0] not in READS]


def certificate(api, check_mode=False, client=None, **params):
    """A PrivateCertificate for SPEC, built from the options as the module hands them over."""
    given = dict(name='web', issuer=ISSUER_ID, key_algorithm='EC256', distinguished_name=SPEC['distinguished_name'],
                 validity=SPEC['validity'], subject_alternative_names=SPEC['subject_alternative_names'],
                 key_usages=SPEC['key_usages'], extended_key_usage=SPEC['extended_key_usage'])
    given.update(params)
    return PrivateCertificate(with_defaults(ARGUMENT_SPEC, given), client or FakeClient(), check_mode, api=api)


def test_the_options_give_the_spec_the_certificate_was_issued_with():
    desired = certificate(None).validate()
    assert desired.spec == SPEC and desired.issuer == ISSUER_ID


def test_the_enterprise_project_is_sent_with_the_apply_and_predicted_in_check_mode():
    desired = certificate(None, enterprise_project_id=EP_ID).validate()
    assert desired.spec == dict(SPEC, enterprise_project_id=EP_ID)
    api = FakeCcmApi(Owned([shown(enterprise_project_id='0')], {'c1': TAGS}))
    result = certificate(api, check_mode=True, enterprise_project_id=EP_ID).run()
    assert result['reason'] == 'the certificate was issued with another enterprise_project_id'
    assert result['certificate']['enterprise_project_id'] == EP_ID and api.writes() == []
    assert (result['diff']['before']['enterprise_project_id'], result['diff']['after']['enterprise_project_id']) \
        == ('0', EP_ID)


@pytest.mark.parametrize('project, reason', [
    ('all', '"all" selects every project in a query'),
    ('0D4C2B1A-5E6F-4A7B-8C9D-0E1F2A3B4C5D', 'is not "0" (the default project) or an enterprise project ID'),
    ('default', 'is not "0" (the default project) or an enterprise project ID'),
])
def test_an_enterprise_project_that_is_no_project_id_is_refused_before_any_request(project, reason):
    with pytest.raises(InputError) as refused:
        certificate(None, enterprise_project_id=project).validate()
    assert refused.value.field == 'enterprise_project_id' and reason in refused.value.reason


def test_a_serving_certificate_is_kept_and_what_it_replaced_is_retired():
    api = FakeCcmApi(owned_pair())
    result = certificate(api, revoke_replaced=True).run()
    assert result['reason'] is None and result['changed']
    assert result['replaced'] == ['c0'] and result['revoked'] == ['c0']
    assert api.writes() == [('revoke', 'c0'), ('untag', 'c0')]
    assert result['certificate']['certificate_id'] == 'c1'
    assert 'warnings' not in result and 'no_log_values' not in result


def test_a_serving_certificate_alone_is_no_change():
    api = FakeCcmApi(Owned([shown()], {'c1': TAGS}))
    result = certificate(api).run()
    assert not result['changed'] and result['reason'] is None and api.writes() == []
    assert result['diff']['before'] == result['diff']['after']


def test_check_mode_predicts_the_renewal_and_writes_nothing():
    api = FakeCcmApi(owned_pair(current_days_left=10))
    result = certificate(api, check_mode=True, revoke_replaced=True).run()
    assert 'within renew_before_days (30)' in result['reason'] and result['changed']
    assert result['replaced'] == ['c1', 'c0'] and result['revoked'] == ['c1', 'c0']
    assert api.writes() == []
    predicted = result['certificate']
    assert 'certificate_id' not in predicted and predicted['status'] == 'ISSUED'
    assert predicted['distinguished_name'] == dict(SPEC['distinguished_name'], country='CN', state=None,
                                                   locality=None, organizational_unit=None)


@pytest.fixture
def issued(pki):
    """c2 as show reports it, its CA as the CA show reports it, and its export: the pki's leaf, chain and key."""
    leaf = load_certificates(pki['www.example.com.pem'], 'leaf')[0]
    ca = load_certificates(pki['ca.pem'], 'ca')[0]
    authority = dict(AUTHORITY, distinguished_name={'common_name': ca.common_name}, serial_number=ca.serial_openssl)
    certificate = shown(certificate_id='c2', create_time=3000, days_left=90, serial_number=leaf.serial_openssl,
                        issuer_name=ca.common_name)
    exported = dict(certificate=pki['www.example.com.pem'], certificate_chain=pki['ca.pem'],
                    private_key=pki['www.example.com.key'])
    return certificate, authority, exported


def test_a_renewal_issues_writes_the_files_and_hands_the_key_over_as_a_no_log_value(pki, issued, tmp_path):
    issued, authority, exported = issued
    api = FakeCcmApi(owned_pair(current_days_left=10), issued=issued, exported=exported, authority=authority)
    result = certificate(api, certificate_path=str(tmp_path / 'cert.pem'),
                         private_key_path=str(tmp_path / 'key.pem')).run()
    assert 'within renew_before_days' in result['reason'] and result['replaced'] == ['c1', 'c0']
    assert api.writes() == [('apply', ISSUER_ID), ('tag', 'c2'), ('export', 'c2'), ('untag', 'c1'), ('untag', 'c0')]
    assert result['files'] == [str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')]
    assert (tmp_path / 'key.pem').read_text().strip() == pki['www.example.com.key'].strip()
    assert result.pop('no_log_values') == [pki['www.example.com.key']]
    assert 'PRIVATE KEY' not in repr(result)
    assert result['certificate']['summary']['sha256_fingerprint'] is not None


def test_revoking_nothing_is_a_warning_in_the_result():
    api = FakeCcmApi(Owned([], {}))
    result = certificate(api, state='revoked').run()
    assert not result['changed'] and api.writes() == []
    assert result['warnings'] == ['no certificate is tagged certfleet.name=web; nothing to revoke']


def test_bad_input_fails_before_the_client_is_built():
    built = []

    def build_client():
        built.append(True)
        return FakeClient()

    manager = PrivateCertificate(with_defaults(ARGUMENT_SPEC, dict(
        name='web', issuer=ISSUER_ID, distinguished_name={'common_name': 'a'},
        validity={'type': 'DAY', 'value': 10}, renew_before_days=10)), build_client)
    with pytest.raises(InputError) as refused:
        manager.run()
    assert refused.value.field == 'renew_before_days' and built == []


# The export is checked before anything is written ---------------------------------------------------
def forged(common_name, serial_number, key=None):
    """A CA named ``common_name`` (not the pki's) and a leaf it signed with ``serial_number``, with their keys."""
    ca, ca_key = emulator_certs.make_ca(common_name)
    key = key or emulator_certs.new_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, 'www.example.com')])
    leaf = (x509.CertificateBuilder().subject_name(subject)
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(serial_number)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
            .sign(ca_key, hashes.SHA256()))
    return emulator_certs.cert_pem(leaf), emulator_certs.cert_pem(ca), emulator_certs.key_pem(key)


def run_with_export(issued, tmp_path, replace, owned=None):
    """Issue c2 (or, with ``owned``, keep it and restore its files) with its export changed by ``replace``."""
    certificate_, authority, exported = issued
    api = FakeCcmApi(owned or owned_pair(current_days_left=10), issued=certificate_, authority=authority,
                     exported=dict(exported, **replace))
    manager = certificate(api, certificate_path=str(tmp_path / 'cert.pem'), chain_path=str(tmp_path / 'chain.pem'),
                          private_key_path=str(tmp_path / 'key.pem'))
    try:
        return manager.run(), manager, api
    except ApiError as error:
        return error, manager, api


def refused(outcome, tmp_path, reason):
    error, manager, dummy = outcome
    assert isinstance(error, ApiError), 'the export was taken: %r' % (error,)
    assert error.message.startswith('the export of certificate c2 ') and error.message.endswith('no file was written')
    assert reason in error.message
    assert os.listdir(str(tmp_path)) == []
    assert manager.no_log_values == []
    return error


def test_the_checked_export_is_written(issued, tmp_path):
    result, manager, api = run_with_export(issued, tmp_path, {})
    assert result['changed'] and len(result['files']) == 3
    assert ('export', 'c2') in api.calls


def test_another_cas_certificate_with_its_own_key_is_not_written(issued, pki, tmp_path):
    leaf, ca, key = forged('certfleet other CA', 0x1234)
    error = refused(run_with_export(issued, tmp_path, dict(certificate=leaf, certificate_chain=ca, private_key=key)),
                    tmp_path, 'holds certificate CN=www.example.com with serial 1234, not serial ')
    assert 'PRIVATE KEY' not in str(error)


def test_a_certificate_of_another_ca_of_the_same_name_and_serial_is_not_written(issued, pki, tmp_path):
    # Everything the certificate show tells matches; only the CA show's serial tells the CAs apart.
    certificate_, authority, dummy = issued
    leaf, ca, key = forged(authority['distinguished_name']['common_name'], int(certificate_['serial_number'], 16))
    refused(run_with_export(issued, tmp_path, dict(certificate=leaf, certificate_chain=ca, private_key=key)),
            tmp_path, 'is issued by CN=certfleet test CA with serial ')


def test_a_chain_that_did_not_sign_the_certificate_is_not_written(issued, pki, tmp_path):
    refused(run_with_export(issued, tmp_path, dict(certificate_chain=pki['client-ca.pem'])), tmp_path,
            'the first certificate of its chain (CN=certfleet client CA) did not sign')


def test_a_key_that_is_not_the_certificates_is_not_written(issued, pki, tmp_path):
    refused(run_with_export(issued, tmp_path, dict(private_key=pki['other.key'])), tmp_path,
            'holds a private key that does not belong to its certificate')


@pytest.mark.parametrize('replace, reason', [
    (dict(certificate='x', private_key='e'), 'does not parse: certificate: no PEM block found'),
    (dict(private_key='e'), 'does not parse: private_key: no PEM block found'),
    (dict(certificate_chain=''), 'has no certificate_chain'),
    (dict(private_key=None), 'has no private_key'),
])
def test_an_export_that_does_not_parse_is_not_written_nor_hidden(issued, tmp_path, replace, reason):
    refused(run_with_export(issued, tmp_path, replace), tmp_path, reason)


def test_files_restored_for_a_kept_certificate_are_checked_against_the_ca_show(issued, tmp_path):
    # No renewal: the CA is looked up for the check, and its serial is not the chain's.
    certificate_, authority, exported = issued
    owned = Owned([certificate_], {'c2': TAGS})
    other_ca = dict(authority, serial_number='01')
    api = FakeCcmApi(owned, issued=certificate_, exported=exported, authority=other_ca)
    manager = certificate(api, certificate_path=str(tmp_path / 'cert.pem'))
    with pytest.raises(ApiError) as error:
        manager.run()
    assert 'not by CA %s with serial 01' % ISSUER_ID in error.value.message
    assert ('authority', ISSUER_ID) in api.calls and os.listdir(str(tmp_path)) == []
    # The right CA: written, and only the export and the CA show were asked for.
    api = FakeCcmApi(owned, issued=certificate_, exported=exported, authority=authority)
    result = certificate(api, certificate_path=str(tmp_path / 'cert.pem')).run()
    assert result['files'] == [str(tmp_path / 'cert.pem')] and result['reason'] is None
    assert [call[0] for call in api.calls] == ['owned', 'export', 'authority']


@pytest.mark.parametrize('text', ['e', 'x' * 500, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', None])
def test_only_a_private_key_is_a_no_log_value(text):
    assert secret_texts(text) == []


def test_a_private_key_is_a_no_log_value(pki):
    assert secret_texts(pki['www.example.com.key']) == [pki['www.example.com.key']]


# What a plan shows ------------------------------------------------------------------------------------
# Every character but surrogates (which no certificate can hold) and NUL (which cryptography refuses in a name).
# At most 16 characters: cryptography counts a common name's 64 in UTF-8 bytes.
DN_VALUES = st.text(st.characters(blacklist_categories=('Cs',), blacklist_characters='\0'), min_size=1, max_size=16)


@given(common_name=DN_VALUES, organization=DN_VALUES)
def test_a_distinguished_name_reads_as_cryptography_prints_the_certificates(common_name, organization):
    # The summary of an exported certificate prints its subject with cryptography; one from show must read the same.
    name = x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, 'CN'),
                      x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)])
    assert dn_text({'common_name': common_name, 'organization': organization, 'country': 'CN'}) == name.rfc4514_string()


def test_summary_sans_are_listed_as_an_exported_certificates_summary_lists_them():
    sans = [{'type': 'DNS', 'value': 'a.example.com'}, {'type': 'URI', 'value': 'https://a.example.com/'},
            {'type': 'IP', 'value': '2001:DB8:0::1'}, {'type': 'EMAIL', 'value': 'a@example.com'},
            {'type': 'IP', 'value': '192.0.2.1'}]
    assert summary_sans(sans) == ['a.example.com', '2001:db8::1', '192.0.2.1']
    assert summary_sans(None) == []


def test_a_reported_summary_names_the_whole_issuer_only_for_the_ca_that_issued_it():
    whole = dict(AUTHORITY, distinguished_name={'common_name': 'Issuing CA', 'organization': 'certfleet',
                                                'country': 'CN'})
    assert reported_summary(shown(), now=NOW, authority=whole)['issuer'] == 'CN=Issuing CA,O=certfleet,C=CN'
    assert reported_summary(shown(), now=NOW, authority=dict(whole, ca_id='other'))['issuer'] == 'CN=Issuing CA'
    assert reported_summary(shown(), now=NOW, sans=['www.example.com'])['sans'] == ['www.example.com']


def test_check_mode_shows_the_certificate_it_would_issue_and_the_real_runs_before():
    owned = owned_pair(current_days_left=10)
    # c2 as the service issues it: the DN fields not asked for are the CA's.
    issued = shown(certificate_id='c2', create_time=3000, days_left=90, serial_number='3C4D', distinguished_name=dict(
        SPEC['distinguished_name'], country='CN'))
    plan_api, real_api = FakeCcmApi(owned), FakeCcmApi(owned, issued=issued)
    plan = certificate(plan_api, check_mode=True).run()
    real = certificate(real_api).run()
    assert plan['diff']['before'] == real['diff']['before']
    assert plan['diff']['before']['certificate']['issuer'] == 'CN=Issuing CA,C=CN'
    # c1 carries the digest of this spec: its SANs are the requested ones, though show does not list them.
    assert plan['diff']['before']['certificate']['sans'] == ['www.example.com', '192.0.2.1']
    after = plan['diff']['after']
    assert after['predicted'] is True and after['key_algorithm'] == 'EC256' and after['signature_algorithm'] == 'SHA256'
    assert after['certificate'] == dict(
        serial=PREDICTED_SERIAL, sha256_fingerprint=PREDICTED_FINGERPRINT, not_before='2026-11-23T12:00:00Z',
        not_after='2027-02-21T12:00:00Z', days_left=90, issuer='CN=Issuing CA,C=CN', sans=['www.example.com', '192.0.2.1'],
        subject='CN=www.example.com,O=certfleet,C=CN')
    # The real run knows no more without an export (no files here), and says the same but for the serial.
    assert dict(real['diff']['after']['certificate'], serial=PREDICTED_SERIAL, sha256_fingerprint=PREDICTED_FINGERPRINT) \
        == dict(after['certificate'], not_before=real['diff']['after']['certificate']['not_before'],
                not_after=real['diff']['after']['certificate']['not_after'])
    # Both read the CA once, before "before" is drawn.
    assert [call[0] for call in plan_api.calls] == ['owned', 'authority']
    assert [call[0] for call in real_api.calls if call[0] in READS] == ['owned', 'authority', 'get']


def test_a_certificate_tagged_with_another_spec_shows_no_sans_it_cannot_know():
    owned = Owned([shown()], {'c1': {NAME_TAG: 'web', SPEC_TAG: 'another spec'}})
    plan = certificate(FakeCcmApi(owned), check_mode=True).run()
    assert plan['reason'].startswith('the certificate was issued with another subject_alternative_names')
    assert plan['diff']['before']['certificate']['sans'] == []
    assert plan['diff']['after']['certificate']['sans'] == ['www.example.com', '192.0.2.1']
