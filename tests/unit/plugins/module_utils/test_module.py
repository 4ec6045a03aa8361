# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.certfleet.cloud.plugins.module_utils.module import private_key_texts


def test_private_key_text_is_found_wherever_it_was_put(pki):
    key = pki['www.example.com.key'].strip()
    assert private_key_texts(pki['www.example.com.pem'] + key) == [key]
    assert private_key_texts([{'x': key}]) == [key]
    truncated = key[:120]
    assert private_key_texts('prefix ' + truncated) == [truncated]
    assert private_key_texts(pki['www.example.com.fullchain.pem']) == []
    assert private_key_texts(42) == []
    rsa = '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----'
    assert private_key_texts(rsa) == [rsa]
