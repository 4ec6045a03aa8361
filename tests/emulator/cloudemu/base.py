# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Request, response and route types shared by the emulated services."""

from __future__ import annotations

import json
import re
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


class Route:
    def __init__(self, method, pattern, handler, service, auth):
        self.method = method
        self.pattern = re.compile('^' + pattern + '$')
        self.handler = handler
        self.service = service
        self.auth = auth
