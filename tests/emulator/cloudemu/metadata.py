# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ECS metadata service, as far as credentials go: a session token (``PUT
/meta-data/latest/api/token``) and the temporary keys of the server's agency (``GET
/openstack/latest/securitykey``), which IAM issues and every emulated Huawei service accepts.

On a real ECS it listens on http://169.254.169.254; here on the emulator's port, so a module gets
it with ``metadata_endpoint``. Seed ``{"metadata": {"agency": false}}`` to play a server without an
agency, ``{"metadata": {"duration_seconds": N}}`` for keys that expire sooner (900 s at least).
"""

from __future__ import annotations

import secrets

from .base import Response, Service
from .iam import DURATION_RANGE

# A session token lives at most six hours (the SDK asks for exactly that).
MAX_TOKEN_TTL = 6 * 60 * 60
DEFAULT_DURATION = 3600


class MetadataService(Service):
    name = 'metadata'
    PATH_PREFIXES = ('/meta-data/', '/openstack/')

    def reset(self):
        self.agency = True
        self.duration_seconds = DEFAULT_DURATION
        self.tokens = {}

    def seed(self, data):
        if 'agency' in data:
            self.agency = bool(data['agency'])
        if 'duration_seconds' in data:
            duration = data['duration_seconds']
            if not isinstance(duration, int) or not DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]:
                raise ValueError('metadata duration_seconds must be a whole number from %d to %d' % DURATION_RANGE)
            self.duration_seconds = duration
        return {'agency': self.agency, 'duration_seconds': self.duration_seconds}

    def routes(self):
        return [self.route('PUT', r'/meta-data/latest/api/token', self.session_token),
                self.route('GET', r'/openstack/latest/securitykey', self.security_key)]

    def error(self, status, code, message, request_id):
        return Response(status, {'code': code, 'message': message}, {self.REQUEST_ID_HEADER: request_id})

    def session_token(self, request):
        try:
            ttl = int(request.headers.get('x-metadata-token-ttl-seconds', ''))
        except ValueError:
            ttl = 0
        if not 1 <= ttl <= MAX_TOKEN_TTL:
            return self.error(400, 'InvalidTtl', 'X-Metadata-Token-Ttl-Seconds must be from 1 to %d' % MAX_TOKEN_TTL,
                              request.request_id)
        token = secrets.token_urlsafe(32)
        self.tokens[token] = self.emulator.now().timestamp() + ttl
        return Response(200, None, {'Content-Type': 'text/plain'}, raw=token.encode('ascii'))

    def security_key(self, request):
        token = request.headers.get('x-metadata-token')
        if token is None or self.tokens.get(token, 0) < self.emulator.now().timestamp():
            return self.error(401, 'Unauthorized', 'The metadata token is missing or expired', request.request_id)
        if not self.agency:
            return self.error(404, 'NotFound', 'Please configure Cloud Service Agency first', request.request_id)
        credential = self.emulator.services['iam'].grant(self.duration_seconds)
        return Response(200, {'credential': credential})
