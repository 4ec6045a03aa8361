# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run sanity, units and integration with ansible-test, then the documentation checks, in that order,
and print one summary line.

Counts: each sanity test, each unit test (from ansible-test's JUnit output), each integration target
and each documentation check (antsibull-changelog lint, the changelog rendered from changelog.yaml
equal to CHANGELOG.md, antsibull-docs lint, the docsite build) is one result. Any failure makes the
exit status non-zero.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

STAGES = ('sanity', 'units', 'integration', 'docs')


def run(command, cwd, env):
    print('+ ' + ' '.join(command), flush=True)
    return subprocess.call(command, cwd=cwd, env=env)


# ansible-test resolves symlinks to the physical path (also when it delegates to its venv), so the
# collection must really live under ansible_collections/: it is copied, without build output.
SKIP_TOP = ('.git', 'build', '.hypothesis')


def sync_tree(source, destination):
    source = os.path.abspath(source)
    destination = os.path.abspath(destination)
    if source == destination:
        # A checkout already at ansible_collections/certfleet/cloud is tested where it is.
        return destination
    if os.path.islink(destination):
        os.unlink(destination)
    os.makedirs(destination, exist_ok=True)
    for entry in os.listdir(destination):
        if entry not in ('tests', '.git'):
            remove(os.path.join(destination, entry))
    tests = os.path.join(destination, 'tests')
    if os.path.isdir(tests):
        for entry in os.listdir(tests):
            if entry != 'output':
                remove(os.path.join(tests, entry))

    def ignore(directory, names):
        skipped = {'__pycache__', '.pytest_cache'}
        if os.path.abspath(directory) == source:
            skipped.update(SKIP_TOP)
        if os.path.abspath(directory) == os.path.join(source, 'tests'):
            skipped.add('output')
        return [name for name in names if name in skipped]

    shutil.copytree(source, destination, ignore=ignore, dirs_exist_ok=True, symlinks=True)
    # A repository of its own: ansible-test lists a collection's files with git, and the copy sits in
    # the checkout's ignored build folder.
    if not os.path.isdir(os.path.join(destination, '.git')):
        subprocess.check_call(['git', 'init', '-q', destination])
    return destination


def ensure_pip_bootstrap(venv):
    """Cache the get-pip stand-in under the name this ansible-test looks for, unless one is there.

    ansible-test downloads its pip bootstrap script from a host these machines cannot reach; the
    pinned pip version (hence the file name) changes with ansible-core releases.
    """
    found = glob.glob(os.path.join(venv, 'lib', 'python*', 'site-packages', 'ansible_test', '_internal',
                                   'python_requirements.py'))
    if not found:
        raise SystemExit('ansible-test is not installed in %s' % venv)
    with open(found[0]) as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        raise SystemExit('cannot tell which pip %s bootstraps; see hack/get_pip_standin.py' % found[0])
    cache = os.path.join(os.path.expanduser('~'), '.ansible', 'test', 'cache')
    target = os.path.join(cache, 'get_pip_%s.py' % match.group(1).replace('.', '_'))
    if not os.path.exists(target):
        os.makedirs(cache, exist_ok=True)
        shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_standin.py'), target)
        print('placed the pip bootstrap stand-in at %s' % target, flush=True)


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def junit_counts(paths):
    passed = failed = 0
    for path in paths:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
        for suite in suites:
            for case in suite.findall('testcase'):
                if case.find('failure') is not None or case.find('error') is not None:
                    failed += 1
                elif case.find('skipped') is None:
                    passed += 1
    return passed, failed


def documentation_checks(cwd, args):
    """``[(name, command)]``, each run in the copy of the collection."""
    python = os.path.join(os.path.abspath(args.venv), 'bin', 'python')
    collections = os.path.dirname(os.path.dirname(os.path.dirname(cwd)))
    rendered = os.path.join(cwd, 'tests', 'output', 'CHANGELOG.md')
    return [
        ('changelog lint', ['antsibull-changelog', 'lint']),
        ('changelog.yaml', ['antsibull-changelog', 'lint-changelog-yaml', 'changelogs/changelog.yaml']),
        ('CHANGELOG.md is current', ['sh', '-c', 'antsibull-changelog generate --output "%s" --output-format md && '
                                     'diff -u CHANGELOG.md "%s"' % (rendered, rendered)]),
        ('antsibull-docs lint', ['antsibull-docs', 'lint-collection-docs', '--plugin-docs', '.']),
        ('docsite', [python, os.path.join(cwd, 'hack', 'build_docs.py'), '--venv', args.venv, '--collections',
                     collections, '--out', os.path.join(cwd, 'tests', 'output', 'docs')]),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--venv', required=True)
    parser.add_argument('--collection', required=True,
                        help='where to lay out ansible_collections/certfleet/cloud (a copy of --source)')
    parser.add_argument('--source', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument('--python', required=True)
    parser.add_argument('--only', default=','.join(STAGES))
    args = parser.parse_args()

    stages = [stage for stage in args.only.split(',') if stage]
    env = dict(os.environ)
    env['PATH'] = os.path.join(os.path.abspath(args.venv), 'bin') + os.pathsep + env.get('PATH', '')
    env.pop('PYTHONPATH', None)
    ansible_test = [os.path.join(os.path.abspath(args.venv), 'bin', 'ansible-test')]
    ensure_pip_bootstrap(os.path.abspath(args.venv))
    cwd = sync_tree(args.source, args.collection)
    junit_dir = os.path.join(cwd, 'tests', 'output', 'junit')
    totals = {'passed': 0, 'failed': 0}
    started = time.time()

    def record(name, passed, failed):
        totals['passed'] += passed
        totals['failed'] += failed
        print('== %s: %d passed, %d failed' % (name, passed, failed), flush=True)

    if 'sanity' in stages:
        shutil.rmtree(junit_dir, ignore_errors=True)
        rc = run(ansible_test + ['sanity', '--venv', '--python', args.python, '--junit', '--color', 'no'], cwd, env)
        passed, failed = junit_counts(glob.glob(os.path.join(junit_dir, '*.xml')))
        if rc != 0 and failed == 0:
            failed = 1
        record('sanity', passed, failed)

    if 'units' in stages:
        shutil.rmtree(junit_dir, ignore_errors=True)
        rc = run(ansible_test + ['units', '--venv', '--python', args.python, '--requirements', '--color', 'no'],
                 cwd, env)
        passed, failed = junit_counts(glob.glob(os.path.join(junit_dir, '*units*.xml')))
        if rc != 0 and failed == 0:
            failed = 1
        record('units', passed, failed)

    if 'integration' in stages:
        targets_dir = os.path.join(cwd, 'tests', 'integration', 'targets')
        passed = failed = 0
        for target in sorted(os.listdir(targets_dir)):
            if target.startswith('setup_') or not os.path.isdir(os.path.join(targets_dir, target)):
                continue
            rc = run(ansible_test + ['integration', '--venv', '--python', args.python, '--requirements',
                                     '--color', 'no', target], cwd, env)
            if rc == 0:
                passed += 1
            else:
                failed += 1
                print('== integration target %s FAILED' % target, flush=True)
        record('integration', passed, failed)

    if 'docs' in stages:
        passed = failed = 0
        for name, command in documentation_checks(cwd, args):
            if run(command, cwd, env) == 0:
                passed += 1
            else:
                failed += 1
                print('== docs check %s FAILED' % name, flush=True)
        record('docs', passed, failed)

    print('took %.0fs' % (time.time() - started))
    print('%d passed, %d failed' % (totals['passed'], totals['failed']))
    return 1 if totals['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
