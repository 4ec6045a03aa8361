# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""files.py on its own: the umask read without changing it, the file attributes applied through the
function the module hands over (the key with its own mode, through links), the paths refused before any
request (one file twice, what is not a regular file), and write errors named."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import files
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.files import (
    SECRET_MODE, FileWriteError, PemFiles, current_umask, parse_mode, read_text,
)

OPTIONS = dict(certificate='certificate_path', private_key='private_key_path')


def kernel_shows_umask():
    try:
        with open(files.PROC_STATUS) as handle:
            return 'Umask:' in handle.read()
    except OSError:
        return False


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


@pytest.mark.skipif(not kernel_shows_umask(), reason='the kernel does not show Umask in /proc/self/status')
def test_the_umask_is_read_from_proc_without_setting_it(umask_027, monkeypatch):
    def no_umask(mask):
        raise AssertionError('os.umask(%o) was called: it changes the mask of every thread' % mask)

    monkeypatch.setattr(files.os, 'umask', no_umask)
    assert current_umask() == 0o027


def test_the_umask_line_is_parsed_as_octal(tmp_path):
    status = tmp_path / 'status'
    status.write_text('Name:\tpython\nUmask:\t0077\nState:\tR (running)\n')
    assert current_umask(str(status)) == 0o077


@pytest.mark.parametrize('content', [None, 'Name:\tpython\nState:\tR (running)\n'])
def test_without_proc_or_its_umask_line_the_mask_is_toggled_back(umask_027, tmp_path, content):
    status = tmp_path / 'status'
    if content is not None:
        status.write_text(content)
    assert current_umask(str(status)) == 0o027
    assert os.umask(0o027) == 0o027, 'the mask was not put back'


def test_a_new_certificate_file_gets_the_umask_and_a_key_0600(umask_027, tmp_path):
    pem = PemFiles(dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem')),
                   OPTIONS)
    written = pem.write(dict(certificate='certificate\n', private_key='key\n'))
    assert written == [str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')]
    assert stat.S_IMODE(os.stat(tmp_path / 'cert.pem').st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / 'key.pem').st_mode) == 0o600
    assert pem.write(dict(certificate='certificate\n', private_key='key\n')) == []


def test_attributes_go_through_the_given_function_with_0600_for_a_key(tmp_path):
    for name in ('cert.pem', 'key.pem'):
        (tmp_path / name).write_text('x\n')
    applied = []

    def apply_attributes(path, mode):
        applied.append((os.path.basename(path), mode))
        return path.endswith('key.pem')

    params = dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem'))
    assert PemFiles(params, OPTIONS, apply_attributes).set_attributes() is True
    assert applied == [('cert.pem', None), ('key.pem', SECRET_MODE)]
    # A file that does not exist (yet) has no attributes to set; without the function nothing is set.
    os.unlink(str(tmp_path / 'key.pem'))
    assert PemFiles(params, OPTIONS, apply_attributes).set_attributes() is False
    assert PemFiles(params, OPTIONS).set_attributes() is False


# The key's mode ------------------------------------------------------------------------------------
def chmod_attributes(applied=None):
    """An ``apply_attributes`` that does what AnsibleModule does for an octal mode on a regular file."""
    def apply(path, mode):
        if applied is not None:
            applied.append((path, mode))
        if mode is None:
            return False
        mode = int(mode, 8) if isinstance(mode, str) else mode
        if stat.S_IMODE(os.stat(path).st_mode) == mode:
            return False
        os.chmod(path, mode)
        return True
    return apply


def two_files(tmp_path, **modes):
    for name in ('cert.pem', 'key.pem'):
        (tmp_path / name).write_text('x\n')
        os.chmod(str(tmp_path / name), 0o644)
    return dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem'), **modes)


def modes(tmp_path, *names):
    return [stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) for name in names]


def test_mode_is_for_the_certificates_and_the_key_keeps_0600(tmp_path):
    files_ = PemFiles(two_files(tmp_path, mode='0644', private_key_mode='0600'), OPTIONS, chmod_attributes())
    files_.validate()
    assert files_.set_attributes() is True
    assert modes(tmp_path, 'cert.pem', 'key.pem') == [0o644, 0o600]
    assert files_.key_warning() is None


def test_a_key_readable_by_others_is_reported(tmp_path):
    files_ = PemFiles(two_files(tmp_path, mode='0644', private_key_mode='0644'), OPTIONS, chmod_attributes())
    files_.set_attributes()
    assert modes(tmp_path, 'key.pem') == [0o644]
    warning = files_.key_warning()
    assert 'private key %s is readable by its group and others (mode 0644)' % (tmp_path / 'key.pem') in warning
    # Only the group: still reported; in check mode, what the mode would become.
    assert 'by its group (mode 0640)' in PemFiles(two_files(tmp_path, private_key_mode='0640'), OPTIONS,
                                                  chmod_attributes()).key_warning(check_mode=True)


def test_a_wider_key_left_as_it_is_is_reported(tmp_path):
    # private_key_mode null: the mode is not fixed, so a key 0644 from before stays that way.
    files_ = PemFiles(two_files(tmp_path, private_key_mode=None), OPTIONS, chmod_attributes())
    assert files_.set_attributes() is False
    assert 'readable by its group and others (mode 0644)' in files_.key_warning()


def test_the_key_behind_a_link_gets_the_mode_not_the_link(tmp_path):
    params = two_files(tmp_path)
    real = tmp_path / 'real'
    real.mkdir()
    os.rename(str(tmp_path / 'key.pem'), str(real / 'key.pem'))
    os.symlink(str(real / 'key.pem'), str(tmp_path / 'key.pem'))
    applied = []
    files_ = PemFiles(params, OPTIONS, chmod_attributes(applied))
    files_.validate()
    assert files_.set_attributes() is True
    assert applied[-1] == (str(real / 'key.pem'), SECRET_MODE)
    assert modes(real, 'key.pem') == [0o600]
    assert files_.set_attributes() is False and files_.key_warning() is None


@pytest.mark.parametrize('value', ['0600', '600', 0o600, 'u=rw,g=r', 'go-rwx', None])
def test_modes_as_ansible_takes_them(value):
    assert parse_mode(value, 'private_key_mode') == (int(value, 8) if isinstance(value, str) and value[0].isdigit()
                                                     else value)


@pytest.mark.parametrize('value', ['0999', 'rw-r--r--', 'u=rw;g=r', '', 0o17777, -1])
def test_a_bad_key_mode_is_refused_before_any_request(tmp_path, value):
    with pytest.raises(InputError) as refused:
        PemFiles(two_files(tmp_path, private_key_mode=value), OPTIONS).validate()
    assert refused.value.field == 'private_key_mode'


# One file under two names ----------------------------------------------------------------------------
def test_one_path_spelled_two_ways_is_the_same_file(tmp_path):
    params = dict(certificate_path=str(tmp_path / 'same.pem'), private_key_path='%s/./same.pem' % tmp_path)
    with pytest.raises(InputError) as refused:
        PemFiles(params, OPTIONS).validate()
    assert refused.value.field == 'private_key_path'
    assert 'is the same file as certificate_path' in str(refused.value)


def test_a_link_to_another_file_option_is_the_same_file(tmp_path):
    (tmp_path / 'cert.pem').write_text('x\n')
    os.symlink('cert.pem', str(tmp_path / 'key.pem'))
    with pytest.raises(InputError) as refused:
        PemFiles(dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem')),
                 OPTIONS).validate()
    assert refused.value.field == 'private_key_path'


def test_a_hard_link_is_the_same_file(tmp_path):
    (tmp_path / 'cert.pem').write_text('x\n')
    os.link(str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem'))
    with pytest.raises(InputError) as refused:
        PemFiles(dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem')),
                 OPTIONS).validate()
    assert refused.value.field == 'private_key_path' and 'same file as certificate_path' in str(refused.value)


# What is not a regular file ------------------------------------------------------------------------
def test_a_fifo_is_refused_without_opening_it(tmp_path):
    os.mkfifo(str(tmp_path / 'key.pem'))
    params = dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem'))
    with pytest.raises(InputError) as refused:
        PemFiles(params, OPTIONS).validate()
    assert refused.value.field == 'private_key_path' and 'is a FIFO, not a regular file' in str(refused.value)
    # One that appears after the check is read as missing rather than waited on.
    done = []
    reader = threading.Thread(target=lambda: done.append(PemFiles(params, OPTIONS).states('01', 'CA')), daemon=True)
    reader.start()
    reader.join(10)
    assert done == [{str(tmp_path / 'cert.pem'): 'missing', str(tmp_path / 'key.pem'): 'missing'}]
    assert read_text(str(tmp_path / 'key.pem')) is None


@pytest.mark.parametrize('path, reason', [('/dev/null', 'is a character device'), ('/tmp', 'is a directory')])
def test_a_device_or_directory_is_refused(path, reason):
    with pytest.raises(InputError) as refused:
        PemFiles(dict(certificate_path=path), OPTIONS).validate()
    assert refused.value.field == 'certificate_path' and reason in str(refused.value)


# Write errors ----------------------------------------------------------------------------------------
def test_a_file_that_cannot_be_written_is_an_error_naming_its_option_and_path(tmp_path):
    # Nothing can be created in /proc, not even by root.
    params = dict(certificate_path='/proc/self/certfleet-unit.pem', private_key_path=str(tmp_path / 'key.pem'))
    files_ = PemFiles(params, OPTIONS)
    files_.validate()
    with pytest.raises(FileWriteError) as failed:
        files_.write(dict(certificate='certificate\n', private_key='key\n'))
    assert failed.value.field == 'certificate_path'
    assert str(failed.value).startswith('certificate_path: /proc/self/certfleet-unit.pem could not be written (')
    assert 'a rerun once that is fixed' in str(failed.value)
    assert isinstance(failed.value, InputError)  # reported by the module base like every named option
    assert [name for name in os.listdir('/proc/self') if 'certfleet' in name] == []
