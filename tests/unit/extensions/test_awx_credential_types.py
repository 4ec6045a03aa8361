# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX credential types inject exactly what the modules read, and mark every secret secret."""

from __future__ import annotations

import os
import re

import jinja2
import pytest
import yaml

from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import huaweicloud_argument_spec
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import netcenter_argument_spec

TYPES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'extensions', 'awx', 'credential_types')
PROVIDERS = {'huaweicloud.yml': huaweicloud_argument_spec, 'netcenter.yml': netcenter_argument_spec}
# Alternative names the modules also read, for the official SDKs' users; one name per option is injected.
ALIASES = {'CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
           'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_SDK_DOMAIN_ID', 'HUAWEICLOUD_SDK_IAM_ENDPOINT'}
# Read by the modules but not a credential's to give: a profile is a file on the controller (AWX jobs run in a
# fresh execution environment without one), and the metadata service's address is fixed on an ECS.
NOT_CREDENTIALS = {'HW_PROFILE', 'HW_METADATA_ENDPOINT'}
TEMPLATE = re.compile(r'^\{\{ (\w+) \}\}$')


def load(filename):
    with open(os.path.join(TYPES_DIR, filename)) as handle:
        return yaml.safe_load(handle)


def option_by_variable(spec):
    """``{environment variable: (option name, option spec)}`` from the argument spec's env fallbacks."""
    found = {}
    for name, option in spec.items():
        fallback = option.get('fallback')
        if fallback:
            for variable in fallback[1]:
                found[variable] = (name, option)
    return found


@pytest.mark.parametrize('filename', sorted(PROVIDERS))
def test_every_injected_variable_is_read_by_the_modules(filename):
    credential_type = load(filename)
    read = option_by_variable(PROVIDERS[filename]())
    injected = credential_type['injectors']['env']
    assert set(injected) <= set(read), 'not read by any module: %s' % sorted(set(injected) - set(read))
    # And nothing the modules read is missing from the credential type.
    assert set(read) - ALIASES - NOT_CREDENTIALS == set(injected)


@pytest.mark.parametrize('filename', sorted(PROVIDERS))
def test_each_variable_carries_the_field_of_its_option(filename):
    credential_type = load(filename)
    read = option_by_variable(PROVIDERS[filename]())
    fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
    for variable, template in credential_type['injectors']['env'].items():
        field_id = TEMPLATE.match(template).group(1)
        assert field_id in fields
        assert field_id == read[variable][0], '%s carries %s into option %s' % (variable, field_id, read[variable][0])


@pytest.mark.parametrize('filename', sorted(PROVIDERS))
def test_every_secret_is_marked_secret(filename):
    credential_type = load(filename)
    read = option_by_variable(PROVIDERS[filename]())
    fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
    for variable, (option_name, option) in read.items():
        if variable in ALIASES | NOT_CREDENTIALS:
            continue
        assert bool(fields[option_name].get('secret')) == bool(option.get('no_log')), option_name
    assert set(credential_type['inputs'].get('required', [])) <= set(fields)


def test_rendered_as_awx_does_it_gives_the_modules_their_options():
    credential_type = load('huaweicloud.yml')
    inputs = dict(access_key='AK', secret_key='SK', region='cn-north-4')
    # AWX renders every injector, with an empty string for an input left out.
    environment = dict((variable, jinja2.Template(template).render(**inputs))
                       for variable, template in credential_type['injectors']['env'].items())
    assert environment['HW_SECRET_KEY'] == 'SK' and environment['HW_REGION_NAME'] == 'cn-north-4'
    assert environment['HW_ENDPOINT'] == '' and environment['HW_PROJECT_ID'] == ''
