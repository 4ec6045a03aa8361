# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.certfleet.cloud.plugins.modules import certificate_check


def gm_args(pki, **overrides):
    args = dict(certificate=pki['gm-sign.pem'], private_key=pki['gm-sign.key'], enc_certificate=pki['gm-enc.pem'],
                enc_private_key=pki['gm-enc.key'], certificate_chain=pki['gm-ca.pem'], services=['vpn'])
    args.update(overrides)
    return args


def test_a_good_bundle_is_accepted_for_elb_and_the_cdn(pki, run_module):
    result = run_module(certificate_check, dict(certificate=pki['www.example.com.fullchain.pem'],
                                                private_key=pki['www.example.com.key']))
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert result['services'] == ['elb', 'netcenter']
    assert result['summary']['subject'] == 'CN=www.example.com'
    assert [item['subject'] for item in result['chain']] == ['CN=certfleet test CA']
    assert pki['www.example.com.key'].splitlines()[1] not in str(result)


def test_a_gm_pair_is_accepted_for_vpn(pki, run_module):
    result = run_module(certificate_check, gm_args(pki))
    assert not result.get('failed'), result
    assert result['summary']['subject'].startswith('CN=vpn.example.com')
    assert result['enc_summary']['serial'] != result['summary']['serial']
    for key in ('gm-sign.key', 'gm-enc.key'):
        assert pki[key].splitlines()[1] not in str(result)


@pytest.mark.parametrize('args, field, reason', [
    (dict(certificate='expired.pem+ca.pem', private_key='expired.key'), 'certificate', 'expired on'),
    (dict(certificate='www.example.com.fullchain.pem', private_key='other.key'), 'private_key', 'does not match'),
    (dict(certificate='www.example.com.pem', private_key='www.example.com.key', services=['elb']), 'certificate',
     'holds only the leaf'),
    (dict(certificate='www.example.com.pem', private_key='www.example.com.key', services=['netcenter']),
     'certificate', 'holds only the leaf'),
    (dict(certificate='gm-sign.pem+gm-ca.pem', private_key='gm-sign.key', services=['netcenter']), 'certificate',
     'SM2 \\(GM\\) certificate; Wangsu CDN takes RSA and ECDSA'),
    (dict(certificate='rsa.pem', private_key='rsa.key', services=['vpn']), 'certificate',
     'is not an SM2 certificate signed with SM3'),
])
def test_what_a_service_would_refuse_is_refused_naming_the_field(pki, run_module, args, field, reason):
    args = dict(args)
    for option in ('certificate', 'private_key'):
        args[option] = ''.join(pki[name] for name in args[option].split('+'))
    result = run_module(certificate_check, args)
    assert result['failed'] is True
    assert result['field'] == field
    assert result['msg'].startswith(field + ': ')
    assert re.search(reason, result["msg"]), result["msg"]
    assert args['private_key'].splitlines()[1] not in str(result)


def test_a_gm_pair_missing_its_encryption_half_names_it(pki, run_module):
    args = gm_args(pki)
    del args['enc_certificate']
    result = run_module(certificate_check, args)
    assert result['failed'] is True
    assert result['msg'].startswith('enc_certificate: is required for services=vpn')


def test_a_gm_pair_swapped_is_refused(pki, run_module):
    result = run_module(certificate_check, gm_args(pki, certificate=pki['gm-enc.pem'], private_key=pki['gm-enc.key'],
                                                   enc_certificate=pki['gm-sign.pem'],
                                                   enc_private_key=pki['gm-sign.key']))
    assert result['failed'] is True
    assert result['msg'].startswith('certificate: does not allow digitalSignature')
