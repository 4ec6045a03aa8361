# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud ELB v3 listeners: their certificate slots, the rules of each, and where a certificate is used.

A listener has three certificate slots: ``default`` (``default_tls_container_ref``, one server
certificate), ``sni`` (``sni_container_refs``, server certificates chosen by the client's SNI) and
``client_ca`` (``client_ca_tls_container_ref``, the CA that client certificates are checked against).
The fields and rules are those of the official SDK's ``UpdateListenerOption`` and ``CreateListenerOption``
(huaweicloudsdkelb v3, the same text as the API reference):

- only HTTPS, TERMINATED_HTTPS (shared load balancers), TLS and QUIC listeners hold certificates, and
  their default certificate cannot be removed; QUIC listeners have no client CA;
- the default and SNI slots take ``server`` (or ``server_sm``) certificates, the client CA slot ``client``;
- at most 50 SNI certificates, each with a ``domain``; no domain on two of them (one ECC and one RSA
  certificate may share one, as the user guide's SNI page allows); at most 200 domains in all; a QUIC
  listener's SNI certificates are RSA.

Used by ``elb_listener_certificates`` (``ListenerCertificates``, a ``ResourceManager`` run by
``state.reconcile``), ``elb_listener_certificates_info`` and ``elb_certificate_info``'s
``include_listeners``. For a rotation by replacement:

- ``listeners_using(listener_api, certificate_id) -> [(listener, slot)]``: every listener slot that holds
  the certificate, slot in ``default``, ``sni``, ``client_ca`` (one listener list; the API has no SNI
  filter, so every listener of the project is read, 2000 a page);
- ``switch_certificate(listener_api, listener, slot, old_id, new_id, check_mode) -> dict``: puts ``new_id``
  where ``old_id`` is in that slot of ``listener`` (a listener as listed or shown, used as is; or its ID,
  then shown first); idempotent (a slot that already holds ``new_id`` and not ``old_id`` is no change, one
  that holds neither raises ``SlotConflictError``: someone else changed it); one PUT that sends only that
  slot (an SNI switch keeps the list's order and never lists a certificate twice); returns ``{'changed',
  'before', 'after', 'listener'}`` (``before``/``after`` the slot's IDs: a string, or a list for ``sni``;
  ``listener`` the service's answer, or the prediction in check mode). The new certificate is not checked
  here (the manager's rules are for whole slots); the service refuses what breaks a rule (400 ``ELB.8902``);
- ``elb_certificate_usage(listener_api) -> {certificate_id: [{'listener_id', 'listener_name', 'slot'}]}``.

Nothing here keeps state between calls but a manager's catalogue of the certificates it read (a manager
serves one call), so one ``ListenerApi`` per thread is all a fleet needs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re

from ansible_collections.certfleet.cloud.plugins.module_utils.elb import ElbCertificateApi
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import CertfleetError, InputError, check_length
from ansible_collections.certfleet.cloud.plugins.module_utils.state import ResourceApi, ResourceManager, is_blank
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import leaf_summary, load_certificates

COLLECTION_PATH = '/v3/{project_id}/elb/listeners'
ITEM_PATH = '/v3/{project_id}/elb/listeners/{listener_id}'
# ListListenersRequest's filters that the modules use (each repeatable; the API has no SNI filter).
LIST_FILTERS = ('id', 'name', 'protocol', 'protocol_port', 'loadbalancer_id', 'default_tls_container_ref',
                'client_ca_tls_container_ref', 'enterprise_project_id')
SLOTS = ('default', 'sni', 'client_ca')
SLOT_FIELDS = {'default': 'default_tls_container_ref', 'sni': 'sni_container_refs',
               'client_ca': 'client_ca_tls_container_ref'}
CERTIFICATE_PROTOCOLS = ('HTTPS', 'TERMINATED_HTTPS', 'TLS', 'QUIC')
CLIENT_CA_PROTOCOLS = ('HTTPS', 'TERMINATED_HTTPS', 'TLS')
SERVER_TYPES = ('server', 'server_sm')
CLIENT_TYPES = ('client',)
SNI_MATCH_ALGOS = ('wildcard', 'longest_suffix')
MAX_SNI = 50
MAX_SNI_DOMAINS = 200
# ELB certificate IDs are 32 lower-case hex digits; anything else given for a certificate is a name.
CERTIFICATE_ID = re.compile(r'^[0-9a-f]{32}$')
# Certificate IDs per list call when looking them up (keeps the query string short).
IDS_PER_CALL = 100
SLOT_OPTIONS = {'default': 'server_certificate', 'sni': 'sni_certificates', 'client_ca': 'client_ca_certificate'}


class ListenerApi(ResourceApi):
    """ELB v3 listeners: list (marker-paged, server-side filters), show, update. Listeners are not created
    or deleted here."""

    resource_name = 'listener'

    def list(self, **filters):
        """Every listener matching ``filters`` (name: value or list of values), all pages."""
        query = []
        for name in LIST_FILTERS:
            value = filters.get(name)
            if value in (None, '', []):
                continue
            for item in value if isinstance(value, (list, tuple)) else [value]:
                query.append((name, item))
        return list(self.client.list_by_marker(self.client.path(COLLECTION_PATH), 'listeners', query))

    def get(self, resource_id):
        return self.read(self.client.path(ITEM_PATH, listener_id=resource_id), 'listener')

    def find_by_name(self, name, **scope):
        return [item for item in self.list(name=name, **scope) if item.get('name') == name]

    def update(self, current, payload):
        return self.client.request('PUT', self.client.path(ITEM_PATH, listener_id=current['id']),
                                   body={'listener': payload})['listener']


def slot_ids(listener, slot):
    """The certificate IDs ``slot`` of ``listener`` holds, as a list (empty when none)."""
    value = (listener or {}).get(SLOT_FIELDS[slot])
    if slot == 'sni':
        return list(value or [])
    return [value] if value else []


def listener_slots(listener):
    """``[(certificate_id, slot)]`` of a listener, the default first."""
    return [(certificate_id, slot) for slot in SLOTS for certificate_id in slot_ids(listener, slot)]


def loadbalancer_ids(listener):
    return [item.get('id') for item in listener.get('loadbalancers') or [] if item.get('id')]


def listeners_using(listener_api, certificate_id):
    """Every ``(listener, slot)`` whose slot holds ``certificate_id`` (one listener list, all pages)."""
    return [(listener, slot) for listener in listener_api.list()
            for used_id, slot in listener_slots(listener) if used_id == certificate_id]


def elb_certificate_usage(listener_api):
    """``{certificate_id: [{listener_id, listener_name, slot}]}`` over every listener (one listener list)."""
    usage = {}
    for listener in listener_api.list():
        for certificate_id, slot in listener_slots(listener):
            usage.setdefault(certificate_id, []).append(
                {'listener_id': listener['id'], 'listener_name': listener.get('name'), 'slot': slot})
    return usage


class SlotConflictError(CertfleetError):
    """The slot holds neither the certificate to replace nor its replacement: someone else changed it."""


def switch_certificate(listener_api, listener, slot, old_id, new_id, check_mode=False):
    """Put ``new_id`` where ``old_id`` is in ``slot`` of ``listener``; see the module's docstring."""
    if slot not in SLOTS:
        raise InputError('slot', 'must be one of %s, not %r' % (', '.join(SLOTS), slot))
    if not isinstance(listener, dict):
        listener_id = listener
        listener = listener_api.get(listener_id)
        if listener is None:
            raise InputError('listener', 'no listener %s exists' % listener_id)
    field = SLOT_FIELDS[slot]
    held = slot_ids(listener, slot)
    if slot == 'sni':
        before = list(held)
        if old_id not in held:
            if new_id in held:
                return {'changed': False, 'before': before, 'after': before, 'listener': listener}
            raise SlotConflictError('listener %s: its SNI certificates (%s) do not include %s'
                                    % (listener['id'], ', '.join(held) or 'none', old_id))
        # In place, so the order users see in the console stays; a replacement already there is not repeated.
        after = []
        for certificate_id in held:
            replacement = new_id if certificate_id == old_id else certificate_id
            if replacement not in after:
                after.append(replacement)
        payload = {field: after}
    else:
        before = held[0] if held else None
        if before == new_id:
            return {'changed': False, 'before': before, 'after': before, 'listener': listener}
        if before != old_id:
            raise SlotConflictError('listener %s: its %s certificate is %s, not %s'
                                    % (listener['id'], slot, before or 'none', old_id))
        after = new_id
        payload = {field: new_id}
    if check_mode:
        answer = dict(listener, **payload)
    else:
        answer = listener_api.update(listener, payload)
    return {'changed': True, 'before': before, 'after': after, 'listener': answer}


def key_kind(certificate_pem):
    """``RSA`` or ``ECC`` for the leaf's key, else ``other`` (SM2, or a PEM that does not parse)."""
    try:
        # Imported here, as x509.py does, so that modules which never compare keys do not pay for it.
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        key = load_certificates(certificate_pem, 'certificate')[0].x509.public_key()
    except (ImportError, InputError, ValueError, TypeError, AttributeError):
        return 'other'
    if isinstance(key, rsa.RSAPublicKey):
        return 'RSA'
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 'ECC'
    return 'other'


def certificate_domains(record):
    return [domain for domain in (record.get('domain') or '').split(',') if domain]


def slot_view(record, certificate_id=None):
    """How a diff and a result show the certificate a slot holds: who it is and what it serves, never PEM."""
    if record is None:
        return {'id': certificate_id, 'missing': True}
    shown = {'id': record['id']}
    for key in ('name', 'type'):
        if record.get(key) is not None:
            shown[key] = record[key]
    if record.get('domain'):
        shown['domain'] = record['domain']
    summary = leaf_summary(record.get('certificate'))
    if isinstance(summary, dict):
        for key in ('serial', 'subject', 'not_after', 'sha256_fingerprint'):
            if summary.get(key) is not None:
                shown[key] = summary[key]
    elif record.get('expire_time'):
        shown['not_after'] = record['expire_time']
    return shown


def fetch_certificates(certificate_api, ids):
    """``{id: record}`` of the certificates with these IDs (``IDS_PER_CALL`` a list call)."""
    ids = sorted(set(certificate_id for certificate_id in ids if certificate_id))
    found = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        for record in certificate_api.list(id=ids[start:start + IDS_PER_CALL]):
            found[record['id']] = record
    return found


def listener_certificates_view(listener, certificates):
    """The slots of ``listener`` with each certificate's ``slot_view`` (``certificates``: id -> record)."""
    view = {'default': None, 'sni': [], 'client_ca': None, 'sni_match_algo': listener.get('sni_match_algo')}
    for certificate_id, slot in listener_slots(listener):
        shown = slot_view(certificates.get(certificate_id), certificate_id)
        if slot == 'sni':
            view['sni'].append(shown)
        else:
            view[slot] = shown
    return view


# What validate() settles: the listener's identity, and each slot's wish as given (None: leave the slot alone).
Desired = collections.namedtuple('Desired', ['default', 'sni', 'client_ca', 'sni_match_algo'])


class ListenerCertificates(ResourceManager):
    """The certificate slots of one listener as ``elb_listener_certificates``' options describe them.

    ``api`` is a ``ListenerApi``; ``certificate_api`` (an ``ElbCertificateApi`` over the same client by
    default) resolves certificate names and reads what the rules and the diff need. A manager serves one call.
    """

    def __init__(self, params, api=None, check_mode=False, certificate_api=None):
        super(ListenerCertificates, self).__init__(params, api, check_mode)
        self.certificate_api = certificate_api or (ElbCertificateApi(api.client) if api is not None else None)
        # Certificates read during this call, by ID: the rules, the diff and the result share them.
        self.catalogue = {}

    # Before any request ---------------------------------------------------------------------------
    def validate(self):
        params = self.params
        if params.get('listener'):
            if params.get('listener_name') or params.get('loadbalancer'):
                raise InputError('listener', 'is the listener ID; give it, or loadbalancer and listener_name, not both')
        elif not (params.get('listener_name') and params.get('loadbalancer')):
            raise InputError('listener', 'is required, or loadbalancer and listener_name to find the listener by name')
        if params.get('listener_name') is not None:
            check_length('listener_name', params['listener_name'], 255, minimum=1)
        default = self._reference('server_certificate', params.get('server_certificate'))
        if params.get('server_certificate') is not None and default is None:
            raise InputError('server_certificate', 'is empty; a listener with certificates keeps its default one')
        sni = None
        if params.get('sni_certificates') is not None:
            sni = tuple(self._reference('sni_certificates', item) for item in params['sni_certificates'])
            if None in sni:
                raise InputError('sni_certificates', 'holds an empty entry; give certificate IDs or names')
            if len(set(sni)) != len(sni):
                raise InputError('sni_certificates', 'lists a certificate twice')
            if len(sni) > MAX_SNI:
                raise InputError('sni_certificates', 'lists %d certificates; a listener takes at most %d' % (len(sni), MAX_SNI))
        client_ca = params.get('client_ca_certificate')
        if client_ca is not None:
            # '' removes the client CA (mutual authentication off).
            client_ca = self._reference('client_ca_certificate', client_ca) or ''
        algo = params.get('sni_match_algo')
        if algo is not None and algo not in SNI_MATCH_ALGOS:
            raise InputError('sni_match_algo', 'must be one of %s, not %r' % (', '.join(SNI_MATCH_ALGOS), algo))
        if default is None and sni is None and client_ca is None and algo is None:
            raise InputError('server_certificate', 'nothing to manage: give server_certificate, sni_certificates, '
                                                   'client_ca_certificate or sni_match_algo')
        return Desired(default, sni, client_ca, algo)

    @staticmethod
    def _reference(field, value):
        if value is None:
            return None
        if not isinstance(value, str):
            raise InputError(field, 'takes certificate IDs or names (strings), not %r' % (value,))
        value = value.strip()
        if value:
            check_length(field, value, 255)
        return value or None

    # Finding the listener ---------------------------------------------------------------------------
    def find(self, desired):
        params = self.params
        if params.get('listener'):
            found = self.api.get(params['listener'])
            if found is None:
                raise InputError('listener', 'no listener %s exists' % params['listener'])
            return found
        matches = self.api.find_by_name(params['listener_name'], loadbalancer_id=params['loadbalancer'])
        if not matches:
            raise InputError('listener_name', 'load balancer %s has no listener named %r'
                             % (params['loadbalancer'], params['listener_name']))
        if len(matches) > 1:
            raise InputError('listener_name', '%d listeners of load balancer %s are named %r (ids: %s); set listener '
                             'to choose one' % (len(matches), params['loadbalancer'], params['listener_name'],
                                                ', '.join(sorted(match['id'] for match in matches))))
        return matches[0]

    # Certificates -----------------------------------------------------------------------------------
    def resolve(self, current, desired):
        """Each given reference as a certificate ID, and every certificate the listener holds in the
        catalogue: at most one list call by name and one by ID, none when they are known already."""
        references = [ref for ref in (desired.default, desired.client_ca) if ref] + list(desired.sni or ())
        names = sorted(set(ref for ref in references if not CERTIFICATE_ID.match(ref)))
        by_name = {}
        if names:
            for record in self.certificate_api.list(name=names):
                self.catalogue[record['id']] = record
                by_name.setdefault(record.get('name'), []).append(record)
        wanted = set(ref for ref in references if CERTIFICATE_ID.match(ref))
        wanted.update(certificate_id for certificate_id, dummy in listener_slots(current))
        self.catalogue.update(fetch_certificates(self.certificate_api, wanted - set(self.catalogue)))
        # A 32-hex value that is no certificate's ID may still be a name.
        unknown = sorted(set(ref for ref in wanted if ref in references and ref not in self.catalogue))
        if unknown:
            for record in self.certificate_api.list(name=unknown):
                self.catalogue[record['id']] = record
                by_name.setdefault(record.get('name'), []).append(record)

        def resolved(field, ref):
            if ref in self.catalogue:
                return ref
            matches = by_name.get(ref, [])
            if not matches:
                raise InputError(field, 'no ELB certificate has the ID or name %r' % ref)
            if len(matches) > 1:
                raise InputError(field, '%d certificates are named %r (ids: %s); give the ID'
                                 % (len(matches), ref, ', '.join(sorted(match['id'] for match in matches))))
            return matches[0]['id']

        return Desired(
            resolved('server_certificate', desired.default) if desired.default else None,
            tuple(resolved('sni_certificates', ref) for ref in desired.sni) if desired.sni is not None else None,
            (resolved('client_ca_certificate', desired.client_ca) if desired.client_ca else desired.client_ca),
            desired.sni_match_algo)

    # The rules of the slots -------------------------------------------------------------------------
    def check_rules(self, listener, wanted):
        """The API's rules for the slots ``wanted`` asks for (IDs resolved); InputError naming the option."""
        protocol = listener.get('protocol')
        if wanted.default is not None or wanted.sni or wanted.client_ca or wanted.sni_match_algo is not None:
            if protocol not in CERTIFICATE_PROTOCOLS:
                field = ('server_certificate' if wanted.default else 'sni_certificates' if wanted.sni else
                         'client_ca_certificate' if wanted.client_ca else 'sni_match_algo')
                raise InputError(field, 'listener %s is %s; only %s listeners hold certificates'
                                 % (listener['id'], protocol, ', '.join(CERTIFICATE_PROTOCOLS)))
        if wanted.default is not None:
            self._check_type('server_certificate', wanted.default, SERVER_TYPES)
        if wanted.client_ca:
            if protocol not in CLIENT_CA_PROTOCOLS:
                raise InputError('client_ca_certificate', 'listener %s is %s, which has no client CA'
                                 % (listener['id'], protocol))
            self._check_type('client_ca_certificate', wanted.client_ca, CLIENT_TYPES)

    def check_sni(self, listener, sni_ids):
        """The rules of the SNI list the listener would hold (``sni_ids``)."""
        field = 'sni_certificates'
        if len(sni_ids) > MAX_SNI:
            raise InputError(field, 'listener %s would hold %d SNI certificates; at most %d'
                             % (listener['id'], len(sni_ids), MAX_SNI))
        holders, total = {}, 0
        for certificate_id in sni_ids:
            record = self._check_type(field, certificate_id, SERVER_TYPES)
            domains = certificate_domains(record)
            if not domains:
                raise InputError(field, 'certificate %s (%s) has no domain; an SNI certificate needs one (set it '
                                        'with elb_certificate domain)' % (certificate_id, record.get('name')))
            kind = key_kind(record.get('certificate'))
            if listener.get('protocol') == 'QUIC' and kind != 'RSA':
                raise InputError(field, 'certificate %s is not RSA; a QUIC listener takes RSA SNI certificates only'
                                 % certificate_id)
            total += len(domains)
            for domain in domains:
                for other_id, other_kind in holders.get(domain.lower(), []):
                    if other_kind == kind or 'other' in (kind, other_kind):
                        raise InputError(field, 'certificates %s and %s both have domain %s; a domain may be on one '
                                                'SNI certificate (or on one ECC and one RSA)'
                                         % (other_id, certificate_id, domain))
                holders.setdefault(domain.lower(), []).append((certificate_id, kind))
        if total > MAX_SNI_DOMAINS:
            raise InputError(field, 'the SNI certificates would have %d domains in all; at most %d'
                             % (total, MAX_SNI_DOMAINS))

    def _check_type(self, field, certificate_id, types):
        record = self.catalogue.get(certificate_id)
        if record is None:
            raise InputError(field, 'no ELB certificate has the ID %s' % certificate_id)
        if record.get('type') not in types:
            raise InputError(field, 'certificate %s (%s) is of type %s; this slot takes type %s'
                             % (certificate_id, record.get('name'), record.get('type'), ' or '.join(types)))
        return record

    # What to send -----------------------------------------------------------------------------------
    def update_payload(self, current, desired):
        wanted = self.resolve(current, desired)
        self.check_rules(current, wanted)
        payload = {}
        if wanted.default is not None and wanted.default != current.get('default_tls_container_ref'):
            payload['default_tls_container_ref'] = wanted.default
        if wanted.sni is not None:
            held = slot_ids(current, 'sni')
            if self.params.get('purge_sni'):
                sni = list(wanted.sni)
            else:
                sni = held + [certificate_id for certificate_id in wanted.sni if certificate_id not in held]
            if set(sni) != set(held):
                self.check_sni(current, sni)
                payload['sni_container_refs'] = sni
        if wanted.client_ca is not None and wanted.client_ca != (current.get('client_ca_tls_container_ref') or ''):
            payload['client_ca_tls_container_ref'] = wanted.client_ca
        if wanted.sni_match_algo is not None and wanted.sni_match_algo != current.get('sni_match_algo'):
            payload['sni_match_algo'] = wanted.sni_match_algo
        return payload

    def predict(self, current, payload, desired):
        predicted = dict(current)
        predicted.update(payload)
        if predicted.get('client_ca_tls_container_ref') == '':
            predicted['client_ca_tls_container_ref'] = None
        return predicted

    # What the result and the diff show --------------------------------------------------------------
    def view(self, resource, sent=None):
        if not resource:
            return {}
        view = listener_certificates_view(resource, self.catalogue)
        view['listener'] = {'id': resource['id'], 'name': resource.get('name'), 'protocol': resource.get('protocol')}
        return dict((key, value) for key, value in view.items() if not is_blank(value))

    def returned(self, resource, desired=None):
        if resource is None:
            return None
        shown = dict(resource)
        shown['certificates'] = listener_certificates_view(resource, self.catalogue)
        return shown


ARGUMENT_SPEC = dict(
    listener=dict(type='str'),
    loadbalancer=dict(type='str'),
    listener_name=dict(type='str'),
    server_certificate=dict(type='str'),
    sni_certificates=dict(type='list', elements='str'),
    purge_sni=dict(type='bool', default=False),
    sni_match_algo=dict(type='str', choices=list(SNI_MATCH_ALGOS)),
    client_ca_certificate=dict(type='str'),
)
