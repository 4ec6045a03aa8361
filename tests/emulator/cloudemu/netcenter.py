# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wangsu / ChinaNetCenter certificate API: add (V2), list, query, content, edit (V2), delete; and the
accelerated domains that use the certificates: list, query and the SSL settings of "edit domain".

Both authentication schemes are verified: the seed's Date + HMAC-SHA1 Basic auth and
wangsu-sdk-python's CNC-HMAC-SHA256. Errors are HTTP 400 with ``{"code", "message", "data"}``
and the codes of the seed's table (edit V2) or of the query page's (``19638021`` NO_SUCH_SSL,
``26938005`` PARAM_INVALID); every answer carries ``x-cnc-request-id``. The list, add V2 and delete
pages are not in the stored reference: their bodies follow wangsu-sdk-python's models, and their
refusals reuse the edit page's codes (see tests/emulator/README.md).

Domains (``/api/domain``) answer in wangsu-sdk-python's models (``QueryApiDomainListServiceResponse``,
``GetBasicConfigurationOfDomainResponse``, ``EditDomainConfigRequest``): hyphenated fields, no
``code``/``data`` wrapper on success. Only the SSL settings of an edit are emulated. A domain's
certificate is what the certificate list reports as its ``related-domains``, so the two always agree;
a certificate that a domain uses cannot be deleted, as the delete page says. The codes the domain pages
do not document are stand-ins, listed in ``DOMAIN_CODES``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import hashlib
import hmac
import re
from urllib.parse import unquote

from cryptography import x509

from . import pem
from .base import Service, ServiceError

CERT_ID = r'(?P<certificate_id>[^/]+)'
DOMAIN = r'(?P<domain>[^/]+)'
CST = datetime.timezone(datetime.timedelta(hours=8))
AKSK_SKEW = 300           # seconds, as the AK/SK guide states
DATE_SKEW = 900           # seconds; the guide gives no figure for the Date scheme
AKSK_PATTERN = re.compile(r'^CNC-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$')
BLOCK_TEXT = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----', re.DOTALL)
FIRST_DOMAIN_ID = 1001
# The domain pages document no error codes. Where the certificate pages have one with the same meaning
# it is reused (36542024: "domains not within the certificate's names"; 36540132/36540000: no such
# certificate); the others are stand-ins named for what they mean. CertificateInUse is the code of the
# CDN Pro delete page (409 there); the classic API answers every refusal 400.
DOMAIN_CODES = dict(no_such_domain='NoSuchDomain', invalid='InvalidParameter', in_use='CertificateInUse')
DOMAIN_NAME = re.compile(r'^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$')


class NetcenterError(ServiceError):
    def __init__(self, code, message, status=400):
        super().__init__(status, code, message)


def param_error(message):
    return NetcenterError(26938005, message)


class AuthFailure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class NetcenterService(Service):
    name = 'netcenter'
    OPTIONS = dict(
        netcenter_username='certfleet-emulator',
        netcenter_api_key='certfleet-emulator-api-key-do-not-use-0',
        netcenter_access_key='CERTFLEETNETCENTERAK1',
        netcenter_secret_key='certfleet-emulator-netcenter-secret-0',
    )
    PATH_PREFIXES = ('/api/',)
    REQUEST_ID_HEADER = 'x-cnc-request-id'

    def __init__(self, emulator):
        options = emulator.options
        self.users = {options.netcenter_username: options.netcenter_api_key}
        self.access_keys = {options.netcenter_access_key: options.netcenter_secret_key}
        super().__init__(emulator)

    def reset(self):
        self.certificates = {}  # id -> record, deleted ones kept and marked
        self.next_id = 100001
        self.domains = {}       # name -> record, in the order they were made
        self.next_domain_id = FIRST_DOMAIN_ID

    def routes(self):
        return [
            self.route('GET', r'/api/ssl/certificate', self.list),
            self.route('POST', r'/api/certificate', self.create),
            self.route('GET', r'/api/certificate/' + CERT_ID, self.show),
            self.route('GET', r'/api/certificate/' + CERT_ID + '/content', self.content),
            self.route('PUT', r'/api/certificate/' + CERT_ID, self.update),
            self.route('DELETE', r'/api/certificate/' + CERT_ID, self.delete),
            self.route('GET', r'/api/domain', self.list_domains),
            self.route('GET', r'/api/domain/' + DOMAIN, self.show_domain),
            self.route('PUT', r'/api/domain/' + DOMAIN, self.update_domain),
        ]

    # Answers ------------------------------------------------------------------------------------
    def error(self, status, code, message, request_id):
        return self.answer(status, {'code': str(code), 'message': message, 'data': None}, request_id)

    def bad_request(self, message, request_id):
        exc = param_error(message)
        return self.error(exc.status, exc.code, exc.message, request_id)

    def no_such_api(self, status, request_id):
        return self.error(status, str(status), 'No such API', request_id)

    # Authentication -----------------------------------------------------------------------------
    def authenticate(self, request, now=None):
        """None when the request is authentic, else the service's 401 answer."""
        try:
            request.credential = self._verify(request, now)
        except AuthFailure as failure:
            return self.error(401, failure.code, failure.message, request.request_id)
        return None

    def throttled(self, limit, retry_after, request_id):
        # The reference documents no code for too many requests: a stand-in, named for what it is.
        response = self.error(429, 'TooManyRequests', 'the request rate exceeds the limit of %d requests per second '
                                                      'for this credential' % limit, request_id)
        response.headers['Retry-After'] = str(retry_after)
        return response

    def _verify(self, request, now):
        headers = request.headers
        authorization = (headers.get('authorization') or '').strip()
        now = now if now is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
        if authorization.startswith('CNC-HMAC-SHA256') or (headers.get('x-cnc-auth-method') or '').upper() == 'AKSK':
            return self._verify_aksk(request, authorization, now)
        if authorization.startswith('Basic '):
            return self._verify_date(request, authorization, now)
        raise AuthFailure('MissingAuthorization', 'Authorization is missing or of an unknown scheme')

    def _verify_aksk(self, request, authorization, now):
        headers = request.headers
        match = AKSK_PATTERN.match(authorization)
        if not match:
            raise AuthFailure('InvalidAuthorization', 'the Authorization header is not CNC-HMAC-SHA256 '
                                                      'Credential=..., SignedHeaders=..., Signature=...')
        access_key, signed, signature = match.groups()
        if headers.get('x-cnc-accesskey') != access_key or access_key not in self.access_keys:
            raise AuthFailure('InvalidAccessKey', 'the accessKey does not exist or does not match x-cnc-accessKey')
        timestamp = headers.get('x-cnc-timestamp') or ''
        if not timestamp.isdigit():
            raise AuthFailure('InvalidTimestamp', 'x-cnc-timestamp must be epoch seconds')
        if abs(now - int(timestamp)) > AKSK_SKEW:
            raise AuthFailure('RequestExpired', 'x-cnc-timestamp differs from the server time by more than 5 minutes')
        signed_headers = signed.split(';')
        if 'host' not in signed_headers or 'content-type' not in signed_headers:
            raise AuthFailure('InvalidSignedHeaders', 'SignedHeaders must include content-type and host')
        query = '' if request.method == 'POST' else unquote(request.raw_query)
        canonical_headers = ''.join('%s:%s\n' % (name, (headers.get(name) or '').lower()) for name in signed_headers)
        payload = request.body if request.method in ('POST', 'PUT') and request.body else b''
        canonical = '\n'.join((request.method, request.path, query, canonical_headers, signed,
                               hashlib.sha256(payload).hexdigest()))
        to_sign = 'CNC-HMAC-SHA256\n%s\n%s' % (timestamp, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
        expected = hmac.new(self.access_keys[access_key].encode('utf-8'), to_sign.encode('utf-8'),
                            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise AuthFailure('SignatureDoesNotMatch', 'the request signature we calculated does not match the '
                                                       'signature you provided')
        return ('wangsu-ak', access_key)

    def _verify_date(self, request, authorization, now):
        headers = request.headers
        try:
            decoded = base64.b64decode(authorization[len('Basic '):], validate=True).decode('utf-8')
        except (binascii.Error, ValueError):
            raise AuthFailure('InvalidAuthorization', 'Basic credentials are not base64')
        username, separator, password = decoded.partition(':')
        if not separator or username not in self.users:
            raise AuthFailure('InvalidUser', 'the user does not exist')
        date = headers.get('x-cnc-date') or headers.get('date')
        if not date:
            raise AuthFailure('MissingDate', 'the Date (or x-cnc-date) header is required')
        try:
            signed_at = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            raise AuthFailure('InvalidDate', 'the Date header is not an RFC 1123 date')
        if abs(now - signed_at) > DATE_SKEW:
            raise AuthFailure('RequestExpired', 'the Date header differs from the server time by more than 15 minutes')
        expected = base64.b64encode(hmac.new(self.users[username].encode('utf-8'), date.encode('utf-8'),
                                             hashlib.sha1).digest()).decode('ascii')
        if not hmac.compare_digest(expected, password):
            raise AuthFailure('InvalidPassword', 'the password does not match the Date header and the API key')
        return ('wangsu-user', username)

    # Records ------------------------------------------------------------------------------------
    def _get(self, raw_id, deleted_code='36540000'):
        if not raw_id.isdigit():
            raise NetcenterError(26939999, 'The certificate you provided is invalid.')
        record = self.certificates.get(int(raw_id))
        if record is None:
            raise NetcenterError(36540132, 'Certificate entity not found. certificateId="%s", fileName=""' % raw_id)
        if record['deleted']:
            raise NetcenterError(deleted_code, 'The certificate is not found or deleted.')
        return record

    def _busy(self, record):
        if record['deploying'] > 0:
            record['deploying'] -= 1
            raise NetcenterError(36540026, 'Certificate is in deploying.')

    def list_entry(self, record):
        leaf = record['leaf']
        return {
            'certificate-id': record['id'], 'name': record['name'], 'comment': record['comment'],
            'share-ssl': 'false',
            'certificate-validity-from': cst(pem.not_before(leaf)), 'certificate-validity-to': cst(pem.not_after(leaf)),
            'related-domains': [{'domain-id': domain['id'], 'domain-name': domain['name']}
                                for domain in self.domains_using(record['id'])],
            'dns-names': pem.dns_names(leaf) or [pem.common_name(leaf)],
            'certificate-serial': '%x' % leaf.serial_number,
            'crt-md5': pem.md5_hex(record['crt']), 'key-md5': pem.md5_hex(record['key']) if record['key'] else '',
            'ca-md5': pem.md5_hex(record['ca']) if record['ca'] else '',
            'certificate-issuer': leaf.issuer.rfc4514_string(),
        }

    # Validation, in the order of the seed's table --------------------------------------------------
    def _body(self, request):
        try:
            body = request.json()
        except ValueError:
            raise param_error('request body is not JSON')
        if not isinstance(body, dict):
            raise param_error('request body must be a JSON object')
        return body

    def _validated(self, body, existing=None):
        name = body.get('name')
        if not isinstance(name, str) or not name.strip():
            raise param_error('Parameter name is required')
        if len(name) > 512:
            raise param_error('Parameter name max size is 512')
        certificate = body.get('certificate')
        if not isinstance(certificate, str) or not certificate.strip():
            raise param_error('Parameter certificate is required')
        comment = body.get('comment')
        if comment is not None and (not isinstance(comment, str) or len(comment) > 1024):
            raise param_error('Parameter comment max size is 1024')
        for flag in ('autoRenew', 'isNeedAlarm'):
            if body.get(flag) not in (None, 'true', 'false'):
                raise param_error('Parameter %s must be true or false' % flag)
        crt_text, ca_text = split_bundle(certificate)
        leaf = parse_leaf(crt_text, ca_text)
        chain = parse_chain(ca_text)
        check_chain(leaf, chain)
        if pem.not_after(leaf) < self.emulator.now():
            raise NetcenterError(36540145, 'Updating with expired certificates is not allowed.')
        if not pem.dns_names(leaf) and not pem.common_name(leaf):
            raise NetcenterError(36540142, 'invalid sslCertificate. no found crtCnDomain in crtFile.')
        key_text = body.get('privateKey')
        if key_text:
            key_text = key_file(key_text)
        elif body.get('csrId') is not None:
            raise NetcenterError(36540129, 'No csr was found according to csr id.')
        elif existing is not None and existing['key']:
            key_text = existing['key']
        else:
            raise NetcenterError(36540146, 'invalid sslKey.')
        try:
            key = pem.private_key(key_text)
        except pem.BadPem:
            raise NetcenterError(36540146, 'invalid sslKey.')
        if pem.key_matches(key, leaf) is False:
            raise NetcenterError(36540147, 'private key is not match with public key.')
        for other in self.certificates.values():
            if other['name'] == name and not other['deleted'] and other is not existing:
                raise NetcenterError(36540154, 'The SSL name you provided is already in our system. certificateId: '
                                               '%s, certificateName: %s' % (other['id'], other['name']))
        related = [domain['name'] for domain in self.domains_using(existing['id'])] if existing is not None else []
        if related:
            covered = pem.dns_names(leaf) or [pem.common_name(leaf)]
            outside = [domain for domain in related if not covers(covered, domain)]
            if outside:
                raise NetcenterError(36542024, ','.join(outside))
        return dict(name=name, comment=comment if comment is not None else (existing or {}).get('comment', ''),
                    crt=crt_text, ca=ca_text, key=key_text, leaf=leaf,
                    auto_renew=body.get('autoRenew', (existing or {}).get('auto_renew')),
                    is_need_alarm=body.get('isNeedAlarm', (existing or {}).get('is_need_alarm')))

    # Handlers -----------------------------------------------------------------------------------
    def list(self, request):
        def action():
            entries = [self.list_entry(record) for record in self.certificates.values() if not record['deleted']]
            return 200, {'ssl-certificates': entries}, None
        return self.call(request, action)

    def create(self, request):
        def action():
            fields = self._validated(self._body(request))
            record = self.store(fields)
            host = request.headers.get('host') or '127.0.0.1'
            return 202, {'code': '0', 'message': 'success'}, {
                'Location': 'http://%s/api/certificate/%d' % (host, record['id'])}
        return self.call(request, action)

    def store(self, fields, related_domains=(), deploying=0):
        record = dict(fields, id=self.next_id, deleted=False, deploying=int(deploying))
        self.certificates[record['id']] = record
        self.next_id += 1
        # Seeded as the certificate's related domains: each becomes (or is moved to) a domain using it.
        for name in related_domains:
            self.domain_record(name)['certificate_id'] = record['id']
        return record

    def show(self, request):
        def action():
            # The query page's own table: an ID that is not a number is PARAM_INVALID, any other miss NO_SUCH_SSL.
            if not request.match.group('certificate_id').isdigit():
                raise NetcenterError(26938005, 'PARAM_INVALID')
            try:
                record = self._get(request.match.group('certificate_id'))
            except NetcenterError:
                raise NetcenterError(19638021, 'NO_SUCH_SSL')
            leaf = record['leaf']
            return 200, {'code': '0', 'message': 'success', 'data': {
                'certificateId': record['id'], 'name': record['name'], 'comment': record['comment'],
                'serial': '%x' % leaf.serial_number, 'notBefore': cst(pem.not_before(leaf)),
                'notAfter': cst(pem.not_after(leaf)), 'commonName': pem.common_name(leaf),
                # Objects, not strings: the page's table nests subjectAlternativeName, as the SDK's model reads it.
                'subjectAlternativeNames': [{'subjectAlternativeName': name} for name in pem.dns_names(leaf)]}}, None
        return self.call(request, action)

    def content(self, request):
        def action():
            record = self._get(request.match.group('certificate_id'))
            return 200, {'code': '0', 'message': 'success', 'data': {
                'certificateId': record['id'], 'certificate': record['crt'] + record['ca']}}, None
        return self.call(request, action)

    def update(self, request):
        def action():
            record = self._get(request.match.group('certificate_id'))
            self._busy(record)
            record.update(self._validated(self._body(request), existing=record))
            return 200, {'code': '0', 'message': 'success', 'data': ''}, None
        return self.call(request, action)

    def delete(self, request):
        def action():
            record = self._get(request.match.group('certificate_id'))
            self._busy(record)
            using = [domain['name'] for domain in self.domains_using(record['id'])]
            if using:
                # The delete page: a certificate that domains still use cannot be deleted; the domains
                # must leave it first (edit domain).
                raise NetcenterError(DOMAIN_CODES['in_use'], 'The certificate cannot be deleted because accelerated '
                                                             'domains use it: %s' % ','.join(using))
            record['deleted'] = True
            return 200, {'code': '0', 'message': 'success', 'data': ''}, None
        return self.call(request, action)

    # Admin seeding ------------------------------------------------------------------------------
    def seed(self, data):
        """``{"certificates": [{name, certificate, private_key, comment, related_domains, deploying, copies}],
        "domains": [{name, certificate, service_type, cname_label}]}``.

        A certificate's ``related_domains`` are domains that use it (made when missing). A seeded domain's
        ``certificate`` is the ID or name of a certificate, of this seed or an earlier one (none: no SSL).
        Seeds are the account as it is: neither kind is checked for coverage.
        """
        created = []
        for template in data.get('certificates', []):
            for index in range(int(template.get('copies', 1))):
                body = {'name': str(template.get('name', '')).replace('{index}', str(index)),
                        'certificate': template.get('certificate'), 'privateKey': template.get('private_key'),
                        'comment': template.get('comment')}
                try:
                    fields = self._validated(body)
                except NetcenterError as exc:
                    raise ValueError('seed certificate %r: %s %s' % (body['name'], exc.code, exc.message))
                created.append(self.store(fields, template.get('related_domains', ()),
                                          template.get('deploying', 0))['id'])
        for certificate_id, count in (data.get('deploying') or {}).items():
            self.certificates[int(certificate_id)]['deploying'] = int(count)
        domains = []
        for template in data.get('domains', []):
            record = self.domain_record(str(template['name']))
            for field in ('service_type', 'cname_label', 'comment'):
                if template.get(field) is not None:
                    record[field] = str(template[field])
            certificate = template.get('certificate')
            record['certificate_id'] = None if certificate in (None, '') else self._seeded_certificate(certificate)
            domains.append(record['id'])
        result = {'certificates': created}
        if domains:
            result['domains'] = domains
        return result

    def _seeded_certificate(self, reference):
        reference = str(reference)
        for record in self.certificates.values():
            if not record['deleted'] and (str(record['id']) == reference or record['name'] == reference):
                return record['id']
        raise ValueError('domains: no certificate %r to use' % reference)

    # Accelerated domains -----------------------------------------------------------------------
    def domain_record(self, name):
        """The domain named ``name``, made (plain HTTP acceleration, no SSL) when there is none."""
        name = name.strip().lower()
        if not DOMAIN_NAME.match(name) or len(name) > 253:
            raise ValueError('domains: %r is not a domain name' % name)
        record = self.domains.get(name)
        if record is None:
            moment = self.emulator.now()
            record = dict(id=self.next_domain_id, name=name, certificate_id=None, service_type='web',
                          cname_label=None, comment='', created=moment, modified=moment, version=0)
            record['cname'] = '%s.cdn20.com' % hashlib.sha1(name.encode('utf-8')).hexdigest()[:14]
            self.domains[name] = record
            self.next_domain_id += 1
        return record

    def domains_using(self, certificate_id):
        return [domain for domain in self.domains.values() if domain['certificate_id'] == certificate_id]

    def _domain(self, reference):
        """By name or ID, as the pages take either in the path."""
        reference = unquote(reference).strip().lower()
        record = self.domains.get(reference)
        if record is None and reference.isdigit():
            record = next((domain for domain in self.domains.values() if domain['id'] == int(reference)), None)
        if record is None:
            raise NetcenterError(DOMAIN_CODES['no_such_domain'], 'the domain %s does not exist in this account'
                                 % reference, status=404)
        return record

    def domain_entry(self, record):
        return {'domain-name': record['name'], 'domain-id': record['id'], 'cname': record['cname'],
                'service-type': record['service_type'], 'status': 'Deployed', 'cdn-service-status': 'true',
                'enabled': 'true', 'last-modified': record['modified'].astimezone(CST).isoformat(timespec='seconds'),
                'billing-area': 'cn'}

    def domain_detail(self, record):
        ssl = {'use-ssl': 'true' if record['certificate_id'] else 'false',
               'use-for-sni': 'true' if record['certificate_id'] else 'false'}
        if record['certificate_id']:
            ssl['ssl-certificate-id'] = record['certificate_id']
        return {
            'domain-id': record['id'], 'domain-name': record['name'],
            'created-date': gmt8(record['created']), 'last-modified': gmt8(record['modified']),
            'service-type': record['service_type'], 'comment': record['comment'], 'service-areas': 'cn',
            'cname': record['cname'], 'status': 'Deployed', 'cdn-service-status': 'true', 'enabled': 'true',
            'cname-label': record['cname_label'] or '',
            'origin-config': {'originIps': '192.0.2.10', 'default-origin-host-header': record['name']},
            'ssl': ssl, 'header-of-clientip': 'Cdn-Src-Ip',
        }

    def list_domains(self, request):
        def action():
            label = request.query_value('cname-label')
            entries = [self.domain_entry(record) for record in self.domains.values()
                       if label is None or record['cname_label'] == label]
            return 200, {'domain-list': entries}, None
        return self.call(request, action)

    def show_domain(self, request):
        def action():
            return 200, self.domain_detail(self._domain(request.match.group('domain'))), None
        return self.call(request, action)

    def update_domain(self, request):
        def action():
            record = self._domain(request.match.group('domain'))
            body = self._body(request)
            ssl = body.get('ssl')
            certificate_id = record['certificate_id']
            if ssl is not None:
                certificate_id = self._ssl_setting(record, ssl)
            # Checked in full before anything changes: a refused edit changes nothing.
            record['certificate_id'] = certificate_id
            record['modified'] = self.emulator.now()
            record['version'] += 1
            return 202, {'message': 'success'}, {'x-cnc-deploy-version': str(record['version'])}
        return self.call(request, action)

    def _ssl_setting(self, record, ssl):
        """The certificate the domain will use after ``ssl`` (EditDomainConfigRequestSsl), or a refusal."""
        if not isinstance(ssl, dict):
            raise NetcenterError(DOMAIN_CODES['invalid'], 'ssl must be an object')
        use_ssl = ssl.get('use-ssl')
        if use_ssl not in ('true', 'false'):
            raise NetcenterError(DOMAIN_CODES['invalid'], 'ssl.use-ssl must be true or false')
        raw_id = ssl.get('ssl-certificate-id')
        if use_ssl == 'false':
            # The SDK's model: only with use-ssl true may ssl-certificate-id be given.
            if raw_id not in (None, ''):
                raise NetcenterError(DOMAIN_CODES['invalid'], 'ssl.ssl-certificate-id is only taken with use-ssl true')
            return None
        if ssl.get('use-for-sni') not in (None, 'true'):
            # "false means a shared certificate (not supported)".
            raise NetcenterError(DOMAIN_CODES['invalid'], 'ssl.use-for-sni false (a shared certificate) is not supported')
        if raw_id in (None, ''):
            raise NetcenterError(DOMAIN_CODES['invalid'], 'ssl.ssl-certificate-id is required with use-ssl true')
        certificate = self._get(str(raw_id))
        leaf = certificate['leaf']
        if not covers(pem.dns_names(leaf) or [pem.common_name(leaf)], record['name']):
            raise NetcenterError(36542024, record['name'])
        return certificate['id']


# ---------------------------------------------------------------------------------------------
# PEM as this API checks it

def cst(moment):
    return moment.astimezone(CST).strftime('%Y-%m-%d %H:%M:%S')


def gmt8(moment):
    """The domain pages' time format: ``Mon, 18 Feb 2019 02:54:19 GMT +8:00``."""
    return moment.astimezone(CST).strftime('%a, %d %b %Y %H:%M:%S GMT +8:00')


def check_lines(text, file_name):
    """No blank line, and every base64 line but the last of a block exactly 64 characters."""
    if re.search(r'\n[ \t\r]*\n', text.strip()):
        raise NetcenterError(36540072, 'The %s content can not contain blank line and must be 64 characters '
                                       'except for the last line.' % file_name)
    for match in BLOCK_TEXT.finditer(text):
        lines = match.group(0).split('\n')[1:-1]
        if any(len(line) != 64 for line in lines[:-1]) or (lines and not 0 < len(lines[-1]) <= 64):
            raise NetcenterError(36540072, 'The %s content can not contain blank line and must be 64 characters '
                                           'except for the last line.' % file_name)


def split_bundle(text):
    """The crt file (the first certificate) and the ca file (the others), as stored."""
    if text.count('-----BEGIN') != text.count('-----END'):
        raise NetcenterError(36540098, 'The number of BEGIN is not match the END statement in .crt file.')
    blocks = [match.group(0) for match in BLOCK_TEXT.finditer(text)]
    if not blocks:
        raise NetcenterError(36540101, 'The uploaded Crt certificate is invalid!')
    crt = blocks[0] + '\n'
    ca = ''.join(block + '\n' for block in blocks[1:])
    check_lines(crt, 'crt')
    if ca:
        check_lines(ca, 'ca')
    return crt, ca


def parse_leaf(crt_text, ca_text):
    try:
        (leaf,) = pem.certificates(crt_text)
    except (pem.BadPem, ValueError):
        raise NetcenterError(36540101, 'The uploaded Crt certificate is invalid!')
    if is_ca(leaf):
        raise NetcenterError(36540105, 'No CRT certificate be found in .crt and .crt file.')
    return leaf


def parse_chain(ca_text):
    if not ca_text:
        raise NetcenterError(36540103, 'No CA certificate be found in .crt and .crt file.')
    try:
        chain = pem.certificates(ca_text)
    except pem.BadPem:
        raise NetcenterError(36540102, 'The uploaded Ca files is invalid!')
    return chain


def check_chain(leaf, chain):
    entities = [certificate for certificate in chain if not is_ca(certificate)]
    if any(certificate != leaf for certificate in entities):
        raise NetcenterError(36540100, 'More than one CRT certificate be found in uploaded file.')
    authorities = [certificate for certificate in chain if is_ca(certificate)]
    if not authorities:
        raise NetcenterError(36540103, 'No CA certificate be found in .crt and .crt file.')
    if not issued_by(leaf, authorities[0]):
        raise NetcenterError(36540106, "Certificate's CA file is not match with CRT file.")
    # Incomplete (a link missing) or redundant (a repeat, or anything after a root).
    for child, parent in zip(authorities, authorities[1:]):
        if not issued_by(child, parent) or child.subject == child.issuer:
            raise NetcenterError(36540104, 'The CA certificate chain in uploaded files is invalid.')


def is_ca(certificate):
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return certificate.subject == certificate.issuer


def issued_by(child, parent):
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # InvalidSignature, or an algorithm cryptography cannot verify
        return False
    return True


def key_file(text):
    if text.count('-----BEGIN') != text.count('-----END'):
        raise NetcenterError(36540146, 'invalid sslKey.')
    blocks = [match.group(0) for match in BLOCK_TEXT.finditer(text)]
    if len(blocks) != 1:
        raise NetcenterError(36540146, 'invalid sslKey.')
    stored = blocks[0] + '\n'
    check_lines(stored, 'key')
    return stored


def covers(names, domain):
    for name in names:
        if name == domain or (name.startswith('*.') and domain.count('.') == name.count('.')
                              and domain.endswith(name[1:])):
            return True
    return False
