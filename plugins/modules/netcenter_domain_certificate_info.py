#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: netcenter_domain_certificate_info
short_description: List Wangsu (ChinaNetCenter) accelerated domains with the certificate each serves
version_added: 0.1.0
description:
  - Lists accelerated domains of the Wangsu / ChinaNetCenter CDN with their SSL settings and the certificate each
    serves, optionally narrowed to some domains or to the domains that serve some certificates.
  - The domain list shows no SSL setting, so each domain returned is queried.
  - "Requests per run, the certificate list included: no filter, 2 + D for the D domains of the account;
    O(domains), 1 + N for N domains; O(certificate), 1 + the domains the certificate list reports for those
    certificates (each is queried to confirm it)."
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.netcenter
  - certfleet.cloud.connection
  - certfleet.cloud.attributes.info_module
options:
  domains:
    description:
      - Accelerated domain names to return. Without O(certificate), a name the account does not have fails the task.
    type: list
    elements: str
    aliases: [ domain ]
  certificate:
    description:
      - IDs or names of certificates; only the domains serving one of them are returned. A name or ID that does
        not exist fails the task.
    type: list
    elements: str
seealso:
  - module: certfleet.cloud.netcenter_domain_certificate
  - module: certfleet.cloud.netcenter_certificate_info
'''

EXAMPLES = r'''
- name: Every domain and its certificate
  certfleet.cloud.netcenter_domain_certificate_info:
  register: cdn

- name: The domains still serving the old certificate
  certfleet.cloud.netcenter_domain_certificate_info:
    certificate: [www-example-com-2026]
  register: still_old

- name: Show them
  ansible.builtin.debug:
    msg: "{{ still_old.domains | map(attribute='domain_name') | list }}"
'''

RETURN = r'''
domains:
  description:
    - The matching domains, in the order of O(domains), else of the domain list; with O(certificate), in the order
      the certificate list reports them for each certificate.
  returned: always
  type: list
  elements: dict
  sample:
    - domain_name: www.example.com
      domain_id: "1001"
      service_type: web
      cname: 068503358dddd2.cdn20.com
      status: Deployed
      enabled: true
      use_ssl: true
      use_for_sni: true
      certificate_id: "100002"
      certificate_name: www-example-com-2027
      certificate:
        serial: 0149079A35D03CF4E571381F0F57E551B8F93459
        sha256_fingerprint: null
        not_before: "2026-11-21T19:14:25Z"
        not_after: "2027-02-19T19:14:25Z"
        subject: null
        issuer: CN=certfleet test CA
        sans: [ www.example.com ]
        days_left: 88
  contains:
    domain_name:
      description: The accelerated domain name.
      type: str
    domain_id:
      description: The domain's ID.
      type: str
    service_type:
      description: The domain's acceleration type as the API names it.
      type: str
    cname:
      description: The CNAME of the domain.
      type: str
    status:
      description: The deployment status (C(Deployed), C(InProgress)).
      type: str
    enabled:
      description: Whether the domain's service is enabled.
      type: bool
    use_ssl:
      description: Whether the domain serves HTTPS with a certificate.
      type: bool
    use_for_sni:
      description: Whether the certificate is served by SNI, as the query reports it.
      type: bool
    certificate_id:
      description: ID of the certificate the domain serves; V(null) when it serves none.
      type: str
    certificate_name:
      description: Name of that certificate; V(null) when it serves none.
      type: str
    certificate:
      description:
        - Summary of that certificate from the certificate list (C(subject) and C(sha256_fingerprint) V(null),
          the list shows neither); V(null) when the domain serves none.
      type: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import (
    INFO_ARGUMENT_SPEC, NetcenterDomainApi, list_domain_certificates,
)


def main():
    module = NetcenterModule(argument_spec=INFO_ARGUMENT_SPEC, supports_check_mode=True)
    module.run(lambda module: list_domain_certificates(module.params, NetcenterDomainApi(module.client)))


if __name__ == '__main__':
    main()
