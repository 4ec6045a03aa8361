# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM: just enough to resolve a region's project id (``GET /v3/projects?name=``)."""

from __future__ import annotations

from .base import Response
from .huawei import HuaweiService


class IamService(HuaweiService):
    """IAM answers errors in its own nested shape and with its own request-id header."""

    name = 'iam'
    PATH_PREFIXES = ('/v3/projects', '/v3/auth')
    REQUEST_ID_HEADER = 'X-IAM-Trace-Id'

    def reset(self):
        options = self.emulator.options
        self.projects = {options.region: options.project_id}

    def seed(self, data):
        for project in data.get('projects', []):
            self.projects[project['name']] = project['id']
        return {'projects': len(self.projects)}

    def routes(self):
        return [self.route('GET', r'/v3/projects', self.list_projects)]

    def error(self, status, code, message, request_id):
        title = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found'}.get(status, 'Error')
        return Response(status, {'error': {'code': status, 'title': title, 'message': message}},
                        {self.REQUEST_ID_HEADER: request_id})

    def list_projects(self, request):
        name = request.query_value('name')
        projects = [dict(id=project_id, name=region, domain_id='d' * 32, enabled=True, is_domain=False,
                         parent_id='d' * 32, description='')
                    for region, project_id in sorted(self.projects.items()) if name in (None, region)]
        return Response(200, {'projects': projects, 'links': {'self': 'https://iam/v3/projects', 'next': None,
                                                              'previous': None}},
                        {'X-IAM-Trace-Id': request.request_id})
