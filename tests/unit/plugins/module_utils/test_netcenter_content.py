# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The CDN certificate's PEM, read with the content call: full summaries in the diff and the _info
results, what each run costs in calls, and a key in the content answer that never comes out."""

from __future__ import annotations

import datetime
import json
import types

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    ARGUMENT_SPEC, NetcenterCertificate, NetcenterCertificateApi,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates, served_certificates_pem
from ansible_collections.certfleet.cloud.plugins.modules import netcenter_certificate_info

CONTENT_PATH = r'/api/certificate/\d+/content$'


def client(emulator, **overrides):
    options = emulator.options
    params = dict(endpoint=emulator.url, access_key=options.netcenter_access_key,
                  secret_key=options.netcenter_secret_key, timeout=5, max_retries=0)
    params.update(overrides)
    return NetcenterClient(params)


def run(emulator, check_mode=False, **params):
    params.setdefault('state', 'present')
    manager = NetcenterCertificate(with_defaults(ARGUMENT_SPEC, params), NetcenterCertificateApi(client(emulator)),
                                   check_mode)
    return reconcile(manager)


def info(emulator, **params):
    module = types.SimpleNamespace(params=with_defaults(netcenter_certificate_info.ARGUMENT_SPEC, params),
                                   client=client(emulator), check_mode=False)
    return netcenter_certificate_info.list_certificates(module)


def seed(emulator, pki, name='www', bundle='www.example.com', **fields):
    certificate = dict(name=name, certificate=pki[bundle + '.fullchain.pem'], private_key=pki[bundle + '.key'])
    certificate.update(fields)
    return emulator.admin('POST', 'seed', {'netcenter': {'certificates': [certificate]}})['netcenter']['certificates'][0]


def calls(emulator):
    """The requests since the log was last cleared, as ``METHOD kind`` (list, content, item)."""
    kinds = []
    for entry in emulator.requests():
        kind = 'list' if entry['path'] == '/api/ssl/certificate' else (
            'content' if entry['path'].endswith('/content') else 'item')
        kinds.append('%s %s' % (entry['method'], kind))
    emulator.admin('DELETE', 'requests')
    return kinds


def summaries(pki, name):
    return [certificate.summary() for certificate in load_certificates(pki[name], 'c')]


def present(pki, bundle='www.example.com'):
    return dict(name='www', certificate=pki[bundle + '.fullchain.pem'], private_key=pki[bundle + '.key'])


def leaked_pieces(key, output):
    body = ''.join(line for line in key.splitlines() if not line.startswith('-----'))
    return [body[start:start + 16] for start in range(len(body) - 15) if body[start:start + 16] in output]


def test_an_unchanged_rerun_is_one_list_call_with_the_full_summary(emulator, pki):
    seed(emulator, pki)
    result = run(emulator, **present(pki))
    assert calls(emulator) == ['GET list']
    assert result['changed'] is False
    assert result['diff']['before'] == result['diff']['after']
    assert result['diff']['before']['certificate'] == summaries(pki, 'www.example.com.fullchain.pem')
    assert result['certificate']['summary'] == result['previous_summary'] == summaries(pki, 'www.example.com.pem')[0]
    assert 'BEGIN' not in json.dumps(result)


@pytest.mark.parametrize('check_mode', [True, False])
def test_a_rotation_reads_the_old_pem_once_for_the_before(emulator, pki, check_mode):
    seed(emulator, pki)
    result = run(emulator, check_mode, **present(pki, 'www.example.com-rotated'))
    assert calls(emulator) == ['GET list', 'GET content'] + ([] if check_mode else ['PUT item'])
    before, after = result['diff']['before'], result['diff']['after']
    assert before['certificate'] == summaries(pki, 'www.example.com.fullchain.pem')
    assert after['certificate'] == summaries(pki, 'www.example.com-rotated.fullchain.pem')
    assert (before['private_key'], after['private_key']) == ('<redacted>', '<redacted: changed>')
    assert set(before) == set(after) == {'name', 'certificate', 'private_key'}
    assert result['previous_summary'] == summaries(pki, 'www.example.com.pem')[0]
    assert result['certificate']['summary'] == summaries(pki, 'www.example.com-rotated.pem')[0]
    assert 'BEGIN' not in json.dumps(result)


def test_a_rename_of_the_same_certificate_reads_no_pem(emulator, pki):
    options = present(pki)
    options.update(id=str(seed(emulator, pki)), name='www-2027')
    renamed = run(emulator, **options)
    assert calls(emulator) == ['GET list', 'PUT item'] and renamed['changed'] is True
    assert renamed['diff']['before']['certificate'] == renamed['diff']['after']['certificate'] == summaries(
        pki, 'www.example.com.fullchain.pem')
    assert (renamed['diff']['before']['name'], renamed['diff']['after']['name']) == ('www', 'www-2027')


def test_a_create_reads_no_pem(emulator, pki):
    result = run(emulator, **present(pki))
    assert calls(emulator) == ['GET list', 'POST item']
    assert result['diff']['before'] == {} and result['previous_summary'] is None
    assert result['diff']['after']['certificate'] == summaries(pki, 'www.example.com.fullchain.pem')


def test_a_deletion_shows_what_it_deletes(emulator, pki):
    seed(emulator, pki)
    result = run(emulator, name='www', state='absent')
    assert calls(emulator) == ['GET list', 'GET content', 'DELETE item']
    assert result['diff']['before']['certificate'] == summaries(pki, 'www.example.com.fullchain.pem')
    assert run(emulator, name='www', state='absent')['changed'] is False
    assert calls(emulator) == ['GET list']


def test_a_rotation_refused_locally_reads_nothing_more(emulator, pki):
    seed(emulator, pki, related_domains=['www.example.com', 'shop.example.org'])
    with pytest.raises(InputError):
        run(emulator, **present(pki, 'www.example.com-rotated'))
    assert calls(emulator) == ['GET list']


def test_info_reads_the_pem_of_what_it_returns_only(emulator, pki):
    ids = [seed(emulator, pki, name=name) for name in ('a', 'b', 'c')]
    leaf = summaries(pki, 'www.example.com.pem')[0]
    by_name = info(emulator, name=['b'])
    assert calls(emulator) == ['GET list', 'GET content']
    assert [item['id'] for item in by_name['certificates']] == [str(ids[1])]
    assert by_name['certificates'][0]['summary'] == leaf
    assert len(info(emulator, id=[str(ids[0]), str(ids[2])])['certificates']) == 2
    assert calls(emulator) == ['GET list', 'GET content', 'GET content']
    assert info(emulator, expires_within_days=10)['certificates'] == []
    assert calls(emulator) == ['GET list']
    everything = info(emulator)
    assert calls(emulator) == ['GET list'] + ['GET content'] * 3
    assert [item['summary'] for item in everything['certificates']] == [leaf] * 3
    assert 'BEGIN' not in json.dumps(everything) and 'warnings' not in everything


def content_answer(pki, certificate, key):
    """A content answer that also holds the key: in the PEM text and in a field of its own."""
    return {'code': '0', 'message': 'success', 'data': {
        'certificateId': 1, 'certificate': certificate + key, 'privateKey': key, 'ssl-key': key}}


def test_a_key_in_the_content_answer_never_comes_out(emulator, pki):
    seed(emulator, pki)
    key = pki['www.example.com.key']
    answer = content_answer(pki, pki['www.example.com-rotated.fullchain.pem'], key)
    emulator.admin('POST', 'faults', {'method': 'GET', 'path': CONTENT_PATH, 'status': 200, 'body': answer, 'count': 2})
    listed = info(emulator, name=['www'])
    deleted = run(emulator, name='www', state='absent')
    assert listed['certificates'][0]['summary'] == summaries(pki, 'www.example.com-rotated.pem')[0]
    assert deleted['diff']['before']['certificate'] == summaries(pki, 'www.example.com-rotated.fullchain.pem')
    output = json.dumps([listed, deleted])
    assert leaked_pieces(key, output) == [] and 'PRIVATE KEY' not in output


def test_an_error_answer_quoting_the_key_is_not_quoted(emulator, pki):
    seed(emulator, pki)
    key = pki['www.example.com.key']
    # Not JSON of the service's error shape: the transport takes the first 200 characters as the message.
    emulator.admin('POST', 'faults', {'method': 'GET', 'path': CONTENT_PATH, 'status': 500,
                                      'body': 'cannot export %s%s' % (key, pki['www.example.com.fullchain.pem'])})
    listed = info(emulator)
    (warning,) = listed['warnings']
    assert 'with a body that cannot be used, HTTP 500' in warning
    assert leaked_pieces(key, json.dumps(listed)) == [] and 'BEGIN' not in warning


@pytest.mark.parametrize('fault', [
    {'malformed': True},
    {'status': 200, 'body': {'code': '36540000', 'message': 'The certificate is not found or deleted.', 'data': None}},
    {'status': 200, 'body': {'code': '0', 'message': 'success', 'data': {'certificateId': 1}}},
    {'status': 500},
], ids=['malformed', 'error code', 'no certificate', 'server error'])
def test_a_pem_that_cannot_be_read_leaves_the_listed_summary_and_a_warning(emulator, pki, fault):
    seed(emulator, pki)
    emulator.admin('POST', 'faults', dict(fault, method='GET', path=CONTENT_PATH, count=2))
    listed = info(emulator)
    rotated = run(emulator, **present(pki, 'www.example.com-rotated'))
    summary = listed['certificates'][0]['summary']
    leaf = summaries(pki, 'www.example.com.pem')[0]
    assert summary['subject'] is None and summary['sha256_fingerprint'] is None
    assert (summary['serial'], summary['issuer'], summary['not_after']) == (leaf['serial'], leaf['issuer'],
                                                                            leaf['not_after'])
    assert rotated['changed'] is True and rotated['diff']['before']['certificate'] == [summary]
    for warnings in (listed['warnings'], rotated['warnings']):
        assert len(warnings) == 1 and warnings[0].startswith('the PEM of certificate ')
        assert 'its summary is what the list reports' in warnings[0]
    # The malformed body's text is not quoted: it may hold a key.
    assert '{' not in listed['warnings'][0]


def test_served_pem_keeps_only_certificates(pki):
    key, chain = pki['www.example.com.key'], pki['www.example.com.fullchain.pem']
    assert served_certificates_pem(key + chain.replace('\n', '\r\n')) == chain
    assert served_certificates_pem(chain.replace('MII', 'M*I', 1)) is None
    assert served_certificates_pem(key) is None and served_certificates_pem(None) is None


def test_the_wangsu_client_learns_the_service_clock(emulator):
    emulator.admin('POST', 'clock', {'advance_days': 10})
    client = NetcenterClient(dict(access_key=emulator.options.netcenter_access_key,
                                  secret_key=emulator.options.netcenter_secret_key, endpoint=emulator.url,
                                  timeout=5, max_retries=0))
    client.request('GET', '/api/ssl/certificate')
    ahead = client.service_now() - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=9, hours=23) < ahead < datetime.timedelta(days=10, minutes=1)
