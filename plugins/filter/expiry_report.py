# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""expiry_report_data and expiry_report_render: the rows of the expiry report and its outputs.

The playbook ``certfleet.cloud.expiry_report`` registers what the info modules return; these filters
turn that into one report (``expiry_report_data``) and the report into text (``expiry_report_render``:
the console table, CSV, JSON, the Prometheus text exposition format and the SVG timeline). Python
rather than Jinja, so that every output is unit-tested and escaped in one place.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import datetime
import io
import json
import math
import re

from html import escape

from ansible.errors import AnsibleFilterError

from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import format_time, parse_time

# Service key -> (display name, provider). The order is the order of the report's columns and sections.
SERVICES = (
    ('elb', 'ELB', 'huaweicloud'),
    ('vpn', 'VPN', 'huaweicloud'),
    ('ccm', 'CCM', 'huaweicloud'),
    ('netcenter', 'Wangsu CDN', 'netcenter'),
)
SERVICE_NAMES = dict((key, name) for key, name, dummy in SERVICES)
SERVICE_ORDER = dict((key, index) for index, (key, dummy, dummy2) in enumerate(SERVICES))

# Upper bounds (inclusive) of days left for each urgency; the HTML page's colours follow them.
URGENCIES = (('expired', -1), ('critical', 7), ('warning', 30))
COLOURS = {'expired': '#7f0000', 'critical': '#d32f2f', 'warning': '#f9a825', 'ok': '#43a047',
           'not-in-use': '#9e9e9e'}
ZONE_COLOURS = {'expired': '#f3d6d6', 'critical': '#fbe0e0', 'warning': '#fdf3d0'}

IN_USE = 'in use'
REPLACED = 'replaced'
REVOKED = 'revoked'
CCM_ISSUED = 'ISSUED'
CCM_REVOKED = 'REVOKED'
WHOLE_NUMBER = re.compile(r'^[0-9]+$')
CN = re.compile(r'(?:^|,)\s*CN=((?:[^,\\]|\\.)*)')
# Text a spreadsheet would run as a formula (CSV injection); such cells get a leading apostrophe.
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
FORMATS = ('console', 'csv', 'json', 'prometheus', 'timeline')
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def whole_days(value, name='expiry_days'):
    """``value`` as a whole number of days, 0 or more; anything else is refused, naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise AnsibleFilterError('%s: must be a whole number of days, 0 or more (got %r)' % (name, value))
    text = str(value).strip() if isinstance(value, str) else str(value)
    if not WHOLE_NUMBER.match(text):
        raise AnsibleFilterError('%s: must be a whole number of days, 0 or more (got %r)' % (name, value))
    return int(text)


def urgency(days_left):
    if days_left is None:
        return 'ok'
    for name, bound in URGENCIES:
        if days_left <= bound:
            return name
    return 'ok'


def _format(moment):
    return format_time(moment) if moment else None


def _now(now):
    if now is None:
        return datetime.datetime.now(datetime.timezone.utc)
    moment = parse_time(now)
    if moment is None:
        raise AnsibleFilterError('expiry_report_data: now=%r is not a time' % (now,))
    return moment


def common_name(subject):
    """The CN of an RFC 4514 subject, unescaped; None without one."""
    found = CN.search(subject or '')
    return re.sub(r'\\(.)', r'\1', found.group(1)).strip() if found else None


# Rows ------------------------------------------------------------------------------------------------

def _row(service, region, item, name, certificate_id, not_after, used_by, used_by_known, note=None):
    summary = item.get('summary') or {}
    moment = parse_time(not_after) or parse_time(summary.get('not_after'))
    return {
        'service': service,
        'service_name': SERVICE_NAMES[service],
        'region': region or '',
        'name': name or common_name(summary.get('subject')) or '',
        'id': '' if certificate_id is None else str(certificate_id),
        'subject': summary.get('subject') or '',
        'issuer': summary.get('issuer') or '',
        'serial': summary.get('serial') or '',
        'not_after': _format(moment),
        'not_after_seconds': int(math.floor((moment - EPOCH).total_seconds())) if moment else None,
        # The module's count, on the service's clock; the report never recounts it on another.
        'days_left': item.get('expires_in_days'),
        'state': IN_USE,
        'in_use': True,
        'replaced_by': None,
        'used_by': [text for text in used_by if text],
        'used_by_known': used_by_known,
        'note': note,
    }


def elb_rows(certificates, region):
    # The ELB certificate list does not say which listeners use a certificate.
    return [_row('elb', region, item, item.get('name'), item.get('id'), item.get('expire_time'), [], False)
            for item in certificates]


VPN_PARTS = (('signature', 'certificate_expire_time'), ('encryption', 'enc_certificate_expire_time'),
             ('chain', 'certificate_chain_expire_time'))


def vpn_rows(certificates, region):
    rows = []
    for item in certificates:
        # The module counts days to the first of the three to expire: so does not_after here.
        parts = [(parse_time(item.get(field)), part) for part, field in VPN_PARTS if parse_time(item.get(field))]
        # On a tie the signature certificate is named: min() keeps the first of equal keys.
        first = min(parts, key=lambda part: part[0]) if parts else (None, None)
        note = 'the %s certificate expires first' % first[1] if first[1] not in (None, 'signature') else None
        gateway = item.get('vgw_id')
        rows.append(_row('vpn', region, item, item.get('name'), item.get('id'), _format(first[0]),
                         ['VPN gateway %s' % gateway] if gateway else [], True, note))
    return rows


def netcenter_rows(certificates, region):
    rows = []
    for item in certificates:
        domains = [domain.get('domain_name') for domain in item.get('related_domains') or []
                   if isinstance(domain, dict)]
        rows.append(_row('netcenter', region, item, item.get('name'), item.get('id'), item.get('not_after'),
                         domains, 'related_domains' in item))
    return rows


def _ccm_cn(item):
    dn = item.get('distinguished_name') or {}
    return dn.get('common_name') or common_name((item.get('summary') or {}).get('subject')) or ''


def _ccm_in_use(items):
    """Of certificates sharing one name, the one in use: the newest ISSUED one, else the newest EXPIRED one
    (nothing replaced it), else None (a revoked certificate is never in use)."""
    ordered = sorted(items, key=lambda item: item.get('create_time') or 0, reverse=True)
    issued = [item for item in ordered if item.get('status') == CCM_ISSUED]
    others = [item for item in ordered if item.get('status') != CCM_REVOKED]
    return (issued or others or [None])[0]


def ccm_rows(certificates, region):
    """One row per certificate; of those of one name, one is in use and the others replaced or revoked.

    A renewal untags the certificate it replaces, so its successor is found by what both keep: the
    issuing CA and the common name. When the module shows the name it manages a certificate under (its
    ``certfleet.name`` tag, as ``name``), each such name has its own certificate in use.
    """
    groups = {}
    for item in certificates:
        key = (item.get('issuer_id') or item.get('issuer_name') or '', _ccm_cn(item).lower())
        groups.setdefault(key, []).append(item)
    rows = []
    for items in groups.values():
        names = sorted(set(item['name'] for item in items if item.get('name')))
        if names:
            current = [_ccm_in_use([item for item in items if item.get('name') == name]) for name in names]
        else:
            current = [_ccm_in_use(items)]
        current_ids = [item['certificate_id'] for item in current if item]
        for item in items:
            row = _row('ccm', region, item, item.get('name') or _ccm_cn(item), item.get('certificate_id'),
                       (item.get('summary') or {}).get('not_after'), [], False)
            if item.get('certificate_id') not in current_ids:
                row['in_use'] = False
                row['state'] = REVOKED if item.get('status') == CCM_REVOKED else REPLACED
                row['replaced_by'] = current_ids[0] if current_ids else None
            rows.append(row)
    return rows


ROWS = {'elb': elb_rows, 'vpn': vpn_rows, 'ccm': ccm_rows, 'netcenter': netcenter_rows}


def _in_window(row, expiry_days):
    days = row['days_left']
    if days is None or days > expiry_days:
        return False
    # A replaced or revoked certificate that has expired is nobody's concern any more.
    return row['in_use'] or days >= 0


def _sort_key(row):
    return (not row['in_use'], row['days_left'], SERVICE_ORDER[row['service']], row['name'], row['id'])


def expiry_report_data(sources, expiry_days, now=None):
    """The report: rows (in use first, soonest first), the services read or skipped, counts."""
    days = whole_days(expiry_days)
    if not isinstance(sources, list):
        raise AnsibleFilterError('expiry_report_data: expects a list of {service, result} entries, got %s'
                                 % type(sources).__name__)
    rows, services = [], []
    for index, source in enumerate(sources):
        if not isinstance(source, dict) or source.get('service') not in ROWS:
            raise AnsibleFilterError('expiry_report_data: entry %d must be a dict whose service is one of %s'
                                     % (index + 1, ', '.join(ROWS)))
        service = source['service']
        result = source.get('result') or {}
        region = result.get('region') or source.get('region') or ''
        certificates = result.get('certificates')
        entry = {'service': service, 'service_name': SERVICE_NAMES[service], 'region': region,
                 'read': isinstance(certificates, list), 'reason': None, 'listed': 0}
        if entry['read']:
            entry['listed'] = len(certificates)
            rows.extend(row for row in ROWS[service](certificates, region) if _in_window(row, days))
        else:
            entry['reason'] = result.get('msg') or source.get('reason') or 'not read'
        services.append(entry)
    rows.sort(key=_sort_key)
    for row in rows:
        row['urgency'] = urgency(row['days_left'])
    in_use = [row for row in rows if row['in_use']]
    counts = dict((name, sum(1 for row in in_use if row['urgency'] == name))
                  for name in ('expired', 'critical', 'warning', 'ok'))
    counts.update(in_use=len(in_use), not_in_use=len(rows) - len(in_use))
    return {'expiry_days': days, 'generated_at': _format(_now(now)), 'rows': rows, 'services': services,
            'counts': counts}


# Outputs ---------------------------------------------------------------------------------------------

def _used_by_text(row, empty='none'):
    if not row.get('used_by_known'):
        return 'not reported by the API'
    return ', '.join(row.get('used_by') or []) or empty


def _shorten(text, width):
    return text if len(text) <= width else text[:width - 1] + '…'


def render_console(report):
    rows = report['rows']
    in_use = [row for row in rows if row['in_use']]
    lines = ['Certificates expiring within %d days: %d in use (%s)' % (
        report['expiry_days'], len(in_use), ', '.join('%d %s' % (report['counts'][name], name) for name in
                                                      ('expired', 'critical', 'warning', 'ok')))]
    line = '%9s  %-10s  %-30s  %-20s  %-36s  %s'
    if in_use:
        lines.append(line % ('days left', 'service', 'name', 'expires', 'used by', 'id'))
        lines.extend(line % (row['days_left'], row['service_name'], row['name'], row['not_after'],
                             _shorten(_used_by_text(row), 36), row['id']) for row in in_use)
    others = [row for row in rows if not row['in_use']]
    if others:
        lines.append('Replaced or revoked, no longer in use (not counted, not in the metrics): %d' % len(others))
        lines.extend(line % (row['days_left'], row['service_name'], row['name'], row['not_after'],
                             '%s; in use: %s' % (row['state'], row['replaced_by']) if row['replaced_by'] else row['state'],
                             row['id']) for row in others)
    for service in report['services']:
        if not service['read']:
            lines.append('Skipped %s: %s' % (service['service_name'], service['reason']))
    return '\n'.join(lines) + '\n'


CSV_COLUMNS = ('days_left', 'service', 'name', 'id', 'state', 'replaced_by', 'region', 'not_after', 'used_by',
               'subject', 'issuer', 'serial', 'urgency')


def _csv_cell(value):
    if value is None:
        return ''
    if isinstance(value, list):
        value = '; '.join(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def render_csv(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\r\n')
    writer.writerow(CSV_COLUMNS)
    for row in report['rows']:
        shown = dict(row, service=row['service_name'],
                     used_by=row['used_by'] if row['used_by_known'] else 'not reported by the API')
        writer.writerow([row['days_left'] if column == 'days_left' else _csv_cell(shown[column])
                         for column in CSV_COLUMNS])
    return out.getvalue()


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + '\n'


METRICS = (
    ('certfleet_certificate_not_after_seconds', 'not_after_seconds',
     'End of validity (notAfter) of a certificate in use, as a Unix time in seconds.'),
    ('certfleet_certificate_days_left', 'days_left',
     'Whole days until a certificate in use expires, on its service\'s clock; negative once expired.'),
)
SERVICE_READ_METRIC = ('certfleet_expiry_report_service_read',
                       'Whether the expiry report read the service (1) or skipped it (0), for lack of credentials '
                       'or because it was not asked for.')
LABELS = ('service', 'region', 'name', 'id')


def label_value(value):
    """A label value escaped as the text exposition format requires: backslash, double quote, line feed."""
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def help_text(text):
    return text.replace('\\', '\\\\').replace('\n', '\\n')


def _labels(pairs):
    return '{%s}' % ','.join('%s="%s"' % (name, label_value(value)) for name, value in pairs)


def render_prometheus(report):
    """The Prometheus text exposition format, as node_exporter's textfile collector reads it (no timestamps).

    Only certificates in use: a replaced or revoked one expiring is not a reason to page anyone.
    """
    lines = []
    in_use = [row for row in report['rows'] if row['in_use']]
    for metric, field, description in METRICS:
        lines.append('# HELP %s %s' % (metric, help_text(description)))
        lines.append('# TYPE %s gauge' % metric)
        for row in in_use:
            if row[field] is not None:
                lines.append('%s%s %d' % (metric, _labels((name, row[name]) for name in LABELS), row[field]))
    metric, description = SERVICE_READ_METRIC
    lines.append('# HELP %s %s' % (metric, help_text(description)))
    lines.append('# TYPE %s gauge' % metric)
    for service in report['services']:
        lines.append('%s%s %d' % (metric, _labels([('service', service['service']), ('region', service['region'])]),
                                  1 if service['read'] else 0))
    return '\n'.join(lines) + '\n'


# The timeline ----------------------------------------------------------------------------------------

# The SVG's geometry, in pixels: the whole width, the lane labels' column, the right margin, the space
# above the lanes (today and the threshold are labelled there), one lane, the axis below.
WIDTH = 1000
LABEL_WIDTH = 300
RIGHT = 60
TOP = 46
LANE = 24
BOTTOM = 34
TICK_STEPS = (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365, 730, 1825, 3650, 7300, 18250, 36500)


def _tick_step(span):
    for step in TICK_STEPS:
        if span / step <= 10:
            return step
    return int(math.ceil(span / 10.0))


def _attr(value):
    return escape(str(value), quote=True)


def render_timeline(report):
    """An inline SVG: one lane per certificate on a days-left axis, coloured by urgency; today and the
    threshold (``expiry_days``) marked. No script, no external reference; every text escaped."""
    rows, days = report['rows'], report['expiry_days']
    values = [row['days_left'] for row in rows if row['days_left'] is not None]
    low = min(values + [0])
    high = max(values + [days, 1])
    pad = max(1.0, (high - low) * 0.04)
    low, high = low - pad, high + pad
    plot = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + max(len(rows), 1) * LANE + BOTTOM

    def x(value):
        return round(LABEL_WIDTH + (value - low) * plot / (high - low), 1)

    title = 'Days left of %d certificate(s), threshold %d days' % (len(rows), days)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" width="%d" height="%d" '
           'viewBox="0 0 %d %d" aria-labelledby="timeline-title timeline-desc" '
           'font-family="sans-serif" font-size="12">' % (WIDTH, height, WIDTH, height),
           '<title id="timeline-title">%s</title>' % escape(title),
           '<desc id="timeline-desc">Each bar runs from today to the end of validity of one certificate; bars '
           'left of today have expired. Red: expired or 7 days or less; amber: 30 days or less; green: later; '
           'grey, hatched: replaced or revoked. The dashed line is the report threshold.</desc>']
    bottom = TOP + max(len(rows), 1) * LANE
    # Urgency zones behind the lanes, clipped to the axis; whole days, so a border sits between two days.
    for name, start, end in (('expired', low, 0), ('critical', 0, 7.5), ('warning', 7.5, 30.5)):
        start, end = max(start, low), min(end, high)
        if end > start:
            out.append('<rect class="zone %s" x="%s" y="%d" width="%s" height="%d" fill="%s"/>' % (
                name, x(start), TOP, round(x(end) - x(start), 1), bottom - TOP, ZONE_COLOURS[name]))
    step = _tick_step(high - low)
    tick = int(math.ceil(low / step)) * step
    while tick <= high:
        out.append('<line class="tick" x1="%s" y1="%d" x2="%s" y2="%d" stroke="#ddd"/>' % (
            x(tick), TOP, x(tick), bottom))
        out.append('<text x="%s" y="%d" text-anchor="middle" fill="#555">%d</text>' % (x(tick), bottom + 16, tick))
        tick += step
    out.append('<text x="%s" y="%d" text-anchor="middle" fill="#555">days left</text>' % (
        LABEL_WIDTH + plot / 2, bottom + 30))
    out.append('<line class="today" x1="%s" y1="%d" x2="%s" y2="%d" stroke="#222" stroke-width="1.5"/>' % (
        x(0), TOP - 8, x(0), bottom))
    out.append('<text x="%s" y="%d" text-anchor="middle" fill="#222">today</text>' % (x(0), TOP - 12))
    out.append('<line class="threshold" x1="%s" y1="%d" x2="%s" y2="%d" stroke="#1565c0" stroke-width="2" '
               'stroke-dasharray="6 4"/>' % (x(days), TOP - 22, x(days), bottom))
    out.append('<text x="%s" y="%d" text-anchor="%s" fill="#1565c0">threshold: %d days</text>' % (
        x(days), TOP - 26, 'end' if x(days) > WIDTH - 120 else 'middle', days))
    if not rows:
        out.append('<text x="%s" y="%d" text-anchor="middle" fill="#555">No certificate expires within %d days'
                   '</text>' % (LABEL_WIDTH + plot / 2, TOP + LANE * 0.65, days))
    for index, row in enumerate(rows):
        top = TOP + index * LANE
        middle = top + LANE / 2.0
        value = row['days_left']
        kind = row['urgency'] if row['in_use'] else 'not-in-use'
        colour = COLOURS[kind]
        label = '%s · %s' % (row['service_name'], row['name'])
        state = '' if row['in_use'] else ' (%s)' % row['state']
        tip = '%s %s%s: %d days left, expires %s%s' % (
            row['service_name'], row['name'], state, value, row['not_after'],
            '; used by %s' % _used_by_text(row) if row['used_by_known'] else '')
        out.append('<g class="certificate %s">' % _attr(kind))
        out.append('<title>%s</title>' % escape(tip))
        if index % 2:
            out.append('<rect x="0" y="%d" width="%d" height="%d" fill="#000" fill-opacity="0.03"/>' % (
                top, WIDTH, LANE))
        out.append('<text x="%d" y="%s" text-anchor="end" fill="%s">%s</text>' % (
            LABEL_WIDTH - 8, middle + 4, '#222' if row['in_use'] else '#777', escape(_shorten(label + state, 44))))
        start, end = sorted((x(0), x(value)))
        dashed = '' if row['in_use'] else ' stroke="%s" stroke-dasharray="3 2" fill-opacity="0.35"' % colour
        out.append('<rect class="bar" x="%s" y="%s" width="%s" height="%d" rx="2" fill="%s"%s/>' % (
            start, top + 6, round(max(end - start, 1.5), 1), LANE - 12, colour, dashed))
        out.append('<circle cx="%s" cy="%s" r="4.5" fill="%s" stroke="#fff" stroke-width="1"/>' % (
            x(value), middle, colour))
        # Right of the bar, or of today for an expired one: left of it are the lane labels.
        out.append('<text x="%s" y="%s" fill="%s">%d d</text>' % (max(x(value), x(0)) + 8, middle + 4, colour, value))
        out.append('</g>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'


RENDERERS = {'console': render_console, 'csv': render_csv, 'json': render_json, 'prometheus': render_prometheus,
             'timeline': render_timeline}


def expiry_report_render(report, output='console'):
    """The report as text in one of ``FORMATS``."""
    if output not in RENDERERS:
        raise AnsibleFilterError('expiry_report_render: the format must be one of %s, not %r'
                                 % (', '.join(FORMATS), output))
    if not isinstance(report, dict) or not isinstance(report.get('rows'), list):
        raise AnsibleFilterError('expiry_report_render: expects the report expiry_report_data returns')
    return RENDERERS[output](report)


class FilterModule(object):

    def filters(self):
        return {
            'expiry_report_data': expiry_report_data,
            'expiry_report_render': expiry_report_render,
        }
