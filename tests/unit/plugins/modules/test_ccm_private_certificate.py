# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ccm_private_certificate run in-process against the emulator: files, the key kept secret, the clock,
and the local file rules (which file is stale) on their own."""

from __future__ import annotations

import os
import signal
import stat

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils.ccm import FILE_OPTIONS
from ansible_collections.certfleet.cloud.plugins.module_utils.files import CURRENT, MISSING, STALE, PemFiles
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.modules import ccm_private_certificate

CA_ID = '2cb2878b-6cd1-460d-bd25-afe655159bdc'


@pytest.fixture
def ccm(emulator):
    emulator.admin('POST', 'seed', {'ccm': {'authorities': [{'id': CA_ID, 'common_name': 'unit CA'}]}})
    return emulator


def args(emulator, directory, **overrides):
    values = dict(access_key=emulator.options.access_key, secret_key=emulator.options.secret_key,
                  endpoint=emulator.url, name='unit', issuer=CA_ID,
                  distinguished_name={'common_name': 'unit.example.com'}, validity={'type': 'DAY', 'value': 60},
                  certificate_path=str(directory / 'cert.pem'), chain_path=str(directory / 'chain.pem'),
                  private_key_path=str(directory / 'key.pem'))
    values.update(overrides)
    return values


def test_the_key_is_written_0600_and_never_returned(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert result['changed'] and result['reason'] == 'no certificate yet'
    key_text = (tmp_path / 'key.pem').read_text()
    assert 'PRIVATE KEY' in key_text
    assert stat.S_IMODE(os.stat(tmp_path / 'key.pem').st_mode) == 0o600
    # The result (with invocation at -vvvv) never holds the key, nor any part of its body.
    serialized = repr(result)
    assert 'PRIVATE KEY' not in serialized
    assert key_text.splitlines()[1] not in serialized


def modes(directory, *names):
    return [stat.S_IMODE(os.stat(str(directory / name)).st_mode) for name in names]


def key_warnings(result, directory):
    """The warnings about the key in ``directory`` (ansible-core 2.19 returns each as a dict with its event)."""
    texts = [warning if isinstance(warning, str) else warning.get('msg') or (warning.get('event') or {}).get('msg', '')
             for warning in result.get('warnings', [])]
    return [text for text in texts if 'private key %s ' % (directory / 'key.pem') in text]


def test_mode_is_for_the_certificates_and_the_key_keeps_0600(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path, mode='0644'))
    assert result['changed'] and key_warnings(result, tmp_path) == []
    assert modes(tmp_path, 'cert.pem', 'chain.pem', 'key.pem') == [0o644, 0o644, 0o600]
    assert not run_module(ccm_private_certificate, args(ccm, tmp_path, mode='0644'))['changed']


def test_a_key_readable_by_others_is_written_as_asked_and_reported(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path, private_key_mode='0644'))
    assert modes(tmp_path, 'key.pem') == [0o644]
    assert key_warnings(result, tmp_path) == [
        'private key %s is readable by its group and others (mode 0644); private_key_mode "0600" keeps it to its owner'
        % (tmp_path / 'key.pem')]


def test_a_key_behind_a_link_is_given_0600_and_then_left_alone(ccm, tmp_path, run_module):
    run_module(ccm_private_certificate, args(ccm, tmp_path))
    real = tmp_path / 'real'
    real.mkdir()
    os.rename(str(tmp_path / 'key.pem'), str(real / 'key.pem'))
    os.chmod(str(real / 'key.pem'), 0o644)
    os.symlink(str(real / 'key.pem'), str(tmp_path / 'key.pem'))
    tightened = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert tightened['changed'] and tightened['files'] == [] and key_warnings(tightened, tmp_path) == []
    assert modes(real, 'key.pem') == [0o600] and os.path.islink(str(tmp_path / 'key.pem'))
    assert not run_module(ccm_private_certificate, args(ccm, tmp_path))['changed']


def test_one_file_spelled_two_ways_is_refused_before_any_request(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path, private_key_path='%s/./cert.pem' % tmp_path))
    assert result['failed'] and result['field'] == 'private_key_path'
    assert 'is the same file as certificate_path' in result['msg']
    assert ccm.requests() == [] and os.listdir(str(tmp_path)) == []


class Hung(Exception):
    pass


@pytest.fixture
def deadline():
    """Fail a test that would hang (a FIFO opened for reading waits for a writer forever)."""
    def hung(signum, frame):
        raise Hung('the module hung')
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_fifo_is_refused_before_any_request(ccm, tmp_path, run_module, deadline):
    os.mkfifo(str(tmp_path / 'chain.pem'))
    result = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert result['failed'] and result['field'] == 'chain_path'
    assert 'is a FIFO, not a regular file' in result['msg']
    assert ccm.requests() == []


def test_a_file_that_cannot_be_written_is_a_clear_error_and_a_rerun_converges(ccm, tmp_path, run_module):
    # Nothing can be created in /proc: the write fails after the certificate was issued.
    failed = run_module(ccm_private_certificate, args(ccm, tmp_path, certificate_path='/proc/self/certfleet-unit.pem'))
    assert failed['failed'] and failed['field'] == 'certificate_path' and 'exception' not in failed
    assert failed['msg'].startswith('certificate_path: /proc/self/certfleet-unit.pem could not be written (')
    assert 'a rerun once that is fixed' in failed['msg']
    fixed = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert fixed['changed'] and fixed['reason'] is None, 'a second certificate was issued'
    assert sorted(fixed['files']) == [str(tmp_path / name) for name in ('cert.pem', 'chain.pem', 'key.pem')]
    assert not run_module(ccm_private_certificate, args(ccm, tmp_path))['changed']


def test_no_project_id_is_needed_or_sent(ccm, tmp_path, run_module):
    run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert all('project' not in entry['path'] for entry in ccm.requests())
    client = HuaweiCloudClient(ccm.params(project_id=None, iam_endpoint=None), 'ccm', project_scoped=False)
    assert client.request('GET', '/v1/private-certificate-authorities')['total'] == 1


def test_days_left_follow_the_services_clock(ccm, tmp_path, run_module):
    first = run_module(ccm_private_certificate, args(ccm, tmp_path))
    ccm.admin('POST', 'clock', {'advance_days': 31.5})
    renewed = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert renewed['reason'].startswith('the certificate expires on')
    assert renewed['diff']['before']['certificate']['days_left'] == 28
    # The service clock is known to about a second from Date: a fresh 60-day certificate has 59 or 60 days.
    assert renewed['certificate']['summary']['days_left'] in (59, 60)
    assert renewed['replaced'] == [first['certificate']['certificate_id']]


def test_check_mode_writes_no_file(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, dict(args(ccm, tmp_path), _ansible_check_mode=True))
    assert result['changed'] and len(result['files']) == 3
    assert os.listdir(tmp_path) == []
    assert [entry for entry in ccm.requests() if entry['method'] != 'GET' and 'filter' not in entry['path']] == []


def test_which_files_are_stale(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path))
    serial, issuer = result['certificate']['serial_number'], result['certificate']['issuer_name']
    files = PemFiles(dict(certificate_path=str(tmp_path / 'cert.pem'), chain_path=str(tmp_path / 'chain.pem'),
                          private_key_path=str(tmp_path / 'key.pem'), fullchain_path=str(tmp_path / 'full.pem')),
                     FILE_OPTIONS)
    states = files.states(serial, issuer)
    assert states == {str(tmp_path / 'cert.pem'): CURRENT, str(tmp_path / 'chain.pem'): CURRENT,
                      str(tmp_path / 'key.pem'): CURRENT, str(tmp_path / 'full.pem'): MISSING}
    # Another serial: the certificate is stale, and so is the key, which now has nothing to match.
    assert files.states('01', issuer)[str(tmp_path / 'cert.pem')] == STALE
    # A chain whose first certificate is not the issuer.
    (tmp_path / 'chain.pem').write_text((tmp_path / 'cert.pem').read_text())
    assert files.states(serial, issuer)[str(tmp_path / 'chain.pem')] == STALE
    # A key that is not a key.
    (tmp_path / 'key.pem').write_text('garbage\n')
    assert files.states(serial, issuer)[str(tmp_path / 'key.pem')] == STALE


def test_a_stale_key_is_rewritten_alone(ccm, tmp_path, run_module):
    first = run_module(ccm_private_certificate, args(ccm, tmp_path))
    other = tmp_path / 'other'
    other.mkdir()
    run_module(ccm_private_certificate, args(ccm, other, name='other'))
    # The key of another certificate: it does not match the certificate on disk.
    (tmp_path / 'key.pem').write_text((other / 'key.pem').read_text())
    again = run_module(ccm_private_certificate, args(ccm, tmp_path))
    assert again['changed'] and again['reason'] is None
    assert again['files'] == [str(tmp_path / 'key.pem')]
    assert again['certificate']['certificate_id'] == first['certificate']['certificate_id']


def test_bad_input_names_the_field_and_sends_nothing(ccm, tmp_path, run_module):
    result = run_module(ccm_private_certificate, args(ccm, tmp_path, validity={'type': 'HOUR', 'value': 175201}))
    assert result['failed'] and result['field'] == 'validity.value'
    assert ccm.requests() == []


def test_the_service_clock_is_read_from_date(ccm):
    import datetime
    client = HuaweiCloudClient(ccm.params(project_id=None, iam_endpoint=None), 'ccm', project_scoped=False)
    client.request('GET', '/v1/private-certificate-authorities')
    # In step with the local clock: no correction at all.
    assert client._clock_offset is None
    ccm.admin('POST', 'clock', {'advance_days': 10})
    client.request('GET', '/v1/private-certificate-authorities')
    ahead = client.service_now() - datetime.datetime.now(datetime.timezone.utc)
    assert abs(ahead - datetime.timedelta(days=10)) < datetime.timedelta(seconds=2)
