# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What ``cryptography`` cannot do for GM (ShangMi) certificates: SM3, SM2 keys and SM2 signatures.

``cryptography`` reads an SM2 certificate's names, serial and validity, but cannot load an SM2
key or verify an SM2 signature. This file does only what the modules need for that: read an SM2
private key (SEC1 ``EC PRIVATE KEY``, PKCS#8 ``PRIVATE KEY``, OpenSSL's ``SM2 PRIVATE KEY``), read
the public point of a certificate, derive a private key's public point (to prove the key belongs
to the certificate), and verify an SM2-with-SM3 signature (to prove a certificate was issued by
a CA). It never signs and never handles secrets beyond comparing points, so constant-time
arithmetic is not a concern here.

Standards: GB/T 32905-2016 (SM3), GB/T 32918-2016 (SM2, curve and signature), GM/T 0009-2012
(default user ID ``1234567812345678``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import struct

# The SM2 curve (GB/T 32918.5), a short Weierstrass curve y^2 = x^3 + ax + b over GF(p).
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
G = (GX, GY)

DEFAULT_ID = b'1234567812345678'
SM2_CURVE_OID = '1.2.156.10197.1.301'
EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1'
SM2_WITH_SM3_OID = '1.2.156.10197.1.501'
SM2_KEY_LABELS = ('PRIVATE KEY', 'EC PRIVATE KEY', 'SM2 PRIVATE KEY')


class Sm2Error(ValueError):
    """Bytes that are not the SM2 structure they should be; the message never quotes them."""


# ---------------------------------------------------------------------------------------------
# SM3

_IV = (0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E)
_MASK = 0xFFFFFFFF


def _rotl(value, count):
    count %= 32
    return ((value << count) | (value >> (32 - count))) & _MASK


_T = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _compress(state, block):
    w = list(struct.unpack('>16I', block))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
        w.append((x ^ _rotl(x, 15) ^ _rotl(x, 23)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    a, b, c, d, e, f, g, h = state
    for j in range(64):
        a12 = _rotl(a, 12)
        ss1 = _rotl((a12 + e + _T[j]) & _MASK, 7)
        ss2 = ss1 ^ a12
        if j < 16:
            ff = a ^ b ^ c
            gg = e ^ f ^ g
        else:
            ff = (a & b) | (a & c) | (b & c)
            gg = (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _MASK
        tt2 = (gg + h + ss1 + w[j]) & _MASK
        d, c, b, a = c, _rotl(b, 9), a, tt1
        h, g, f = g, _rotl(f, 19), e
        e = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)
    return tuple(x ^ y for x, y in zip(state, (a, b, c, d, e, f, g, h)))


def sm3(data):
    """The SM3 digest (32 bytes) of ``data``."""
    data = bytes(data)
    padded = data + b'\x80' + b'\x00' * ((55 - len(data)) % 64) + struct.pack('>Q', len(data) * 8)
    state = _IV
    for offset in range(0, len(padded), 64):
        state = _compress(state, padded[offset:offset + 64])
    return struct.pack('>8I', *state)


# ---------------------------------------------------------------------------------------------
# Curve arithmetic, in Jacobian coordinates (X, Y, Z) for x = X/Z^2, y = Y/Z^3; None is infinity.

def is_on_curve(point):
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def _double(point):
    if point is None:
        return None
    x, y, z = point
    if y == 0:
        return None
    y2 = y * y % P
    s = 4 * x * y2 % P
    z2 = z * z % P
    m = (3 * x * x + A * z2 * z2) % P
    x3 = (m * m - 2 * s) % P
    return x3, (m * (s - x3) - 8 * y2 * y2) % P, 2 * y * z % P


def _add(first, second):
    if first is None:
        return second
    if second is None:
        return first
    x1, y1, z1 = first
    x2, y2, z2 = second
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    h, r = (u2 - u1) % P, (s2 - s1) % P
    if h == 0:
        return _double(first) if r == 0 else None
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    return x3, (r * (v - x3) - s1 * hhh) % P, z1 * z2 * h % P


def _affine(point):
    if point is None:
        return None
    x, y, z = point
    z_inv = pow(z, P - 2, P)
    z_inv2 = z_inv * z_inv % P
    return x * z_inv2 % P, y * z_inv2 * z_inv % P


def multiply(scalar, point=G):
    """``scalar`` times the affine ``point``, affine (None for the point at infinity)."""
    result = None
    addend = (point[0], point[1], 1)
    for bit in bin(scalar % N)[2:]:
        result = _double(result)
        if bit == '1':
            result = _add(result, addend)
    return _affine(result)


def _jacobian(point):
    return None if point is None else (point[0], point[1], 1)


def add(first, second):
    """The sum of two affine points, affine."""
    return _affine(_add(_jacobian(first), _jacobian(second)))


# ---------------------------------------------------------------------------------------------
# Minimal DER reading: only what SM2 keys, SPKIs and signatures need.

def der_read(data, offset=0):
    """``(tag, content, next_offset)`` of the DER element at ``offset``."""
    try:
        tag = data[offset]
        length = data[offset + 1]
        offset += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4:
                raise Sm2Error('unsupported DER length')
            length = int.from_bytes(data[offset:offset + count], 'big')
            offset += count
    except IndexError:
        raise Sm2Error('truncated DER')
    end = offset + length
    if end > len(data):
        raise Sm2Error('truncated DER')
    return tag, data[offset:end], end


def der_children(content):
    """The elements of a SEQUENCE's content, as ``(tag, content)``."""
    children = []
    offset = 0
    while offset < len(content):
        tag, value, offset = der_read(content, offset)
        children.append((tag, value))
    return children


def der_sequence(data, what):
    tag, content, end = der_read(data)
    if tag != 0x30 or end != len(data):
        raise Sm2Error('%s is not a DER SEQUENCE' % what)
    return der_children(content)


def oid_text(content):
    """Dotted text of an OBJECT IDENTIFIER's content bytes."""
    if not content:
        raise Sm2Error('empty OBJECT IDENTIFIER')
    first = content[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return '.'.join(str(part) for part in parts)


def _integer(content):
    return int.from_bytes(content, 'big', signed=True)


def decode_point(octets):
    """An uncompressed SEC1 point (``04 || X || Y``) on the SM2 curve."""
    if len(octets) != 65 or octets[0] != 4:
        raise Sm2Error('the public key is not an uncompressed SM2 point')
    point = (int.from_bytes(octets[1:33], 'big'), int.from_bytes(octets[33:], 'big'))
    if not is_on_curve(point):
        raise Sm2Error('the public key is not a point of the SM2 curve')
    return point


def _bit_string_bytes(content):
    if not content or content[0] != 0:
        raise Sm2Error('unsupported BIT STRING')
    return content[1:]


def public_point_from_spki(spki_der):
    """The point of a SubjectPublicKeyInfo; Sm2Error unless its curve is SM2."""
    return _point_of_spki(der_sequence(spki_der, 'the public key info'))


def public_point_from_tbs(tbs_der):
    """The SM2 point of a certificate, from its TBSCertificate; Sm2Error unless its key is SM2."""
    children = der_sequence(tbs_der, 'the certificate')
    # version [0] (optional), serial, signature, issuer, validity, subject, subjectPublicKeyInfo
    index = 6 if children and children[0][0] == 0xA0 else 5
    if len(children) <= index or children[index][0] != 0x30:
        raise Sm2Error('the certificate has no public key info')
    return _point_of_spki(der_children(children[index][1]))


def _point_of_spki(children):
    if len(children) != 2 or children[0][0] != 0x30 or children[1][0] != 0x03:
        raise Sm2Error('the public key info is malformed')
    algorithm = der_children(children[0][1])
    oids = [oid_text(value) for tag, value in algorithm if tag == 0x06]
    if not oids or oids[0] not in (EC_PUBLIC_KEY_OID, SM2_CURVE_OID) or SM2_CURVE_OID not in oids:
        raise Sm2Error('the public key is not an SM2 key')
    return decode_point(_bit_string_bytes(children[1][1]))


class Sm2PrivateKey:
    """An SM2 private key read from DER; keeps the scalar only as long as the object lives."""

    def __init__(self, der, label='PRIVATE KEY'):
        children = der_sequence(der, 'the private key')
        if children and children[0] == (0x02, b'\x00') and len(children) >= 3:
            self._from_pkcs8(children)
        else:
            self._from_sec1(children, curve_known=False)
        if not 0 < self._secret < N - 1:
            raise Sm2Error('the private key is out of range for the SM2 curve')

    def _from_pkcs8(self, children):
        algorithm = der_children(children[1][1])
        oids = [oid_text(value) for tag, value in algorithm if tag == 0x06]
        if not oids or SM2_CURVE_OID not in oids:
            raise Sm2Error('the private key is not an SM2 key')
        if children[2][0] != 0x04:
            raise Sm2Error('the private key is malformed')
        self._from_sec1(der_sequence(children[2][1], 'the private key'), curve_known=True)

    def _from_sec1(self, children, curve_known):
        if len(children) < 2 or children[0] != (0x02, b'\x01') or children[1][0] != 0x04:
            raise Sm2Error('the private key is neither PKCS#8 nor an EC PRIVATE KEY')
        self._secret = int.from_bytes(children[1][1], 'big')
        self.embedded_public = None
        for tag, value in children[2:]:
            if tag == 0xA0:
                (inner_tag, oid), = der_children(value)
                if inner_tag != 0x06 or oid_text(oid) != SM2_CURVE_OID:
                    raise Sm2Error('the private key is on another curve than SM2')
                curve_known = True
            elif tag == 0xA1:
                (inner_tag, bits), = der_children(value)
                self.embedded_public = decode_point(_bit_string_bytes(bits))
        if not curve_known:
            raise Sm2Error('the private key does not say it is on the SM2 curve')

    def public_point(self):
        return multiply(self._secret)


def z_value(public_point, user_id=DEFAULT_ID):
    """Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA), the signer's identity hash."""
    entl = struct.pack('>H', len(user_id) * 8)
    parts = [A, B, GX, GY, public_point[0], public_point[1]]
    return sm3(entl + user_id + b''.join(value.to_bytes(32, 'big') for value in parts))


def verify(public_point, message, signature_der, user_id=DEFAULT_ID):
    """Whether ``signature_der`` (SEQUENCE of r, s) is an SM2 signature of ``message`` by ``public_point``."""
    try:
        children = der_sequence(signature_der, 'the signature')
    except Sm2Error:
        return False
    if len(children) != 2 or any(tag != 0x02 for tag, dummy in children):
        return False
    r, s = _integer(children[0][1]), _integer(children[1][1])
    if not (0 < r < N and 0 < s < N):
        return False
    e = int.from_bytes(sm3(z_value(public_point, user_id) + message), 'big')
    t = (r + s) % N
    if t == 0:
        return False
    point = add(multiply(s), multiply(t, public_point))
    return point is not None and (e + point[0]) % N == r
