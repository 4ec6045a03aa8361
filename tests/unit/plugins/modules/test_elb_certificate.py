# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""elb_certificate's rules: what it sends, how it compares, what it refuses, against a stand-in API."""

from __future__ import annotations

import json
import subprocess

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import ARGUMENT_SPEC, ElbCertificate, ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates
from ansible_collections.certfleet.cloud.plugins.modules import elb_certificate


class FakeElbApi(ElbCertificateApi):
    """The ELB calls, answered from a list; every call recorded."""

    def __init__(self, certificates=()):
        super().__init__(client=None)
        self.certificates = [dict(item) for item in certificates]
        self.calls = []

    def list(self, **filters):
        self.calls.append(('list', filters))
        return [dict(item) for item in self.certificates
                if all(item.get(name) == value for name, value in filters.items() if value)]

    def get(self, resource_id):
        self.calls.append(('get', resource_id))
        return next((dict(item) for item in self.certificates if item['id'] == resource_id), None)

    def create(self, payload, recheck=None):
        self.calls.append(('create', payload))
        return dict(payload, id='new-id')

    def update(self, current, payload):
        self.calls.append(('update', payload))
        return dict(current, **payload)

    def delete(self, current):
        self.calls.append(('delete', current['id']))


@pytest.fixture
def manager():
    def make(check_mode=False, certificates=(), **params):
        params.setdefault('name', 'web')
        api = FakeElbApi(certificates)
        return ElbCertificate(with_defaults(ARGUMENT_SPEC, params), api, check_mode), api
    return make


def stored(pki, **fields):
    record = dict(id='c1', name='web', type='server', certificate=pki['www.example.com.fullchain.pem'],
                  fingerprint=load_certificates(pki['www.example.com.pem'], 'c')[0].sha1_fingerprint)
    record.update(fields)
    return record


def writes(api):
    return [call for call in api.calls if call[0] in ('create', 'update', 'delete')]


def test_create_sends_the_canonical_pem_and_the_default_type(pki, manager):
    certificate = pki['www.example.com.fullchain.pem'].replace('\n', '\r\n')
    elb, api = manager(certificate=certificate, private_key=pki['www.example.com.key'], domain='www.example.com')
    result = reconcile(elb, 'present')
    (kind, payload), = writes(api)
    assert kind == 'create'
    assert payload['certificate'] == pki['www.example.com.fullchain.pem']
    assert payload['type'] == 'server' and payload['name'] == 'web' and payload['domain'] == 'www.example.com'
    assert payload['private_key'].startswith('-----BEGIN ')
    assert 'private_key' not in result['certificate']
    assert result['diff']['after']['private_key'] == '<redacted: changed>'


def test_the_same_certificate_in_another_layout_is_no_change(pki, manager):
    one_line = pki['www.example.com.fullchain.pem'].replace('\n', '')
    one_line = one_line.replace('-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\n')
    elb, api = manager(certificates=[stored(pki)], certificate=pki['www.example.com.fullchain.pem'].replace('\n', '\r\n'),
                       private_key=pki['www.example.com.key'])
    result = reconcile(elb, 'present')
    assert result['changed'] is False and writes(api) == []
    assert [call[0] for call in api.calls] == ['list']


def test_a_new_certificate_is_sent_with_its_key(pki, manager):
    elb, api = manager(certificates=[stored(pki)], certificate=pki['www.example.com-rotated.fullchain.pem'],
                       private_key=pki['www.example.com-rotated.key'])
    result = reconcile(elb, 'present')
    (kind, payload), = writes(api)
    assert kind == 'update' and set(payload) == {'certificate', 'private_key'}
    assert result['diff']['before']['certificate'][0]['serial'] != result['diff']['after']['certificate'][0]['serial']


def test_previous_summary_is_what_was_served_before_the_run(pki, manager):
    first = load_certificates(pki['www.example.com.pem'], 'c')[0]
    rotated = load_certificates(pki['www.example.com-rotated.pem'], 'c')[0]
    created = reconcile(*_present(manager(certificate=pki['www.example.com.fullchain.pem'],
                                          private_key=pki['www.example.com.key'])))
    assert created['previous_summary'] is None
    updated = reconcile(*_present(manager(certificates=[stored(pki)],
                                          certificate=pki['www.example.com-rotated.fullchain.pem'],
                                          private_key=pki['www.example.com-rotated.key'])))
    assert updated['previous_summary']['sha256_fingerprint'] == first.sha256_fingerprint
    assert updated['certificate']['summary']['sha256_fingerprint'] == rotated.sha256_fingerprint
    unchanged = reconcile(*_present(manager(certificates=[stored(pki)], certificate=pki['www.example.com.fullchain.pem'],
                                            private_key=pki['www.example.com.key'])))
    assert unchanged['previous_summary'] == unchanged['certificate']['summary']
    deleted = reconcile(*_present(manager(certificates=[stored(pki)]), 'absent'))
    assert 'previous_summary' not in deleted


def _present(made, state='present'):
    elb, dummy = made
    return elb, state


def test_check_mode_predicts_the_same_diff_and_writes_nothing(pki, manager):
    params = dict(certificates=[stored(pki)], certificate=pki['www.example.com-rotated.fullchain.pem'],
                  private_key=pki['www.example.com-rotated.key'], description='rotated')
    checked, check_api = manager(check_mode=True, **params)
    real, real_api = manager(**params)
    check_result = reconcile(checked, 'present')
    real_result = reconcile(real, 'present')
    assert writes(check_api) == [] and len(writes(real_api)) == 1
    assert check_result['diff'] == real_result['diff'] and check_result['changed'] is real_result['changed'] is True


def test_only_changed_plain_fields_are_sent(pki, manager):
    elb, api = manager(certificates=[stored(pki, description='old', domain='')], description='new', domain='')
    reconcile(elb, 'present')
    assert writes(api) == [('update', {'description': 'new'})]


def test_replacing_a_server_certificate_needs_its_key(pki, manager):
    elb, api = manager(certificates=[stored(pki)], certificate=pki['www.example.com-rotated.fullchain.pem'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'private_key' and api.calls == []


def test_the_type_cannot_change(pki, manager):
    elb, api = manager(certificates=[stored(pki)], id='c1', type='client', certificate=pki['client-ca.pem'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'type' and 'cannot be changed' in str(caught.value)
    assert writes(api) == []


def test_a_ca_certificate_is_replaced_without_a_key(pki, manager):
    elb, api = manager(certificates=[stored(pki, type='client')], certificate=pki['client-ca.pem'], type='client')
    reconcile(elb, 'present')
    assert writes(api) == [('update', {'certificate': pki['client-ca.pem']})]


@pytest.mark.parametrize('bundle, reason', [
    (lambda pki: pki['ca.pem'] + pki['www.example.com.pem'], 'is not issued by'),
    (lambda pki: pki['www.example.com.pem'] + pki['client-ca.pem'], 'is not issued by'),
    (lambda pki: pki['www.example.com.fullchain.pem'] + pki['ca.pem'], 'repeats certificate #2'),
])
def test_a_chain_out_of_order_or_of_another_ca_is_refused_before_any_call(pki, bundle, reason, manager):
    elb, api = manager(certificate=bundle(pki), private_key=pki['www.example.com.key'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'certificate' and reason in str(caught.value)
    assert api.calls == []


def test_a_ca_bundle_may_hold_unrelated_cas(pki, manager):
    elb, api = manager(type='client', certificate=pki['ca.pem'] + pki['client-ca.pem'])
    result = reconcile(elb, 'present')
    assert result['changed'] is True and writes(api)[0][1]['certificate'] == pki['ca.pem'] + pki['client-ca.pem']


def test_an_empty_name_finds_nothing_and_sends_nothing(pki, manager):
    elb, api = manager(name='', certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'name' and 'is empty' in str(caught.value)
    assert api.calls == []


def test_several_certificates_of_one_name_are_listed_by_id(pki, manager):
    elb, api = manager(certificates=[stored(pki, id='b2'), stored(pki, id='a1')], state='absent')
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'absent')
    assert '2 certificates are named' in str(caught.value) and '(ids: a1, b2)' in str(caught.value)


def test_a_lookup_by_name_is_narrowed_by_type(pki, manager):
    elb, api = manager(certificates=[stored(pki)], type='client', state='absent')
    reconcile(elb, 'absent')
    assert api.calls == [('list', {'name': 'web', 'type': 'client'})]


def test_an_unknown_id_is_an_error_unless_deleting(pki, manager):
    elb, api = manager(id='missing', certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'id'
    elb, api = manager(id='missing', state='absent')
    assert reconcile(elb, 'absent')['changed'] is False


def test_a_create_found_after_a_lost_answer_must_have_our_fingerprint(pki, manager):
    elb, api = manager(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    desired = elb.validate()
    payload = elb.create_payload(desired)
    api.certificates = [stored(pki, fingerprint='0' * 40)]
    assert elb.find_created(payload, desired) is None
    api.certificates = [stored(pki)]
    assert elb.find_created(payload, desired)['id'] == 'c1'


def test_the_returned_summary_is_the_leaf_as_openssl_prints_it(pki, tmp_path, manager):
    elb, api = manager(certificates=[stored(pki)], certificate=pki['www.example.com.fullchain.pem'],
                       private_key=pki['www.example.com.key'])
    summary = reconcile(elb, 'present')['certificate']['summary']
    path = tmp_path / 'leaf.pem'
    path.write_text(pki['www.example.com.pem'])
    serial = subprocess.check_output(['openssl', 'x509', '-noout', '-serial', '-in', str(path)], text=True)
    assert serial.strip() == 'serial=' + summary['serial']
    assert summary['subject'] == 'CN=www.example.com' and summary['sans'] == ['www.example.com']
    assert 80 <= summary['days_left'] <= 90


def test_a_key_pasted_into_the_certificate_option_never_reaches_the_output(pki, run_module):
    key = pki['www.example.com.key']
    result = run_module(elb_certificate, dict(name='web', certificate=key, private_key=pki['www.example.com.pem'],
                                              access_key='AK', secret_key='SK', region='cn-north-4',
                                              project_id='p', endpoint='http://127.0.0.1:9'))
    assert result['failed'] is True and result['field'] == 'certificate'
    body_line = key.splitlines()[1]
    assert body_line not in json.dumps(result)
    assert result['invocation']['module_args']['certificate'] != key


def test_an_sm_dual_certificate_has_both_sm2_keys_checked(pki, manager):
    elb, api = manager(type='server_sm', certificate=pki['gm-sign.pem'] + pki['gm-ca.pem'],
                       private_key=pki['gm-sign.key'], enc_certificate=pki['gm-enc.pem'] + pki['gm-ca.pem'],
                       enc_private_key=pki['gm-enc.key'])
    reconcile(elb, 'present')
    (kind, payload), = writes(api)
    assert kind == 'create' and payload['type'] == 'server_sm' and payload['enc_private_key']
    elb, api = manager(type='server_sm', certificate=pki['gm-sign.pem'], private_key=pki['gm-sign.key'],
                       enc_certificate=pki['gm-enc.pem'], enc_private_key=pki['gm-other.key'])
    with pytest.raises(InputError) as caught:
        reconcile(elb, 'present')
    assert caught.value.field == 'enc_private_key' and 'does not match' in str(caught.value)
    assert api.calls == []
