# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Request, response and route types shared by the emulated services."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from urllib.parse import parse_qsl


class Request:
    def __init__(self, method, raw_path, raw_query, headers, body):
        self.method = method
        self.path = raw_path
        self.raw_query = raw_query
        self.headers = headers
        self.body = body
        self.query = parse_qsl(raw_query, keep_blank_values=True)
        self.match = None
        # Who sent it, once ``Service.authenticate`` has verified it: the key of ``--rate-limit``.
        self.credential = None

    def query_values(self, name):
        return [value for key, value in self.query if key == name]

    def query_value(self, name, default=None):
        values = self.query_values(name)
        return values[-1] if values else default

    def json(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body.decode('utf-8'))
        except (UnicodeDecodeError, ValueError):
            raise ValueError('request body is not JSON')


class Response:
    def __init__(self, status, body=None, headers=None, raw=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.raw = raw
        self.throttled = False  # a refusal by ``--rate-limit`` (the request log marks it)


class Route:
    def __init__(self, method, pattern, handler, service, owner):
        self.method = method
        self.pattern = re.compile('^' + pattern + '$')
        self.handler = handler
        self.service = service      # the service's name, for the request log
        self.owner = owner          # the Service that authenticates and answers


def status_phrase(status):
    """The reason phrase of an HTTP status (``403`` -> ``Forbidden``); ``Error`` for one HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Error'


class ServiceError(Exception):
    """A refusal in the service's terms, answered with its own status and code wherever it is raised
    (``Service.call``, or the server's dispatch for one raised outside it).

    Not a ValueError: the server answers a ValueError as a bad request (400), which would hide a 403 or 404.
    """

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, str(code), message


class Service:
    """One emulated API. A subclass declares its routes, how requests authenticate, and the
    shape of its error answers; the server knows nothing else about it.

    ``OPTIONS`` are the command-line options (with defaults) the service reads, such as the
    credentials it accepts; ``PATH_PREFIXES`` the paths it answers for, so that an unknown path
    under them gets this service's "no such API" answer.
    """

    name = 'service'
    OPTIONS = {}
    PATH_PREFIXES = ()
    REQUEST_ID_HEADER = 'X-Request-Id'

    def __init__(self, emulator):
        self.emulator = emulator
        self.options = emulator.options
        self.reset()

    def reset(self):
        """Forget every resource (``POST /_emulator/reset``)."""

    def seed(self, data):
        """Create resources from ``POST /_emulator/seed {name: data}``; returns what was made."""
        raise ValueError('service %s takes no seed data' % self.name)

    def routes(self):
        """``[Route]`` this service answers."""
        return []

    def route(self, method, pattern, handler):
        return Route(method, pattern, handler, self.name, self)

    def owns(self, path):
        return any(path.startswith(prefix) for prefix in self.PATH_PREFIXES)

    def authenticate(self, request):
        """None when the request is authentic, else the service's refusal (a Response). An authentic
        request's ``credential`` (a hashable naming the access key, token or user) is what
        ``--rate-limit`` counts; left None, the request is never throttled."""
        return None

    def throttled(self, limit, retry_after, request_id):
        """The answer to a request over ``--rate-limit`` (``limit`` a second): 429 with ``Retry-After``."""
        response = self.error(429, 'TooManyRequests', 'Too many requests: at most %d a second' % limit, request_id)
        response.headers['Retry-After'] = str(retry_after)
        return response

    def error(self, status, code, message, request_id):
        """An error answer in the service's own body shape."""
        raise NotImplementedError

    def answer(self, status, body, request_id, headers=None):
        return Response(status, body, dict(headers or {}, **{self.REQUEST_ID_HEADER: request_id}))

    def check(self, request):
        """Refusals common to every route of the service (raise ServiceError)."""

    def call(self, request, action):
        """Run ``action() -> (status, body[, headers])`` and answer, or answer its ServiceError."""
        try:
            self.check(request)
            outcome = action()
        except ServiceError as exc:
            return self.error(exc.status, exc.code, exc.message, request.request_id)
        headers = outcome[2] if len(outcome) > 2 else None
        return self.answer(outcome[0], outcome[1], request.request_id, headers)

    def bad_request(self, message, request_id):
        return self.error(400, 'InvalidRequest', message, request_id)

    def no_such_api(self, status, request_id):
        return self.error(status, 'NotFound', 'no such API', request_id)

    def fault_body(self, status, request_id):
        """The body of an injected fault answer with ``status``: the status as code, its reason phrase as message."""
        return self.error(status, str(status), status_phrase(status), request_id).body
