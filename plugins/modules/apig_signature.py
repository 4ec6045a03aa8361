#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: apig_signature
short_description: Manage a signature key of a Huawei Cloud APIG gateway and the APIs bound to it
version_added: 0.1.0
description:
  - Creates, updates and deletes a signature key of a dedicated API Gateway instance (APIG v2), and keeps the
    APIs it signs (its bindings) as listed.
  - The key is found by O(name) in O(instance) (the service's exact-name filter).
  - Every option is checked against the API's grammar before any request; a failure names the option.
  - "The API shows the secret masked (C(dc0************2b3)): only its first and last three characters can be
    compared. When they differ from O(sign_secret), the secret has drifted and is updated. When they agree, the
    secret may still differ in the middle; the module cannot tell, so with O(update_secret=on_create) it leaves
    it, and with O(update_secret=always) it sends it on every run (and reports changed)."
  - An update sends the whole key (name, type, key, algorithm and secret), because the service generates a new
    key or secret for any one left out. Changing a key therefore needs O(sign_secret) (the current key is re-sent
    when O(sign_key) is left out); without it the module fails before the write rather than let the service
    replace the secret unseen.
author:
  - certfleet.cloud maintainers (@certfleet)
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
  - certfleet.cloud.state
options:
  instance:
    description: The ID of the dedicated gateway instance.
    type: str
    required: true
  name:
    description: The key's name; 3 to 64 letters, digits and C(_), starting with a letter.
    type: str
    required: true
  sign_type:
    description:
      - The kind of key. V(basic), V(public_key) and V(aes) need a gateway that supports them; one that does not
        answers HTTP 412, reported as such.
    type: str
    choices: [hmac, basic, public_key, aes]
    default: hmac
  sign_key:
    description:
      - "The key. V(hmac): 8 to 32 letters, digits, C(_) and C(-), starting with a letter or digit. V(basic): 4 to
        32 of those, starting with a letter. V(public_key): 8 to 512 letters, digits and C(_-+/=), starting with a
        letter, digit, C(+) or C(/). V(aes): exactly 16 (aes-128-cfb) or 32 (aes-256-cfb) letters, digits and
        C(_-!@#$%+/=), starting with a letter, digit, C(+) or C(/)."
      - Left out, the service generates one on create and the module keeps it.
    type: str
  sign_secret:
    description:
      - "The secret. V(hmac): 16 to 64 letters, digits and C(_-!@#$%), starting with a letter or digit. V(basic):
        8 to 64 of those. V(public_key): 16 to 2048 letters, digits and C(_-!@#$%+/=), starting with a letter,
        digit, C(+) or C(/). V(aes): exactly 16 of those."
      - Left out, the service generates one on create; it is returned once, in RV(generated_secret) of that run,
        and never again.
    type: str
  sign_algorithm:
    description: The AES algorithm; required with O(sign_type=aes) and only allowed with it.
    type: str
    choices: [aes-128-cfb, aes-256-cfb]
  update_secret:
    description:
      - V(on_create) sends O(sign_secret) on create, and afterwards only when the visible characters of the masked
        secret show it differs.
      - V(always) sends it on every run, and so always reports changed.
    type: str
    choices: [on_create, always]
    default: on_create
  bindings:
    description:
      - The APIs this key signs, each in one environment. Left out, bindings are not touched.
      - Binding an API that another key holds in that environment takes it from that key (an API has one key
        per environment); the diff says so.
    type: list
    elements: dict
    suboptions:
      api:
        description: The API's ID (32 hex digits) or name.
        type: str
        required: true
      env:
        description: The environment's name or ID.
        type: str
        default: RELEASE
  purge_bindings:
    description:
      - With V(true), APIs bound to the key but not in O(bindings) are unbound. With V(false), only missing
        bindings are added.
    type: bool
    default: true
notes:
  - "API calls per run: unchanged, one read of the key (by name) and, with O(bindings), one of its bound APIs.
    A binding to add also reads the environments once and, per API, its publication and its current key."
seealso:
  - module: certfleet.cloud.apig_signature_info
'''

EXAMPLES = r'''
- name: An HMAC key for the orders API in RELEASE and TEST
  certfleet.cloud.apig_signature:
    region: cn-north-4
    instance: eddc4d25480b4cd6b512f270a1b8b341
    name: orders_backend
    sign_key: orders_backend_key
    sign_secret: "{{ vault_orders_backend_secret }}"
    bindings:
      - api: orders
      - api: orders
        env: TEST

- name: A key whose secret the service makes up (shown once)
  certfleet.cloud.apig_signature:
    instance: eddc4d25480b4cd6b512f270a1b8b341
    name: generated_key
  register: created
  no_log: true
'''

RETURN = r'''
signature:
  description:
    - The key as the API shows it after the run (secret masked), with its C(bindings). V(null) when absent.
  returned: always
  type: dict
  sample:
    id: 0b0e8f456b8742218af75f945307173c
    name: orders_backend
    sign_type: hmac
    sign_key: orders_backend_key
    sign_secret: "dc0************2b3"
    bindings:
      - {api: orders, env: RELEASE, api_id: 5f918d104dc84480a75166ba99efff21, env_id: DEFAULT_ENVIRONMENT_RELEASE_ID,
         publish_id: 9b8e3a1c2d4f4b6a8c0e1f2a3b4c5d6e}
  contains:
    sign_secret:
      description: The secret, masked as the API shows it.
      type: str
      returned: when present
    bindings:
      description: The APIs the key signs, by name and environment.
      type: list
      elements: dict
      returned: when O(bindings) is given, or the key is new
generated_secret:
  description:
    - The secret the service generated, on the run that created the key without O(sign_secret); it is not
      shown again by any later run or by the API. Register it with C(no_log) and store it.
  returned: on the run that created a key without O(sign_secret)
  type: str
diff:
  description: "The key (secret as C(<redacted>) or C(<redacted: changed>)) and its bindings as C(api@env)."
  returned: always
  type: dict
'''

import re

from ansible_collections.certfleet.cloud.plugins.module_utils.apig import (
    SignatureKeyApi, binding_label, secret_may_be,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceManager, reconcile, reconcile_set

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


def check_grammar(field, value, grammar, sign_type, exact=None):
    pattern, shortest, longest, meaning = grammar[sign_type]
    if exact:
        shortest = longest = exact
    if not shortest <= len(value) <= longest:
        raise InputError(field, 'is %d characters; a %s %s is %s characters' % (
            len(value), sign_type, field, shortest if shortest == longest else '%d to %d' % (shortest, longest)))
    if not re.match(pattern, value):
        raise InputError(field, 'a %s %s is %s' % (sign_type, field, meaning))


class SignatureKey(ResourceManager):
    diff_fields = ('name', 'sign_type', 'sign_key', 'sign_algorithm', 'sign_secret')
    secret_fields = ('sign_secret',)

    def validate(self):
        params = self.params
        if not params['instance'].strip():
            raise InputError('instance', 'is empty; give the ID of the gateway instance')
        if not NAME.match(params['name']):
            raise InputError('name', '%r is not 3 to 64 letters, digits and "_" starting with a letter' % params['name'])
        if params['state'] == 'absent':
            return
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

    def find(self):
        return self.find_by_name(self.params['name'])

    def create_payload(self):
        params = self.params
        payload = dict(name=params['name'], sign_type=params['sign_type'])
        for field in ('sign_key', 'sign_secret', 'sign_algorithm'):
            if params[field] is not None:
                payload[field] = params[field]
        return payload

    def update_payload(self, current):
        params = self.params
        changed = [field for field in ('sign_type', 'sign_algorithm') if params[field] != current.get(field)
                   and not (params[field] is None and not current.get(field))]
        if params['sign_key'] is not None and params['sign_key'] != current.get('sign_key'):
            changed.append('sign_key')
        secret = params['sign_secret']
        if secret is not None and (params['update_secret'] == 'always'
                                   or not secret_may_be(current.get('sign_secret'), secret)):
            changed.append('sign_secret')
        if not changed:
            return {}
        if 'sign_algorithm' in changed and params['sign_key'] is None:
            raise InputError('sign_key', 'is required to change sign_algorithm of key %s: an AES key length follows '
                                         'from the algorithm' % current['id'])
        if secret is None:
            raise InputError('sign_secret', 'is required to change %s of key %s: the service would generate a new '
                                            'secret and show it only masked' % (', '.join(changed), current['id']))
        # The whole key: the service generates anything left out.
        payload = dict(name=params['name'], sign_type=params['sign_type'], sign_secret=secret,
                       sign_key=params['sign_key'] if params['sign_key'] is not None else current.get('sign_key'))
        if params['sign_algorithm']:
            payload['sign_algorithm'] = params['sign_algorithm']
        return payload

    def is_created(self, candidate, payload):
        return candidate.get('sign_type') == payload.get('sign_type')

    def secret_is_set(self, resource, field):
        return bool(resource.get('id'))

    generated_secret = None

    def create(self, payload):
        created = super(SignatureKey, self).create(payload)
        if 'sign_secret' not in payload:
            # The create answer is the only one that shows a generated secret whole; after a lost answer
            # the key was found again by name, masked.
            secret = created.get('sign_secret') or ''
            if '*' in secret:
                self.module.ansible.warn('the answer to the create of key %s was lost; its generated secret cannot be '
                                         'read back: set sign_secret to replace it' % created.get('id'))
            else:
                self.generated_secret = secret
        return created

    def returned(self, resource):
        shown = super(SignatureKey, self).returned(resource)
        if shown is not None and resource.get('sign_secret'):
            shown['sign_secret'] = mask_like_the_service(resource['sign_secret'])
        return shown


def mask_like_the_service(secret):
    """A secret as every answer but the create answer shows it."""
    return secret if '*' in secret else secret[:3] + '*' * 12 + secret[-3:]


class Bindings:
    """The key's bindings against O(bindings): what is bound, what to bind (and from whom), what to unbind."""

    def __init__(self, module, api):
        self.module = module
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
        """Bring the bindings of ``sign`` to O(bindings); a ``new`` key (created on this run, or to be) has none."""
        params = self.module.params
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


def run(module):
    params = module.params
    api = SignatureKeyApi(module.client, params['instance'].strip())
    manager = SignatureKey(module, api)
    result = reconcile(module, manager, params['state'])
    if manager.generated_secret:
        result['generated_secret'] = manager.generated_secret
    if params['state'] == 'present' and params['bindings'] is not None:
        bindings = Bindings(module, api).reconcile(result['signature'], module.check_mode,
                                                   new=not result['diff']['before'])
        result['changed'] = result['changed'] or bindings['changed']
        # reconcile() may hand back one dict as both sides of an unchanged diff.
        result['diff'] = dict(before=dict(result['diff']['before'], bindings=bindings['before']),
                              after=dict(result['diff']['after'], bindings=bindings['after']))
        result['signature']['bindings'] = bindings['bindings']
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


def main():
    module = HuaweiCloudModule('apig', argument_spec=ARGUMENT_SPEC, needs_cryptography=False, supports_check_mode=True)
    module.run(run)


if __name__ == '__main__':
    main()
