# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time of the pure-Python SM2 work a GM certificate costs: a key check and a chain signature check.

``python benchmarks/sm2.py`` (needs ``openssl`` 3 and the collection on ``build/collections``, as
``make bench`` sets up). Prints the median over N runs; nothing here fails on time.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'build', 'collections'))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'emulator'))

from cloudemu import certs  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.certfleet.cloud.plugins.module_utils import sm2  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (  # noqa: E402  pylint: disable=wrong-import-position
    PrivateKey, load_certificates,
)

RUNS = 50


def median_ms(action):
    times = []
    for dummy in range(RUNS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    with tempfile.TemporaryDirectory():
        files = certs.gm_set()
    leaf = load_certificates(files['gm-sign.pem'], 'certificate')[0]
    ca = load_certificates(files['gm-ca.pem'], 'certificate_chain')[0]
    key_text = files['gm-sign.key']
    rows = [
        ('SM3 of 1 KiB', median_ms(lambda: sm2.sm3(b'x' * 1024))),
        ('key check: parse the key, derive its point, compare with the certificate',
         median_ms(lambda: PrivateKey(key_text, 'private_key').matches(leaf))),
        ('chain check: SM2-with-SM3 signature of the leaf by the CA', median_ms(lambda: leaf.is_issued_by(ca))),
    ]
    print('| operation | median ms (%d runs, Python %d.%d) |' % ((RUNS,) + sys.version_info[:2]))
    print('|---|---|')
    for label, value in rows:
        print('| %s | %.2f |' % (label, value))
    return 0


if __name__ == '__main__':
    sys.exit(main())
