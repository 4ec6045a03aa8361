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
      - V(false) is warned about on every run, since anyone on the path could then read the credentials
        and keys sent; O(ca_bundle) is not used then (the warning says so).
    type: bool
    default: true
  ca_bundle:
    description:
      - Path to a PEM bundle of CA certificates used to verify the endpoint.
      - Only used with O(validate_certs=true).
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
      - A host name that does not resolve is not retried.
      - A create is re-sent only when the service certainly did not receive it (HTTP 429, connection
        refused). When its answer is lost (timeout, dropped connection), it is never re-sent; the module
        re-reads for up to O(timeout) seconds whether it took effect, and otherwise fails saying that the
        create may still be in progress and that a rerun converges.
    type: int
    default: 5
notes:
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
  - An endpoint with plain C(http://) to a host other than this machine's loopback (the emulator) is warned
    about, naming the option, since credentials, tokens and keys would cross the network unencrypted.
requirements:
  - requests
'''
