# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""certificate_summary and days_left: the modules' shared certificate summary, for any playbook."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import (
    CRYPTOGRAPHY_IMPORT_ERROR, load_certificates, parse_time,
)


def _now(now):
    if now is None:
        return datetime.datetime.now(datetime.timezone.utc)
    moment = parse_time(now)
    if moment is None:
        raise AnsibleFilterError('days_left: now=%r is not a time' % (now,))
    return moment


def _certificates(pem, what):
    if CRYPTOGRAPHY_IMPORT_ERROR:
        raise AnsibleFilterError('%s: the cryptography Python library is required' % what)
    try:
        return load_certificates(to_text(pem), 'certificate')
    except InputError as exc:
        raise AnsibleFilterError('%s: %s' % (what, exc))


def certificate_summary(pem, now=None):
    """The shared summary (the modules' C(summary)) of the first certificate of a PEM text."""
    if not isinstance(pem, str):
        raise AnsibleFilterError('certificate_summary: expects PEM text, got %s' % type(pem).__name__)
    return _certificates(pem, 'certificate_summary')[0].summary(_now(now))


def days_left(value, now=None):
    """Whole days until a certificate expires: of a summary, a PEM text or a time; negative once expired."""
    moment = None
    if isinstance(value, dict):
        if value.get('not_after') is None:
            raise AnsibleFilterError('days_left: the summary has no not_after')
        moment = parse_time(value['not_after'])
    elif isinstance(value, str) and '-----BEGIN' in value:
        moment = _certificates(value, 'days_left')[0].not_after
    else:
        moment = parse_time(value)
    if moment is None:
        raise AnsibleFilterError('days_left: expects a certificate summary, PEM text or a time such as '
                                 '2027-01-31T00:00:00Z, got %r' % (value,))
    return (moment - _now(now)).days


class FilterModule(object):

    def filters(self):
        return {
            'certificate_summary': certificate_summary,
            'days_left': days_left,
        }
