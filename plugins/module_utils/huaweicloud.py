# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud: AK/SK signing (SDK-HMAC-SHA256), endpoints, project id, errors, pagination, and
the module base class of every Huawei Cloud module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import email.utils
import hashlib
import hmac
import json

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, unquote, urlsplit, parse_qsl

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.module import CertfleetModule
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    Answer, connection_argument_spec, connection_warnings, http_client_from_params, validate_endpoint,
)

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()
CONTENT_SHA256_HEADER = 'X-Sdk-Content-Sha256'
# Headers that the HTTP stack may add, drop or rewrite on the way out are left unsigned.
UNSIGNED_TRANSPORT_HEADERS = frozenset(('accept', 'accept-encoding', 'connection', 'content-length'))
MEASURABLE_SKEW = datetime.timedelta(seconds=2)
REQUEST_ID_HEADERS = ('X-Request-Id', 'X-Openstack-Request-Id', 'X-IAM-Trace-Id')
ENDPOINT_EXAMPLE = 'https://elb.cn-north-4.myhuaweicloud.com'
# Each credential option with the variable it falls back to, for messages that name it.
CREDENTIAL_SOURCES = dict(access_key='HW_ACCESS_KEY', secret_key='HW_SECRET_KEY',
                          security_token='HW_SECURITY_TOKEN', auth_token='HW_AUTH_TOKEN')


def huaweicloud_argument_spec():
    """Options shared by every Huawei Cloud module (documented in the huaweicloud doc fragment)."""
    spec = dict(
        access_key=dict(type='str', no_log=False, aliases=['ak'],
                        fallback=(env_fallback, ['HW_ACCESS_KEY', 'CLOUD_SDK_AK'])),
        secret_key=dict(type='str', no_log=True, aliases=['sk'],
                        fallback=(env_fallback, ['HW_SECRET_KEY', 'CLOUD_SDK_SK'])),
        security_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_SECURITY_TOKEN'])),
        auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_AUTH_TOKEN'])),
        region=dict(type='str', fallback=(env_fallback, ['HW_REGION_NAME'])),
        project_id=dict(type='str', fallback=(env_fallback, ['HW_PROJECT_ID'])),
        endpoint=dict(type='str', fallback=(env_fallback, ['HW_ENDPOINT'])),
        iam_endpoint=dict(type='str', fallback=(env_fallback, ['HW_IAM_ENDPOINT'])),
    )
    spec.update(connection_argument_spec())
    return spec


# ---------------------------------------------------------------------------------------------
# Signing, byte for byte as huaweicloudsdkcore's signer.Signer does it.

def _encode(value):
    return quote(value, safe='~')


def canonical_uri(path):
    encoded = '/'.join(_encode(segment) for segment in unquote(path).split('/'))
    return encoded if encoded.endswith('/') else encoded + '/'


def canonical_query(pairs):
    """``k=v&…`` from (key, value) pairs: sorted by key then value, each part percent-encoded."""
    flattened = []
    for key, value in pairs:
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = 'true' if item else 'false'
            flattened.append((str(key), str(item)))
    flattened.sort()
    return '&'.join('%s=%s' % (_encode(key), _encode(value)) for key, value in flattened)


def build_url(endpoint, path, query_pairs=None):
    """The URL the SDK would send: the query already in canonical form."""
    query = canonical_query(query_pairs or [])
    return endpoint.rstrip('/') + path + ('?' + query if query else '')


class AkSkSigner:
    """Signs a request with an access key / secret key pair."""

    def __init__(self, access_key, secret_key):
        self.access_key = access_key
        self._secret_key = secret_key

    def sign(self, method, url, headers, body=b'', now=None):
        """Return the headers to add to ``headers`` (X-Sdk-Date, Host if absent, Authorization)."""
        added = {}
        lowered = dict((name.lower(), value) for name, value in headers.items())
        sdk_date = lowered.get('x-sdk-date')
        if sdk_date is None:
            now = now or datetime.datetime.now(datetime.timezone.utc)
            sdk_date = now.strftime(DATE_FORMAT)
            added['X-Sdk-Date'] = sdk_date
        parts = urlsplit(url)
        if 'host' not in lowered:
            added['Host'] = parts.netloc
        all_headers = dict(headers)
        all_headers.update(added)
        canonical_headers = {}
        for name, value in all_headers.items():
            canonical_headers[name.lower()] = str(value).strip()
        signed = sorted(name for name in canonical_headers if '_' not in name)

        if isinstance(body, str):
            body = body.encode('utf-8')
        if not body:
            payload_hash = EMPTY_BODY_SHA256
        else:
            payload_hash = lowered.get(CONTENT_SHA256_HEADER.lower()) or hashlib.sha256(body).hexdigest()

        canonical_request = '\n'.join((
            method.upper(),
            canonical_uri(parts.path or '/'),
            canonical_query(parse_qsl(parts.query, keep_blank_values=True)),
            ''.join('%s:%s\n' % (name, canonical_headers[name]) for name in signed),
            ';'.join(signed),
            payload_hash,
        ))
        string_to_sign = '\n'.join((
            ALGORITHM, sdk_date, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()))
        signature = hmac.new(self._secret_key.encode('utf-8'), string_to_sign.encode('utf-8'),
                             hashlib.sha256).hexdigest()
        added['Authorization'] = '%s Access=%s, SignedHeaders=%s, Signature=%s' % (
            ALGORITHM, self.access_key, ';'.join(signed), signature)
        return added


# ---------------------------------------------------------------------------------------------
# Errors

def parse_huaweicloud_error(status, text, headers):
    """``{"error_code", "error_msg", "request_id"}``, or the same nested under ``"error"``."""
    body = None
    try:
        body = json.loads(text) if text else None
    except ValueError:
        pass
    code = message = request_id = None
    if isinstance(body, dict):
        inner = body.get('error') if isinstance(body.get('error'), dict) else body
        code = inner.get('error_code') or inner.get('code')
        message = inner.get('error_msg') or inner.get('message')
        request_id = body.get('request_id') or inner.get('request_id')
    if not message:
        message = (text or '').strip()[:200] or 'HTTP %s with an empty body' % status
    for name in REQUEST_ID_HEADERS:
        if request_id:
            break
        request_id = headers.get(name)
    return ApiError(message, status=status, error_code=code and str(code), request_id=request_id)


def credential_in_play(message, auth_scheme):
    """The option (and variable) a 401 is about, from the gateway's message."""
    text = (message or '').lower()
    if auth_scheme == 'token':
        names = ['auth_token']
    elif 'ak not exist' in text or 'access key' in text or 'accesskey' in text:
        names = ['access_key']
    elif 'security token' in text or 'securitytoken' in text:
        names = ['security_token']
    elif 'signature' in text or 'secretkey' in text:
        names = ['secret_key']
    else:
        names = ['access_key', 'secret_key']
    return ' and '.join('%s (%s)' % (name, CREDENTIAL_SOURCES[name]) for name in names)


def name_refused_credential(error, auth_scheme):
    """Prefix an authentication failure with the credential that was refused."""
    if error.status == 401:
        credential = credential_in_play(error.message, auth_scheme)
        verb = 'were' if ' and ' in credential else 'was'
        error.message = '%s %s refused by the service: %s' % (credential, verb, error.message)
    return error


# ---------------------------------------------------------------------------------------------
# Client

class HuaweiCloudClient:
    """One service of Huawei Cloud, as one module run sees it."""

    def __init__(self, params, service, http=None, sleep=None, project_scoped=True, budget=None):
        self.service = service
        # A global service (CCM) has no project in its paths and needs no project id.
        self.project_scoped = project_scoped
        self._clock_offset = None
        self.region = params.get('region')
        self._project_id = params.get('project_id')
        self._auth_token = params.get('auth_token')
        self._security_token = params.get('security_token')
        access_key, secret_key = params.get('access_key'), params.get('secret_key')
        if self._auth_token:
            self._signer = None
            self.auth_scheme = 'token'
        elif access_key and secret_key:
            self._signer = AkSkSigner(access_key, secret_key)
            self.auth_scheme = 'aksk'
        else:
            missing = [name for name, value in (('access_key', access_key), ('secret_key', secret_key)) if not value]
            raise ConfigurationError(
                'access_key and secret_key are required (or auth_token); %s missing: set %s as option%s or through %s'
                % (' and '.join(missing), 'it' if len(missing) == 1 else 'them', '' if len(missing) == 1 else 's',
                   ' and '.join(CREDENTIAL_SOURCES[name] for name in missing)))
        custom_endpoint = params.get('endpoint')
        if not custom_endpoint and not self.region:
            raise ConfigurationError('region is required unless endpoint is set (option region or HW_REGION_NAME)')
        if custom_endpoint:
            self.endpoint = validate_endpoint(custom_endpoint, 'endpoint', ENDPOINT_EXAMPLE)
        else:
            self.endpoint = 'https://%s.%s.myhuaweicloud.com' % (service, self.region)
        if params.get('iam_endpoint'):
            self.iam_endpoint = validate_endpoint(params['iam_endpoint'], 'iam_endpoint',
                                                  'https://iam.cn-north-4.myhuaweicloud.com')
        elif custom_endpoint:
            # A private region or the emulator: the public IAM is not the one that knows its projects.
            self.iam_endpoint = None
            if project_scoped and not self._project_id:
                raise ConfigurationError(
                    'project_id is required when endpoint is set and iam_endpoint is not: set project_id (or '
                    'HW_PROJECT_ID), or iam_endpoint (or HW_IAM_ENDPOINT) to look it up')
        else:
            self.iam_endpoint = 'https://iam.%s.myhuaweicloud.com' % self.region
        self.http = http or http_client_from_params(
            params, sign=self._sign_prepared, parse_error=self._parse_error,
            request_id_headers=REQUEST_ID_HEADERS, sleep=sleep, budget=budget)
        self.warnings = connection_warnings(params, [('endpoint', self.endpoint), ('iam_endpoint', self.iam_endpoint)])

    def _parse_error(self, status, text, headers):
        return name_refused_credential(parse_huaweicloud_error(status, text, headers), self.auth_scheme)

    def _sign_prepared(self, prepared):
        if self._security_token:
            prepared.headers['X-Security-Token'] = self._security_token
        if self._signer is None:
            prepared.headers['X-Auth-Token'] = self._auth_token
            return
        to_sign = dict((name, value) for name, value in prepared.headers.items()
                       if name.lower() not in UNSIGNED_TRANSPORT_HEADERS)
        prepared.headers.update(self._signer.sign(prepared.method, prepared.url, to_sign, prepared.body or b''))

    @property
    def project_id(self):
        if not self._project_id:
            self._project_id = self._lookup_project_id()
        return self._project_id

    def _lookup_project_id(self):
        if not self.region:
            raise ConfigurationError('project_id is required when region is not set')
        url = build_url(self.iam_endpoint, '/v3/projects', [('name', self.region)])
        body, dummy = self.http.request('GET', url)
        projects = body.get('projects') or []
        if len(projects) != 1:
            raise ApiError('IAM returned %d projects named %r; set project_id (or HW_PROJECT_ID) explicitly'
                           % (len(projects), self.region))
        return projects[0]['id']

    def path(self, template, **values):
        if '{project_id}' in template:
            values.setdefault('project_id', self.project_id)
        return template.format(**dict((k, quote(str(v), safe='')) for k, v in values.items()))

    def request(self, method, path, query=None, body=None, recheck=None, idempotent=None):
        # As the SDK does for project-scoped credentials.
        headers = {'X-Project-Id': self._project_id} if self._project_id and self.project_scoped else {}
        url = build_url(self.endpoint, path, query)
        result, response_headers = self.http.request(method, url, json_body=body, headers=headers, recheck=recheck,
                                                     idempotent=idempotent)
        self._note_service_clock(response_headers)
        return Answer(result, response_headers)

    def _note_service_clock(self, headers):
        try:
            told = email.utils.parsedate_to_datetime(headers.get('Date'))
        except (TypeError, ValueError, AttributeError):
            return
        if told is None or told.tzinfo is None:
            return
        # Date has whole seconds: the middle of its second is the best estimate, and a difference
        # that small is not a skew worth acting on.
        offset = told + datetime.timedelta(seconds=0.5) - datetime.datetime.now(datetime.timezone.utc)
        self._clock_offset = offset if abs(offset) > MEASURABLE_SKEW else None

    def service_now(self):
        """The service's time (UTC): the local clock corrected by the ``Date`` of its last answer.

        Expiry decisions use it, so a controller whose clock is off does not renew too early or too
        late by the service's own reckoning; before any answer, without ``Date``, or within two
        seconds of it, the local clock.
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        return now + self._clock_offset if self._clock_offset is not None else now

    def list_by_offset(self, path, items_key, query=None, limit=100):
        """Every item of an offset-paged list (``offset``/``limit``, counted by ``total``), in order."""
        query = list(query or [])
        offset = 0
        while True:
            body = self.request('GET', path, query + [('limit', limit), ('offset', offset)])
            items = body.get(items_key) or []
            yield from items
            offset += len(items)
            if not items or offset >= (body.get('total') or 0):
                return

    def list_by_marker(self, path, items_key, query=None, limit=2000):
        """Every item of a marker-paged list (``page_info.next_marker``), largest pages first."""
        query = list(query or [])
        marker = None
        while True:
            page_query = query + [('limit', limit)] + ([('marker', marker)] if marker else [])
            body = self.request('GET', path, page_query)
            items = body.get(items_key) or []
            yield from items
            next_marker = (body.get('page_info') or {}).get('next_marker')
            if not items or not next_marker or next_marker == marker:
                return
            marker = next_marker


class HuaweiCloudModule(CertfleetModule):
    """Base for modules of one Huawei Cloud service (``service`` names its endpoint)."""

    provider_argument_spec = staticmethod(huaweicloud_argument_spec)

    def __init__(self, service, argument_spec, project_scoped=True, **kwargs):
        self.service = service
        self.project_scoped = project_scoped
        super(HuaweiCloudModule, self).__init__(argument_spec, **kwargs)

    def build_client(self):
        return HuaweiCloudClient(self.params, self.service, project_scoped=self.project_scoped)
