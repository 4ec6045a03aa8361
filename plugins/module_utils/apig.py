# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud APIG v2: signature keys of a dedicated gateway instance and their API bindings.

Used by apig_signature and apig_signature_info: the API (``SignatureKeyApi``), the rules of a key
(``SignatureKey``, the manager) and of its bindings (``Bindings``), and ``manage_signature_key``, the
whole of apig_signature. Answers show ``sign_secret`` masked (``dc0************2b3``), the create
answer too: only its first and last characters can be compared, and a secret the service generated
could never be read. So a secret left out is generated here (``generate_secret``), sent in the create
and returned once. A binding ties a key to one API published in one environment (a ``publish_id``);
an API has at most one key per environment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re
import secrets
import string

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import (
    ApiError, CertfleetError, InputError, UncertainWriteError,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import (
    ResourceApi, ResourceManager, reconcile, reconcile_set,
)

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


def publication(api, env_id):
    """``api`` as published in ``env_id``: an API published in several environments lists its
    publications joined with ``|`` (``run_env_id``, ``publish_id``), so the one of ``env_id`` is picked."""
    env_ids = (api.get('run_env_id') or '').split('|')
    publish_ids = (api.get('publish_id') or '').split('|')
    if len(publish_ids) < 2:
        return api
    if len(env_ids) != len(publish_ids) or env_id not in env_ids:
        return None
    index = env_ids.index(env_id)
    names = (api.get('run_env_name') or '').split('|')
    return dict(api, run_env_id=env_id, publish_id=publish_ids[index],
                run_env_name=names[index] if len(names) == len(env_ids) else api.get('run_env_name'))


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
        return publication(found[0], env_id) if len(found) == 1 else None

    def bind(self, sign_id, publish_ids):
        return self.client.request('POST', self.path(BINDINGS_PATH),
                                   body={'sign_id': sign_id, 'publish_ids': list(publish_ids)}).get('bindings') or []

    def unbind(self, binding_id):
        self.client.request('DELETE', self.path(BINDING_PATH, binding_id=binding_id))


NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_]{2,63}$')
AES_KEY_LENGTH = {'aes-128-cfb': 16, 'aes-256-cfb': 32}
# (pattern, shortest, longest, what the pattern means) per type.
KEY_GRAMMAR = {
    'hmac': (r'^[A-Za-z0-9][A-Za-z0-9_-]*$', 8, 32, 'letters, digits, "_" and "-", starting with a letter or digit'),
    'basic': (r'^[A-Za-z][A-Za-z0-9_-]*$', 4, 32, 'letters, digits, "_" and "-", starting with a letter'),
    'public_key': (r'^[A-Za-z0-9+/][A-Za-z0-9_+/=-]*$', 8, 512,
                   'letters, digits and _-+/=, starting with a letter, digit, "+" or "/"'),
    'aes': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 32,
            'letters, digits and _-!@#$%+/=, starting with a letter, digit, "+" or "/"'),
}
SECRET_GRAMMAR = {
    'hmac': (r'^[A-Za-z0-9][A-Za-z0-9_!@#$%-]*$', 16, 64, 'letters, digits and _-!@#$%, starting with a letter or digit'),
    'basic': (r'^[A-Za-z0-9][A-Za-z0-9_!@#$%-]*$', 8, 64, 'letters, digits and _-!@#$%, starting with a letter or digit'),
    'public_key': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 2048,
                   'letters, digits and _-!@#$%+/=, starting with a letter, digit, "+" or "/"'),
    'aes': (r'^[A-Za-z0-9+/][A-Za-z0-9_!@#$%+/=-]*$', 16, 16,
            'letters, digits and _-!@#$%+/=, starting with a letter, digit, "+" or "/"'),
}


# A generated secret: letters and digits, which every type's grammar takes anywhere (and which need no
# quoting in YAML or a shell), as long as the type allows up to 32 (aes: its fixed 16).
GENERATED_SECRET_ALPHABET = string.ascii_letters + string.digits
GENERATED_SECRET_LENGTH = {'hmac': 32, 'basic': 32, 'public_key': 32, 'aes': 16}
# What check mode puts in the create payload in place of a secret it does not generate: the diff shows
# that a secret is set; nothing is sent, and the payload is never shown.
SECRET_TO_GENERATE = '<generated on create>'


def generate_secret(sign_type):
    """A new secret for a key of ``sign_type``, from the operating system's CSPRNG (``secrets``)."""
    return ''.join(secrets.choice(GENERATED_SECRET_ALPHABET) for dummy in range(GENERATED_SECRET_LENGTH[sign_type]))


def check_grammar(field, value, grammar, sign_type, exact=None):
    pattern, shortest, longest, meaning = grammar[sign_type]
    if exact:
        shortest = longest = exact
    if not shortest <= len(value) <= longest:
        raise InputError(field, 'is %d characters; a %s %s is %s characters' % (
            len(value), sign_type, field, shortest if shortest == longest else '%d to %d' % (shortest, longest)))
    if not re.match(pattern, value):
        raise InputError(field, 'a %s %s is %s' % (sign_type, field, meaning))


# What validate() settles for state present: the key as its options give it (None for what is left out).
Desired = collections.namedtuple('Desired', ['name', 'sign_type', 'sign_key', 'sign_secret', 'sign_algorithm'])


class SignatureKey(ResourceManager):
    """A signature key as its options describe it (the options of apig_signature, ``ARGUMENT_SPEC``)."""

    diff_fields = ('name', 'sign_type', 'sign_key', 'sign_algorithm', 'sign_secret')
    secret_fields = ('sign_secret',)

    # The secret this run generated for the key it creates (sign_secret left out); returned once.
    generated_secret = None
    # Whether this run's create was answered (the key exists).
    created = False

    def validate(self):
        params = self.params
        if not params['instance'].strip():
            raise InputError('instance', 'is empty; give the ID of the gateway instance')
        if not NAME.match(params['name']):
            raise InputError('name', '%r is not 3 to 64 letters, digits and "_" starting with a letter' % params['name'])
        if params['state'] == 'absent':
            return None
        sign_type, algorithm = params['sign_type'], params['sign_algorithm']
        if sign_type == 'aes' and algorithm is None:
            raise InputError('sign_algorithm', 'is required with sign_type aes (aes-128-cfb or aes-256-cfb)')
        if sign_type != 'aes' and algorithm is not None:
            raise InputError('sign_algorithm', 'is only for sign_type aes, not %s' % sign_type)
        if params['sign_key'] is not None:
            check_grammar('sign_key', params['sign_key'], KEY_GRAMMAR, sign_type,
                          exact=AES_KEY_LENGTH.get(algorithm) if sign_type == 'aes' else None)
        if params['sign_secret'] is not None:
            check_grammar('sign_secret', params['sign_secret'], SECRET_GRAMMAR, sign_type)
        for index, binding in enumerate(params['bindings'] or []):
            for field in ('api', 'env'):
                if not (binding[field] or '').strip():
                    raise InputError('bindings[%d].%s' % (index, field), 'is empty')
        return Desired(params['name'], sign_type, params['sign_key'], params['sign_secret'], algorithm)

    def find(self, desired):
        return self.find_by_name(self.params['name'])

    def create_payload(self, desired):
        payload = dict(name=desired.name, sign_type=desired.sign_type)
        for field in ('sign_key', 'sign_algorithm'):
            if getattr(desired, field) is not None:
                payload[field] = getattr(desired, field)
        if desired.sign_secret is not None:
            payload['sign_secret'] = desired.sign_secret
        elif self.check_mode:
            payload['sign_secret'] = SECRET_TO_GENERATE
        else:
            # The service would generate one too, but show it masked even in the create answer.
            payload['sign_secret'] = self.generated_secret = generate_secret(desired.sign_type)
        return payload

    def update_payload(self, current, desired):
        changed = [field for field in ('sign_type', 'sign_algorithm') if getattr(desired, field) != current.get(field)
                   and not (getattr(desired, field) is None and not current.get(field))]
        if desired.sign_key is not None and desired.sign_key != current.get('sign_key'):
            changed.append('sign_key')
        secret = desired.sign_secret
        if secret is not None and (self.params['update_secret'] == 'always'
                                   or not secret_may_be(current.get('sign_secret'), secret)):
            changed.append('sign_secret')
        if not changed:
            return {}
        if 'sign_algorithm' in changed and desired.sign_key is None:
            raise InputError('sign_key', 'is required to change sign_algorithm of key %s: an AES key length follows '
                                         'from the algorithm' % current['id'])
        if secret is None:
            raise InputError('sign_secret', 'is required to change %s of key %s: the service would generate a new '
                                            'secret and show it only masked' % (', '.join(changed), current['id']))
        # The whole key: the service generates anything left out.
        payload = dict(name=desired.name, sign_type=desired.sign_type, sign_secret=secret,
                       sign_key=desired.sign_key if desired.sign_key is not None else current.get('sign_key'))
        if desired.sign_algorithm:
            payload['sign_algorithm'] = desired.sign_algorithm
        return payload

    def is_created(self, candidate, payload, desired):
        # The masked secret tells this run's key from one another run made under the same name.
        return (candidate.get('sign_type') == payload.get('sign_type')
                and (not candidate.get('sign_secret') or secret_may_be(candidate['sign_secret'], payload['sign_secret'])))

    def secret_is_set(self, resource, field):
        return bool(resource.get('id'))

    def create(self, payload, desired):
        created = super(SignatureKey, self).create(payload, desired)
        self.created = True
        return created

    def returned(self, resource, desired=None):
        """The key without its secret, as apig_signature_info shows it: no character of a secret is returned,
        only whether the characters the service shows agree with ``sign_secret`` (``sign_secret_matches``)."""
        shown = super(SignatureKey, self).returned(resource, desired)
        if shown is not None and desired is not None and desired.sign_secret is not None:
            shown['sign_secret_matches'] = (secret_may_be(resource['sign_secret'], desired.sign_secret)
                                            if resource.get('sign_secret') else None)
        return shown


class Bindings:
    """The key's bindings against the ``bindings`` option: what is bound, what to bind (and from whom), what to unbind."""

    def __init__(self, params, api):
        self.params = params
        self.api = api
        self._environments = None

    def environment_id(self, env, index):
        if self._environments is None:
            self._environments = self.api.environments()
        found = [item for item in self._environments if env in (item.get('id'), item.get('name'))]
        if not found:
            raise InputError('bindings[%d].env' % index, 'no environment %r in instance %s' % (env, self.api.instance_id))
        return found[0]

    def resolve(self, binding, index):
        """The publication ``{publish_id, api, env, ..., taken_from}`` a desired binding names."""
        env = self.environment_id(binding['env'], index)
        published = self.api.published(binding['api'], env['id'])
        if published is None:
            raise InputError('bindings[%d].api' % index, 'API %r is not published in environment %s'
                             % (binding['api'], env['name']))
        holders = self.api.holders(published['id'], env['id'])
        return dict(publish_id=published['publish_id'], api=published['name'], api_id=published['id'],
                    env=env['name'], env_id=env['id'], taken_from=holders[0].get('sign_name') if holders else None)

    def reconcile(self, sign, check_mode, new=False):
        """Bring the bindings of ``sign`` to the ``bindings`` option; a ``new`` key (created on this run, or to be)
        has none."""
        params = self.params
        current = [dict(publish_id=item['publish_id'], api=item['api_name'], api_id=item['api_id'],
                        env=item['env_name'], env_id=item['env_id'], binding_id=item['id'])
                   for item in ([] if new else self.api.bound_apis(sign['id']))]
        desired = []
        for index, binding in enumerate(params['bindings']):
            match = [item for item in current if binding['api'] in (item['api'], item['api_id'])
                     and binding['env'] in (item['env'], item['env_id'])]
            desired.append(match[0] if match else self.resolve(binding, index))
        to_add, to_remove = reconcile_set(current, desired, purge=params['purge_bindings'],
                                          key=lambda item: item['publish_id'])
        if not check_mode:
            if to_add:
                self.api.bind(sign['id'], [item['publish_id'] for item in to_add])
            for item in to_remove:
                self.api.unbind(item['binding_id'])
        removed = set(item['publish_id'] for item in to_remove)
        after = [item for item in current if item['publish_id'] not in removed] + to_add
        return dict(changed=bool(to_add or to_remove), before=labels(current), after=labels(after, to_add),
                    bindings=[dict((key, item[key]) for key in ('api', 'env', 'api_id', 'env_id', 'publish_id'))
                              for item in after])


def labels(bindings, added=()):
    taken = dict((item['publish_id'], item.get('taken_from')) for item in added if item.get('taken_from'))
    return sorted(binding_label(item['api'], item['env'])
                  + (' (taken from %s)' % taken[item['publish_id']] if item['publish_id'] in taken else '')
                  for item in bindings)


def manage_signature_key(params, client, check_mode=False):
    """The whole of apig_signature: the key through ``reconcile``, then its bindings; returns the result.

    ``params`` are the module's options (defaults filled in), ``client`` an APIG client. A secret this
    run generated is in ``generated_secret`` of the result and nowhere else; when the run fails after the
    key was (or may have been) created with it, the result is a failure that still holds it.
    """
    api = SignatureKeyApi(client, params['instance'].strip())
    manager = SignatureKey(params, api, check_mode)
    try:
        result = reconcile(manager, params['state'])
        if params['state'] == 'present' and params['bindings'] is not None:
            bindings = Bindings(params, api).reconcile(result['signature'], check_mode,
                                                       new=not result['diff']['before'])
            result['changed'] = result['changed'] or bindings['changed']
            # reconcile() may hand back one dict as both sides of an unchanged diff.
            result['diff'] = dict(before=dict(result['diff']['before'], bindings=bindings['before']),
                                  after=dict(result['diff']['after'], bindings=bindings['after']))
            result['signature']['bindings'] = bindings['bindings']
    except CertfleetError as error:
        if manager.generated_secret is None:
            raise
        return failed_with_generated_secret(error, manager)
    if manager.generated_secret:
        result['generated_secret'] = manager.generated_secret
    return result


def hide_secret(text, secret):
    """``text`` with every occurrence of ``secret`` masked: a service may quote the request it refuses."""
    return text.replace(secret, '********') if isinstance(text, str) else text


def failed_with_generated_secret(error, manager):
    """The failure of a run that generated a secret: the service's words without the secret; the secret
    itself in ``generated_secret`` when the key was, or may have been, created with it (else it is lost
    with the key that was never made, and the error is raised as it is)."""
    secret = manager.generated_secret
    if isinstance(error, ApiError):
        error.message = hide_secret(error.message, secret)
        error.args = tuple(hide_secret(arg, secret) for arg in error.args)
    if not (manager.created or isinstance(error, UncertainWriteError)):
        raise error
    fields = error.to_fail_kwargs() if isinstance(error, ApiError) else {'msg': str(error)}
    if isinstance(error, InputError):
        fields['field'] = error.field
    state = 'was created' if manager.created else 'may have been created'
    fields['msg'] = ('%s. Key %s %s with the secret this run generated: it is in generated_secret, and no later '
                     'run can show it' % (hide_secret(fields['msg'], secret).rstrip('.'), manager.params['name'], state))
    result = dict(fields, failed=True, changed=True, generated_secret=secret)
    if manager.warnings:
        result['warnings'] = list(manager.warnings)
    return result


ARGUMENT_SPEC = dict(
    instance=dict(type='str', required=True),
    name=dict(type='str', required=True),
    sign_type=dict(type='str', default='hmac', choices=['hmac', 'basic', 'public_key', 'aes']),
    sign_key=dict(type='str', no_log=False),
    sign_secret=dict(type='str', no_log=True),
    sign_algorithm=dict(type='str', choices=['aes-128-cfb', 'aes-256-cfb']),
    update_secret=dict(type='str', default='on_create', choices=['on_create', 'always'], no_log=False),
    bindings=dict(type='list', elements='dict', options=dict(
        api=dict(type='str', required=True),
        env=dict(type='str', default='RELEASE'),
    )),
    purge_bindings=dict(type='bool', default=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
)
