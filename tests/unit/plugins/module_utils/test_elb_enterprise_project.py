# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ELB certificates in enterprise projects, against the emulator: set on create, never moved, filtered."""

from __future__ import annotations

import types

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import ARGUMENT_SPEC, ElbCertificate, ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.modules import elb_certificate_info

PROJECT = '0a21f3c2-1d1b-4f3e-9c07-3f5d9b8c2e41'


def run(emulator, pki, **params):
    params.update(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    api = ElbCertificateApi(HuaweiCloudClient(emulator.params(), 'elb'))
    return reconcile(ElbCertificate(with_defaults(ARGUMENT_SPEC, params), api, check_mode=False))


def writes(emulator):
    return [(entry['method'], entry['fields']) for entry in emulator.requests() if entry['method'] != 'GET']


def test_a_certificate_is_created_in_the_enterprise_project_and_left_there(emulator, pki):
    created = run(emulator, pki, name='web', enterprise_project_id=PROJECT)
    assert created['changed'] and created['certificate']['enterprise_project_id'] == PROJECT
    assert writes(emulator) == [('POST', ['certificate.certificate', 'certificate.enterprise_project_id',
                                          'certificate.name', 'certificate.private_key', 'certificate.type'])]
    emulator.admin('DELETE', 'requests')
    assert not run(emulator, pki, name='web', enterprise_project_id=PROJECT)['changed']
    # Another enterprise project: the update API cannot move it, so nothing is sent.
    with pytest.raises(InputError) as refused:
        run(emulator, pki, name='web', enterprise_project_id='0')
    assert refused.value.field == 'enterprise_project_id' and PROJECT in refused.value.reason
    assert writes(emulator) == []


def test_left_out_the_certificate_lands_in_the_default_project(emulator, pki):
    created = run(emulator, pki, name='web')
    assert created['certificate']['enterprise_project_id'] == '0'
    assert 'certificate.enterprise_project_id' not in writes(emulator)[0][1]


@pytest.mark.parametrize('value', ['', 'default', PROJECT[:8]])
def test_a_value_that_is_no_enterprise_project_is_refused_before_any_request(emulator, pki, value):
    with pytest.raises(InputError) as refused:
        run(emulator, pki, name='web', enterprise_project_id=value)
    assert refused.value.field == 'enterprise_project_id'
    assert emulator.requests() == []


def test_the_info_filter_repeats_the_parameter_for_several_projects(emulator, pki):
    run(emulator, pki, name='in-default')
    run(emulator, pki, name='in-project', enterprise_project_id=PROJECT)
    client = HuaweiCloudClient(emulator.params(), 'elb')

    def names(projects):
        module = types.SimpleNamespace(client=client, params=with_defaults(elb_certificate_info.ARGUMENT_SPEC, dict(
            enterprise_project_id=projects)))
        return [item['name'] for item in elb_certificate_info.list_certificates(module)['certificates']]
    emulator.admin('DELETE', 'requests')
    assert names([PROJECT]) == ['in-project'] and names(['0']) == ['in-default']
    assert names(['0', PROJECT]) == ['in-default', 'in-project'] == names(['all_granted_eps'])
    assert 'enterprise_project_id=0&enterprise_project_id=%s' % PROJECT in emulator.requests()[2]['query']
