# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud ELB v3 certificates: paths, calls, filters, secret fields, what "not found" looks like.

Used by elb_certificate, elb_certificate_info and certificate_deploy: the API (``ElbCertificateApi``)
and the rules of a certificate (``ElbCertificate``, the manager). Project-scoped; the list is marker-paged
with server-side filters (every filter repeatable).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError, check_length
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi, ResourceManager, same_value
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import CertificateBundle, check_not_gm, leaf_summary

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


MAX_DOMAINS = 100
MAX_DOMAIN_CHARS = 10000
DOMAIN_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
DOMAIN_PATTERN = re.compile(r'^(?:\*\.)?%s(?:\.%s)*$' % (DOMAIN_LABEL, DOMAIN_LABEL))
UPDATABLE_FIELDS = ('name', 'description', 'domain', 'scm_certificate_id', 'source',
                    'protection_status', 'protection_reason')
# "0" is the default enterprise project; any other is the UUID of one (the ELB reference's two forms).
# Set on create only: the update API has no such field.
ENTERPRISE_PROJECT = re.compile(r'^(0|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$')


def check_domains(value):
    if len(value) > MAX_DOMAIN_CHARS:
        raise InputError('domain', 'is %d characters long; at most %d' % (len(value), MAX_DOMAIN_CHARS))
    if value == '':
        return
    domains = value.split(',')
    if len(domains) > MAX_DOMAINS:
        raise InputError('domain', 'lists %d domains; at most %d' % (len(domains), MAX_DOMAINS))
    for domain in domains:
        if not DOMAIN_PATTERN.match(domain):
            raise InputError('domain', '%r is not a domain name: labels of letters, digits and "-" '
                                       '(not first or last, at most 63), separated by ".", with an '
                                       'optional leading "*." for a wildcard; separate domains with ","'
                             % domain)


# What validate() settles: the certificate with its key, and the SM encryption pair (each None when not given).
Desired = collections.namedtuple('Desired', ['leaf', 'enc'])


class ElbCertificate(ResourceManager):
    """An ELB certificate as its options describe it (the options of elb_certificate, ``ARGUMENT_SPEC``)."""

    returns_previous_summary = True
    diff_fields = ('name', 'description', 'type', 'domain', 'certificate', 'private_key', 'enc_certificate',
                   'enc_private_key', 'scm_certificate_id', 'source', 'protection_status',
                   'protection_reason', 'enterprise_project_id')
    pem_fields = ('certificate', 'enc_certificate')
    secret_fields = ElbCertificateApi.secret_fields

    def validate(self):
        params = self.params
        cert_type = params['type']
        for field in ('name', 'description'):
            if params[field] is not None:
                check_length(field, params[field], 255)
        if params['domain'] is not None:
            if cert_type not in (None, 'server'):
                raise InputError('domain', 'only applies to type server, not %s' % cert_type)
            check_domains(params['domain'])
        for field in ('enc_certificate', 'enc_private_key'):
            if params[field] is not None and cert_type != 'server_sm':
                raise InputError(field, 'only applies to type server_sm')
        if params['protection_reason'] and params['protection_status'] == 'nonProtection':
            raise InputError('protection_reason', 'only applies with protection_status consoleProtection')
        epid = params['enterprise_project_id']
        if epid is not None and not ENTERPRISE_PROJECT.match(epid):
            raise InputError('enterprise_project_id', '%r is neither "0" (the default enterprise project) nor an '
                                                      'enterprise project ID (a UUID)' % epid)
        # A CA certificate (type client) may be a bundle of unrelated CAs that clients are checked
        # against; a server certificate is a leaf and its chain, in order.
        limits = dict(CERTIFICATE_RULES, check_order=cert_type != 'client')
        leaf = CertificateBundle.from_params(params, 'certificate', 'private_key',
                                             key_required=cert_type in (None, 'server', 'server_sm'), **limits)
        enc = CertificateBundle.from_params(params, 'enc_certificate', 'enc_private_key',
                                            key_required=cert_type == 'server_sm', **limits)
        if leaf and cert_type in (None, 'server'):
            check_not_gm(leaf, 'ELB (type server; a GM certificate is type server_sm with its encryption pair)')
        return Desired(leaf, enc)

    def secret_is_set(self, resource, field):
        types = TYPES_WITH_KEY if field == 'private_key' else ('server_sm',)
        return resource.get('type') in types

    def name_scope(self):
        return {'type': self.params['type']} if self.params['type'] else {}

    def is_created(self, candidate, payload, desired):
        return (candidate.get('fingerprint') or '').lower() == desired.leaf.leaf.sha1_fingerprint

    def summary(self, resource, desired=None):
        return leaf_summary(resource.get('certificate'))

    def create_payload(self, desired):
        params = self.params
        leaf, enc = desired
        if leaf is None:
            raise InputError('certificate', 'is required to create certificate %r' % params['name'])
        payload = {'type': params['type'] or 'server', 'certificate': leaf.pem}
        if params['name'] is not None:
            payload['name'] = params['name']
        if leaf.key_pem:
            payload['private_key'] = leaf.key_pem
        if enc:
            payload['enc_certificate'] = enc.pem
            payload['enc_private_key'] = enc.key_pem
        for field in UPDATABLE_FIELDS + ('enterprise_project_id',):
            if field != 'name' and params[field] is not None:
                payload[field] = params[field]
        return payload

    def update_payload(self, current, desired):
        params = self.params
        leaf, enc = desired
        if params['type'] and params['type'] != current.get('type'):
            raise InputError('type', 'certificate %s is of type %s; the type cannot be changed'
                             % (current['id'], current.get('type')))
        epid = params['enterprise_project_id']
        if epid is not None and current.get('enterprise_project_id') not in (None, epid):
            raise InputError('enterprise_project_id', 'certificate %s belongs to enterprise project %s; it cannot '
                                                      'be moved' % (current['id'], current['enterprise_project_id']))
        if params['domain'] is not None and current.get('type') != 'server':
            raise InputError('domain', 'only applies to type server, not %s' % current.get('type'))
        payload = {}
        for field in UPDATABLE_FIELDS:
            if params[field] is not None and not same_value(current.get(field), params[field]):
                payload[field] = params[field]
        if leaf and leaf.differs_from(current.get('certificate'), current.get('fingerprint')):
            if leaf.key_pem is None and current.get('type') in TYPES_WITH_KEY:
                raise InputError('private_key', 'is required to replace the certificate of a %s certificate'
                                 % current.get('type'))
            payload['certificate'] = leaf.pem
            if leaf.key_pem:
                payload['private_key'] = leaf.key_pem
        if enc and enc.differs_from(current.get('enc_certificate')):
            payload['enc_certificate'] = enc.pem
            payload['enc_private_key'] = enc.key_pem
        return payload


ARGUMENT_SPEC = dict(
    state=dict(type='str', default='present', choices=['present', 'absent']),
    id=dict(type='str'),
    name=dict(type='str'),
    description=dict(type='str'),
    type=dict(type='str', choices=list(TYPES)),
    certificate=dict(type='str'),
    private_key=dict(type='str', no_log=True),
    domain=dict(type='str'),
    enc_certificate=dict(type='str'),
    enc_private_key=dict(type='str', no_log=True),
    scm_certificate_id=dict(type='str'),
    source=dict(type='str', choices=['scm', '']),
    protection_status=dict(type='str', choices=['nonProtection', 'consoleProtection']),
    protection_reason=dict(type='str'),
    enterprise_project_id=dict(type='str'),
    allow_expired=dict(type='bool', default=False),
)
