# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # HTTP options shared by the modules of every provider.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoint.
    type: bool
    default: true
  ca_bundle:
    description:
      - Path to a PEM bundle of CA certificates used to verify the endpoint.
    type: path
  timeout:
    description:
      - Connect and read timeout of each HTTP request, in seconds.
    type: float
    default: 30
  max_retries:
    description:
      - How many times a request is retried on HTTP 429, 500, 502, 503, 504 or a connection
        error, with exponential backoff and jitter, honouring C(Retry-After).
      - A create is never re-sent after an ambiguous failure before the module has re-read
        whether it took effect.
    type: int
    default: 5
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
requirements:
  - requests
'''
