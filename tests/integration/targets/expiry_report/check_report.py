# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check the expiry report's files: the CSV rows are as expected, in order; the HTML page is
well-formed (every element closed, properly nested), self-contained (no external reference) and
shows the same rows, each day count coloured by its urgency.

    check_report.py DIR 'SERVICE|NAME|DAYS' ...
"""

from __future__ import annotations

import csv
import html.parser
import sys

VOID = {'meta', 'br', 'hr', 'img', 'link', 'input'}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.rows, self.cell, self.row, self.problems, self.classes = [], [], None, None, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ('src', 'href'):
            if name in attrs:
                self.problems.append('external reference %s=%r' % (name, attrs[name]))
        if tag in ('script', 'iframe', 'object'):
            self.problems.append('a <%s> element' % tag)
        if tag not in VOID:
            self.open.append(tag)
        if tag == 'tr':
            self.row = []
        if tag == 'td':
            self.cell = ''
            if not self.row:
                self.classes.append(attrs.get('class', ''))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append('</%s> closes <%s>' % (tag, self.open[-1] if self.open else 'nothing'))
            return
        self.open.pop()
        if tag == 'td':
            self.row.append(self.cell)
            self.cell = None
        if tag == 'tr' and self.row:
            self.rows.append(self.row)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def urgency(days):
    return 'expired' if days < 0 else 'critical' if days <= 7 else 'warning' if days <= 30 else 'ok'


def main(directory, *expected):
    with open(directory + '/expiry_report.csv', newline='') as handle:
        rows = list(csv.DictReader(handle))
    got = [(row['service'], row['name'], int(row['days_left'])) for row in rows]
    want = [(service, name, int(days)) for service, name, days in (item.split('|') for item in expected)]
    problems = []
    if [(service, name) for service, name, days in got] != [(service, name) for service, name, days in want]:
        problems.append('CSV rows %r, expected %r' % (got, want))
    for (service, name, days), (dummy, dummy2, wanted) in zip(got, want):
        # whole days: the count is N, or N - 1 once the half day has passed
        if days not in (wanted, wanted - 1):
            problems.append('%s %s: %d days left, expected %d' % (service, name, days, wanted))
    page = Page()
    with open(directory + '/expiry_report.html') as handle:
        text = handle.read()
    page.feed(text)
    page.close()
    problems.extend(page.problems)
    if page.open != []:
        problems.append('unclosed elements: %r' % page.open)
    html_rows = [(row[1], row[2], int(row[0])) for row in page.rows]
    if html_rows != got:
        problems.append('HTML rows %r differ from the CSV rows %r' % (html_rows, got))
    if page.classes != ['days ' + urgency(days) for dummy, dummy2, days in got]:
        problems.append('day cells coloured %r' % page.classes)
    if not text.lstrip().lower().startswith('<!doctype html>'):
        problems.append('no doctype')
    for problem in problems:
        print(problem)
    print('report checked: %d rows' % len(got) if not problems else 'report FAILED')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
