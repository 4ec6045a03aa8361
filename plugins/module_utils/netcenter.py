# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wangsu / ChinaNetCenter open API: its two authentication schemes, errors and client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import datetime
import email.utils
import hashlib
import hmac
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, unquote, urlsplit

from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    ApiError, ConfigurationError, connection_argument_spec, decode_json, http_client_from_params,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import format_time

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


def is_success_code(code):
    return code is None or str(code) == '0'


# ---------------------------------------------------------------------------------------------
# Client

class NetcenterClient:
    """The Wangsu open API as one module run sees it."""

    def __init__(self, params, http=None, sleep=None):
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
        self.endpoint = (params.get('endpoint') or DEFAULT_ENDPOINT).rstrip('/')
        if not urlsplit(self.endpoint).netloc:
            raise ConfigurationError('endpoint must be a URL such as %s, not %r' % (DEFAULT_ENDPOINT, self.endpoint))
        self.http = http or http_client_from_params(
            params, sign=self._sign_prepared, parse_error=parse_netcenter_error,
            request_id_headers=REQUEST_ID_HEADERS, sleep=sleep)

    def _sign_prepared(self, prepared):
        if self._date_credentials:
            prepared.headers.update(date_auth_headers(*self._date_credentials))
            return
        # Host is signed, so it is sent as signed rather than left to the HTTP stack.
        prepared.headers['Host'] = urlsplit(prepared.url).netloc
        prepared.headers.update(self._signer.sign(prepared.method, prepared.url, prepared.headers,
                                                  prepared.body or b''))

    def request(self, method, path, body=None, recheck=None):
        """``(decoded body, response headers)``; a body whose ``code`` is not 0 is an error."""
        headers = {'Content-Type': JSON, 'Accept': JSON}
        result, response_headers = self.http.request(method, self.endpoint + path, json_body=body, headers=headers,
                                                     recheck=recheck)
        if isinstance(result, dict) and not is_success_code(result.get('code')):
            request_id = None
            for name in REQUEST_ID_HEADERS:
                request_id = request_id or response_headers.get(name)
            raise ApiError(str(result.get('message') or 'the service answered code %s' % result['code']),
                           error_code=str(result['code']), request_id=request_id, status=200)
        return result, response_headers


# ---------------------------------------------------------------------------------------------
# Certificates: shared by netcenter_certificate and netcenter_certificate_info

CERTIFICATE_COLLECTION = '/api/certificate'
CERTIFICATE_LIST = '/api/ssl/certificate'
# The list reports validity in China Standard Time, without a zone.
CST = datetime.timezone(datetime.timedelta(hours=8))


def certificate_item_path(certificate_id):
    return '%s/%s' % (CERTIFICATE_COLLECTION, quote(str(certificate_id), safe=''))


def md5_hex(text):
    """The digest the API reports for a stored file (``crt-md5``, ``ca-md5``, ``key-md5``)."""
    return hashlib.md5(text.encode('utf-8')).hexdigest() if text else ''


def cst_to_utc(value):
    try:
        moment = datetime.datetime.strptime(value, '%Y-%m-%d %H:%M:%S').replace(tzinfo=CST)
    except (TypeError, ValueError):
        return value
    return format_time(moment)


def _names(value, key):
    """The list API nests names either as plain strings or as ``{key: name}`` objects."""
    if isinstance(value, dict):
        value = value.get(key, [])
    if not isinstance(value, list):
        value = [value] if value else []
    return [item.get(key) if isinstance(item, dict) else item for item in value]


def normalize_certificate(item):
    """A list entry with snake-case keys and UTC times; the API's own names are hyphenated."""
    domains = item.get('related-domains') or []
    if isinstance(domains, dict):
        domains = domains.get('related-domain') or []
    return dict(
        id=str(item.get('certificate-id')),
        name=item.get('name'),
        comment=item.get('comment'),
        serial=(item.get('certificate-serial') or '').lower(),
        issuer=item.get('certificate-issuer'),
        not_before=cst_to_utc(item.get('certificate-validity-from')),
        not_after=cst_to_utc(item.get('certificate-validity-to')),
        dns_names=_names(item.get('dns-names'), 'dns-name'),
        related_domains=[dict(domain_id=str(domain.get('domain-id')), domain_name=domain.get('domain-name'))
                         for domain in domains if isinstance(domain, dict)],
        share_ssl=item.get('share-ssl'),
        crt_md5=(item.get('crt-md5') or '').lower(),
        ca_md5=(item.get('ca-md5') or '').lower(),
        key_md5=(item.get('key-md5') or '').lower(),
    )


def netcenter_certificates(client):
    """Every certificate of the account: the list API returns them all in one answer."""
    body, dummy = client.request('GET', CERTIFICATE_LIST)
    return [normalize_certificate(item) for item in body.get('ssl-certificates') or []]


def find_certificate(client, certificate_id=None, name=None):
    """One list call; by id, else by name (names are unique per customer)."""
    for certificate in netcenter_certificates(client):
        if certificate_id is not None and certificate['id'] == str(certificate_id):
            return certificate
        if certificate_id is None and name is not None and certificate['name'] == name:
            return certificate
    return None
