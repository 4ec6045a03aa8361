# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ELB v3 certificates: create, list, show, update, delete, private-key echo setting.

Constraints are those of the API reference pages and the official SDK's models
(tests/emulator/README.md lists them); error bodies are ``{"error_code", "error_msg",
"request_id"}`` with the codes of the reference's table: ELB.0002 (no body), ELB.8902 ("Invalid input
for '%s'."), ELB.8904 ("%s %s could not be found."), ELB.8907 (data conflict; that a certificate in use
by a listener is one is an assumption). The private-key echo setting is on by default, as the reference
says; off, answers show each stored key as ``******``.
"""

from __future__ import annotations

import re
import uuid

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


class ElbError(ServiceError):
    pass


def invalid(message):
    """``field: reason`` as the service words it: ``Invalid input for 'field'.``, then the reason."""
    field, dummy, reason = message.partition(': ')
    return ElbError(400, INVALID, ("Invalid input for '%s'. %s" % (field, reason)).strip())


def utc_text(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


class ElbService(HuaweiService):
    name = 'elb'

    def reset(self):
        for listener in getattr(self, 'tls', {}).values():
            listener.close()
        self.certificates = {}      # id -> stored record, in creation order
        self.listeners = {}         # listener id -> list of certificate ids it uses
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
            try:
                limit = int(request.query_value('limit', 2000))
            except ValueError:
                raise invalid('limit: must be an integer')
            if limit < 0 or limit > 2000:
                raise invalid('limit: must be between 0 and 2000')
            limit = limit or 2000
            reverse = request.query_value('page_reverse', 'false').lower() == 'true'
            records = [r for r in self.certificates.values() if self._matches(r, request)]
            marker = request.query_value('marker')
            if marker is not None:
                if marker not in self.certificates:
                    raise invalid('marker: %s is not a valid certificate id' % marker)
                order = dict((certificate_id, index) for index, certificate_id in enumerate(self.certificates))
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
            return 200, {'certificates': [self.view(r) for r in page], 'page_info': page_info}
        return self.call(request, action)

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
        return any(certificate_id in ids for ids in self.listeners.values())

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
            listener_id = listener.get('id') or uuid.uuid4().hex
            self.listeners[listener_id] = list(listener.get('certificate_ids', []))
            self._seed_tls(listener_id, listener)
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
        their key), in its order, the default first. Called from the TLS threads."""
        with self.emulator.lock:
            pairs = []
            for certificate_id in self.listeners.get(listener_id, []):
                record = self.certificates.get(certificate_id)
                if record and record['type'] == 'server' and record.get('certificate') and record.get('private_key'):
                    pairs.append((record['certificate'], record['private_key']))
            return pairs
