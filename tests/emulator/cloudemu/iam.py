# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM: just enough to resolve a region's project id (``GET /v3/projects?name=``)."""

from __future__ import annotations

from .base import Response, Route


class IamService:
    name = 'iam'

    def __init__(self, emulator):
        self.emulator = emulator
        self.reset()

    def reset(self):
        options = self.emulator.options
        self.projects = {options.region: options.project_id}

    def seed(self, data):
        for project in data.get('projects', []):
            self.projects[project['name']] = project['id']
        return {'projects': len(self.projects)}

    def routes(self):
        return [Route('GET', r'/v3/projects', self.list_projects, self.name, 'huawei')]

    @staticmethod
    def _error(status, title, message, request_id):
        return Response(status, {'error': {'code': status, 'title': title, 'message': message}},
                        {'X-IAM-Trace-Id': request_id})

    def auth_error(self, failure, request_id):
        return self._error(failure.status, 'Unauthorized', failure.message, request_id)

    def bad_request(self, message, request_id):
        return self._error(400, 'Bad Request', message, request_id)

    def list_projects(self, request):
        name = request.query_value('name')
        projects = [dict(id=project_id, name=region, domain_id='d' * 32, enabled=True, is_domain=False,
                         parent_id='d' * 32, description='')
                    for region, project_id in sorted(self.projects.items()) if name in (None, region)]
        return Response(200, {'projects': projects, 'links': {'self': 'https://iam/v3/projects', 'next': None,
                                                              'previous': None}},
                        {'X-IAM-Trace-Id': request.request_id})
