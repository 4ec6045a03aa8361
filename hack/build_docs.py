# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build the HTML docsite into build/docs: antsibull-docs module pages plus the guides in docs/.

The Sphinx project is made fresh by ``antsibull-docs sphinx-init`` each time (nothing generated is
committed). Offline, as CI is: intersphinx is off, and the two Ansible-docs labels the module pages
refer to are given a page of their own that links out. Sphinx runs with ``-W``: any warning, such as
a broken reference, fails the build.

Usage: build_docs.py --venv VENV --collections COLLECTIONS_PATH --out build/docs
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CONF_ADDITIONS = '''
# certfleet.cloud (hack/build_docs.py): offline, with the Markdown guides.
project = 'certfleet.cloud'
title = html_short_title = 'certfleet.cloud documentation'
intersphinx_mapping = {}
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
'''

ANSIBLE_REFERENCES = '''\
Ansible's own documentation
===========================

The module pages refer to these pages of the Ansible documentation.

.. _common_return_values:

Common return values
--------------------

Every module also returns Ansible's common values (``changed``, ``failed``, ``msg``, ...):
https://docs.ansible.com/ansible/latest/reference_appendices/common_return_values.html

.. _ansible_configuration_settings:

Ansible configuration settings
------------------------------

https://docs.ansible.com/ansible/latest/reference_appendices/config.html

.. _action_plugins:

Action plugins
--------------

A module with an action plugin (``certificate_deploy``) runs part of its work on the controller:
https://docs.ansible.com/ansible/latest/plugins/action.html
'''

GUIDES_INDEX = '''\
Guides
======

.. toctree::
   :maxdepth: 1

{entries}
'''


def run(command, env, cwd=None):
    print('+ ' + ' '.join(command), flush=True)
    subprocess.run(command, env=env, cwd=cwd, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collections', required=True)
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'docs'))
    args = parser.parse_args(argv)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections),
               PATH=os.path.join(os.path.abspath(args.venv), 'bin') + os.pathsep + os.environ.get('PATH', ''))
    site = os.path.join(ROOT, 'build', 'docsite')
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(site)
    run(['antsibull-docs', 'sphinx-init', '--use-current', '--dest-dir', site, 'certfleet.cloud'], env)
    with open(os.path.join(site, 'conf.py'), 'a') as handle:
        handle.write(CONF_ADDITIONS)
    rst = os.path.join(site, 'rst')
    os.makedirs(rst, exist_ok=True)
    os.chmod(rst, 0o755)
    run(['antsibull-docs', '--config-file', 'antsibull-docs.cfg', 'collection', '--cleanup', 'everything',
         '--use-current', '--dest-dir', 'rst', 'certfleet.cloud'], env, cwd=site)

    role_page = os.path.join(rst, 'collections', 'certfleet', 'cloud', 'certificate_rotation_role.rst')
    if not os.path.exists(role_page):
        # ansible-core lists no role of a collection whose path has ansible_collections in it twice.
        sys.exit('the role page was not generated: ansible-doc -t role -l certfleet.cloud finds no role under '
                 'ANSIBLE_COLLECTIONS_PATH=%s; a collections path must not itself lie under an ansible_collections '
                 'folder' % env['ANSIBLE_COLLECTIONS_PATH'])
    guides = os.path.join(rst, 'guides')
    os.makedirs(guides)
    names = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md'))):
        shutil.copy(path, guides)
        names.append(os.path.splitext(os.path.basename(path))[0])
    with open(os.path.join(guides, 'index.rst'), 'w') as handle:
        handle.write(GUIDES_INDEX.format(entries='\n'.join('   ' + name for name in names)))
    with open(os.path.join(rst, 'ansible_references.rst'), 'w') as handle:
        handle.write(ANSIBLE_REFERENCES)
    with open(os.path.join(rst, 'index.rst'), 'a') as handle:
        handle.write('\n.. toctree::\n   :maxdepth: 1\n   :caption: Guides:\n\n   guides/index\n'
                     '   ansible_references\n')

    shutil.rmtree(args.out, ignore_errors=True)
    run(['sphinx-build', '-b', 'html', '-W', '--keep-going', '-q', '-c', site, rst, args.out], env)
    pages = len(glob.glob(os.path.join(args.out, '**', '*.html'), recursive=True))
    print('docsite: %d pages in %s' % (pages, args.out), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
