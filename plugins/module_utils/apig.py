# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud APIG v2: signature keys of a dedicated gateway instance and their API bindings.

Used by apig_signature and apig_signature_info. Answers show ``sign_secret`` masked
(``dc0************2b3``): only its first and last characters can be compared. A binding ties a
key to one API published in one environment (a ``publish_id``); an API has at most one key per
environment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi

INSTANCE_PATH = '/v2/{project_id}/apigw/instances/{instance_id}'
SIGNS_PATH = INSTANCE_PATH + '/signs'
SIGN_PATH = INSTANCE_PATH + '/signs/{sign_id}'
BINDINGS_PATH = INSTANCE_PATH + '/sign-bindings'
BINDING_PATH = INSTANCE_PATH + '/sign-bindings/{binding_id}'
BOUND_APIS_PATH = INSTANCE_PATH + '/sign-bindings/binded-apis'
BOUND_SIGNS_PATH = INSTANCE_PATH + '/sign-bindings/binded-signs'
ENVS_PATH = INSTANCE_PATH + '/envs'
APIS_PATH = INSTANCE_PATH + '/apis'
PAGE_LIMIT = 500
API_ID = re.compile(r'^[0-9a-f]{32}$')
MASK = re.compile(r'\*+')


def visible_parts(masked):
    """``(prefix, suffix)`` a masked secret shows; None when it shows the whole secret (no mask)."""
    if not masked or '*' not in masked:
        return None
    first, last = MASK.search(masked).start(), masked.rindex('*') + 1
    return masked[:first], masked[last:]


def secret_may_be(masked, secret):
    """Whether ``secret`` can be the secret behind ``masked``.

    True proves nothing more than the visible characters agree: two secrets with the same first and
    last characters look the same. False proves the secret differs.
    """
    parts = visible_parts(masked)
    if parts is None:
        return masked == secret
    prefix, suffix = parts
    return len(secret) >= len(prefix) + len(suffix) and secret.startswith(prefix) and secret.endswith(suffix)


def binding_label(api_name, env_name):
    return '%s@%s' % (api_name, env_name)


class SignatureKeyApi(ResourceApi):
    """The signature keys of one instance (``instance_id``)."""

    resource_name = 'signature'
    secret_fields = ('sign_secret',)

    def __init__(self, client, instance_id):
        super(SignatureKeyApi, self).__init__(client)
        self.instance_id = instance_id

    def path(self, template, **values):
        return self.client.path(template, instance_id=self.instance_id, **values)

    def pages(self, template, items_key, query):
        """Every item of an offset-paged list of the instance."""
        return list(self.client.list_by_offset(self.path(template), items_key, query, PAGE_LIMIT))

    def list(self, name=None, sign_id=None):
        query = [(key, value) for key, value in (('id', sign_id), ('name', name)) if value]
        if name:
            query.append(('precise_search', 'name'))
        return self.pages(SIGNS_PATH, 'signs', query)

    def find_by_name(self, name, **scope):
        return [item for item in self.list(name=name) if item.get('name') == name]

    def get(self, resource_id):
        found = [item for item in self.list(sign_id=resource_id) if item.get('id') == resource_id]
        return found[0] if found else None

    def create(self, payload, recheck=None):
        return self._clean(self.client.request('POST', self.path(SIGNS_PATH), body=payload, recheck=recheck))

    def update(self, current, payload):
        return self._clean(self.client.request('PUT', self.path(SIGN_PATH, sign_id=current['id']), body=payload))

    def delete(self, current):
        self.client.request('DELETE', self.path(SIGN_PATH, sign_id=current['id']))

    @staticmethod
    def _clean(answer):
        answer.pop('request_id', None)
        return answer

    # Bindings ------------------------------------------------------------------------------------
    def bound_apis(self, sign_id):
        return self.pages(BOUND_APIS_PATH, 'bindings', [('sign_id', sign_id)])

    def holders(self, api_id, env_id):
        """The bindings of an API in an environment (at most one key holds it)."""
        return self.pages(BOUND_SIGNS_PATH, 'bindings', [('api_id', api_id), ('env_id', env_id)])

    def environments(self):
        return self.pages(ENVS_PATH, 'envs', [])

    def published(self, api, env_id):
        """The API ``api`` (ID or name) as published in ``env_id`` (with its ``publish_id``), or None."""
        by = [('id', api)] if API_ID.match(api) else [('name', api), ('precise_search', 'name')]
        query = [('env_id', env_id)] + by
        found = [item for item in self.pages(APIS_PATH, 'apis', query) if api in (item.get('id'), item.get('name'))]
        return found[0] if len(found) == 1 else None

    def bind(self, sign_id, publish_ids):
        return self.client.request('POST', self.path(BINDINGS_PATH),
                                   body={'sign_id': sign_id, 'publish_ids': list(publish_ids)}).get('bindings') or []

    def unbind(self, binding_id):
        self.client.request('DELETE', self.path(BINDING_PATH, binding_id=binding_id))
