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
      - Left out, the module generates one when it creates the key (32 random letters and digits, 16 for
        V(aes), from the operating system's cryptographic random source), sends it, and returns it once, in
        RV(generated_secret) of that run; no later run and no answer of the API shows it (the API shows secrets
        masked, even in the answer to the create). Check mode generates none.
      - Left out for a key that exists, its secret is kept, never replaced.
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

- name: A key whose secret the module generates (returned once, in generated_secret)
  certfleet.cloud.apig_signature:
    instance: eddc4d25480b4cd6b512f270a1b8b341
    name: generated_key
  register: created
  no_log: true
'''

RETURN = r'''
signature:
  description:
    - The key as the API shows it after the run, without its secret (as M(certfleet.cloud.apig_signature_info)
      shows it), with its C(bindings). V(null) when absent.
  returned: always
  type: dict
  sample:
    id: 0b0e8f456b8742218af75f945307173c
    name: orders_backend
    sign_type: hmac
    sign_key: orders_backend_key
    sign_secret_matches: true
    bindings:
      - {api: orders, env: RELEASE, api_id: 5f918d104dc84480a75166ba99efff21, env_id: DEFAULT_ENVIRONMENT_RELEASE_ID,
         publish_id: 9b8e3a1c2d4f4b6a8c0e1f2a3b4c5d6e}
  contains:
    sign_secret_matches:
      description:
        - Whether the characters of the secret the service shows (its first and last three) agree with O(sign_secret).
          No character of the secret itself is returned. V(true) proves nothing about the hidden middle.
        - V(null) when the service showed no secret.
      type: bool
      returned: when O(sign_secret) is given
    bindings:
      description: The APIs the key signs, by name and environment.
      type: list
      elements: dict
      returned: when O(bindings) is given, or the key is new
generated_secret:
  description:
    - The secret the module generated and set, on the run that created the key without O(sign_secret); it is
      not shown again by any later run or by the API. Register it with C(no_log) and store it.
    - Also in the result of a run that failed after the key was created with it (a binding that could not be
      made, say) or may have been (the answer to the create was lost), so that it is not lost with the run.
  returned: on the run that created a key without O(sign_secret), outside check mode
  type: str
diff:
  description: "The key (secret as C(<redacted>) or C(<redacted: changed>)) and its bindings as C(api@env)."
  returned: always
  type: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.apig import ARGUMENT_SPEC, manage_signature_key
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudModule


def main():
    module = HuaweiCloudModule('apig', argument_spec=ARGUMENT_SPEC, needs_cryptography=False, supports_check_mode=True)
    module.run(lambda m: manage_signature_key(m.params, m.client, m.check_mode))


if __name__ == '__main__':
    main()
