#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: netcenter_domain_certificate
short_description: Choose the certificate that Wangsu (ChinaNetCenter) accelerated domains serve
version_added: 0.1.0
description:
  - Sets the SSL settings of one or more accelerated domains of the Wangsu / ChinaNetCenter CDN (the domain
    API's C(use-ssl) and C(ssl-certificate-id)) so that each serves a certificate already uploaded with
    M(certfleet.cloud.netcenter_certificate), or, with O(state=absent), no longer serves it.
  - The certificate must cover every domain, as TLS matches names (a SAN, else the CN, equal to the domain,
    or a wildcard for exactly one label). This is checked before any write, in check mode too, from the DNS
    names the certificate list reports; a refusal names O(domains) and the domains left uncovered, and
    nothing is changed.
  - Domains and the certificate are checked to exist before the first write. A domain that already serves
    the certificate is left alone; a rerun changes nothing.
  - "Requests per run, for N domains of which W change: the certificate list, one query per domain, and one
    edit (C(PUT /api/domain/{domain}), only its C(ssl) settings) per domain that changes: 1 + N + W. An
    unchanged rerun makes 1 + N reads and no write; check mode the same reads and no write."
  - The diff shows, per domain, whether it serves HTTPS and which certificate, with the certificate's
    summary as the certificate list reports it (serial, validity, issuer, DNS names; the list shows no
    subject and no fingerprint, M(certfleet.cloud.netcenter_certificate_info) has them).
  - A certificate that a domain uses cannot be deleted (the API refuses it); move the domains to another
    certificate, or set O(state=absent), first.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.netcenter
  - certfleet.cloud.connection
  - certfleet.cloud.attributes
options:
  domains:
    description:
      - Accelerated domain names of the account (C(www.example.com), or a wildcard domain such as
        C(*.example.com)). Case and a final dot do not matter; a name given twice counts once.
    type: list
    elements: str
    required: true
    aliases: [ domain ]
  certificate:
    description:
      - ID or name of a certificate of the account (an ID is tried first).
      - Required with O(state=present).
      - With O(state=absent), only domains that serve this certificate have SSL turned off; domains that serve
        another certificate are left alone. A certificate that does not exist is used by no domain, so nothing
        changes.
    type: str
  state:
    description:
      - V(present) makes every domain serve O(certificate) over HTTPS (SNI).
      - V(absent) turns SSL off on the domains (the API takes no certificate without SSL), so they stop serving
        HTTPS. Without O(certificate) this applies to every domain listed.
    type: str
    choices: [ present, absent ]
    default: present
notes:
  - Only the C(ssl) object of the domain edit is sent; origins, caching and every other setting of the domain are
    left as they are.
  - The API accepts only SNI certificates (C(use-for-sni=true)); a shared certificate is not supported by it.
  - Domains are edited one after another. When the API refuses one edit, the error names the domains already
    changed in that run; a rerun completes the others.
seealso:
  - module: certfleet.cloud.netcenter_certificate
  - module: certfleet.cloud.netcenter_domain_certificate_info
'''

EXAMPLES = r'''
- name: Upload the certificate
  certfleet.cloud.netcenter_certificate:
    name: www-example-com-2027
    certificate: "{{ lookup('file', 'www.fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.key') }}"

- name: Serve it on two accelerated domains
  certfleet.cloud.netcenter_domain_certificate:
    domains: [www.example.com, static.example.com]
    certificate: www-example-com-2027

- name: Stop serving HTTPS on a domain, whatever certificate it uses
  certfleet.cloud.netcenter_domain_certificate:
    domains: old.example.com
    state: absent
'''

RETURN = r'''
domains:
  description: Each domain of O(domains), in that order, as it is after the run (in check mode, as it would be).
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
      changed: true
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
      description: The domain's acceleration type as the API names it (C(web), C(web-https), C(download), ...).
      type: str
    cname:
      description: The CNAME of the domain.
      type: str
    status:
      description: The deployment status the query reported before this run (C(Deployed), C(InProgress)).
      type: str
    enabled:
      description: Whether the domain's service is enabled.
      type: bool
    use_ssl:
      description: Whether the domain serves HTTPS with a certificate.
      type: bool
    use_for_sni:
      description: Whether the certificate is served by SNI; V(true) whenever C(use_ssl) is.
      type: bool
    certificate_id:
      description: ID of the certificate the domain serves; V(null) when it serves none.
      type: str
    certificate_name:
      description: Name of that certificate.
      type: str
    changed:
      description: Whether this run changed (or, in check mode, would change) the domain.
      type: bool
    certificate:
      description:
        - The certificate's summary in the shape every module of the collection returns, from what the
          certificate list reports. C(subject) and C(sha256_fingerprint) are V(null), since the list shows neither.
        - V(null) when the domain serves no certificate.
      type: dict
certificate:
  description: The certificate of O(certificate) as the list reports it (C(id), C(name), C(dns_names), C(summary)).
  returned: when O(certificate) names a certificate of the account
  type: dict
  sample:
    id: "100002"
    name: www-example-com-2027
    dns_names: [ www.example.com, static.example.com ]
    summary: {serial: 0149079A35D03CF4E571381F0F57E551B8F93459, sans: [www.example.com, static.example.com]}
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterModule
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter_domains import (
    ARGUMENT_SPEC, NetcenterDomainApi, manage_domain_certificates,
)


def main():
    module = NetcenterModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(lambda module: manage_domain_certificates(module.params, NetcenterDomainApi(module.client),
                                                         module.check_mode))


if __name__ == '__main__':
    main()
