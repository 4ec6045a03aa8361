# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""An ELB listener seeded with ``tls_port`` serves its certificate over TLS and follows its updates."""

from __future__ import annotations

import hashlib
import socket
import ssl
import urllib.error

import pytest
from cloudemu import certs
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkelb.v3 import (
    CreateCertificateOption, CreateCertificateRequest, CreateCertificateRequestBody, ElbClient, UpdateCertificateOption,
    UpdateCertificateRequest, UpdateCertificateRequestBody,
)


def sdk_client(emulator):
    """The official SDK's client: certificates are created and updated as a user's tools do."""
    options = emulator.options
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return ElbClient.new_builder().with_credentials(
        BasicCredentials(options.access_key, options.secret_key, options.project_id)).with_http_config(config) \
        .with_endpoints([emulator.url]).build()


def create(client, pki, name):
    option = CreateCertificateOption(name=name, certificate=pki['www.example.com.fullchain.pem'],
                                     private_key=pki['www.example.com.key'])
    return client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(
        certificate=option))).certificate


def served(port, server_name=None):
    """The SHA-256 fingerprint of the leaf served on ``port``, and the HTTP answer after the handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # The test compares fingerprints; the throwaway CA is not one the client trusts.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            leaf = tls.getpeercert(binary_form=True)
            tls.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            answer = b''
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
    return hashlib.sha256(leaf).hexdigest(), answer.decode('ascii')


def fingerprint(pem_text):
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem_text.split('-----END CERTIFICATE-----')[0]
                                                   + '-----END CERTIFICATE-----\n')).hexdigest()


def seed_listener(emulator, listener_id, certificate_ids, tls_port=0):
    answer = emulator.admin('POST', 'seed', {'elb': {'listeners': [
        {'id': listener_id, 'certificate_ids': certificate_ids, 'tls_port': tls_port}]}})
    return answer['elb']['tls_ports'][listener_id]


def test_a_listener_serves_its_certificate_and_the_next_handshake_after_an_update_serves_the_new_one(emulator, pki):
    client = sdk_client(emulator)
    created = create(client, pki, name='www')
    port = seed_listener(emulator, 'lb-1', [created.id])
    assert port > 0

    leaf, answer = served(port, 'www.example.com')
    assert leaf == fingerprint(pki['www.example.com.pem'])
    assert answer.startswith('HTTP/1.1 200 OK') and answer.endswith('listener lb-1\n')

    client.update_certificate(UpdateCertificateRequest(certificate_id=created.id, body=UpdateCertificateRequestBody(
        certificate=UpdateCertificateOption(certificate=pki['www.example.com-rotated.fullchain.pem'],
                                            private_key=pki['www.example.com-rotated.key']))))
    assert served(port, 'www.example.com')[0] == fingerprint(pki['www.example.com-rotated.pem'])
    # Without SNI, the default certificate.
    assert served(port)[0] == fingerprint(pki['www.example.com-rotated.pem'])


def test_sni_picks_the_listeners_certificate_for_the_name_else_the_default(emulator, pki, tmp_path):
    ca, ca_key = certs.make_ca('sni test CA')
    other, other_key = certs.make_leaf(ca, ca_key, ['api.example.org'])
    client = sdk_client(emulator)
    default = create(client, pki, name='www')
    seeded = emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'api', 'certificate': certs.cert_pem(other) + certs.cert_pem(ca),
         'private_key': certs.key_pem(other_key)}]}})
    port = seed_listener(emulator, 'lb-sni', [default.id, seeded['elb']['certificates'][0]])

    assert served(port, 'api.example.org')[0] == fingerprint(certs.cert_pem(other))
    assert served(port, 'www.example.com')[0] == fingerprint(pki['www.example.com.pem'])
    assert served(port, 'unknown.example.net')[0] == fingerprint(pki['www.example.com.pem'])


def test_broken_clients_do_not_stop_the_listener(emulator, pki):
    created = create(sdk_client(emulator), pki, name='www')
    port = seed_listener(emulator, 'lb-1', [created.id])
    # Not TLS at all, then a client that leaves in the middle of its handshake.
    with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
        raw.sendall(b'GET / HTTP/1.0\r\n\r\n')
        try:
            answer = raw.recv(4096)
        except ConnectionResetError:
            answer = b''
        # The connection is closed (at most after a TLS alert record), never answered in plain HTTP.
        assert answer == b'' or answer.startswith(b'\x15')
    with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
        raw.sendall(b'\x16\x03\x01\x00')
    assert served(port, 'www.example.com')[0] == fingerprint(pki['www.example.com.pem'])


def test_a_listener_with_nothing_servable_refuses_the_handshake_and_keeps_listening(emulator, pki):
    client_ca = emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'client-ca', 'type': 'client', 'certificate': pki['client-ca.pem']}]}})['elb']['certificates'][0]
    port = seed_listener(emulator, 'lb-none', [client_ca, 'no-such-certificate'])
    for dummy in range(2):
        with pytest.raises((ssl.SSLError, ConnectionError)):
            served(port, 'www.example.com')
    # Giving the listener a server certificate makes it serve, on the same port.
    created = create(sdk_client(emulator), pki, name='www')
    assert seed_listener(emulator, 'lb-none', [created.id], tls_port=port) == port
    assert served(port)[0] == fingerprint(pki['www.example.com.pem'])


def test_reset_and_a_listener_seeded_without_tls_close_the_port(emulator, pki):
    created = create(sdk_client(emulator), pki, name='www')
    port = seed_listener(emulator, 'lb-1', [created.id])
    emulator.admin('POST', 'seed', {'elb': {'listeners': [{'id': 'lb-1', 'certificate_ids': [created.id]}]}})
    with pytest.raises(ConnectionRefusedError):
        served(port)

    port = seed_listener(emulator, 'lb-2', [created.id])
    assert emulator.admin('POST', 'seed', {'elb': {}})['elb']['tls_ports'] == {'lb-2': port}
    emulator.admin('POST', 'reset')
    with pytest.raises(ConnectionRefusedError):
        served(port)


@pytest.mark.parametrize('port', [-1, 65536, '443', True, 1.5])
def test_a_bad_tls_port_is_refused_naming_it(emulator, port):
    with pytest.raises(urllib.error.HTTPError) as caught:
        seed_listener(emulator, 'lb-1', [], tls_port=port)
    assert caught.value.code == 400
    assert 'tls_port' in caught.value.read().decode('utf-8')
