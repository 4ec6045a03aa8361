# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the emulated services compute from PEM they receive."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization

BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----', re.DOTALL)


class BadPem(ValueError):
    pass


def blocks(text):
    found = []
    for match in BLOCK.finditer(text or ''):
        if match.group(1) != match.group(3):
            raise BadPem('BEGIN %s is closed by END %s' % (match.group(1), match.group(3)))
        try:
            der = base64.b64decode(re.sub(r'\s+', '', match.group(2)), validate=True)
        except (binascii.Error, ValueError):
            raise BadPem('a %s block is not base64' % match.group(1))
        found.append((match.group(1), der))
    if not found or BLOCK.sub('', text).strip():
        raise BadPem('not PEM')
    return found


def certificates(text):
    parsed = []
    for label, der in blocks(text):
        if label != 'CERTIFICATE':
            raise BadPem('unexpected %s block' % label)
        try:
            parsed.append(x509.load_der_x509_certificate(der))
        except ValueError as exc:
            raise BadPem('certificate does not parse: %s' % exc)
    return parsed


def split_certificates(text):
    """Each certificate of a bundle as its own PEM text."""
    return [certificate.public_bytes(serialization.Encoding.PEM).decode('ascii') for certificate in certificates(text)]


def private_key(text):
    """The loaded key, or None for a well-formed key that cryptography cannot load (SM2)."""
    found = blocks(text)
    if len(found) != 1 or 'PRIVATE KEY' not in found[0][0] or 'ENCRYPTED' in found[0][0]:
        raise BadPem('not one unencrypted private key')
    try:
        return serialization.load_der_private_key(found[0][1], password=None)
    except ValueError as exc:
        raise BadPem('private key does not parse: %s' % exc)
    except Exception:  # UnsupportedAlgorithm: SM2
        return None


def spki(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches(key, certificate):
    """True/False, or None when either side is of an algorithm cryptography cannot load."""
    if key is None:
        return None
    try:
        return spki(key.public_key()) == spki(certificate.public_key())
    except Exception:
        return None


def not_after(certificate):
    moment = getattr(certificate, 'not_valid_after_utc', None) or certificate.not_valid_after.replace(
        tzinfo=datetime.timezone.utc)
    return moment


def not_before(certificate):
    moment = getattr(certificate, 'not_valid_before_utc', None) or certificate.not_valid_before.replace(
        tzinfo=datetime.timezone.utc)
    return moment


def common_name(certificate):
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return names[0].value if names else ''


def dns_names(certificate):
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return extension.value.get_values_for_type(x509.DNSName)


def sha1_hex(certificate):
    return hashlib.sha1(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def md5_hex(text):
    return hashlib.md5(text.encode('utf-8')).hexdigest()
