# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official APIG v2 client (huaweicloudsdkapig) against the emulator, unchanged: it is the oracle
for paths, bodies and answers the emulator must accept and give."""

from __future__ import annotations

import pytest
from huaweicloudsdkapig.v2 import (
    ApigClient, AssociateSignatureKeyV2Request, BaseSignature, CreateSignatureKeyV2Request,
    DeleteSignatureKeyV2Request, DisassociateSignatureKeyV2Request, ListApisBindedToSignatureKeyV2Request,
    ListApisNotBoundWithSignatureKeyV2Request, ListSignatureKeysV2Request, SignApiBinding,
    UpdateSignatureKeyV2Request,
)
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
    # The create answer is the one that shows the secret whole; every other masks it.
    assert created.sign_secret == 'secret_demo_1234' and created.sign_key == 'key_demo_1'
    generated = create(client, name='sign_generated')
    assert generated.sign_type == 'hmac' and len(generated.sign_key) == 32 and len(generated.sign_secret) == 32

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
