# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where Huawei Cloud credentials come from, in the order the SDK and the Terraform provider use:
options (and their environment variables), the SDK's credentials file, a KooCLI profile, the ECS
metadata service; then, optionally, an IAM agency assumed with them.

A source hands out the current access key, secret key and security token, fetching temporary ones
again before they expire; it is shared by the threads of every target of one account, so fetching
is done under a lock. Nothing here knows AnsibleModule or signing (``huaweicloud.py`` does).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import configparser
import datetime
import json
import os
import re
import stat
import threading

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import parse_time

DEFAULT_METADATA_ENDPOINT = 'http://169.254.169.254'
METADATA_TOKEN_PATH = '/meta-data/latest/api/token'
METADATA_SECURITY_KEY_PATH = '/openstack/latest/securitykey'
METADATA_TOKEN_TTL_SECONDS = 6 * 60 * 60
SECURITY_TOKENS_PATH = '/v3.0/OS-CREDENTIAL/securitytokens'
# Temporary credentials are fetched again when this little of their lifetime is left (or a quarter
# of it, for short-lived ones), so that no request is signed with credentials about to lapse.
REFRESH_MARGIN = datetime.timedelta(minutes=5)

SDK_CREDENTIALS_FILE_VARIABLE = 'HUAWEICLOUD_SDK_CREDENTIALS_FILE'
SDK_CREDENTIALS_FILE = os.path.join('~', '.huaweicloud', 'credentials')
KOOCLI_CONFIG_VARIABLE = 'HW_SHARED_CONFIG_FILE'
KOOCLI_CONFIG_FILE = os.path.join('~', '.hcloud', 'config.json')
# The options a profile can supply besides the keys; an option that is set wins over the profile.
PROFILE_FILLS = ('region', 'project_id', 'domain_id', 'iam_endpoint', 'agency_name', 'agency_domain_name')

Credentials = collections.namedtuple('Credentials', 'access_key secret_key security_token expires_at')


def parse_expiry(text):
    """``expires_at`` of IAM and the metadata service (``2025-01-08T02:56:19.587000Z``), as UTC."""
    if not text:
        return None
    # Whole seconds are precise enough for a refresh, and any number of fraction digits then parses.
    parsed = parse_time(re.sub(r'\.\d+', '', str(text).strip()))
    if parsed is None:
        raise ApiError('the temporary credentials carry an expiry that is not a time: %r' % str(text)[:40])
    return parsed.astimezone(datetime.timezone.utc)


def credentials_from_answer(body, origin):
    """The temporary credentials in an IAM or metadata answer (``{"credential": {...}}``)."""
    inner = body.get('credential') if isinstance(body, dict) else None
    if not isinstance(inner, dict) or not inner.get('access') or not inner.get('secret'):
        raise ApiError('%s answered without temporary credentials (no credential.access/secret)' % origin)
    return Credentials(inner['access'], inner['secret'], inner.get('securitytoken'),
                       parse_expiry(inner.get('expires_at')))


class CredentialSource:
    """One place credentials come from. ``current(now)`` is what to sign with at ``now``."""

    description = 'credentials'

    def __init__(self):
        self._lock = threading.Lock()
        self._current = None
        self._fetched_at = None
        # Every secret handed out, so the module can hide each from its output.
        self._secrets = []

    def fetch(self, now):
        raise NotImplementedError

    def _stale(self, now):
        expires_at = self._current.expires_at
        if expires_at is None:
            return False
        lifetime = expires_at - self._fetched_at
        margin = min(REFRESH_MARGIN, lifetime / 4) if lifetime > datetime.timedelta(0) else REFRESH_MARGIN
        return now >= expires_at - margin

    def current(self, now=None):
        now = now or datetime.datetime.now(datetime.timezone.utc)
        with self._lock:
            if self._current is None or self._stale(now):
                self._current = self.fetch(now)
                self._fetched_at = now
                self._secrets.extend(value for value in (self._current.secret_key, self._current.security_token)
                                     if value)
            return self._current

    def secrets(self):
        with self._lock:
            return list(self._secrets)


class StaticSource(CredentialSource):
    """Keys given as they are: options, environment variables or a profile."""

    def __init__(self, access_key, secret_key, security_token=None, description='options'):
        super(StaticSource, self).__init__()
        self.description = description
        self._given = Credentials(access_key, secret_key, security_token, None)

    def fetch(self, now):
        return self._given


class MetadataSource(CredentialSource):
    """The temporary keys of the agency of the ECS this runs on (its metadata service).

    ``session`` is a requests session; ``timeout`` is short on purpose: off an ECS, nothing
    answers at the metadata address and the run must say so quickly.
    """

    def __init__(self, session, endpoint=DEFAULT_METADATA_ENDPOINT, timeout=(2, 5)):
        super(MetadataSource, self).__init__()
        self.endpoint = endpoint.rstrip('/')
        self.description = 'the ECS metadata service at %s' % self.endpoint
        self._session = session
        self._timeout = timeout

    def fetch(self, now):
        try:
            headers = {}
            answer = self._session.put(self.endpoint + METADATA_TOKEN_PATH, timeout=self._timeout,
                                       headers={'X-Metadata-Token-Ttl-Seconds': str(METADATA_TOKEN_TTL_SECONDS)})
            # A metadata service without session tokens (older ones) answers 404/405: go on without.
            if answer.status_code == 200 and answer.text.strip():
                headers['X-Metadata-Token'] = answer.text.strip()
            elif answer.status_code not in (404, 405):
                raise ApiError('the ECS metadata service at %s refused a session token' % self.endpoint,
                               status=answer.status_code)
            answer = self._session.get(self.endpoint + METADATA_SECURITY_KEY_PATH, headers=headers,
                                       timeout=self._timeout)
        except (ApiError, ConfigurationError):
            raise
        except Exception as exc:  # requests' errors, imported lazily by the caller
            raise ConfigurationError(
                'no credentials found: access_key/secret_key (options, HW_ACCESS_KEY/HW_SECRET_KEY or '
                'HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK), a profile file (%s, %s) or an ECS agency; the ECS '
                'metadata service at %s did not answer (%s). Off an ECS, set credentials; set metadata_endpoint '
                'for a private cloud' % (SDK_CREDENTIALS_FILE, KOOCLI_CONFIG_FILE, self.endpoint,
                                         type(exc).__name__))
        if answer.status_code != 200:
            hint = ' (is an agency attached to this ECS?)' if answer.status_code in (401, 404) else ''
            raise ApiError('the ECS metadata service at %s gave no credentials%s' % (self.endpoint, hint),
                           status=answer.status_code)
        try:
            body = json.loads(answer.text)
        except ValueError:
            raise ApiError('the ECS metadata service at %s answered something that is not JSON' % self.endpoint)
        return credentials_from_answer(body, 'the ECS metadata service at %s' % self.endpoint)


class AgencySource(CredentialSource):
    """Temporary keys of an IAM agency of another (or the same) account, assumed with ``base``.

    ``post(url, body, credentials)`` sends a request signed with ``credentials`` and returns the
    decoded answer (huaweicloud.py's client supplies it).
    """

    def __init__(self, base, post, iam_endpoint, agency_name, agency_domain_name, duration_seconds, clock=None):
        super(AgencySource, self).__init__()
        self.base = base
        self._post = post
        self._iam_endpoint = iam_endpoint
        self.agency_name = agency_name
        self.agency_domain_name = agency_domain_name
        self.duration_seconds = duration_seconds
        self.description = 'agency %s of account %s (assumed with %s)' % (agency_name, agency_domain_name,
                                                                          base.description)

    def fetch(self, now):
        body = {'auth': {'identity': {'methods': ['assume_role'], 'assume_role': {
            'agency_name': self.agency_name, 'domain_name': self.agency_domain_name,
            'duration_seconds': self.duration_seconds}}}}
        try:
            answer = self._post(self._iam_endpoint + SECURITY_TOKENS_PATH, body, self.base.current(now))
        except ApiError as error:
            error.message = 'assuming agency %s of account %s (agency_name, agency_domain_name) failed: %s' % (
                self.agency_name, self.agency_domain_name, error.message)
            raise
        return credentials_from_answer(answer, 'IAM (assume agency %s)' % self.agency_name)

    def secrets(self):
        return self.base.secrets() + super(AgencySource, self).secrets()


# ---------------------------------------------------------------------------------------------
# Profile files

def check_private(path):
    """Refuse a credentials file that other users can read or change, as ssh refuses such a key."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            'permissions %04o for %s are too open: it holds secret keys, so it must be readable by its owner only; '
            'run chmod 600 %s' % (mode, path, path))


def read_sdk_credentials(path, project_scoped):
    """The ``[basic]`` (project-scoped services) or ``[global]`` (global services) section of the
    SDK's INI file; the other section when the preferred one is absent."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding='utf-8') as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigurationError('cannot read the credentials file %s: %s' % (path, exc))
    order = ('basic', 'global') if project_scoped else ('global', 'basic')
    section = next((name for name in order if parser.has_section(name)), None)
    if section is None:
        raise ConfigurationError('the credentials file %s has neither a [basic] nor a [global] section' % path)
    values = dict(parser.items(section))
    if not values.get('ak') or not values.get('sk'):
        raise ConfigurationError('the [%s] section of %s needs both ak and sk' % (section, path))
    return dict(access_key=values['ak'], secret_key=values['sk'], security_token=values.get('security_token'),
                project_id=values.get('project_id'), domain_id=values.get('domain_id'),
                iam_endpoint=values.get('iam_endpoint'), description='[%s] of %s' % (section, path))


def _looks_encrypted(config, profile):
    flags = [value for key, value in list(config.items()) + list(profile.items())
             if 'encrypt' in key.lower() and value not in (False, None, '', 'false', 'off', 0)]
    keys = [profile.get('accessKeyId') or '', profile.get('secretAccessKey') or '']
    # Plain keys are short and alphanumeric; an encrypted value is long and carries its cipher's alphabet.
    return bool(flags) or any(len(value) > 64 or re.search(r'[^A-Za-z0-9]', value) for value in keys[:1] if value)


def read_koocli_profile(path, name):
    """A profile of KooCLI's ``config.json`` (``name``, else the file's ``current``), AK/SK mode and
    unencrypted only."""
    try:
        with open(path, encoding='utf-8') as handle:
            config = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ConfigurationError('cannot read the KooCLI configuration %s: %s' % (path, exc))
    profiles = config.get('profiles') if isinstance(config, dict) else None
    if not isinstance(profiles, list):
        raise ConfigurationError('the KooCLI configuration %s has no profiles list' % path)
    wanted = name or config.get('current')
    profile = next((item for item in profiles if isinstance(item, dict) and item.get('name') == wanted), None)
    if profile is None:
        known = ', '.join(sorted(str(item.get('name')) for item in profiles if isinstance(item, dict))) or 'none'
        raise ConfigurationError('profile %r is not in the KooCLI configuration %s (profiles: %s)'
                                 % (wanted, path, known))
    where = 'KooCLI profile %r of %s' % (wanted, path)
    mode = profile.get('mode') or 'AKSK'
    if mode.upper() != 'AKSK':
        raise ConfigurationError('the %s is in %s mode; only AKSK profiles can be used' % (where, mode))
    if _looks_encrypted(config, profile):
        raise ConfigurationError(
            'the %s is encrypted, and only KooCLI can decrypt it: run `hcloud configure set --cli-auth-encrypt=false` '
            'and configure the profile again, or give the keys another way' % where)
    if not profile.get('accessKeyId') or not profile.get('secretAccessKey'):
        raise ConfigurationError('the %s needs both accessKeyId and secretAccessKey' % where)
    return dict(access_key=profile['accessKeyId'], secret_key=profile['secretAccessKey'],
                security_token=profile.get('securityToken') or None, region=profile.get('region') or None,
                project_id=profile.get('projectId') or None, domain_id=profile.get('domainId') or None,
                agency_name=profile.get('agencyName') or None,
                agency_domain_name=profile.get('agencyDomainName') or None, description=where)


def find_profile(params, project_scoped, environ=None):
    """The profile the chain uses when no keys are given, or None: the KooCLI profile named by
    ``profile``, else the SDK's credentials file, else KooCLI's current profile."""
    environ = os.environ if environ is None else environ
    koocli_path = os.path.expanduser(environ.get(KOOCLI_CONFIG_VARIABLE) or KOOCLI_CONFIG_FILE)
    if params.get('profile'):
        if not os.path.isfile(koocli_path):
            raise ConfigurationError('profile %r is set but the KooCLI configuration %s does not exist (set %s to '
                                     'its path)' % (params['profile'], koocli_path, KOOCLI_CONFIG_VARIABLE))
        check_private(koocli_path)
        return read_koocli_profile(koocli_path, params['profile'])
    sdk_path = environ.get(SDK_CREDENTIALS_FILE_VARIABLE)
    if sdk_path and not os.path.isfile(os.path.expanduser(sdk_path)):
        raise ConfigurationError('%s names %s, which does not exist' % (SDK_CREDENTIALS_FILE_VARIABLE, sdk_path))
    sdk_path = os.path.expanduser(sdk_path or SDK_CREDENTIALS_FILE)
    if os.path.isfile(sdk_path):
        check_private(sdk_path)
        return read_sdk_credentials(sdk_path, project_scoped)
    if os.path.isfile(koocli_path):
        check_private(koocli_path)
        return read_koocli_profile(koocli_path, None)
    return None
