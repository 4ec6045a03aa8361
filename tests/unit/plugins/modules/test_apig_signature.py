# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""apig_signature's rules: what the masked secret can prove, what an update sends, and the binding set."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, strategies as st

from ansible_collections.certfleet.cloud.plugins.module_utils import apig
from ansible_collections.certfleet.cloud.plugins.module_utils.apig import (
    ARGUMENT_SPEC, SECRET_GRAMMAR, Bindings, SignatureKey, check_grammar, secret_may_be, visible_parts,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.modules import apig_signature

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


def masked(secret):
    """A secret as the service shows it (the reference's ``dc0************2b3``)."""
    return secret[:3] + '*' * 12 + secret[-3:]


class FakeKeyApi:
    """``existing`` is the key of that name (None: none yet); a create answers ``answer``, or the payload
    with the secret masked as the service shows it."""
    resource_name = 'signature'

    def __init__(self, answer, existing=None):
        self.answer, self.existing = answer, existing
        self.sent, self.updated = [], []

    def find_by_name(self, name, **scope):
        return [dict(self.existing)] if self.existing else []

    def create(self, payload, recheck=None):
        self.sent.append(payload)
        if self.answer is not None:
            return dict(self.answer)
        return dict(payload, id='k9', sign_secret=masked(payload['sign_secret']))

    def update(self, current, payload):
        self.updated.append(payload)
        return dict(current, **payload)


def create_without_secret(check_mode=False, **options):
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='generated_key', **options))
    api = FakeKeyApi(None)
    manager = SignatureKey(params, api, check_mode=check_mode)
    return manager, reconcile(manager), api


@pytest.mark.parametrize('sign_type, algorithm, length', [
    ('hmac', None, 32), ('basic', None, 32), ('public_key', None, 32), ('aes', 'aes-128-cfb', 16),
    ('aes', 'aes-256-cfb', 16),
])
def test_a_left_out_secret_is_generated_within_the_grammar_sent_and_kept_once(sign_type, algorithm, length):
    manager, result, api = create_without_secret(sign_type=sign_type, sign_algorithm=algorithm)
    secret = manager.generated_secret
    assert len(secret) == length and re.fullmatch('[A-Za-z0-9]+', secret)
    check_grammar('sign_secret', secret, SECRET_GRAMMAR, sign_type)  # raises if the service would refuse it
    assert [payload['sign_secret'] for payload in api.sent] == [secret]
    # Not in the key returned, nor in the diff: only in generated_secret, which manage_signature_key adds.
    assert secret not in repr(result) and 'sign_secret' not in result['signature']
    assert result['diff']['after']['sign_secret'] == '<redacted: changed>'
    assert 'warnings' not in result


def test_generated_secrets_come_from_the_system_csprng(monkeypatch):
    drawn = []

    def choice(alphabet):
        drawn.append(alphabet)
        return alphabet[0]
    monkeypatch.setattr(apig.secrets, 'choice', choice)
    assert apig.generate_secret('hmac') == 'a' * 32 and len(drawn) == 32
    monkeypatch.undo()
    assert len(set(apig.generate_secret('hmac') for dummy in range(50))) == 50


def test_check_mode_generates_no_secret_and_shows_the_same_diff():
    planned, planned_result, planned_api = create_without_secret(check_mode=True)
    real, real_result, dummy = create_without_secret()
    assert planned.generated_secret is None and planned_api.sent == []
    assert planned_result['diff'] == real_result['diff']
    assert apig.SECRET_TO_GENERATE not in repr(planned_result)


def test_a_key_that_exists_keeps_its_secret_when_it_is_left_out():
    api = FakeKeyApi(None, existing=dict(CURRENT))
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='orders_backend'))
    manager = SignatureKey(params, api, check_mode=False)
    result = reconcile(manager)
    assert not result['changed'] and api.sent == [] and api.updated == [] and manager.generated_secret is None
    # A change that the service would answer with a new secret is refused instead of generating one.
    params = with_defaults(ARGUMENT_SPEC, dict(instance='i1', name='orders_backend', sign_key='another_key_1'))
    with pytest.raises(InputError) as refused:
        reconcile(SignatureKey(params, api, check_mode=False))
    assert refused.value.field == 'sign_secret' and api.updated == []


def test_after_a_lost_answer_the_key_is_recognised_by_its_masked_secret():
    manager, dummy, api = create_without_secret()
    payload = api.sent[0]
    mine = dict(id='k9', sign_type='hmac', sign_secret=masked(payload['sign_secret']))
    other = dict(id='k8', sign_type='hmac', sign_secret='zzz************zzz')
    assert manager.is_created(mine, payload, None) and not manager.is_created(other, payload, None)


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


# The module against the emulator -----------------------------------------------------------------
INSTANCE = 'eddc4d25480b4cd6b512f270a1b8b341'


def module_args(emulator, **args):
    return dict(dict(instance=INSTANCE, access_key=emulator.options.access_key, secret_key=emulator.options.secret_key,
                     region='cn-north-4', project_id=emulator.options.project_id, endpoint=emulator.url,
                     max_retries=0, timeout=5), **args)


def seed_gateway(emulator):
    emulator.admin('POST', 'seed', {'apig': {'instances': [{'id': INSTANCE, 'apis': [{'name': 'orders',
                                                                                      'published': ['RELEASE']}]}]}})


def stored_secret(emulator, name):
    """The secret the emulator keeps for key ``name`` (what signs the gateway's requests)."""
    return next(sign['sign_secret'] for sign in emulator.state.services['apig'].signs.values() if sign['name'] == name)


def test_the_module_sets_the_secret_it_generates_and_returns_it_once(emulator, run_module):
    seed_gateway(emulator)
    planned = run_module(apig_signature, module_args(emulator, name='generated_key', _ansible_check_mode=True))
    assert planned['changed'] and 'generated_secret' not in planned
    created = run_module(apig_signature, module_args(emulator, name='generated_key'))
    secret = created['generated_secret']
    assert secret == stored_secret(emulator, 'generated_key') and len(secret) == 32
    assert json.dumps(created).count(secret) == 1
    again = run_module(apig_signature, module_args(emulator, name='generated_key'))
    assert not again['changed'] and 'generated_secret' not in again
    assert stored_secret(emulator, 'generated_key') == secret


def test_a_run_that_fails_after_the_create_still_returns_the_generated_secret(emulator, run_module):
    seed_gateway(emulator)
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/sign-bindings$', 'status': 500, 'count': 5})
    failed = run_module(apig_signature, module_args(emulator, name='bound_key', bindings=[{'api': 'orders'}]))
    assert failed['failed'] and failed['status'] == 500
    assert failed['generated_secret'] == stored_secret(emulator, 'bound_key')
    assert 'Key bound_key was created with the secret this run generated' in failed['msg']


def test_a_lost_create_answer_keeps_the_generated_secret(emulator, run_module):
    seed_gateway(emulator)
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/signs$', 'after': True, 'drop': True})
    created = run_module(apig_signature, module_args(emulator, name='lost_answer_key'))
    assert created['changed'] and created['generated_secret'] == stored_secret(emulator, 'lost_answer_key')
    assert not created.get('warnings')
    assert [entry['method'] for entry in emulator.requests()].count('POST') == 1


def test_a_create_that_may_have_happened_still_returns_the_generated_secret(emulator, run_module):
    seed_gateway(emulator)
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/signs$', 'drop': True})
    failed = run_module(apig_signature, module_args(emulator, name='uncertain_key', timeout=1))
    assert failed['failed'] and 'Key uncertain_key may have been created' in failed['msg']
    assert re.fullmatch('[A-Za-z0-9]{32}', failed['generated_secret'])


def test_a_refusal_that_quotes_the_request_shows_no_generated_secret(emulator, run_module, monkeypatch):
    seed_gateway(emulator)
    known = 'KnownGeneratedSecret0123456789ab'
    monkeypatch.setattr(apig, 'generate_secret', lambda sign_type: known)
    emulator.admin('POST', 'faults', {'method': 'POST', 'path': '/signs$', 'status': 400, 'body': {
        'error_code': 'APIG.2011', 'error_msg': 'Invalid parameter value: %s' % json.dumps({'sign_secret': known})}})
    failed = run_module(apig_signature, module_args(emulator, name='refused_key'))
    assert failed['failed'] and failed['error_code'] == 'APIG.2011' and '********' in failed['msg']
    assert known not in json.dumps(failed) and 'generated_secret' not in failed
