# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""files.py on its own: the umask read without changing it, and the file attributes applied through the
function the module hands over."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import files
from ansible_collections.certfleet.cloud.plugins.module_utils.files import SECRET_MODE, PemFiles, current_umask

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

    def apply_attributes(path, default_mode):
        applied.append((os.path.basename(path), default_mode))
        return path.endswith('key.pem')

    params = dict(certificate_path=str(tmp_path / 'cert.pem'), private_key_path=str(tmp_path / 'key.pem'))
    assert PemFiles(params, OPTIONS, apply_attributes).set_attributes() is True
    assert applied == [('cert.pem', None), ('key.pem', SECRET_MODE)]
    # A file that does not exist (yet) has no attributes to set; without the function nothing is set.
    os.unlink(str(tmp_path / 'key.pem'))
    assert PemFiles(params, OPTIONS, apply_attributes).set_attributes() is False
    assert PemFiles(params, OPTIONS).set_attributes() is False
