# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A service that echoes the request must not bring a secret into the output, in any form the module
sent it (re-encoded, JSON-escaped, cut), whatever form the user gave it in; and a key pasted into a
free-text option is refused before anything is sent."""

from __future__ import annotations

import json

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import deploy
from ansible_collections.certfleet.cloud.plugins.module_utils.module import secret_forms
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import canonical_pem
from ansible_collections.certfleet.cloud.plugins.modules import certificate_deploy, elb_certificate, netcenter_certificate


def key_body(key):
    return ''.join(line for line in key.splitlines() if not line.startswith('-----'))


def leaked_pieces(key, output):
    """Every 16-character run of the key's base64 body that can be read in ``output``."""
    body = key_body(key)
    return [body[start:start + 16] for start in range(len(body) - 15) if body[start:start + 16] in output]


def rewrapped(key, width, newline):
    """The key as another tool writes it: ``width`` columns, ``newline`` line ends."""
    body = key_body(key)
    lines = ['-----BEGIN PRIVATE KEY-----'] + [body[i:i + width] for i in range(0, len(body), width)]
    return newline.join(lines + ['-----END PRIVATE KEY-----']) + newline


def echoes(key):
    """What services were seen to say back: the key as sent, the request body, the first 150 characters."""
    sent = canonical_pem(key, 'private_key')
    return {
        'as sent': 'private key invalid: %s' % sent,
        'request body': json.dumps({'certificate': {'private_key': sent, 'name': 'web'}}),
        'first 150 characters': 'cannot parse %s' % sent[:150],
    }


def huawei_args(emulator, **args):
    args.update(access_key=emulator.options.access_key, secret_key=emulator.options.secret_key, region='cn-north-4',
                project_id=emulator.options.project_id, endpoint=emulator.url, max_retries=0, timeout=5)
    return args


@pytest.mark.parametrize('given', [(76, '\n'), (64, '\r\n'), (76, '\r\n')], ids=['76 columns', 'CRLF', '76 CRLF'])
@pytest.mark.parametrize('echo', ['as sent', 'request body', 'first 150 characters'])
def test_an_elb_error_that_echoes_the_key_shows_none_of_it(emulator, pki, run_module, given, echo):
    key = rewrapped(pki['www.example.com.key'], *given)
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/elb/certificates$', 'status': 500,
                                      'body': {'error_code': 'ELB.9999', 'error_msg': echoes(key)[echo]}})
    result = run_module(elb_certificate, huawei_args(emulator, name='web', private_key=key,
                                                     certificate=pki['www.example.com.fullchain.pem']))
    output = json.dumps(result)
    assert result['failed'] is True and result['error_code'] == 'ELB.9999'
    assert leaked_pieces(key, output) == []
    # The service's message itself is still there, with the key masked.
    assert '********' in result['msg']


def test_a_cdn_error_that_echoes_the_key_shows_none_of_it(emulator, pki, run_module):
    key = rewrapped(pki['www.example.com.key'], 76, '\r\n')
    sent = canonical_pem(key, 'private_key')
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/api/certificate$', 'status': 200,
                                      'body': {'code': '36540146', 'message': 'privateKey invalid: %s' % sent}})
    options = emulator.options
    result = run_module(netcenter_certificate, dict(
        name='www', certificate=pki['www.example.com.fullchain.pem'], private_key=key, endpoint=emulator.url,
        access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key, max_retries=0))
    assert result['failed'] is True and result['error_code'] == '36540146'
    assert leaked_pieces(key, json.dumps(result)) == []


def test_a_fleet_target_whose_service_echoes_the_key_shows_none_of_it(emulator, pki, run_module):
    key = rewrapped(pki['www.example.com.key'], 76, '\n')
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/elb/certificates$', 'status': 400, 'count': 5,
                                      'body': {'error_code': 'ELB.8902', 'error_msg': echoes(key)['request body']}})
    result = run_module(certificate_deploy, dict(
        certificate=pki['www.example.com.fullchain.pem'], private_key=key,
        targets=[{'service': 'elb', 'name': 'www-a'}, {'service': 'elb', 'name': 'www-b'}],
        huaweicloud=huawei_args(emulator)))
    assert result['failed'] is True and [row['failed'] for row in result['targets']] == [True, True]
    assert leaked_pieces(key, json.dumps(result)) == []


@pytest.mark.parametrize('option', ['description', 'name'])
def test_a_key_pasted_into_a_free_text_option_is_refused_before_any_request(emulator, pki, run_module, option):
    key = pki['www.example.com.key']
    args = huawei_args(emulator, name='web', certificate=pki['www.example.com.fullchain.pem'], private_key=key)
    args[option] = 'see ' + key
    result = run_module(elb_certificate, args)
    assert result['failed'] is True and result['field'] == option and 'holds a private key' in result['msg']
    assert emulator.requests() == []
    assert leaked_pieces(key, json.dumps(result)) == []


def test_a_key_in_a_fleet_target_description_is_refused_naming_the_target(emulator, pki, run_module):
    key = pki['www.example.com.key']
    result = run_module(certificate_deploy, dict(
        certificate=pki['www.example.com.fullchain.pem'], private_key=key,
        targets=[{'service': 'elb', 'name': 'a'}, {'service': 'elb', 'name': 'b', 'description': key}],
        huaweicloud=huawei_args(emulator)))
    assert result['failed'] is True and result['field'] == 'targets[1].description'
    assert emulator.requests() == []


def test_forms_of_a_secret_never_include_short_strings_or_anything_but_text():
    assert secret_forms('e') == set() and secret_forms(12345) == set() and secret_forms(None) == set()
    assert all(len(form) >= 16 for form in secret_forms('a-secret-of-twenty-chars'))
    forms = secret_forms(rewrapped('-----BEGIN PRIVATE KEY-----\n' + 'A' * 200 + '\n-----END PRIVATE KEY-----\n', 64, '\n'))
    assert 'A' * 64 in forms and 'A' * 16 in forms and 'A' * 76 in forms


@pytest.mark.parametrize('option, value', [('name', 'web\x00x'), ('description', 'a\x00b')])
def test_a_nul_in_an_option_is_refused_before_any_request(emulator, pki, run_module, option, value):
    args = huawei_args(emulator, name='web', certificate=pki['www.example.com.fullchain.pem'],
                       private_key=pki['www.example.com.key'])
    args[option] = value
    result = run_module(elb_certificate, args)
    assert result['failed'] is True and emulator.requests() == []
    # ansible-core 2.21 refuses a NUL in an argument itself, before the module runs; older ones do not.
    if 'field' in result or 'NUL' in result['msg']:
        assert result['field'] == option and 'NUL' in result['msg']


def warning_texts(result):
    """The warnings' texts (ansible-core 2.19 returns each as a summary holding an event with its message)."""
    return [warning if isinstance(warning, str) else (warning.get('event') or warning).get('msg', '')
            for warning in result.get('warnings', [])]


def test_an_unverified_or_plain_http_connection_is_warned_about_once(emulator, pki, run_module):
    args = huawei_args(emulator, validate_certs=False, ca_bundle='/nonexistent/ca.pem',
                       iam_endpoint='http://iam.invalid.example', project_id=None)
    args['endpoint'] = 'http://elb.invalid.example'
    result = run_module(elb_certificate, dict(args, name='web', certificate=pki['www.example.com.fullchain.pem'],
                                              private_key=pki['www.example.com.key']))
    warnings = warning_texts(result)
    assert result['failed'] is True
    assert any(w.startswith('validate_certs is false') for w in warnings)
    assert any('ca_bundle (/nonexistent/ca.pem) is not used' in w for w in warnings)
    assert any(w.startswith('endpoint is plain http:// to elb.invalid.example') for w in warnings)
    assert any(w.startswith('iam_endpoint is plain http:// to iam.invalid.example') for w in warnings)


def test_a_fleet_warns_once_per_connection(emulator, pki):
    connection = huawei_args(emulator, validate_certs=False)
    result = deploy.deploy([{'service': 'elb', 'name': 'a'}, {'service': 'elb', 'name': 'b'}],
                           pki['www.example.com.fullchain.pem'], pki['www.example.com.key'], {'huaweicloud': connection})
    assert 'failed' not in result
    assert [w for w in result['warnings'] if w.startswith('validate_certs is false')] == [result['warnings'][0]]
