# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""CCM private CA (Huawei Cloud Certificate Manager, PCA): private CAs and the certificates they issue.

Global service: paths carry no project id. Paths, query parameters and fields are those of
huaweicloudsdkccm's v1 client and models; the apply call's limits are those of the seed page
(``POST /v1/private-certificates``). CAs are seeded (``{"ccm": {"authorities": [...]}}``) and backed by
real keys; apply issues a real X.509 certificate signed by the CA, kept with its key for export.

Times are milliseconds since the epoch, read from the emulator's clock (``POST /_emulator/clock``
moves it forward, so certificates age and expire).

Error codes are those of the reference's "PCA Error Codes" table where it has one: 400
``PCA.00020001`` (a parameter), ``PCA.00020101`` (distinguished name), ``PCA.00020102`` (key
algorithm), ``PCA.00020103`` (signature algorithm), ``PCA.00020109`` (validity), ``PCA.00020110``
(a DNS name), ``PCA.00020111`` (an IP), ``PCA.00020112`` (a SAN type), ``PCA.00020201`` (a CA ID
that is not lower-case hex ``8-4-4-4-12``); 404 ``PCA.00030102`` (not found). The message is the
table's, followed by the field and the reason in parentheses (the table gives only the bare text).

Assumptions the reference leaves open, made here and worth checking against the real service:
``PCA.10010003`` (400, the CA is not ACTIVED, or cannot revoke or export in its status) and
``PCA.10010004`` (400, the certificate's status does not allow the call) are stand-ins, as is
``PCA.1001{status}`` for an injected 5xx; ``serial_number`` is upper-case hex; ``YEAR`` is a
calendar year; a certificate may not outlive its CA; no key usage or EKU extension unless asked;
revoke and tag writes answer 204 (delete is documented 204); ``resource_detail`` of the tag filter
is null; a compressed export is a zip of ``certificate.pem``, ``certificate_chain.pem`` and
``private_key.pem``; ``limit=0`` lists nothing but still counts ``total``; ``enterprise_project_id``
on apply is ``0`` or a project ID (``all``, which the SDK's description allows, names no project to
issue into and is refused); no list takes it as a filter (none documents one).
"""

from __future__ import annotations

import datetime
import io
import ipaddress
import re
import uuid
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .base import ServiceError, status_phrase
from .huawei import HuaweiService

CERT_ID = r'(?P<certificate_id>[^/]+)'
CA_ID = r'(?P<ca_id>[^/]+)'
INVALID = 'PCA.00020001'
INVALID_DN = 'PCA.00020101'
INVALID_KEY_ALGORITHM = 'PCA.00020102'
INVALID_SIGNATURE_ALGORITHM = 'PCA.00020103'
INVALID_VALIDITY = 'PCA.00020109'
INVALID_DOMAIN = 'PCA.00020110'
INVALID_IP = 'PCA.00020111'
INVALID_SAN_TYPE = 'PCA.00020112'
INVALID_CA_ID = 'PCA.00020201'
NOT_FOUND = 'PCA.00030102'
CA_CANNOT_ISSUE = 'PCA.10010003'
WRONG_STATUS = 'PCA.10010004'
# The reference's messages, by code.
MESSAGES = {
    INVALID: 'Incorrect parameter.',
    INVALID_DN: 'Incorrect certificate distinguished name.',
    INVALID_KEY_ALGORITHM: 'Invalid key algorithm. Only RSA2048, RSA4096, EC256, and EC384 are supported.',
    INVALID_SIGNATURE_ALGORITHM: 'Invalid signature hash algorithm. Only SHA256, SHA384, and SHA512 are supported.',
    INVALID_VALIDITY: 'Invalid validity period type or value. Only year, month, or day supported.',
    INVALID_DOMAIN: 'Incorrect domain name.',
    INVALID_IP: 'Invalid IP. Enter an IPv4 address.',
    INVALID_SAN_TYPE: 'Invalid alternative name type of the certificate subject. Enter an IP or DNS.',
    INVALID_CA_ID: 'Invalid CA ID. Valid CA IDs use a hexadecimal xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx format.',
    NOT_FOUND: 'CA or certificate is not found.',
}
CA_ID_PATTERN = re.compile(r'^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$')
ENTERPRISE_PROJECT = re.compile(r'^(0|[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})$')
MAX_FILTER_TAGS = 20
MAX_FILTER_VALUES = 20

KEY_ALGORITHMS = ('RSA2048', 'RSA4096', 'EC256', 'EC384')
SIGNATURE_ALGORITHMS = {'SHA256': hashes.SHA256, 'SHA384': hashes.SHA384, 'SHA512': hashes.SHA512}
DN_FIELDS = (('common_name', NameOID.COMMON_NAME, 1, 64), ('country', NameOID.COUNTRY_NAME, 2, 2),
             ('state', NameOID.STATE_OR_PROVINCE_NAME, 1, 128), ('locality', NameOID.LOCALITY_NAME, 1, 128),
             ('organization', NameOID.ORGANIZATION_NAME, 1, 64),
             ('organizational_unit', NameOID.ORGANIZATIONAL_UNIT_NAME, 1, 64))
# The subject's attribute order in issued certificates (the usual C, ST, L, O, OU, CN).
SUBJECT_ORDER = ('country', 'state', 'locality', 'organization', 'organizational_unit', 'common_name')
KEY_USAGES = ('digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
              'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly')
SAN_LIMITS = {'DNS': 253, 'IP': 39, 'EMAIL': 256, 'URI': 253}
MAX_SANS = 20
EKU = {'server_auth': ExtendedKeyUsageOID.SERVER_AUTH, 'client_auth': ExtendedKeyUsageOID.CLIENT_AUTH,
       'code_signing': ExtendedKeyUsageOID.CODE_SIGNING, 'email_protection': ExtendedKeyUsageOID.EMAIL_PROTECTION,
       'time_stamping': ExtendedKeyUsageOID.TIME_STAMPING,
       'smart_card_logon': x509.ObjectIdentifier('1.3.6.1.4.1.311.20.2.2')}
OID = re.compile(r'^[0-2](\.(0|[1-9][0-9]*))+$')
VALIDITY_TYPES = ('YEAR', 'MONTH', 'DAY', 'HOUR')
MAX_YEARS = 20
CERTIFICATE_STATUSES = ('ISSUED', 'REVOKED', 'EXPIRED')
CA_STATUSES = ('PENDING', 'ACTIVED', 'DISABLED', 'DELETED', 'EXPIRED')
CA_STATUSES_EXPORTING = ('ACTIVED', 'DISABLED', 'EXPIRED')
CA_STATUSES_REVOKING = ('ACTIVED', 'DISABLED')
CA_TYPES = ('ROOT', 'SUBORDINATE')
REVOCATION_REASONS = ('UNSPECIFIED', 'KEY_COMPROMISE', 'CERTIFICATE_AUTHORITY_COMPROMISE', 'AFFILIATION_CHANGED',
                      'SUPERSEDED', 'CESSATION_OF_OPERATION', 'CERTIFICATE_HOLD', 'PRIVILEGE_WITHDRAWN',
                      'ATTRIBUTE_AUTHORITY_COMPROMISE')
EXPORT_TYPES = ('APACHE', 'NGINX', 'IIS', 'TOMCAT', 'OTHER')
SORT_KEYS = ('create_time', 'common_name', 'issuer_name', 'not_after')
# "type" in the current reference, "ca_type" in the 2022 one.
CA_SORT_KEYS = ('create_time', 'common_name', 'type', 'ca_type', 'not_after')
FILTER_LIMITS = (10, 20, 50)
MAX_LIST_LIMIT = 1000
TAG_KEY = re.compile(r'^[\w .:=+\-@]{1,128}$', re.UNICODE)
TAG_VALUE = re.compile(r'^[\w .:/=+\-@]{0,255}$', re.UNICODE)


def field_code(field):
    """The table's code for a refused ``field`` (its most specific row), else the generic one."""
    if field.startswith('distinguished_name'):
        return INVALID_DN
    if field.startswith('validity'):
        return INVALID_VALIDITY
    return {'key_algorithm': INVALID_KEY_ALGORITHM, 'signature_algorithm': INVALID_SIGNATURE_ALGORITHM,
            'issuer_id': INVALID_CA_ID}.get(field, INVALID)


def invalid(field, reason, code=None):
    code = code or field_code(field)
    return ServiceError(400, code, '%s (%s: %s)' % (MESSAGES[code], field, reason))


def not_found(what):
    return ServiceError(404, NOT_FOUND, '%s (%s)' % (MESSAGES[NOT_FOUND], what))


def millis(moment):
    return int(moment.timestamp() * 1000)


def new_key(algorithm):
    if algorithm.startswith('RSA'):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(algorithm[3:]))
    return ec.generate_private_key(ec.SECP256R1() if algorithm == 'EC256' else ec.SECP384R1())


def pem_of(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode('ascii')


def key_pem_of(key, password=None):
    encryption = (serialization.BestAvailableEncryption(password.encode('utf-8')) if password
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption).decode('ascii')


def utf8_string_der(text):
    """DER of an ASN.1 UTF8String (the customized extension's value, at most 64 characters)."""
    data = text.encode('utf-8')
    length = bytes([len(data)]) if len(data) < 128 else bytes([0x81, len(data)])
    return b'\x0c' + length + data


def add_validity(start, validity_type, value):
    if validity_type == 'YEAR':
        try:
            return start.replace(year=start.year + value)
        except ValueError:  # 29 February
            return start.replace(year=start.year + value, day=28)
    hours = {'MONTH': 31 * 24, 'DAY': 24, 'HOUR': 1}[validity_type]
    return start + datetime.timedelta(hours=hours * value)


class CcmService(HuaweiService):
    name = 'ccm'
    PATH_PREFIXES = ('/v1/private-certificate',)

    def reset(self):
        self.authorities = {}    # ca id -> record (with _key and _certificate)
        self.certificates = {}   # certificate id -> record (with _key, _certificate, _tags)

    def routes(self):
        certificates = r'/v1/private-certificates'
        item = certificates + '/' + CERT_ID
        authorities = r'/v1/private-certificate-authorities'
        return [
            self.route('POST', certificates + r'/resource-instances/filter', self.filter_by_tags),
            self.route('GET', certificates, self.list),
            self.route('POST', certificates, self.apply),
            self.route('GET', item, self.show),
            self.route('DELETE', item, self.delete),
            self.route('POST', item + r'/export', self.export),
            self.route('POST', item + r'/revoke', self.revoke),
            self.route('GET', item + r'/tags', self.list_tags),
            self.route('POST', item + r'/tags/create', self.create_tags),
            self.route('DELETE', item + r'/tags/delete', self.delete_tags),
            self.route('GET', authorities, self.list_authorities),
            self.route('GET', authorities + '/' + CA_ID, self.show_authority),
            self.route('POST', authorities + '/' + CA_ID + r'/export', self.export_authority),
        ]

    def bad_request(self, message, request_id):
        return self.error(400, INVALID, message, request_id)

    def fault_body(self, status, request_id):
        body = super().fault_body(status, request_id)
        if status >= 500:
            # The service's own failures carry its prefix (the code is a stand-in) and, for a 500, the reference's
            # wording of that status ("Internal service error."); throttling stays the API gateway's.
            body['error_code'] = 'PCA.1001%04d' % status
            body['error_msg'] = 'Internal service error.' if status == 500 else status_phrase(status)
        return body

    def now(self):
        return self.emulator.now()

    # Seeding -------------------------------------------------------------------------------------
    def seed(self, data):
        made = []
        for spec in data.get('authorities', []):
            made.append(self._seed_authority(spec)['ca_id'])
        return {'authorities': made}

    def _seed_authority(self, spec):
        ca_id = spec.get('id') or str(uuid.uuid4())
        key_algorithm = spec.get('key_algorithm', 'RSA2048')
        signature_algorithm = spec.get('signature_algorithm', 'SHA256')
        if key_algorithm not in KEY_ALGORITHMS or signature_algorithm not in SIGNATURE_ALGORITHMS:
            raise ValueError('authority %s: key_algorithm one of %s, signature_algorithm one of %s'
                             % (ca_id, KEY_ALGORITHMS, tuple(SIGNATURE_ALGORITHMS)))
        if spec.get('status', 'ACTIVED') not in CA_STATUSES:
            raise ValueError('authority %s: status one of %s' % (ca_id, CA_STATUSES))
        parent = self.authorities.get(spec['issuer_id']) if spec.get('issuer_id') else None
        if spec.get('issuer_id') and parent is None:
            raise ValueError('authority %s: issuer_id %s is not a seeded authority' % (ca_id, spec['issuer_id']))
        dn = dict(common_name=spec['common_name'], country=spec.get('country', 'CN'),
                  state=spec.get('state', 'Guangdong'), locality=spec.get('locality', 'Shenzhen'),
                  organization=spec.get('organization', 'certfleet emulator'),
                  organizational_unit=spec.get('organizational_unit', 'PKI'))
        key = new_key(key_algorithm)
        now = self.now()
        not_after = now + datetime.timedelta(days=float(spec.get('validity_days', 3650)))
        subject = self._name(dn)
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(parent['_certificate'].subject if parent else subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None if parent is None else 0),
                                  critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=True, crl_sign=True, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        signer = parent['_key'] if parent else key
        certificate = builder.sign(signer, SIGNATURE_ALGORITHMS[signature_algorithm]())
        record = dict(
            ca_id=ca_id, type='SUBORDINATE' if parent else 'ROOT', status=spec.get('status', 'ACTIVED'),
            path_length=0 if parent else 7, issuer_id=parent['ca_id'] if parent else None,
            issuer_name=parent['distinguished_name']['common_name'] if parent else None,
            key_algorithm=key_algorithm, signature_algorithm=signature_algorithm, freeze_flag=0, gen_mode='GENERATE',
            serial_number='%X' % certificate.serial_number, create_time=millis(now), delete_time=None,
            not_before=millis(now - datetime.timedelta(minutes=5)), not_after=millis(not_after),
            distinguished_name=dn, crl_configuration={'enabled': False}, enterprise_project_id='0',
            free_quota=0, charging_mode=1, cluster_id=None, domain_id='d' * 32,
            _key=key, _certificate=certificate, _parent=parent)
        self.authorities[ca_id] = record
        return record

    @staticmethod
    def _name(dn):
        fields = dict((field, oid) for field, oid, dummy, dummy2 in DN_FIELDS)
        return x509.Name([x509.NameAttribute(fields[field], dn[field]) for field in SUBJECT_ORDER if dn.get(field)])

    # Views ---------------------------------------------------------------------------------------
    def _settle(self, record):
        """ISSUED turns EXPIRED once the emulated clock passes ``not_after``."""
        if record['status'] == 'ISSUED' and record['not_after'] <= millis(self.now()):
            record['status'] = 'EXPIRED'
        return record

    def _settle_authority(self, record):
        if record['status'] == 'ACTIVED' and record['not_after'] <= millis(self.now()):
            record['status'] = 'EXPIRED'
        return record

    @staticmethod
    def view(record):
        return dict((key, value) for key, value in record.items() if not key.startswith('_'))

    def _certificate(self, certificate_id):
        record = self.certificates.get(certificate_id)
        if record is None:
            raise not_found('the private certificate %s does not exist' % certificate_id)
        return self._settle(record)

    def _authority(self, ca_id):
        record = self.authorities.get(ca_id)
        if record is None:
            raise not_found('the CA %s does not exist' % ca_id)
        return self._settle_authority(record)

    @staticmethod
    def _json(request):
        try:
            body = request.json()
        except ValueError:
            raise invalid('body', 'is not JSON')
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise invalid('body', 'must be a JSON object')
        return body

    # Apply ---------------------------------------------------------------------------------------
    def apply(self, request):
        return self.call(request, lambda: (200, {'certificate_id': self._issue(self._json(request))}))

    @staticmethod
    def _text(value, field, minimum, maximum):
        if not isinstance(value, str) or not minimum <= len(value) <= maximum:
            raise invalid(field, 'must be a string of %d to %d characters' % (minimum, maximum))
        return value

    def _issue(self, body):
        issuer_id = body.get('issuer_id')
        if not isinstance(issuer_id, str) or not CA_ID_PATTERN.match(issuer_id):
            raise invalid('issuer_id', 'must be a CA ID')
        enterprise_project_id = body.get('enterprise_project_id')
        if enterprise_project_id is not None and (not isinstance(enterprise_project_id, str)
                                                  or not ENTERPRISE_PROJECT.match(enterprise_project_id)):
            raise invalid('enterprise_project_id', 'must be "0" or the ID of an enterprise project')
        key_algorithm = body.get('key_algorithm')
        if key_algorithm not in KEY_ALGORITHMS:
            raise invalid('key_algorithm', 'must be one of %s' % ', '.join(KEY_ALGORITHMS))
        signature_algorithm = body.get('signature_algorithm')
        if signature_algorithm not in SIGNATURE_ALGORITHMS:
            raise invalid('signature_algorithm', 'must be one of %s' % ', '.join(SIGNATURE_ALGORITHMS))
        requested_dn = self._distinguished_name(body.get('distinguished_name'))
        now = self.now()
        not_before, not_after = self._validity(body.get('validity'), now)
        key_usages = self._key_usages(body.get('key_usages'))
        sans = self._subject_alternative_names(body.get('subject_alternative_names'))
        eku = self._extended_key_usage(body.get('extended_key_usage'))
        extension = self._customized_extension(body.get('customized_extension'))
        authority = self._authority(issuer_id)
        if authority['status'] != 'ACTIVED':
            raise ServiceError(400, CA_CANNOT_ISSUE, 'The CA %s is %s; only an ACTIVED CA issues certificates'
                               % (issuer_id, authority['status']))
        if millis(not_after) > authority['not_after']:
            raise invalid('validity', 'the certificate would outlive its CA (CA not_after %d)' % authority['not_after'])
        dn = dict((field, requested_dn.get(field) or authority['distinguished_name'].get(field))
                  for field in SUBJECT_ORDER)
        key = new_key(key_algorithm)
        builder = (x509.CertificateBuilder().subject_name(self._name(dn))
                   .issuer_name(authority['_certificate'].subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(not_before)
                   .not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       authority['_key'].public_key()), critical=False))
        if key_usages:
            builder = builder.add_extension(key_usages, critical=True)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        if extension:
            builder = builder.add_extension(extension, critical=False)
        certificate = builder.sign(authority['_key'], SIGNATURE_ALGORITHMS[signature_algorithm]())
        certificate_id = str(uuid.uuid4())
        self.certificates[certificate_id] = dict(
            certificate_id=certificate_id, status='ISSUED', issuer_id=issuer_id,
            issuer_name=authority['distinguished_name']['common_name'], key_algorithm=key_algorithm,
            signature_algorithm=signature_algorithm, freeze_flag=0, gen_mode='GENERATE',
            serial_number='%X' % certificate.serial_number, create_time=millis(now), delete_time=None,
            not_before=millis(not_before), not_after=millis(not_after), distinguished_name=dn,
            enc_cert_info=None, enterprise_project_id=enterprise_project_id or '0',
            _key=key, _certificate=certificate, _authority=authority, _tags=[])
        return certificate_id

    def _distinguished_name(self, value):
        if not isinstance(value, dict):
            raise invalid('distinguished_name', 'is required (an object with common_name)')
        dn = {}
        for field, dummy, minimum, maximum in DN_FIELDS:
            if field in value and value[field] is not None or field == 'common_name':
                dn[field] = self._text(value.get(field), 'distinguished_name.' + field, minimum, maximum)
        if 'country' in dn and not re.match(r'^[A-Za-z]{2}$', dn['country']):
            raise invalid('distinguished_name.country', 'must match [A-Za-z]{2}')
        return dn

    def _validity(self, value, now):
        if not isinstance(value, dict):
            raise invalid('validity', 'is required (an object with type and value)')
        validity_type = value.get('type')
        if validity_type not in VALIDITY_TYPES:
            raise invalid('validity.type', 'must be one of %s' % ', '.join(VALIDITY_TYPES))
        amount = value.get('value')
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
            raise invalid('validity.value', 'must be a positive integer')
        start = now
        if value.get('start_from') is not None:
            start_from = value['start_from']
            if not isinstance(start_from, int) or isinstance(start_from, bool):
                raise invalid('validity.start_from', 'must be a timestamp in milliseconds')
            if start_from < millis(now - datetime.timedelta(minutes=5)):
                raise invalid('validity.start_from', 'cannot be earlier than the current time minus 5 minutes')
            start = datetime.datetime.fromtimestamp(start_from / 1000.0, datetime.timezone.utc)
        if amount > {'YEAR': MAX_YEARS, 'MONTH': MAX_YEARS * 12, 'DAY': MAX_YEARS * 365,
                     'HOUR': MAX_YEARS * 365 * 24}[validity_type]:
            raise invalid('validity.value', 'a private certificate is valid for at most %d years' % MAX_YEARS)
        return start, add_validity(start, validity_type, amount)

    @staticmethod
    def _key_usages(value):
        if value is None:
            return None
        if not isinstance(value, list) or any(item not in KEY_USAGES for item in value):
            raise invalid('key_usages', 'each must be one of %s' % ', '.join(KEY_USAGES))
        if not value:
            return None
        wanted = set(value)
        return x509.KeyUsage(
            digital_signature='digitalSignature' in wanted, content_commitment='nonRepudiation' in wanted,
            key_encipherment='keyEncipherment' in wanted, data_encipherment='dataEncipherment' in wanted,
            key_agreement='keyAgreement' in wanted or bool(wanted & {'encipherOnly', 'decipherOnly'}),
            key_cert_sign='keyCertSign' in wanted, crl_sign='cRLSign' in wanted,
            encipher_only='encipherOnly' in wanted, decipher_only='decipherOnly' in wanted)

    @staticmethod
    def _subject_alternative_names(value):
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_SANS:
            raise invalid('subject_alternative_names', 'must be a list of at most %d names' % MAX_SANS)
        names = []
        for index, item in enumerate(value):
            field = 'subject_alternative_names[%d]' % index
            if not isinstance(item, dict) or item.get('type') not in SAN_LIMITS:
                raise invalid(field + '.type', 'must be one of %s' % ', '.join(SAN_LIMITS), INVALID_SAN_TYPE)
            text = item.get('value')
            value_code = {'DNS': INVALID_DOMAIN, 'IP': INVALID_IP}.get(item['type'], INVALID)
            if not isinstance(text, str) or len(text) > SAN_LIMITS[item['type']]:
                raise invalid(field + '.value', 'must be at most %d characters for %s'
                              % (SAN_LIMITS[item['type']], item['type']), value_code)
            if item['type'] == 'DNS':
                names.append(x509.DNSName(text))
            elif item['type'] == 'IP':
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(text)))
                except ValueError:
                    raise invalid(field + '.value', '%r is not an IPv4 or IPv6 address' % text, INVALID_IP)
            elif item['type'] == 'EMAIL':
                names.append(x509.RFC822Name(text))
            else:
                names.append(x509.UniformResourceIdentifier(text))
        return names

    @staticmethod
    def _extended_key_usage(value):
        if value is None:
            return []
        if not isinstance(value, dict) or any(key not in EKU or not isinstance(flag, bool)
                                              for key, flag in value.items()):
            raise invalid('extended_key_usage', 'takes the booleans %s' % ', '.join(EKU))
        return [EKU[key] for key in EKU if value.get(key)]

    @staticmethod
    def _customized_extension(value):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid('customized_extension', 'must be an object')
        oid, text = value.get('object_identifier'), value.get('value')
        if oid is None and text is None:
            return None
        if not isinstance(oid, str) or not 1 <= len(oid) <= 64 or not OID.match(oid):
            raise invalid('customized_extension.object_identifier', 'must be a dotted OID of 1 to 64 characters')
        if not isinstance(text, str) or not 1 <= len(text) <= 64:
            raise invalid('customized_extension.value', 'must be 1 to 64 characters')
        return x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), utf8_string_der(text))

    # Reads ---------------------------------------------------------------------------------------
    def show(self, request):
        return self.call(request, lambda: (200, self.view(self._certificate(request.match.group('certificate_id')))))

    @staticmethod
    def _paging(request, default_limit=10, maximum=MAX_LIST_LIMIT):
        try:
            limit = int(request.query_value('limit', default_limit))
            offset = int(request.query_value('offset', 0))
        except ValueError:
            raise invalid('limit', 'limit and offset must be integers')
        # The reference's minimum is 0; what a zero limit lists it does not say (here: nothing).
        if not 0 <= limit <= maximum:
            raise invalid('limit', 'must be 0 to %d' % maximum)
        if offset < 0:
            raise invalid('offset', 'must be 0 or more')
        return limit, offset

    @staticmethod
    def _sorted(records, request, keys, name_of):
        sort_key = request.query_value('sort_key', 'create_time')
        sort_dir = request.query_value('sort_dir', 'DESC')
        if sort_key not in keys:
            raise invalid('sort_key', 'must be one of %s' % ', '.join(keys))
        if sort_dir not in ('ASC', 'DESC'):
            raise invalid('sort_dir', 'must be ASC or DESC')
        field = {'ca_type': 'type'}.get(sort_key, sort_key)
        value_of = name_of if sort_key == 'common_name' else (lambda record: record.get(field) or '')
        return sorted(records, key=value_of, reverse=sort_dir == 'DESC')

    def list(self, request):
        def action():
            limit, offset = self._paging(request)
            name, status = request.query_value('name'), request.query_value('status')
            if status is not None and status not in CERTIFICATE_STATUSES:
                raise invalid('status', 'must be one of %s' % ', '.join(CERTIFICATE_STATUSES))
            records = [self._settle(record) for record in self.certificates.values()]
            records = [record for record in records
                       if (not name or name in record['distinguished_name']['common_name'])
                       and status in (None, record['status'])]
            records = self._sorted(records, request, SORT_KEYS,
                                   lambda record: record['distinguished_name']['common_name'])
            return 200, {'total': len(records),
                         'certificates': [self.view(record) for record in records[offset:offset + limit]]}
        return self.call(request, action)

    # Export, revoke, delete ----------------------------------------------------------------------
    def export(self, request):
        def action():
            record = self._certificate(request.match.group('certificate_id'))
            body = self._json(request)
            export_type = body.get('type')
            if export_type not in EXPORT_TYPES:
                raise invalid('type', 'must be one of %s' % ', '.join(EXPORT_TYPES))
            compressed = body.get('is_compressed', 'false')
            if compressed not in ('true', 'false'):
                raise invalid('is_compressed', 'must be "true" or "false"')
            password = body.get('password')
            if password is not None and (not isinstance(password, str) or not 1 <= len(password.encode()) <= 32):
                raise invalid('password', 'must be 1 to 32 bytes')
            if record['status'] != 'ISSUED':
                raise ServiceError(400, WRONG_STATUS, 'The certificate %s is %s; only an ISSUED certificate is '
                                                      'exported' % (record['certificate_id'], record['status']))
            self._authority_allows(record, CA_STATUSES_EXPORTING, 'export')
            if compressed == 'false' and export_type in ('IIS', 'TOMCAT'):
                raise invalid('is_compressed', 'type %s is exported compressed only' % export_type)
            files = dict(certificate=pem_of(record['_certificate']),
                         certificate_chain=''.join(pem_of(authority['_certificate'])
                                                   for authority in self._chain_of(record['_authority'])),
                         private_key=key_pem_of(record['_key'], password))
            return 200, self._zip(files) if compressed == 'true' else files
        response = self.call(request, action)
        if isinstance(response.body, bytes):
            response.raw = response.body
            response.headers['Content-Type'] = 'application/zip'
        return response

    def _authority_allows(self, record, statuses, verb):
        """What a CA in each status still does (the reference's "Private CA Statuses" table)."""
        authority = self._settle_authority(record['_authority'])
        if authority['status'] not in statuses:
            raise ServiceError(400, CA_CANNOT_ISSUE, 'The CA %s is %s; it cannot %s certificate %s'
                               % (authority['ca_id'], authority['status'], verb, record['certificate_id']))

    @staticmethod
    def _chain_of(authority):
        chain = []
        while authority is not None:
            chain.append(authority)
            authority = authority['_parent']
        return chain

    @staticmethod
    def _zip(files):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as archive:
            for name, text in files.items():
                archive.writestr(name + '.pem', text)
        return buffer.getvalue()

    def revoke(self, request):
        def action():
            record = self._certificate(request.match.group('certificate_id'))
            if not request.body:
                # The reference: without a reason, send {}; no body at all is an error.
                raise invalid('body', 'is required; {} revokes with the reason UNSPECIFIED')
            body = self._json(request)
            reason = body.get('reason', 'UNSPECIFIED')
            if reason not in REVOCATION_REASONS:
                raise invalid('reason', 'must be one of %s' % ', '.join(REVOCATION_REASONS))
            if record['status'] != 'ISSUED':
                raise ServiceError(400, WRONG_STATUS, 'The certificate %s is %s; only an ISSUED certificate can be '
                                                      'revoked' % (record['certificate_id'], record['status']))
            self._authority_allows(record, CA_STATUSES_REVOKING, 'revoke')
            record['status'] = 'REVOKED'
            record['_revocation_reason'] = reason
            return 204, None
        return self.call(request, action)

    def delete(self, request):
        def action():
            record = self._certificate(request.match.group('certificate_id'))
            del self.certificates[record['certificate_id']]
            return 204, None
        return self.call(request, action)

    # Tags ----------------------------------------------------------------------------------------
    def _tags_body(self, request):
        body = self._json(request)
        tags = body.get('tags')
        if not isinstance(tags, list) or not tags:
            raise invalid('tags', 'must be a non-empty list of {key, value}')
        for index, tag in enumerate(tags):
            if not isinstance(tag, dict) or not isinstance(tag.get('key'), str) or not TAG_KEY.match(tag['key']):
                raise invalid('tags[%d].key' % index, 'must be 1 to 128 letters, digits, spaces or _.:=+-@')
            value = tag.get('value', '')
            if not isinstance(value, str) or not TAG_VALUE.match(value):
                raise invalid('tags[%d].value' % index, 'must be 0 to 255 letters, digits, spaces or _.:/=+-@')
        return tags

    def list_tags(self, request):
        return self.call(request, lambda: (200, {'tags': [dict(tag) for tag in self._certificate(
            request.match.group('certificate_id'))['_tags']]}))

    def create_tags(self, request):
        def action():
            record = self._certificate(request.match.group('certificate_id'))
            for tag in self._tags_body(request):
                record['_tags'] = [kept for kept in record['_tags'] if kept['key'] != tag['key']]
                record['_tags'].append({'key': tag['key'], 'value': tag.get('value', '')})
            return 204, None
        return self.call(request, action)

    def delete_tags(self, request):
        def action():
            record = self._certificate(request.match.group('certificate_id'))
            for tag in self._tags_body(request):
                record['_tags'] = [kept for kept in record['_tags']
                                   if not (kept['key'] == tag['key'] and kept['value'] == tag.get('value', ''))]
            return 204, None
        return self.call(request, action)

    def filter_by_tags(self, request):
        def action():
            body = self._json(request)
            limit, offset = body.get('limit', 10), body.get('offset', 0)
            if limit not in FILTER_LIMITS:
                raise invalid('limit', 'must be one of %s' % ', '.join(str(item) for item in FILTER_LIMITS))
            if not isinstance(offset, int) or offset < 0:
                raise invalid('offset', 'must be 0 or more')
            wanted = body.get('tags') or []
            if not isinstance(wanted, list) or any(not isinstance(tag, dict) or not isinstance(tag.get('key'), str)
                                                   or not isinstance(tag.get('values'), list) for tag in wanted):
                raise invalid('tags', 'must be a list of {key, values}')
            # The SDK model's description: at most 20 keys, 20 values each, no key twice.
            if len(wanted) > MAX_FILTER_TAGS or len(set(tag['key'] for tag in wanted)) != len(wanted):
                raise invalid('tags', 'at most %d distinct keys' % MAX_FILTER_TAGS)
            if any(len(tag['values']) > MAX_FILTER_VALUES for tag in wanted):
                raise invalid('tags', 'at most %d values for a key' % MAX_FILTER_VALUES)
            matches = body.get('matches') or []
            if any(not isinstance(match, dict) or match.get('key') != 'resource_name' for match in matches):
                raise invalid('matches', 'only the key resource_name is supported')

            def selected(record):
                tags = dict((tag['key'], tag['value']) for tag in record['_tags'])
                for tag in wanted:
                    if tag['key'] not in tags or (tag['values'] and tags[tag['key']] not in tag['values']):
                        return False
                name = record['distinguished_name']['common_name']
                return all(match.get('value', '') in name for match in matches)

            records = sorted((record for record in self.certificates.values() if selected(record)),
                             key=lambda record: record['create_time'])
            return 200, {'total_count': len(records), 'resources': [
                dict(resource_id=record['certificate_id'], resource_detail=None,
                     resource_name=record['distinguished_name']['common_name'],
                     tags=[dict(tag) for tag in record['_tags']]) for record in records[offset:offset + limit]]}
        return self.call(request, action)

    # Authorities ---------------------------------------------------------------------------------
    def list_authorities(self, request):
        def action():
            limit, offset = self._paging(request)
            name, status, ca_type = (request.query_value('name'), request.query_value('status'),
                                     request.query_value('type'))
            # owned_by_self (the current reference): every seeded CA is the account's own, so either value lists all.
            if request.query_value('owned_by_self') not in (None, 'true', 'false'):
                raise invalid('owned_by_self', 'must be true or false')
            if status is not None and status not in CA_STATUSES:
                raise invalid('status', 'must be one of %s' % ', '.join(CA_STATUSES))
            if ca_type is not None and ca_type not in CA_TYPES:
                raise invalid('type', 'must be one of %s' % ', '.join(CA_TYPES))
            records = [self._settle_authority(record) for record in self.authorities.values()]
            records = [record for record in records
                       if (not name or name in record['distinguished_name']['common_name'])
                       and status in (None, record['status']) and ca_type in (None, record['type'])]
            records = self._sorted(records, request, CA_SORT_KEYS,
                                   lambda record: record['distinguished_name']['common_name'])
            return 200, {'total': len(records),
                         'certificate_authorities': [self.view(record) for record in records[offset:offset + limit]]}
        return self.call(request, action)

    def show_authority(self, request):
        return self.call(request, lambda: (200, self.view(self._authority(request.match.group('ca_id')))))

    def export_authority(self, request):
        def action():
            authority = self._authority(request.match.group('ca_id'))
            chain = self._chain_of(authority['_parent'])
            return 200, {'certificate': pem_of(authority['_certificate']),
                         'certificate_chain': ''.join(pem_of(item['_certificate']) for item in chain)}
        return self.call(request, action)
