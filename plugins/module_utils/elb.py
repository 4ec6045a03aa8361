# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud ELB v3 certificates: paths, calls, filters, secret fields, what "not found" looks like.

Used by elb_certificate and elb_certificate_info. Project-scoped; the list is marker-paged
with server-side filters (every filter repeatable).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi

COLLECTION_PATH = '/v3/{project_id}/elb/certificates'
ITEM_PATH = '/v3/{project_id}/elb/certificates/{certificate_id}'
LIST_FILTERS = ('id', 'name', 'description', 'type', 'domain', 'common_name', 'fingerprint',
                'scm_certificate_id', 'source', 'protection_status', 'enterprise_project_id')
TYPES = ('server', 'client', 'server_sm')
TYPES_WITH_KEY = ('server', 'server_sm')
# What ELB accepts as a certificate bundle and key (x509.CertificateBundle's limits).
CERTIFICATE_RULES = dict(max_certificates=11, max_chars=65536, max_key_chars=8192)


class ElbCertificateApi(ResourceApi):
    resource_name = 'certificate'
    secret_fields = ('private_key', 'enc_private_key')

    def _item(self, certificate_id):
        return self.client.path(ITEM_PATH, certificate_id=certificate_id)

    def list(self, **filters):
        """Every certificate matching ``filters`` (name: value or list of values), all pages."""
        query = [(name, filters[name]) for name in LIST_FILTERS if filters.get(name)]
        return list(self.client.list_by_marker(self.client.path(COLLECTION_PATH), 'certificates', query))

    def get(self, resource_id):
        return self.read(self._item(resource_id), 'certificate')

    def find_by_name(self, name, **scope):
        return self.list(name=name, **scope)

    def create(self, payload, recheck=None):
        return self.client.request('POST', self.client.path(COLLECTION_PATH), body={'certificate': payload},
                                   recheck=self.answering_as('certificate', recheck))['certificate']

    def update(self, current, payload):
        return self.client.request('PUT', self._item(current['id']), body={'certificate': payload})['certificate']

    def delete(self, current):
        self.client.request('DELETE', self._item(current['id']))
