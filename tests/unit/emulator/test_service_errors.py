# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A service's refusal keeps its own status and code wherever it is raised, and an injected fault's
default body names its status rightly."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from cloudemu import base
from cloudemu.huawei import GATEWAY_ERRORS


def signed_get(emulator, path):
    """``GET path`` signed with the emulator's AK/SK: (status, JSON body)."""
    class Credentials:
        ak = emulator.options.access_key
        sk = emulator.options.secret_key

    request = SdkRequest(method='GET', schema='http', host=emulator.url[len('http://'):], resource_path=path,
                         query_params=[], header_params={'Content-Type': 'application/json'}, body='')
    Signer(Credentials).sign(request)
    try:
        with urllib.request.urlopen(urllib.request.Request(  # nosec - loopback only
                emulator.url + request.uri, headers=request.header_params, method='GET')) as response:
            return response.status, json.loads(response.read() or b'{}')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def unsigned(emulator, method, path):
    try:
        with urllib.request.urlopen(urllib.request.Request(emulator.url + path, method=method)) as response:  # nosec
            return response.status, json.loads(response.read() or b'{}')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_service_error_is_no_value_error():
    # The server answers a ValueError as a bad request; a service's refusal must not be taken for one.
    assert not issubclass(base.ServiceError, ValueError)


@pytest.fixture
def outside_call_route(emulator):
    """A route whose handler runs the service's common check itself, outside ``Service.call``."""
    service = emulator.state.services['elb']
    route = service.route('GET', r'/v3/(?P<project_id>[^/]+)/elb/outside-call', lambda request: (
        service.check(request), service.answer(200, {'checked': True}, request.request_id))[1])
    emulator.state.routes.insert(0, route)
    yield
    emulator.state.routes.remove(route)


def test_a_service_error_raised_outside_call_keeps_its_status_and_code(emulator, outside_call_route):
    status, body = signed_get(emulator, '/v3/%s/elb/outside-call' % ('f' * 32))
    assert status == 403 and body['error_code'] == 'APIGW.0302'
    assert body['error_msg'] == 'The project %s is not the project of the credentials' % ('f' * 32)
    status, body = signed_get(emulator, '/v3/%s/elb/outside-call' % emulator.options.project_id)
    assert status == 200 and body['checked'] is True


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 412, 413, 429, 500, 502, 503, 504])
def test_an_injected_huawei_fault_names_its_status(emulator, status):
    emulator.admin('POST', 'faults', {'method': 'GET', 'path': '/elb/certificates$', 'status': status})
    answered, body = unsigned(emulator, 'GET', '/v3/%s/elb/certificates' % emulator.options.project_id)
    code, message = GATEWAY_ERRORS.get(status) or ('APIGW.%04d' % status, HTTPStatus(status).phrase)
    assert answered == status and (body['error_code'], body['error_msg']) == (code, message)
    assert 'Unavailable' not in body['error_msg'] or status == 503


def test_the_gateway_table_gives_the_403_its_own_code():
    assert GATEWAY_ERRORS[403] == ('APIGW.0302', 'The IAM user is not authorized to access the API.')


class PlainService(base.Service):
    """A service with a body of its own and no fault body: the base class's default applies."""
    name = 'plain'

    def error(self, status, code, message, request_id):
        return self.answer(status, {'code': code, 'message': message}, request_id)


@pytest.mark.parametrize('status', [403, 404, 500, 503, 599])
def test_the_default_fault_body_is_the_status_and_its_phrase(emulator, status):
    body = PlainService(emulator.state).fault_body(status, 'r1')
    assert body == {'code': str(status), 'message': base.status_phrase(status)}
    assert base.status_phrase(403) == 'Forbidden' and base.status_phrase(599) == 'Error'


def test_a_seeded_resource_the_service_refuses_is_an_admin_error_not_a_failure(emulator):
    with pytest.raises(urllib.error.HTTPError) as refused:
        emulator.admin('POST', 'seed', {'elb': {'certificates': [{'name': 'x', 'type': 'weird',
                                                                  'domain': '-bad-', 'certificate': 'not pem'}]}})
    assert refused.value.code == 400
    assert json.loads(refused.value.read())['error'].startswith('seed: elb: ELB.8902 ')
