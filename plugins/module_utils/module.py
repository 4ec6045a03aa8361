# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base class: shared options, the client, and uniform failures."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    ApiError, ConfigurationError, REQUESTS_IMPORT_ERROR,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import PemError, CRYPTOGRAPHY_IMPORT_ERROR
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import (
    HuaweiCloudClient, huaweicloud_argument_spec,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import (
    NetcenterClient, netcenter_argument_spec,
)


class InputError(ValueError):
    """An option value that the service would reject; raised before anything is sent."""

    def __init__(self, field, reason):
        super(InputError, self).__init__('%s: %s' % (field, reason))
        self.field = field
        self.reason = reason


def check_length(field, value, maximum):
    if len(value) > maximum:
        raise InputError(field, 'is %d characters long; at most %d are allowed' % (len(value), maximum))


class CertfleetModule:
    """An AnsibleModule with the provider's shared options merged in.

    ``run(main)`` calls ``main(self)`` and turns the project's exceptions into
    ``fail_json`` with the field, or the service's status, code and request id.
    """

    provider_argument_spec = staticmethod(dict)

    def __init__(self, argument_spec, needs_cryptography=True, **kwargs):
        spec = self.provider_argument_spec()
        spec.update(argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        if REQUESTS_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        if needs_cryptography and CRYPTOGRAPHY_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib('cryptography'), exception=CRYPTOGRAPHY_IMPORT_ERROR)
        self._client = None

    def build_client(self):
        raise NotImplementedError

    @property
    def client(self):
        if self._client is None:
            self._client = self.build_client()
        return self._client

    def fail(self, msg, **kwargs):
        self.ansible.fail_json(msg=msg, **kwargs)

    def run(self, main):
        try:
            result = main(self)
        except (InputError, PemError) as exc:
            self.fail(str(exc), field=exc.field)
        except ConfigurationError as exc:
            self.fail(str(exc))
        except ApiError as exc:
            self.ansible.fail_json(**exc.to_fail_kwargs())
        self.ansible.exit_json(**result)


class HuaweiCloudModule(CertfleetModule):
    """Base for modules of one Huawei Cloud service (``service`` names its endpoint)."""

    provider_argument_spec = staticmethod(huaweicloud_argument_spec)

    def __init__(self, service, argument_spec, **kwargs):
        self.service = service
        super(HuaweiCloudModule, self).__init__(argument_spec, **kwargs)

    def build_client(self):
        return HuaweiCloudClient(self.params, self.service)


class NetcenterModule(CertfleetModule):
    """Base for Wangsu / ChinaNetCenter modules."""

    provider_argument_spec = staticmethod(netcenter_argument_spec)

    def build_client(self):
        return NetcenterClient(self.params)
