# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a client really gets: a TLS handshake to ``host:port`` and the served leaf compared with the
deployed one by SHA-256 fingerprint.

A service's answer says what it stores; a probe says what it serves (a listener that uses another
certificate, a CDN edge that has not switched yet, a proxy in front). ``certificate_deploy`` probes a
target after it was deployed and verified, in the target's own thread: nothing here is shared between
calls, and nothing needs ``AnsibleModule``.

The handshake is the standard library's ``ssl`` (``cryptography`` has no TLS client, and community.crypto's
``get_certificate`` uses ``ssl`` for the same reason); the served leaf is summarised with ``x509`` like
every other certificate of the collection. GM gateways speak TLCP (GB/T 38636), which ``ssl`` cannot:
they are refused before anything is sent (``check_service``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import ipaddress
import socket
import ssl
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import NOT_YET, wait_until
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import Certificate

# The options of one probe, as certificate_deploy's ``targets[].probes`` and the role declare them.
PROBE_OPTIONS = dict(
    host=dict(type='str', required=True),
    port=dict(type='int', default=443),
    server_name=dict(type='str'),
    timeout=dict(type='float', default=10.0),
    retries=dict(type='int', default=3),
    delay=dict(type='float', default=5.0),
)
# Services whose endpoints no standard TLS client can handshake with, and why.
UNPROBEABLE = {
    'vpn': 'a GM VPN gateway speaks TLCP (GB/T 38636, SM2 certificate pairs and SM4 cipher suites), which standard '
           'TLS clients such as Python\'s ssl cannot handshake with; check it with a TLCP client (Tongsuo, say)',
}

Probe = collections.namedtuple('Probe', ['host', 'port', 'server_name', 'timeout', 'retries', 'delay'])


def check_service(service, probes, field='probes'):
    """Refuse probes for a service that cannot be probed (InputError naming ``field``)."""
    if probes and service in UNPROBEABLE:
        raise InputError(field, 'cannot be used on a %s target: %s' % (service, UNPROBEABLE[service]))


def parse_probes(given, field='probes'):
    """``given`` (a list of dicts, or None) as ``Probe`` values, defaults filled in and types converted as
    AnsibleModule would; InputError naming ``field[index].option`` for a bad one. Sends nothing."""
    if not given:
        return ()
    if not isinstance(given, (list, tuple)):
        raise InputError(field, 'must be a list of probes ({host, port, server_name, ...}), not %s' % type(given).__name__)
    probes = []
    for index, item in enumerate(given):
        where = '%s[%d]' % (field, index)
        if not isinstance(item, dict):
            raise InputError(where, 'must be a dict with host and port, not %s' % type(item).__name__)
        result = ArgumentSpecValidator(PROBE_OPTIONS).validate(dict((k, v) for k, v in item.items() if v is not None))
        if result.error_messages:
            raise InputError(where, '; '.join(result.error_messages))
        params = result.validated_parameters
        host = (params['host'] or '').strip()
        if not host:
            raise InputError(where + '.host', 'is empty; give the address clients connect to')
        if not 1 <= params['port'] <= 65535:
            raise InputError(where + '.port', 'is %d; a TCP port from 1 to 65535' % params['port'])
        if not params['timeout'] > 0:
            raise InputError(where + '.timeout', 'must be more than 0 seconds')
        if params['retries'] < 0:
            raise InputError(where + '.retries', 'must be 0 or more')
        if params['delay'] < 0:
            raise InputError(where + '.delay', 'must be 0 or more seconds')
        probes.append(Probe(host, params['port'], params['server_name'] or None, params['timeout'], params['retries'],
                            params['delay']))
    return tuple(probes)


def sent_server_name(probe):
    """The SNI a probe sends: ``server_name``, else the host unless it is an IP address (RFC 6066 allows
    names only, and ssl leaves an address out)."""
    if probe.server_name:
        return probe.server_name
    try:
        ipaddress.ip_address(probe.host.strip('[]'))
    except ValueError:
        return probe.host
    return None


def served_leaf(host, port, server_name, timeout):
    """The DER of the leaf ``host:port`` serves to a client that sends ``server_name`` as SNI.

    The certificate is not verified: the question is which certificate is served, and the answer is
    its fingerprint, which is stricter than any chain check (a trusted but outdated certificate passes
    a chain check, a private CA's or a self-signed one fails it, yet each is exactly what was deployed
    or not). ``timeout`` bounds the connection and each step of the handshake; it is the socket's own,
    never ``socket.setdefaulttimeout``, which would change every thread's sockets.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as connection:
        with context.wrap_socket(connection, server_hostname=server_name) as tls:
            return tls.getpeercert(binary_form=True)


def describe_error(error):
    """A short reason for a failed handshake, without a traceback."""
    if isinstance(error, socket.timeout):
        return 'timed out'
    if isinstance(error, ssl.SSLError):
        return 'TLS handshake failed: %s' % (error.reason or error)
    if isinstance(error, socket.gaierror):
        return 'cannot resolve the host: %s' % (error.strerror or error)
    if isinstance(error, OSError):
        return 'cannot connect: %s' % (error.strerror or error)
    return '%s: %s' % (type(error).__name__, error)


def run_probe(probe, expected_fingerprint, handshake=None, sleep=None):
    """Probe until the expected leaf is served or ``retries`` more attempts, ``delay`` seconds apart, have
    been made (a load balancer or a CDN edge may take a while to switch). Never raises for the endpoint's
    sake: the outcome is a result entry with ``matches`` and, when it does not, ``served`` or ``error``."""
    handshake = handshake or served_leaf
    server_name = sent_server_name(probe)
    result = dict(host=probe.host, port=probe.port, server_name=server_name, matches=False, served=None,
                  error=None, attempts=0)
    expected = (expected_fingerprint or '').lower()

    def attempt():
        result['attempts'] += 1
        try:
            der = handshake(probe.host, probe.port, server_name, probe.timeout)
        except Exception as error:  # pylint: disable=broad-except
            # Whatever the endpoint does, the probe reports it; the deployment's other targets go on.
            result.update(served=None, error=describe_error(error))
        else:
            if not der:
                result.update(served=None, error='the endpoint sent no certificate')
                return result if result['attempts'] > probe.retries else NOT_YET
            try:
                result.update(served=Certificate(der, 'probes').summary(), error=None)
            except (InputError, ValueError) as error:
                result.update(served=None, error='the served certificate does not parse: %s' % error)
            else:
                result['matches'] = bool(expected) and result['served']['sha256_fingerprint'] == expected
        if result['matches'] or result['attempts'] > probe.retries:
            return result
        return NOT_YET

    # The number of attempts bounds the wait, so the timeout of wait_until is never what stops it.
    wait_until(attempt, float('inf'), lambda attempts: probe.delay, sleep=sleep or time.sleep)
    return result


def failure_text(result, expected):
    """Why a probe did not show the deployed certificate: what it served, or why it could not tell."""
    where = '%s:%s' % (result['host'], result['port'])
    if result['server_name']:
        where += ' (SNI %s)' % result['server_name']
    attempts = '%d attempt%s' % (result['attempts'], '' if result['attempts'] == 1 else 's')
    if result['served'] is not None:
        served = result['served']
        return ('probe %s serves serial %s (%s, sha256 %s, expires %s), not the deployed serial %s; %s'
                % (where, served.get('serial'), served.get('subject'), served.get('sha256_fingerprint'),
                   served.get('not_after'), (expected or {}).get('serial', '-'), attempts))
    return 'probe %s: %s; %s' % (where, result['error'], attempts)
