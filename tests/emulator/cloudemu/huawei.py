# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every emulated Huawei Cloud service shares: the account's credentials, API Gateway
authentication, the ``{"error_code", "error_msg", "request_id"}`` error body, the project check."""

from __future__ import annotations

from . import huawei_auth
from .base import Response, Service, ServiceError, status_phrase

OPTIONS = dict(
    access_key='CERTFLEETEMULATORAK1',
    secret_key='certfleet-emulator-secret-key-do-not-use-0',
    temp_access_key='CERTFLEETEMULATORTMP',
    temp_secret_key='certfleet-emulator-temporary-secret-key-0',
    security_token='certfleet-emulator-security-token',
    auth_token='certfleet-emulator-iam-token',
    region='cn-north-4',
    project_id='0a7c1c2b3d4e5f60718293a4b5c6d7e8',
)


# The API Gateway's own answer per status, for injected faults: the error-code table of the API
# signing guide (https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-errorcode.html).
# A status the table has no row for keeps its HTTP reason phrase under the stand-in code APIGW.<status>.
GATEWAY_ERRORS = {
    400: ('APIGW.0201', 'API request error.'),
    401: ('APIGW.0301', 'Incorrect IAM authentication information.'),
    403: ('APIGW.0302', 'The IAM user is not authorized to access the API.'),
    404: ('APIGW.0101', 'The API does not exist or has not been published in the environment.'),
    413: ('APIGW.0201', 'Request entity too large.'),
    414: ('APIGW.0201', 'Request URI too large.'),
    429: ('APIGW.0308', 'The throttling threshold has been reached.'),
    500: ('APIGW.0201', 'An unexpected error occurred.'),
    502: ('APIGW.0201', 'Backend unavailable.'),
    504: ('APIGW.0201', 'Backend timeout.'),
}


class HuaweiService(Service):
    OPTIONS = OPTIONS
    PATH_PREFIXES = ('/v',)
    # The error code of a project-scoped path whose project is not the credentials' own.
    PROJECT_MISMATCH_CODE = 'APIGW.0302'

    def __init__(self, emulator):
        options = emulator.options
        self.credentials = huawei_auth.Credentials(
            options.access_key, options.secret_key, options.temp_access_key, options.temp_secret_key,
            options.security_token, options.auth_token)
        super().__init__(emulator)

    def authenticate(self, request):
        try:
            verified = huawei_auth.verify(self.credentials, request.method, request.path, request.raw_query,
                                          request.headers, request.body)
        except huawei_auth.AuthFailure as failure:
            return self.error(failure.status, failure.code, failure.message, request.request_id)
        # The throttling key: the AK that signed, else the token; one key across every Huawei service.
        if 'authorization' in request.headers:
            request.credential = ('huawei-ak', verified)
        else:
            request.credential = ('huawei-token', request.headers['x-auth-token'])
        return None

    def throttled(self, limit, retry_after, request_id):
        # The API Gateway refuses before any service sees the request, so its body whatever the
        # service's own error shape (IAM's too). Code: the API signing guide's table of APIGW codes;
        # message: as the gateway words it for the per-user policy (see tests/emulator/README.md).
        body = {'error_code': 'APIGW.0308',
                'error_msg': 'The throttling threshold has been reached: policy user over ratelimit,limit:%d,'
                             'time:1 second' % limit,
                'request_id': request_id}
        return Response(429, body, {self.REQUEST_ID_HEADER: request_id, 'Retry-After': str(retry_after)})

    def error(self, status, code, message, request_id):
        return self.answer(status, {'error_code': code, 'error_msg': message, 'request_id': request_id}, request_id)

    def answer(self, status, body, request_id, headers=None):
        if isinstance(body, dict) and 'request_id' not in body and status < 300:
            body['request_id'] = request_id
        return super().answer(status, body, request_id, headers)

    def check(self, request):
        groups = request.match.groupdict() if request.match else {}
        if 'project_id' in groups and groups['project_id'] != self.options.project_id:
            raise ServiceError(403, self.PROJECT_MISMATCH_CODE, 'The project %s is not the project of the credentials'
                               % groups['project_id'])

    def no_such_api(self, status, request_id):
        return self.error(status, 'APIGW.0101', 'The API does not exist or has not been published in the '
                                                'environment', request_id)

    def fault_body(self, status, request_id):
        code, message = GATEWAY_ERRORS.get(status) or ('APIGW.%04d' % status, status_phrase(status))
        return {'error_code': code, 'error_msg': message, 'request_id': request_id}
