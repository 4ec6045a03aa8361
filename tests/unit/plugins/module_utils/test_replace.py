# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotation by replacement against the emulator: a new object, every listener slot and CDN domain switched,
the old object deleted; a failure halfway and the converging rerun; check mode; keep_replaced; a lost create."""

from __future__ import annotations

import pytest

from ansible_collections.certfleet.cloud.plugins.module_utils import deploy, replace
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import CertificateBundle

ELB_CERTIFICATES = '/v3/{project_id}/elb/certificates'
LISTENERS = 20
DOMAINS = ['d%02d.example.com' % index for index in range(10)]


@pytest.fixture(scope='module')
def generations():
    """Three certificates for www.example.com and *.example.com from one CA, oldest first: (fullchain, key)."""
    from cloudemu import certs
    ca, ca_key = certs.make_ca('certfleet replace CA')
    made = []
    for dummy in range(3):
        leaf, key = certs.make_leaf(ca, ca_key, ['www.example.com', '*.example.com'])
        made.append((certs.cert_pem(leaf) + certs.cert_pem(ca), certs.key_pem(key)))
    return made


def connections(emulator):
    options = emulator.options
    return dict(huaweicloud=emulator.params(iam_endpoint=None, max_retries=0),
                netcenter=dict(access_key=options.netcenter_access_key, secret_key=options.netcenter_secret_key,
                               endpoint=emulator.url, timeout=5, max_retries=0))


def new_name(name, pem):
    return replace.replacement_name(name, CertificateBundle.from_params({'certificate': pem, 'private_key': None},
                                                                        'certificate', 'private_key', key_required=False).leaf)


def elb_client(emulator):
    return HuaweiCloudClient(emulator.params(), 'elb')


def elb_certificates(emulator):
    client = elb_client(emulator)
    listed = client.request('GET', client.path(ELB_CERTIFICATES))['certificates']
    return dict((item['name'], item['id']) for item in listed)


def listeners(emulator):
    client = elb_client(emulator)
    return client.request('GET', client.path('/v3/{project_id}/elb/listeners'))['listeners']


def netcenter_certificates(emulator):
    from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import domain_usage
    from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import NetcenterDomainApi
    from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient
    api = NetcenterDomainApi(NetcenterClient(dict(connections(emulator)['netcenter'], validate_certs=True, ca_bundle=None)))
    listed = api.certificates()
    usage = domain_usage(api)
    return dict((item['name'], (item['id'], sorted(usage.get(item['id'], [])))) for item in listed)


def seed_old(emulator, generations):
    """The account as an in-place rotation left it: ELB ``www`` (with a domain, for SNI) in the default slot of
    10 listeners and in the SNI list of 10 others; CDN ``www`` used by 10 domains."""
    pem, key = generations[0]
    client = elb_client(emulator)
    old = client.request('POST', client.path(ELB_CERTIFICATES), body={'certificate': {
        'name': 'www', 'certificate': pem, 'private_key': key, 'domain': 'www.example.com'}})['certificate']['id']
    seeded = [{'id': 'lst-%02d' % index, 'name': 'web-%02d' % index, 'default_tls_container_ref': old}
              for index in range(10)]
    seeded += [{'id': 'lst-%02d' % index, 'name': 'web-%02d' % index, 'default_tls_container_ref': old,
                'sni_container_refs': [old]} for index in range(10, 20)]
    emulator.admin('POST', 'seed', {'elb': {'listeners': seeded}, 'netcenter': {
        'certificates': [dict(name='www', certificate=pem, private_key=key, related_domains=DOMAINS)]}})
    emulator.admin('DELETE', 'requests')
    return old


TARGETS = [{'service': 'elb', 'name': 'www'}, {'service': 'netcenter', 'name': 'www'}]


def run(emulator, pem_key, check_mode=False, **options):
    return deploy.deploy([dict(target) for target in TARGETS], pem_key[0], pem_key[1], connections(emulator),
                         check_mode=check_mode, strategy='replace', **options)


def counts(emulator):
    log = emulator.requests()
    return (len([entry for entry in log if entry['method'] == 'GET']),
            len([entry for entry in log if entry['method'] != 'GET']))


def test_names_are_the_target_and_twelve_hex_of_the_serial(generations):
    name = new_name('www', generations[1][0])
    assert name.startswith('www-') and len(name) == 16
    assert replace.serial_tag('1') == '000000000001' and replace.serial_tag('ABCDEF0123456789') == 'abcdef012345'
    assert replace.in_family('www', {'name': name}) and replace.in_family('www', {'name': 'www'})
    assert not replace.in_family('www', {'name': 'www-cafe'}) and not replace.in_family('www', {'name': 'www-a-000000000001'})


def test_replace_is_refused_before_any_request_where_it_cannot_work(emulator, generations):
    pem, key = generations[1]
    with pytest.raises(InputError) as caught:
        deploy.deploy([{'service': 'elb', 'id': 'a' * 32}, {'service': 'netcenter', 'name': 'n' * 510},
                       {'service': 'vpn', 'gateway': 'gw', 'strategy': 'replace', 'certificate': pem}],
                      pem, key, connections(emulator), strategy='replace')
    message = str(caught.value)
    assert 'elb:' + 'a' * 32 + ': name: is required with strategy replace' in message
    assert 'with strategy replace the new object is named' in message and 'up to 512 characters' in message
    assert 'vpn:gw: strategy: replace does not apply to a vpn target' in message and emulator.requests() == []


def test_replace_switches_every_listener_and_domain_then_deletes_the_old(emulator, generations):
    old = seed_old(emulator, generations)
    plan = run(emulator, generations[1], check_mode=True)
    name = new_name('www', generations[1][0])
    elb_row, cdn_row = plan['targets']
    assert elb_row['changed'] and elb_row['plan']['create'] == [name] and elb_row['plan']['delete'] == ['www']
    assert len(elb_row['plan']['switch']) == 30 and len(cdn_row['plan']['switch']) == 10
    assert cdn_row['plan'] == dict(create=[name], switch=['domain %s: www -> %s' % (domain, name) for domain in DOMAINS],
                                   delete=['www'])
    reads, writes = counts(emulator)
    assert writes == 0 and reads == 3
    assert len(plan['diff']) == 2 and 'PRIVATE KEY' not in repr(plan)

    emulator.admin('DELETE', 'requests')
    done = run(emulator, generations[1])
    assert 'failed' not in done, done.get('msg')
    elb_row, cdn_row = done['targets']
    assert elb_row['verified'] and cdn_row['verified']
    slots = ['listener lst-%02d (web-%02d) %s' % (index, index, slot) for index in range(20)
             for slot in (('default',) if index < 10 else ('default', 'sni'))]
    assert elb_row['replaced'] == dict(created=[name], switched=slots, deleted=['www'], kept=[])
    assert cdn_row['replaced']['deleted'] == ['www'] and len(cdn_row['replaced']['switched']) == 10
    assert elb_row['after']['serial'] != elb_row['before']['serial']
    new_id = elb_certificates(emulator)[name]
    assert set(elb_certificates(emulator)) == set([name]) and old != new_id
    for listener in listeners(emulator):
        assert listener['default_tls_container_ref'] == new_id
        assert listener['sni_container_refs'] in ([], [new_id])
    assert netcenter_certificates(emulator) == {name: (netcenter_certificates(emulator)[name][0], sorted(DOMAINS))}

    emulator.admin('DELETE', 'requests')
    rerun = run(emulator, generations[1])
    assert not rerun['changed'] and all(row['verified'] for row in rerun['targets'])
    assert counts(emulator) == (3, 0)


def test_a_switch_refused_halfway_leaves_old_in_place_and_the_rerun_converges(emulator, generations):
    seed_old(emulator, generations)
    name = new_name('www', generations[1][0])
    emulator.admin('POST', 'faults', [
        {'method': 'PUT', 'path': '/elb/listeners/lst-05$', 'status': 500},
        {'method': 'PUT', 'path': '/api/domain/d03.example.com$', 'status': 400,
         'body': {'code': '36540011', 'message': 'refused for the test'}}])
    failed = run(emulator, generations[1])
    assert failed['failed']
    elb_row, cdn_row = failed['targets']
    assert elb_row['failed'] and 'listener lst-05' in elb_row['msg'] and '5 of 30 switched' in elb_row['msg']
    assert cdn_row['failed'] and 'domain d03.example.com' in cdn_row['msg'] and '3 of 10 switched' in cdn_row['msg']
    assert elb_row['replaced']['created'] == [name] and elb_row['replaced']['deleted'] == []
    ids = elb_certificates(emulator)
    # Every listener is on a valid certificate, old or new, and the old one is still there.
    assert set(ids) == set(['www', name])
    assert all(listener['default_tls_container_ref'] in (ids['www'], ids[name]) for listener in listeners(emulator))
    held = netcenter_certificates(emulator)
    assert held['www'][1] == DOMAINS[3:] and held[name][1] == DOMAINS[:3]

    emulator.admin('DELETE', 'requests')
    rerun = run(emulator, generations[1])
    assert 'failed' not in rerun, rerun.get('msg')
    elb_row, cdn_row = rerun['targets']
    assert elb_row['replaced']['created'] == [] and len(elb_row['replaced']['switched']) == 25
    assert cdn_row['replaced'] == dict(created=[], switched=['domain %s' % domain for domain in DOMAINS[3:]],
                                       deleted=['www'], kept=[])
    assert set(elb_certificates(emulator)) == set([name]) and list(netcenter_certificates(emulator)) == [name]
    # No duplicate object: the one create of the failed run was found by its name.
    assert [entry for entry in emulator.requests() if entry['method'] == 'POST'] == []


def test_keep_replaced_keeps_the_newest_replaced_objects(emulator, generations):
    seed_old(emulator, generations)
    first, second = new_name('www', generations[1][0]), new_name('www', generations[2][0])
    kept = run(emulator, generations[1], keep_replaced=1)
    assert [row['replaced']['kept'] for row in kept['targets']] == [['www'], ['www']]
    assert set(elb_certificates(emulator)) == set(['www', first])
    again = run(emulator, generations[2], keep_replaced=1)
    assert [row['replaced']['deleted'] for row in again['targets']] == [['www'], ['www']]
    assert [row['replaced']['kept'] for row in again['targets']] == [[first], [first]]
    assert set(elb_certificates(emulator)) == set([first, second])
    assert sorted(netcenter_certificates(emulator)) == sorted([first, second])


def test_a_lost_create_answer_makes_no_duplicate(emulator, generations):
    seed_old(emulator, generations)
    emulator.admin('POST', 'faults', [
        {'method': 'POST', 'path': '/elb/certificates$', 'drop': True, 'after': True},
        {'method': 'POST', 'path': '/api/certificate$', 'drop': True, 'after': True}])
    done = deploy.deploy([dict(target) for target in TARGETS], generations[1][0], generations[1][1],
                         dict((provider, dict(options, max_retries=2)) for provider, options in connections(emulator).items()),
                         strategy='replace')
    assert 'failed' not in done, done.get('msg')
    name = new_name('www', generations[1][0])
    assert list(elb_certificates(emulator)) == [name] and list(netcenter_certificates(emulator)) == [name]
    assert len([entry for entry in emulator.requests() if entry['method'] == 'POST']) == 2


def test_in_place_targets_in_the_same_run_are_unchanged(emulator, generations):
    seed_old(emulator, generations)
    done = deploy.deploy([{'service': 'elb', 'name': 'www', 'strategy': 'in_place'}, {'service': 'netcenter', 'name': 'www'}],
                         generations[1][0], generations[1][1], connections(emulator), strategy='replace')
    elb_row, cdn_row = done['targets']
    assert 'replaced' not in elb_row and elb_row['changed'] and list(elb_certificates(emulator)) == ['www']
    assert cdn_row['replaced']['deleted'] == ['www']
