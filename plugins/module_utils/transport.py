# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Provider-neutral HTTP transport: one session, timeouts, TLS, retries, JSON and errors.

(The design calls this file ``http.py``; a module of that name is resolved to the standard
library's ``http`` package by ansible-test's pylint, hence ``transport.py``.)

Providers plug in two callables: ``sign(prepared)`` adds authentication to every
attempt (a retry is re-signed, so its date header stays fresh) and
``parse_error(status, body, headers)`` maps the service's error body onto
``ApiError``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils
import json
import random
import time
import traceback

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:  # pragma: no cover - reported by the module base class
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Statuses for which the service has certainly not acted on the request.
NOT_PROCESSED_STATUSES = frozenset((429,))
DEFAULT_TIMEOUT = 30
DEFAULT_MAX_RETRIES = 5
# Retry-After beyond this is not honoured as-is: a task would otherwise hang for hours.
MAX_RETRY_AFTER = 120.0


def connection_argument_spec():
    """Options of every module that talks HTTP (the ``certfleet.cloud.connection`` doc fragment)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_bundle=dict(type='path'),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        max_retries=dict(type='int', default=DEFAULT_MAX_RETRIES),
    )


class ConfigurationError(Exception):
    """Options that cannot work together; raised before anything is sent."""


def http_client_from_params(params, sign, parse_error, request_id_headers=(), sleep=None):
    """The HttpClient the connection options describe."""
    if params.get('max_retries') is not None and params['max_retries'] < 0:
        raise ConfigurationError('max_retries must be 0 or more')
    if params.get('timeout') is not None and params['timeout'] <= 0:
        raise ConfigurationError('timeout must be greater than 0')
    kwargs = {}
    if sleep is not None:
        kwargs['sleep'] = sleep
    return HttpClient(
        timeout=params.get('timeout') or DEFAULT_TIMEOUT,
        validate_certs=params.get('validate_certs', True),
        ca_bundle=params.get('ca_bundle'),
        retry_policy=RetryPolicy(max_retries=params.get('max_retries', DEFAULT_MAX_RETRIES)),
        sign=sign, parse_error=parse_error, request_id_headers=request_id_headers, **kwargs)


class ApiError(Exception):
    """A request that did not succeed, with what the service said about it."""

    def __init__(self, message, status=None, error_code=None, request_id=None, retryable=False):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.retryable = retryable

    def to_fail_kwargs(self):
        return dict(msg=self.message, status=self.status, error_code=self.error_code, request_id=self.request_id)

    def __str__(self):
        parts = [self.message]
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.error_code:
            parts.append('error_code=%s' % self.error_code)
        if self.request_id:
            parts.append('request_id=%s' % self.request_id)
        return ', '.join(parts)


class RetryPolicy:
    """Exponential backoff with full jitter, bounded by ``max_retries``.

    Attempt ``n`` (0-based) waits a uniform random time in ``[0, min(cap, base * 2**n)]``;
    a ``Retry-After`` from the service is a lower bound on that wait.
    """

    def __init__(self, max_retries=DEFAULT_MAX_RETRIES, base_delay=0.5, max_delay=20.0, rng=None):
        if max_retries < 0:
            raise ValueError('max_retries must be >= 0')
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._rng = rng or random.Random()

    def backoff_ceiling(self, attempt):
        return min(self.max_delay, self.base_delay * (2 ** attempt))

    def delay(self, attempt, retry_after=None):
        wait = self._rng.uniform(0, self.backoff_ceiling(attempt))
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        return wait


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def decode_json(response_text, status, request_id=None):
    if response_text is None or not response_text.strip():
        return {}
    try:
        return json.loads(response_text)
    except ValueError:
        snippet = response_text[:120].replace('\n', ' ')
        raise ApiError('The service returned a malformed JSON body (HTTP %s): %r' % (status, snippet),
                       status=status, error_code='MalformedResponse', request_id=request_id)


class HttpClient:
    """Sends requests with retries; one instance (one session) per module run."""

    def __init__(self, timeout=DEFAULT_TIMEOUT, validate_certs=True, ca_bundle=None, retry_policy=None,
                 sign=None, parse_error=None, request_id_headers=(), sleep=time.sleep, session=None,
                 user_agent='certfleet.cloud'):
        if requests is None and session is None:
            raise RuntimeError('the Python library requests is required')
        self.session = session or requests.Session()
        # Proxies come from HTTP(S)_PROXY/NO_PROXY: requests honours them with trust_env.
        self.session.trust_env = True
        self.timeout = timeout
        self.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.retry_policy = retry_policy or RetryPolicy()
        self.sign = sign
        self.parse_error = parse_error or parse_generic_error
        self.request_id_headers = tuple(request_id_headers)
        self.sleep = sleep
        self.user_agent = user_agent
        self.attempts = 0

    def _request_id(self, headers):
        for name in self.request_id_headers:
            value = headers.get(name)
            if value:
                return value
        return None

    def _send_once(self, method, url, params, body, headers):
        request = requests.Request(method, url, params=params, data=body, headers=dict(headers or {}))
        prepared = self.session.prepare_request(request)
        prepared.headers.setdefault('User-Agent', self.user_agent)
        if self.sign is not None:
            self.sign(prepared)
        self.attempts += 1
        return self.session.send(prepared, timeout=self.timeout, verify=self.verify, allow_redirects=False)

    def request(self, method, url, params=None, json_body=None, headers=None, idempotent=None, recheck=None):
        """Send one logical request and return ``(decoded JSON, response headers)``.

        ``idempotent`` defaults to True for everything but POST. A request that is not
        idempotent is only re-sent when the service certainly did not act on it (429, or
        the connection was never made). After an ambiguous failure (a timeout once sent,
        a dropped connection, a 5xx) ``recheck()`` is called first: when it returns a
        result, that result stands for the request's and nothing is re-sent.
        """
        if idempotent is None:
            idempotent = method.upper() != 'POST'
        body = None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, separators=(',', ':'), sort_keys=True).encode('utf-8')
            headers.setdefault('Content-Type', 'application/json')
        attempt = 0
        while True:
            retry_after = None
            try:
                response = self._send_once(method, url, params, body, headers)
            except requests.exceptions.ConnectTimeout as exc:
                error = ApiError('Timed out connecting to %s: %s' % (url, exc), retryable=True)
                certainly_unprocessed = True
            except requests.exceptions.Timeout:
                error = ApiError('Timed out after %ss waiting for %s %s' % (self.timeout, method, url), retryable=True)
                certainly_unprocessed = False
            except requests.exceptions.SSLError as exc:
                raise ApiError('TLS error talking to %s: %s' % (url, exc))
            except requests.exceptions.ConnectionError as exc:
                error = ApiError('Connection error on %s %s: %s' % (method, url, exc), retryable=True)
                certainly_unprocessed = False
            else:
                request_id = self._request_id(response.headers)
                if 200 <= response.status_code < 300:
                    return decode_json(response.text, response.status_code, request_id), response.headers
                error = self.parse_error(response.status_code, response.text, response.headers)
                if error.request_id is None:
                    error.request_id = request_id
                error.retryable = response.status_code in RETRYABLE_STATUSES
                certainly_unprocessed = response.status_code in NOT_PROCESSED_STATUSES
                retry_after = parse_retry_after(response.headers.get('Retry-After'))
            if not error.retryable:
                raise error
            if attempt >= self.retry_policy.max_retries:
                error.message = '%s (gave up after %d attempts)' % (error.message, attempt + 1)
                raise error
            if not idempotent and not certainly_unprocessed:
                if recheck is None:
                    error.message = ('%s; the request may have taken effect and is not safe to repeat blindly'
                                     % error.message)
                    raise error
                found = recheck()
                if found is not None:
                    return found, {}
            self.sleep(self.retry_policy.delay(attempt, retry_after))
            attempt += 1


def call_until_ready(call, is_busy, wait_timeout, retry_policy, sleep=time.sleep, clock=time.monotonic):
    """``call()`` again, with backoff, while it fails with an error ``is_busy`` accepts.

    For services that refuse a change while a resource is busy (deploying, say): the refusal
    is certain, so repeating the request is safe. Gives up once ``wait_timeout`` seconds would
    be exceeded, with the service's last error and how long it waited.
    """
    started = clock()
    attempt = 0
    while True:
        try:
            return call()
        except ApiError as error:
            if not is_busy(error):
                raise
            delay = max(retry_policy.delay(attempt), 0.2)
            waited = clock() - started
            if waited + delay > wait_timeout:
                error.message = '%s (still refused after %d attempts over %.0f s; not waiting past the bound of %s s)' % (
                    error.message, attempt + 1, waited, wait_timeout)
                raise error
            sleep(delay)
            attempt += 1


def parse_generic_error(status, text, headers):
    """Best effort for bodies of unknown shape."""
    message = 'HTTP %s' % status
    code = None
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if isinstance(body, dict):
        message = body.get('message') or body.get('error_msg') or message
        code = body.get('code') or body.get('error_code')
    return ApiError(str(message), status=status, error_code=code and str(code))
