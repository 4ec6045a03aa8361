# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official APIG v2 client (huaweicloudsdkapig) against the emulator, unchanged: it is the oracle
for paths, bodies and answers the emulator must accept and give."""

from __future__ import annotations

import re

import pytest
from huaweicloudsdkapig.v2 import (
    ApigClient, AssociateSignatureKeyV2Request, BaseSignature, CreateSignatureKeyV2Request,
    DeleteSignatureKeyV2Request, DisassociateSignatureKeyV2Request, ListApisBindedToSignatureKeyV2Request,
    ListApisNotBoundWithSignatureKeyV2Request, ListApisV2Request, ListSignatureKeysBindedToApiV2Request,
    ListSignatureKeysV2Request, SignApiBinding, UpdateSignatureKeyV2Request,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions

INSTANCE = 'eddc4d25480b4cd6b512f270a1b8b341'


def sdk_client(emulator):
    return emulator.huawei_sdk_client(ApigClient)


def seed(emulator, sign_types=('hmac', 'basic', 'aes')):
    emulator.admin('POST', 'seed', {'apig': {'instances': [{
        'id': INSTANCE, 'name': 'gateway', 'sign_types': list(sign_types),
        'environments': [{'id': 'env-test', 'name': 'TEST'}],
        'apis': [{'id': 'api-orders', 'name': 'orders', 'published': ['RELEASE', 'TEST']},
                 {'id': 'api-users', 'name': 'users', 'published': ['RELEASE']}]}]}})


def create(client, **fields):
    return client.create_signature_key_v2(CreateSignatureKeyV2Request(instance_id=INSTANCE,
                                                                      body=BaseSignature(**fields)))


def test_signs_and_bindings_with_the_sdk(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    created = create(client, name='sign_demo', sign_type='hmac', sign_key='key_demo_1', sign_secret='secret_demo_1234')
    # Every answer masks the secret, the create answer too (the reference's "Creating a Signature Key").
    assert created.sign_secret == 'sec************234' and created.sign_key == 'key_demo_1'
    generated = create(client, name='sign_generated')
    assert generated.sign_type == 'hmac' and len(generated.sign_key) == 32
    assert re.fullmatch(r'[0-9a-f]{3}\*{12}[0-9a-f]{3}', generated.sign_secret)

    listed = client.list_signature_keys_v2(ListSignatureKeysV2Request(instance_id=INSTANCE, name='sign_demo',
                                                                      precise_search='name'))
    assert listed.total == 1 and listed.signs[0].id == created.id and listed.signs[0].bind_num == 0
    assert listed.signs[0].sign_secret == 'sec************234'

    unbound = client.list_apis_not_bound_with_signature_key_v2(ListApisNotBoundWithSignatureKeyV2Request(
        instance_id=INSTANCE, sign_id=created.id, env_id='DEFAULT_ENVIRONMENT_RELEASE_ID'))
    assert sorted(api.name for api in unbound.apis) == ['orders', 'users']
    orders = next(api for api in unbound.apis if api.name == 'orders')
    bound = client.associate_signature_key_v2(AssociateSignatureKeyV2Request(
        instance_id=INSTANCE, body=SignApiBinding(sign_id=created.id, publish_ids=[orders.publish_id])))
    assert bound.bindings[0].api_name == 'orders' and bound.bindings[0].env_name == 'RELEASE'

    # Binding the same API to the other key moves it.
    client.associate_signature_key_v2(AssociateSignatureKeyV2Request(
        instance_id=INSTANCE, body=SignApiBinding(sign_id=generated.id, publish_ids=[orders.publish_id])))
    assert client.list_apis_binded_to_signature_key_v2(ListApisBindedToSignatureKeyV2Request(
        instance_id=INSTANCE, sign_id=created.id)).total == 0
    moved = client.list_apis_binded_to_signature_key_v2(ListApisBindedToSignatureKeyV2Request(
        instance_id=INSTANCE, sign_id=generated.id)).bindings
    assert [(binding.api_name, binding.sign_name) for binding in moved] == [('orders', 'sign_generated')]
    client.disassociate_signature_key_v2(DisassociateSignatureKeyV2Request(instance_id=INSTANCE,
                                                                           sign_bindings_id=moved[0].id))

    updated = client.update_signature_key_v2(UpdateSignatureKeyV2Request(
        instance_id=INSTANCE, sign_id=created.id,
        body=BaseSignature(name='sign_demo', sign_key='key_demo_1', sign_secret='another_secret_99')))
    assert updated.sign_secret == 'ano************_99'
    client.delete_signature_key_v2(DeleteSignatureKeyV2Request(instance_id=INSTANCE, sign_id=created.id))
    with pytest.raises(exceptions.ClientRequestException) as missing:
        client.delete_signature_key_v2(DeleteSignatureKeyV2Request(instance_id=INSTANCE, sign_id=created.id))
    assert missing.value.status_code == 404 and missing.value.error_code == 'APIG.3017'


@pytest.mark.parametrize('fields, parameter', [
    (dict(name='2bad'), 'name'),
    (dict(name='ok_name', sign_key='short'), 'sign_key'),
    (dict(name='ok_name', sign_type='basic', sign_key='1abc'), 'sign_key'),
    (dict(name='ok_name', sign_secret='tooshort'), 'sign_secret'),
    (dict(name='ok_name', sign_type='aes', sign_algorithm='aes-256-cfb', sign_key='k' * 16), 'sign_key'),
    (dict(name='ok_name', sign_algorithm='aes-128-cfb'), 'sign_algorithm'),
])
def test_the_seed_grammar_is_enforced(emulator, fields, parameter):
    seed(emulator)
    with pytest.raises(exceptions.ClientRequestException) as refused:
        create(sdk_client(emulator), **fields)
    assert refused.value.status_code == 400 and refused.value.error_code == 'APIG.2011'
    assert 'parameterName:%s.' % parameter in refused.value.error_msg


def test_a_type_the_instance_does_not_support(emulator):
    seed(emulator, sign_types=('hmac',))
    with pytest.raises(exceptions.ClientRequestException) as refused:
        create(sdk_client(emulator), name='ok_name', sign_type='public_key')
    assert refused.value.status_code == 412 and refused.value.error_code == 'APIG.3548'


# Audit against the API reference (tests/emulator/README.md) ------------------------------
def refused(call):
    with pytest.raises(exceptions.ClientRequestException) as caught:
        call()
    return caught.value.status_code, caught.value.error_code, caught.value.error_msg


def test_the_reference_error_codes(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    created = create(client, name='sign_demo')
    assert refused(lambda: create(client, name='sign_demo')) == (
        400, 'APIG.3207', 'The signature key name already exists')
    assert refused(lambda: client.associate_signature_key_v2(AssociateSignatureKeyV2Request(
        instance_id=INSTANCE, body=SignApiBinding(sign_id=created.id, publish_ids=['0' * 32])))) == (
        404, 'APIG.3015', 'The API publication record does not exist')
    assert refused(lambda: client.disassociate_signature_key_v2(DisassociateSignatureKeyV2Request(
        instance_id=INSTANCE, sign_bindings_id='0' * 32))) == (
        404, 'APIG.3018', 'The signature key binding record does not exist')
    assert refused(lambda: client.list_signature_keys_binded_to_api_v2(ListSignatureKeysBindedToApiV2Request(
        instance_id=INSTANCE, api_id='0' * 32))) == (404, 'APIG.3002', 'API %s does not exist' % ('0' * 32))
    assert refused(lambda: client.list_signature_keys_v2(ListSignatureKeysV2Request(instance_id='0' * 32))) == (
        404, 'APIG.3030', 'The instance does not exist;id:%s' % ('0' * 32))


def test_statuses_and_bodies_of_the_reference(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    created = create(client, name='sign_demo')
    client.list_signature_keys_v2(ListSignatureKeysV2Request(instance_id=INSTANCE))
    bound = client.associate_signature_key_v2(AssociateSignatureKeyV2Request(instance_id=INSTANCE, body=SignApiBinding(
        sign_id=created.id, publish_ids=[api.publish_id for api in client.list_apis_not_bound_with_signature_key_v2(
            ListApisNotBoundWithSignatureKeyV2Request(instance_id=INSTANCE, sign_id=created.id)).apis])))
    client.disassociate_signature_key_v2(DisassociateSignatureKeyV2Request(instance_id=INSTANCE,
                                                                           sign_bindings_id=bound.bindings[0].id))
    client.delete_signature_key_v2(DeleteSignatureKeyV2Request(instance_id=INSTANCE, sign_id=created.id))
    assert [(entry['method'], entry['status']) for entry in emulator.requests()] == [
        ('POST', 201), ('GET', 200), ('GET', 200), ('POST', 201), ('DELETE', 204), ('DELETE', 204)]
    # The reference's example answers carry no request_id in the body; the header does.
    assert 'request_id' not in created.to_json_object() and created.sign_secret.count('*') == 12


def test_signature_keys_bound_to_an_api_filter_by_key_name(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    created = create(client, name='sign_demo')
    client.associate_signature_key_v2(AssociateSignatureKeyV2Request(instance_id=INSTANCE, body=SignApiBinding(
        sign_id=created.id, publish_ids=[api.publish_id for api in client.list_apis_not_bound_with_signature_key_v2(
            ListApisNotBoundWithSignatureKeyV2Request(instance_id=INSTANCE, sign_id=created.id, api_id='api-orders',
                                                      env_id='env-test')).apis])))

    def holders(name):
        return [binding.sign_name for binding in client.list_signature_keys_binded_to_api_v2(
            ListSignatureKeysBindedToApiV2Request(instance_id=INSTANCE, api_id='api-orders', sign_name=name)).bindings]
    assert holders('sign_demo') == ['sign_demo'] and holders('another') == []


def test_an_api_lists_every_publication_joined_unless_filtered_by_environment(emulator):
    seed(emulator)
    client = sdk_client(emulator)
    (orders,) = client.list_apis_v2(ListApisV2Request(instance_id=INSTANCE, name='orders')).apis
    assert orders.run_env_id == 'DEFAULT_ENVIRONMENT_RELEASE_ID|env-test' and orders.run_env_name == 'RELEASE|TEST'
    assert len(orders.publish_id.split('|')) == 2
    (in_test,) = client.list_apis_v2(ListApisV2Request(instance_id=INSTANCE, name='orders', env_id='env-test')).apis
    assert in_test.publish_id == orders.publish_id.split('|')[1] and in_test.run_env_name == 'TEST'


@pytest.mark.parametrize('name', ['offset', 'limit'])
def test_a_paging_parameter_that_is_no_number_is_named(emulator, name):
    seed(emulator)
    status, code, message = refused(lambda: sdk_client(emulator).list_signature_keys_v2(
        ListSignatureKeysV2Request(instance_id=INSTANCE, **{name: 'x'})))
    assert (status, code) == (400, 'APIG.2011') and 'parameterName:%s.' % name in message


def test_another_projects_path_is_the_gateways_403(emulator):
    seed(emulator)
    credentials = BasicCredentials(emulator.options.access_key, emulator.options.secret_key, 'f' * 32)
    client = emulator.huawei_sdk_client(ApigClient, credentials)
    assert refused(lambda: create(client, name='sign_demo'))[:2] == (403, 'APIGW.0302')
