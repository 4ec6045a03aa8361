#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: apig_signature_info
short_description: List the signature keys of a Huawei Cloud APIG gateway
version_added: 0.1.0
description:
  - Lists the signature keys of a dedicated gateway instance, paging through every result, each with the number of
    APIs bound to it and, on request, those APIs.
  - Secrets are never returned, not even masked.
author:
  - certfleet.cloud maintainers (@certfleet)
extends_documentation_fragment:
  - certfleet.cloud.huaweicloud
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  instance:
    description: The ID of the dedicated gateway instance.
    type: str
    required: true
  name:
    description: Only the key of this exact name.
    type: str
  id:
    description: Only the key of this ID.
    type: str
  include_bindings:
    description: Also list each key's bound APIs (one more read per key).
    type: bool
    default: false
seealso:
  - module: certfleet.cloud.apig_signature
'''

EXAMPLES = r'''
- name: Every signature key of a gateway with the APIs it signs
  certfleet.cloud.apig_signature_info:
    region: cn-north-4
    instance: eddc4d25480b4cd6b512f270a1b8b341
    include_bindings: true
  register: keys
'''

RETURN = r'''
signatures:
  description: The matching keys as the API shows them, without C(sign_secret).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0b0e8f456b8742218af75f945307173c
      name: orders_backend
      sign_type: hmac
      sign_key: orders_backend_key
      bind_num: 2
      bindings: [{api: orders, env: RELEASE, api_id: 5f918d104dc84480a75166ba99efff21,
                  env_id: DEFAULT_ENVIRONMENT_RELEASE_ID, publish_id: 9b8e3a1c2d4f4b6a8c0e1f2a3b4c5d6e}]
  contains:
    bind_num:
      description: How many APIs are bound to the key.
      type: int
      returned: always
    bindings:
      description: The APIs bound to the key, by name and environment.
      type: list
      elements: dict
      returned: with O(include_bindings=true)
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.apig import SignatureKeyApi
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def list_signatures(module):
    params = module.params
    api = SignatureKeyApi(module.client, params['instance'])
    signatures = [api.public(item) for item in api.list(name=params['name'], sign_id=params['id'])
                  if params['name'] in (None, item.get('name')) and params['id'] in (None, item.get('id'))]
    if params['include_bindings']:
        for signature in signatures:
            signature['bindings'] = [dict(api=item['api_name'], env=item['env_name'], api_id=item['api_id'],
                                          env_id=item['env_id'], publish_id=item['publish_id'])
                                     for item in api.bound_apis(signature['id'])]
    return {'changed': False, 'signatures': signatures}


ARGUMENT_SPEC = dict(
    instance=dict(type='str', required=True),
    name=dict(type='str'),
    id=dict(type='str'),
    include_bindings=dict(type='bool', default=False),
)


def main():
    module = HuaweiCloudModule('apig', argument_spec=ARGUMENT_SPEC, needs_cryptography=False, supports_check_mode=True)
    module.run(list_signatures)


if __name__ == '__main__':
    main()
