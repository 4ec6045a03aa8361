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

import importlib
import datetime
import email.utils
import ipaddress
import json
import random
import socket
import threading
import time
import traceback

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import (  # noqa: F401 (re-exported)
    ApiError, ConfigurationError, UncertainWriteError,
)


class MissingLibraryError(ConfigurationError):
    """A Python library the run needs does not import; ``exception`` is the import's traceback.

    Its message is Ansible's ``missing_required_lib`` text; the module base class reports it with
    the traceback, as the check at module start does.
    """

    def __init__(self, library, exception):
        from ansible.module_utils.basic import missing_required_lib  # only on this failure path
        super(MissingLibraryError, self).__init__(missing_required_lib(library))
        self.library = library
        self.exception = exception


# One lock for every first import through LazyModule: one thread imports, the others wait for the
# finished module, and two libraries are never half-imported at once by threads entering them in
# different orders. Reentrant, in case a library's import reads another lazy module.
_IMPORT_LOCK = threading.RLock()


class LazyModule:
    """Stands for the module ``name`` and imports it when one of its attributes is first read.

    A run that never uses the library never pays for importing it. When it does not import,
    reading an attribute raises ``MissingLibraryError`` naming ``library`` (the package to install).
    Thread-safe: the first import happens under ``_IMPORT_LOCK``; later reads only take the loaded
    module (assigning it is atomic). Dunder names are not forwarded (copy, pickle and mock probe them).
    """

    __slots__ = ('_name', '_library', '_module')

    def __init__(self, name, library=None):
        self._name = name
        self._library = library or name.split('.')[0]
        self._module = None

    def load(self):
        module = self._module
        if module is None:
            with _IMPORT_LOCK:
                module = self._module
                if module is None:
                    try:
                        module = importlib.import_module(self._name)
                    except ImportError:
                        raise MissingLibraryError(self._library, traceback.format_exc())
                    self._module = module
        return module

    def import_error(self):
        """The traceback of importing the module, or None when it imports (importing it if need be)."""
        try:
            self.load()
        except MissingLibraryError as error:
            return error.exception
        return None

    def __getattr__(self, attribute):
        if attribute in LazyModule.__slots__ or attribute.startswith('__'):
            raise AttributeError(attribute)
        return getattr(self.load(), attribute)

    def __repr__(self):
        return '<LazyModule %s%s>' % (self._name, '' if self._module is None else ' (loaded)')


# Imported at the first request: a run that fails before sending anything (bad input, a check,
# check mode with nothing to read) never imports requests, urllib3 and their dependencies.
requests = LazyModule('requests')


def __getattr__(name):
    """``REQUESTS_IMPORT_ERROR``, as before requests was imported lazily: the traceback, or None.

    Reading it imports requests; the module base class checks with ``find_spec`` instead.
    """
    if name == 'REQUESTS_IMPORT_ERROR':
        return requests.import_error()
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


class Answer(dict):
    """What every provider's client answers: the decoded JSON object, with the answer's ``headers``.

    One contract for Huawei Cloud and Wangsu, so a service reads a body the same way everywhere and
    a header (Wangsu's ``Location`` of a created certificate) where it needs one.
    """

    def __init__(self, body, headers=None):
        super(Answer, self).__init__(body if isinstance(body, dict) else {})
        self.headers = headers or {}


RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Statuses for which the service has certainly not acted on the request.
NOT_PROCESSED_STATUSES = frozenset((429,))
DEFAULT_TIMEOUT = 30
DEFAULT_MAX_RETRIES = 5
# A refused connection is retried (a service restarting, a load balancer swapping a node) only for
# this long: a port that stays closed is a wrong endpoint or a stopped service, not a blip.
REFUSED_GIVE_UP_SECONDS = 3.0
# Retry-After beyond this is not honoured as-is: a task would otherwise hang for hours.
MAX_RETRY_AFTER = 120.0


class ServiceClock:
    """The service's time, learnt from the ``Date`` of its answers: every client has one, so that days
    left are counted on one clock, the service's, whichever service it is."""

    # Date has whole seconds: a difference this small is not a skew worth acting on.
    MEASURABLE_SKEW = datetime.timedelta(seconds=2)
    _clock_offset = None

    def note_service_clock(self, headers):
        try:
            told = email.utils.parsedate_to_datetime((headers or {}).get('Date'))
        except (TypeError, ValueError, AttributeError):
            return
        if told is None or told.tzinfo is None:
            return
        # The middle of Date's second is the best estimate of when it was written.
        offset = told + datetime.timedelta(seconds=0.5) - datetime.datetime.now(datetime.timezone.utc)
        self._clock_offset = offset if abs(offset) > self.MEASURABLE_SKEW else None

    def service_now(self):
        """The service's time (UTC): the local clock corrected by the ``Date`` of its last answer.

        Expiry decisions use it, so a controller whose clock is off does not renew too early or too
        late by the service's own reckoning; before any answer, without ``Date``, or within two
        seconds of it, the local clock.
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        return now + self._clock_offset if self._clock_offset is not None else now


def connection_argument_spec():
    """Options of every module that talks HTTP (the ``certfleet.cloud.connection`` doc fragment)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_bundle=dict(type='path'),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        max_retries=dict(type='int', default=DEFAULT_MAX_RETRIES),
    )


def validate_endpoint(value, option, example):
    """An endpoint is an http(s) URL with a host; anything else fails here, naming the option."""
    parts = urlsplit(value or '')
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ConfigurationError('%s must be a URL such as %s, not %r' % (option, example, value))
    return value.rstrip('/')


def is_loopback_host(host):
    if (host or '').lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connection_warnings(params, endpoints):
    """What a run should warn about its connection: TLS not verified (and ``ca_bundle`` therefore
    unused), and plain ``http://`` to a host off this machine, where credentials, tokens and keys
    cross the network readable. ``endpoints`` are ``(option, url)`` pairs; each warning names its option."""
    warnings = []
    if params.get('validate_certs') is False:
        unused = ('; ca_bundle (%s) is not used' % params['ca_bundle']) if params.get('ca_bundle') else ''
        warnings.append('validate_certs is false: the endpoints\' TLS certificates are not verified, so anyone on '
                        'the path can pose as the service and read the credentials and keys sent%s' % unused)
    for option, url in endpoints:
        parts = urlsplit(url or '')
        if parts.scheme == 'http' and parts.hostname and not is_loopback_host(parts.hostname):
            warnings.append('%s is plain http:// to %s: credentials, tokens and keys cross the network unencrypted '
                            '(and through any proxy); use https://' % (option, parts.hostname))
    return warnings


def http_client_from_params(params, sign, parse_error, request_id_headers=(), sleep=None, budget=None,
                            endpoint_options=()):
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
        sign=sign, parse_error=parse_error, request_id_headers=request_id_headers, budget=budget,
        endpoint_options=endpoint_options, **kwargs)


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
    import email.utils  # only for the HTTP-date form; most answers send seconds or nothing
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
                 user_agent='certfleet.cloud', recheck_window=None, budget=None, endpoint_options=(),
                 clock=time.monotonic):
        # The session is made at the first request (see ``session``), which imports requests.
        self._session = session
        self._session_lock = threading.Lock()
        if session is not None:
            # Proxies come from HTTP(S)_PROXY/NO_PROXY: requests honours them with trust_env.
            session.trust_env = True
        self.timeout = timeout
        self.verify = ca_bundle if (validate_certs and ca_bundle) else bool(validate_certs)
        self.retry_policy = retry_policy or RetryPolicy()
        self.sign = sign
        self.parse_error = parse_error or parse_generic_error
        self.request_id_headers = tuple(request_id_headers)
        self.sleep = sleep
        self.user_agent = user_agent
        # How long a write whose answer was lost may take to show up: as long again as it was given.
        self.recheck_window = timeout if recheck_window is None else recheck_window
        # The request budget of the account, shared with the other clients of it (deploy.RequestBudget).
        self.budget = budget
        self.attempts = 0
        # (base URL, option) pairs, so that a connection failure names the option to fix.
        self.endpoint_options = list(endpoint_options)
        self.clock = clock

    def option_of(self, url):
        """The option (``endpoint``, ``iam_endpoint``…) whose URL ``url`` is under, or None."""
        for base, option in self.endpoint_options:
            if base and url.startswith(base):
                return option
        return None

    def _check_option(self, url):
        option = self.option_of(url)
        return 'check the %s option' % (option or 'endpoint')

    def _open_session(self):
        """The requests session, made (and requests imported) at the first request.

        Raises ``MissingLibraryError`` when requests does not import.
        """
        session = self._session
        if session is None:
            with self._session_lock:
                session = self._session
                if session is None:
                    session = requests.Session()
                    # Proxies come from HTTP(S)_PROXY/NO_PROXY: requests honours them with trust_env.
                    session.trust_env = True
                    self._session = session
        return session

    session = property(_open_session)

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
        if self.budget is not None:
            self.budget.acquire()
        if self.sign is not None:
            self.sign(prepared)
        self.attempts += 1
        return self.session.send(prepared, timeout=self.timeout, verify=self.verify, allow_redirects=False)

    def request(self, method, url, params=None, json_body=None, headers=None, idempotent=None, recheck=None):
        """Send one logical request and return ``(decoded JSON, response headers)``.

        ``idempotent`` defaults to True for everything but POST. A request that is not idempotent
        is re-sent only when the service certainly did not see it: HTTP 429, or a connection that
        was never made (refused, connect timeout).

        Its answer lost (read timeout, dropped connection), it is never re-sent: ``recheck()`` is
        polled for up to ``recheck_window`` seconds (a slow write may land after the timeout), and
        its result stands for the request's; if nothing shows up, ``UncertainWriteError`` says the
        write may still be in progress and a rerun converges. After an answered 5xx, ``recheck()``
        is asked once and the request re-sent only when it finds nothing.
        """
        if idempotent is None:
            idempotent = method.upper() != 'POST'
        body = None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, separators=(',', ':'), sort_keys=True).encode('utf-8')
            headers.setdefault('Content-Type', 'application/json')
        # requests is imported here, not in the try below, whose except clauses name its errors.
        self._open_session()
        attempt = 0
        started = self.clock()
        while True:
            retry_after = None
            answer_lost = False
            try:
                response = self._send_once(method, url, params, body, headers)
            except requests.exceptions.ConnectTimeout as exc:
                error = ApiError('Timed out connecting to %s: %s' % (url, exc), retryable=True)
                certainly_unprocessed = True
            except requests.exceptions.Timeout:
                error = ApiError('Timed out after %ss waiting for %s %s' % (self.timeout, method, url), retryable=True)
                certainly_unprocessed = False
                answer_lost = True
            except requests.exceptions.SSLError as exc:
                raise ApiError('TLS error talking to %s: %s%s' % (url, exc, self._tls_hint(url, exc)))
            except requests.exceptions.ConnectionError as exc:
                if is_name_resolution_failure(exc):
                    # Retrying cannot make a name resolve; say so at once.
                    raise ApiError('Cannot resolve the host of %s (%s and DNS): %s'
                                   % (url, self._check_option(url), exc), error_code='NameResolutionFailed')
                certainly_unprocessed = is_connection_never_made(exc)
                answer_lost = not certainly_unprocessed
                if is_connection_refused(exc):
                    error = ApiError('Connection refused by %s: nothing listens there (%s; a refused connection is retried for '
                                     'at most %.0f s): %s'
                                     % (url, self._check_option(url), REFUSED_GIVE_UP_SECONDS, exc),
                                     retryable=self.clock() - started < REFUSED_GIVE_UP_SECONDS,
                                     error_code='ConnectionRefused')
                else:
                    error = ApiError('Connection error on %s %s: %s' % (method, url, exc), retryable=True)
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
            if not idempotent and answer_lost:
                found = self._poll(recheck) if recheck is not None else None
                if found is not None:
                    return found, {}
                raise self._uncertain(error, recheck is not None)
            if attempt >= self.retry_policy.max_retries:
                error.message = '%s (gave up after %d attempts)' % (error.message, attempt + 1)
                raise error
            if not idempotent and not certainly_unprocessed:
                if recheck is None:
                    raise self._uncertain(error, False)
                found = recheck()
                if found is not None:
                    return found, {}
            delay = self.retry_policy.delay(attempt, retry_after)
            if error.error_code == 'ConnectionRefused' and self.clock() + delay - started >= REFUSED_GIVE_UP_SECONDS:
                # Waiting would run past the budget for refusals: give up now rather than after the wait.
                raise error
            if self.budget is not None and (error.status == 429 or retry_after is not None):
                # The account is over its rate: every thread of it waits, not only this one.
                self.budget.pause(delay)
            else:
                self.sleep(delay)
            attempt += 1

    def _tls_hint(self, url, exc):
        text = str(exc)
        if url.startswith('https://') and ('WRONG_VERSION_NUMBER' in text or 'record layer failure' in text
                                           or 'packet length too long' in text):
            # The answer to the TLS hello was not TLS: most often a plain-HTTP server on that port.
            return ('. The server does not speak TLS there: it may be a plain-HTTP endpoint; if so, %s and use '
                    'http://%s' % (self._check_option(url), url[len('https://'):].split('/', 1)[0]))
        return ''

    def _poll(self, recheck):
        """``recheck()`` until it finds something or ``recheck_window`` seconds of waiting are used up."""
        def attempt():
            found = recheck()
            return NOT_YET if found is None else found

        found, dummy, dummy = wait_until(attempt, self.recheck_window,
                                         lambda attempt: max(self.retry_policy.backoff_ceiling(attempt), 0.5),
                                         sleep=self.sleep)
        return None if found is NOT_YET else found

    def _uncertain(self, error, rechecked):
        if rechecked:
            detail = ('nothing was found after waiting %.0f s, but the service may still be acting on it; it was '
                      'not sent again, to avoid a duplicate. Rerun the task: it finds the result and converges'
                      % self.recheck_window)
        else:
            detail = ('the request may have taken effect and is not safe to repeat blindly, so it was not sent '
                      'again. Rerun the task: it finds the result and converges')
        return UncertainWriteError('%s; %s' % (error.message, detail), status=error.status,
                                   error_code=error.error_code, request_id=error.request_id)


def _causes(exc, depth=0):
    """``exc`` and what it wraps (urllib3 nests the socket error several levels down)."""
    if exc is None or depth > 8:
        return
    yield exc
    nested = [getattr(exc, 'reason', None), exc.__cause__, exc.__context__]
    nested.extend(arg for arg in getattr(exc, 'args', ()) if isinstance(arg, BaseException))
    for inner in nested:
        if inner is not None and inner is not exc:
            yield from _causes(inner, depth + 1)


def is_name_resolution_failure(exc):
    return any(isinstance(cause, socket.gaierror) or type(cause).__name__ == 'NameResolutionError'
               for cause in _causes(exc))


def is_connection_refused(exc):
    return any(isinstance(cause, ConnectionRefusedError) or 'Connection refused' in str(cause)
               for cause in _causes(exc))


def is_connection_never_made(exc):
    """Refused, unreachable: the request never left this host, so repeating it is safe."""
    return any(isinstance(cause, ConnectionRefusedError) or type(cause).__name__ == 'NewConnectionError'
               for cause in _causes(exc))


# What an attempt of ``wait_until`` returns while the awaited outcome is not there yet.
NOT_YET = object()


def wait_until(attempt, timeout, delay, sleep=time.sleep, clock=None):
    """The one bounded wait of the collection: ``attempt()`` until it returns something but ``NOT_YET``.

    ``delay(n)`` is the wait after the n-th attempt (0-based); the last wait is cut to what remains
    of ``timeout``, so the whole bound is used and never passed. Time is read from ``clock`` when
    given, else counted as the sum of the waits (so a test's ``sleep`` stands in for time).
    Returns ``(outcome, attempts, elapsed)``; ``outcome`` is ``NOT_YET`` when the time ran out.
    """
    started = clock() if clock is not None else 0.0
    waited = 0.0
    attempts = 0
    while True:
        outcome = attempt()
        attempts += 1
        elapsed = clock() - started if clock is not None else waited
        if outcome is not NOT_YET:
            return outcome, attempts, elapsed
        remaining = timeout - elapsed
        if remaining <= 0:
            return NOT_YET, attempts, elapsed
        pause = min(delay(attempts - 1), remaining)
        sleep(pause)
        waited += pause


def call_until_ready(call, is_busy, wait_timeout, retry_policy, sleep=time.sleep, clock=time.monotonic):
    """``call()`` again, with backoff, while it fails with an error ``is_busy`` accepts.

    For services that refuse a change while a resource is busy (deploying, say): the refusal
    is certain, so repeating the request is safe. The whole ``wait_timeout`` is used; then the
    service's last error is raised with how long it waited.
    """
    refusals = []

    def attempt():
        try:
            return call()
        except ApiError as error:
            if not is_busy(error):
                raise
            refusals.append(error)
            return NOT_YET

    outcome, attempts, waited = wait_until(attempt, wait_timeout, lambda n: max(retry_policy.delay(n), 0.2),
                                           sleep=sleep, clock=clock)
    if outcome is NOT_YET:
        error = refusals[-1]
        error.message = '%s (still refused after %d attempts over %.0f s; not waiting past the bound of %s s)' % (
            error.message, attempts, waited, wait_timeout)
        raise error
    return outcome


def wait_for(read, is_ready, timeout, retry_policy, sleep=time.sleep, clock=time.monotonic, describe=repr):
    """``read()`` until ``is_ready(result)``, with backoff, for at most ``timeout`` seconds.

    Returns the ready result; raises ApiError naming what was last seen (``describe(result)``)
    when the time is up.
    """
    seen = []

    def attempt():
        result = read()
        seen.append(result)
        return result if is_ready(result) else NOT_YET

    outcome, dummy, dummy = wait_until(attempt, timeout, lambda n: max(retry_policy.delay(n), 0.2),
                                       sleep=sleep, clock=clock)
    if outcome is NOT_YET:
        raise ApiError('gave up waiting after %s s: %s' % (timeout, describe(seen[-1])), error_code='WaitTimeout')
    return outcome


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
