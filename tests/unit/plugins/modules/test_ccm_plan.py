# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ccm_private_certificate's plan (check mode) against its real run, both against the emulator: the plan's
"before" is the real run's, and its "after" is the certificate CCM then issues, but for what only the issue
decides (serial, fingerprint, the exact second)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import PREDICTED_FINGERPRINT, PREDICTED_SERIAL
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import TIME_FORMAT, load_certificates
from ansible_collections.certfleet.cloud.plugins.modules import ccm_private_certificate

CA_ID = '2cb2878b-6cd1-460d-bd25-afe655159bdc'
OTHER_CA_ID = '5d0b7a5c-0c44-4c55-9a0e-1d2f3a4b5c6d'
# Decided by the issue, not by the request: the plan cannot know them.
ISSUE_DECIDES = ('serial', 'sha256_fingerprint', 'not_before', 'not_after', 'days_left')


@pytest.fixture
def ccm(emulator):
    # A CA whose subject has characters RFC 4514 escapes, so the issuer is compared as printed.
    emulator.admin('POST', 'seed', {'ccm': {'authorities': [
        {'id': CA_ID, 'common_name': 'plan CA', 'organization': 'certfleet, Inc. + friends'},
        {'id': OTHER_CA_ID, 'common_name': 'other plan CA', 'issuer_id': CA_ID}]}})
    return emulator


def args(emulator, directory=None, check_mode=False, **overrides):
    values = dict(access_key=emulator.options.access_key, secret_key=emulator.options.secret_key,
                  endpoint=emulator.url, name='plan', issuer=CA_ID, key_algorithm='EC256', signature_algorithm='SHA384',
                  distinguished_name={'common_name': 'plan.example.com', 'organization': 'Plan; "quoted" <co>'},
                  validity={'type': 'DAY', 'value': 60},
                  subject_alternative_names=[{'type': 'DNS', 'value': 'plan.example.com'},
                                             {'type': 'IP', 'value': '2001:DB8:0:0::1'},
                                             {'type': 'EMAIL', 'value': 'pki@example.com'},
                                             {'type': 'IP', 'value': '192.0.2.7'}])
    if directory is not None:
        values.update(certificate_path=str(directory / 'cert.pem'), private_key_path=str(directory / 'key.pem'),
                      chain_path=str(directory / 'chain.pem'), fullchain_path=str(directory / 'fullchain.pem'))
    if check_mode:
        values['_ansible_check_mode'] = True
    values.update(overrides)
    return values


def moment(text):
    return datetime.datetime.strptime(text, TIME_FORMAT)


def assert_predicts(planned, issued):
    """``planned`` (a plan's diff "after") describes ``issued`` (the real run's): all but what the issue decides,
    which the plan marks as its own; the times within the seconds between the two runs."""
    assert planned['predicted'] is True and 'predicted' not in issued
    assert dict((key, value) for key, value in planned.items() if key not in ('certificate', 'predicted')) \
        == dict((key, value) for key, value in issued.items() if key != 'certificate')
    plan, real = planned['certificate'], issued['certificate']
    assert dict((key, plan[key]) for key in plan if key not in ISSUE_DECIDES) \
        == dict((key, real[key]) for key in real if key not in ISSUE_DECIDES)
    assert (plan['serial'], plan['sha256_fingerprint']) == (PREDICTED_SERIAL, PREDICTED_FINGERPRINT)
    assert real['serial'] and len(real['sha256_fingerprint']) == 64
    for field in ('not_before', 'not_after'):
        assert abs(moment(real[field]) - moment(plan[field])) <= datetime.timedelta(seconds=30)
    assert real['days_left'] - plan['days_left'] in (0, 1, -1)


def test_the_plan_of_a_first_issue_is_the_certificate_then_issued(ccm, tmp_path, run_module):
    plan = run_module(ccm_private_certificate, args(ccm, tmp_path, check_mode=True))
    plan_calls = [(entry['method'], entry['path']) for entry in ccm.requests()]
    real = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert plan['changed'] and real['changed'] and plan['reason'] == real['reason'] == 'no certificate yet'
    assert plan['diff']['before'] == real['diff']['before']
    assert_predicts(plan['diff']['after'], real['diff']['after'])
    # The plan is what the certificate written to disk says, in the summary's own forms: the IPv6 address
    # compressed, the e-mail name left out as from every summary, the subject in RFC 4514 escapes.
    written = load_certificates((tmp_path / 'cert.pem').read_text(), 'certificate')[0]
    planned = plan['diff']['after']['certificate']
    assert planned['sans'] == written.subject_alternative_names == ['plan.example.com', '2001:db8::1', '192.0.2.7']
    assert (planned['subject'], planned['issuer']) == (written.subject, written.issuer)
    assert planned['issuer'] == 'CN=plan CA,OU=PKI,O=certfleet\\, Inc. \\+ friends,L=Shenzhen,ST=Guangdong,C=CN'
    assert plan['diff']['after']['key_algorithm'] == 'EC256' and plan['diff']['after']['signature_algorithm'] == 'SHA384'
    # The CA is read once, as the real run reads it; no write, no export.
    assert [path for method, path in plan_calls] == [
        '/v1/private-certificates/resource-instances/filter', '/v1/private-certificate-authorities/' + CA_ID]
    assert plan['certificate']['predicted'] is True and 'certificate_id' not in plan['certificate']


@pytest.mark.parametrize('with_files', [True, False], ids=['files', 'no-files'])
def test_a_renewal_plan_has_the_real_runs_before_and_predicts_its_after(ccm, tmp_path, run_module, with_files):
    directory = tmp_path if with_files else None
    first = run_module(ccm_private_certificate, args(ccm, directory))
    # Half a day off any day boundary: days_left is the same in both runs although the service clock is known
    # to about a second (Date).
    ccm.admin('POST', 'clock', {'advance_days': 40.5})
    ccm.admin('DELETE', 'requests')
    plan = run_module(ccm_private_certificate, args(ccm, directory, check_mode=True))
    plan_calls = len(ccm.requests())
    real = run_module(ccm_private_certificate, args(ccm, directory))
    assert plan['reason'] == real['reason'] and real['reason'].startswith('the certificate expires on')
    assert plan['diff']['before'] == real['diff']['before']
    # The chain of the same CA is left as it is, and the plan says so.
    assert plan['files'] == real['files'] == ([str(tmp_path / name) for name in ('cert.pem', 'fullchain.pem', 'key.pem')]
                                              if with_files else [])
    before = real['diff']['before']['certificate']
    # Without files, show alone is read; the CA read for the renewal names the whole issuer, and the spec tag
    # says the SANs are the requested ones: "before" does not read as if they were dropped.
    assert before['serial'] == first['certificate']['summary']['serial'] and before['days_left'] == 19
    assert before['sans'] == first['certificate']['summary']['sans'] == ['plan.example.com', '2001:db8::1', '192.0.2.7']
    assert before['issuer'] == first['diff']['after']['certificate']['issuer']
    assert (before['sha256_fingerprint'] is None) is not with_files
    assert_predicts(plan['diff']['after'], dict(real['diff']['after'], certificate=dict(
        real['diff']['after']['certificate'],
        # Nothing exported without files: the real run knows no fingerprint either.
        sha256_fingerprint=real['diff']['after']['certificate']['sha256_fingerprint'] or '0' * 64)))
    # Tag filter, one show, the CA: the same three reads the plan made before it showed the issuer.
    assert plan_calls == 3


def test_a_spec_change_plan_shows_the_new_sans_against_the_old(ccm, tmp_path, run_module):
    run_module(ccm_private_certificate, args(ccm, tmp_path))
    ccm.admin('POST', 'clock', {'advance_days': 0.5})  # days_left off a day boundary, for both runs alike
    more = args(ccm, tmp_path, subject_alternative_names=[{'type': 'DNS', 'value': 'plan.example.com'},
                                                          {'type': 'DNS', 'value': 'more.example.com'}])
    plan = run_module(ccm_private_certificate, dict(more, _ansible_check_mode=True))
    real = run_module(ccm_private_certificate, more)
    assert plan['diff']['before'] == real['diff']['before']
    assert plan['diff']['before']['certificate']['sans'] == ['plan.example.com', '2001:db8::1', '192.0.2.7']
    assert plan['diff']['after']['certificate']['sans'] == ['plan.example.com', 'more.example.com']
    assert_predicts(plan['diff']['after'], real['diff']['after'])


def test_a_plan_to_change_the_issuer_shows_the_new_issuer_and_a_chain_to_rewrite(ccm, tmp_path, run_module):
    run_module(ccm_private_certificate, args(ccm, tmp_path))
    ccm.admin('POST', 'clock', {'advance_days': 0.5})
    plan = run_module(ccm_private_certificate, args(ccm, tmp_path, check_mode=True, issuer=OTHER_CA_ID))
    real = run_module(ccm_private_certificate, args(ccm, tmp_path, issuer=OTHER_CA_ID))
    assert plan['reason'] == real['reason'] == 'the certificate was issued with another issuer'
    assert plan['diff']['before'] == real['diff']['before']
    assert plan['files'] == real['files'] == [str(tmp_path / name)
                                              for name in ('cert.pem', 'chain.pem', 'fullchain.pem', 'key.pem')]
    assert plan['diff']['after']['certificate']['issuer'] \
        == 'CN=other plan CA,OU=PKI,O=certfleet emulator,L=Shenzhen,ST=Guangdong,C=CN'
    assert_predicts(plan['diff']['after'], real['diff']['after'])
