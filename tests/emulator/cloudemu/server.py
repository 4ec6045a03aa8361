# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP front of the emulator: routing, authentication, rate limiting, request log, fault injection, admin API."""

from __future__ import annotations

import argparse
import collections
import datetime
import email.utils
import json
import math
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .base import Request, Response
from .services import SERVICES, default_options

DEFAULTS = default_options()


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
    if number < 0:
        raise ValueError('the rate limit is a number of requests a second, 0 for none')
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
    def admin(self, request):
        action = request.path[len('/_emulator/'):].strip('/')
        method = request.method
        if action == 'health' and method == 'GET':
            return Response(200, {'status': 'ok'})
        if action == 'reset' and method == 'POST':
            self.reset()
            return Response(200, {'status': 'reset'})
        if action == 'requests' and method == 'GET':
            since = int(request.query_value('since', 0))
            with self.lock:
                entries = [dict(entry) for entry in self.requests if entry['seq'] > since]
            return Response(200, {'requests': entries})
        if action == 'requests' and method == 'DELETE':
            with self.lock:
                self.requests = []
            return Response(200, {'status': 'cleared'})
        if action == 'faults' and method == 'POST':
            spec = request.json() or {}
            specs = spec if isinstance(spec, list) else [spec]
            with self.lock:
                self.faults.extend(Fault(item) for item in specs)
            return Response(201, {'faults': len(self.faults)})
        if action == 'faults' and method == 'DELETE':
            with self.lock:
                self.faults = []
            return Response(200, {'status': 'cleared'})
        if action == 'clock' and method == 'POST':
            spec = request.json() or {}
            advance = datetime.timedelta(days=float(spec.get('advance_days', 0)),
                                         seconds=float(spec.get('advance_seconds', 0)))
            if advance < datetime.timedelta(0):
                raise ValueError('the clock only moves forward')
            with self.lock:
                self.clock_offset += advance
            return Response(200, self.clock())
        if action == 'clock' and method == 'GET':
            return Response(200, self.clock())
        if action == 'rate-limit' and method == 'POST':
            spec = request.json() or {}
            limit = spec.get('limit', 0) if isinstance(spec, dict) else None
            if limit is None or isinstance(limit, bool) or not isinstance(limit, int):
                raise ValueError('give {"limit": N}, N a whole number of requests a second (0: no limit)')
            self.rate_limit = rate_limit_value(limit)
            self.limiter.reset()
            return Response(200, {'limit': self.rate_limit})
        if action == 'rate-limit' and method == 'GET':
            return Response(200, {'limit': self.rate_limit})
        if action == 'seed' and method == 'POST':
            spec = request.json() or {}
            created = {}
            with self.lock:
                for name, data in spec.items():
                    if name not in self.services:
                        return Response(400, {'error': 'unknown service %r' % name})
                    created[name] = self.services[name].seed(data)
            return Response(201, created)
        return Response(404, {'error': 'unknown admin call %s %s' % (method, request.path)})


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'certfleet-emulator'
    emulator = None  # set by make_server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def date_time_string(self, timestamp=None):
        # The Date header tells the emulated time, as a real service's tells its own.
        moment = self.emulator.now().timestamp() if timestamp is None else timestamp
        return email.utils.formatdate(moment, usegmt=True)

    def _handle(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        headers = dict((name.lower(), value) for name, value in self.headers.items())
        request = Request(self.command, parts.path, parts.query, headers, body)
        if parts.path.startswith('/_emulator/'):
            try:
                response = self.emulator.admin(request)
            except (ValueError, TypeError, KeyError, re.error) as exc:
                response = Response(400, {'error': str(exc)})
            return self._send(response)
        self._serve_api(request)

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
                self.close_connection = True
                self.connection.shutdown(2)
                return
            return self._send(response)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                emulator.log(request.method, request.path, request.raw_query, 'dropped', service, fields)
                self.close_connection = True
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
        except ValueError as exc:
            return service.bad_request(str(exc), request_id)

    def _send(self, response):
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
            self.end_headers()
            if payload and self.command != 'HEAD':
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout fault did its job).
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


def body_fields(request):
    """The names (never the values) of a JSON body's fields, nested ones as ``outer.inner``."""
    try:
        body = request.json()
    except ValueError:
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
    parser.add_argument('--port', type=int, default=0, help='TCP port on 127.0.0.1; 0 picks a free one')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--latency', type=float, default=0.0, metavar='SECONDS',
                        help='hold every API answer back this long (a real region\'s round trip); default: 0')
    parser.add_argument('--rate-limit', type=rate_limit_argument, default=0, metavar='N',
                        help='at most N API requests a second per credential, then 429 with Retry-After; '
                             'default: 0 (no limit)')
    for name, value in DEFAULTS.items():
        parser.add_argument('--' + name.replace('_', '-'), default=value, help='default: %(default)s')
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
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
