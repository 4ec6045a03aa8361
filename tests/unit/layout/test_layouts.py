# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""`make docs` (and the other targets) find the collection in both layouts a checkout comes in: a
plain clone (linked under build/collections) and a clone already at
.../ansible_collections/certfleet/cloud (used where it is: ansible-core lists no role of a
collection whose path holds ansible_collections twice)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def planned(checkout, target):
    """The commands `make -n target` would run in ``checkout`` (a copy of the Makefile and what it reads)."""
    os.makedirs(os.path.join(checkout, 'tests'), exist_ok=True)
    for name in ('Makefile', 'requirements.txt', os.path.join('tests', 'requirements.txt')):
        shutil.copy(os.path.join(ROOT, name), os.path.join(checkout, name))
    done = subprocess.run(['make', '-n', target, 'VENV=/nonexistent/venv', 'PYTHON_VERSION=3.11'], cwd=checkout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True)
    return done.stdout


def option(commands, script, name):
    line = next(line for line in commands.splitlines() if script in line)
    return re.search(r'%s (\S+)' % re.escape(name), line).group(1)


@pytest.mark.parametrize('nested', [False, True])
def test_docs_get_a_collections_path_with_one_ansible_collections(tmp_path, nested):
    checkout = str(tmp_path / ('x/ansible_collections/certfleet/cloud' if nested else 'certfleet-cloud'))
    os.makedirs(checkout)
    commands = planned(checkout, 'docs')
    collections = option(commands, 'hack/build_docs.py', '--collections')
    assert os.path.join(collections, 'ansible_collections', 'certfleet', 'cloud').count('ansible_collections') == 1
    if nested:
        assert collections == str(tmp_path / 'x')
        assert 'ln -sfn' not in commands
    else:
        assert collections == os.path.join(checkout, 'build', 'collections')
        assert 'ln -sfn %s %s/ansible_collections/certfleet/cloud' % (checkout, collections) in commands


@pytest.mark.parametrize('nested', [False, True])
def test_ansible_test_runs_in_a_path_with_one_ansible_collections(tmp_path, nested):
    checkout = str(tmp_path / ('x/ansible_collections/certfleet/cloud' if nested else 'certfleet-cloud'))
    os.makedirs(checkout)
    root = option(planned(checkout, 'test'), 'hack/run_tests.py', '--collection')
    assert root.count('ansible_collections') == 1 and root.endswith('ansible_collections/certfleet/cloud')
    assert root == checkout if nested else root.startswith(os.path.join(checkout, 'build'))
