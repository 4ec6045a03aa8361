# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module-level fixtures: a stand-in for the module object, built from a module's real argument spec."""

from __future__ import annotations

import contextlib
import json

import pytest

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # before ansible-core 2.19
    module_utils_internal = None
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.parameters import PASS_VARS
from ansible.module_utils.testing import patch_module_args

from ansible_collections.certfleet.cloud.plugins.module_utils.state import with_defaults

# What the controller sends at -vvvv. ansible-core 2.21 echoes ``invocation`` only when asked to
# (``inject_invocation``); older releases always do and do not know the flag.
VERBOSE_ARGS = dict(_ansible_verbosity=4)
if 'inject_invocation' in PASS_VARS:
    VERBOSE_ARGS['_ansible_inject_invocation'] = True


class FakeModule:
    """What an _info module's listing reads of its module: params (with the spec's defaults), check_mode, client."""

    def __init__(self, argument_spec, check_mode=False, client=None, **params):
        unknown = set(params) - set(argument_spec)
        assert not unknown, 'not options of the module: %s' % sorted(unknown)
        self.params = with_defaults(argument_spec, params)
        self.check_mode = check_mode
        self.client = client


@pytest.fixture
def fake_module():
    return FakeModule


@contextlib.contextmanager
def as_module_process():
    internal = getattr(module_utils_internal, 'is_controller', None)
    if internal is None:  # ansible-core before 2.19 has no such switch
        yield
        return
    module_utils_internal.is_controller = False
    try:
        yield
    finally:
        module_utils_internal.is_controller = internal


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with ``args``; return its JSON result (exit_json and fail_json alike)."""

    def run(module, args):
        # A module process starts with no warnings and is not the controller; in one test process,
        # warnings would pile up run after run, and once a test has imported controller code (the
        # filter plugins), ansible-core 2.19 would print them instead of returning them.
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        with patch_module_args(dict(args, **VERBOSE_ARGS)), as_module_process():
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)

    return run
