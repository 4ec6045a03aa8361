# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fail if any secret (a PEM key file's base64 lines, or a literal) appears in a log.

Each key is searched for in 16-character windows of its base64 body, so a reformatted,
re-wrapped or partially printed key is still found. Windows that also occur in public material
(the certificates given with --public: an algorithm identifier is shared by key and certificate)
prove nothing and are left out.
"""

from __future__ import annotations

import argparse
import re
import sys


def base64_body(path):
    with open(path) as handle:
        return ''.join(line.strip() for line in handle if not line.startswith('-----'))


def fragments_of_key(path, public_text):
    body = base64_body(path)
    fragments = [body[i:i + 16] for i in range(0, len(body) - 16, 16)]
    return [fragment for fragment in fragments if fragment not in public_text]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('log')
    parser.add_argument('keys', nargs='*')
    parser.add_argument('--literal', action='append', default=[])
    parser.add_argument('--public', action='append', default=[], help='a certificate file (not secret)')
    args = parser.parse_args()
    public_text = '\n'.join(base64_body(path) for path in args.public)
    with open(args.log, errors='replace') as handle:
        text = handle.read()
    # JSON output escapes "/" and wraps nothing; also search with all whitespace and escapes removed.
    flat = re.sub(r'\\[nr]|\s|\\', '', text)
    leaks = []
    for path in args.keys:
        fragments = fragments_of_key(path, public_text)
        if len(fragments) < 3:
            leaks.append('%s: too few secret fragments to search for' % path)
        found = [fragment for fragment in fragments if fragment in text or fragment in flat]
        if found:
            leaks.append('%s: %d fragment(s) of the key appear' % (path, len(found)))
    for literal in args.literal:
        if literal in text or literal in flat:
            leaks.append('a secret literal (%d characters) appears' % len(literal))
    if len(text) < 1000:
        leaks.append('the log is suspiciously short (%d bytes): did the playbook run?' % len(text))
    for leak in leaks:
        print('SECRET LEAK: ' + leak)
    if not leaks:
        print('no secret found in %d bytes of -vvvv output' % len(text))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main())
