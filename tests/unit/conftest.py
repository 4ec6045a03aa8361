# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures: an in-process emulator on a free port and throwaway certificates."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import urllib.request

import pytest

EMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'emulator')
sys.path.insert(0, EMULATOR_DIR)

from cloudemu import certs as emulator_certs  # noqa: E402  pylint: disable=wrong-import-position
from cloudemu.server import DEFAULTS, make_server  # noqa: E402  pylint: disable=wrong-import-position


class RunningEmulator:
    def __init__(self, server):
        self.server = server
        self.state = server.emulator
        self.url = 'http://127.0.0.1:%d' % server.server_address[1]
        self.options = server.emulator.options

    def admin(self, method, action, payload=None):
        data = json.dumps(payload).encode('utf-8') if payload is not None else None
        request = urllib.request.Request(self.url + '/_emulator/' + action, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request) as response:  # nosec - loopback only
            return json.loads(response.read().decode('utf-8'))

    def requests(self):
        return self.admin('GET', 'requests')['requests']

    def huawei_sdk_client(self, client_class, credentials=None):
        """An official huaweicloudsdk client for this emulator (project-scoped AK/SK unless ``credentials``),
        without the SDK's own retries, so each test sees every answer."""
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.http.http_config import HttpConfig

        credentials = credentials or BasicCredentials(self.options.access_key, self.options.secret_key,
                                                      self.options.project_id)
        config = HttpConfig.get_default_config()
        config.retry_times = 0
        return client_class.new_builder().with_credentials(credentials).with_http_config(config) \
            .with_endpoints([self.url]).build()

    def wangsu_sdk_call(self, method, uri, payload=None, secret_key=None, tamper=False):
        """A request signed by wangsu-sdk-python's own code (CNC-HMAC-SHA256), sent over HTTP (the SDK
        itself only speaks https://); ``tamper`` spoils the signature's last digit."""
        import requests
        from wangsu.common.auth.AkSkAuth import AkSkAuth
        from wangsu.common.auth.HttpRequestMsg import HttpRequestMsg

        message = HttpRequestMsg()
        message.uri = uri
        message.host = self.url.split('://', 1)[1]
        message.method = method
        message.body = json.dumps(payload) if payload is not None else None
        AkSkAuth.get_auth_and_set_headers(message, self.options.netcenter_access_key,
                                          secret_key or self.options.netcenter_secret_key, None)
        headers = dict(message.headers)
        if tamper:
            headers['Authorization'] = headers['Authorization'][:-1] + ('0' if headers['Authorization'][-1] != '0' else '1')
        return requests.request(method, self.url + uri, headers=headers, data=message.body, timeout=10)

    def params(self, **overrides):
        """Module-style connection options for this emulator."""
        params = dict(access_key=self.options.access_key, secret_key=self.options.secret_key,
                      security_token=None, auth_token=None, region=self.options.region,
                      project_id=self.options.project_id, endpoint=self.url, iam_endpoint=self.url,
                      validate_certs=True, ca_bundle=None, timeout=5, max_retries=2)
        params.update(overrides)
        return params


# Nothing listens on the discard port of this machine: a test that reaches the end of the credential
# chain gets a prompt refusal instead of waiting for 169.254.169.254.
CLOSED_METADATA_ENDPOINT = 'http://127.0.0.1:9'
CREDENTIAL_VARIABLES = ('HW_ACCESS_KEY', 'HW_SECRET_KEY', 'HW_SECURITY_TOKEN', 'HW_AUTH_TOKEN', 'CLOUD_SDK_AK',
                        'CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
                        'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_SDK_DOMAIN_ID', 'HUAWEICLOUD_SDK_CREDENTIALS_FILE',
                        'HUAWEICLOUD_SDK_IAM_ENDPOINT', 'HW_PROFILE', 'HW_SHARED_CONFIG_FILE', 'HW_CLOUD',
                        'HW_ASSUME_ROLE_AGENCY_NAME', 'HW_ASSUME_ROLE_DOMAIN_NAME', 'HW_DOMAIN_ID')


@pytest.fixture(scope='session')
def empty_home():
    # tempfile, not tmp_path_factory: a test may forbid os.umask, which pytest's factory calls.
    path = tempfile.mkdtemp(prefix='certfleet-home-')
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_ambient_credentials(empty_home):
    """Every test starts from an empty home, no credential variables and a closed metadata service,
    so no profile file or agency of the machine running the tests is ever used. (Not monkeypatch:
    a test's own monkeypatch must be undone before the fixtures it set up are torn down.)"""
    saved = dict((name, os.environ.get(name)) for name in CREDENTIAL_VARIABLES + ('HOME', 'HW_METADATA_ENDPOINT'))
    for name in CREDENTIAL_VARIABLES:
        os.environ.pop(name, None)
    os.environ['HOME'] = empty_home
    os.environ['HW_METADATA_ENDPOINT'] = CLOSED_METADATA_ENDPOINT
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope='session')
def emulator_server():
    server = make_server(argparse.Namespace(**DEFAULTS))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RunningEmulator(server)
    server.shutdown()
    server.server_close()


@pytest.fixture
def emulator(emulator_server):
    emulator_server.admin('POST', 'reset')
    return emulator_server


@pytest.fixture(scope='session')
def pki(tmp_path_factory):
    """Paths and texts of a throwaway PKI (see cloudemu.certs.write_set)."""
    directory = str(tmp_path_factory.mktemp('pki'))
    return emulator_certs.write_set(directory)
