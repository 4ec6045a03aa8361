# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP front of the emulator: routing, authentication, rate limiting, request log, fault injection, admin API."""

from __future__ import annotations

import argparse
import collections
import datetime
import email.utils
import ipaddress
import json
import math
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .base import Request, Response, ServiceError
from .services import SERVICES, default_options

DEFAULTS = default_options()

# Limits of the HTTP front, documented in tests/emulator/README.md ("Limits of the HTTP front").
# The largest request body (Content-Length, or the decoded chunks of a chunked body): 16 MiB. The
# services' own limits (ELB's 65536-character certificate, Wangsu's PEM sizes) are far below it.
MAX_BODY = 16 * 1024 * 1024
# Seconds a client may take to send a body it announced before the request is answered 408.
BODY_TIMEOUT = 30.0
# Chunked bodies: the longest chunk-size or trailer line, and the most trailer lines.
MAX_CHUNK_LINE = 4096
MAX_TRAILERS = 64
# Admin API ranges.
MAX_CLOCK_DAYS = 36500              # the emulated clock runs at most 100 years ahead of the real one
MAX_FAULT_DELAY = 3600.0            # seconds a fault may hold an answer back
MAX_FAULT_COUNT = 1000000000        # requests a fault rule may apply to
MAX_RATE_LIMIT = 1000000            # requests a second per credential
MAX_SEED_COPIES = 100000            # ``copies`` of one seeded resource
FAULT_FIELDS = ('method', 'path', 'count', 'status', 'headers', 'body', 'delay', 'drop', 'malformed', 'after')
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token (method, header name): fullmatch
# Headers the emulator sets itself: a fault may not replace them (they frame the answer).
FRAMING_HEADERS = ('content-length', 'transfer-encoding', 'connection')
# The error code (in the service's error body) of a request refused for its body's framing or size;
# stand-ins: 400 is the service's own invalid-request answer.
FRAMING_CODES = {408: 'RequestTimeout', 413: 'RequestEntityTooLarge', 501: 'NotImplemented'}


class AdminError(ValueError):
    """A refused admin call: 400 ``{"error": message}`` (or ``status``)."""

    def __init__(self, message, status=400, headers=None):
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


class FramingError(Exception):
    """A request whose body cannot be (or will not be) read: answered ``status`` and the connection closed."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class Fault:
    """A rule that replaces (or delays) the next ``count`` matching responses."""

    def __init__(self, spec):
        self.method = (spec.get('method') or '').upper() or None
        self.path = re.compile(spec.get('path') or '.*')
        self.count = int(spec.get('count', 1))
        self.status = spec.get('status')
        self.headers = spec.get('headers') or {}
        self.body = spec.get('body')
        self.delay = float(spec.get('delay') or 0)
        self.drop = bool(spec.get('drop'))
        self.malformed = bool(spec.get('malformed'))
        # after: the service acts on the request first; only the answer is delayed or lost.
        self.after = bool(spec.get('after'))

    def matches(self, method, path):
        return self.count > 0 and (self.method in (None, method)) and self.path.search(path) is not None


class RateLimiter:
    """At most ``limit`` requests a second per credential: a sliding one-second window of the
    requests each credential was let through (refused ones do not count). Thread-safe; on the
    real monotonic clock, not the emulated one, as signature checks are."""

    WINDOW = 1.0

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.windows = {}

    def admit(self, credential, limit):
        """None when the request may pass (it is then counted), else the whole seconds to wait (at least 1)."""
        if not limit or credential is None:
            return None
        with self.lock:
            now = self.clock()
            window = self.windows.setdefault(credential, collections.deque())
            while window and window[0] <= now - self.WINDOW:
                window.popleft()
            if len(window) < limit:
                window.append(now)
                return None
            return max(1, int(math.ceil(window[0] + self.WINDOW - now)))

    def reset(self):
        with self.lock:
            self.windows = {}


def rate_limit_value(value):
    """A ``--rate-limit``: a whole number of requests a second, 0 for no limit."""
    number = int(value)
    if number < 0 or number > MAX_RATE_LIMIT:
        raise ValueError('the rate limit is a number of requests a second from 0 (none) to %d' % MAX_RATE_LIMIT)
    return number


def rate_limit_argument(value):
    try:
        return rate_limit_value(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError('%r: %s' % (value, exc))


class Emulator:
    """All emulated services and the shared bookkeeping."""

    def __init__(self, options):
        self.options = options
        self.lock = threading.RLock()
        self.services = dict((service.name, service(self)) for service in SERVICES)
        self.routes = []
        for service in self.services.values():
            self.routes.extend(service.routes())
        self.requests = []
        self.faults = []
        # How far the emulated world is ahead of the real clock (``POST /_emulator/clock``).
        self.clock_offset = datetime.timedelta(0)
        # Seconds every API answer is held back, standing in for a real region's round trip.
        self.latency = float(getattr(options, 'latency', 0) or 0)
        # At most this many API requests a second per credential (0: no limit); the rest get 429.
        self.rate_limit = rate_limit_value(getattr(options, 'rate_limit', 0) or 0)
        self.limiter = RateLimiter()

    def now(self):
        """The emulated time (UTC): what services stamp on resources and send as ``Date``."""
        return datetime.datetime.now(datetime.timezone.utc) + self.clock_offset

    def clock(self):
        now = self.now()
        return {'now': now.isoformat(), 'epoch': int(now.timestamp()),
                'offset_seconds': self.clock_offset.total_seconds()}

    def reset(self):
        with self.lock:
            self.clock_offset = datetime.timedelta(0)
            for service in self.services.values():
                service.reset()
            self.requests = []
            self.faults = []
        self.limiter.reset()

    def log(self, method, path, query, status, service, fields=(), throttled=False):
        with self.lock:
            self.requests.append(dict(seq=len(self.requests) + 1, method=method, path=path, query=query,
                                      status=status, service=service, time=time.time(), fields=list(fields),
                                      throttled=bool(throttled)))

    def throttle(self, service, request):
        """None when the authenticated request is within ``rate_limit``, else the service's 429 answer."""
        limit = self.rate_limit
        wait = self.limiter.admit(request.credential, limit)
        if wait is None:
            return None
        response = service.throttled(limit, wait, request.request_id)
        response.throttled = True
        return response

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None

    def owner_of(self, path):
        """The service an unrouted path belongs to (longest matching prefix), or None."""
        best, best_length = None, -1
        for service in self.services.values():
            for prefix in service.PATH_PREFIXES:
                if path.startswith(prefix) and len(prefix) > best_length:
                    best, best_length = service, len(prefix)
        return best

    def route(self, method, path):
        allowed = False
        for route in self.routes:
            match = route.pattern.match(path)
            if match:
                if route.method == method:
                    return route, match
                allowed = True
        return None, allowed

    # Admin API -------------------------------------------------------------------------------
    # Every call checks the shape of its JSON body and answers 400 {"error": "<call>: <problem>"}
    # (404 for an unknown call, 405 with Allow for a known one with another method).
    ADMIN_CALLS = {'health': ('GET',), 'reset': ('POST',), 'requests': ('GET', 'DELETE'),
                   'faults': ('POST', 'DELETE'), 'clock': ('GET', 'POST'), 'rate-limit': ('GET', 'POST'),
                   'seed': ('POST',)}

    def admin(self, request):
        action = request.path[len('/_emulator/'):].strip('/')
        method = request.method
        methods = self.ADMIN_CALLS.get(action)
        if methods is None:
            return Response(404, {'error': 'unknown admin call %s %s' % (method, request.path)})
        if method not in methods:
            return Response(405, {'error': '%s: the call takes %s, not %s' % (action, ' or '.join(methods), method)},
                            {'Allow': ', '.join(methods)})
        spec = admin_json(request, action)
        return getattr(self, '_admin_%s_%s' % (action.replace('-', '_'), method.lower()))(request, spec)

    def _admin_health_get(self, request, spec):
        no_body('health', spec)
        return Response(200, {'status': 'ok'})

    def _admin_reset_post(self, request, spec):
        no_body('reset', spec)
        self.reset()
        return Response(200, {'status': 'reset'})

    def _admin_requests_get(self, request, spec):
        no_body('requests', spec)
        since = request.query_value('since', '0')
        if not re.fullmatch(r'[0-9]{1,18}', since):
            raise AdminError('requests: since must be a whole number from 0 to 999999999999999999 (the seq of a '
                             'log entry), not %s' % shorten(since))
        since = int(since)
        with self.lock:
            entries = [dict(entry) for entry in self.requests if entry['seq'] > since]
        return Response(200, {'requests': entries})

    def _admin_requests_delete(self, request, spec):
        no_body('requests', spec)
        with self.lock:
            self.requests = []
        return Response(200, {'status': 'cleared'})

    def _admin_faults_post(self, request, spec):
        if isinstance(spec, list):
            faults = [Fault(fault_spec(item, 'faults[%d]' % index)) for index, item in enumerate(spec)]
        elif isinstance(spec, dict):
            faults = [Fault(fault_spec(spec, 'faults'))]
        else:
            raise AdminError('faults: the body must be a JSON object (one rule) or a list of them, not %s'
                             % ('an empty body' if spec is None else describe(spec)))
        with self.lock:
            self.faults.extend(faults)
            return Response(201, {'faults': len(self.faults)})

    def _admin_faults_delete(self, request, spec):
        no_body('faults', spec)
        with self.lock:
            self.faults = []
        return Response(200, {'status': 'cleared'})

    def _admin_clock_get(self, request, spec):
        no_body('clock', spec)
        return Response(200, self.clock())

    def _admin_clock_post(self, request, spec):
        spec = admin_object('clock', spec, ('reset', 'advance_days', 'advance_seconds'))
        reset = spec.pop('reset', False)
        if not isinstance(reset, bool):
            raise AdminError('clock: reset must be true or false, not %s' % describe(reset))
        for name in spec:
            if isinstance(spec[name], (int, float)) and not isinstance(spec[name], bool) and spec[name] < 0:
                raise AdminError('clock: %s must not be negative: the clock only moves forward' % name)
        days = admin_number('clock', 'advance_days', spec.get('advance_days', 0), 0, MAX_CLOCK_DAYS)
        seconds = admin_number('clock', 'advance_seconds', spec.get('advance_seconds', 0), 0, MAX_CLOCK_DAYS * 86400)
        advance = datetime.timedelta(days=days, seconds=seconds)
        with self.lock:
            # reset puts the emulated clock back to the real one (what it stamped meanwhile stays), then advances.
            offset = (datetime.timedelta(0) if reset else self.clock_offset) + advance
            if offset > datetime.timedelta(days=MAX_CLOCK_DAYS):
                raise AdminError('clock: the emulated clock runs at most %d days ahead of the real one; it is %.6g days '
                                 'ahead, and %.6g more would pass that (POST reset puts it back)'
                                 % (MAX_CLOCK_DAYS, self.clock_offset.total_seconds() / 86400,
                                    advance.total_seconds() / 86400))
            self.clock_offset = offset
        return Response(200, self.clock())

    def _admin_rate_limit_get(self, request, spec):
        no_body('rate-limit', spec)
        return Response(200, {'limit': self.rate_limit})

    def _admin_rate_limit_post(self, request, spec):
        usage = 'give {"limit": N}, N a whole number of requests a second from 0 (no limit) to %d' % MAX_RATE_LIMIT
        if not isinstance(spec, dict):
            raise AdminError('rate-limit: %s, not %s' % (usage, 'an empty body' if spec is None else describe(spec)))
        if 'limit' not in spec:
            raise AdminError('rate-limit: the field limit is missing; %s' % usage)
        spec = admin_object('rate-limit', spec, ('limit',))
        self.rate_limit = rate_limit_value(admin_number('rate-limit', 'limit', spec['limit'], 0, MAX_RATE_LIMIT,
                                                        whole=True))
        self.limiter.reset()
        return Response(200, {'limit': self.rate_limit})

    def _admin_seed_post(self, request, spec):
        spec = admin_object('seed', spec)
        unknown = sorted(name for name in spec if name not in self.services)
        if unknown:
            raise AdminError('seed: unknown service %s (the services: %s)'
                             % (', '.join(repr(name) for name in unknown), ', '.join(sorted(self.services))))
        for name, data in spec.items():
            if not isinstance(data, dict):
                raise AdminError('seed: %s: the data must be a JSON object, not %s' % (name, describe(data)))
        check_copies(spec)
        created = {}
        with self.lock:
            for name, data in spec.items():
                try:
                    created[name] = self.services[name].seed(data)
                except KeyError as exc:
                    raise AdminError('seed: %s: a field is missing or an id unknown: %s' % (name, exc))
                except ServiceError as exc:
                    # A seeded resource the service's own rules refuse (ELB's certificate checks, say).
                    raise AdminError('seed: %s: %s %s' % (name, exc.code, exc.message))
                except ValueError as exc:
                    raise AdminError('seed: %s: %s' % (name, exc))
                except (TypeError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
                    raise AdminError('seed: %s: a value has the wrong type or is out of range (%s: %s)'
                                     % (name, type(exc).__name__, exc))
        return Response(201, created)


def describe(value):
    """What a JSON value is, for error messages: 'a list', 'a string', 'null'..."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    return 'an object'


def shorten(value, width=40):
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + '...'


def _no_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError('%s is out of range of a number' % shorten(text))
    return number


def admin_json(request, action):
    """The admin call's JSON body (None when empty). Strict JSON: no NaN or Infinity, no number too large for a float."""
    if not request.body or not request.body.strip():
        return None
    try:
        text = request.body.decode('utf-8')
    except UnicodeDecodeError:
        raise AdminError('%s: the body is not UTF-8 JSON' % action)
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise AdminError('%s: the body is nested too deeply' % action)
    except ValueError as exc:
        raise AdminError('%s: the body is not JSON: %s' % (action, exc))


def no_body(action, spec):
    """Calls that take no parameters accept no body, an empty object or null."""
    if spec not in (None, {}):
        raise AdminError('%s: the call takes no body (send none, or {}), not %s' % (action, describe(spec)))


def admin_object(action, spec, fields=None):
    """The body as a JSON object (none: {}); with ``fields``, any other field is refused."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise AdminError('%s: the body must be a JSON object, not %s' % (action, describe(spec)))
    if fields is not None:
        unknown = sorted(set(spec) - set(fields))
        if unknown:
            raise AdminError('%s: unknown field %s (the fields: %s)'
                             % (action, ', '.join(shorten(name) for name in unknown), ', '.join(fields)))
    return spec


def admin_number(action, name, value, low, high, whole=False):
    """``value`` if a JSON number (a whole one if ``whole``) from ``low`` to ``high``, else AdminError."""
    kind = 'a whole number' if whole else 'a number'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AdminError('%s: %s must be %s from %s to %s, not %s' % (action, name, kind, low, high, describe(value)))
    if not low <= value <= high or (whole and not isinstance(value, int)):
        raise AdminError('%s: %s must be %s from %s to %s, not %s' % (action, name, kind, low, high, shorten(value)))
    return value


def fault_spec(item, where):
    """A fault rule checked field by field (see the README's table); returns it unchanged."""
    if not isinstance(item, dict):
        raise AdminError('%s: a fault rule must be a JSON object, not %s' % (where, describe(item)))
    admin_object(where, item, FAULT_FIELDS)
    method = item.get('method')
    if method is not None and (not isinstance(method, str) or not TOKEN.fullmatch(method)):
        raise AdminError('%s: method must be an HTTP method such as "GET", not %s' % (where, shorten(method)))
    path = item.get('path')
    if path is not None:
        if not isinstance(path, str):
            raise AdminError('%s: path must be a regular expression (a string), not %s' % (where, describe(path)))
        try:
            re.compile(path)
        except (re.error, RecursionError, OverflowError) as exc:
            raise AdminError('%s: path is not a regular expression: %s' % (where, exc))
    if 'count' in item:
        admin_number(where, 'count', item['count'], 1, MAX_FAULT_COUNT, whole=True)
    if item.get('status') is not None:
        admin_number(where, 'status', item['status'], 200, 599, whole=True)
    if item.get('delay') is not None:
        admin_number(where, 'delay', item['delay'], 0, MAX_FAULT_DELAY)
    for flag in ('drop', 'malformed', 'after'):
        if item.get(flag) is not None and not isinstance(item[flag], bool):
            raise AdminError('%s: %s must be true or false, not %s' % (where, flag, describe(item[flag])))
    headers = item.get('headers')
    if headers is not None:
        if not isinstance(headers, dict):
            raise AdminError('%s: headers must be a JSON object of names and values, not %s' % (where, describe(headers)))
        for name, value in headers.items():
            if not TOKEN.fullmatch(name):
                raise AdminError('%s: headers: %s is not a header name' % (where, shorten(name)))
            if name.lower() in FRAMING_HEADERS:
                raise AdminError('%s: headers: the emulator sets %s itself' % (where, name))
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise AdminError('%s: headers: %s must be a string, not %s' % (where, name, describe(value)))
            if re.search(r'[\r\n\x00]', str(value)):
                raise AdminError('%s: headers: the value of %s holds a line break or NUL' % (where, name))
    return item


def check_copies(spec):
    """``copies`` (of a seeded resource, wherever a service takes it) must be a whole number from 0 to
    MAX_SEED_COPIES: a larger one would hold the emulator (and its lock) for a long time."""
    stack = [spec]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if 'copies' in value:
                admin_number('seed', 'copies', value['copies'], 0, MAX_SEED_COPIES, whole=True)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'certfleet-emulator'
    emulator = None  # set by make_server
    # The largest request body, and the seconds a client may take to send one (tests lower them).
    max_body = MAX_BODY
    body_timeout = BODY_TIMEOUT
    _answered = False

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def date_time_string(self, timestamp=None):
        # The Date header tells the emulated time, as a real service's tells its own.
        moment = self.emulator.now().timestamp() if timestamp is None else timestamp
        return email.utils.formatdate(moment, usegmt=True)

    def handle_expect_100(self):
        # "Expect: 100-continue": a body over the limit (or badly framed) is refused before it is sent.
        self._answered = False
        try:
            self._body_framing()
        except FramingError as error:
            self._refuse(error)
            return False
        return super().handle_expect_100()

    def _handle(self):
        self._answered = False
        try:
            self._handle_request()
        except Exception as exc:  # pylint: disable=broad-except
            # A failure of the emulator itself: told, not a connection closed without an answer.
            self.close_connection = True
            traceback.print_exc()
            if not self._answered:
                self._send(Response(500, {'error': 'the emulator failed: %s: %s' % (type(exc).__name__, exc)},
                                    {'Connection': 'close'}))

    def _handle_request(self):
        parts = urlsplit(self.path)
        # The body is delimited and bounded before anything else (routing, authentication, faults).
        try:
            body = self._read_body(self._body_framing())
        except FramingError as error:
            return self._refuse(error)
        headers = dict((name.lower(), value) for name, value in self.headers.items())
        request = Request(self.command, parts.path, parts.query, headers, body)
        if parts.path.startswith('/_emulator/'):
            try:
                response = self.emulator.admin(request)
            except AdminError as exc:
                response = Response(exc.status, {'error': str(exc)}, exc.headers)
            except (ValueError, TypeError, KeyError, re.error) as exc:
                response = Response(400, {'error': str(exc)})
            return self._send(response)
        self._serve_api(request)

    # Request bodies ------------------------------------------------------------------------------
    def _body_framing(self):
        """The body's length in bytes, or None for a chunked body. FramingError when it cannot be
        delimited (400), is over ``max_body`` (413) or uses a transfer coding other than chunked (501)."""
        encodings = self.headers.get_all('Transfer-Encoding') or []
        lengths = self.headers.get_all('Content-Length') or []
        if encodings:
            codings = [coding.strip().lower() for value in encodings for coding in value.split(',') if coding.strip()]
            if codings != ['chunked']:
                raise FramingError(501, 'Transfer-Encoding %s is not supported: only chunked is'
                                   % shorten(', '.join(encodings)))
            if lengths:
                raise FramingError(400, 'a request may not have both Transfer-Encoding and Content-Length')
            return None
        if not lengths:
            return 0
        values = sorted(set(value.strip() for value in lengths))
        if len(values) > 1:
            raise FramingError(400, 'the request has several different Content-Length headers: %s'
                               % shorten(', '.join(values)))
        value = values[0]
        if not re.fullmatch(r'[0-9]+', value):
            raise FramingError(400, 'Content-Length must be a whole number of bytes from 0, not %s' % shorten(value))
        digits = value.lstrip('0') or '0'
        if len(digits) > 15 or int(digits) > self.max_body:
            raise FramingError(413, 'the request body of %s bytes is over the limit of %d bytes'
                               % (digits if len(digits) <= 40 else digits[:37] + '...', self.max_body))
        return int(digits)

    def _read_body(self, length):
        if length == 0:
            return b''
        self.connection.settimeout(self.body_timeout)
        try:
            if length is None:
                return self._read_chunked()
            body = self.rfile.read(length)
            if len(body) < length:
                raise FramingError(400, 'the body ended after %d of the %d bytes of its Content-Length'
                                   % (len(body), length))
            return body
        except socket.timeout:
            raise FramingError(408, 'the request body did not arrive within %g seconds' % self.body_timeout)
        finally:
            try:
                self.connection.settimeout(self.timeout)
            except OSError:
                pass

    def _read_chunked(self):
        """A ``Transfer-Encoding: chunked`` body, decoded; refused once it would pass ``max_body``
        (decided from each chunk's size line, before its data is read). Trailers are read and ignored."""
        body = bytearray()
        while True:
            line = self._chunk_line()
            size = line.split(b';', 1)[0].strip()
            if not re.fullmatch(br'[0-9A-Fa-f]{1,16}', size):
                raise FramingError(400, 'chunked body: %s is not a chunk size (hexadecimal digits)'
                                   % shorten(line.rstrip(b'\r\n').decode('latin-1')))
            size = int(size, 16)
            if size == 0:
                break
            if len(body) + size > self.max_body:
                raise FramingError(413, 'the chunked request body is over the limit of %d bytes' % self.max_body)
            data = self.rfile.read(size)
            if len(data) < size:
                raise FramingError(400, 'chunked body: the body ended inside a chunk')
            body += data
            if self._chunk_line() not in (b'\r\n', b'\n'):
                raise FramingError(400, 'chunked body: a chunk of %d bytes is not followed by CRLF' % size)
        for dummy in range(MAX_TRAILERS + 1):
            if self._chunk_line() in (b'\r\n', b'\n'):
                return bytes(body)
        raise FramingError(400, 'chunked body: more than %d trailer lines' % MAX_TRAILERS)

    def _chunk_line(self):
        line = self.rfile.readline(MAX_CHUNK_LINE + 1)
        if not line.endswith(b'\n'):
            if len(line) > MAX_CHUNK_LINE:
                raise FramingError(400, 'chunked body: a line is longer than %d bytes' % MAX_CHUNK_LINE)
            raise FramingError(400, 'chunked body: the body ended before its last (zero-size) chunk')
        return line

    def _refuse(self, error):
        """Answer a request whose body was not (wholly) read and close the connection, whose framing is
        now unknown. API paths get their service's error body and are logged."""
        self.close_connection = True
        parts = urlsplit(self.path)
        if parts.path.startswith('/_emulator/'):
            response = Response(error.status, {'error': error.message})
        else:
            request_id = uuid.uuid4().hex
            route, dummy = self.emulator.route(self.command, parts.path)
            owner = route.owner if route else self.emulator.owner_of(parts.path)
            if owner is None:
                response = Response(error.status, {'error': error.message, 'status': error.status},
                                    {'X-Request-Id': request_id})
            elif error.status == 400:
                response = owner.bad_request(error.message, request_id)
            else:
                response = owner.error(error.status, FRAMING_CODES[error.status], error.message, request_id)
            self.emulator.log(self.command, parts.path, parts.query, error.status, owner.name if owner else 'unknown')
        response.headers['Connection'] = 'close'
        self._send(response)

    # API requests --------------------------------------------------------------------------------
    def _serve_api(self, request):
        emulator = self.emulator
        if emulator.latency:
            time.sleep(emulator.latency)
        request_id = uuid.uuid4().hex
        fields = body_fields(request)
        route, found = emulator.route(request.method, request.path)
        owner = route.owner if route else emulator.owner_of(request.path)
        service = owner.name if owner else 'unknown'
        fault = emulator.take_fault(request.method, request.path)
        if fault is not None and fault.after:
            response = self._dispatch(route, found, request, request_id) if route else None
            status = response.status if response else 404
            # Logged when the service acts, as a real one would: the answer comes (or not) later.
            dropped = fault.drop or response is None
            emulator.log(request.method, request.path, request.raw_query,
                         'dropped after %s' % status if dropped else status, service, fields,
                         response is not None and response.throttled)
            if fault.delay:
                time.sleep(fault.delay)
            if dropped:
                self._answered = self.close_connection = True
                self.connection.shutdown(2)
                return
            return self._send(response)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                emulator.log(request.method, request.path, request.raw_query, 'dropped', service, fields)
                self._answered = self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault.malformed:
                emulator.log(request.method, request.path, request.raw_query, 200, service, fields)
                return self._send(Response(200, raw=b'{"certificate": {"id": <html>', headers={
                    'Content-Type': 'application/json'}))
            if fault.status:
                body = fault.body
                if body is None:
                    body = owner.fault_body(fault.status, request_id) if owner else generic_error_body(fault.status)
                emulator.log(request.method, request.path, request.raw_query, fault.status, service, fields)
                id_header = owner.REQUEST_ID_HEADER if owner else 'X-Request-Id'
                return self._send(Response(fault.status, body, dict(fault.headers, **{id_header: request_id})))
        if route is None:
            status = 405 if found else 404
            response = (owner.no_such_api(status, request_id) if owner
                        else Response(status, generic_error_body(status), {'X-Request-Id': request_id}))
        else:
            response = self._dispatch(route, found, request, request_id)
        emulator.log(request.method, request.path, request.raw_query, response.status, service, fields,
                     response.throttled)
        self._send(response)

    def _dispatch(self, route, match, request, request_id):
        service = route.owner
        request.match = match
        request.request_id = request_id
        refused = service.authenticate(request)
        if refused is not None:
            return refused
        # Over the rate limit: refused before the service acts, so nothing changes.
        refused = self.emulator.throttle(service, request)
        if refused is not None:
            return refused
        try:
            with self.emulator.lock:
                return route.handler(request)
        except ServiceError as exc:
            # Raised outside the service's ``call`` (a handler's own check, say): still the service's refusal.
            return service.error(exc.status, exc.code, exc.message, request_id)
        except ValueError as exc:
            return service.bad_request(str(exc), request_id)
        except RecursionError:
            return service.bad_request('request body is not JSON: it is nested too deeply', request_id)

    def _send(self, response):
        self._answered = True
        if response.raw is not None:
            payload = response.raw
        elif response.body is None:
            payload = b''
        else:
            payload = json.dumps(response.body).encode('utf-8')
        try:
            self.send_response(response.status)
            headers = {'Content-Type': 'application/json;charset=UTF-8'} if payload else {}
            headers.update(response.headers)
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.send_header('Content-Length', str(len(payload)))
            # Head and body leave in one write: written apart, on a kept-alive connection the client's
            # delayed ACK held every answer back about 40 ms (Nagle's algorithm waiting for it).
            self._headers_buffer.append(b'\r\n')
            if payload and self.command != 'HEAD':
                self._headers_buffer.append(payload)
            self.flush_headers()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout fault did its job).
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


def body_fields(request):
    """The names (never the values) of a JSON body's fields, nested ones as ``outer.inner``."""
    try:
        body = request.json()
    except (ValueError, RecursionError):
        return []
    if not isinstance(body, dict):
        return []
    names = []
    for key, value in sorted(body.items()):
        if isinstance(value, dict):
            names.extend('%s.%s' % (key, inner) for inner in sorted(value))
        else:
            names.append(key)
    return names


def generic_error_body(status):
    return {'error': 'no service of the emulator answers this path', 'status': status}


def make_server(options, port=0, host='127.0.0.1'):
    emulator = Emulator(options)
    handler = type('BoundHandler', (Handler,), {'emulator': emulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.emulator = emulator
    return server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='certfleet.cloud emulator of cloud certificate APIs')
    parser.add_argument('--port', type=int, default=0, help='TCP port on --host; 0 picks a free one')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on; default: 127.0.0.1. The emulator has well-known credentials '
                             'and no TLS: any address but a loopback one is warned about')
    parser.add_argument('--latency', type=float, default=0.0, metavar='SECONDS',
                        help='hold every API answer back this long (a real region\'s round trip); default: 0')
    parser.add_argument('--rate-limit', type=rate_limit_argument, default=0, metavar='N',
                        help='at most N API requests a second per credential, then 429 with Retry-After; '
                             'default: 0 (no limit)')
    for name, value in DEFAULTS.items():
        parser.add_argument('--' + name.replace('_', '-'), default=value, help='default: %(default)s')
    return parser.parse_args(argv)


def is_loopback(host):
    """Whether ``host`` (an address or a name) reaches this machine only."""
    try:
        return ipaddress.ip_address(host.strip('[]')).is_loopback
    except ValueError:
        pass
    if not host:
        return False  # '' is every interface
    try:
        addresses = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    try:
        return bool(addresses) and all(ipaddress.ip_address(address[4][0].split('%')[0]).is_loopback
                                       for address in addresses)
    except ValueError:
        return False


def host_warning(host):
    """The warning printed when the emulator listens on more than the loopback interface, or None."""
    if is_loopback(host):
        return None
    return ('WARNING: the emulator listens on %r, not a loopback address: anyone who can reach it can use its '
            'well-known credentials and admin API (/_emulator/..., no authentication), over plain HTTP. '
            'Use --host 127.0.0.1 unless this is what you want.' % host)


def main(argv=None):
    options = parse_args(argv)
    warning = host_warning(options.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    server = make_server(options, options.port, options.host)
    print('ready http://%s:%d' % (options.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
