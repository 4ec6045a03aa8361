# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wangsu / ChinaNetCenter open API: its two authentication schemes, errors, client, and the module
base class of every Wangsu module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import email.utils
import hashlib
import hmac
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import unquote, urlsplit

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.module import CertfleetModule
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    Answer, ServiceClock, connection_argument_spec, connection_warnings, decode_json, http_client_from_params,
    validate_endpoint,
)

DEFAULT_ENDPOINT = 'https://open.chinanetcenter.com'
REQUEST_ID_HEADERS = ('x-cnc-request-id',)
AKSK_ALGORITHM = 'CNC-HMAC-SHA256'
# The signed headers wangsu-sdk-python uses when none are configured.
AKSK_SIGNED_HEADERS = ('content-type', 'host')
JSON = 'application/json'


def netcenter_argument_spec():
    """Options shared by every Wangsu module (documented in the netcenter doc fragment)."""
    spec = dict(
        username=dict(type='str', fallback=(env_fallback, ['WANGSU_USERNAME'])),
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['WANGSU_API_KEY'])),
        access_key=dict(type='str', no_log=False, fallback=(env_fallback, ['WANGSU_ACCESS_KEY'])),
        secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['WANGSU_SECRET_KEY'])),
        endpoint=dict(type='str', fallback=(env_fallback, ['WANGSU_ENDPOINT'])),
    )
    spec.update(connection_argument_spec())
    return spec


# ---------------------------------------------------------------------------------------------
# Scheme (a): HTTP Basic with an HMAC-SHA1 of the Date header as the password.

def date_auth_headers(username, api_key, now=None):
    date = email.utils.formatdate(time.time() if now is None else now, usegmt=True)
    digest = hmac.new(api_key.encode('utf-8'), date.encode('utf-8'), hashlib.sha1).digest()
    password = base64.b64encode(digest).decode('ascii')
    credentials = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
    return {'Date': date, 'Authorization': 'Basic ' + credentials}


# ---------------------------------------------------------------------------------------------
# Scheme (b): CNC-HMAC-SHA256, byte for byte as wangsu-sdk-python's AkSkAuth signs.

class CncAkSkSigner:

    def __init__(self, access_key, secret_key):
        self.access_key = access_key
        self._secret_key = secret_key

    @staticmethod
    def canonical_request(method, url, headers, body):
        parts = urlsplit(url)
        lowered = dict((name.lower(), value) for name, value in headers.items())
        # The SDK signs no query on POST, and the others' query percent-decoded.
        query = '' if method == 'POST' else unquote(parts.query)
        canonical_headers = ''.join('%s:%s\n' % (name, lowered.get(name, '').lower()) for name in AKSK_SIGNED_HEADERS)
        payload = body if method in ('POST', 'PUT') and body else b''
        if not isinstance(payload, bytes):
            payload = payload.encode('utf-8')
        return '\n'.join((method, parts.path or '/', query, canonical_headers, ';'.join(AKSK_SIGNED_HEADERS),
                          hashlib.sha256(payload).hexdigest()))

    def signature(self, method, url, headers, body, timestamp):
        canonical = self.canonical_request(method, url, headers, body)
        string_to_sign = '%s\n%s\n%s' % (AKSK_ALGORITHM, timestamp, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
        return hmac.new(self._secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()

    def sign(self, method, url, headers, body=b'', now=None):
        """The headers to add; ``headers`` must already hold Content-Type and Host."""
        timestamp = str(int(time.time() if now is None else now))
        signature = self.signature(method, url, headers, body, timestamp)
        return {
            'x-cnc-accessKey': self.access_key,
            'x-cnc-timestamp': timestamp,
            'x-cnc-auth-method': 'AKSK',
            'Authorization': '%s Credential=%s, SignedHeaders=%s, Signature=%s' % (
                AKSK_ALGORITHM, self.access_key, ';'.join(AKSK_SIGNED_HEADERS), signature),
        }


# ---------------------------------------------------------------------------------------------
# Errors: ``{"code", "message", "data"}``, success is code 0.

def parse_netcenter_error(status, text, headers):
    body = None
    try:
        body = decode_json(text, status)
    except ApiError:
        pass
    code = message = None
    if isinstance(body, dict):
        code = body.get('code')
        message = body.get('message') or body.get('msg')
    if not message:
        message = (text or '').strip()[:200] or 'HTTP %s with an empty body' % status
    request_id = None
    for name in REQUEST_ID_HEADERS:
        request_id = request_id or headers.get(name)
    return ApiError(str(message), status=status, error_code=None if code is None else str(code), request_id=request_id)


# Which option a 401 code of the service is about, with the variable it falls back to.
REFUSED_CREDENTIAL = {
    'InvalidAccessKey': 'access_key (WANGSU_ACCESS_KEY)',
    'SignatureDoesNotMatch': 'secret_key (WANGSU_SECRET_KEY)',
    'InvalidUser': 'username (WANGSU_USERNAME)',
    'InvalidPassword': 'api_key (WANGSU_API_KEY)',
}
SCHEME_CREDENTIALS = {
    'aksk': 'access_key and secret_key (WANGSU_ACCESS_KEY, WANGSU_SECRET_KEY)',
    'date': 'username and api_key (WANGSU_USERNAME, WANGSU_API_KEY)',
}


def name_refused_credential(error, auth_scheme):
    """Prefix an authentication failure with the credential that was refused."""
    if error.status == 401:
        credential = REFUSED_CREDENTIAL.get(error.error_code) or SCHEME_CREDENTIALS[auth_scheme]
        verb = 'were' if ' and ' in credential else 'was'
        error.message = '%s %s refused by the service: %s' % (credential, verb, error.message)
    return error


def is_success_code(code):
    return code is None or str(code) == '0'


# ---------------------------------------------------------------------------------------------
# Client

class NetcenterClient(ServiceClock):
    """The Wangsu open API as one module run sees it."""

    def __init__(self, params, http=None, sleep=None, budget=None):
        username, api_key = params.get('username'), params.get('api_key')
        access_key, secret_key = params.get('access_key'), params.get('secret_key')
        self._signer = self._date_credentials = None
        # A complete pair wins (AK/SK first), so a stray variable of the other scheme does no harm.
        if access_key and secret_key:
            self._signer = CncAkSkSigner(access_key, secret_key)
            self.auth_scheme = 'aksk'
        elif username and api_key:
            self._date_credentials = (username, api_key)
            self.auth_scheme = 'date'
        elif access_key or secret_key:
            raise ConfigurationError('access_key and secret_key go together (or WANGSU_ACCESS_KEY and '
                                     'WANGSU_SECRET_KEY); %s is missing' % ('secret_key' if access_key else 'access_key'))
        elif username or api_key:
            raise ConfigurationError('username and api_key go together (or WANGSU_USERNAME and WANGSU_API_KEY); '
                                     '%s is missing' % ('api_key' if username else 'username'))
        else:
            raise ConfigurationError('set access_key and secret_key, or username and api_key (options, or the '
                                     'WANGSU_* environment variables)')
        self.endpoint = validate_endpoint(params.get('endpoint') or DEFAULT_ENDPOINT, 'endpoint', DEFAULT_ENDPOINT)
        self.http = http or http_client_from_params(
            params, sign=self._sign_prepared, parse_error=self._parse_error,
            request_id_headers=REQUEST_ID_HEADERS, sleep=sleep, budget=budget)
        self.warnings = connection_warnings(params, [('endpoint', self.endpoint)])

    def _parse_error(self, status, text, headers):
        return name_refused_credential(parse_netcenter_error(status, text, headers), self.auth_scheme)

    def _sign_prepared(self, prepared):
        if self._date_credentials:
            prepared.headers.update(date_auth_headers(*self._date_credentials))
            return
        # Host is signed, so it is sent as signed rather than left to the HTTP stack.
        prepared.headers['Host'] = urlsplit(prepared.url).netloc
        prepared.headers.update(self._signer.sign(prepared.method, prepared.url, prepared.headers,
                                                  prepared.body or b''))

    def request(self, method, path, body=None, recheck=None):
        """The ``Answer`` (body and headers), as every client's; a body whose ``code`` is not 0 is an error."""
        headers = {'Content-Type': JSON, 'Accept': JSON}
        result, response_headers = self.http.request(method, self.endpoint + path, json_body=body, headers=headers,
                                                     recheck=recheck)
        self.note_service_clock(response_headers)
        if isinstance(result, dict) and not is_success_code(result.get('code')):
            request_id = None
            for name in REQUEST_ID_HEADERS:
                request_id = request_id or response_headers.get(name)
            raise ApiError(str(result.get('message') or 'the service answered code %s' % result['code']),
                           error_code=str(result['code']), request_id=request_id, status=200)
        return Answer(result, response_headers)


class NetcenterModule(CertfleetModule):
    """Base for Wangsu / ChinaNetCenter modules."""

    provider_argument_spec = staticmethod(netcenter_argument_spec)

    def build_client(self):
        return NetcenterClient(self.params)
