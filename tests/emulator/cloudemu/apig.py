# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""APIG v2 signature keys of dedicated gateway instances, and their bindings to published APIs.

Paths, query parameters and fields are those of huaweicloudsdkapig's v2 client and models; the
per-type grammar of ``sign_key``/``sign_secret``, the masked secret (``dc0************2b3``, in every
answer, the create answer included: "Creating a Signature Key" answers a create of ``{"name":
"signature_demo"}`` with it), generated keys and secrets of lower-case hex (as the examples show),
the status codes (create and bind 201, delete and unbind 204) and the error codes are those of the API
reference pages (tests/emulator/README.md lists them): APIG.2011 (invalid parameter), 3002 (API
not found), 3015 (publication record not found), 3017 (key not found), 3018 (binding not found), 3030
(instance not found), 3207 (a key of that name exists), 3548 (412, a type the instance does not support)
and 9999. Instances, their environments and published APIs are seeded (``{"apig": {"instances": [...]}}``).

Assumptions the reference leaves open, made here and worth checking against the real service: an update
that leaves out ``sign_key`` or ``sign_secret`` generates a new one, as the reference says of both fields
("generated when left out") without saying whether that holds for an update; one key per API per
environment, so binding an API bound to another key moves it; an aes key without ``sign_algorithm`` is
aes-128-cfb; a list of APIs filtered by ``env_id`` shows that environment's publication only (unfiltered,
the publications are joined with ``|`` as the reference says).
"""

from __future__ import annotations

import re
import secrets
import uuid

from .base import Service, ServiceError
from .huawei import HuaweiService

PROJECT = r'(?P<project_id>[^/]+)'
INSTANCE = r'(?P<instance_id>[^/]+)'
SIGN_TYPES = ('hmac', 'basic', 'public_key', 'aes')
ALGORITHMS = {'aes-128-cfb': 16, 'aes-256-cfb': 32}
NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_]{2,63}$')
# (pattern, minimum, maximum) per type; aes key length follows from the algorithm.
KEY_GRAMMAR = {
    'hmac': (r'^[A-Za-z0-9][A-Za-z0-9_-]*$', 8, 32),
    'basic': (r'^[A-Za-z][A-Za-z0-9_-]*$', 4, 32),
    'public_key': (r'^[A-Za-z0-9+/][A-Za-z0-9_+/=-]*$', 8, 512),
    'aes': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 32),
}
SECRET_GRAMMAR = {
    'hmac': (r'^[A-Za-z0-9][A-Za-z0-9_!@#$%-]*$', 16, 64),
    'basic': (r'^[A-Za-z0-9][A-Za-z0-9_!@#$%-]*$', 8, 64),
    'public_key': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 2048),
    'aes': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 16),
}
MAX_LIMIT = 500


def invalid(field):
    message = 'Invalid parameter value,parameterName:%s. Please refer to the support documentation' % field
    return ServiceError(400, 'APIG.2011', message)


def required_query(request, name):
    value = request.query_value(name)
    if not value:
        raise invalid(name)
    return value


def mask(secret):
    return secret[:3] + '*' * 12 + secret[-3:] if secret else secret


def utc_text(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def generated(length):
    """A key or secret the service makes up: lower-case hex as the reference's examples show
    (``a071a20d460a4f639a636c3d7e3d8163``), starting with a letter so that it is valid for every type."""
    return secrets.choice('abcdef') + secrets.token_hex(length)[:length - 1]


class ApigService(HuaweiService):
    name = 'apig'

    def reset(self):
        self.instances = {}    # id -> {id, name, sign_types, envs {id: name}, apis {id: api}, publish {(api, env): id}}
        self.signs = {}        # id -> record (secret kept whole, shown masked)
        self.bindings = {}     # binding id -> {id, sign_id, publish_id, binding_time}

    def routes(self):
        base = r'/v2/%s/apigw/instances/%s' % (PROJECT, INSTANCE)
        return [
            self.route('GET', base + r'/signs', self.list_signs),
            self.route('POST', base + r'/signs', self.create_sign),
            self.route('PUT', base + r'/signs/(?P<sign_id>[^/]+)', self.update_sign),
            self.route('DELETE', base + r'/signs/(?P<sign_id>[^/]+)', self.delete_sign),
            self.route('POST', base + r'/sign-bindings', self.bind),
            self.route('DELETE', base + r'/sign-bindings/(?P<binding_id>[^/]+)', self.unbind),
            self.route('GET', base + r'/sign-bindings/binded-apis', self.bound_apis),
            self.route('GET', base + r'/sign-bindings/unbinded-apis', self.unbound_apis),
            self.route('GET', base + r'/sign-bindings/binded-signs', self.bound_signs),
            self.route('GET', base + r'/envs', self.list_envs),
            self.route('GET', base + r'/apis', self.list_apis),
        ]

    def bad_request(self, message, request_id):
        return self.error(400, 'APIG.2011', message, request_id)

    def answer(self, status, body, request_id, headers=None):
        # The reference's example answers carry no request_id in the body (the header has it).
        return Service.answer(self, status, body, request_id, headers)

    # Seeding -------------------------------------------------------------------------------------
    def seed(self, data):
        made = []
        for spec in data.get('instances', []):
            instance_id = spec.get('id') or uuid.uuid4().hex
            envs = dict((env.get('id') or uuid.uuid4().hex, env['name']) for env in spec.get('environments', []))
            if 'RELEASE' not in envs.values():
                envs['DEFAULT_ENVIRONMENT_RELEASE_ID'] = 'RELEASE'
            apis, publish = {}, {}
            for api in spec.get('apis', []):
                api_id = api.get('id') or uuid.uuid4().hex
                apis[api_id] = dict(id=api_id, name=api['name'], group_id=api.get('group_id') or 'group-1',
                                    group_name=api.get('group_name') or 'default', req_method=api.get('req_method', 'GET'),
                                    req_uri=api.get('req_uri', '/' + api['name']), type=1, auth_type='APP', remark='')
                for env in api.get('published', []):
                    env_id = env if env in envs else next((key for key, value in envs.items() if value == env), None)
                    if env_id is None:
                        raise ValueError('api %s: no environment %s' % (api['name'], env))
                    publish[(api_id, env_id)] = uuid.uuid4().hex
            self.instances[instance_id] = dict(id=instance_id, name=spec.get('name', instance_id),
                                               sign_types=list(spec.get('sign_types', SIGN_TYPES)), envs=envs,
                                               apis=apis, publish=publish)
            made.append(instance_id)
        return {'instances': made}

    def _instance(self, request):
        instance = self.instances.get(request.match.group('instance_id'))
        if instance is None:
            raise ServiceError(404, 'APIG.3030', 'The instance does not exist;id:%s' % request.match.group('instance_id'))
        return instance

    def _sign(self, instance, sign_id):
        record = self.signs.get(sign_id)
        if record is None or record['_instance'] != instance['id']:
            raise ServiceError(404, 'APIG.3017', 'Signature key %s does not exist' % sign_id)
        return record

    # Signs ---------------------------------------------------------------------------------------
    def _view(self, record, with_bindings=False):
        view = dict((key, value) for key, value in record.items() if not key.startswith('_'))
        view['sign_secret'] = mask(record['sign_secret'])
        if with_bindings:
            view['bind_num'] = sum(1 for binding in self.bindings.values() if binding['sign_id'] == record['id'])
            view['ldapi_bind_num'] = 0
        return view

    @staticmethod
    def _paging(request):
        numbers = {}
        for name, default in (('offset', 0), ('limit', 20)):
            try:
                numbers[name] = int(request.query_value(name, default))
            except ValueError:
                raise invalid(name)
        offset, limit = max(numbers['offset'], 0), numbers['limit']
        limit = 20 if limit <= 0 else min(limit, MAX_LIMIT)
        return offset, limit

    def _page(self, request, items, key):
        offset, limit = self._paging(request)
        page = items[offset:offset + limit]
        return 200, {'size': len(page), 'total': len(items), key: page}

    def list_signs(self, request):
        def action():
            instance = self._instance(request)
            wanted_id, name = request.query_value('id'), request.query_value('name')
            precise = request.query_value('precise_search') == 'name'
            records = [record for record in self.signs.values() if record['_instance'] == instance['id']
                       and wanted_id in (None, record['id'])
                       and (name is None or (record['name'] == name if precise else name in record['name']))]
            return self._page(request, [self._view(record, True) for record in records], 'signs')
        return self.call(request, action)

    def _validated(self, instance, body, record=None):
        if not isinstance(body, dict):
            raise invalid('body')
        name = body.get('name')
        if not isinstance(name, str) or not NAME.match(name):
            raise invalid('name')
        sign_type = body.get('sign_type', record['sign_type'] if record else 'hmac')
        if sign_type not in SIGN_TYPES:
            raise invalid('sign_type')
        if sign_type not in instance['sign_types']:
            raise ServiceError(412, 'APIG.3548', 'sign_type=%s not supported by instance %s' % (sign_type, instance['id']))
        algorithm = body.get('sign_algorithm')
        if algorithm is not None and (sign_type != 'aes' or algorithm not in ALGORITHMS):
            raise invalid('sign_algorithm')
        if sign_type == 'aes' and algorithm is None:
            algorithm = 'aes-128-cfb'
        key_length = ALGORITHMS[algorithm] if sign_type == 'aes' else 32
        sign_key = body.get('sign_key')
        if sign_key is None:
            sign_key = generated(key_length)
        pattern, shortest, longest = KEY_GRAMMAR[sign_type]
        if sign_type == 'aes':
            shortest = longest = ALGORITHMS[algorithm]
        if not isinstance(sign_key, str) or not shortest <= len(sign_key) <= longest or not re.match(pattern, sign_key):
            raise invalid('sign_key')
        sign_secret = body.get('sign_secret')
        if sign_secret is None:
            sign_secret = generated(16 if sign_type == 'aes' else 32)
        pattern, shortest, longest = SECRET_GRAMMAR[sign_type]
        if not isinstance(sign_secret, str) or not shortest <= len(sign_secret) <= longest \
                or not re.match(pattern, sign_secret):
            raise invalid('sign_secret')
        for other in self.signs.values():
            if other['_instance'] == instance['id'] and other['name'] == name and other is not record:
                raise ServiceError(400, 'APIG.3207', 'The signature key name already exists')
        return dict(name=name, sign_type=sign_type, sign_key=sign_key, sign_secret=sign_secret,
                    sign_algorithm=algorithm if sign_type == 'aes' else None)

    def _json(self, request):
        try:
            return request.json()
        except ValueError:
            raise invalid('body')

    def create_sign(self, request):
        def action():
            instance = self._instance(request)
            fields = self._validated(instance, self._json(request))
            now = utc_text(self.emulator.now())
            record = dict(fields, id=uuid.uuid4().hex, create_time=now, update_time=now, _instance=instance['id'])
            self.signs[record['id']] = record
            # Masked like every other answer: a secret the service generated cannot be read, ever.
            return 201, self._view(record)
        return self.call(request, action)

    def update_sign(self, request):
        def action():
            instance = self._instance(request)
            record = self._sign(instance, request.match.group('sign_id'))
            record.update(self._validated(instance, self._json(request), record))
            record['update_time'] = utc_text(self.emulator.now())
            return 200, self._view(record)
        return self.call(request, action)

    def delete_sign(self, request):
        def action():
            instance = self._instance(request)
            record = self._sign(instance, request.match.group('sign_id'))
            del self.signs[record['id']]
            for binding_id in [key for key, value in self.bindings.items() if value['sign_id'] == record['id']]:
                del self.bindings[binding_id]
            return 204, None
        return self.call(request, action)

    # Bindings ------------------------------------------------------------------------------------
    def _published(self, instance):
        """publish id -> (api, env id)."""
        return dict((publish_id, (instance['apis'][api_id], env_id))
                    for (api_id, env_id), publish_id in instance['publish'].items())

    def _binding_view(self, instance, binding, with_secret=False):
        api, env_id = self._published(instance)[binding['publish_id']]
        sign = self.signs[binding['sign_id']]
        view = dict(publish_id=binding['publish_id'], api_id=api['id'], group_name=api['group_name'],
                    binding_time=binding['binding_time'], env_id=env_id, env_name=instance['envs'][env_id],
                    api_type=api['type'], api_name=api['name'], id=binding['id'], api_remark=api['remark'],
                    sign_id=sign['id'], sign_name=sign['name'], req_method=api['req_method'], tags=[])
        if with_secret:
            view.update(sign_key=sign['sign_key'], sign_secret=mask(sign['sign_secret']), sign_type=sign['sign_type'])
        return view

    def bind(self, request):
        def action():
            instance = self._instance(request)
            body = self._json(request) or {}
            sign = self._sign(instance, body.get('sign_id') if isinstance(body.get('sign_id'), str) else '')
            publish_ids = body.get('publish_ids')
            if not isinstance(publish_ids, list) or not publish_ids:
                raise invalid('publish_ids')
            published = self._published(instance)
            for publish_id in publish_ids:
                if publish_id not in published:
                    raise ServiceError(404, 'APIG.3015', 'The API publication record does not exist')
            made = []
            now = utc_text(self.emulator.now())
            for publish_id in publish_ids:
                # One key per API per environment: a binding to another key moves.
                for binding_id, binding in list(self.bindings.items()):
                    if binding['publish_id'] == publish_id:
                        del self.bindings[binding_id]
                binding = dict(id=uuid.uuid4().hex, sign_id=sign['id'], publish_id=publish_id, binding_time=now)
                self.bindings[binding['id']] = binding
                made.append(self._binding_view(instance, binding, with_secret=True))
            return 201, {'bindings': made}
        return self.call(request, action)

    def unbind(self, request):
        def action():
            self._instance(request)
            binding_id = request.match.group('binding_id')
            if binding_id not in self.bindings:
                raise ServiceError(404, 'APIG.3018', 'The signature key binding record does not exist')
            del self.bindings[binding_id]
            return 204, None
        return self.call(request, action)

    @staticmethod
    def _api_filters(request, api, env_id):
        return (request.query_value('env_id') in (None, env_id) and request.query_value('api_id') in (None, api['id'])
                and request.query_value('group_id') in (None, api['group_id'])
                and (request.query_value('api_name') is None or request.query_value('api_name') in api['name']))

    def bound_apis(self, request):
        def action():
            instance = self._instance(request)
            sign_id = required_query(request, 'sign_id')
            self._sign(instance, sign_id)
            published = self._published(instance)
            views = [self._binding_view(instance, binding) for binding in self.bindings.values()
                     if binding['sign_id'] == sign_id
                     and self._api_filters(request, *published[binding['publish_id']])]
            return self._page(request, views, 'bindings')
        return self.call(request, action)

    def unbound_apis(self, request):
        def action():
            instance = self._instance(request)
            sign_id = required_query(request, 'sign_id')
            self._sign(instance, sign_id)
            holders = dict((binding['publish_id'], self.signs[binding['sign_id']]['name'])
                           for binding in self.bindings.values())
            mine = set(binding['publish_id'] for binding in self.bindings.values() if binding['sign_id'] == sign_id)
            apis = []
            for (api_id, env_id), publish_id in sorted(instance['publish'].items()):
                api = instance['apis'][api_id]
                if publish_id in mine or not self._api_filters(request, api, env_id):
                    continue
                apis.append(dict(auth_type=api['auth_type'], run_env_name=instance['envs'][env_id],
                                 group_name=api['group_name'], publish_id=publish_id, group_id=api['group_id'],
                                 name=api['name'], remark=api['remark'], run_env_id=env_id, id=api['id'],
                                 req_uri=api['req_uri'], tags=[], type=api['type'],
                                 signature_name=holders.get(publish_id), req_method=api['req_method']))
            return self._page(request, apis, 'apis')
        return self.call(request, action)

    def bound_signs(self, request):
        def action():
            instance = self._instance(request)
            api_id = required_query(request, 'api_id')
            if api_id not in instance['apis']:
                raise ServiceError(404, 'APIG.3002', 'API %s does not exist' % api_id)
            published = self._published(instance)
            views = [self._binding_view(instance, binding, with_secret=True) for binding in self.bindings.values()
                     if binding['publish_id'] in published and published[binding['publish_id']][0]['id'] == api_id
                     and request.query_value('env_id') in (None, published[binding['publish_id']][1])
                     and request.query_value('sign_id') in (None, binding['sign_id'])
                     and request.query_value('sign_name') in (None, self.signs[binding['sign_id']]['name'])]
            return self._page(request, views, 'bindings')
        return self.call(request, action)

    # Environments and APIs -----------------------------------------------------------------------
    def list_envs(self, request):
        def action():
            instance = self._instance(request)
            name = request.query_value('name')
            envs = [dict(id=env_id, name=env_name, remark='', create_time='2024-01-01T00:00:00Z')
                    for env_id, env_name in sorted(instance['envs'].items()) if name in (None, env_name)]
            return self._page(request, envs, 'envs')
        return self.call(request, action)

    def list_apis(self, request):
        def action():
            instance = self._instance(request)
            env_id, wanted_id, name = request.query_value('env_id'), request.query_value('id'), request.query_value('name')
            precise = request.query_value('precise_search') == 'name'
            apis = []
            for api in instance['apis'].values():
                if wanted_id not in (None, api['id']) or (name is not None and (
                        api['name'] != name if precise else name not in api['name'])):
                    continue
                view = dict(api)
                if env_id is not None:
                    publish_id = instance['publish'].get((api['id'], env_id))
                    if publish_id is None:
                        continue
                    view.update(run_env_id=env_id, run_env_name=instance['envs'][env_id], publish_id=publish_id)
                else:
                    # Every publication of the API, joined with "|" as the reference describes these fields.
                    records = sorted((env, publish_id) for (api_id, env), publish_id in instance['publish'].items()
                                     if api_id == api['id'])
                    if records:
                        view.update(run_env_id='|'.join(env for env, dummy in records),
                                    run_env_name='|'.join(instance['envs'][env] for env, dummy in records),
                                    publish_id='|'.join(publish_id for dummy, publish_id in records))
                apis.append(view)
            return self._page(request, apis, 'apis')
        return self.call(request, action)
