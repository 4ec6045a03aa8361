# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Render a credential type's injectors the way AWX does, as an ansible-runner ``env/envvars`` file.

Usage: awx_env.py CREDENTIAL_TYPE.yml OUT.yml field=value ...  (fields left out render as "").
"""

from __future__ import annotations

import sys

import jinja2
import yaml


def main(argv):
    with open(argv[1]) as handle:
        credential_type = yaml.safe_load(handle)
    inputs = dict(item.split('=', 1) for item in argv[3:])
    known = set(field['id'] for field in credential_type['inputs']['fields'])
    unknown = set(inputs) - known
    if unknown:
        raise SystemExit('not fields of the credential type: %s' % sorted(unknown))
    missing = set(credential_type['inputs'].get('required', [])) - set(inputs)
    if missing:
        raise SystemExit('required fields missing: %s' % sorted(missing))
    environment = dict((name, jinja2.Template(template).render(**inputs))
                       for name, template in credential_type['injectors']['env'].items())
    with open(argv[2], 'w') as handle:
        yaml.safe_dump(environment, handle)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
