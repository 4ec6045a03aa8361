# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The certificate of Wangsu / ChinaNetCenter accelerated domains: which certificate each domain serves.

Used by netcenter_domain_certificate and netcenter_domain_certificate_info. The domain API (fields as
wangsu-sdk-python's ``GetBasicConfigurationOfDomainResponse`` and ``EditDomainConfigRequest`` name
them) shows a domain's SSL settings (``use-ssl``, ``ssl-certificate-id``) in its query, and takes them
in "edit domain" (``PUT /api/domain/{domain}``, only the ``ssl`` object is sent). The domain list shows
no SSL setting; the certificate list (``related-domains``) shows which domains use each certificate,
which is what the API checks before it deletes one.

For other callers (the ``replace`` strategy of certificate_deploy), three functions over a
``NetcenterDomainApi``, each safe to call from several threads with one API object per thread:

``domains_using(domain_api, certificate_id) -> [str]``
    Names of the accelerated domains that use the certificate, as the certificate list reports them
    (one request). An unknown certificate uses none.

``domain_usage(domain_api) -> {certificate_id: [str]}``
    The same for every certificate of the account that a domain uses (one request).

``switch_certificate(domain_api, domain, old_id, new_id, check_mode=False, new_dns_names=None) -> dict``
    Moves ``domain`` from certificate ``old_id`` to ``new_id`` (IDs as strings; ``old_id`` None: from
    whatever it uses, or none). One query, and one edit unless the domain already uses ``new_id`` (a
    rerun after a partial rotation changes nothing: idempotent). Returns ``changed``, ``before`` and
    ``after`` (``{use_ssl, certificate_id}`` each). Raises ``InputError('domain', ...)`` when the domain
    does not exist or uses a third certificate (someone else moved it: nothing is sent), and, when
    ``new_dns_names`` is given, when those names do not cover the domain (nothing is sent; otherwise the
    API's own refusal, 36542024, comes back as an ``ApiError``). ``check_mode`` sends no edit and
    returns what would change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_certificates import (
    NetcenterCertificateApi, UNCOVERED_DOMAINS_CODE, reported_summary,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi, ResourceManager
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import name_covers

DOMAIN_COLLECTION = '/api/domain'
# What "no such domain" looks like: the domain pages document no code, so any 404 counts.
NOT_FOUND_STATUS = 404
# An accelerated domain name: DNS labels, optionally a one-label wildcard (Wangsu accelerates "*.example.com").
DOMAIN_NAME = re.compile(r'^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$')
MAX_DOMAIN_CHARS = 253


def domain_path(domain):
    return '%s/%s' % (DOMAIN_COLLECTION, quote(str(domain), safe=''))


def _flag(value):
    """The API's ``"true"``/``"false"`` strings (and booleans, which some answers use) as a bool."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == 'true' if value is not None else False


def normalize_domain(body):
    """A domain query answer in snake case: its identity and SSL settings (nothing of origins or caching)."""
    ssl = body.get('ssl') if isinstance(body.get('ssl'), dict) else {}
    use_ssl = _flag(ssl.get('use-ssl'))
    certificate_id = ssl.get('ssl-certificate-id')
    return dict(
        domain_name=body.get('domain-name'),
        domain_id=str(body.get('domain-id')) if body.get('domain-id') is not None else None,
        service_type=body.get('service-type'),
        cname=body.get('cname'),
        status=body.get('status'),
        enabled=_flag(body.get('enabled')) if body.get('enabled') is not None else None,
        use_ssl=use_ssl,
        use_for_sni=_flag(ssl.get('use-for-sni')) if ssl.get('use-for-sni') is not None else None,
        # A certificate ID left over while SSL is off serves nothing: the domain uses no certificate.
        certificate_id=str(certificate_id) if use_ssl and certificate_id not in (None, '') else None,
    )


def normalize_listed_domain(item):
    return dict(domain_name=item.get('domain-name'),
                domain_id=str(item.get('domain-id')) if item.get('domain-id') is not None else None,
                service_type=item.get('service-type'), cname=item.get('cname'), status=item.get('status'),
                enabled=_flag(item.get('enabled')) if item.get('enabled') is not None else None)


def ssl_payload(certificate_id):
    """The edit body that makes a domain serve ``certificate_id`` (None: SSL off, no certificate)."""
    if certificate_id is None:
        return {'ssl': {'use-ssl': 'false'}}
    # The model types the ID as an integer; SNI is the only kind the API accepts ("shared: not supported").
    return {'ssl': {'use-ssl': 'true', 'use-for-sni': 'true', 'ssl-certificate-id': int(certificate_id)}}


class NetcenterDomainApi(ResourceApi):
    """The accelerated domains of the account, as far as their certificate goes."""

    resource_name = 'domain'

    def __init__(self, client, certificate_api=None):
        super(NetcenterDomainApi, self).__init__(client)
        self.certificate_api = certificate_api or NetcenterCertificateApi(client)

    def list(self):
        """Every accelerated domain of the account (one call): names and IDs, no SSL settings."""
        body = self.client.request('GET', DOMAIN_COLLECTION)
        items = body.get('domain-list') or []
        return [normalize_listed_domain(item) for item in items if isinstance(item, dict)]

    def get(self, resource_id):
        """The domain (``resource_id``: its name or ID) with its SSL settings; None when the account has no such
        domain."""
        body = self.read(domain_path(resource_id))
        return normalize_domain(body) if body is not None else None

    def update_ssl(self, domain, certificate_id):
        """Make ``domain`` serve ``certificate_id`` (None: turn SSL off); only the ``ssl`` object is sent."""
        self.client.request('PUT', domain_path(domain), body=ssl_payload(certificate_id))

    def certificates(self):
        """The certificate list (see ``NetcenterCertificateApi.list``): IDs, names, DNS names, related domains."""
        return self.certificate_api.list()

    def is_not_found(self, error):
        return error.status == NOT_FOUND_STATUS


# ---------------------------------------------------------------------------------------------
# Functions for other callers (documented at the top of this file)

def domain_usage(domain_api):
    usage = collections.OrderedDict()
    for certificate in domain_api.certificates():
        names = [domain['domain_name'] for domain in certificate.get('related_domains') or [] if domain.get('domain_name')]
        if names:
            usage[certificate['id']] = names
    return usage


def domains_using(domain_api, certificate_id):
    return list(domain_usage(domain_api).get(str(certificate_id), []))


def covers(dns_names, domain):
    """Whether a certificate with ``dns_names`` (SANs, else its CN) is valid for ``domain``, as TLS
    matches names: exact, or a wildcard for exactly one label."""
    return any(name_covers(name, domain) for name in dns_names or () if name)


def ssl_state(domain):
    return dict(use_ssl=bool(domain and domain['use_ssl']), certificate_id=domain['certificate_id'] if domain else None)


def switch_certificate(domain_api, domain, old_id, new_id, check_mode=False, new_dns_names=None):
    new_id = str(new_id)
    old_id = None if old_id is None else str(old_id)
    current = domain_api.get(domain)
    if current is None:
        raise InputError('domain', 'no accelerated domain %s exists in this account' % domain)
    before = ssl_state(current)
    if current['certificate_id'] == new_id:
        return dict(changed=False, before=before, after=before)
    if old_id is not None and current['certificate_id'] not in (None, old_id):
        raise InputError('domain', '%s uses certificate %s, not %s: it was moved by someone else and is left as it is'
                         % (domain, current['certificate_id'], old_id))
    if new_dns_names is not None and not covers(new_dns_names, current['domain_name'] or domain):
        raise InputError('domain', 'certificate %s (%s) does not cover %s' % (new_id, ', '.join(new_dns_names), domain))
    if not check_mode:
        domain_api.update_ssl(current['domain_name'] or domain, new_id)
    return dict(changed=True, before=before, after=dict(use_ssl=True, certificate_id=new_id))


# ---------------------------------------------------------------------------------------------
# The rules of netcenter_domain_certificate

# What validate() settles: the domains (lower case, in order, once each), the certificate reference
# (None with state=absent and no certificate), and the state.
Desired = collections.namedtuple('Desired', ['domains', 'certificate', 'state'])


def check_domain_name(field, name):
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, 'holds an empty domain name')
    name = name.strip().lower().rstrip('.')
    if len(name) > MAX_DOMAIN_CHARS or not DOMAIN_NAME.match(name):
        raise InputError(field, '%r is not a domain name' % name)
    return name


def resolve_certificate(certificates, reference, field='certificate'):
    """The listed certificate whose ID, else whose name, is ``reference``; InputError when none or several."""
    reference = str(reference).strip()
    if not reference:
        raise InputError(field, 'is empty; give the ID or the name of a certificate')
    by_id = [certificate for certificate in certificates if certificate['id'] == reference]
    if by_id:
        return by_id[0]
    by_name = [certificate for certificate in certificates if certificate.get('name') == reference]
    if len(by_name) > 1:
        raise InputError(field, '%d certificates are named %r (ids: %s); give the ID'
                         % (len(by_name), reference, ', '.join(sorted(item['id'] for item in by_name))))
    if not by_name:
        raise InputError(field, 'no certificate has the ID or name %r in this account' % reference)
    return by_name[0]


class NetcenterDomainCertificate(ResourceManager):
    """Which certificate some accelerated domains serve (the options of netcenter_domain_certificate,
    ``ARGUMENT_SPEC``), over a ``NetcenterDomainApi``.

    ``run()`` makes one certificate list call and one query per domain, then one edit per domain that
    must change (none in check mode). Every refusal that can be known before a write (a certificate that
    does not cover a domain, a domain or certificate that does not exist) is raised before the first edit.
    """

    def validate(self):
        params = self.params
        given = params.get('domains') or []
        if not given:
            raise InputError('domains', 'names no domain; give at least one accelerated domain')
        domains = []
        for name in given:
            name = check_domain_name('domains', name)
            if name not in domains:
                domains.append(name)
        certificate = params.get('certificate')
        if certificate is not None and not str(certificate).strip():
            raise InputError('certificate', 'is empty; give the ID or the name of a certificate')
        if params['state'] == 'present' and certificate is None:
            raise InputError('certificate', 'is required with state=present')
        return Desired(tuple(domains), None if certificate is None else str(certificate).strip(), params['state'])

    def run(self, desired=None):
        desired = desired if desired is not None else self.validate()
        certificates = self.api.certificates()
        by_id = dict((certificate['id'], certificate) for certificate in certificates)
        target = None
        if desired.certificate is not None:
            try:
                target = resolve_certificate(certificates, desired.certificate)
            except InputError as error:
                if desired.state == 'present' or 'certificates are named' in error.reason:
                    raise
                # A certificate that does not exist is used by no domain: there is nothing to detach.
                target = dict(id=None, name=desired.certificate, dns_names=[], missing=True)
        if desired.state == 'present':
            uncovered = [domain for domain in desired.domains if not covers(target['dns_names'], domain)]
            if uncovered:
                raise InputError('domains', '%s %s not covered by certificate %s (%s), whose names are %s; the API '
                                            'refuses a certificate that does not cover the domain'
                                 % (', '.join(uncovered), 'is' if len(uncovered) == 1 else 'are', target['id'],
                                    target.get('name'), ', '.join(target['dns_names']) or 'none'))
        current = []
        for domain in desired.domains:
            found = self.api.get(domain)
            if found is None:
                raise InputError('domains', 'no accelerated domain %s exists in this account' % domain)
            current.append(found)
        plan = [(domain, self._wanted(domain, desired, target)) for domain in current]
        changes = [(domain, wanted) for domain, wanted in plan if wanted != domain['certificate_id']]
        if not self.check_mode:
            self._apply(changes)
        changed_names = set(domain['domain_name'] for domain, dummy in changes)
        # Days left on the service's clock, as every module counts them.
        now = getattr(self.api.client, 'service_now', lambda: None)()
        result = {
            'changed': bool(changes),
            'domains': [self._returned(domain, wanted, by_id, domain['domain_name'] in changed_names, now)
                        for domain, wanted in plan],
            'certificate': self._certificate_view(target, now),
            'diff': {'before': dict((domain['domain_name'], self._view(domain['certificate_id'], by_id, now))
                                    for domain in current),
                     'after': dict((domain['domain_name'], self._view(wanted, by_id, now)) for domain, wanted in plan)},
        }
        if self.warnings:
            result['warnings'] = list(self.warnings)
        return result

    @staticmethod
    def _wanted(domain, desired, target):
        """The certificate ID the domain must serve after this run (None: SSL off)."""
        if desired.state == 'present':
            return target['id']
        if target is not None and (target.get('missing') or domain['certificate_id'] != target['id']):
            # Detaching one certificate leaves a domain that serves another one alone.
            return domain['certificate_id']
        return None

    def _apply(self, changes):
        done = []
        for domain, wanted in changes:
            try:
                self.api.update_ssl(domain['domain_name'], wanted)
            except ApiError as error:
                if error.error_code == UNCOVERED_DOMAINS_CODE:
                    error.message = ('the API refuses certificate %s for %s: it does not cover the domain (%s)'
                                     % (wanted, domain['domain_name'], error.message))
                if done:
                    error.message = '%s; already changed in this run: %s' % (error.message, ', '.join(done))
                raise
            done.append(domain['domain_name'])

    @staticmethod
    def _certificate_view(certificate, now=None):
        if certificate is None or certificate.get('missing'):
            return None
        return dict(id=certificate['id'], name=certificate.get('name'), dns_names=list(certificate.get('dns_names') or []),
                    summary=reported_summary(certificate, now=now))

    def _view(self, certificate_id, by_id, now=None):
        """What the diff shows of a domain: whether it serves HTTPS, and which certificate, as a summary."""
        if certificate_id is None:
            return dict(use_ssl=False, certificate_id=None)
        certificate = by_id.get(certificate_id)
        view = dict(use_ssl=True, certificate_id=certificate_id)
        if certificate is not None:
            view['certificate_name'] = certificate.get('name')
            view['certificate'] = reported_summary(certificate, now=now)
        return view

    def _returned(self, domain, certificate_id, by_id, changed, now=None):
        shown = dict(domain, use_ssl=certificate_id is not None, certificate_id=certificate_id, changed=changed)
        if certificate_id is not None and shown.get('use_for_sni') is None:
            shown['use_for_sni'] = True
        elif certificate_id is None:
            shown['use_for_sni'] = False
        view = self._view(certificate_id, by_id, now)
        shown['certificate_name'] = view.get('certificate_name')
        shown['certificate'] = view.get('certificate')
        return shown


def manage_domain_certificates(params, domain_api, check_mode=False):
    """The whole of netcenter_domain_certificate, callable without AnsibleModule."""
    return NetcenterDomainCertificate(params, domain_api, check_mode).run()


ARGUMENT_SPEC = dict(
    domains=dict(type='list', elements='str', required=True, aliases=['domain']),
    certificate=dict(type='str'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
)


# ---------------------------------------------------------------------------------------------
# netcenter_domain_certificate_info

INFO_ARGUMENT_SPEC = dict(
    domains=dict(type='list', elements='str', aliases=['domain']),
    certificate=dict(type='list', elements='str'),
)


def list_domain_certificates(params, domain_api):
    """Domains with the certificate each serves, narrowed to ``domains`` and to those using ``certificate``
    (IDs or names). Without ``domains``: the domain list, then a query per domain; with ``certificate``
    only the domains that the certificate list reports for it are queried."""
    wanted_names = [check_domain_name('domains', name) for name in params.get('domains') or []]
    certificates = domain_api.certificates()
    by_id = dict((certificate['id'], certificate) for certificate in certificates)
    wanted_ids = None
    if params.get('certificate'):
        wanted_ids = set(resolve_certificate(certificates, reference)['id'] for reference in params['certificate'])
        candidates = [domain['domain_name'] for certificate_id in sorted(wanted_ids)
                      for domain in by_id[certificate_id].get('related_domains') or [] if domain.get('domain_name')]
        if wanted_names:
            candidates = [name for name in candidates if name in wanted_names]
    elif wanted_names:
        candidates = wanted_names
    else:
        candidates = [domain['domain_name'] for domain in domain_api.list() if domain.get('domain_name')]
    now = getattr(domain_api.client, 'service_now', lambda: None)()
    shown, seen = [], set()
    for name in candidates:
        if name in seen:
            continue
        seen.add(name)
        domain = domain_api.get(name)
        if domain is None:
            if params.get('domains') and not params.get('certificate'):
                raise InputError('domains', 'no accelerated domain %s exists in this account' % name)
            continue
        if wanted_ids is not None and domain['certificate_id'] not in wanted_ids:
            continue
        certificate = by_id.get(domain['certificate_id']) if domain['certificate_id'] else None
        domain['certificate_name'] = certificate.get('name') if certificate else None
        domain['certificate'] = reported_summary(certificate, now=now) if certificate else None
        shown.append(domain)
    return {'changed': False, 'domains': shown}
