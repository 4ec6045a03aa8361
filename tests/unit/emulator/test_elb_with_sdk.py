# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The official SDK (huaweicloudsdkelb) works against the emulator unchanged, and is refused
where the real service would refuse it."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkelb.v3 import (
    CreateCertificateOption, CreateCertificatePrivateKeyEchoRequest, CreateCertificatePrivateKeyEchoRequestBody,
    CreateCertificateRequest, CreateCertificateRequestBody, DeleteCertificateRequest, ElbClient,
    ListCertificatesRequest, ListListenersRequest, ShowCertificatePrivateKeyEchoRequest, ShowCertificateRequest,
    ShowListenerRequest, UpdateCertificateOption, UpdateCertificateRequest, UpdateCertificateRequestBody,
    UpdateListenerOption, UpdateListenerRequest, UpdateListenerRequestBody,
)


def sdk_client(emulator, secret_key=None, project_id=True):
    credentials = BasicCredentials(emulator.options.access_key, secret_key or emulator.options.secret_key,
                                   emulator.options.project_id if project_id else None)
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    builder = ElbClient.new_builder().with_credentials(credentials).with_http_config(config)
    if project_id:
        return builder.with_endpoints([emulator.url]).build()
    # Without a project id the SDK asks IAM for the region's project: the region must be known.
    credentials.with_iam_endpoint(emulator.url)
    return builder.with_region(Region(emulator.options.region, emulator.url)).build()


def create(client, pki, **fields):
    option = CreateCertificateOption(certificate=pki['www.example.com.fullchain.pem'],
                                     private_key=pki['www.example.com.key'], **fields)
    return client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(
        certificate=option))).certificate


def test_full_lifecycle_with_the_sdk(emulator, pki):
    client = sdk_client(emulator)
    created = create(client, pki, name='web', domain='www.example.com,*.example.com', description='d')
    assert len(created.id) == 32
    assert created.common_name == 'www.example.com'
    assert created.subject_alternative_names == ['www.example.com']
    assert len(created.fingerprint) == 40
    assert created.type == 'server'
    # The private-key echo setting is on by default (the reference's ShowCertificatePrivateKeyEcho).
    echoed = created.private_key == pki['www.example.com.key']
    assert echoed

    listed = client.list_certificates(ListCertificatesRequest(name=['web'], limit=10))
    assert [c.id for c in listed.certificates] == [created.id]
    assert listed.page_info.current_count == 1

    shown = client.show_certificate(ShowCertificateRequest(certificate_id=created.id)).certificate
    assert shown.certificate == pki['www.example.com.fullchain.pem']

    updated = client.update_certificate(UpdateCertificateRequest(
        certificate_id=created.id,
        body=UpdateCertificateRequestBody(certificate=UpdateCertificateOption(name='web2', description='new'))))
    assert (updated.certificate.name, updated.certificate.description) == ('web2', 'new')

    client.delete_certificate(DeleteCertificateRequest(certificate_id=created.id))
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.show_certificate(ShowCertificateRequest(certificate_id=created.id))
    assert caught.value.status_code == 404
    assert caught.value.error_code == 'ELB.8904'

    methods = [(entry['method'], entry['status']) for entry in emulator.requests()]
    assert methods == [('POST', 201), ('GET', 200), ('GET', 200), ('PUT', 200), ('DELETE', 204), ('GET', 404)]


def test_sdk_resolves_the_project_through_emulated_iam(emulator):
    client = sdk_client(emulator, project_id=False)
    client.list_certificates(ListCertificatesRequest())
    assert [entry['path'] for entry in emulator.requests()][0] == '/v3/projects'


def test_wrong_secret_key_is_refused(emulator):
    with pytest.raises(exceptions.ClientRequestException) as caught:
        sdk_client(emulator, secret_key='not-the-secret').list_certificates(ListCertificatesRequest())
    assert caught.value.status_code == 401
    assert caught.value.error_code == 'APIGW.0301'
    assert 'verify aksk signature fail' in caught.value.error_msg


def signed_request(emulator, path, date=None, tamper=None, access_key=None):
    class Credentials:
        ak = access_key or emulator.options.access_key
        sk = emulator.options.secret_key

    host = emulator.url[len('http://'):]
    headers = {'Content-Type': 'application/json'}
    if date:
        headers['X-Sdk-Date'] = date
    request = SdkRequest(method='GET', schema='http', host=host, resource_path=path, query_params=[('limit', 5)],
                         header_params=headers, body='')
    Signer(Credentials).sign(request)
    if tamper:
        tamper(request)
    http_request = urllib.request.Request(emulator.url + request.uri, headers=request.header_params, method='GET')
    try:
        with urllib.request.urlopen(http_request) as response:  # nosec - loopback only
            return response.status, json.loads(response.read() or b'{}')
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def elb_path(emulator):
    return '/v3/%s/elb/certificates' % emulator.options.project_id


def test_untampered_signature_is_accepted(emulator):
    assert signed_request(emulator, elb_path(emulator))[0] == 200


@pytest.mark.parametrize('tamper', [
    lambda r: r.header_params.update(Authorization=r.header_params['Authorization'][:-1] + (
        '0' if r.header_params['Authorization'][-1] != '0' else '1')),
    lambda r: setattr(r, 'uri', r.uri.replace('limit=5', 'limit=6')),
    lambda r: r.header_params.update({'Content-Type': 'text/plain'}),
])
def test_tampered_requests_are_refused(emulator, tamper):
    status, body = signed_request(emulator, elb_path(emulator), tamper=tamper)
    assert status == 401
    assert body['error_code'] == 'APIGW.0301'
    assert 'verify aksk signature fail' in body['error_msg']


def test_stale_sdk_date_is_refused(emulator):
    stale = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)).strftime('%Y%m%dT%H%M%SZ')
    status, body = signed_request(emulator, elb_path(emulator), date=stale)
    assert status == 401 and 'more than 15 minutes' in body['error_msg']
    recent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=14)).strftime('%Y%m%dT%H%M%SZ')
    assert signed_request(emulator, elb_path(emulator), date=recent)[0] == 200


def test_unknown_access_key_is_refused(emulator):
    status, body = signed_request(emulator, elb_path(emulator), access_key='UNKNOWNACCESSKEY0000')
    assert status == 401 and 'ak not exist' in body['error_msg']


def test_documented_constraints_are_enforced(emulator, pki):
    client = sdk_client(emulator)
    cases = [
        dict(name='x' * 256),
        dict(type='weird'),
        dict(domain='-bad-.example.com'),
        dict(domain=','.join('d%d.example.com' % i for i in range(101))),
        dict(enc_certificate=pki['ca.pem']),
    ]
    for fields in cases:
        with pytest.raises(exceptions.ClientRequestException) as caught:
            create(client, pki, **fields)
        assert caught.value.status_code == 400, fields
        assert caught.value.error_code == 'ELB.8902', fields
    mismatched = CreateCertificateOption(certificate=pki['www.example.com.pem'], private_key=pki['other.key'])
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(certificate=mismatched)))
    assert 'does not match' in caught.value.error_msg
    assert not [entry for entry in emulator.requests() if entry['status'] == 201]


def test_emptying_the_domain_of_a_certificate_in_use_is_a_conflict(emulator, pki):
    client = sdk_client(emulator)
    created = create(client, pki, name='in-use', domain='www.example.com')
    emulator.admin('POST', 'seed', {'elb': {'listeners': [{'id': 'l1', 'certificate_ids': [created.id]}]}})
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.update_certificate(UpdateCertificateRequest(certificate_id=created.id, body=UpdateCertificateRequestBody(
            certificate=UpdateCertificateOption(domain=''))))
    assert caught.value.status_code == 409
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.delete_certificate(DeleteCertificateRequest(certificate_id=created.id))
    assert caught.value.status_code == 409


def test_marker_paging_and_reverse_paging(emulator, pki):
    emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'c%d' % index, 'type': 'client', 'certificate': pki['ca.pem']} for index in range(5)]}})
    client = sdk_client(emulator)
    first = client.list_certificates(ListCertificatesRequest(limit=2))
    assert [c.name for c in first.certificates] == ['c0', 'c1']
    second = client.list_certificates(ListCertificatesRequest(limit=2, marker=first.page_info.next_marker))
    assert [c.name for c in second.certificates] == ['c2', 'c3']
    back = client.list_certificates(ListCertificatesRequest(limit=2, marker=second.page_info.previous_marker,
                                                            page_reverse=True))
    assert [c.name for c in back.certificates] == ['c0', 'c1']
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.list_certificates(ListCertificatesRequest(limit=2001))
    assert caught.value.status_code == 400


def test_fault_injection_answers_then_recovers(emulator):
    emulator.admin('POST', 'faults', {'method': 'GET', 'path': '/elb/certificates$', 'status': 503, 'count': 1})
    client = sdk_client(emulator)
    with pytest.raises(exceptions.ServerResponseException) as caught:
        client.list_certificates(ListCertificatesRequest())
    assert caught.value.status_code == 503
    client.list_certificates(ListCertificatesRequest())
    assert [entry['status'] for entry in emulator.requests()] == [503, 200]


# Audit against the API reference (tests/emulator/README.md) ------------------------------
def test_the_private_key_echo_setting_masks_stored_keys_when_off(emulator, pki):
    client = sdk_client(emulator)
    assert client.show_certificate_private_key_echo(ShowCertificatePrivateKeyEchoRequest()).private_key_echo is True
    server = create(client, pki, name='web')
    ca = client.create_certificate(CreateCertificateRequest(body=CreateCertificateRequestBody(
        certificate=CreateCertificateOption(name='ca', type='client', certificate=pki['ca.pem'])))).certificate
    emulator.admin('DELETE', 'requests')
    turned = client.create_certificate_private_key_echo(CreateCertificatePrivateKeyEchoRequest(
        body=CreateCertificatePrivateKeyEchoRequestBody(private_key_echo=False)))
    assert turned.private_key_echo is False and emulator.requests()[0]['status'] == 201
    shown = client.show_certificate(ShowCertificateRequest(certificate_id=server.id)).certificate
    listed = client.list_certificates(ListCertificatesRequest(id=[ca.id])).certificates
    assert (shown.private_key, shown.enc_private_key) == ('******', None)
    assert listed[0].private_key is None  # a CA certificate has no key to mask


def test_enterprise_projects_default_are_stored_and_filter(emulator, pki):
    client = sdk_client(emulator)
    project = '0a21f3c2-1d1b-4f3e-9c07-3f5d9b8c2e41'
    default = create(client, pki, name='in-default')
    scoped = create(client, pki, name='in-project', enterprise_project_id=project)
    assert (default.enterprise_project_id, scoped.enterprise_project_id) == ('0', project)

    def names(*wanted):
        found = client.list_certificates(ListCertificatesRequest(enterprise_project_id=list(wanted))).certificates
        return sorted(certificate.name for certificate in found)
    # The SDK sends several values comma-joined (csv), the reference repeats the parameter: both are taken.
    assert names(project) == ['in-project'] and names('0') == ['in-default']
    assert names('0', project) == ['in-default', 'in-project'] == names('all_granted_eps')


@pytest.mark.parametrize('value', ['', 'default', '0a21f3c2'])
def test_an_enterprise_project_that_cannot_exist_is_refused(emulator, pki, value):
    with pytest.raises(exceptions.ClientRequestException) as caught:
        create(sdk_client(emulator), pki, name='web', enterprise_project_id=value)
    assert caught.value.status_code == 400 and caught.value.error_code == 'ELB.8902'
    assert caught.value.error_msg.startswith("Invalid input for 'enterprise_project_id'.")


def test_a_first_page_names_its_first_record_as_previous_marker(emulator, pki):
    emulator.admin('POST', 'seed', {'elb': {'certificates': [
        {'name': 'c%d' % index, 'type': 'client', 'certificate': pki['ca.pem']} for index in range(3)]}})
    first = sdk_client(emulator).list_certificates(ListCertificatesRequest(limit=2))
    assert first.page_info.previous_marker == first.certificates[0].id
    assert first.page_info.next_marker == first.certificates[1].id and first.page_info.current_count == 2


def test_another_projects_path_is_the_gateways_403(emulator):
    status, body = signed_request(emulator, '/v3/%s/elb/certificates' % ('f' * 32))
    assert status == 403 and body['error_code'] == 'APIGW.0302'


def test_errors_are_worded_as_the_reference_words_them(emulator, pki):
    client = sdk_client(emulator)
    with pytest.raises(exceptions.ClientRequestException) as caught:
        create(client, pki, name='x' * 256)
    assert caught.value.error_msg.startswith("Invalid input for 'name'.")
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.show_certificate(ShowCertificateRequest(certificate_id='0' * 32))
    assert caught.value.error_msg == 'certificate %s could not be found.' % ('0' * 32)


# Listeners (issue 18): the SDK's ListListeners, ShowListener and UpdateListener ---------------
def seed_listeners(emulator, pki):
    """Certificates (www, api: server with a domain; bare: no domain; ca: client) and three listeners."""
    server = dict(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    specs = [dict(server, name='www', domain='www.example.com'), dict(server, name='api', domain='api.example.com'),
             dict(server, name='bare'), dict(name='ca', type='client', certificate=pki['client-ca.pem']),
             dict(server, name='www2', domain='www.example.com')]
    ids = emulator.admin('POST', 'seed', {'elb': {'certificates': specs}})['elb']['certificates']
    cert = dict((spec['name'], certificate_id) for spec, certificate_id in zip(specs, ids))
    emulator.admin('POST', 'seed', {'elb': {'listeners': [
        dict(id='l1', name='https-443', loadbalancer_id='lb1', default_tls_container_ref=cert['www']),
        dict(id='l2', name='tcp-80', loadbalancer_id='lb1', protocol='TCP', protocol_port=80),
        # The older form: the first certificate the default, the rest SNI.
        dict(id='l3', name='https-8443', loadbalancer_id='lb2', protocol_port=8443, certificate_ids=[cert['www'], cert['api']]),
    ]}})
    emulator.admin('DELETE', 'requests')
    return cert


def update_listener(client, listener_id, **fields):
    return client.update_listener(UpdateListenerRequest(listener_id=listener_id, body=UpdateListenerRequestBody(
        listener=UpdateListenerOption(**fields)))).listener


def test_listeners_list_filter_page_and_show_with_the_sdk(emulator, pki):
    cert = seed_listeners(emulator, pki)
    client = sdk_client(emulator)
    everything = client.list_listeners(ListListenersRequest())
    assert [item.id for item in everything.listeners] == ['l1', 'l2', 'l3']
    l3 = everything.listeners[2]
    assert (l3.default_tls_container_ref, l3.sni_container_refs, l3.sni_match_algo) == (cert['www'], [cert['api']], 'wildcard')
    assert l3.loadbalancers[0].id == 'lb2' and l3.protocol == 'HTTPS' and l3.protocol_port == 8443

    def ids(**filters):
        return [item.id for item in client.list_listeners(ListListenersRequest(**filters)).listeners]
    assert ids(loadbalancer_id=['lb1']) == ['l1', 'l2']
    assert ids(protocol=['TCP']) == ['l2'] and ids(name=['https-443', 'tcp-80']) == ['l1', 'l2']
    assert ids(default_tls_container_ref=[cert['www']]) == ['l1', 'l3']
    assert ids(loadbalancer_id=['lb1'], protocol=['HTTPS']) == ['l1']
    first = client.list_listeners(ListListenersRequest(limit=2))
    assert [item.id for item in first.listeners] == ['l1', 'l2'] and first.page_info.next_marker == 'l2'
    assert ids(limit=2, marker=first.page_info.next_marker) == ['l3']

    shown = client.show_listener(ShowListenerRequest(listener_id='l1')).listener
    assert shown.name == 'https-443' and shown.client_ca_tls_container_ref is None
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.show_listener(ShowListenerRequest(listener_id='nope'))
    assert (caught.value.status_code, caught.value.error_code) == (404, 'ELB.8904')
    assert caught.value.error_msg == 'listener nope could not be found.'


def test_update_listener_sets_each_slot_with_the_sdk(emulator, pki):
    cert = seed_listeners(emulator, pki)
    client = sdk_client(emulator)
    updated = update_listener(client, 'l1', default_tls_container_ref=cert['api'], sni_container_refs=[cert['www']],
                              client_ca_tls_container_ref=cert['ca'], sni_match_algo='longest_suffix')
    assert (updated.default_tls_container_ref, updated.sni_container_refs) == (cert['api'], [cert['www']])
    assert (updated.client_ca_tls_container_ref, updated.sni_match_algo) == (cert['ca'], 'longest_suffix')
    # The SDK cannot send null: an empty string turns mutual authentication off; [] empties the SNI list.
    cleared = update_listener(client, 'l1', client_ca_tls_container_ref='', sni_container_refs=[])
    assert cleared.client_ca_tls_container_ref is None and cleared.sni_container_refs == []
    assert [(entry['method'], entry['status']) for entry in emulator.requests()] == [('PUT', 200), ('PUT', 200)]


@pytest.mark.parametrize('listener_id, fields, code, words', [
    ('l2', dict(default_tls_container_ref='www'), 400, 'a TCP listener has no server certificate'),
    ('l2', dict(sni_container_refs=['api']), 400, 'a TCP listener has no SNI certificates'),
    ('l1', dict(default_tls_container_ref='ca'), 400, 'this slot takes type server or server_sm'),
    ('l1', dict(client_ca_tls_container_ref='www'), 400, 'this slot takes type client'),
    ('l1', dict(sni_container_refs=['bare']), 400, 'has no domain'),
    ('l1', dict(sni_container_refs=['www', 'www2']), 400, 'both have domain www.example.com'),
    ('l1', dict(sni_container_refs=['www', 'www']), 400, 'lists a certificate twice'),
    ('l1', dict(sni_match_algo='shortest'), 400, 'must be one of wildcard, longest_suffix'),
    ('l1', dict(default_tls_container_ref=''), 400, 'is required for a HTTPS listener'),
    ('l1', dict(default_tls_container_ref='0' * 32), 404, 'certificate %s could not be found.' % ('0' * 32)),
])
def test_update_listener_refuses_what_the_reference_refuses(emulator, pki, listener_id, fields, code, words):
    cert = seed_listeners(emulator, pki)
    client = sdk_client(emulator)
    resolved = dict((name, [cert.get(item, item) for item in value] if isinstance(value, list) else cert.get(value, value))
                    for name, value in fields.items())
    before = client.show_listener(ShowListenerRequest(listener_id=listener_id)).listener.to_dict()
    with pytest.raises(exceptions.ClientRequestException) as caught:
        update_listener(client, listener_id, **resolved)
    assert caught.value.status_code == code and words in caught.value.error_msg
    assert caught.value.error_code == ('ELB.8902' if code == 400 else 'ELB.8904')
    if code == 400:
        assert caught.value.error_msg.startswith("Invalid input for '%s'." % sorted(fields)[0])
    assert client.show_listener(ShowListenerRequest(listener_id=listener_id)).listener.to_dict() == before


def test_the_sni_limits_count_certificates_and_domains(emulator, pki):
    server = dict(certificate=pki['www.example.com.fullchain.pem'], private_key=pki['www.example.com.key'])
    many = emulator.admin('POST', 'seed', {'elb': {'certificates': [
        dict(server, name='s{index}', domain='x.example.com', copies=51)]}})['elb']['certificates']
    emulator.admin('POST', 'seed', {'elb': {'listeners': [dict(id='l1', default_tls_container_ref=many[0])]}})
    client = sdk_client(emulator)
    with pytest.raises(exceptions.ClientRequestException) as caught:
        update_listener(client, 'l1', sni_container_refs=many)
    assert 'at most 50' in caught.value.error_msg
    wide = emulator.admin('POST', 'seed', {'elb': {'certificates': [
        dict(server, name='w%d' % index, domain=','.join('d%d-%d.example.com' % (index, n) for n in range(100)))
        for index in range(3)]}})['elb']['certificates']
    with pytest.raises(exceptions.ClientRequestException) as caught:
        update_listener(client, 'l1', sni_container_refs=wide)
    assert '300 domains in all; at most 200' in caught.value.error_msg
    assert update_listener(client, 'l1', sni_container_refs=wide[:2]).sni_container_refs == wide[:2]


@pytest.mark.parametrize('slot', ['default_tls_container_ref', 'sni_container_refs', 'client_ca_tls_container_ref'])
def test_a_certificate_in_any_slot_cannot_be_deleted(emulator, pki, slot):
    cert = seed_listeners(emulator, pki)
    client = sdk_client(emulator)
    # www2 is used nowhere else (api is an SNI certificate of l3).
    target = {'default_tls_container_ref': 'www2', 'sni_container_refs': 'www2', 'client_ca_tls_container_ref': 'ca'}[slot]
    update_listener(client, 'l1', **{slot: [cert[target]] if slot == 'sni_container_refs' else cert[target]})
    with pytest.raises(exceptions.ClientRequestException) as caught:
        client.delete_certificate(DeleteCertificateRequest(certificate_id=cert[target]))
    assert (caught.value.status_code, caught.value.error_code) == (409, 'ELB.8907')
    # Freed from the slot, it can go.
    if slot == 'default_tls_container_ref':
        update_listener(client, 'l1', default_tls_container_ref=cert['www'])
    else:
        update_listener(client, 'l1', **{slot: [] if slot == 'sni_container_refs' else ''})
    client.delete_certificate(DeleteCertificateRequest(certificate_id=cert[target]))


def test_the_tls_listener_follows_update_listener(emulator, pki):
    from cloudemu import certs
    ca, ca_key = certs.make_ca('switch test CA')
    other, other_key = certs.make_leaf(ca, ca_key, ['api.example.org'])
    cert = seed_listeners(emulator, pki)
    api = emulator.admin('POST', 'seed', {'elb': {'certificates': [dict(
        name='api-org', domain='api.example.org', certificate=certs.cert_pem(other) + certs.cert_pem(ca),
        private_key=certs.key_pem(other_key))]}})['elb']['certificates'][0]
    port = emulator.admin('POST', 'seed', {'elb': {'listeners': [dict(
        id='lt', default_tls_container_ref=cert['www'], tls_port=0)]}})['elb']['tls_ports']['lt']
    client = sdk_client(emulator)
    assert served_leaf(port, 'api.example.org') == served_leaf(port) == leaf_fingerprint(pki['www.example.com.pem'])
    update_listener(client, 'lt', sni_container_refs=[api])
    assert served_leaf(port, 'api.example.org') == leaf_fingerprint(certs.cert_pem(other))
    update_listener(client, 'lt', default_tls_container_ref=api, sni_container_refs=[])
    assert served_leaf(port, 'www.example.com') == leaf_fingerprint(certs.cert_pem(other))


def served_leaf(port, server_name=None):
    import hashlib
    import socket
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Fingerprints are compared; the throwaway CA is not one the client trusts.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def leaf_fingerprint(pem_text):
    import hashlib
    import ssl
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem_text.split('-----END CERTIFICATE-----')[0]
                                                   + '-----END CERTIFICATE-----\n')).hexdigest()
