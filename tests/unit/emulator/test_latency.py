# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""--latency holds back API answers (not admin ones), and concurrent callers wait in parallel."""

from __future__ import annotations

import concurrent.futures
import time
import urllib.error
import urllib.request

from cloudemu.server import parse_args

LATENCY = 0.3


def timed_get(url):
    started = time.monotonic()
    try:
        urllib.request.urlopen(url, timeout=10).close()  # nosec - loopback only
    except urllib.error.HTTPError as error:
        error.close()  # an unsigned request is refused, after the latency like any answer
    return time.monotonic() - started


def test_the_flag_is_parsed():
    assert parse_args(['--latency', '0.2']).latency == 0.2
    assert parse_args([]).latency == 0.0


def test_api_answers_are_held_back_and_admin_answers_are_not(emulator):
    emulator.state.latency = LATENCY
    try:
        api_url = emulator.url + '/v3/%s/elb/certificates' % emulator.options.project_id
        assert timed_get(api_url) >= LATENCY
        started = time.monotonic()
        emulator.admin('GET', 'health')
        admin_seconds = time.monotonic() - started
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            started = time.monotonic()
            waits = list(pool.map(timed_get, [api_url] * 4))
            together = time.monotonic() - started
    finally:
        emulator.state.latency = 0
    assert admin_seconds < LATENCY
    assert min(waits) >= LATENCY
    # Four callers at once wait about one latency, not four.
    assert together < 4 * LATENCY
