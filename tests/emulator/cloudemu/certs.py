# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Throwaway CA and certificates for tests and the demo.

``python -m cloudemu.certs OUTDIR [--name NAME]`` writes, for a test CA and NAME:
``ca.pem``, ``<NAME>.pem`` (leaf), ``<NAME>.key``, ``<NAME>.fullchain.pem`` (leaf + CA),
``<NAME>-rotated.*`` (a second leaf with a new key), ``expired.pem``/``expired.key``,
``other.key`` (a key that matches nothing), ``client-ca.pem`` and ``rsa.pem``/``rsa.key`` (an RSA leaf).

It also writes a GM (SM2/SM3) set made with the OpenSSL 3 command line (``cryptography`` cannot
sign with SM2): ``gm-ca.pem``, a signature pair ``gm-sign.pem``/``.key``, an encryption pair
``gm-enc.pem``/``.key``, the same two ``-rotated``, ``gm-expired-sign.*``, a leaf of another CA
(``gm-other-sign.*``, with ``gm-other-ca.pem``) and ``gm-other.key``. Certificates are signed with
SM2-with-SM3 and the default SM2 ID ``1234567812345678``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def new_key(kind='ec'):
    if kind == 'rsa':
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


def cert_pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode('ascii')


def make_ca(common_name='certfleet test CA', key=None, days=3650):
    key = key or new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return certificate, key


def make_leaf(ca_certificate, ca_key, domains, key=None, not_before_days=-1, days=90):
    key = key or new_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now + datetime.timedelta(days=not_before_days)
    certificate = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domains[0])]))
                   .issuer_name(ca_certificate.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]), critical=False)
                   .sign(ca_key, hashes.SHA256()))
    return certificate, key


def rewrap(pem_text, width):
    blocks = re.findall(r'-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----', pem_text, re.DOTALL)
    out = []
    for label, body in blocks:
        body = ''.join(body.split())
        lines = [body[i:i + width] for i in range(0, len(body), width)]
        out.append('-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(lines), label))
    return ''.join(out)


def write_set(outdir, name='www.example.com', domains=None):
    os.makedirs(outdir, exist_ok=True)
    domains = domains or [name]
    ca, ca_key = make_ca()
    files = {'ca.pem': cert_pem(ca)}
    for suffix in ('', '-rotated'):
        leaf, key = make_leaf(ca, ca_key, domains)
        files['%s%s.pem' % (name, suffix)] = cert_pem(leaf)
        files['%s%s.key' % (name, suffix)] = key_pem(key)
        files['%s%s.fullchain.pem' % (name, suffix)] = cert_pem(leaf) + cert_pem(ca)
    # The same chain wrapped at 76 columns (MIME style), as some tools write it.
    files['%s.fullchain-76col.pem' % name] = rewrap(files['%s.fullchain.pem' % name], 76)
    expired, expired_key = make_leaf(ca, ca_key, domains, not_before_days=-30, days=10)
    files['expired.pem'] = cert_pem(expired)
    files['expired.key'] = key_pem(expired_key)
    files['other.key'] = key_pem(new_key())
    client_ca, dummy = make_ca('certfleet client CA')
    files['client-ca.pem'] = cert_pem(client_ca)
    rsa_leaf, rsa_key = make_leaf(ca, ca_key, domains, key=new_key('rsa'))
    files['rsa.pem'] = cert_pem(rsa_leaf)
    files['rsa.key'] = key_pem(rsa_key)
    files.update(gm_set())
    for filename, content in files.items():
        path = os.path.join(outdir, filename)
        # Keys are created 0600, as a user's own would be; certificates keep the umask's mode.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        with os.fdopen(os.open(path, flags, 0o600 if filename.endswith('.key') else 0o644), 'w') as handle:
            handle.write(content)
        if filename.endswith('.key'):
            os.chmod(path, 0o600)
    return files


# ---------------------------------------------------------------------------------------------
# GM (SM2/SM3), through the openssl command line

SM2_ID = ['-sigopt', 'distid:1234567812345678']
GM_SUBJECT = '/C=CN/ST=Beijing/L=HaiDian/O=certfleet/OU=vpn/CN=%s'
SIGN_USAGE = 'keyUsage=critical,digitalSignature,nonRepudiation\n'
ENC_USAGE = 'keyUsage=critical,keyEncipherment,dataEncipherment,keyAgreement\n'


def _openssl(workdir, *args):
    subprocess.run(('openssl',) + args, cwd=workdir, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read(workdir, name):
    with open(os.path.join(workdir, name)) as handle:
        return handle.read()


def gm_ca(workdir, name, common_name):
    _openssl(workdir, 'genpkey', '-algorithm', 'SM2', '-out', name + '.key')
    _openssl(workdir, 'req', '-x509', '-new', '-key', name + '.key', '-sm3', *SM2_ID,
             '-subj', '/C=CN/ST=Beijing/L=HaiDian/O=certfleet/CN=%s' % common_name, '-days', '3650',
             '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
             '-out', name + '.pem')


def gm_leaf(workdir, name, ca, usage, serial, days=90, common_name='vpn.example.com'):
    _openssl(workdir, 'genpkey', '-algorithm', 'SM2', '-out', name + '.key')
    _openssl(workdir, 'req', '-new', '-key', name + '.key', '-sm3', *SM2_ID, '-subj', GM_SUBJECT % common_name,
             '-out', name + '.csr')
    with open(os.path.join(workdir, name + '.ext'), 'w') as handle:
        handle.write(usage)
    _openssl(workdir, 'x509', '-req', '-in', name + '.csr', '-vfyopt', 'distid:1234567812345678', '-CA', ca + '.pem',
             '-CAkey', ca + '.key', '-sm3', *SM2_ID, '-days', str(days), '-set_serial', str(serial),
             '-extfile', name + '.ext', '-out', name + '.pem')


def gm_set():
    """The GM files, by name (see the module docstring)."""
    with tempfile.TemporaryDirectory() as workdir:
        gm_ca(workdir, 'gm-ca', 'certfleet GM CA')
        gm_ca(workdir, 'gm-other-ca', 'certfleet other GM CA')
        leaves = [('gm-sign', 'gm-ca', SIGN_USAGE, 90), ('gm-enc', 'gm-ca', ENC_USAGE, 90),
                  ('gm-sign-rotated', 'gm-ca', SIGN_USAGE, 120), ('gm-enc-rotated', 'gm-ca', ENC_USAGE, 120),
                  ('gm-expired-sign', 'gm-ca', SIGN_USAGE, -1), ('gm-other-sign', 'gm-other-ca', SIGN_USAGE, 90)]
        serial = int.from_bytes(os.urandom(8), 'big') | (1 << 63)
        for index, (name, ca, usage, days) in enumerate(leaves):
            gm_leaf(workdir, name, ca, usage, serial + index, days)
        _openssl(workdir, 'genpkey', '-algorithm', 'SM2', '-out', 'gm-other.key')
        names = ['gm-ca.pem', 'gm-other-ca.pem', 'gm-other.key']
        for name, dummy, dummy2, dummy3 in leaves:
            names.extend([name + '.pem', name + '.key'])
        return dict((name, _read(workdir, name)) for name in names)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('outdir')
    parser.add_argument('--name', default='www.example.com')
    parser.add_argument('--domain', action='append', help='SAN domains (default: NAME)')
    args = parser.parse_args(argv)
    for filename in sorted(write_set(args.outdir, args.name, args.domain)):
        print(os.path.join(args.outdir, filename))
    return 0


if __name__ == '__main__':
    sys.exit(main())
