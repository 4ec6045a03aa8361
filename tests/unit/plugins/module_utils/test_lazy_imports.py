# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""requests and cryptography are imported where a run first uses them, once, whatever the threads;
a missing library still fails with Ansible's ``missing_required_lib`` message."""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.testing import patch_module_args

from ansible_collections.certfleet.cloud.plugins.module_utils import transport
from ansible_collections.certfleet.cloud.plugins.module_utils import x509 as x509_utils
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ConfigurationError
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import HttpClient, LazyModule, MissingLibraryError
from ansible_collections.certfleet.cloud.plugins.modules import apig_signature_info, certificate_check, elb_certificate_info

MODULES = ('apig_signature', 'apig_signature_info', 'ccm_private_ca_info', 'ccm_private_certificate',
           'ccm_private_certificate_info', 'certificate_check', 'certificate_deploy', 'elb_certificate',
           'elb_certificate_info', 'netcenter_certificate', 'netcenter_certificate_info', 'vpn_gateway_certificate',
           'vpn_gateway_certificate_info')

# Run in a fresh interpreter: imports what argv[1] lists, runs the module runs it lists, and reports
# after each step which of the lazily imported libraries are in sys.modules.
CHILD = r'''
import contextlib, importlib, io, json, sys
from ansible.module_utils.testing import patch_module_args

def loaded():
    return dict(requests='requests' in sys.modules, urllib3='urllib3' in sys.modules,
                cryptography=any(name.split('.')[0] == 'cryptography' for name in sys.modules),
                serialization='cryptography.hazmat.primitives.serialization' in sys.modules)

plan = json.loads(sys.argv[1])
report = []
for name in plan.get('imports', []):
    importlib.import_module(name)
report.append(dict(step='imports', loaded=loaded()))
for run in plan.get('runs', []):
    module = importlib.import_module('ansible_collections.certfleet.cloud.plugins.modules.' + run['module'])
    output = io.StringIO()
    with patch_module_args(run['args']), contextlib.redirect_stdout(output):
        try:
            module.main()
        except SystemExit:
            pass
    result = json.loads(output.getvalue())
    report.append(dict(step=run['step'], result=dict(failed=result.get('failed', False), msg=result.get('msg')),
                       loaded=loaded()))
for call in plan.get('calls', []):
    utils = importlib.import_module('ansible_collections.certfleet.cloud.plugins.module_utils.' + call['module'])
    getattr(utils, call['function'])(*call['args'])
    report.append(dict(step=call['step'], loaded=loaded()))
print('REPORT ' + json.dumps(report))
'''


def run_child(plan):
    """The child's report, step by step: ``{step: {'loaded': ..., 'result': ...}}``."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    process = subprocess.run([sys.executable, '-c', CHILD, json.dumps(plan)], capture_output=True, text=True,
                             env=env, timeout=120, check=False)
    assert process.returncode == 0, process.stderr
    line = [text for text in process.stdout.splitlines() if text.startswith('REPORT ')][-1]
    return dict((step.pop('step'), step) for step in json.loads(line[len('REPORT '):]))


def huaweicloud_args(emulator, **args):
    options = emulator.options
    base = dict(access_key=options.access_key, secret_key=options.secret_key, region=options.region,
                project_id=options.project_id, endpoint=emulator.url, iam_endpoint=emulator.url,
                timeout=5, max_retries=0)
    base.update(args)
    return base


def test_importing_any_module_imports_neither_requests_nor_cryptography():
    report = run_child(dict(imports=['ansible_collections.certfleet.cloud.plugins.modules.' + name for name in MODULES]))
    assert report['imports']['loaded'] == dict(requests=False, urllib3=False, cryptography=False, serialization=False)


def test_a_run_imports_only_what_it_uses(emulator, pki):
    report = run_child(dict(runs=[
        # Refused before anything is sent or parsed: neither library.
        dict(step='bad input', module='elb_certificate',
             args=huaweicloud_args(emulator, name='web', certificate='garbage', private_key='garbage')),
        # Talks to the service, parses no certificate: requests only.
        dict(step='apig', module='apig_signature',
             args=huaweicloud_args(emulator, instance='no-such-instance', name='orders', state='absent')),
        dict(step='info', module='elb_certificate_info', args=huaweicloud_args(emulator)),
        # A local check of a certificate and its key: cryptography with its key serialization.
        dict(step='check', module='certificate_check',
             args=dict(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'],
                       services=['elb'])),
    ]))
    assert report['bad input']['result']['failed'] and 'certificate' in report['bad input']['result']['msg']
    assert report['bad input']['loaded'] == dict(requests=False, urllib3=False, cryptography=False, serialization=False)
    assert report['apig']['result']['failed'], report['apig']  # the emulator has no such instance
    assert report['apig']['loaded'] == dict(requests=True, urllib3=True, cryptography=False, serialization=False)
    assert not report['info']['result']['failed'], report['info']
    assert report['info']['loaded'] == dict(requests=True, urllib3=True, cryptography=False, serialization=False)
    assert not report['check']['result']['failed'], report['check']
    assert report['check']['loaded'] == dict(requests=True, urllib3=True, cryptography=True, serialization=True)


def test_reading_a_certificate_does_not_import_key_serialization(pki):
    report = run_child(dict(calls=[
        dict(step='summary', module='x509', function='leaf_summary', args=[pki['www.example.com.fullchain.pem']]),
    ]))
    assert report['summary']['loaded'] == dict(requests=False, urllib3=False, cryptography=True, serialization=False)


def run_module(module, args, capsys, monkeypatch):
    """The module's result, with the ``exception`` (traceback) it gave ``fail_json``: whether Ansible
    returns it depends on the release and its traceback settings."""
    calls = []
    fail_json = AnsibleModule.fail_json

    def spy(self, msg, **kwargs):
        calls.append(kwargs)
        return fail_json(self, msg, **kwargs)

    monkeypatch.setattr(AnsibleModule, 'fail_json', spy)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    if calls:
        result['exception'] = calls[-1].get('exception')
    return result


def hide(monkeypatch, *names):
    """Make ``names`` unimportable, as if not installed (find_spec finds nothing, import fails)."""
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def test_missing_requests_fails_at_start_with_missing_required_lib(monkeypatch, capsys):
    hide(monkeypatch, 'requests')
    monkeypatch.setattr(transport, 'requests', LazyModule('requests'))
    result = run_module(apig_signature_info, dict(access_key='AK0123456789', secret_key='secret-0123456789',
                                                  region='cn-north-4', project_id='p', instance='i'), capsys, monkeypatch)
    assert result['failed']
    assert result['msg'] == missing_required_lib('requests')
    assert 'requests' in result['exception']


def test_missing_cryptography_fails_at_start_with_missing_required_lib(monkeypatch, capsys, pki):
    hide(monkeypatch, 'cryptography', 'cryptography.x509', 'cryptography.hazmat.primitives.serialization')
    monkeypatch.setattr(x509_utils, 'x509', LazyModule('cryptography.x509'))
    monkeypatch.setattr(x509_utils, 'serialization', LazyModule('cryptography.hazmat.primitives.serialization'))
    result = run_module(certificate_check, dict(certificate=pki['www.example.com.fullchain.pem'],
                                                private_key=pki['www.example.com.key']), capsys, monkeypatch)
    assert result['failed']
    assert result['msg'] == missing_required_lib('cryptography')
    assert 'cryptography' in result['exception']


def test_requests_found_but_not_importable_fails_where_first_used(monkeypatch, capsys, emulator):
    monkeypatch.setattr(transport, 'requests', LazyModule('certfleet_unimportable_requests', 'requests'))
    result = run_module(elb_certificate_info, huaweicloud_args(emulator), capsys, monkeypatch)
    assert result['failed']
    assert result['msg'] == missing_required_lib('requests')
    assert "No module named 'certfleet_unimportable_requests'" in result['exception']
    assert emulator.requests() == []  # nothing was sent


def test_cryptography_found_but_not_importable_fails_where_first_used(monkeypatch, capsys, pki):
    monkeypatch.setattr(x509_utils, 'x509', LazyModule('certfleet_unimportable_cryptography', 'cryptography'))
    with pytest.raises(MissingLibraryError) as raised:
        x509_utils.load_certificates(pki['www.example.com.pem'], 'certificate')
    assert isinstance(raised.value, ConfigurationError)
    assert raised.value.library == 'cryptography'
    result = run_module(certificate_check, dict(certificate=pki['www.example.com.fullchain.pem'],
                                                private_key=pki['www.example.com.key']), capsys, monkeypatch)
    assert result['failed']
    assert result['msg'] == missing_required_lib('cryptography')
    assert "No module named 'certfleet_unimportable_cryptography'" in result['exception']


def test_the_import_error_names_still_answer(monkeypatch):
    assert transport.REQUESTS_IMPORT_ERROR is None
    assert x509_utils.CRYPTOGRAPHY_IMPORT_ERROR is None
    from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import CRYPTOGRAPHY_IMPORT_ERROR
    assert CRYPTOGRAPHY_IMPORT_ERROR is None
    monkeypatch.setattr(transport, 'requests', LazyModule('certfleet_unimportable_requests', 'requests'))
    assert "No module named 'certfleet_unimportable_requests'" in transport.REQUESTS_IMPORT_ERROR
    with pytest.raises(AttributeError):
        getattr(transport, 'NO_SUCH_NAME')
    with pytest.raises(AttributeError):
        getattr(x509_utils, 'NO_SUCH_NAME')


class SlowModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the module ``name``, whose execution takes a while (or fails), counting executions."""

    def __init__(self, name, fail=False):
        self.name = name
        self.fail = fail
        self.executions = 0

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname == self.name else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.executions += 1
        module.ready = False
        time.sleep(0.05)
        if self.fail:
            raise ImportError('%s is broken' % self.name)
        module.ready = True


def read_from_threads(lazy, count=8):
    barrier = threading.Barrier(count)
    outcomes = []

    def read():
        barrier.wait()
        try:
            outcomes.append(('module', lazy.ready, id(lazy.load())))
        except MissingLibraryError as error:
            outcomes.append(('error', error.library, None))

    threads = [threading.Thread(target=read) for dummy in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return outcomes


@pytest.mark.parametrize('fail', [False, True])
def test_threads_racing_for_the_first_import_import_once_and_never_see_it_half_done(monkeypatch, fail):
    name = 'certfleet_lazy_probe_%s' % ('failing' if fail else 'ok')
    finder = SlowModuleFinder(name, fail)
    monkeypatch.setattr(sys, 'meta_path', [finder] + sys.meta_path)
    monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        outcomes = read_from_threads(LazyModule(name, 'probe'))
    finally:
        sys.modules.pop(name, None)
    assert len(outcomes) == 8
    if fail:
        assert set(outcomes) == {('error', 'probe', None)}
    else:
        assert finder.executions == 1
        assert len(set(outcomes)) == 1 and outcomes[0][1] is True


def test_a_client_makes_its_session_at_the_first_request_and_only_one(monkeypatch):
    client = HttpClient()
    assert client._session is None  # pylint: disable=protected-access
    barrier = threading.Barrier(8)
    sessions = []

    def first_request():
        barrier.wait()
        sessions.append(client.session)

    threads = [threading.Thread(target=first_request) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(sessions) == 8 and len(set(map(id, sessions))) == 1
    assert sessions[0].trust_env is True


def test_a_client_without_requests_fails_at_its_first_request_not_before(monkeypatch):
    monkeypatch.setattr(transport, 'requests', LazyModule('certfleet_unimportable_requests', 'requests'))
    client = HttpClient()
    with pytest.raises(MissingLibraryError) as raised:
        client.request('GET', 'http://127.0.0.1:9/')
    assert raised.value.library == 'requests' and str(raised.value) == missing_required_lib('requests')
    assert client.attempts == 0
