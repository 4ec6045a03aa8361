# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Verification of Huawei Cloud API Gateway authentication, as the gateway does it.

Written independently of the collection's signer on purpose: the two meet only on the wire.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote, unquote

AUTH_PATTERN = re.compile(
    r'^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$')
MAX_SKEW = datetime.timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


class AuthFailure(Exception):
    def __init__(self, message, status=401, code='APIGW.0301'):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class Credentials:
    """What the emulated account accepts: its permanent key, the configured temporary key, and the
    temporary keys IAM and the metadata service issue (``grant``), each until it expires on ``clock``."""

    def __init__(self, access_key, secret_key, temp_access_key=None, temp_secret_key=None,
                 security_token=None, auth_token=None, clock=None):
        self.keys = {access_key: (secret_key, None, None)}
        if temp_access_key:
            self.keys[temp_access_key] = (temp_secret_key, security_token, None)
        self.auth_token = auth_token
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._permanent = dict(self.keys)

    def grant(self, access_key, secret_key, security_token, expires_at):
        self.keys[access_key] = (secret_key, security_token, expires_at)

    def forget_granted(self):
        self.keys = dict(self._permanent)


def _enc(text):
    return quote(text, safe='~')


def canonical_request(method, raw_path, raw_query, headers, signed_headers, body):
    segments = unquote(raw_path).split('/')
    uri = '/'.join(_enc(segment) for segment in segments)
    if not uri.endswith('/'):
        uri += '/'
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    query = '&'.join('%s=%s' % (_enc(k), _enc(v)) for k, v in pairs)
    lines = []
    for name in signed_headers:
        value = headers.get(name)
        if value is None:
            raise AuthFailure('Incorrect IAM authentication information: signed header %s is missing' % name)
        lines.append('%s:%s\n' % (name, value.strip()))
    if not body:
        payload = EMPTY_SHA256
    else:
        payload = headers.get('x-sdk-content-sha256') or hashlib.sha256(body).hexdigest()
    return '\n'.join((method.upper(), uri, query, ''.join(lines), ';'.join(signed_headers), payload))


def verify(credentials, method, raw_path, raw_query, headers, body, now=None):
    """Raise AuthFailure unless the request carries valid authentication. ``headers`` keys are lowercase."""
    token = headers.get('x-auth-token')
    authorization = headers.get('authorization')
    if authorization is None:
        if token is None:
            raise AuthFailure('Incorrect IAM authentication information: the request has no Authorization '
                              'or X-Auth-Token header')
        if not credentials.auth_token or not hmac.compare_digest(token, credentials.auth_token):
            raise AuthFailure('Incorrect IAM authentication information: decrypt token fail')
        return 'token'
    match = AUTH_PATTERN.match(authorization.strip())
    if not match:
        raise AuthFailure('Incorrect IAM authentication information: unsupported Authorization header')
    access_key, signed, signature = match.groups()
    if access_key not in credentials.keys:
        raise AuthFailure('Incorrect IAM authentication information: Get secretKey failed,ak:%s,err:ak not exist'
                          % (access_key[:3] + '******'))
    secret_key, security_token, expires_at = credentials.keys[access_key]
    if security_token is not None:
        sent = headers.get('x-security-token')
        if sent is None or not hmac.compare_digest(sent, security_token):
            raise AuthFailure('Incorrect IAM authentication information: the security token is missing or invalid')
    if expires_at is not None and credentials.clock() >= expires_at:
        # As the API signing FAQ words the refusal of an expired temporary AK/SK (see tests/emulator/README.md).
        raise AuthFailure('Incorrect IAM authentication information: calc ak sk signature fail:signature expired')
    sdk_date = headers.get('x-sdk-date')
    if sdk_date is None:
        raise AuthFailure('Incorrect IAM authentication information: the X-Sdk-Date header is missing')
    try:
        signed_at = datetime.datetime.strptime(sdk_date, '%Y%m%dT%H%M%SZ').replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise AuthFailure('Incorrect IAM authentication information: X-Sdk-Date %r is not YYYYMMDDTHHMMSSZ' % sdk_date)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs(now - signed_at) > MAX_SKEW:
        raise AuthFailure('Incorrect IAM authentication information: X-Sdk-Date %s differs from the server time '
                          'by more than 15 minutes' % sdk_date)
    signed_headers = signed.split(';')
    if 'x-sdk-date' not in signed_headers:
        raise AuthFailure('Incorrect IAM authentication information: X-Sdk-Date is not a signed header')
    request = canonical_request(method, raw_path, raw_query, headers, signed_headers, body)
    string_to_sign = 'SDK-HMAC-SHA256\n%s\n%s' % (sdk_date, hashlib.sha256(request.encode('utf-8')).hexdigest())
    expected = hmac.new(secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise AuthFailure('Incorrect IAM authentication information: verify aksk signature fail')
    return access_key
