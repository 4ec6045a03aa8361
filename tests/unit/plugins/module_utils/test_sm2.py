# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""SM3, SM2 keys and SM2 signatures against OpenSSL 3 (the oracle) and the published test vectors."""

from __future__ import annotations

import base64
import os
import subprocess

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import sm2
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CertificateBundle, PrivateKey, load_certificates,
)

KEYS = 200
CERTIFICATES = 50
SM2_ID = 'distid:1234567812345678'


def openssl(workdir, *args):
    return subprocess.run(('openssl',) + args, cwd=str(workdir), check=True, capture_output=True, text=True).stdout


def der_of(pem_text):
    return base64.b64decode(''.join(line for line in pem_text.strip().splitlines() if not line.startswith('-----')))


def read(path):
    with open(path) as handle:
        return handle.read()


# SM3 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('message, digest', [
    # GB/T 32905-2016, appendix A
    (b'abc', '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'),
    (b'abcd' * 16, 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732'),
    (b'', '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b'),
])
def test_sm3_published_vectors(message, digest):
    assert sm3_hex(message) == digest


def sm3_hex(message):
    return sm2.sm3(message).hex()


def test_sm3_matches_openssl_on_every_padding_boundary(tmp_path):
    lengths = list(range(0, 130)) + [1000, 4096, 65537]
    names = []
    for length in lengths:
        name = 'm%d' % length
        (tmp_path / name).write_bytes(os.urandom(length))
        names.append(name)
    printed = openssl(tmp_path, 'dgst', '-sm3', '-r', *names)
    expected = dict((line.split(' *')[1], line.split(' ')[0]) for line in printed.splitlines())
    for name in names:
        assert sm3_hex((tmp_path / name).read_bytes()) == expected[name], name


# Keys ----------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def openssl_keys(tmp_path_factory):
    """KEYS SM2 keys from openssl genpkey, each with the SubjectPublicKeyInfo openssl derives from it."""
    workdir = tmp_path_factory.mktemp('sm2keys')
    script = ('for i in $(seq 1 %d); do openssl genpkey -algorithm SM2 -out k$i.pem && '
              'openssl pkey -in k$i.pem -pubout -out p$i.pem; done' % KEYS)
    subprocess.run(['bash', '-c', script], cwd=str(workdir), check=True, capture_output=True)
    return [(read(workdir / ('k%d.pem' % index)), read(workdir / ('p%d.pem' % index))) for index in range(1, KEYS + 1)]


def sec1_from_pkcs8(der):
    """The same key as an ``EC PRIVATE KEY`` with the SM2 curve named, as other tools write it."""
    children = sm2.der_sequence(der, 'key')
    inner = sm2.der_sequence(children[2][1], 'inner')
    secret = inner[1][1]
    curve = bytes.fromhex('06082a811ccf5501822d')  # OID 1.2.156.10197.1.301
    body = b'\x02\x01\x01' + b'\x04' + bytes([len(secret)]) + secret + b'\xa0' + bytes([len(curve)]) + curve
    return b'\x30' + bytes([len(body)]) + body


def test_openssl_keys_derive_the_public_key_openssl_derives(openssl_keys):
    for private_pem, public_pem in openssl_keys:
        key = sm2.Sm2PrivateKey(der_of(private_pem))
        expected = sm2.public_point_from_spki(der_of(public_pem))
        assert key.public_point() == expected
        assert sm2.Sm2PrivateKey(sec1_from_pkcs8(der_of(private_pem))).public_point() == expected


def test_a_key_never_matches_another_keys_public_key(openssl_keys):
    points = [sm2.public_point_from_spki(der_of(public_pem)) for dummy, public_pem in openssl_keys]
    assert len(set(points)) == KEYS
    for index, (private_pem, dummy) in enumerate(openssl_keys[:20]):
        assert sm2.Sm2PrivateKey(der_of(private_pem)).public_point() != points[index - 1]


def test_key_labels_the_module_accepts(openssl_keys):
    private_pem = openssl_keys[0][0]
    for label in ('PRIVATE KEY', 'SM2 PRIVATE KEY'):
        key = PrivateKey(private_pem.replace('PRIVATE KEY', label), 'private_key')
        assert key.is_sm2
    sec1 = base64.b64encode(sec1_from_pkcs8(der_of(private_pem))).decode()
    assert PrivateKey('-----BEGIN EC PRIVATE KEY-----\n%s\n-----END EC PRIVATE KEY-----\n' % sec1, 'k').is_sm2


@pytest.mark.parametrize('der, reason', [
    (b'\x30\x03\x02\x01\x05', 'neither PKCS#8 nor an EC PRIVATE KEY'),
    (b'\x30\x05\x02\x01\x01\x04\x00', 'does not say it is on the SM2 curve'),
    (b'\x30\x81', 'truncated'),
])
def test_malformed_keys_are_refused_without_quoting_them(der, reason):
    with pytest.raises(sm2.Sm2Error) as caught:
        sm2.Sm2PrivateKey(der)
    assert reason in str(caught.value)


def test_a_point_off_the_curve_is_refused():
    assert not sm2.is_on_curve((sm2.GX, sm2.GY + 1))
    with pytest.raises(sm2.Sm2Error):
        sm2.decode_point(b'\x04' + sm2.GX.to_bytes(32, 'big') + (sm2.GY + 1).to_bytes(32, 'big'))


def test_point_arithmetic_identities():
    assert sm2.multiply(1) == sm2.G
    assert sm2.multiply(2) == sm2.add(sm2.G, sm2.G)
    assert sm2.multiply(sm2.N) is None
    assert sm2.multiply(sm2.N - 1) == (sm2.GX, (-sm2.GY) % sm2.P)
    assert sm2.add(sm2.multiply(5), sm2.multiply(7)) == sm2.multiply(12)


# Certificates and signatures ---------------------------------------------------------------------

@pytest.fixture(scope='module')
def openssl_certificates(tmp_path_factory):
    """A CA and CERTIFICATES leaves signed by it with SM2-with-SM3 (default ID), plus another CA."""
    workdir = tmp_path_factory.mktemp('sm2certs')
    for ca in ('ca', 'other'):
        openssl(workdir, 'genpkey', '-algorithm', 'SM2', '-out', ca + '.key')
        openssl(workdir, 'req', '-x509', '-new', '-key', ca + '.key', '-sm3', '-sigopt', SM2_ID,
                '-subj', '/C=CN/O=certfleet/CN=%s GM CA' % ca, '-days', '30', '-out', ca + '.pem')
    script = ('for i in $(seq 1 {n}); do openssl genpkey -algorithm SM2 -out l$i.key && '
              'openssl req -new -key l$i.key -sm3 -sigopt {id} -subj "/C=CN/ST=Beijing/CN=leaf$i.example.com" '
              '-out l$i.csr && openssl x509 -req -in l$i.csr -vfyopt {id} -CA ca.pem -CAkey ca.key -sm3 '
              '-sigopt {id} -days 30 -set_serial $((1000 + i)) -out l$i.pem; done').format(n=CERTIFICATES, id=SM2_ID)
    subprocess.run(['bash', '-c', script], cwd=str(workdir), check=True, capture_output=True)
    names = ['l%d.pem' % index for index in range(1, CERTIFICATES + 1)]
    return dict(workdir=workdir, names=names)


def openssl_verdicts(workdir, signed, issuer_key):
    """OpenSSL's verdict on each ``(name, tbs, signature)``, with the default SM2 ID.

    ``openssl pkeyutl -rawin -digest sm3`` is the oracle: ``openssl verify`` of OpenSSL 3.0 checks
    SM2 certificates with an empty ID, so it refuses what was signed with the default one.
    """
    openssl(workdir, 'pkey', '-in', issuer_key, '-pubout', '-out', 'issuer.pub')
    for name, tbs, signature in signed:
        (workdir / (name + '.tbs')).write_bytes(tbs)
        (workdir / (name + '.sig')).write_bytes(signature)
    script = ('for n in %s; do openssl pkeyutl -verify -pubin -inkey issuer.pub -rawin -digest sm3 -in $n.tbs '
              '-sigfile $n.sig -pkeyopt %s >/dev/null 2>&1 && echo "$n yes" || echo "$n no"; done'
              % (' '.join(name for name, dummy, dummy2 in signed), SM2_ID))
    printed = subprocess.run(['bash', '-c', script], cwd=str(workdir), check=True, capture_output=True, text=True)
    return dict(line.split() for line in printed.stdout.splitlines())


def test_openssl_verifies_what_we_verify(openssl_certificates):
    workdir = openssl_certificates['workdir']
    leaves = [load_certificates(read(workdir / name), 'certificate')[0].x509 for name in openssl_certificates['names']]
    signed = [(name[:-4], leaf.tbs_certificate_bytes, leaf.signature)
              for name, leaf in zip(openssl_certificates['names'], leaves)]
    tampered = [(name + 'x', tbs[:-1] + bytes([tbs[-1] ^ 1]), signature) for name, tbs, signature in signed[:10]]
    verdicts = openssl_verdicts(workdir, signed + tampered, 'ca.key')
    ca_point = load_certificates(read(workdir / 'ca.pem'), 'chain')[0].sm2_point
    for name, tbs, signature in signed + tampered:
        assert sm2.verify(ca_point, tbs, signature) is (verdicts[name] == 'yes'), name
    assert list(verdicts.values()).count('yes') == CERTIFICATES
    ca = load_certificates(read(workdir / 'ca.pem'), 'chain')[0]
    other = load_certificates(read(workdir / 'other.pem'), 'chain')[0]
    assert ca.is_sm2 and ca.is_issued_by(ca)
    for name in openssl_certificates['names']:
        leaf = load_certificates(read(workdir / name), 'certificate')[0]
        assert leaf.is_sm2 and leaf.signature_algorithm_oid == sm2.SM2_WITH_SM3_OID
        assert leaf.is_issued_by(ca), name
        assert not leaf.is_issued_by(other)
        assert not ca.is_issued_by(leaf)


def test_a_changed_byte_breaks_the_signature(openssl_certificates):
    workdir = openssl_certificates['workdir']
    ca_point = load_certificates(read(workdir / 'ca.pem'), 'chain')[0].sm2_point
    for name in openssl_certificates['names'][:10]:
        leaf = load_certificates(read(workdir / name), 'certificate')[0].x509
        tbs = bytearray(leaf.tbs_certificate_bytes)
        assert sm2.verify(ca_point, bytes(tbs), leaf.signature)
        tbs[len(tbs) // 2] ^= 1
        assert not sm2.verify(ca_point, bytes(tbs), leaf.signature)
        assert not sm2.verify(ca_point, leaf.tbs_certificate_bytes, leaf.signature, user_id=b'another id')
        assert not sm2.verify(ca_point, leaf.tbs_certificate_bytes, b'\x30\x00')


def test_each_leaf_key_matches_its_certificate_only(openssl_certificates):
    workdir = openssl_certificates['workdir']
    chain = read(workdir / 'ca.pem')
    names = openssl_certificates['names']
    for index, name in enumerate(names):
        key_text = read(workdir / name.replace('.pem', '.key'))
        bundle = CertificateBundle(read(workdir / name) + chain, 'certificate', key_text, 'private_key')
        assert bundle.leaf.is_sm2
        wrong = read(workdir / names[index - 1].replace('.pem', '.key'))
        with pytest.raises(InputError) as caught:
            CertificateBundle(read(workdir / name) + chain, 'certificate', wrong, 'private_key')
        assert caught.value.field == 'private_key' and 'does not match' in str(caught.value)


def test_an_sm2_key_never_matches_an_ecdsa_certificate(openssl_certificates, pki):
    key_text = read(openssl_certificates['workdir'] / 'l1.key')
    assert not PrivateKey(key_text, 'private_key').matches(load_certificates(pki['www.example.com.pem'], 'c')[0])
    assert not PrivateKey(pki['www.example.com.key'], 'k').matches(
        load_certificates(read(openssl_certificates['workdir'] / 'l1.pem'), 'c')[0])
