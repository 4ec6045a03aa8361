# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The expiry report's rows and outputs, from results shaped as the info modules return them."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest

from ansible.errors import AnsibleFilterError
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.certfleet.cloud.plugins.filter.expiry_report import (
    FilterModule, expiry_report_data, expiry_report_render, label_value, whole_days,
)

NOW = '2026-12-01T12:00:00Z'
SVG = '{http://www.w3.org/2000/svg}'


def summary(subject, not_after, issuer='CN=certfleet test CA'):
    return {'subject': subject, 'issuer': issuer, 'not_after': not_after, 'serial': '0A', 'sans': [],
            'sha256_fingerprint': None, 'not_before': None, 'days_left': None}


def elb(name, not_after, days, certificate_id=None):
    return {'id': certificate_id or 'elb-' + name, 'name': name, 'expire_time': not_after, 'expires_in_days': days,
            'summary': summary('CN=%s.example.com' % name, not_after)}


def cdn(name, not_after, days, domains=(), certificate_id='100001'):
    return {'id': certificate_id, 'name': name, 'not_after': not_after, 'expires_in_days': days,
            'related_domains': [{'domain_id': '1001', 'domain_name': domain} for domain in domains],
            'summary': summary('CN=%s' % name, not_after)}


def vpn(name, sign, enc, chain, days, gateway='0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f'):
    return {'id': 'vpn-' + name, 'name': name, 'vgw_id': gateway, 'certificate_expire_time': sign,
            'enc_certificate_expire_time': enc, 'certificate_chain_expire_time': chain, 'expires_in_days': days,
            'summary': summary('CN=vpn.example.com,OU=vpn', sign)}


def ccm(certificate_id, cn, status, created, not_after, days, issuer='ca-1', name=None):
    item = {'certificate_id': certificate_id, 'status': status, 'create_time': created, 'issuer_id': issuer,
            'issuer_name': 'CA ' + issuer, 'distinguished_name': {'common_name': cn}, 'expires_in_days': days,
            'summary': summary('CN=%s,O=certfleet' % cn, not_after, 'CN=CA ' + issuer)}
    if name:
        item['name'] = name
    return item


def sources(elb_items=None, vpn_items=None, ccm_items=None, cdn_items=None, region='cn-north-4'):
    def result(items):
        return {'changed': False, 'certificates': items} if items is not None else {'skipped': True}
    return [{'service': 'elb', 'region': region, 'result': result(elb_items), 'reason': 'not in services'},
            {'service': 'vpn', 'region': region, 'result': result(vpn_items), 'reason': 'not in services'},
            {'service': 'ccm', 'region': region, 'result': result(ccm_items), 'reason': 'not in services'},
            {'service': 'netcenter', 'region': 'global', 'result': result(cdn_items), 'reason': 'not in services'}]


def fleet():
    """What the integration target seeds: every service, a CCM name renewed twice."""
    return sources(
        elb_items=[elb('expires-3', '2026-12-05T05:46:30Z', 3), elb('expires--3', '2026-11-29T05:46:30Z', -3)],
        vpn_items=[vpn('gm-29', '2026-12-31T00:00:00Z', '2026-12-30T00:00:00Z', '2036-01-01T00:00:00Z', 28)],
        ccm_items=[ccm('c3', 'ccm.example.com', 'ISSUED', 3000, '2026-12-14T17:00:00Z', 13),
                   ccm('c2', 'ccm.example.com', 'REVOKED', 2000, '2026-12-14T16:00:00Z', 13),
                   ccm('c1', 'ccm.example.com', 'ISSUED', 1000, '2026-12-14T15:00:00Z', 13)],
        cdn_items=[cdn('expires-20', '2026-12-22T05:46:30Z', 20, ['www.example.com', 'static.example.com'])])


def rows_of(report):
    return [(row['service'], row['name'], row['days_left'], row['state']) for row in report['rows']]


def test_both_filters_are_exported():
    assert set(FilterModule().filters()) == {'expiry_report_data', 'expiry_report_render'}


# expiry_days -------------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [(0, 0), (30, 30), ('30', 30), ('0', 0), (' 7 ', 7)])
def test_a_whole_number_of_days_is_taken(value, expected):
    assert whole_days(value) == expected


@pytest.mark.parametrize('value', ['abc', '-1', '1.5', '', -1, 1.5, True, None, [30], '3e1'])
def test_anything_else_is_refused_naming_expiry_days(value):
    with pytest.raises(AnsibleFilterError, match=r'^expiry_days: must be a whole number of days, 0 or more'):
        whole_days(value)
    with pytest.raises(AnsibleFilterError, match=r'^expiry_days: '):
        expiry_report_data(fleet(), value, now=NOW)


# Rows ------------------------------------------------------------------------------------------------

def test_rows_in_use_come_soonest_first_then_those_replaced_or_revoked():
    report = expiry_report_data(fleet(), 30, now=NOW)
    assert rows_of(report) == [
        ('elb', 'expires--3', -3, 'in use'), ('elb', 'expires-3', 3, 'in use'),
        ('ccm', 'ccm.example.com', 13, 'in use'), ('netcenter', 'expires-20', 20, 'in use'),
        ('vpn', 'gm-29', 28, 'in use'),
        ('ccm', 'ccm.example.com', 13, 'replaced'), ('ccm', 'ccm.example.com', 13, 'revoked')]
    assert [row['urgency'] for row in report['rows'][:5]] == ['expired', 'critical', 'warning', 'warning', 'warning']
    assert report['counts'] == {'expired': 1, 'critical': 1, 'warning': 3, 'ok': 0, 'in_use': 5, 'not_in_use': 2}
    assert report['expiry_days'] == 30 and report['generated_at'] == NOW


def test_a_renewed_ccm_name_shows_its_newest_issued_certificate_in_use_and_marks_the_others():
    report = expiry_report_data(fleet(), 30, now=NOW)
    states = dict((row['id'], (row['state'], row['in_use'], row['replaced_by'])) for row in report['rows']
                  if row['service'] == 'ccm')
    assert states == {'c3': ('in use', True, None), 'c2': ('revoked', False, 'c3'), 'c1': ('replaced', False, 'c3')}


@pytest.mark.parametrize('items, in_use', [
    # A newer revoked certificate does not displace the issued one.
    ([ccm('old', 'a', 'ISSUED', 1, '2027-01-01T00:00:00Z', 31), ccm('new', 'a', 'REVOKED', 2, '2027-01-02T00:00:00Z', 32)],
     ['old']),
    # Nothing issued: the newest expired one is what the name has (and it is in the report, red).
    ([ccm('e1', 'a', 'EXPIRED', 1, '2026-11-01T00:00:00Z', -30), ccm('e2', 'a', 'EXPIRED', 2, '2026-11-20T00:00:00Z', -11)],
     ['e2']),
    # Only revoked ones: none is in use.
    ([ccm('r1', 'a', 'REVOKED', 1, '2027-01-01T00:00:00Z', 31)], []),
    # The same common name from two CAs: two certificates in use.
    ([ccm('x', 'a', 'ISSUED', 1, '2027-01-01T00:00:00Z', 31, issuer='ca-1'),
      ccm('y', 'A', 'ISSUED', 2, '2027-01-01T00:00:00Z', 31, issuer='ca-2')], ['x', 'y']),
    # Names the module manages (its certfleet.name tag): one in use each; the untagged one they replaced is not.
    ([ccm('web', 'a', 'ISSUED', 3, '2027-01-01T00:00:00Z', 31, name='web'),
      ccm('api', 'a', 'ISSUED', 2, '2027-01-01T00:00:00Z', 31, name='api'),
      ccm('untagged', 'a', 'ISSUED', 1, '2027-01-01T00:00:00Z', 31)], ['api', 'web']),
])
def test_which_ccm_certificate_of_a_name_is_in_use(items, in_use):
    report = expiry_report_data(sources(ccm_items=items), 36500, now=NOW)
    assert sorted(row['id'] for row in report['rows'] if row['in_use']) == in_use
    assert all(row['state'] in ('replaced', 'revoked') for row in report['rows'] if not row['in_use'])


def test_a_replaced_certificate_that_has_expired_is_left_out_but_an_expired_one_in_use_is_not():
    items = [ccm('current', 'a', 'ISSUED', 2, '2027-01-01T00:00:00Z', 31),
             ccm('replaced', 'a', 'ISSUED', 1, '2026-11-01T00:00:00Z', -30),
             ccm('alone', 'b', 'ISSUED', 1, '2026-11-01T00:00:00Z', -30)]
    report = expiry_report_data(sources(ccm_items=items), 60, now=NOW)
    assert [(row['id'], row['state']) for row in report['rows']] == [('alone', 'in use'), ('current', 'in use')]


def test_the_window_keeps_what_expires_within_expiry_days_and_every_expired_one():
    items = [elb('a', '2026-12-31T00:00:00Z', 30), elb('b', '2027-01-01T00:00:00Z', 31),
             elb('gone', '2026-01-01T00:00:00Z', -334)]
    assert [row['name'] for row in expiry_report_data(sources(elb_items=items), 30, now=NOW)['rows']] == ['gone', 'a']
    assert [row['name'] for row in expiry_report_data(sources(elb_items=items), 0, now=NOW)['rows']] == ['gone']


def test_days_left_are_the_modules_own_count_on_the_services_clock_never_recounted():
    # The service's clock runs 10 days ahead of this one: its count is the one shown, and the one exported.
    report = expiry_report_data(sources(elb_items=[elb('skewed', '2026-12-31T12:00:00Z', 20)]), 30, now=NOW)
    assert report['rows'][0]['days_left'] == 20
    assert 'certfleet_certificate_days_left{service="elb",region="cn-north-4",name="skewed",id="elb-skewed"} 20' \
        in expiry_report_render(report, 'prometheus')


def test_where_each_certificate_is_used_as_far_as_the_api_tells():
    report = expiry_report_data(fleet(), 30, now=NOW)
    used = dict(((row['service'], row['id']), (row['used_by_known'], row['used_by'])) for row in report['rows'])
    assert used[('netcenter', '100001')] == (True, ['www.example.com', 'static.example.com'])
    assert used[('vpn', 'vpn-gm-29')] == (True, ['VPN gateway 0b9c7f2e-7f4c-4a5e-9d6e-1c2b3a4d5e6f'])
    # ELB's certificate list names no listener; CCM does not know where an exported certificate went.
    assert used[('elb', 'elb-expires-3')] == (False, [])
    assert used[('ccm', 'c3')] == (False, [])
    unused = expiry_report_data(sources(cdn_items=[cdn('idle', '2026-12-22T00:00:00Z', 20)]), 30, now=NOW)
    assert (unused['rows'][0]['used_by_known'], unused['rows'][0]['used_by']) == (True, [])


@pytest.mark.parametrize('sign, enc, chain, not_after, note', [
    ('2026-12-31T00:00:00Z', '2026-12-30T00:00:00Z', '2036-01-01T00:00:00Z', '2026-12-30T00:00:00Z',
     'the encryption certificate expires first'),
    ('2026-12-31T00:00:00Z', '2026-12-31T00:00:00Z', '2026-12-29T00:00:00Z', '2026-12-29T00:00:00Z',
     'the chain certificate expires first'),
    # A tie names no other certificate: the signature one is the gateway's.
    ('2026-12-31T00:00:00Z', '2026-12-31T00:00:00Z', '2036-01-01T00:00:00Z', '2026-12-31T00:00:00Z', None),
])
def test_a_vpn_row_expires_with_the_first_of_its_three_certificates(sign, enc, chain, not_after, note):
    row = expiry_report_data(sources(vpn_items=[vpn('gm', sign, enc, chain, 28)]), 30, now=NOW)['rows'][0]
    assert (row['not_after'], row['note']) == (not_after, note)


def test_services_read_and_skipped_with_the_modules_own_message():
    missing = 'no credentials found: access_key/secret_key (options, HW_ACCESS_KEY/HW_SECRET_KEY ...'
    given = fleet()
    given[0]['result'] = {'changed': False, 'msg': missing, 'failed_when_result': False}
    given[1].update(result={'skipped': True}, reason=missing)
    given[2].update(result={'skipped': True}, reason=missing)
    given[3]['result'] = {'skipped': True}
    report = expiry_report_data(given, 30, now=NOW)
    assert [(service['service'], service['read'], service['reason']) for service in report['services']] == [
        ('elb', False, missing), ('vpn', False, missing), ('ccm', False, missing), ('netcenter', False, 'not in services')]
    assert report['rows'] == []
    console = expiry_report_render(report, 'console')
    assert 'Skipped ELB: ' + missing in console and 'Skipped Wangsu CDN: not in services' in console


def test_the_region_a_module_reports_wins_over_the_one_given():
    given = sources(elb_items=[elb('a', '2026-12-05T00:00:00Z', 3)])
    given[0]['result']['region'] = 'ap-southeast-3'
    assert expiry_report_data(given, 30, now=NOW)['rows'][0]['region'] == 'ap-southeast-3'


@pytest.mark.parametrize('given, message', [
    ({'service': 'elb'}, 'expects a list'),
    ([{'service': 'rds', 'result': {}}], 'entry 1 must be a dict whose service is one of elb, vpn, ccm, netcenter'),
    (['elb'], 'entry 1 must be a dict'),
])
def test_sources_that_are_not_the_playbooks_are_refused(given, message):
    with pytest.raises(AnsibleFilterError, match=message):
        expiry_report_data(given, 30, now=NOW)


# Outputs ---------------------------------------------------------------------------------------------

MARKUP = '<b>"cdn"</b> & co\\ \n=cmd'


def marked_up_report():
    items = [cdn(MARKUP, '2026-12-05T00:00:00Z', 3, ['<i>x</i>.example.com'], '100027')]
    return expiry_report_data(sources(elb_items=[elb('-lead', '2026-12-05T00:00:00Z', 3)], cdn_items=items,
                                      ccm_items=fleet()[2]['result']['certificates']), 30, now=NOW)


def test_the_console_table_lists_those_in_use_then_those_replaced_or_revoked():
    lines = expiry_report_render(expiry_report_data(fleet(), 30, now=NOW), 'console').splitlines()
    assert lines[0] == 'Certificates expiring within 30 days: 5 in use (1 expired, 1 critical, 3 warning, 0 ok)'
    assert lines[1].split() == ['days', 'left', 'service', 'name', 'expires', 'used', 'by', 'id']
    assert lines[2].split()[:3] == ['-3', 'ELB', 'expires--3']
    assert lines[7] == 'Replaced or revoked, no longer in use (not counted, not in the metrics): 2'
    assert 'replaced; in use: c3' in lines[8] and 'revoked; in use: c3' in lines[9]
    assert len(lines) == 10


def test_csv_rows_are_quoted_and_cells_a_spreadsheet_would_run_are_neutralised():
    text = expiry_report_render(marked_up_report(), 'csv')
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row['days_left'], row['service'], row['name'], row['state']) for row in rows] == [
        ('3', 'ELB', "'-lead", 'in use'), ('3', 'Wangsu CDN', MARKUP, 'in use'), ('13', 'CCM', 'ccm.example.com', 'in use'),
        ('13', 'CCM', 'ccm.example.com', 'replaced'), ('13', 'CCM', 'ccm.example.com', 'revoked')]
    assert rows[0]['used_by'] == 'not reported by the API'
    assert rows[1]['used_by'] == '<i>x</i>.example.com'
    assert rows[3]['replaced_by'] == 'c3'


def test_json_holds_the_whole_report():
    report = marked_up_report()
    assert json.loads(expiry_report_render(report, 'json')) == report


def test_the_prometheus_file_parses_as_prometheus_reads_it_with_every_label_escaped():
    report = marked_up_report()
    text = expiry_report_render(report, 'prometheus')
    families = dict((family.name, family) for family in text_string_to_metric_families(text))
    assert sorted(families) == ['certfleet_certificate_days_left', 'certfleet_certificate_not_after_seconds',
                                'certfleet_expiry_report_service_read']
    assert all(family.type == 'gauge' and family.documentation for family in families.values())
    days = dict((sample.labels['name'], (sample.labels, sample.value))
                for sample in families['certfleet_certificate_days_left'].samples)
    # Only certificates in use: the replaced and revoked CCM certificates are not there.
    assert sorted(days) == sorted(['-lead', MARKUP, 'ccm.example.com'])
    assert days[MARKUP] == ({'service': 'netcenter', 'region': 'global', 'name': MARKUP, 'id': '100027'}, 3.0)
    assert days['ccm.example.com'][0]['id'] == 'c3'
    not_after = dict((sample.labels['name'], sample.value)
                     for sample in families['certfleet_certificate_not_after_seconds'].samples)
    assert not_after[MARKUP] == 1796428800.0  # 2026-12-05T00:00:00Z
    read = sorted((sample.labels['service'], sample.labels['region'], sample.value)
                  for sample in families['certfleet_expiry_report_service_read'].samples)
    assert read == [('ccm', 'cn-north-4', 1.0), ('elb', 'cn-north-4', 1.0), ('netcenter', 'global', 1.0),
                    ('vpn', 'cn-north-4', 0.0)]
    # The exposition format has no timestamps in textfiles, and every line ends with a line feed.
    assert text.endswith('\n') and all(len(line.rsplit('} ', 1)[-1].split()) == 1
                                       for line in text.splitlines() if not line.startswith('#'))


def test_label_values_escape_backslash_quote_and_line_feed_as_the_format_says():
    assert label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def timeline(report):
    svg = ElementTree.fromstring(expiry_report_render(report, 'timeline'))
    lanes = [group for group in svg.iter(SVG + 'g') if 'certificate' in group.get('class', '').split()]
    return svg, lanes


def test_the_timeline_has_one_lane_per_row_coloured_by_urgency_and_the_threshold_marked():
    report = expiry_report_data(fleet(), 30, now=NOW)
    svg, lanes = timeline(report)
    assert svg.tag == SVG + 'svg' and svg.get('role') == 'img'
    assert [lane.get('class') for lane in lanes] == [
        'certificate expired', 'certificate critical', 'certificate warning', 'certificate warning',
        'certificate warning', 'certificate not-in-use', 'certificate not-in-use']
    lines = dict((line.get('class'), float(line.get('x1'))) for line in svg.iter(SVG + 'line')
                 if line.get('class') in ('today', 'threshold'))
    markers = [float(lane.find(SVG + 'circle').get('cx')) for lane in lanes[:5]]
    # Markers stand on one days-left axis: in order, the expired one left of today, all left of the threshold.
    assert markers == sorted(markers) and markers[0] < lines['today'] < markers[1] < lines['threshold']
    assert any(text.text == 'threshold: 30 days' for text in svg.iter(SVG + 'text'))
    assert lanes[0].find(SVG + 'title').text.startswith('ELB expires--3: -3 days left, expires 2026-11-29T05:46:30Z')
    assert lanes[5].find(SVG + 'title').text.startswith('CCM ccm.example.com (replaced): 13 days left')


def test_the_timeline_escapes_every_text_and_refers_to_nothing_outside():
    text = expiry_report_render(marked_up_report(), 'timeline')
    svg, lanes = timeline(marked_up_report())
    titles = [lane.find(SVG + 'title').text for lane in lanes]
    assert any(title.startswith('Wangsu CDN %s: 3 days left' % MARKUP) for title in titles)
    assert [element.tag for element in svg.iter() if element.tag.replace(SVG, '') in ('script', 'image', 'a', 'b', 'i')] == []
    assert 'href' not in text and 'url(' not in text and '<b>' not in text


def test_an_empty_timeline_says_so():
    svg, lanes = timeline(expiry_report_data(sources(elb_items=[]), 14, now=NOW))
    assert lanes == []
    assert [text.text for text in svg.iter(SVG + 'text')][-1] == 'No certificate expires within 14 days'


def test_render_refuses_an_unknown_format_or_something_that_is_no_report():
    with pytest.raises(AnsibleFilterError, match='one of console, csv, json, prometheus, timeline'):
        expiry_report_render(expiry_report_data(fleet(), 30, now=NOW), 'xml')
    with pytest.raises(AnsibleFilterError, match='expects the report expiry_report_data returns'):
        expiry_report_render([], 'csv')
