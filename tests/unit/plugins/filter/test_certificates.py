# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.certfleet.cloud.plugins.filter.certificates import (
    FilterModule, certificate_summary, days_left,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import load_certificates


def test_both_filters_are_exported():
    assert set(FilterModule().filters()) == {'certificate_summary', 'days_left'}


def test_the_summary_is_the_modules_summary_of_the_leaf(pki):
    bundle = pki['www.example.com.fullchain.pem']
    leaf = load_certificates(bundle, 'certificate')[0]
    now = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    summary = certificate_summary(bundle, now='2026-12-01T00:00:00Z')
    assert summary == leaf.summary(now)
    assert summary['subject'] == 'CN=www.example.com'
    assert summary['sans'] == ['www.example.com']


def test_a_key_or_garbage_is_refused_without_echoing_it(pki):
    key = pki['www.example.com.key']
    with pytest.raises(AnsibleFilterError) as error:
        certificate_summary(key)
    assert 'certificate_summary' in str(error.value)
    body = key.splitlines()[1]
    assert body not in str(error.value)
    with pytest.raises(AnsibleFilterError, match='expects PEM text'):
        certificate_summary({'not': 'pem'})


@pytest.mark.parametrize('value, now, expected', [
    ('2027-01-31T00:00:00Z', '2027-01-01T00:00:00Z', 30),
    ('2027-01-31T00:00:00Z', '2027-01-30T23:59:59Z', 0),
    ('2027-01-31T00:00:00Z', '2027-02-01T00:00:00Z', -1),
    ('2027-01-31 08:00:00+08:00', '2027-01-01T00:00:00Z', 30),
    ({'not_after': '2027-01-11T00:00:00Z'}, '2027-01-01T00:00:00Z', 10),
])
def test_days_left_counts_whole_days(value, now, expected):
    assert days_left(value, now=now) == expected


def test_days_left_of_pem_and_of_a_summary_agree(pki):
    bundle = pki['www.example.com.fullchain.pem']
    summary = certificate_summary(bundle)
    assert days_left(bundle) == days_left(summary) == summary['days_left']


@pytest.mark.parametrize('value', ['soon', 42, {'serial': '01'}, None])
def test_days_left_refuses_what_is_not_a_time(value):
    with pytest.raises(AnsibleFilterError, match='days_left'):
        days_left(value)
