# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/gm-certificates.md works as written: its commands, run with the system's OpenSSL 3, make a GM set
that the collection's own checks and the emulated gateway accept, its example tasks are valid for their
modules, and what its pitfalls show is what OpenSSL and the collection do.

The guide's conventions, which this test relies on: every ``sh`` block is run, in order, in one empty
directory (as a reader would run them in one terminal); a ``console`` block is a transcript, ``$ `` lines
are commands run in that directory after the ``sh`` blocks, and each other line is output that must
appear, in order, in what those commands print; ``yaml`` blocks are example tasks.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import stat
import subprocess

import pytest
import yaml

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient, huaweicloud_argument_spec
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import connection_argument_spec
from ansible_collections.certfleet.cloud.plugins.module_utils.vpn import (
    ARGUMENT_SPEC as VPN_SPEC, VpnGatewayCertificate, VpnGatewayCertificateApi,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import PrivateKey, load_certificates
from ansible_collections.certfleet.cloud.plugins.modules import certificate_check

# The collection root: ansible-test runs the units from it, and the guide ships with the collection.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GUIDE = os.path.join(ROOT, 'docs', 'gm-certificates.md')
FENCE = re.compile(r'^```([\w-]*)\n(.*?)^```[ \t]*$', re.MULTILINE | re.DOTALL)
FILE_LOOKUP = re.compile(r"""^\{\{\s*lookup\('file',\s*'([^']+)'\)\s*\}\}$""")
COMMAND_TIMEOUT = 120
GM_FILES = ('gm-root.pem', 'gm-ca.pem', 'gm-sign.pem', 'gm-sign.key', 'gm-enc.pem', 'gm-enc.key', 'gm-chain.pem')


def guide_text():
    with open(GUIDE) as handle:
        return handle.read()


def blocks(language):
    return [text for found, text in FENCE.findall(guide_text()) if found == language]


def task_using(module):
    """The guide's example task for ``module``, and its arguments."""
    tasks = [task for text in blocks('yaml') for task in yaml.safe_load(text) if module in task]
    assert len(tasks) == 1, 'the guide has %d example tasks for %s' % (len(tasks), module)
    return tasks[0][module]


def with_files(arguments, directory):
    """The task's arguments with each ``lookup('file', NAME)`` read from ``directory``, as the lookup would."""
    resolved = {}
    for option, value in arguments.items():
        found = FILE_LOOKUP.match(value) if isinstance(value, str) else None
        if found:
            with open(os.path.join(str(directory), found.group(1))) as handle:
                # The file lookup strips the trailing newline.
                value = handle.read().rstrip('\n')
        resolved[option] = value
    return resolved


def run(command, directory):
    return subprocess.run(['bash', '-euo', 'pipefail', '-c', command], cwd=str(directory), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=COMMAND_TIMEOUT, check=False)


def require_gm_openssl():
    """The guide is for OpenSSL 3 with SM2 and SM3; anything else fails here, saying what is missing."""
    try:
        version = subprocess.run(['openssl', 'version'], stdout=subprocess.PIPE, universal_newlines=True,
                                 check=False).stdout.strip()
    except OSError as error:
        pytest.fail('the GM guide needs the openssl command (OpenSSL 3): %s' % error)
    if not re.match(r'^OpenSSL ([3-9]|\d\d)\.', version):
        pytest.fail('the GM guide needs OpenSSL 3 or later; openssl version says %r' % version)
    for kind, name in (('-public-key-algorithms', 'SM2'), ('-digest-algorithms', 'SM3')):
        listed = subprocess.run(['openssl', 'list', kind], stdout=subprocess.PIPE, universal_newlines=True,
                                check=False).stdout
        if name not in listed.upper():
            pytest.fail('%s (%s) has no %s: the GM guide cannot be followed with it' % (version, kind, name))


@pytest.fixture(scope='module')
def made(tmp_path_factory):
    """The directory in which every ``sh`` block of the guide was run, in order."""
    require_gm_openssl()
    directory = tmp_path_factory.mktemp('gm-guide')
    commands = blocks('sh')
    assert len(commands) >= 7, 'the guide has %d sh blocks; expected its steps' % len(commands)
    for number, command in enumerate(commands, 1):
        done = run(command, directory)
        assert done.returncode == 0, 'sh block %d of %s failed (exit %d):\n%s\n--- output ---\n%s' % (
            number, GUIDE, done.returncode, command, done.stdout)
    return directory


def gm_params(made):
    return with_files(task_using('certfleet.cloud.vpn_gateway_certificate'), made)


def test_the_commands_make_a_set_the_collections_gm_checks_accept(made):
    for name in GM_FILES:
        assert os.path.isfile(str(made / name)), '%s was not made' % name
    params = gm_params(made)
    desired = VpnGatewayCertificate(with_defaults(VPN_SPEC, dict(
        (option, value) for option, value in params.items() if option in VPN_SPEC)), api=None).validate()
    sign, enc, chain = desired.sign.leaf, desired.enc.leaf, desired.chain.certificates
    # SM2 with SM3 throughout, each link verified by the collection's own SM2 code with the default ID.
    assert [certificate.is_sm2 for certificate in [sign, enc] + chain] == [True] * 4
    assert sign.is_issued_by(chain[0]) and enc.is_issued_by(chain[0]) and chain[0].is_issued_by(chain[1])
    assert chain[1].is_issued_by(chain[1]), 'the root is self-signed with the default SM2 ID'
    assert [certificate.common_name for certificate in chain] == ['Example GM Test Issuing CA', 'Example GM Test Root CA']
    # The signature and encryption usages, not the other way round; two certificates, one subject.
    assert sign.allows_key_usage(('digital_signature',)) and not sign.allows_key_usage(('key_encipherment',))
    assert enc.allows_key_usage(('key_encipherment', 'data_encipherment', 'key_agreement'))
    assert not enc.allows_key_usage(('digital_signature',))
    assert sign.subject == enc.subject and sign.serial_hex != enc.serial_hex


def test_the_keys_are_pkcs8_and_readable_by_their_owner_only(made):
    for name in ('gm-root.key', 'gm-ca.key', 'gm-sign.key', 'gm-enc.key'):
        key = PrivateKey((made / name).read_text(), name)
        assert key.label == 'PRIVATE KEY' and key.is_sm2
        assert stat.S_IMODE(os.stat(str(made / name)).st_mode) == 0o600


def test_the_check_task_accepts_the_set(made):
    arguments = task_using('certfleet.cloud.certificate_check')
    assert arguments['services'] == ['vpn']

    class Module:
        params = dict(dict(enc_certificate=None, enc_private_key=None, certificate_chain=None, allow_expired=False),
                      **with_files(arguments, made))

    result = certificate_check.check(Module)
    assert result['summary']['subject'] == 'CN=vpn.example.com,OU=VPN,O=Example,L=Haidian,ST=Beijing,C=CN'
    assert [item['subject'].split(',')[0] for item in result['chain']] \
        == ['CN=Example GM Test Issuing CA', 'CN=Example GM Test Root CA']


def test_the_import_task_is_accepted_by_the_emulated_gateway(made, emulator):
    # The seed the guide gives for trying the task against the emulator.
    seed = re.search(r'`POST /_emulator/seed` with `(\{.*?\})`', guide_text().replace('\n', ' '))
    assert seed, 'the guide gives no emulator seed for its gateway'
    emulator.admin('POST', 'seed', json.loads(seed.group(1)))
    params = gm_params(made)
    connection = set(huaweicloud_argument_spec()) | set(connection_argument_spec())
    unknown = set(params) - set(VPN_SPEC) - connection
    assert not unknown, 'the example task has options vpn_gateway_certificate does not take: %s' % sorted(unknown)
    client = HuaweiCloudClient(emulator.params(), 'vpn')
    options = with_defaults(VPN_SPEC, dict((option, value) for option, value in params.items() if option in VPN_SPEC))
    # The emulated gateway checks the set with the OpenSSL command line (cloudemu/gm.py), apart from the collection.
    imported = reconcile(VpnGatewayCertificate(options, VpnGatewayCertificateApi(client), False), 'present')
    assert imported['changed'] and imported['certificate']['status'] == 'BOUND'
    sign = load_certificates((made / 'gm-sign.pem').read_text(), 'certificate')[0]
    assert imported['certificate']['certificate_serial_number'] == str(sign.x509.serial_number)
    assert 'PRIVATE KEY' not in json.dumps(imported)
    again = reconcile(VpnGatewayCertificate(options, VpnGatewayCertificateApi(client), False), 'present')
    assert not again['changed']


def console_steps():
    """``(command, [expected output lines])`` of every ``console`` block, in order."""
    steps = []
    for text in blocks('console'):
        for line in text.splitlines():
            if line.startswith('$ '):
                steps.append((line[2:], []))
            elif line.strip():
                assert steps, 'a console block starts with output: %r' % line
                steps[-1][1].append(line.strip())
    return steps


def test_what_the_pitfalls_show_is_what_openssl_and_the_collection_do(made):
    steps = console_steps()
    assert steps, 'the guide shows no transcript'
    for command, expected in steps:
        output = run(command, made).stdout.splitlines()
        position = 0
        for line in expected:
            found = [index for index in range(position, len(output)) if line in output[index]]
            assert found, '%r does not print %r; it printed:\n%s' % (command, line, '\n'.join(output))
            position = found[0] + 1
    # A certificate signed without the default SM2 ID is refused, with the message the guide quotes.
    params = dict(gm_params(made), certificate=(made / 'no-distid.pem').read_text(),
                  private_key=(made / 'no-distid.key').read_text())
    with pytest.raises(InputError) as refused:
        VpnGatewayCertificate(with_defaults(VPN_SPEC, dict(
            (option, value) for option, value in params.items() if option in VPN_SPEC)), api=None).validate()
    assert 'certificate: is not issued by the first certificate of certificate_chain' in str(refused.value)
    assert '`certificate: is not issued by the first certificate of certificate_chain`' in guide_text()


@pytest.mark.parametrize('change, field, reason', [
    (dict(certificate='gm-enc.pem', private_key='gm-enc.key', enc_certificate='gm-sign.pem', enc_private_key='gm-sign.key'),
     'certificate', 'is it the encryption certificate?'),
    (dict(certificate_chain='gm-root.pem'), 'certificate', 'is not issued by the first certificate of certificate_chain'),
])
def test_the_mistakes_the_pitfalls_name_are_refused_before_any_request(made, change, field, reason):
    params = gm_params(made)
    params.update((option, (made / name).read_text()) for option, name in change.items())
    with pytest.raises(InputError) as refused:
        VpnGatewayCertificate(with_defaults(VPN_SPEC, dict(
            (option, value) for option, value in params.items() if option in VPN_SPEC)), api=None).validate()
    assert refused.value.field == field and reason in refused.value.reason


def test_an_encrypted_key_is_refused_as_the_guide_says(made):
    encrypted = run('openssl pkey -in gm-sign.key -aes256 -passout pass:guide-test', made)
    assert encrypted.returncode == 0 and 'ENCRYPTED PRIVATE KEY' in encrypted.stdout
    with pytest.raises(InputError) as refused:
        PrivateKey(encrypted.stdout, 'private_key')
    assert 'encrypted private keys are not supported' in refused.value.reason
    assert 'the module refuses an encrypted key before any request' in guide_text()


def test_the_guide_ships_with_the_collection():
    # ansible-galaxy collection build leaves out what build_ignore matches; the guide must not be.
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        ignored = yaml.safe_load(handle).get('build_ignore') or []
    relative = os.path.relpath(GUIDE, ROOT)
    assert os.path.isfile(GUIDE)
    assert not [pattern for pattern in ignored
                if fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern.rstrip('/') + '/')]
