# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ELB v3 certificates (create, list, show, update, delete, private-key echo setting) and listeners
(list, show, update of their certificate slots; seeded, never created).

Constraints are those of the API reference pages and the official SDK's models
(tests/emulator/README.md lists them); error bodies are ``{"error_code", "error_msg",
"request_id"}`` with the codes of the reference's table: ELB.0002 (no body), ELB.8902 ("Invalid input
for '%s'."), ELB.8904 ("%s %s could not be found."), ELB.8907 (data conflict; that a certificate in use
by a listener is one is an assumption). The private-key echo setting is on by default, as the reference
says; off, answers show each stored key as ``******``.

Listeners have three certificate slots: the default server certificate (``default_tls_container_ref``),
the SNI certificates (``sni_container_refs``) and the client CA (``client_ca_tls_container_ref``), with
the rules of ``UpdateListenerOption``/``CreateListenerOption`` in the official SDK (the same text as the
reference's pages): only HTTPS-like protocols have slots; server slots take server certificates, the
client CA slot a CA (``client``) certificate; at most 50 SNI certificates, each with a domain, no domain
on two of them (unless one is ECC and the other RSA, as the user guide allows), at most 200 domains in
all, RSA only on QUIC. A refusal is 400 ``ELB.8902`` naming the field; a certificate or listener that
does not exist is 404 ``ELB.8904``. There is no SNI filter in the list API (nor here): where a certificate
is used is found by listing the listeners.
"""

from __future__ import annotations

import re
import uuid

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import pem
from .base import ServiceError
from .huawei import HuaweiService
from .tls import TlsListener

PROJECT = r'(?P<project_id>[^/]+)'
CERT_ID = r'(?P<certificate_id>[^/]+)'
TYPES = ('server', 'client', 'server_sm')
PROTECTION = ('nonProtection', 'consoleProtection')
LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
DOMAIN = re.compile(r'^(?:\*\.)?%s(?:\.%s)*$' % (LABEL, LABEL))
MULTI_FILTERS = ('id', 'name', 'description', 'domain', 'type', 'scm_certificate_id', 'common_name',
                 'fingerprint', 'source', 'protection_status', 'protection_reason', 'enterprise_project_id')
# Filters the official SDK sends comma-joined (collection format csv) where the reference shows them
# repeated (``name=a&name=b``): both forms are taken.
CSV_FILTERS = ('source', 'protection_status', 'protection_reason', 'enterprise_project_id')
# enterprise_project_id: "0" (the default enterprise project) or an enterprise project's UUID; the
# filter also takes all_granted_eps (every enterprise project the caller may list).
ENTERPRISE_PROJECT = re.compile(r'^(0|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$', re.IGNORECASE)
ALL_GRANTED = 'all_granted_eps'
# What answers show for a stored private key while the echo setting is off.
MASKED_KEY = '******'
INVALID = 'ELB.8902'
NOT_FOUND = 'ELB.8904'
CONFLICT = 'ELB.8907'

LISTENER_ID = r'(?P<listener_id>[^/]+)'
PROTOCOLS = ('TCP', 'UDP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'QUIC', 'TLS', 'IP')
# Protocols whose listeners hold certificates; the default certificate is required on the first three
# (CreateListenerOption), TERMINATED_HTTPS is the shared load balancers' HTTPS.
CERTIFICATE_PROTOCOLS = ('HTTPS', 'TLS', 'QUIC', 'TERMINATED_HTTPS')
CLIENT_CA_PROTOCOLS = ('HTTPS', 'TLS', 'TERMINATED_HTTPS')
SERVER_TYPES = ('server', 'server_sm')
SNI_MATCH_ALGOS = ('wildcard', 'longest_suffix')
MAX_SNI = 50
MAX_SNI_DOMAINS = 200
# ListListenersRequest's filters (each repeatable) that the emulator applies.
LISTENER_FILTERS = ('id', 'name', 'description', 'protocol', 'protocol_port', 'loadbalancer_id',
                    'default_tls_container_ref', 'client_ca_tls_container_ref', 'default_pool_id',
                    'enterprise_project_id')
# UpdateListenerOption fields stored as sent (the certificate slots are checked apart).
LISTENER_PLAIN_FIELDS = ('admin_state_up', 'default_pool_id', 'http2_enable', 'tls_ciphers_policy',
                         'security_policy_id', 'enable_member_retry', 'member_timeout', 'client_timeout',
                         'keepalive_timeout', 'transparent_client_ip_enable', 'proxy_protocol_enable',
                         'enhance_l7policy_enable', 'protection_status', 'protection_reason', 'gzip_enable',
                         'ssl_early_data_enable', 'nat64_enable', 'insert_headers', 'ipgroup', 'quic_config',
                         'cps', 'connection')


class ElbError(ServiceError):
    pass


def invalid(message):
    """``field: reason`` as the service words it: ``Invalid input for 'field'.``, then the reason."""
    field, dummy, reason = message.partition(': ')
    return ElbError(400, INVALID, ("Invalid input for '%s'. %s" % (field, reason)).strip())


def listener_certificates(record):
    """The certificate IDs a listener record uses, the default first, then its SNI certificates, then its
    client CA (the order the TLS listener serves them in)."""
    ids = [record.get('default_tls_container_ref')] + list(record.get('sni_container_refs') or [])
    ids.append(record.get('client_ca_tls_container_ref'))
    return [certificate_id for certificate_id in ids if certificate_id]


def key_kind(certificate_pem):
    """``RSA`` or ``ECC`` for the leaf's key (what the SNI domain rule tells apart), else ``other``."""
    try:
        key = pem.certificates(certificate_pem)[0].public_key()
    except Exception:  # pylint: disable=broad-except
        # An SM2 key, or a certificate cryptography cannot load.
        return 'other'
    if isinstance(key, rsa.RSAPublicKey):
        return 'RSA'
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 'ECC'
    return 'other'


def utc_text(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


class ElbService(HuaweiService):
    name = 'elb'

    def reset(self):
        for listener in getattr(self, 'tls', {}).values():
            listener.close()
        self.certificates = {}      # id -> stored record, in creation order
        self.listeners = {}         # listener id -> listener record, in seeding order
        self.tls = {}               # listener id -> TlsListener, for listeners seeded with tls_port
        self.private_key_echo = True

    def routes(self):
        base = r'/v3/%s/elb/certificates' % PROJECT
        return [
            self.route('GET', base + r'/settings/private-key-echo', self.show_echo),
            self.route('POST', base + r'/settings/private-key-echo', self.set_echo),
            self.route('GET', base, self.list),
            self.route('POST', base, self.create),
            self.route('GET', base + '/' + CERT_ID, self.show),
            self.route('PUT', base + '/' + CERT_ID, self.update),
            self.route('DELETE', base + '/' + CERT_ID, self.delete),
            self.route('GET', r'/v3/%s/elb/listeners' % PROJECT, self.list_listeners),
            self.route('GET', r'/v3/%s/elb/listeners/%s' % (PROJECT, LISTENER_ID), self.show_listener),
            self.route('PUT', r'/v3/%s/elb/listeners/%s' % (PROJECT, LISTENER_ID), self.update_listener),
        ]

    def bad_request(self, message, request_id):
        return self.error(400, INVALID, message, request_id)

    # Views -----------------------------------------------------------------------------------
    def view(self, record):
        shown = dict(record)
        if not self.private_key_echo:
            for field in ('private_key', 'enc_private_key'):
                shown[field] = MASKED_KEY if record.get(field) else None
        return shown

    def _get(self, certificate_id):
        record = self.certificates.get(certificate_id)
        if record is None:
            raise ElbError(404, NOT_FOUND, 'certificate %s could not be found.' % certificate_id)
        return record

    # Validation ------------------------------------------------------------------------------
    @staticmethod
    def _text(option, field, maximum):
        value = option.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid('%s: must be a string' % field)
        if len(value) > maximum:
            raise invalid('%s: length %d exceeds %d' % (field, len(value), maximum))
        return value

    def _body(self, request):
        try:
            body = request.json()
        except ValueError:
            raise ElbError(400, INVALID, 'Invalid request body: not JSON')
        if not isinstance(body, dict) or not isinstance(body.get('certificate'), dict):
            raise ElbError(400, 'ELB.0002', 'RequestBody is null or empty,request is invalid.')
        return body['certificate']

    @staticmethod
    def _domain(value):
        if value is None or value == '':
            return value
        if len(value) > 10000:
            raise invalid('domain: longer than 10000 characters')
        parts = value.split(',')
        if len(parts) > 100:
            raise invalid('domain: more than 100 domains')
        for part in parts:
            if not DOMAIN.match(part):
                raise invalid('domain: %r is not a valid domain name' % part)
        return value

    @staticmethod
    def _chain(text, field):
        try:
            chain = pem.certificates(text)
        except pem.BadPem as exc:
            raise invalid('%s: certificate content is not valid (%s)' % (field, exc))
        if len(chain) > 11:
            raise invalid('%s: more than 11 certificates in the chain' % field)
        return chain

    @staticmethod
    def _key(text, field, chain):
        try:
            key = pem.private_key(text)
        except pem.BadPem as exc:
            raise invalid('%s: private key content is not valid (%s)' % (field, exc))
        if pem.key_matches(key, chain[0]) is False:
            raise invalid('%s: the private key does not match the certificate' % field)

    def _validated(self, option, cert_type, existing=None):
        """Check every field present in ``option``; return the fields to store."""
        fields = {}
        for name in ('name', 'description'):
            if name in option:
                fields[name] = self._text(option, name, 255)
        for name in ('scm_certificate_id', 'protection_reason'):
            if name in option:
                fields[name] = self._text(option, name, 255)
        if 'protection_status' in option:
            if option['protection_status'] not in PROTECTION:
                raise invalid('protection_status: must be one of %s' % ', '.join(PROTECTION))
            fields['protection_status'] = option['protection_status']
        if 'source' in option:
            if option['source'] not in ('scm', '', None):
                raise invalid('source: must be scm or empty')
            fields['source'] = option['source']
        if 'domain' in option:
            domain = self._domain(self._text(option, 'domain', 10000))
            fields['domain'] = domain if cert_type == 'server' else None
        for name in ('enc_certificate', 'enc_private_key'):
            if option.get(name) is not None and cert_type != 'server_sm':
                raise invalid('%s: only supported for type server_sm' % name)
        for cert_field, key_field in (('certificate', 'private_key'), ('enc_certificate', 'enc_private_key')):
            cert_text = self._text(option, cert_field, 65536)
            key_text = self._text(option, key_field, 8192)
            if cert_text is not None:
                chain = self._chain(cert_text, cert_field)
                fields[cert_field] = cert_text
                if key_text is None and existing and existing.get(key_field):
                    key_text = existing[key_field]
                if key_text is not None:
                    self._key(key_text, key_field, chain)
                    fields[key_field] = option.get(key_field, existing and existing.get(key_field))
                if cert_field == 'certificate':
                    leaf = chain[0]
                    fields.update(common_name=pem.common_name(leaf), fingerprint=pem.sha1_hex(leaf),
                                  subject_alternative_names=pem.dns_names(leaf),
                                  expire_time=pem.not_after(leaf).strftime('%Y-%m-%dT%H:%M:%SZ'))
            elif key_text is not None:
                if not existing or not existing.get(cert_field):
                    raise invalid('%s: given without %s' % (key_field, cert_field))
                self._key(key_text, key_field, self._chain(existing[cert_field], cert_field))
                fields[key_field] = key_text
        return fields

    # Operations ------------------------------------------------------------------------------
    def create(self, request):
        def action():
            option = self._body(request)
            cert_type = option.get('type', 'server')
            if cert_type not in TYPES:
                raise invalid('type: must be one of %s' % ', '.join(TYPES))
            if option.get('certificate') is None:
                raise invalid('certificate: is required')
            if cert_type in ('server', 'server_sm') and option.get('private_key') is None:
                raise invalid('private_key: is required for type %s' % cert_type)
            if cert_type == 'server_sm' and (option.get('enc_certificate') is None
                                             or option.get('enc_private_key') is None):
                raise invalid('enc_certificate and enc_private_key: are required for type server_sm')
            epid = option.get('enterprise_project_id', '0')
            if not isinstance(epid, str) or not ENTERPRISE_PROJECT.match(epid):
                raise invalid('enterprise_project_id: must be "0" (the default enterprise project) or an '
                              'enterprise project ID')
            record = self.new_record(cert_type, epid, option.get('admin_state_up', True))
            record.update(self._validated(option, cert_type))
            if record['source'] is None:
                record['source'] = 'scm' if record['scm_certificate_id'] else ''
            self.certificates[record['id']] = record
            return 201, {'certificate': self.view(record)}
        return self.call(request, action)

    def new_record(self, cert_type, enterprise_project_id='0', admin_state_up=True):
        stamp = utc_text(self.emulator.now())
        return dict(id=uuid.uuid4().hex, name='', description='', type=cert_type, certificate=None,
                    private_key=None, domain=None, admin_state_up=bool(admin_state_up), created_at=stamp,
                    updated_at=stamp, expire_time=None, project_id=self.emulator.options.project_id,
                    enc_certificate=None, enc_private_key=None, scm_certificate_id=None, common_name=None,
                    fingerprint=None, subject_alternative_names=[], source=None,
                    protection_status='nonProtection', protection_reason=None,
                    enterprise_project_id=enterprise_project_id)

    def list(self, request):
        def action():
            page, page_info = self._paged(request, self.certificates, lambda r: self._matches(r, request),
                                          'certificate')
            return 200, {'certificates': [self.view(r) for r in page], 'page_info': page_info}
        return self.call(request, action)

    @staticmethod
    def _paged(request, store, matches, kind):
        """One page of the records of ``store`` (id -> record, in creation order) that ``matches``, and its
        ``page_info``: marker/limit/page_reverse as ListCertificates and ListListeners define them."""
        try:
            limit = int(request.query_value('limit', 2000))
        except ValueError:
            raise invalid('limit: must be an integer')
        if limit < 0 or limit > 2000:
            raise invalid('limit: must be between 0 and 2000')
        limit = limit or 2000
        reverse = request.query_value('page_reverse', 'false').lower() == 'true'
        records = [r for r in store.values() if matches(r)]
        marker = request.query_value('marker')
        if marker is not None:
            if marker not in store:
                raise invalid('marker: %s is not a valid %s id' % (marker, kind))
            order = dict((record_id, index) for index, record_id in enumerate(store))
            position = order[marker]
            if reverse:
                records = [r for r in records if order[r['id']] < position]
            else:
                records = [r for r in records if order[r['id']] > position]
        if reverse:
            page = records[-limit:]
            more_after = marker is not None
        else:
            page = records[:limit]
            more_after = len(records) > limit
        page_info = {'current_count': len(page)}
        # The reference's example shows previous_marker on a first page too: the first record's ID.
        if page:
            page_info['previous_marker'] = page[0]['id']
        if page and more_after:
            page_info['next_marker'] = page[-1]['id']
        return page, page_info

    @staticmethod
    def _matches(record, request):
        for name in MULTI_FILTERS:
            wanted = request.query_values(name)
            if name in CSV_FILTERS:
                wanted = wanted + [part for value in wanted for part in value.split(',')]
            if name == 'enterprise_project_id' and ALL_GRANTED in wanted:
                continue
            if wanted and str(record.get(name) or '') not in wanted:
                return False
        admin = request.query_value('admin_state_up')
        if admin is not None and str(record['admin_state_up']).lower() != admin.lower():
            return False
        return True

    def show(self, request):
        return self.call(request, lambda: (200, {'certificate': self.view(self._get(request.match.group('certificate_id')))}))

    def update(self, request):
        def action():
            record = self._get(request.match.group('certificate_id'))
            option = self._body(request)
            if 'type' in option and option['type'] != record['type']:
                raise invalid('type: the certificate type cannot be changed')
            fields = self._validated(option, record['type'], existing=record)
            if (record['domain'] and 'domain' in fields and not fields['domain']
                    and self._used_by_listener(record['id'])):
                raise ElbError(409, CONFLICT, 'certificate %s is used by a listener; its domain cannot be emptied'
                               % record['id'])
            record.update(fields)
            record['updated_at'] = utc_text(self.emulator.now())
            return 200, {'certificate': self.view(record)}
        return self.call(request, action)

    def _used_by_listener(self, certificate_id):
        return any(certificate_id in listener_certificates(record) for record in self.listeners.values())

    def delete(self, request):
        def action():
            record = self._get(request.match.group('certificate_id'))
            if self._used_by_listener(record['id']):
                raise ElbError(409, CONFLICT, 'certificate %s is used by a listener and cannot be deleted'
                               % record['id'])
            del self.certificates[record['id']]
            return 204, None
        return self.call(request, action)

    def show_echo(self, request):
        return self.call(request, lambda: (200, {'private_key_echo': self.private_key_echo}))

    def set_echo(self, request):
        def action():
            body = request.json() or {}
            echo = body.get('private_key_echo')
            if not isinstance(echo, bool):
                raise invalid('private_key_echo: must be a boolean')
            self.private_key_echo = echo
            return 201, {'private_key_echo': echo}
        return self.call(request, action)

    # Admin seeding -----------------------------------------------------------------------------
    def seed(self, data):
        created = []
        for template in data.get('certificates', []):
            # ``copies: N`` repeats one certificate N times; ``{index}`` in its name numbers them.
            copies = int(template.get('copies', 1))
            cert_type = template.get('type', 'server')
            fields = self._validated(dict((k, v) for k, v in template.items() if k != 'name'), cert_type)
            for index in range(copies):
                record = self.new_record(cert_type, template.get('enterprise_project_id', '0'))
                if template.get('id') and copies == 1:
                    record['id'] = template['id']
                record.update(fields)
                record['name'] = str(template.get('name', '')).replace('{index}', str(index))
                if record['source'] is None:
                    record['source'] = ''
                self.certificates[record['id']] = record
                created.append(record['id'])
        for listener in data.get('listeners', []):
            record = self._seeded_listener(listener)
            self.listeners[record['id']] = record
            self._seed_tls(record['id'], listener)
        if 'private_key_echo' in data:
            self.private_key_echo = bool(data['private_key_echo'])
        return {'certificates': created, 'listeners': sorted(self.listeners),
                'tls_ports': dict((listener_id, tls.port) for listener_id, tls in sorted(self.tls.items()))}

    # TLS listeners ------------------------------------------------------------------------------
    def _seed_tls(self, listener_id, listener):
        """``tls_port`` (0: a free one) makes the listener serve its certificates over TLS; a listener
        seeded again without it stops serving."""
        previous = self.tls.pop(listener_id, None)
        if previous is not None:
            previous.close()
        if listener.get('tls_port') is None:
            return
        port = listener['tls_port']
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError('listeners: tls_port must be a whole number from 0 to 65535 (0 picks a free port), '
                             'not %r' % (port,))
        host = getattr(self.options, 'host', None) or '127.0.0.1'
        try:
            self.tls[listener_id] = TlsListener(listener_id, lambda: self._servable(listener_id), host, port)
        except OSError as exc:
            raise ValueError('listeners: %s: tls_port %d cannot be listened on: %s' % (listener_id, port, exc))

    def _servable(self, listener_id):
        """What the listener serves at this moment: its certificates that TLS can serve (type server, with
        their key), the default first, then its SNI certificates (a default that cannot be served leaves the
        first SNI one as what clients without a matching name get). Called from the TLS threads."""
        with self.emulator.lock:
            pairs = []
            record = self.listeners.get(listener_id)
            for certificate_id in listener_certificates(record) if record else []:
                record = self.certificates.get(certificate_id)
                if record and record['type'] == 'server' and record.get('certificate') and record.get('private_key'):
                    pairs.append((record['certificate'], record['private_key']))
            return pairs

    # Listeners ----------------------------------------------------------------------------------
    def _seeded_listener(self, listener):
        """A listener record from seed data. ``certificate_ids`` (the first the default, the rest SNI) is
        the older form of ``default_tls_container_ref`` and ``sni_container_refs``. Seeding checks shapes
        only: a test may seed what the API would refuse (a certificate that does not exist, say)."""
        if not isinstance(listener, dict):
            raise ValueError('listeners: each listener is an object, not %r' % (listener,))
        slots = ('default_tls_container_ref', 'sni_container_refs')
        if 'certificate_ids' in listener and any(slot in listener for slot in slots):
            raise ValueError('listeners: certificate_ids is the older form of default_tls_container_ref and '
                             'sni_container_refs; give one or the other')
        protocol = listener.get('protocol', 'HTTPS')
        if protocol not in PROTOCOLS:
            raise ValueError('listeners: protocol must be one of %s, not %r' % (', '.join(PROTOCOLS), protocol))
        algo = listener.get('sni_match_algo', 'wildcard')
        if algo not in SNI_MATCH_ALGOS:
            raise ValueError('listeners: sni_match_algo must be one of %s, not %r' % (', '.join(SNI_MATCH_ALGOS), algo))
        ids = list(listener.get('certificate_ids') or [])
        default = listener.get('default_tls_container_ref', ids[0] if ids else None)
        sni = list(listener.get('sni_container_refs', ids[1:]) or [])
        if not all(isinstance(item, str) for item in sni + ([default] if default else [])):
            raise ValueError('listeners: certificate IDs are strings')
        stamp = utc_text(self.emulator.now())
        loadbalancer_id = listener.get('loadbalancer_id') or uuid.uuid4().hex
        return dict(
            id=listener.get('id') or uuid.uuid4().hex, name=str(listener.get('name', '')),
            description=str(listener.get('description', '')), protocol=protocol,
            protocol_port=int(listener.get('protocol_port', 443)), loadbalancers=[{'id': loadbalancer_id}],
            default_tls_container_ref=default, sni_container_refs=sni, sni_match_algo=algo,
            client_ca_tls_container_ref=listener.get('client_ca_tls_container_ref'),
            project_id=self.emulator.options.project_id,
            enterprise_project_id=listener.get('enterprise_project_id', '0'), admin_state_up=True,
            default_pool_id=None, connection_limit=-1, http2_enable=False,
            tls_ciphers_policy='tls-1-2' if protocol in CERTIFICATE_PROTOCOLS else None, security_policy_id=None,
            insert_headers={}, tags=[], created_at=stamp, updated_at=stamp)

    def _listener(self, listener_id):
        record = self.listeners.get(listener_id)
        if record is None:
            raise ElbError(404, NOT_FOUND, 'listener %s could not be found.' % listener_id)
        return record

    @staticmethod
    def _listener_view(record):
        shown = dict(record)
        shown['sni_container_refs'] = list(record['sni_container_refs'])
        shown['loadbalancers'] = [dict(item) for item in record['loadbalancers']]
        return shown

    @staticmethod
    def _listener_matches(record, request):
        for name in LISTENER_FILTERS:
            wanted = request.query_values(name)
            if not wanted:
                continue
            if name == 'loadbalancer_id':
                if not set(item['id'] for item in record['loadbalancers']) & set(wanted):
                    return False
            elif str(record.get(name) if record.get(name) is not None else '') not in wanted:
                return False
        return True

    def list_listeners(self, request):
        def action():
            page, page_info = self._paged(request, self.listeners, lambda r: self._listener_matches(r, request),
                                          'listener')
            return 200, {'listeners': [self._listener_view(r) for r in page], 'page_info': page_info}
        return self.call(request, action)

    def show_listener(self, request):
        return self.call(request, lambda: (200, {'listener': self._listener_view(
            self._listener(request.match.group('listener_id')))}))

    def _slot_certificate(self, field, certificate_id, types):
        if not isinstance(certificate_id, str):
            raise invalid('%s: must be a certificate ID (a string)' % field)
        record = self._get(certificate_id)
        if record['type'] not in types:
            raise invalid('%s: certificate %s is of type %s; this slot takes type %s'
                          % (field, certificate_id, record['type'], ' or '.join(types)))
        return record

    def _checked_sni(self, refs, protocol):
        field = 'sni_container_refs'
        if refs is None:
            refs = []
        if not isinstance(refs, list):
            raise invalid('%s: must be a list of certificate IDs' % field)
        if refs and protocol not in CERTIFICATE_PROTOCOLS:
            raise invalid('%s: a %s listener has no SNI certificates' % (field, protocol))
        if len(refs) > MAX_SNI:
            raise invalid('%s: %d certificates; at most %d' % (field, len(refs), MAX_SNI))
        if len(set(refs)) != len(refs):
            raise invalid('%s: lists a certificate twice' % field)
        holders, total = {}, 0
        for certificate_id in refs:
            record = self._slot_certificate(field, certificate_id, SERVER_TYPES)
            domains = [domain for domain in (record.get('domain') or '').split(',') if domain]
            if not domains:
                raise invalid('%s: certificate %s has no domain; an SNI certificate needs one' % (field, certificate_id))
            kind = key_kind(record.get('certificate'))
            if protocol == 'QUIC' and kind != 'RSA':
                raise invalid('%s: certificate %s is not RSA; a QUIC listener takes RSA SNI certificates only'
                              % (field, certificate_id))
            total += len(domains)
            for domain in domains:
                for other_id, other_kind in holders.get(domain.lower(), []):
                    # One ECC and one RSA certificate may share a domain (the user guide's SNI page).
                    if other_kind == kind or 'other' in (kind, other_kind):
                        raise invalid('%s: certificates %s and %s both have domain %s'
                                      % (field, other_id, certificate_id, domain))
                holders.setdefault(domain.lower(), []).append((certificate_id, kind))
        if total > MAX_SNI_DOMAINS:
            raise invalid('%s: %d domains in all; at most %d' % (field, total, MAX_SNI_DOMAINS))
        return list(refs)

    def update_listener(self, request):
        def action():
            record = self._listener(request.match.group('listener_id'))
            try:
                body = request.json()
            except ValueError:
                raise ElbError(400, INVALID, 'Invalid request body: not JSON')
            if not isinstance(body, dict) or not isinstance(body.get('listener'), dict):
                raise ElbError(400, 'ELB.0002', 'RequestBody is null or empty,request is invalid.')
            option = body['listener']
            protocol = record['protocol']
            changes = {}
            for name in ('name', 'description'):
                if name in option:
                    changes[name] = self._text(option, name, 255) or ''
            if 'default_tls_container_ref' in option:
                ref = option['default_tls_container_ref']
                if protocol not in CERTIFICATE_PROTOCOLS:
                    raise invalid('default_tls_container_ref: a %s listener has no server certificate' % protocol)
                if not ref:
                    raise invalid('default_tls_container_ref: is required for a %s listener' % protocol)
                self._slot_certificate('default_tls_container_ref', ref, SERVER_TYPES)
                changes['default_tls_container_ref'] = ref
            if 'sni_container_refs' in option:
                changes['sni_container_refs'] = self._checked_sni(option['sni_container_refs'], protocol)
            if 'client_ca_tls_container_ref' in option:
                ref = option['client_ca_tls_container_ref']
                if ref and protocol not in CLIENT_CA_PROTOCOLS:
                    raise invalid('client_ca_tls_container_ref: a %s listener has no client CA certificate' % protocol)
                if ref:
                    self._slot_certificate('client_ca_tls_container_ref', ref, ('client',))
                changes['client_ca_tls_container_ref'] = ref or None
            if 'sni_match_algo' in option:
                if option['sni_match_algo'] not in SNI_MATCH_ALGOS:
                    raise invalid('sni_match_algo: must be one of %s' % ', '.join(SNI_MATCH_ALGOS))
                changes['sni_match_algo'] = option['sni_match_algo']
            for name in LISTENER_PLAIN_FIELDS:
                if name in option:
                    changes[name] = option[name]
            record.update(changes)
            record['updated_at'] = utc_text(self.emulator.now())
            return 200, {'listener': self._listener_view(record)}
        return self.call(request, action)
