# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PEM and X.509 handling with ``cryptography``: parsing, the certificate-bundle input and the
shared certificate ``summary``.

Every failure raises ``InputError`` naming the option it came from, so a module can report it
before anything is sent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import datetime
import hashlib
import re

from ansible_collections.certfleet.cloud.plugins.module_utils import sm2
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError, check_length
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import LazyModule, MissingLibraryError

# cryptography is imported when a certificate is first parsed, not with this file: a run that parses
# no PEM (an info run without certificates, a deletion, input refused before parsing) never pays for
# it. ``serialization`` (which brings the SSH key and cipher code along) only when a key is read or
# compared. Either raises MissingLibraryError (a ConfigurationError) when cryptography does not import.
x509 = LazyModule('cryptography.x509')
serialization = LazyModule('cryptography.hazmat.primitives.serialization')


def __getattr__(name):
    """``CRYPTOGRAPHY_IMPORT_ERROR``, as before cryptography was imported lazily: the traceback, or None.

    Reading it imports cryptography; the module base class checks with ``find_spec`` instead.
    """
    if name == 'CRYPTOGRAPHY_IMPORT_ERROR':
        return x509.import_error() or serialization.import_error()
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


# Tolerates CRLF, blank lines, indentation and the one-line form
# ``-----BEGIN CERTIFICATE-----MIIC...-----END CERTIFICATE-----``. Blocks are found from their
# BEGIN and END lines in one pass (a lazy ``BEGIN.*?END`` is quadratic on unclosed BEGIN lines).
PEM_MARKER = re.compile(r'-----(BEGIN|END) ([A-Z0-9 ]+)-----')
PEM_HEADER_LINE = re.compile(r'^[A-Za-z-]+:.*$', re.MULTILINE)
PRIVATE_KEY_LABELS = ('PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'SM2 PRIVATE KEY')
ENCRYPTED_KEY_LABEL = 'ENCRYPTED PRIVATE KEY'
# No certificate bundle or key the services take comes near this; a longer text is refused before
# it is parsed, naming the field.
MAX_PEM_CHARS = 1024 * 1024


def pem_spans(text):
    """Every PEM block of ``text`` in one pass: ``(begin label, body, end label or None, start, end)``.

    A BEGIN line with no END line before the next BEGIN (or the end) is an unclosed block: its end
    label is None and its body runs to that next BEGIN line.
    """
    spans = []
    opened = None
    for marker in PEM_MARKER.finditer(text):
        kind, label = marker.group(1), marker.group(2).strip()
        if kind == 'BEGIN':
            if opened is not None:
                spans.append((opened.group(2).strip(), text[opened.end():marker.start()], None, opened.start(),
                              marker.start()))
            opened = marker
        elif opened is not None:
            spans.append((opened.group(2).strip(), text[opened.end():marker.start()], label, opened.start(), marker.end()))
            opened = None
    if opened is not None:
        spans.append((opened.group(2).strip(), text[opened.end():], None, opened.start(), len(text)))
    return spans


def pem_blocks(text, field):
    """Return ``[(label, der_bytes)]`` for every PEM block in ``text``."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(field, 'is empty; expected PEM text')
    if len(text) > MAX_PEM_CHARS:
        raise InputError(field, 'is %d characters long; PEM text of at most %d is read' % (len(text), MAX_PEM_CHARS))
    blocks = []
    spans = pem_spans(text)
    for begin, body, end, dummy, dummy in spans:
        if end is None:
            raise InputError(field, 'has a "-----BEGIN %s-----" line without its "-----END %s-----" line '
                                    '(truncated?)' % (begin, begin))
        if begin != end:
            raise InputError(field, 'PEM block "BEGIN %s" is closed by "END %s"' % (begin, end))
        if PEM_HEADER_LINE.search(body):
            raise InputError(field, 'PEM block "%s" has headers (Proc-Type/DEK-Info): encrypted legacy PEM '
                                    'is not supported, provide it unencrypted' % begin)
        compact = re.sub(r'\s+', '', body)
        try:
            der = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise InputError(field, 'PEM block "%s" is not valid base64' % begin)
        if not der:
            raise InputError(field, 'PEM block "%s" is empty' % begin)
        blocks.append((begin, der))
    if not blocks:
        raise InputError(field, 'no PEM block found (expected "-----BEGIN ...-----")')
    outside, position = [], 0
    for dummy, dummy, dummy, start, stop in spans:
        outside.append(text[position:start])
        position = stop
    outside.append(text[position:])
    leftovers = ''.join(outside).strip()
    if leftovers:
        # Only the size: the leftover may be a piece of a private key.
        raise InputError(field, 'has %d characters of text outside its PEM blocks (truncated or pasted twice?)'
                         % len(leftovers))
    if text.count('-----BEGIN ') != len(blocks) or text.count('-----END ') != len(blocks):
        raise InputError(field, 'has unbalanced BEGIN/END lines')
    return blocks


def der_to_pem(label, der):
    encoded = base64.b64encode(der).decode('ascii')
    lines = [encoded[i:i + 64] for i in range(0, len(encoded), 64)]
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label)


def canonical_pem(text, field):
    """Re-encode every block from its DER: 64-column lines, LF, one trailing newline per block.

    Any well-formed input becomes the same bytes, which the services accept.
    """
    return ''.join(der_to_pem(label, der) for label, der in pem_blocks(text, field))


class Certificate:
    """One parsed certificate and the facts the modules compare and show."""

    def __init__(self, der, field, index=0):
        self.der = der
        self.field = field
        self.index = index
        try:
            self.x509 = x509.load_der_x509_certificate(der)
        except ValueError as exc:
            raise InputError(field, 'certificate #%d does not parse: %s' % (index + 1, exc))

    @property
    def sha256_fingerprint(self):
        return hashlib.sha256(self.der).hexdigest()

    @property
    def sha1_fingerprint(self):
        return hashlib.sha1(self.der).hexdigest()

    @property
    def serial_hex(self):
        return '%x' % self.x509.serial_number

    @property
    def subject(self):
        return self.x509.subject.rfc4514_string()

    @property
    def issuer(self):
        return self.x509.issuer.rfc4514_string()

    @property
    def subject_pairs(self):
        """The subject as sorted ``(short name, value)`` pairs, for comparing with ``dn_pairs`` of a text."""
        return name_pairs(self.x509.subject)

    @property
    def issuer_pairs(self):
        return name_pairs(self.x509.issuer)

    @property
    def subject_asn1_text(self):
        """The subject in certificate order, ``C=CN,ST=...,CN=...``, as GM services print it."""
        return ','.join('%s=%s' % pair for pair in name_pairs(self.x509.subject, ordered=True))

    @property
    def issuer_asn1_text(self):
        return ','.join('%s=%s' % pair for pair in name_pairs(self.x509.issuer, ordered=True))

    def allows_key_usage(self, usages):
        """Whether the key usage extension allows one of ``usages`` (``KeyUsage`` attribute names); True without one."""
        try:
            key_usage = self.x509.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return True
        return any(getattr(key_usage, usage) for usage in usages)

    @property
    def common_name(self):
        names = self.x509.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return names[0].value if names else None

    @property
    def subject_alternative_names(self):
        try:
            extension = self.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound:
            return []
        names = []
        for general_name in extension.value:
            if isinstance(general_name, x509.DNSName):
                names.append(general_name.value)
            elif isinstance(general_name, x509.IPAddress):
                names.append(str(general_name.value))
        return names

    @property
    def not_before(self):
        return _utc(getattr(self.x509, 'not_valid_before_utc', None) or self.x509.not_valid_before)

    @property
    def not_after(self):
        return _utc(getattr(self.x509, 'not_valid_after_utc', None) or self.x509.not_valid_after)

    def public_key_der(self):
        return self.x509.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def sm2_point(self):
        """The public point of an SM2 (GM) certificate; None for any other key."""
        if not hasattr(self, '_sm2_point'):
            try:
                self._sm2_point = sm2.public_point_from_tbs(self.x509.tbs_certificate_bytes)
            except sm2.Sm2Error:
                self._sm2_point = None
        return self._sm2_point

    @property
    def is_sm2(self):
        return self.sm2_point is not None

    @property
    def signature_algorithm_oid(self):
        return self.x509.signature_algorithm_oid.dotted_string

    def is_issued_by(self, other):
        if self.x509.issuer != other.x509.subject:
            return False
        if other.is_sm2:
            # cryptography cannot verify SM2: the signature is checked with the default SM2 ID.
            return (self.signature_algorithm_oid == sm2.SM2_WITH_SM3_OID
                    and sm2.verify(other.sm2_point, self.x509.tbs_certificate_bytes, self.x509.signature))
        try:
            self.x509.verify_directly_issued_by(other.x509)
        except (ValueError, TypeError, AttributeError):
            return False
        except Exception:  # cryptography raises InvalidSignature, which is not a ValueError
            return False
        return True

    @property
    def serial_openssl(self):
        """The serial as ``openssl x509 -serial`` prints it: upper-case hex, whole bytes (leading zero kept)."""
        return openssl_serial(self.x509.serial_number)

    def covers(self, domain):
        """Whether the certificate is valid for ``domain`` (SANs, else the CN; one-label wildcards)."""
        names = self.subject_alternative_names or [self.common_name]
        return any(name_covers(name, domain) for name in names if name)

    def summary(self, now=None):
        """The shared certificate summary (see ``certificate_summary``); never the PEM itself."""
        return certificate_summary(
            serial=self.serial_openssl, sha256_fingerprint=self.sha256_fingerprint, not_before=self.not_before,
            not_after=self.not_after, subject=self.subject, issuer=self.issuer,
            sans=self.subject_alternative_names, now=now)


SHORT_NAMES = {'2.5.4.6': 'C', '2.5.4.8': 'ST', '2.5.4.7': 'L', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.3': 'CN',
               '2.5.4.9': 'STREET', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
               '1.2.840.113549.1.9.1': 'emailAddress', '2.5.4.5': 'serialNumber'}


def name_pairs(name, ordered=False):
    pairs = [(SHORT_NAMES.get(attribute.oid.dotted_string, attribute.oid.dotted_string), str(attribute.value))
             for attribute in name]
    return pairs if ordered else sorted(pairs)


def dn_pairs(text):
    """Sorted ``(short name, value)`` pairs of a ``C=CN,ST=...,CN=...`` text (``\\,`` escapes a comma)."""
    pairs = []
    for part in re.split(r'(?<!\\)[,+]', text or ''):
        if '=' in part:
            key, value = part.split('=', 1)
            pairs.append((key.strip(), value.strip().replace('\\,', ',')))
    return sorted(pairs, key=lambda pair: (pair[0].upper(), pair[1]))


def same_dn(text, certificate_pairs):
    """Whether a service's DN text names the same entity as a certificate's name pairs."""
    wanted = sorted(certificate_pairs, key=lambda pair: (pair[0].upper(), pair[1]))
    return [(key.upper(), value) for key, value in dn_pairs(text)] == [(key.upper(), value) for key, value in wanted]


def openssl_serial(number):
    sign = '-' if number < 0 else ''
    digits = '%X' % abs(number)
    return sign + ('0' + digits if len(digits) % 2 else digits)


def certificate_summary(serial=None, sha256_fingerprint=None, not_before=None, not_after=None, subject=None,
                        issuer=None, sans=None, now=None):
    """What every module returns about a certificate, whatever the service, so that one certificate
    served by ELB, the CDN and a VPN gateway reads the same. Times are datetimes or ``format_time``
    strings; what a service does not report is None."""
    not_before, not_after = _as_time(not_before), _as_time(not_after)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return dict(
        serial=serial,
        sha256_fingerprint=sha256_fingerprint,
        not_before=format_time(not_before) if not_before else None,
        not_after=format_time(not_after) if not_after else None,
        subject=subject,
        issuer=issuer,
        sans=list(sans or []),
        days_left=(not_after - now).days if not_after else None,
    )


def _as_time(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.datetime.strptime(value, TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def name_covers(name, domain):
    name, domain = name.lower(), domain.lower()
    if name == domain:
        return True
    return name.startswith('*.') and domain.count('.') == name.count('.') and domain.endswith(name[1:])


def _utc(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def format_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT)


def parse_time(value):
    """A timezone-aware datetime from a datetime or an ISO 8601 text (``Z`` or an offset; naive means UTC);
    None when it is neither."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith('Z'):
            text = text[:-1] + '+00:00'
        try:
            moment = datetime.datetime.fromisoformat(text.replace(' ', 'T', 1))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def days_until(time_text, now):
    """Whole days from ``now`` to a ``format_time`` string; None when there is no such time."""
    moment = _as_time(time_text)
    return None if moment is None else (moment - now).days


def select_expiring(certificates, time_field, within_days, now=None):
    """Add ``expires_in_days`` from ``time_field``; keep only those due within ``within_days`` (None keeps all).

    A certificate without a known expiry is never "due".
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    selected = []
    for certificate in certificates:
        days = days_until(certificate.get(time_field), now)
        if days is not None:
            certificate['expires_in_days'] = days
        if within_days is not None and (days is None or days > within_days):
            continue
        selected.append(certificate)
    return selected


def load_certificates(text, field):
    """Parse a leaf-first bundle; every block must be a CERTIFICATE."""
    certificates = []
    for index, (label, der) in enumerate(pem_blocks(text, field)):
        if label != 'CERTIFICATE':
            raise InputError(field, 'block #%d is "%s"; only CERTIFICATE blocks belong here' % (index + 1, label))
        certificates.append(Certificate(der, field, index))
    return certificates


def check_chain_order(certificates, field):
    """Each certificate must be issued by the next one (leaf first, root or intermediate last)."""
    for index in range(len(certificates) - 1):
        child, parent = certificates[index], certificates[index + 1]
        if not child.is_issued_by(parent):
            raise InputError(field, 'certificate #%d (%s) is not issued by certificate #%d (%s): put the leaf '
                                    'first, then each issuer in order' % (index + 1, child.subject, index + 2, parent.subject))


def check_not_gm(bundle, service):
    """Refuse an SM2 (GM) leaf where ``service`` takes only RSA and ECDSA certificates."""
    if bundle.leaf.is_sm2:
        raise InputError(bundle.cert_field, 'certificate %s is an SM2 (GM) certificate; %s takes RSA and ECDSA '
                                            'certificates' % (bundle.leaf.subject, service))


def check_not_expired(certificates, field, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    for certificate in certificates:
        if certificate.not_after < now:
            raise InputError(field, 'certificate #%d (%s) expired on %s; set allow_expired=true to upload it anyway'
                                    % (certificate.index + 1, certificate.subject, format_time(certificate.not_after)))


class PrivateKey:
    """A private key; only ever used to prove it belongs to a certificate."""

    def __init__(self, text, field):
        blocks = pem_blocks(text, field)
        if len(blocks) != 1:
            raise InputError(field, 'expected exactly one private key block, found %d' % len(blocks))
        label, der = blocks[0]
        if label == ENCRYPTED_KEY_LABEL:
            raise InputError(field, 'encrypted private keys are not supported; provide the key unencrypted')
        if label not in PRIVATE_KEY_LABELS:
            raise InputError(field, 'block is "%s", not a private key' % label)
        self.field = field
        self.label = label
        self.der = der
        self.key = self.sm2_key = None
        try:
            self.key = serialization.load_der_private_key(der, password=None)
        except MissingLibraryError:
            raise
        except Exception as exc:  # ValueError, TypeError, or UnsupportedAlgorithm for an SM2 key
            try:
                self.sm2_key = sm2.Sm2PrivateKey(der)
            except sm2.Sm2Error:
                if isinstance(exc, (ValueError, TypeError)):
                    raise InputError(field, 'private key does not parse: %s' % _reason(exc))
                raise InputError(field, 'private key of an unsupported algorithm: %s' % _reason(exc))

    def canonical_pem(self):
        return der_to_pem(self.label, self.der)

    def public_key_der(self):
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def is_sm2(self):
        return self.sm2_key is not None

    def matches(self, certificate):
        if self.is_sm2:
            return certificate.is_sm2 and self.sm2_key.public_point() == certificate.sm2_point
        if certificate.is_sm2:
            return False
        try:
            return self.public_key_der() == certificate.public_key_der()
        except Exception:  # a certificate whose key cryptography cannot load
            return False


def _reason(exc):
    # Never echo exception text that could quote key material: keep the first line only.
    return str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__


def check_key_matches(private_key, certificate, key_field):
    if not private_key.matches(certificate):
        raise InputError(key_field, 'does not match the public key of certificate %s (serial %s)'
                                    % (certificate.subject, certificate.serial_hex))


class CertificateBundle:
    """A certificate option (leaf first, then its chain) with its key option, checked once.

    The rules are the same for every service: every block parses, no certificate repeats, each
    certificate is issued by the next one (order and issuer links, signature verified), none has
    expired unless allowed, the key matches the leaf. The services' own limits come in as
    parameters. ``pem`` and ``key_pem`` are the canonical forms to send.
    """

    def __init__(self, certificate_text, cert_field, key_text=None, key_field=None, key_required=False,
                 allow_expired=False, max_certificates=None, max_chars=None, max_key_chars=None,
                 require_chain=False, check_order=True, now=None):
        self.cert_field, self.key_field = cert_field, key_field
        self.certificates = load_certificates(certificate_text, cert_field)
        self.leaf, self.chain = self.certificates[0], self.certificates[1:]
        if max_certificates is not None and len(self.certificates) > max_certificates:
            raise InputError(cert_field, 'holds %d certificates; at most %d (leaf and chain)'
                             % (len(self.certificates), max_certificates))
        seen = {}
        for certificate in self.certificates:
            if certificate.sha256_fingerprint in seen:
                raise InputError(cert_field, 'certificate #%d repeats certificate #%d; give each once'
                                 % (certificate.index + 1, seen[certificate.sha256_fingerprint] + 1))
            seen[certificate.sha256_fingerprint] = certificate.index
        if require_chain and not self.chain:
            raise InputError(cert_field, 'holds only the leaf; append its CA chain (the issuing intermediates, '
                                         'leaf first), which the service requires')
        if check_order:
            check_chain_order(self.certificates, cert_field)
        if not allow_expired:
            check_not_expired(self.certificates, cert_field, now)
        self.pem = ''.join(der_to_pem('CERTIFICATE', certificate.der) for certificate in self.certificates)
        if max_chars is not None:
            check_length(cert_field, self.pem, max_chars)
        self.key_pem = None
        if key_text is None:
            if key_required:
                raise InputError(key_field, 'is required with %s' % cert_field)
            return
        self.key_pem = self._checked_key(key_text)
        if max_key_chars is not None:
            check_length(key_field, self.key_pem, max_key_chars)

    @classmethod
    def from_params(cls, params, cert_field, key_field=None, **rules):
        """The bundle the options describe, or None when the certificate option is not set."""
        if params.get(cert_field) is None:
            if key_field and params.get(key_field) is not None:
                raise InputError(key_field, 'given without %s' % cert_field)
            return None
        return cls(params[cert_field], cert_field, params.get(key_field) if key_field else None, key_field,
                   allow_expired=bool(params.get('allow_expired')), **rules)

    def _checked_key(self, text):
        key = PrivateKey(text, self.key_field)
        check_key_matches(key, self.leaf, self.key_field)
        return key.canonical_pem()

    @property
    def chain_pem(self):
        return ''.join(der_to_pem('CERTIFICATE', certificate.der) for certificate in self.chain)

    @property
    def leaf_pem(self):
        return der_to_pem('CERTIFICATE', self.leaf.der)

    def differs_from(self, stored_pem=None, stored_sha1=None):
        """Whether the stored bundle is not this one, compared by DER (or the leaf's SHA-1 when no PEM is shown)."""
        if not stored_pem:
            if stored_sha1:
                return stored_sha1.lower() != self.leaf.sha1_fingerprint
            return True
        try:
            stored = load_certificates(stored_pem, self.cert_field)
        except InputError:
            return True
        return [c.der for c in stored] != [c.der for c in self.certificates]

    def uncovered(self, domains):
        """Those of ``domains`` the leaf is not valid for."""
        return [domain for domain in domains if not self.leaf.covers(domain)]


def pem_summaries(pem_text, field='certificate', now=None):
    """Summaries of a PEM bundle, leaf first; ``{'unparsable': True}`` when it does not parse."""
    try:
        return [certificate.summary(now) for certificate in load_certificates(pem_text, field)]
    except InputError:
        return {'unparsable': True}


def served_certificates_pem(text):
    """The CERTIFICATE blocks of a text a service returned, as canonical PEM in their order; None when
    there is none or one of them is not base64.

    Such a text may also hold the private key: every other block is skipped unread (its body is not
    even decoded), so no caller ever holds the key. Unlike ``pem_blocks`` this never raises: the text
    is the service's, not an option to report.
    """
    if not isinstance(text, str) or len(text) > MAX_PEM_CHARS:
        return None
    kept = []
    for begin, body, end, dummy, dummy in pem_spans(text):
        if begin != 'CERTIFICATE' or end != 'CERTIFICATE':
            continue
        try:
            der = base64.b64decode(re.sub(r'\s+', '', body), validate=True)
        except (binascii.Error, ValueError):
            return None
        if not der:
            return None
        kept.append(der_to_pem('CERTIFICATE', der))
    return ''.join(kept) or None


def leaf_summary(pem_text, now=None):
    """The summary of the first certificate of a PEM bundle; None when there is none or it does not parse."""
    if not pem_text:
        return None
    summaries = pem_summaries(pem_text, now=now)
    return summaries[0] if isinstance(summaries, list) else None


def check_complete(bundle):
    """The leaf's issuer must follow it, unless the leaf is its own issuer: a certificate served to
    clients (a rotation) must let them verify it."""
    leaf = bundle.leaf
    if not bundle.chain and not leaf.is_issued_by(leaf):
        raise InputError(bundle.cert_field, 'holds only the leaf (issued by %s); append its CA chain, leaf first, '
                                            'so that clients can verify it' % leaf.issuer)
