# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # A module that changes a resource.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    support: full
    description:
      - Sends no write; reports the same C(changed) and C(diff) the real run would, and fails on the
        same bad input.
  diff_mode:
    support: full
    description:
      - "Certificates appear as summaries (subject, SANs, serial, validity, SHA-256 fingerprint where
        known); private keys and secrets only as C(<redacted>) or C(<redacted: changed>)."
'''

    # An _info module.
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
'''
