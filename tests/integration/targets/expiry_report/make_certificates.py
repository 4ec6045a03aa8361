# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Leaf certificates (with their CA, leaf first) that expire in a known number of days and a half:
``expires-<N>.fullchain.pem`` and ``expires-<N>.key`` for each N given."""

from __future__ import annotations

import os
import sys

from cloudemu import certs


def main(outdir, *days):
    ca, ca_key = certs.make_ca()
    for count in days:
        # Valid since 30 days ago, for 30 + N and a half days: N and a half days are left (N may be negative).
        leaf, key = certs.make_leaf(ca, ca_key, ['expires-%s.example.com' % count], not_before_days=-30,
                                    days=30 + int(count) + 0.5)
        with open(os.path.join(outdir, 'expires-%s.fullchain.pem' % count), 'w') as handle:
            handle.write(certs.cert_pem(leaf) + certs.cert_pem(ca))
        path = os.path.join(outdir, 'expires-%s.key' % count)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
            handle.write(certs.key_pem(key))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
