#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: certificate_deploy
short_description: Deploy one certificate to many ELB, Wangsu CDN and VPN gateway targets at once
version_added: 0.1.0
description:
  - Deploys one certificate and its key to every target in O(targets), concurrently, in one module run.
    Each target goes through its service's own lifecycle exactly as its module would
    (M(certfleet.cloud.elb_certificate), M(certfleet.cloud.netcenter_certificate),
    M(certfleet.cloud.vpn_gateway_certificate)) - found by name or ID, created or updated only when it
    differs, with the same lost-answer, busy and retry rules, and the same diff.
  - Every target is validated first, locally, with its service's rules, and the certificate's chain must be
    complete (the leaf's issuer follows it unless the leaf is self-signed) so that clients can verify what
    every target serves. If any target would be refused, nothing is sent and the error names every refused
    target, field and reason.
  - A failing target does not stop the others. The module fails at the end naming each failed target
    with its error (code and request ID); a rerun converges.
  - After a write, each target is verified from its service's own answer - by SHA-256 fingerprint where
    the service shows the certificate, else by serial and issuer.
  - A target's O(targets[].probes) then prove what clients really get - a TLS handshake to each C(host:port), with
    SNI, whose served leaf must have the deployed leaf's SHA-256 fingerprint (retried while a load balancer or a CDN
    edge switches). A probe that never sees it, or cannot connect, fails the target; the others go on.
  - Targets that share an account (provider, endpoint and credential) share one request budget - a 429 or
    C(Retry-After) answered to one of them slows all of them - and O(requests_per_second) caps its rate.
  - The connection of each provider comes from O(huaweicloud) and O(netcenter), whose defaults are taken
    from C(module_defaults) of the groups C(group/certfleet.cloud.huaweicloud) and C(group/certfleet.cloud.netcenter),
    then from the environment variables each provider's modules read; a target's O(targets[].connection)
    overrides them key by key.
author:
  - certfleet.cloud maintainers (@certfleet)
requirements:
  - cryptography >= 3.4
extends_documentation_fragment:
  - certfleet.cloud.attributes
attributes:
  action:
    support: full
    description: Has an action plugin, which fills O(huaweicloud) and O(netcenter) from the groups' C(module_defaults).
options:
  certificate:
    description:
      - The certificate in PEM, leaf first followed by its chain, for the V(elb) and V(netcenter) targets.
    type: str
  private_key:
    description:
      - The private key of O(certificate), PEM, unencrypted. Never logged, shown in a diff or returned.
    type: str
  targets:
    description:
      - Where the certificate goes, in the shape of the P(certfleet.cloud.certificate_rotation#role) role's
        C(certificate_rotation_targets).
    type: list
    elements: dict
    required: true
    suboptions:
      service:
        description: The service of the target.
        type: str
        required: true
        choices: [ elb, netcenter, vpn ]
      label:
        description: The name the target is reported under; unique. Default C(service:name) (or ID, or gateway).
        type: str
      name:
        description: The certificate's name (V(elb), V(netcenter), V(vpn)).
        type: str
      id:
        description: The certificate's ID (V(elb), V(netcenter)); found by ID only, then.
        type: str
      description:
        description: The description of an ELB certificate.
        type: str
      enterprise_project_id:
        description:
          - The enterprise project an ELB certificate is created in (V(0), the default project, when not set); see
            M(certfleet.cloud.elb_certificate). It is not changed on an existing certificate.
        type: str
      comment:
        description: The remark of a CDN certificate.
        type: str
      gateway:
        description: The VPN gateway, by ID or unique name (V(vpn)).
        type: str
      certificate:
        description: The SM2 signature certificate of a GM gateway (V(vpn)), PEM.
        type: str
      private_key:
        description: The SM2 key of the signature certificate (V(vpn)), PEM. Never logged or returned.
        type: str
      enc_certificate:
        description: The SM2 encryption certificate (V(vpn)), PEM.
        type: str
      enc_private_key:
        description: The SM2 key of the encryption certificate (V(vpn)), PEM. Never logged or returned.
        type: str
      certificate_chain:
        description: The CA chain of the GM pair (V(vpn)), PEM.
        type: str
      strategy:
        description:
          - This target's O(strategy), overriding the run's. V(replace) on a V(vpn) target is refused before anything is
            sent - a gateway holds one certificate, updated in place.
        type: str
        choices: [ in_place, replace ]
      keep_replaced:
        description: This target's O(keep_replaced), overriding the run's.
        type: int
      probes:
        description:
          - TLS endpoints that must serve the certificate once the target is deployed, as a client reaches them (the
            address of a load balancer's listener, a CDN domain). After the target's service reports the certificate,
            each probe makes a TLS handshake to O(targets[].probes[].host):O(targets[].probes[].port) with SNI and
            compares the SHA-256 fingerprint of the served leaf with the deployed leaf's; RV(targets[].probes) reports
            each one.
          - The served certificate is not verified against any CA - the fingerprint comparison is stricter than a
            chain check, and works with private CAs and self-signed certificates.
          - A probe that does not see the deployed leaf after O(targets[].probes[].retries) more attempts, or cannot
            connect at all, fails the target (its write stays done; a rerun writes nothing and probes again).
          - Not in check mode - nothing was deployed to compare.
          - Not for V(vpn) targets - a GM gateway speaks TLCP (GB/T 38636), which standard TLS clients cannot
            handshake with; a probe on one is refused before anything is sent.
        type: list
        elements: dict
        suboptions:
          host:
            description: The address or name to connect to.
            type: str
            required: true
          port:
            description: The TCP port.
            type: int
            default: 443
          server_name:
            description:
              - The name sent as SNI, which picks the certificate on endpoints that serve several (ELB's SNI
                certificates, a CDN).
              - Default O(targets[].probes[].host) when it is a name; with an IP address and no
                O(targets[].probes[].server_name) no SNI is sent, and the endpoint serves its default certificate.
            type: str
          timeout:
            description: Seconds each attempt may take to connect and complete the handshake.
            type: float
            default: 10
          retries:
            description:
              - More attempts after the first, while the endpoint serves another certificate or cannot be reached - a
                load balancer or a CDN edge may take a while to switch. CDN edges can take minutes; raise it for them.
            type: int
            default: 3
          delay:
            description: Seconds between two attempts.
            type: float
            default: 5
      connection:
        description:
          - Connection options of this target, overriding O(huaweicloud) or O(netcenter) key by key; the
            options of the target's provider are used, the others ignored.
        type: dict
        suboptions:
          access_key:
            description: Access key (Huawei Cloud or Wangsu).
            type: str
          secret_key:
            description: Secret key (Huawei Cloud or Wangsu).
            type: str
          security_token:
            description: Huawei Cloud security token of temporary credentials.
            type: str
          auth_token:
            description: Huawei Cloud IAM token.
            type: str
          region:
            description: Huawei Cloud region.
            type: str
          project_id:
            description: Huawei Cloud project ID.
            type: str
          endpoint:
            description: The service endpoint.
            type: str
          iam_endpoint:
            description: Huawei Cloud IAM endpoint.
            type: str
          profile:
            description: KooCLI profile to read the Huawei Cloud credentials from.
            type: str
          metadata_endpoint:
            description: Huawei Cloud ECS metadata service address (the last source of credentials).
            type: str
          agency_name:
            description: Huawei Cloud IAM agency to assume.
            type: str
          agency_domain_name:
            description: Account that owns the agency of O(targets[].connection.agency_name).
            type: str
          agency_duration:
            description: Seconds the agency's temporary keys last (900 to 86400).
            type: int
          cloud:
            description: Huawei Cloud site of the default endpoints (V(myhuaweicloud.com), V(myhuaweicloud.eu)).
            type: str
          domain_id:
            description: Huawei Cloud account ID (sent to global services).
            type: str
          username:
            description: Wangsu user name (with O(targets[].connection.api_key)).
            type: str
          api_key:
            description: Wangsu API key.
            type: str
          validate_certs:
            description: Verify TLS certificates.
            type: bool
          ca_bundle:
            description: CA bundle to verify TLS certificates with.
            type: path
          timeout:
            description: Seconds to wait for each answer.
            type: float
          max_retries:
            description: Retries of a failed request.
            type: int
  huaweicloud:
    description:
      - Connection options of the Huawei Cloud targets (V(elb), V(vpn)), as the Huawei Cloud modules take them
        (see M(certfleet.cloud.elb_certificate)); unset ones come from C(group/certfleet.cloud.huaweicloud)
        C(module_defaults), then from C(HW_ACCESS_KEY), C(HW_SECRET_KEY), C(HW_REGION_NAME) and the other variables
        those modules read.
    type: dict
    suboptions:
      access_key:
        description: Access key.
        type: str
        aliases: [ ak ]
      secret_key:
        description: Secret key.
        type: str
        aliases: [ sk ]
      security_token:
        description: Security token of temporary credentials.
        type: str
      auth_token:
        description: IAM token.
        type: str
      region:
        description: Region.
        type: str
      project_id:
        description: Project ID.
        type: str
      endpoint:
        description: Endpoint of every Huawei Cloud service (a private region, a proxy, the emulator).
        type: str
      iam_endpoint:
        description: IAM endpoint.
        type: str
      profile:
        description: KooCLI profile to read the Huawei Cloud credentials from.
        type: str
      metadata_endpoint:
        description: Huawei Cloud ECS metadata service address (the last source of credentials).
        type: str
      agency_name:
        description: Huawei Cloud IAM agency to assume.
        type: str
      agency_domain_name:
        description: Account that owns the agency of O(huaweicloud.agency_name).
        type: str
      agency_duration:
        description: Seconds the agency's temporary keys last (900 to 86400).
        type: int
      cloud:
        description: Huawei Cloud site of the default endpoints (V(myhuaweicloud.com), V(myhuaweicloud.eu)).
        type: str
      domain_id:
        description: Huawei Cloud account ID (sent to global services).
        type: str
      validate_certs:
        description: Verify TLS certificates.
        type: bool
      ca_bundle:
        description: CA bundle.
        type: path
      timeout:
        description: Seconds to wait for each answer.
        type: float
      max_retries:
        description: Retries of a failed request.
        type: int
  netcenter:
    description:
      - Connection options of the Wangsu targets, as M(certfleet.cloud.netcenter_certificate) takes them; unset ones
        come from C(group/certfleet.cloud.netcenter) C(module_defaults), then from C(WANGSU_ACCESS_KEY),
        C(WANGSU_SECRET_KEY) and the other variables that module reads.
    type: dict
    suboptions:
      access_key:
        description: Access key.
        type: str
      secret_key:
        description: Secret key.
        type: str
      username:
        description: User name (older scheme, with O(netcenter.api_key)).
        type: str
      api_key:
        description: API key.
        type: str
      endpoint:
        description: Endpoint.
        type: str
      validate_certs:
        description: Verify TLS certificates.
        type: bool
      ca_bundle:
        description: CA bundle.
        type: path
      timeout:
        description: Seconds to wait for each answer.
        type: float
      max_retries:
        description: Retries of a failed request.
        type: int
  allow_expired:
    description:
      - Deploy certificates whose validity has already ended.
    type: bool
    default: false
  parallelism:
    description:
      - How many targets are deployed at the same time.
    type: int
    default: 10
  limit:
    description:
      - Labels of the targets to deploy; the others are validated (so that a bad one refuses the whole
        deployment) but not sent to. For one host per target, each host deploying its own.
    type: list
    elements: str
  requests_per_second:
    description:
      - The most requests per second sent to one account of each provider, shared by all its targets.
        Unset, an account is not paced until its first 429 (which pauses the whole account); from then on it
        keeps to 80% of the rate that drew the 429. Set it to about 90% of an account's known limit to avoid the
        429s altogether.
    type: dict
    suboptions:
      huaweicloud:
        description: For each Huawei Cloud account.
        type: float
      netcenter:
        description: For each Wangsu account.
        type: float
  strategy:
    description:
      - How the V(elb) and V(netcenter) targets are rotated. V(in_place) updates the certificate object named
        O(targets[].name) (or O(targets[].id)), so whatever uses it follows.
      - V(replace) uploads the certificate as a new object named C(<name>-<the first 12 hex digits of the leaf's
        serial>) (reused when it exists and holds the certificate), switches every ELB listener slot (default, SNI,
        client CA) or Wangsu accelerated domain that uses the object named O(targets[].name), an earlier
        C(<name>-<12 hex>) replacement or O(targets[].id) to it, verifies the switches with one re-read, and deletes
        those objects once nothing uses them (see O(keep_replaced)). O(targets[].name) is required. A new ELB object
        takes the O(targets[].name) object's C(domain) (SNI slots need one); a CDN domain the certificate does not
        cover is refused before anything is sent.
      - A failure stops the target where it is - every slot and domain holds the old object or the new one, and nothing
        is deleted; a rerun finds the new object by its name and finishes the switch and the clean-up.
      - V(vpn) targets stay V(in_place) under a run's V(replace).
    type: str
    choices: [ in_place, replace ]
    default: in_place
  keep_replaced:
    description:
      - With O(strategy=replace), how many replaced objects that nothing uses are kept (the newest, by the leaf's
        validity start); older ones are deleted. V(0) deletes every replaced object once nothing uses it.
    type: int
    default: 0
notes:
  - Check mode is the plan - the same entries and diffs, and no write. No probe is made in check mode.
  - Probes use the Python standard library's C(ssl) module (TLS 1.2 and 1.3 as the controller's OpenSSL allows), with no
    proxy. They run from the controller, so they see what the controller's network sees.
  - With C(--diff), each changed target's diff is printed under its label.
seealso:
  - module: certfleet.cloud.elb_certificate
  - module: certfleet.cloud.netcenter_certificate
  - module: certfleet.cloud.vpn_gateway_certificate
  - module: certfleet.cloud.certificate_check
'''

EXAMPLES = r'''
- name: Deploy one certificate to two load balancers' certificates and the CDN
  certfleet.cloud.certificate_deploy:
    certificate: "{{ lookup('file', 'www.example.com/fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.example.com/privkey.pem') }}"
    targets:
      - {service: elb, name: www-example-com}
      - {service: elb, name: www-example-com, label: elb:www-eu, connection: {region: eu-west-101}}
      - {service: netcenter, name: www-example-com}
    huaweicloud:
      region: cn-north-4
  register: deployed

- name: Deploy, then prove what clients get from the load balancer and the CDN
  certfleet.cloud.certificate_deploy:
    certificate: "{{ lookup('file', 'www.example.com/fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.example.com/privkey.pem') }}"
    targets:
      - service: elb
        name: www-example-com
        probes:
          - {host: 203.0.113.10, port: 443, server_name: www.example.com}   # the listener's EIP
      - service: netcenter
        name: www-example-com
        probes:
          - {host: www.example.com, retries: 30, delay: 10}   # CDN edges take minutes to switch
  register: deployed

- name: Rotate by replacement - a new object, every listener and CDN domain switched to it, the old one deleted
  certfleet.cloud.certificate_deploy:
    certificate: "{{ lookup('file', 'www.example.com/fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.example.com/privkey.pem') }}"
    strategy: replace
    keep_replaced: 1      # keep the previous object, unused, to switch back by hand
    targets:
      - {service: elb, name: www-example-com}
      - {service: netcenter, name: www-example-com}

- name: The same as a plan, with each target's diff
  certfleet.cloud.certificate_deploy:
    certificate: "{{ lookup('file', 'www.example.com/fullchain.pem') }}"
    private_key: "{{ lookup('file', 'www.example.com/privkey.pem') }}"
    targets: "{{ my_targets }}"
  check_mode: true
  diff: true
'''

RETURN = r'''
targets:
  description: One entry per target, in the order given.
  returned: unless the input is refused (then nothing was sent, and the error names every refused target)
  type: list
  elements: dict
  contains:
    label:
      description: The target's label.
      type: str
      sample: elb:www-example-com
    service:
      description: V(elb), V(netcenter) or V(vpn).
      type: str
    changed:
      description: Whether the target changed (in check mode, would change).
      type: bool
    failed:
      description: Whether the target failed.
      type: bool
    verified:
      description:
        - Whether the target's own answer shows the certificate it must serve; V(null) in check mode.
        - The service's word only; RV(targets[].probes) tell what clients get. A target whose probe fails is failed
          and still V(true) here.
      type: bool
    before:
      description:
        - The shared certificate summary the target served before this run; V(null) when it had none.
        - A failed target reports it too when it was read before the failure (RV(targets[].before_known)).
      type: dict
    before_known:
      description:
        - Whether the target's certificate was read, so RV(targets[].before) is what it served; V(false) when the target
          failed before that (a refused lookup, say), and then RV(targets[].before) is V(null) whatever it serves.
      type: bool
    after:
      description: The shared certificate summary the target serves after this run (predicted in check mode).
      type: dict
    probes:
      description:
        - One entry per probe of O(targets[].probes), in order, made once the target was deployed and verified.
        - Empty when the target has no probes, in check mode, and when the target failed before it could be probed.
      type: list
      elements: dict
      contains:
        host:
          description: The host probed.
          type: str
        port:
          description: The port probed.
          type: int
        server_name:
          description: The SNI sent; V(null) when none was (an IP address without O(targets[].probes[].server_name)).
          type: str
        matches:
          description: Whether the served leaf has the deployed leaf's SHA-256 fingerprint.
          type: bool
        served:
          description:
            - The shared certificate summary of the leaf served at the last attempt; V(null) when there was no
              handshake.
          type: dict
        error:
          description:
            - Why the last attempt got no certificate (cannot connect, timed out, TLS handshake failed); V(null)
              otherwise.
          type: str
        attempts:
          description: How many handshakes were tried.
          type: int
          sample: 1
    plan:
      description:
        - "With O(strategy=replace) - the objects to create, the switches (C(listener <id> (<name>) <slot>: <old> -> <new>)
          or C(domain <name>: <old> -> <new>)) and the objects to delete, as planned by this run's reads (in check mode,
          the plan; otherwise what the run set out to do)."
      returned: with O(strategy=replace)
      type: dict
      sample: {create: [www-04a1b2c3d4e5], switch: ["listener 0b5c... (web) default: www -> www-04a1b2c3d4e5"], delete: [www]}
    replaced:
      description:
        - With O(strategy=replace) - what was done; C(created) (object names), C(switched) (listener slots and domains),
          C(deleted) (object names) and C(kept) (replaced objects kept by O(keep_replaced)). On a failure halfway, what
          was done before it.
      returned: with O(strategy=replace)
      type: dict
      sample: {created: [www-04a1b2c3d4e5], switched: ["listener 0b5c... (web) default"], deleted: [www], kept: []}
    msg:
      description:
        - Why the target failed; empty otherwise. For a probe that did not see the deployed leaf, what it served
          (serial, subject, fingerprint, expiry) or why it could not tell.
      type: str
    error_code:
      description: The service's error code of a failed target.
      type: str
    request_id:
      description: The service's request ID of a failed target.
      type: str
diff:
  description: One entry per changed target (C(before_header) and C(after_header) are its label); keys redacted.
  returned: unless the input is refused
  type: list
  elements: dict
'''

from ansible_collections.certfleet.cloud.plugins.module_utils.deploy import (
    DEFAULT_PARALLELISM, connection_options, deploy, target_options,
)
from ansible_collections.certfleet.cloud.plugins.module_utils.module import CertfleetModule


ARGUMENT_SPEC = dict(
    certificate=dict(type='str'),
    private_key=dict(type='str', no_log=True),
    targets=dict(type='list', elements='dict', required=True, options=target_options()),
    huaweicloud=dict(type='dict', options=connection_options('huaweicloud', keys=('type', 'no_log', 'aliases'))),
    netcenter=dict(type='dict', options=connection_options('netcenter')),
    allow_expired=dict(type='bool', default=False),
    parallelism=dict(type='int', default=DEFAULT_PARALLELISM),
    requests_per_second=dict(type='dict', options=dict(huaweicloud=dict(type='float'), netcenter=dict(type='float'))),
    limit=dict(type='list', elements='str'),
    strategy=dict(type='str', default='in_place', choices=['in_place', 'replace']),
    keep_replaced=dict(type='int', default=0),
)


def run(module):
    params = module.params
    return deploy(params['targets'], params['certificate'], params['private_key'],
                  dict(huaweicloud=params['huaweicloud'], netcenter=params['netcenter']), params['allow_expired'],
                  params['parallelism'], module.check_mode, params['requests_per_second'], params['limit'],
                  params['strategy'], params['keep_replaced'])


def main():
    module = CertfleetModule(ARGUMENT_SPEC, supports_check_mode=True)
    module.run(run)


if __name__ == '__main__':
    main()
