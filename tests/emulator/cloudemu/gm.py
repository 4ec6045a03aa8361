# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""GM (SM2/SM3) checks for the emulated services, done by the OpenSSL 3 command line.

Written apart from the collection's own SM2 code on purpose: the emulator and the modules meet
only on the wire, so one cannot hide the other's mistake.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from cryptography import x509

SM2_WITH_SM3 = '1.2.156.10197.1.501'
DEFAULT_ID = 'distid:1234567812345678'
# Short names as the VPN API prints distinguished names: C=CN,ST=...,CN=...
SHORT_NAMES = {'countryName': 'C', 'stateOrProvinceName': 'ST', 'localityName': 'L', 'organizationName': 'O',
               'organizationalUnitName': 'OU', 'commonName': 'CN', 'emailAddress': 'emailAddress'}


class GmError(ValueError):
    pass


def _openssl(args, data=None, workdir=None):
    result = subprocess.run(['openssl'] + args, input=data, cwd=workdir, check=False, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    return result.returncode, result.stdout


def public_key_of_certificate(certificate_pem):
    code, out = _openssl(['x509', '-pubkey', '-noout'], certificate_pem.encode())
    if code:
        raise GmError('certificate does not parse')
    return out.strip()


def public_key_of_private_key(key_pem):
    code, out = _openssl(['pkey', '-pubout'], key_pem.encode())
    if code:
        raise GmError('private key does not parse')
    return out.strip()


def key_matches(key_pem, certificate_pem):
    return public_key_of_private_key(key_pem) == public_key_of_certificate(certificate_pem)


def is_sm2_certificate(certificate):
    return certificate.signature_algorithm_oid.dotted_string == SM2_WITH_SM3


def is_ca(certificate):
    """Whether ``certificate`` (cryptography) says it is a CA; without basicConstraints it is not."""
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def signed_by(certificate, issuer_pem):
    """Whether ``certificate`` (cryptography) is signed by the key of ``issuer_pem``, default SM2 ID."""
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, 'issuer.pub'), 'wb') as handle:
            handle.write(public_key_of_certificate(issuer_pem))
        with open(os.path.join(workdir, 'tbs'), 'wb') as handle:
            handle.write(certificate.tbs_certificate_bytes)
        with open(os.path.join(workdir, 'sig'), 'wb') as handle:
            handle.write(certificate.signature)
        code, dummy = _openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'issuer.pub', '-rawin', '-digest', 'sm3',
                                '-in', 'tbs', '-sigfile', 'sig', '-pkeyopt', DEFAULT_ID], workdir=workdir)
    return code == 0


def dn_text(name):
    """A distinguished name as the VPN API prints it: ASN.1 order, ``C=CN,ST=...,CN=...``."""
    parts = []
    for attribute in name:
        short = SHORT_NAMES.get(attribute.oid._name, attribute.oid.dotted_string)  # pylint: disable=protected-access
        parts.append('%s=%s' % (short, attribute.value))
    return ','.join(parts)


def load(pem_text):
    try:
        return x509.load_pem_x509_certificate(pem_text.encode())
    except ValueError:
        raise GmError('certificate does not parse')
