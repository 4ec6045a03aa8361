# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""netcenter_certificate's rules: stored-file digests, what it sends, what it refuses, against a stand-in API."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    ARGUMENT_SPEC, NetcenterCertificate, NetcenterCertificateApi, md5_hex, stored_facts,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import CertificateBundle


class FakeNetcenterApi(NetcenterCertificateApi):
    def __init__(self, certificates=()):
        super().__init__(client=None)
        self.certificates = [dict(item) for item in certificates]
        self.calls = []

    def list(self):
        self.calls.append(('list',))
        return [dict(item) for item in self.certificates]

    def stored_pem(self, certificate_id):
        self.calls.append(('content', certificate_id))
        return None

    def create(self, payload, recheck=None):
        self.calls.append(('create', payload))
        return '100042'

    def update(self, current, payload):
        self.calls.append(('update', current['id'], payload))

    def delete(self, current):
        self.calls.append(('delete', current['id']))


@pytest.fixture
def manager():
    def make(certificates=(), check_mode=False, **params):
        params.setdefault('name', 'www')
        params.setdefault('state', 'present')
        api = FakeNetcenterApi(certificates)
        return NetcenterCertificate(with_defaults(ARGUMENT_SPEC, params), api, check_mode), api
    return make


def stored(pki, bundle='www.example.com', **fields):
    facts = stored_facts(CertificateBundle(pki[bundle + '.fullchain.pem'], 'certificate', pki[bundle + '.key'],
                                           'private_key'))
    record = dict(facts, id='100001', name='www', comment='', related_domains=[])
    record.update(fields)
    return record


def present(pki, bundle='www.example.com'):
    return dict(certificate=pki[bundle + '.fullchain.pem'], private_key=pki[bundle + '.key'])


def test_stored_facts_are_the_digests_of_the_files_the_api_keeps(pki):
    facts = stored_facts(CertificateBundle(pki['www.example.com.fullchain.pem'], 'certificate',
                                           pki['www.example.com.key'], 'private_key'))
    assert facts['crt_md5'] == md5_hex(pki['www.example.com.pem'])
    assert facts['ca_md5'] == md5_hex(pki['ca.pem'])
    assert facts['key_md5'] == md5_hex(pki['www.example.com.key'])
    assert facts['dns_names'] == ['www.example.com']


def test_an_unchanged_certificate_is_one_list_call(pki, manager):
    netcenter, api = manager([stored(pki)], certificate=pki['www.example.com.fullchain.pem'].replace('\n', '\r\n'),
                             private_key=pki['www.example.com.key'])
    result = reconcile(netcenter, 'present')
    assert result['changed'] is False and api.calls == [('list',)]
    assert result['certificate']['summary']['subject'] == 'CN=www.example.com'


def test_a_rotation_sends_the_whole_certificate_and_keeps_the_comment(pki, manager):
    netcenter, api = manager([stored(pki, comment='kept')], auto_renew=True, **present(pki, 'www.example.com-rotated'))
    result = reconcile(netcenter, 'present')
    assert api.calls[:2] == [('list',), ('content', '100001')]
    (kind, certificate_id, body), = api.calls[2:]
    assert (kind, certificate_id) == ('update', '100001')
    assert body['certificate'] == pki['www.example.com-rotated.fullchain.pem']
    assert body['comment'] == 'kept' and body['autoRenew'] == 'true' and body['name'] == 'www'
    assert result['diff']['after']['private_key'] == '<redacted: changed>'


def test_a_create_sends_no_flags_then_an_edit_sets_them(pki, manager):
    netcenter, api = manager(is_need_alarm=False, **present(pki))
    result = reconcile(netcenter, 'present')
    assert [call[0] for call in api.calls] == ['list', 'create', 'update']
    assert 'isNeedAlarm' not in api.calls[1][1] and api.calls[2][2]['isNeedAlarm'] == 'false'
    assert result['certificate']['id'] == '100042'


@pytest.mark.parametrize('check_mode', [True, False])
def test_uncovered_accelerated_domains_are_refused_before_any_write(pki, manager, check_mode):
    domains = [dict(domain_id='1', domain_name='www.example.com'), dict(domain_id='2', domain_name='shop.example.org')]
    netcenter, api = manager([stored(pki, related_domains=domains)], check_mode=check_mode,
                             **present(pki, 'www.example.com-rotated'))
    with pytest.raises(InputError) as caught:
        reconcile(netcenter, 'present')
    assert caught.value.field == 'certificate'
    assert 'does not cover shop.example.org, accelerated domain that uses certificate 100001' in str(caught.value)
    assert 'www.example.com,' not in str(caught.value)
    assert api.calls == [('list',)]


def test_covered_accelerated_domains_do_not_stop_a_rotation(pki, manager):
    domains = [dict(domain_id='1', domain_name='WWW.example.com')]
    netcenter, api = manager([stored(pki, related_domains=domains)], **present(pki, 'www.example.com-rotated'))
    assert reconcile(netcenter, 'present')['changed'] is True


def test_a_leaf_without_its_chain_is_refused(pki, manager):
    netcenter, api = manager(certificate=pki['www.example.com.pem'], private_key=pki['www.example.com.key'])
    with pytest.raises(InputError) as caught:
        reconcile(netcenter, 'present')
    assert 'append its CA chain' in str(caught.value) and api.calls == []


def test_the_summary_of_someone_elses_certificate_is_what_the_list_shows(pki, manager):
    netcenter, api = manager([stored(pki, 'www.example.com-rotated')], state='absent')
    summary = netcenter.summary(api.certificates[0])
    assert summary['subject'] is None and summary['sha256_fingerprint'] is None
    assert summary['serial'] == summary['serial'].upper() and len(summary['serial']) % 2 == 0
    assert summary['sans'] == ['www.example.com']


def test_a_create_found_after_a_lost_answer_must_have_our_leaf(pki, manager):
    netcenter, api = manager(**present(pki))
    desired = netcenter.validate()
    payload = netcenter.create_payload(desired)
    api.certificates = [stored(pki, 'www.example.com-rotated')]
    assert netcenter.find_created(payload, desired) is None
    api.certificates = [stored(pki)]
    assert netcenter.find_created(payload, desired)['id'] == '100001'
