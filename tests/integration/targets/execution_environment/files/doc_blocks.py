# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write the YAML blocks of a Markdown guide that start with ``# <file name>`` into numbered folders,
so that the test runs exactly what the guide shows.

Usage: doc_blocks.py GUIDE.md OUTDIR  ->  OUTDIR/1/execution-environment.yml, OUTDIR/1/requirements.yml, OUTDIR/2/...
A new folder starts at each execution-environment.yml.
"""

from __future__ import annotations

import os
import re
import sys

BLOCK = re.compile(r'```yaml\n# ([\w.-]+\.yml)\n(.*?)```', re.DOTALL)


def main(guide, outdir):
    with open(guide) as handle:
        text = handle.read()
    folder = 0
    for name, body in BLOCK.findall(text):
        if name == 'execution-environment.yml':
            folder += 1
        target = os.path.join(outdir, str(folder))
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, name), 'w') as handle:
            handle.write(body)
        print(os.path.join(target, name))
    return 0 if folder else 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
