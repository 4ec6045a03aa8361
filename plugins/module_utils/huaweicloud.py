# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud: AK/SK signing (SDK-HMAC-SHA256), endpoints, project id, errors, pagination, and
the module base class of every Huawei Cloud module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import difflib
import hashlib
import hmac
import json
import os
import re

from ansible.module_utils.basic import AnsibleFallbackNotFound, env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, unquote, urlsplit, parse_qsl

from ansible_collections.certfleet.cloud.plugins.module_utils.credentials import (
    DEFAULT_METADATA_ENDPOINT, PROFILE_FILLS, AgencySource, MetadataSource, StaticSource, find_profile,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.module import CertfleetModule
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import (
    Answer, ServiceClock, connection_argument_spec, connection_warnings, http_client_from_params, validate_endpoint,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import requests as lazy_requests

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
EMPTY_BODY_SHA256 = hashlib.sha256(b'').hexdigest()
CONTENT_SHA256_HEADER = 'X-Sdk-Content-Sha256'
# Headers that the HTTP stack may add, drop or rewrite on the way out are left unsigned.
UNSIGNED_TRANSPORT_HEADERS = frozenset(('accept', 'accept-encoding', 'connection', 'content-length'))
REQUEST_ID_HEADERS = ('X-Request-Id', 'X-Openstack-Request-Id', 'X-IAM-Trace-Id')
ENDPOINT_EXAMPLE = 'https://elb.cn-north-4.myhuaweicloud.com'
DEFAULT_CLOUD = 'myhuaweicloud.com'
CLOUD_PATTERN = re.compile(r'^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$')
# Each credential option with the variables it falls back to, for messages that name them.
CREDENTIAL_SOURCES = dict(access_key='HW_ACCESS_KEY', secret_key='HW_SECRET_KEY',
                          security_token='HW_SECURITY_TOKEN', auth_token='HW_AUTH_TOKEN')
AGENCY_DURATION_RANGE = (900, 86400)


def set_env_fallback(*names, **kwargs):
    """``env_fallback`` that takes an empty variable as unset: AWX injects every field of a credential,
    the empty ones as '', which a number option cannot take."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def huaweicloud_argument_spec():
    """Options shared by every Huawei Cloud module (documented in the huaweicloud doc fragment)."""
    spec = dict(
        access_key=dict(type='str', no_log=False, aliases=['ak'],
                        fallback=(env_fallback, ['HW_ACCESS_KEY', 'CLOUD_SDK_AK', 'HUAWEICLOUD_SDK_AK'])),
        secret_key=dict(type='str', no_log=True, aliases=['sk'],
                        fallback=(env_fallback, ['HW_SECRET_KEY', 'CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SK'])),
        security_token=dict(type='str', no_log=True,
                            fallback=(env_fallback, ['HW_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'])),
        auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_AUTH_TOKEN'])),
        profile=dict(type='str', fallback=(env_fallback, ['HW_PROFILE'])),
        metadata_endpoint=dict(type='str', fallback=(env_fallback, ['HW_METADATA_ENDPOINT'])),
        agency_name=dict(type='str', fallback=(env_fallback, ['HW_ASSUME_ROLE_AGENCY_NAME'])),
        agency_domain_name=dict(type='str', fallback=(env_fallback, ['HW_ASSUME_ROLE_DOMAIN_NAME'])),
        agency_duration=dict(type='int', default=3600, fallback=(set_env_fallback, ['HW_ASSUME_ROLE_DURATION'])),
        region=dict(type='str', fallback=(env_fallback, ['HW_REGION_NAME'])),
        cloud=dict(type='str', default=DEFAULT_CLOUD, fallback=(env_fallback, ['HW_CLOUD'])),
        project_id=dict(type='str', fallback=(env_fallback, ['HW_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID'])),
        domain_id=dict(type='str', fallback=(env_fallback, ['HW_DOMAIN_ID', 'HUAWEICLOUD_SDK_DOMAIN_ID'])),
        endpoint=dict(type='str', fallback=(env_fallback, ['HW_ENDPOINT'])),
        iam_endpoint=dict(type='str', fallback=(env_fallback, ['HW_IAM_ENDPOINT', 'HUAWEICLOUD_SDK_IAM_ENDPOINT'])),
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


def name_refused_credential(error, auth_scheme, source=None):
    """Prefix an authentication failure with the credential that was refused, and where it came from."""
    if error.status == 401:
        if source is not None and source.description != 'options':
            error.message = 'the credentials from %s were refused by the service: %s' % (source.description,
                                                                                         error.message)
            return error
        credential = credential_in_play(error.message, auth_scheme)
        verb = 'were' if ' and ' in credential else 'was'
        error.message = '%s %s refused by the service: %s' % (credential, verb, error.message)
    return error


def sign_with(prepared, credentials):
    """Sign a prepared request with ``credentials`` (access key, secret key, security token)."""
    if credentials.security_token:
        prepared.headers['X-Security-Token'] = credentials.security_token
    to_sign = dict((name, value) for name, value in prepared.headers.items()
                   if name.lower() not in UNSIGNED_TRANSPORT_HEADERS)
    signer = AkSkSigner(credentials.access_key, credentials.secret_key)
    prepared.headers.update(signer.sign(prepared.method, prepared.url, to_sign, prepared.body or b''))


def validate_cloud(value):
    cloud = (value or DEFAULT_CLOUD).strip().lower()
    if not CLOUD_PATTERN.match(cloud):
        raise ConfigurationError('cloud must be a domain such as myhuaweicloud.com or myhuaweicloud.eu, not %r' % value)
    return cloud


# ---------------------------------------------------------------------------------------------
# Client

class HuaweiCloudClient(ServiceClock):
    """One service of Huawei Cloud, as one module run sees it.

    ``credentials`` is a ``CredentialSource`` to share (the targets of one account under
    ``certificate_deploy``); without it, the chain of ``resolve_credentials`` picks one.
    """

    def __init__(self, params, service, http=None, sleep=None, project_scoped=True, budget=None, credentials=None):
        self.service = service
        # A global service (CCM) has no project in its paths and needs no project id.
        self.project_scoped = project_scoped
        self._params = params
        self.cloud = validate_cloud(params.get('cloud'))
        self._auth_token = params.get('auth_token')
        if self._auth_token:
            self.credential_source = None
            self.auth_scheme = 'token'
            filled = params
        else:
            self.auth_scheme = 'aksk'
            filled = self._fill_from_profile(params)
        self.region = filled.get('region')
        self._project_id = filled.get('project_id')
        self.domain_id = filled.get('domain_id')
        self._security_token = params.get('security_token') if self._auth_token else None
        custom_endpoint = params.get('endpoint')
        if not custom_endpoint and not self.region:
            raise ConfigurationError('region is required unless endpoint is set (option region or HW_REGION_NAME)')
        endpoint_options = []
        derived = 'region option (%r; the host is derived from it and cloud %r)' % (self.region, self.cloud)
        if custom_endpoint:
            self.endpoint = validate_endpoint(custom_endpoint, 'endpoint', ENDPOINT_EXAMPLE)
            endpoint_options.append((self.endpoint, 'endpoint'))
        else:
            self.endpoint = 'https://%s.%s.%s' % (service, self.region, self.cloud)
            endpoint_options.append((self.endpoint, derived))
        if filled.get('iam_endpoint'):
            self.iam_endpoint = validate_endpoint(filled['iam_endpoint'], 'iam_endpoint',
                                                  'https://iam.cn-north-4.myhuaweicloud.com')
            endpoint_options.insert(0, (self.iam_endpoint, 'iam_endpoint'))
        elif custom_endpoint:
            # A private region or the emulator: the public IAM is not the one that knows its projects.
            self.iam_endpoint = None
            if project_scoped and not self._project_id:
                raise ConfigurationError(
                    'project_id is required when endpoint is set and iam_endpoint is not: set project_id (or '
                    'HW_PROJECT_ID), or iam_endpoint (or HW_IAM_ENDPOINT) to look it up')
        else:
            self.iam_endpoint = 'https://iam.%s.%s' % (self.region, self.cloud)
            endpoint_options.insert(0, (self.iam_endpoint, derived))
        self._endpoint_options = endpoint_options
        if not self._auth_token:
            self.credential_source = credentials or self._credential_chain(filled)
        self.http = http or http_client_from_params(
            params, sign=self._sign_prepared, parse_error=self._parse_error,
            request_id_headers=REQUEST_ID_HEADERS, sleep=sleep, budget=budget, endpoint_options=endpoint_options)
        self.warnings = connection_warnings(params, [('endpoint', self.endpoint), ('iam_endpoint', self.iam_endpoint)])

    def _fill_from_profile(self, params):
        """``params``, completed from a profile when no keys are given (options win over the profile)."""
        access_key, secret_key = params.get('access_key'), params.get('secret_key')
        if access_key or secret_key:
            if not (access_key and secret_key):
                missing = 'secret_key' if access_key else 'access_key'
                raise ConfigurationError(
                    'access_key and secret_key go together (or auth_token); %s missing: set it as option or through '
                    '%s' % (missing, CREDENTIAL_SOURCES[missing]))
            self._profile = None
            return params
        self._profile = find_profile(params, self.project_scoped)
        if self._profile is None:
            return params
        filled = dict(params)
        for name in PROFILE_FILLS:
            if not filled.get(name) and self._profile.get(name):
                filled[name] = self._profile[name]
        return filled

    def _credential_chain(self, filled):
        """Options, then a profile, then the ECS metadata service; then the agency, if one is named."""
        params = self._params
        if params.get('access_key'):
            source = StaticSource(params['access_key'], params['secret_key'], params.get('security_token'))
        elif self._profile is not None:
            source = StaticSource(self._profile['access_key'], self._profile['secret_key'],
                                  self._profile.get('security_token'), self._profile['description'])
        else:
            metadata = validate_endpoint(params.get('metadata_endpoint') or DEFAULT_METADATA_ENDPOINT,
                                         'metadata_endpoint', DEFAULT_METADATA_ENDPOINT)
            source = MetadataSource(LazySession(), metadata)
        if not filled.get('agency_name'):
            if filled.get('agency_domain_name'):
                raise ConfigurationError('agency_domain_name is set but agency_name is not: set both to assume an agency')
            return source
        if not filled.get('agency_domain_name'):
            raise ConfigurationError('agency_name is set but agency_domain_name (the account that owns the agency) '
                                     'is not: set both (or HW_ASSUME_ROLE_DOMAIN_NAME)')
        duration = params.get('agency_duration') or 3600
        if not AGENCY_DURATION_RANGE[0] <= duration <= AGENCY_DURATION_RANGE[1]:
            raise ConfigurationError('agency_duration must be from %d to %d seconds, not %d'
                                     % (AGENCY_DURATION_RANGE + (duration,)))
        if not self.iam_endpoint:
            raise ConfigurationError('agency_name needs IAM: set iam_endpoint (or HW_IAM_ENDPOINT) when endpoint is set')
        return AgencySource(source, self._post_signed, self.iam_endpoint, filled['agency_name'],
                            filled['agency_domain_name'], duration)

    def _post_signed(self, url, body, credentials):
        """One POST signed with ``credentials`` rather than the client's own (assuming an agency)."""
        http = http_client_from_params(self._params, sign=lambda prepared: sign_with(prepared, credentials),
                                       parse_error=self._parse_error, request_id_headers=REQUEST_ID_HEADERS,
                                       endpoint_options=self._endpoint_options)
        result, dummy = http.request('POST', url, json_body=body, idempotent=True)
        return result

    def secrets(self):
        """Every secret the credential chain handed out (temporary keys, keys read from a profile)."""
        return self.credential_source.secrets() if self.credential_source is not None else []

    def _parse_error(self, status, text, headers):
        return name_refused_credential(parse_huaweicloud_error(status, text, headers), self.auth_scheme,
                                       getattr(self, 'credential_source', None))

    def _sign_prepared(self, prepared):
        if self.credential_source is None:
            if self._security_token:
                prepared.headers['X-Security-Token'] = self._security_token
            prepared.headers['X-Auth-Token'] = self._auth_token
            return
        sign_with(prepared, self.credential_source.current(self.service_now()))

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
        if len(projects) == 1:
            return projects[0]['id']
        if projects:
            raise ApiError('IAM returned %d projects named %r; set project_id (or HW_PROJECT_ID) to the one to use'
                           % (len(projects), self.region))
        raise ConfigurationError(self._unknown_region_message())

    def _unknown_region_message(self):
        """The region is probably misspelt or not enabled for the account: say so, with the names IAM knows."""
        message = 'region %r is probably wrong: IAM knows no project of that name' % self.region
        try:
            body, dummy = self.http.request('GET', build_url(self.iam_endpoint, '/v3/projects'))
        except ApiError:
            return message + '; check the region option (or HW_REGION_NAME), or set project_id'
        # Sub-projects are named region_suffix; the region is the part before the underscore.
        names = sorted(set((project.get('name') or '').split('_')[0] for project in body.get('projects') or []))
        names = [name for name in names if name and name != 'MOS']
        close = difflib.get_close_matches(self.region, names, n=3, cutoff=0.6)
        if close:
            message += '; did you mean %s?' % ' or '.join(repr(name) for name in close)
        if names:
            message += '%s regions with a project: %s.' % ('' if close else ';', ', '.join(names[:20]))
            return message + ' Set region (or HW_REGION_NAME) to one of them, or set project_id'
        return message + '; set region (or HW_REGION_NAME) to a region the account has, or set project_id'

    def path(self, template, **values):
        if '{project_id}' in template:
            values.setdefault('project_id', self.project_id)
        return template.format(**dict((k, quote(str(v), safe='')) for k, v in values.items()))

    def request(self, method, path, query=None, body=None, recheck=None, idempotent=None):
        # As the SDK does: the project for project-scoped credentials, the account for global ones.
        headers = {}
        if self.project_scoped and self._project_id:
            headers['X-Project-Id'] = self._project_id
        elif not self.project_scoped and self.domain_id:
            headers['X-Domain-Id'] = self.domain_id
        url = build_url(self.endpoint, path, query)
        result, response_headers = self.http.request(method, url, json_body=body, headers=headers, recheck=recheck,
                                                     idempotent=idempotent)
        self.note_service_clock(response_headers)
        return Answer(result, response_headers)

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


class LazySession:
    """A requests session made at its first use (requests is imported only by runs that need it).

    It ignores HTTP(S)_PROXY: the metadata service is link-local, and a proxy would answer for it.
    """

    def __init__(self):
        self._session = None

    def __getattr__(self, name):
        if self._session is None:
            self._session = lazy_requests.Session()
            self._session.trust_env = False
        return getattr(self._session, name)


class HuaweiCloudModule(CertfleetModule):
    """Base for modules of one Huawei Cloud service (``service`` names its endpoint)."""

    provider_argument_spec = staticmethod(huaweicloud_argument_spec)

    def __init__(self, service, argument_spec, project_scoped=True, **kwargs):
        self.service = service
        self.project_scoped = project_scoped
        super(HuaweiCloudModule, self).__init__(argument_spec, **kwargs)

    def build_client(self):
        return HuaweiCloudClient(self.params, self.service, project_scoped=self.project_scoped)
