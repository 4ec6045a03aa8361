# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import (
    REDACTED, REDACTED_CHANGED, ResourceApi, ResourceManager, reconcile, reconcile_set, same_value,
)


class Widget(ResourceManager):
    """A resource with a PEM field, a secret and a plain field; records every write."""

    resource_name = 'widget'
    diff_fields = ('name', 'certificate', 'secret')
    pem_fields = ('certificate',)
    secret_fields = ('secret',)

    def __init__(self, check_mode, current=None, desired=None):
        super().__init__({}, check_mode=check_mode)
        self.current = current
        self.wanted = desired or {}
        self.writes = []

    def validate(self):
        return dict(self.wanted)

    def find(self, desired):
        return self.current

    def create_payload(self, desired):
        return dict(desired)

    def update_payload(self, current, desired):
        return dict((k, v) for k, v in desired.items() if k == 'secret' or current.get(k) != v)

    def create(self, payload, desired):
        self.writes.append(('create', payload))
        return dict(payload, id='new', computed='by-service')

    def update(self, current, payload, desired):
        self.writes.append(('update', payload))
        return dict(current, **payload)

    def delete(self, current):
        self.writes.append(('delete', current['id']))


SECRET = 'TOP-SECRET-VALUE'


def run(check_mode, state, current=None, desired=None):
    widget = Widget(check_mode, current, desired)
    return reconcile(widget, state), widget.writes


def test_absent_and_missing_is_no_change():
    result, writes = run(False, 'absent')
    assert result == {'changed': False, 'widget': None, 'diff': {'before': {}, 'after': {}}} and writes == []


@pytest.mark.parametrize('check_mode', [True, False])
def test_absent_deletes_unless_check_mode(check_mode):
    result, writes = run(check_mode, 'absent', current={'id': 'x', 'name': 'a', 'secret': SECRET})
    assert result['changed'] is True
    assert result['diff'] == {'before': {'name': 'a', 'secret': REDACTED}, 'after': {}}
    assert writes == ([] if check_mode else [('delete', 'x')])


def test_create_reports_the_same_diff_in_check_mode_and_for_real(pki):
    desired = {'name': 'w', 'certificate': pki['www.example.com.pem'], 'secret': SECRET}
    checked, check_writes = run(True, 'present', desired=desired)
    real, real_writes = run(False, 'present', desired=desired)
    assert checked['changed'] is real['changed'] is True
    assert checked['diff'] == real['diff']
    assert check_writes == [] and len(real_writes) == 1
    after = real['diff']['after']
    assert after['secret'] == REDACTED_CHANGED
    assert after['certificate'][0]['subject'] == 'CN=www.example.com'
    assert real['widget'] == {'name': 'w', 'certificate': pki['www.example.com.pem'], 'id': 'new',
                              'computed': 'by-service'}


def test_no_change_returns_the_current_resource_and_same_diff_sides():
    current = {'id': 'x', 'name': 'w'}
    result, writes = run(False, 'present', current=current, desired={'name': 'w'})
    assert result['changed'] is False and writes == []
    assert result['diff']['before'] == result['diff']['after'] == {'name': 'w'}
    assert result['widget'] == current


def test_update_in_check_mode_sends_nothing_and_predicts():
    result, writes = run(True, 'present', current={'id': 'x', 'name': 'old'}, desired={'name': 'new'})
    assert writes == [] and result['changed'] is True
    assert result['diff'] == {'before': {'name': 'old'}, 'after': {'name': 'new'}}
    assert result['widget'] == {'id': 'x', 'name': 'new'}


def test_secrets_never_reach_the_result(pki):
    for check_mode in (True, False):
        result, dummy = run(check_mode, 'present', current={'id': 'x', 'name': 'w', 'secret': SECRET},
                            desired={'name': 'w2', 'secret': SECRET})
        serialized = json.dumps(result)
        assert SECRET not in serialized
        assert result['diff']['before']['secret'] == REDACTED


def test_pem_never_reaches_the_diff(pki):
    pem = pki['www.example.com.pem']
    result, dummy = run(False, 'present', desired={'certificate': pem})
    body_line = pem.splitlines()[1]
    assert body_line not in json.dumps(result['diff'])


def test_unparsable_stored_pem_is_flagged_not_shown():
    result, dummy = run(False, 'present', current={'id': 'x', 'certificate': 'garbage'}, desired={})
    assert result['diff']['before'] == {'certificate': {'unparsable': True}}


@pytest.mark.parametrize('current, desired, same', [
    (None, '', True), ('', None, True), ([], None, True), ('a', 'a', True), ('a', 'b', False), (None, 'b', False),
])
def test_same_value_treats_empty_and_missing_alike(current, desired, same):
    assert same_value(current, desired) is same


# reconcile_set: purge_tags semantics ------------------------------------------------------------------

@pytest.mark.parametrize('current, desired, purge, to_add, to_remove', [
    (['a', 'b'], None, True, [], []),
    (['a', 'b'], ['b', 'c'], True, ['c'], ['a']),
    (['a', 'b'], ['b', 'c'], False, ['c'], []),
    (['a'], [], True, [], ['a']),
    ([], ['x', 'x'], True, ['x'], []),
    (['a', 'b'], ['b', 'a'], True, [], []),
])
def test_reconcile_set(current, desired, purge, to_add, to_remove):
    assert reconcile_set(current, desired, purge) == (to_add, to_remove)


def test_reconcile_set_compares_by_key():
    current = [{'api': 'a', 'env': 'RELEASE', 'binding_id': 1}]
    desired = [{'api': 'a', 'env': 'RELEASE'}, {'api': 'b', 'env': 'TEST'}]
    to_add, to_remove = reconcile_set(current, desired, key=lambda item: (item['api'], item['env']))
    assert to_add == [{'api': 'b', 'env': 'TEST'}] and to_remove == []


# The shared lifecycle over a ResourceApi ------------------------------------------------------------

class ListApi(ResourceApi):
    resource_name = 'gadget'

    def __init__(self, items, fail_delete=None):
        super().__init__(client=None)
        self.items = items
        self.fail_delete = fail_delete
        self.deleted = []

    def list(self, **filters):
        return list(self.items)

    def get(self, resource_id):
        return next((item for item in self.items if item['id'] == resource_id), None)

    def delete(self, current):
        if self.fail_delete:
            raise self.fail_delete
        self.deleted.append(current['id'])


def gadget(items, fail_delete=None, **params):
    params.setdefault('state', 'absent')
    return ResourceManager(params, ListApi(items, fail_delete))


def test_delete_of_a_resource_already_gone_is_done():
    manager = gadget([{'id': 'g1', 'name': 'n'}], fail_delete=ApiError('gone', status=404), name='n')
    result = reconcile(manager, 'absent')
    assert result['changed'] is True


def test_delete_errors_other_than_not_found_are_raised():
    manager = gadget([{'id': 'g1', 'name': 'n'}], fail_delete=ApiError('conflict', status=409), name='n')
    with pytest.raises(ApiError):
        reconcile(manager, 'absent')


def test_lookup_by_name_needs_a_name_and_a_unique_match():
    blank = gadget([], name='  ')
    with pytest.raises(InputError) as caught:
        reconcile(blank, 'absent')
    assert caught.value.field == 'name'
    manager = gadget([{'id': 'g2', 'name': 'n'}, {'id': 'g1', 'name': 'n'}], name='n')
    with pytest.raises(InputError) as caught:
        manager.find(None)
    assert str(caught.value) == "name: 2 gadgets are named 'n' (ids: g1, g2); set id to choose one"


def test_lookup_by_id_wins_over_name():
    manager = gadget([{'id': 'g1', 'name': 'a'}, {'id': 'g2', 'name': 'b'}], id='g2', name='a')
    assert manager.find(None)['id'] == 'g2'


def test_validate_runs_before_any_request():
    order = []

    class Checked(ResourceManager):
        def validate(self):
            order.append('validate')
            raise InputError('name', 'bad')

        def find(self, desired):
            order.append('find')

    manager = Checked(dict(name='x'))
    with pytest.raises(InputError):
        reconcile(manager, 'present')
    assert order == ['validate']
