# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check the expiry report's four files against what the run should have found.

    check_report.py DIR [--row 'SERVICE|NAME|DAYS']... [--other 'SERVICE|NAME|DAYS|STATE']...
                        [--used-by 'NAME|TEXT']... [--skipped SERVICE]... [--threshold N] [--metrics-dir DIR]

- CSV: the rows in use, in order (soonest first), then the replaced or revoked ones; days as expected
  (N, or N - 1 once the half day has passed).
- HTML: well-formed (every element closed, properly nested), self-contained (no script, no external
  reference), every name shown as text (no element comes from a name); the tables hold the CSV's rows,
  each day count coloured by its urgency; the SVG timeline has one lane per row, coloured the same, and
  the threshold line; the skipped services are said to be.
- JSON: the same rows; the files it names are where they are.
- Prometheus: parsed by prometheus_client's parser (as Prometheus and node_exporter read it): the two
  certificate gauges hold exactly the rows in use, with their labels and values; one service_read
  sample per service; no temporary file left next to it.
"""

from __future__ import annotations

import argparse
import csv
import html.parser
import json
import os
import sys

from prometheus_client.parser import text_string_to_metric_families

VOID = {'meta', 'br', 'hr', 'img', 'link', 'input'}
SERVICE_KEYS = {'ELB': 'elb', 'VPN': 'vpn', 'CCM': 'ccm', 'Wangsu CDN': 'netcenter'}
FILES = ('expiry_report.html', 'expiry_report.csv', 'expiry_report.json', 'expiry_report.prom')


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.problems, self.elements = [], [], []
        self.tables = {}            # table class -> [[cell text, ...], ...]
        self.day_classes = {}       # table class -> [class of the first cell, ...]
        self.lanes, self.thresholds, self.skipped_notes = [], 0, []
        self.table = self.row = self.cell = None
        self.text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append(tag)
        for name in ('src', 'href', 'xlink:href'):
            if name in attrs:
                self.problems.append('external reference %s=%r' % (name, attrs[name]))
        if any(name.startswith('on') for name in attrs):
            self.problems.append('an event handler attribute on <%s>' % tag)
        if tag in ('script', 'iframe', 'object', 'embed', 'link', 'img'):
            self.problems.append('a <%s> element' % tag)
        if tag not in VOID:
            self.open.append(tag)
        classes = (attrs.get('class') or '').split()
        if tag == 'table':
            self.table = attrs.get('class', '')
            self.tables[self.table] = []
            self.day_classes[self.table] = []
        if tag == 'tr':
            self.row = []
        if tag == 'td':
            self.cell = ''
            if not self.row:
                self.day_classes[self.table].append(attrs.get('class', ''))
        if tag == 'g' and 'certificate' in classes:
            self.lanes.append([name for name in classes if name != 'certificate'])
        if tag == 'line' and 'threshold' in classes:
            self.thresholds += 1
        if tag == 'p' and 'skipped' in classes:
            self.text = ''

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append('</%s> closes <%s>' % (tag, self.open[-1] if self.open else 'nothing'))
            return
        self.open.pop()
        if tag == 'td':
            self.row.append(self.cell)
            self.cell = None
        if tag == 'tr' and self.row:
            self.tables[self.table].append(self.row)
            self.row = None
        if tag == 'p' and self.text is not None:
            self.skipped_notes.append(self.text)
            self.text = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.text is not None:
            self.text += data


def urgency(days):
    return 'expired' if days < 0 else 'critical' if days <= 7 else 'warning' if days <= 30 else 'ok'


def close_enough(days, wanted):
    # whole days: the count is N, or N - 1 once the half day has passed
    return days in (wanted, wanted - 1)


def check_rows(got, want, what, problems, ordered=True):
    """``got``: (service, name, days, state); ``want``: the same, from the command line."""
    keys = [(service, name, state) for service, name, days, state in got]
    wanted_keys = [(service, name, state) for service, name, days, state in want]
    if (keys if ordered else sorted(keys)) != (wanted_keys if ordered else sorted(wanted_keys)):
        problems.append('%s rows %r, expected %r' % (what, got, want))
        return
    lookup = dict(((service, name, state), days) for service, name, days, state in want)
    for service, name, days, state in got:
        if not close_enough(days, lookup[(service, name, state)]):
            problems.append('%s %s %s: %d days left, expected %d' % (what, service, name, days,
                                                                     lookup[(service, name, state)]))


def check_html(directory, csv_rows, args, problems):
    page = Page()
    with open(os.path.join(directory, 'expiry_report.html'), encoding='utf-8') as handle:
        text = handle.read()
    page.feed(text)
    page.close()
    problems.extend(page.problems)
    if page.open:
        problems.append('unclosed elements: %r' % page.open)
    if not text.lstrip().lower().startswith('<!doctype html>'):
        problems.append('no doctype')
    # Names hold markup on purpose (the CDN's): only the page's own elements may appear.
    for tag in set(page.elements) - {'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'span', 'figure',
                                     'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'svg', 'desc', 'g',
                                     'rect', 'line', 'text', 'circle'}:
        problems.append('a <%s> element, from unescaped text?' % tag)
    in_use = [row for row in csv_rows if row['state'] == 'in use']
    others = [row for row in csv_rows if row['state'] != 'in use']
    shown = [(row[1], row[2], int(row[0])) for row in page.tables.get('certificates', [])]
    if shown != [(row['service'], row['name'], int(row['days_left'])) for row in in_use]:
        problems.append('HTML rows in use %r differ from the CSV' % shown)
    if page.day_classes.get('certificates') != ['days ' + urgency(int(row['days_left'])) for row in in_use]:
        problems.append('day cells coloured %r' % page.day_classes.get('certificates'))
    shown_others = [(row[1], row[2], int(row[0]), row[3].split(' ')[0]) for row in page.tables.get('not-in-use', [])]
    if shown_others != [(row['service'], row['name'], int(row['days_left']), row['state']) for row in others]:
        problems.append('HTML replaced or revoked rows %r differ from the CSV' % shown_others)
    lanes = [urgency(int(row['days_left'])) if row['state'] == 'in use' else 'not-in-use' for row in csv_rows]
    if page.lanes != [[lane] for lane in lanes]:
        problems.append('timeline lanes %r, expected %r' % (page.lanes, lanes))
    if page.thresholds != 1:
        problems.append('%d threshold lines in the timeline' % page.thresholds)
    if text.count('<svg') != 1:
        problems.append('%d <svg> elements' % text.count('<svg'))
    if args.threshold is not None and 'threshold: %d days' % args.threshold not in text:
        problems.append('the threshold of %d days is not marked' % args.threshold)
    for service in args.skipped:
        if not any(note.startswith('Skipped %s: ' % service) for note in page.skipped_notes):
            problems.append('the page does not say %s was skipped (notes: %r)' % (service, page.skipped_notes))
    if len(page.skipped_notes) != len(args.skipped):
        problems.append('skipped notes %r, expected %r' % (page.skipped_notes, args.skipped))


def check_json(directory, metrics_dir, csv_rows, args, problems):
    with open(os.path.join(directory, 'expiry_report.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    got = [(row['service_name'], row['name'], row['days_left'], row['state']) for row in report['rows']]
    if got != [(row['service'], row['name'], int(row['days_left']), row['state']) for row in csv_rows]:
        problems.append('JSON rows %r differ from the CSV' % got)
    wanted_files = dict(html=os.path.join(directory, FILES[0]), csv=os.path.join(directory, FILES[1]),
                        json=os.path.join(directory, FILES[2]), prometheus=os.path.join(metrics_dir, FILES[3]))
    if report.get('files') != wanted_files:
        problems.append('JSON names the files %r, expected %r' % (report.get('files'), wanted_files))
    skipped = [service['service_name'] for service in report['services'] if not service['read']]
    if skipped != args.skipped:
        problems.append('JSON says %r were skipped, expected %r' % (skipped, args.skipped))
    if args.threshold is not None and report['expiry_days'] != args.threshold:
        problems.append('JSON expiry_days %r' % report['expiry_days'])
    for name, wanted in (item.split('|', 1) for item in args.used_by):
        used = [row['used_by'] for row in report['rows'] if row['name'] == name]
        if used != [wanted.split('; ') if wanted else []]:
            problems.append('%s is used by %r, expected %r' % (name, used, wanted))
    return report


def check_prometheus(metrics_dir, report, problems):
    path = os.path.join(metrics_dir, 'expiry_report.prom')
    with open(path, encoding='utf-8') as handle:
        families = dict((family.name, family) for family in text_string_to_metric_families(handle.read()))
    leftovers = [name for name in os.listdir(metrics_dir) if name.startswith('.expiry_report')]
    if leftovers:
        problems.append('temporary files left: %r' % leftovers)
    if os.stat(path).st_mode & 0o777 != 0o644:
        problems.append('%s is mode %o, node_exporter could not read it' % (path, os.stat(path).st_mode & 0o777))
    in_use = [row for row in report['rows'] if row['in_use']]
    for name, field in (('certfleet_certificate_not_after_seconds', 'not_after_seconds'),
                        ('certfleet_certificate_days_left', 'days_left')):
        family = families.get(name)
        if family is None or family.type != 'gauge' or not family.documentation:
            problems.append('%s: missing, not a gauge or without HELP' % name)
            continue
        got = sorted((sample.labels['service'], sample.labels['region'], sample.labels['name'], sample.labels['id'],
                      sample.value) for sample in family.samples)
        wanted = sorted((row['service'], row['region'], row['name'], row['id'], float(row[field])) for row in in_use)
        if got != wanted:
            problems.append('%s samples %r, expected %r' % (name, got, wanted))
    family = families.get('certfleet_expiry_report_service_read')
    got = sorted((sample.labels['service'], sample.value) for sample in family.samples) if family else None
    wanted = sorted((service['service'], 1.0 if service['read'] else 0.0) for service in report['services'])
    if got != wanted:
        problems.append('service_read samples %r, expected %r' % (got, wanted))
    return len(families)


def parse(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument('directory')
    parser.add_argument('--row', action='append', default=[])
    parser.add_argument('--other', action='append', default=[])
    parser.add_argument('--used-by', action='append', default=[])
    parser.add_argument('--skipped', action='append', default=[])
    parser.add_argument('--threshold', type=int)
    parser.add_argument('--metrics-dir')
    return parser.parse_args(argv)


def main(argv):
    args = parse(argv)
    # The playbook names the files by their real, absolute paths.
    directory = os.path.realpath(args.directory)
    metrics_dir = os.path.realpath(args.metrics_dir or directory)
    problems = []
    with open(os.path.join(directory, 'expiry_report.csv'), newline='', encoding='utf-8') as handle:
        csv_rows = list(csv.DictReader(handle))
    got = [(row['service'], row['name'], int(row['days_left']), row['state']) for row in csv_rows]
    want_in_use = [(service, name, int(days), 'in use') for service, name, days in (item.split('|') for item in args.row)]
    want_others = [(service, name, int(days), state)
                   for service, name, days, state in (item.split('|') for item in args.other)]
    check_rows([row for row in got if row[3] == 'in use'], want_in_use, 'CSV in use', problems)
    # Replaced and revoked certificates of one name and day differ only by ID: their order is the IDs'.
    check_rows([row for row in got if row[3] != 'in use'], want_others, 'CSV replaced or revoked', problems,
               ordered=False)
    if [row[3] == 'in use' for row in got] != sorted((row[3] == 'in use' for row in got), reverse=True):
        problems.append('replaced or revoked rows are mixed in with those in use: %r' % got)
    if any(SERVICE_KEYS.get(service) is None for service, dummy, dummy2, dummy3 in got):
        problems.append('unknown services in %r' % got)
    check_html(directory, csv_rows, args, problems)
    report = check_json(directory, metrics_dir, csv_rows, args, problems)
    families = check_prometheus(metrics_dir, report, problems)
    for problem in problems:
        print(problem)
    print('report checked: %d rows, %d metric families' % (len(got), families) if not problems else 'report FAILED')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
