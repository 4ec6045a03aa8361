# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM: a region's project id (``GET /v3/projects?name=``), and temporary credentials of an agency
(``POST /v3.0/OS-CREDENTIAL/securitytokens``, CreateTemporaryAccessKeyByAgency) that every emulated
Huawei service accepts until they expire on the emulated clock."""

from __future__ import annotations

import datetime
import secrets
import string

from .base import Response, Service, ServiceError
from .huawei import HuaweiService

# The API reference: temporary credentials are valid for 15 minutes to 24 hours (900 s by default).
DURATION_RANGE = (900, 86400)
DEFAULT_DURATION = 900


def new_temporary_credentials(now, duration_seconds):
    """An access key, secret key and security token in the shapes IAM issues (AK: 20 upper-case letters
    and digits; SK: 40 letters and digits), and their expiry as the API writes it."""
    upper = string.ascii_uppercase + string.digits
    letters = string.ascii_letters + string.digits
    expires_at = now + datetime.timedelta(seconds=duration_seconds)
    return dict(access=''.join(secrets.choice(upper) for dummy in range(20)),
                secret=''.join(secrets.choice(letters) for dummy in range(40)),
                securitytoken='gQpjbi1ub3J0aC00' + secrets.token_urlsafe(96),
                expires_at=expires_at.strftime('%Y-%m-%dT%H:%M:%S.%f') + 'Z'), expires_at


class IamService(HuaweiService):
    """IAM answers errors in its own nested shape and with its own request-id header."""

    name = 'iam'
    PATH_PREFIXES = ('/v3/projects', '/v3/auth', '/v3.0/OS-CREDENTIAL')
    REQUEST_ID_HEADER = 'X-IAM-Trace-Id'

    def reset(self):
        options = self.emulator.options
        self.projects = {options.region: options.project_id}
        # (delegating account name, agency name) the emulated user may assume.
        self.agencies = set()
        for service in getattr(self.emulator, 'services', {}).values():
            if isinstance(service, HuaweiService):
                service.credentials.forget_granted()

    def seed(self, data):
        for project in data.get('projects', []):
            self.projects[project['name']] = project['id']
        for agency in data.get('agencies', []):
            self.agencies.add((agency['domain_name'], agency['agency_name']))
        return {'projects': len(self.projects), 'agencies': len(self.agencies)}

    def routes(self):
        return [self.route('GET', r'/v3/projects', self.list_projects),
                self.route('POST', r'/v3\.0/OS-CREDENTIAL/securitytokens', self.create_security_token)]

    def error(self, status, code, message, request_id):
        title = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found'}.get(status, 'Error')
        return Response(status, {'error': {'code': status, 'title': title, 'message': message}},
                        {self.REQUEST_ID_HEADER: request_id})

    def answer(self, status, body, request_id, headers=None):
        # IAM's answers carry no request_id in the body (its trace id is a header).
        return Service.answer(self, status, body, request_id, headers)

    def list_projects(self, request):
        name = request.query_value('name')
        projects = [dict(id=project_id, name=region, domain_id='d' * 32, enabled=True, is_domain=False,
                         parent_id='d' * 32, description='',
                         links={'self': 'https://iam.myhuaweicloud.com/v3/projects/%s' % project_id})
                    for region, project_id in sorted(self.projects.items()) if name in (None, region)]
        return Response(200, {'projects': projects, 'links': {'self': 'https://iam/v3/projects', 'next': None,
                                                              'previous': None}},
                        {'X-IAM-Trace-Id': request.request_id})

    def grant(self, duration_seconds):
        """Temporary credentials every emulated Huawei service accepts until they expire."""
        credential, expires_at = new_temporary_credentials(self.emulator.now(), duration_seconds)
        for service in self.emulator.services.values():
            if isinstance(service, HuaweiService):
                service.credentials.clock = self.emulator.now
                service.credentials.grant(credential['access'], credential['secret'], credential['securitytoken'],
                                          expires_at)
        return credential

    def create_security_token(self, request):
        def action():
            body = request.json()
            identity = ((body or {}).get('auth') or {}).get('identity') if isinstance(body, dict) else None
            if not isinstance(identity, dict) or identity.get('methods') != ['assume_role']:
                raise ServiceError(400, 1100, 'The request body is invalid: auth.identity.methods must be ["assume_role"]')
            role = identity.get('assume_role')
            if not isinstance(role, dict) or not role.get('agency_name') or not (
                    role.get('domain_name') or role.get('domain_id')):
                raise ServiceError(400, 1100, 'The request body is invalid: assume_role needs agency_name and '
                                              'domain_name or domain_id')
            duration = role.get('duration_seconds', DEFAULT_DURATION)
            if not isinstance(duration, int) or isinstance(duration, bool) or not (
                    DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]):
                raise ServiceError(400, 1100, 'The request body is invalid: duration_seconds must be from %d to %d'
                                              % DURATION_RANGE)
            if (role.get('domain_name') or role.get('domain_id'), role['agency_name']) not in self.agencies:
                raise ServiceError(403, 1100, 'You do not have permission to assume agency %s of domain %s'
                                              % (role['agency_name'], role.get('domain_name') or role.get('domain_id')))
            return 201, {'credential': self.grant(duration)}
        return self.call(request, action)
