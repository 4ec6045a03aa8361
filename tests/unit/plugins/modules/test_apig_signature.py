# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""apig_signature's rules: what the masked secret can prove, what an update sends, and the binding set."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from ansible_collections.certfleet.cloud.plugins.module_utils.apig import (
    ARGUMENT_SPEC, Bindings, SignatureKey, secret_may_be, visible_parts,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults

CURRENT = dict(id='k1', name='orders_backend', sign_type='hmac', sign_key='orders_backend_key',
               sign_secret='dc0************2b3', sign_algorithm=None)


def test_the_seeds_mask_shows_three_characters_each_side():
    assert visible_parts('dc0************2b3') == ('dc0', '2b3')
    assert visible_parts('unmasked') is None


@pytest.mark.parametrize('secret, possible', [
    ('dc0_anything_in_between_2b3', True),    # the mask cannot tell these apart
    ('dc0000000000002b3', True),
    ('xc0_anything_2b3', False),               # first characters differ: drifted
    ('dc0_anything_2b4', False),               # last characters differ: drifted
    ('dc02b3', True),
    ('dc2b3', False),                          # too short to show both parts
])
def test_what_the_mask_can_prove(secret, possible):
    assert secret_may_be('dc0************2b3', secret) is possible


@given(st.text(alphabet='abcdefghijklmnopqrstuvwxyz0123456789_-!@#$%', min_size=6, max_size=64))
def test_a_secret_always_may_be_its_own_mask(secret):
    assert secret_may_be(secret[:3] + '*' * 12 + secret[-3:], secret)


def update_payload(current, **params):
    """What an update of ``current`` sends for these options (validated first, as reconcile does)."""
    base = dict(instance='i1', name='orders_backend', sign_key='orders_backend_key')
    base.update(params)
    manager = SignatureKey(with_defaults(ARGUMENT_SPEC, base), None, check_mode=False)
    return manager.update_payload(current, manager.validate())


def test_a_secret_with_the_same_visible_characters_is_left_under_on_create():
    assert update_payload(CURRENT, sign_secret='dc0_other_middle_2b3') == {}


def test_always_sends_the_whole_key():
    payload = update_payload(CURRENT, sign_secret='dc0_other_middle_2b3', update_secret='always')
    assert payload == dict(name='orders_backend', sign_type='hmac', sign_key='orders_backend_key',
                           sign_secret='dc0_other_middle_2b3')


def test_a_drifted_secret_is_sent_with_the_current_key_when_none_is_given():
    payload = update_payload(CURRENT, sign_key=None, sign_secret='new_secret_value_0001')
    assert payload['sign_key'] == 'orders_backend_key' and payload['sign_secret'] == 'new_secret_value_0001'


def test_an_update_without_the_secret_is_refused():
    with pytest.raises(InputError) as refused:
        update_payload(CURRENT, sign_key='another_key_1')
    assert refused.value.field == 'sign_secret'


class FakeApi:
    instance_id = 'i1'

    def __init__(self, bound, published, holders=None):
        self.bound, self.published_apis, self.holder_names = bound, published, holders or {}
        self.calls = []

    def bound_apis(self, sign_id):
        self.calls.append('bound')
        return list(self.bound)

    def environments(self):
        self.calls.append('envs')
        return [dict(id='DEFAULT_ENVIRONMENT_RELEASE_ID', name='RELEASE'), dict(id='env-test', name='TEST')]

    def published(self, api, env_id):
        self.calls.append('published')
        return self.published_apis.get((api, env_id))

    def holders(self, api_id, env_id):
        self.calls.append('holders')
        name = self.holder_names.get((api_id, env_id))
        return [dict(sign_name=name)] if name else []

    def bind(self, sign_id, publish_ids):
        self.calls.append(('bind', sorted(publish_ids)))

    def unbind(self, binding_id):
        self.calls.append(('unbind', binding_id))


def bound(api, env, publish_id):
    return dict(publish_id=publish_id, api_name=api, api_id='id-' + api, env_name=env, env_id='env-' + env.lower(),
                id='b-' + publish_id)


def reconcile_bindings(api, bindings, purge=True, check_mode=False):
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='k', bindings=bindings, purge_bindings=purge))
    return Bindings(params, api).reconcile({'id': 'k1'}, check_mode)


def test_bindings_already_in_place_cost_one_read():
    api = FakeApi([bound('orders', 'RELEASE', 'p1'), bound('orders', 'TEST', 'p2')], {})
    result = reconcile_bindings(api, [dict(api='orders', env='RELEASE'), dict(api='id-orders', env='TEST')])
    assert not result['changed'] and api.calls == ['bound']


def test_missing_ones_are_bound_in_one_call_and_the_rest_purged():
    api = FakeApi([bound('orders', 'RELEASE', 'p1'), bound('users', 'RELEASE', 'p3')],
                  {('billing', 'env-test'): dict(id='id-billing', name='billing', publish_id='p9')},
                  holders={('id-billing', 'env-test'): 'other_key'})
    result = reconcile_bindings(api, [dict(api='orders', env='RELEASE'), dict(api='billing', env='TEST')])
    assert result['changed']
    assert result['after'] == ['billing@TEST (taken from other_key)', 'orders@RELEASE']
    assert ('bind', ['p9']) in api.calls and ('unbind', 'b-p3') in api.calls


def test_without_purge_nothing_is_unbound():
    api = FakeApi([bound('users', 'RELEASE', 'p3')],
                  {('orders', 'DEFAULT_ENVIRONMENT_RELEASE_ID'): dict(id='id-orders', name='orders', publish_id='p1')})
    result = reconcile_bindings(api, [dict(api='orders', env='RELEASE')], purge=False)
    assert result['after'] == ['orders@RELEASE', 'users@RELEASE']
    assert not [call for call in api.calls if call[0] == 'unbind']


def test_check_mode_writes_no_binding():
    api = FakeApi([bound('users', 'RELEASE', 'p3')],
                  {('orders', 'DEFAULT_ENVIRONMENT_RELEASE_ID'): dict(id='id-orders', name='orders', publish_id='p1')})
    result = reconcile_bindings(api, [dict(api='orders', env='RELEASE')], check_mode=True)
    assert result['changed'] and result['before'] == ['users@RELEASE'] and result['after'] == ['orders@RELEASE']
    assert [call for call in api.calls if isinstance(call, tuple)] == []


def test_an_api_not_published_there_is_named():
    api = FakeApi([], {})
    with pytest.raises(InputError) as refused:
        reconcile_bindings(api, [dict(api='billing', env='RELEASE')])
    assert refused.value.field == 'bindings[0].api' and 'not published in environment RELEASE' in str(refused.value)


def test_another_aes_algorithm_needs_a_key_of_its_length():
    current = dict(CURRENT, sign_type='aes', sign_algorithm='aes-128-cfb', sign_key='0123456789abcdef')
    with pytest.raises(InputError) as refused:
        update_payload(current, sign_type='aes', sign_algorithm='aes-256-cfb', sign_key=None,
                       sign_secret='dc0_0123456_x2b3')
    assert refused.value.field == 'sign_key'


class FakeKeyApi:
    """No key of that name yet; the create answers ``answer``."""
    resource_name = 'signature'

    def __init__(self, answer):
        self.answer = answer
        self.sent = []

    def find_by_name(self, name, **scope):
        return []

    def create(self, payload, recheck=None):
        self.sent.append(payload)
        return dict(self.answer)


def create_without_secret(answer):
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='generated_key'))
    manager = SignatureKey(params, FakeKeyApi(answer), check_mode=False)
    return manager, reconcile(manager)


def test_a_generated_secret_is_kept_once_and_not_in_the_key_returned():
    manager, result = create_without_secret(dict(id='k9', name='generated_key', sign_type='hmac',
                                                 sign_key='abcdefgh', sign_secret='generated_secret_0123'))
    assert manager.generated_secret == 'generated_secret_0123'
    assert 'sign_secret' not in result['signature'] and 'sign_secret_matches' not in result['signature']
    assert 'warnings' not in result


@pytest.mark.parametrize('check_mode', [True, False])
def test_no_character_of_a_given_secret_is_returned(check_mode):
    """A short secret (basic, 8 characters) would be 6/8 visible in a mask computed from it."""
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='basic_key', sign_type='basic', sign_key='basic_k1',
                                               sign_secret='Q9wErTy5'))
    api = FakeKeyApi(dict(id='k1', name='basic_key', sign_type='basic', sign_key='basic_k1', sign_secret='Q9wErTy5'))
    result = reconcile(SignatureKey(params, api, check_mode=check_mode))
    shown = repr(result['signature'])
    assert 'Q9w' not in shown and 'Ty5' not in shown and 'sign_secret' not in result['signature']
    assert result['signature']['sign_secret_matches'] is True


def test_a_lost_create_answer_is_a_warning_in_the_result():
    manager, result = create_without_secret(dict(id='k9', name='generated_key', sign_type='hmac',
                                                 sign_secret='gen************123'))
    assert manager.generated_secret is None
    assert len(result['warnings']) == 1 and 'the answer to the create of key k9 was lost' in result['warnings'][0]
