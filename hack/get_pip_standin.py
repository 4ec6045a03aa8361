# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-in for ansible-test's pip bootstrap script (get-pip.py) on machines without a route to
ci-files.testing.ansible.com.

ansible-test runs the cached script as ``python get_pip.py [--disable-pip-version-check] pip==X
[--no-setuptools] [--no-wheel]`` in a new virtual environment, with ``PIP_CONFIG_FILE=/dev/null``.
This installs the bundled pip with ensurepip, then the requested pip from the package index,
verifying TLS against the system CA file (the stripped environment has no pip configuration).
``make`` copies it to ``~/.ansible/test/cache/get_pip_<version>.py`` only where none is cached.
"""

from __future__ import annotations

import ensurepip
import os
import ssl
import subprocess
import sys

IGNORED = ('--no-setuptools', '--no-wheel')


def main(argv):
    ensurepip.bootstrap()
    command = [sys.executable, '-m', 'pip', 'install']
    cafile = ssl.get_default_verify_paths().openssl_cafile
    if cafile and os.path.exists(cafile):
        command += ['--cert', cafile]
    command += [arg for arg in argv if arg not in IGNORED]
    return subprocess.call(command)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
