# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One certificate to many targets in one process: validate all, then deploy concurrently.

Each target runs through its service's own manager (``elb.ElbCertificate``,
``netcenter_certificates.NetcenterCertificate``, ``vpn.VpnGatewayCertificate``) over a client of its
own, exactly as that service's module would: the same calls, the same lost-answer and busy rules, the
same diff. Targets that share an account (provider, endpoint and credential) share one
``RequestBudget``, so a 429 seen by one thread slows every thread of that account.

Used by ``certificate_deploy`` (and through it the ``certificate_rotation`` role); callable without
``AnsibleModule``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import hashlib
import json
import threading
import time

from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.certfleet.cloud.plugins.module_utils import elb, netcenter_certificates, probe, replace, vpn
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import CertfleetError, ConfigurationError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.huaweicloud import HuaweiCloudClient, huaweicloud_argument_spec
from ansible_collections.certfleet.cloud.plugins.module_utils.netcenter import NetcenterClient, netcenter_argument_spec
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import check_complete

DEFAULT_PARALLELISM = 10
# What a service needs to deploy one target: its provider, its manager and API, the options of its
# own module, the target keys it takes (as the option of the same name), and where the certificate
# it serves comes from (the shared PEM, or the target's own GM pair).
Service = collections.namedtuple('Service', ['provider', 'endpoint_service', 'manager', 'api', 'argument_spec',
                                             'target_options', 'own_pem'])
SERVICES = {
    'elb': Service('huaweicloud', 'elb', elb.ElbCertificate, elb.ElbCertificateApi, elb.ARGUMENT_SPEC,
                   ('name', 'id', 'description', 'enterprise_project_id'), False),
    'netcenter': Service('netcenter', None, netcenter_certificates.NetcenterCertificate,
                         netcenter_certificates.NetcenterCertificateApi, netcenter_certificates.ARGUMENT_SPEC,
                         ('name', 'id', 'comment'), False),
    'vpn': Service('huaweicloud', 'vpn', vpn.VpnGatewayCertificate, vpn.VpnGatewayCertificateApi, vpn.ARGUMENT_SPEC,
                   ('gateway', 'name') + vpn.PEM_OPTIONS, True),
}
# The order in which services' targets start: the ones that take longest first.
SLOWEST_FIRST = ('vpn', 'elb', 'netcenter')
PROVIDER_SPECS = {'huaweicloud': huaweicloud_argument_spec, 'netcenter': netcenter_argument_spec}
# The credential that names an account, per provider (the first one set).
ACCOUNT_KEYS = {'huaweicloud': ('access_key', 'auth_token'), 'netcenter': ('access_key', 'username')}
# What picks a Huawei Cloud credential source (huaweicloud.HuaweiCloudClient's chain).
CREDENTIAL_CHAIN_KEYS = ('access_key', 'secret_key', 'security_token', 'auth_token', 'profile', 'metadata_endpoint',
                         'agency_name', 'agency_domain_name', 'agency_duration', 'iam_endpoint', 'region', 'cloud')


def options_of(argument_spec, names=None, keys=('type', 'no_log')):
    """Suboptions taken from a module's argument spec: the options ``names`` (all by default), with
    only ``keys`` of each kept (no defaults, no fallbacks: a fleet resolves those per target)."""
    return dict((name, dict((key, value) for key, value in argument_spec[name].items() if key in keys))
                for name in (names or argument_spec))


def target_options():
    """The suboptions of a target: the options each service's module takes from a target, as that module
    declares them (so a key is ``no_log`` here exactly where it is in its module), and the target's own."""
    options = dict(service=dict(type='str', required=True, choices=sorted(SERVICES)), label=dict(type='str'),
                   connection=dict(type='dict', options=connection_options()),
                   probes=dict(type='list', elements='dict', options=probe.PROBE_OPTIONS),
                   strategy=dict(type='str', choices=list(replace.STRATEGIES)), keep_replaced=dict(type='int'))
    for service in SERVICES.values():
        options.update(options_of(service.argument_spec, service.target_options))
    return options


def connection_options(provider=None, keys=('type', 'no_log')):
    """The connection options of ``provider`` as suboptions, or of both providers (a target's ``connection``)."""
    options = {}
    for name in ([provider] if provider else sorted(PROVIDER_SPECS)):
        options.update(options_of(PROVIDER_SPECS[name](), keys=keys))
    return options


def target_label(target, index):
    """The label a target is reported under: its own, else ``service:name`` (or id, or gateway, or
    its place in the list)."""
    if target.get('label'):
        return target['label']
    return '%s:%s' % (target.get('service'), target.get('name') or target.get('id') or target.get('gateway')
                      or '#%d' % (index + 1))


def provider_params(provider, *layers):
    """The provider's connection options: the first layer that sets an option wins, then its
    environment variable, then its default, each converted to its type: AnsibleModule's own
    resolution of the provider's options, through the same validator."""
    spec = PROVIDER_SPECS[provider]()
    given = {}
    for name in spec:
        value = next((layer[name] for layer in layers if layer and layer.get(name) is not None), None)
        if value is not None:
            given[name] = value
    result = ArgumentSpecValidator(spec).validate(given)
    if result.error_messages:
        raise ConfigurationError('; '.join(result.error_messages))
    return result.validated_parameters


class RequestBudget:
    """The requests of one account, shared by every thread that talks to it.

    ``acquire()`` is called before each attempt: it waits while the account is paused (a 429 or
    ``Retry-After`` seen by any thread) and for the next free slot of its pace. The pace is
    ``requests_per_second`` when given. Otherwise the account is not paced until its first 429; from
    then on it keeps to 80 % of the rate it had reached in the last second, cut again by a 429 that
    comes after the pause and raised by one request a second for every second without one, so a fleet
    finds an account's limit instead of being refused again and again.
    """

    # The share of the rate that drew a 429 kept afterwards, and how fast the pace recovers (per second).
    BACKED_OFF_SHARE = 0.8
    RECOVERY_PER_SECOND = 1.0

    def __init__(self, requests_per_second=None, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self.learns = not requests_per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._sent = collections.deque()
        self._learnt_rate = None
        self._learnt_at = 0.0
        self.throttled = 0

    def acquire(self):
        while True:
            with self._lock:
                now = self._clock()
                self._recover(now)
                start = max(now, self._paused_until, self._next_slot)
                if start <= now or self._paused_until <= now:
                    # The slot is taken while holding the lock, so two threads never take the same one.
                    self._next_slot = start + self.interval
                    self._note_sent(start)
                    wait, taken = start - now, True
                else:
                    wait, taken = start - now, False
            if wait > 0:
                self._sleep(wait)
            if taken:
                return

    def _recover(self, now):
        if self._learnt_rate is not None and now > self._learnt_at:
            self._learnt_rate += self.RECOVERY_PER_SECOND * (now - self._learnt_at)
            self._learnt_at = now
            self.interval = 1.0 / self._learnt_rate

    def _note_sent(self, moment):
        self._sent.append(moment)
        while self._sent and self._sent[0] <= moment - 1.0:
            self._sent.popleft()

    def pause(self, seconds):
        """Every thread of the account waits ``seconds`` before its next attempt (and, unpaced, slows down)."""
        with self._lock:
            self.throttled += 1
            now = self._clock()
            # A 429 to a request sent before the account was paused says nothing new about its rate.
            already_paused = self._paused_until > now
            self._paused_until = max(self._paused_until, now + seconds)
            if self.learns and not already_paused:
                reached = len([moment for moment in self._sent if moment > now - 1.0])
                self._learnt_rate = max(1.0, reached * self.BACKED_OFF_SHARE)
                # Recovery starts once the pause is over.
                self._learnt_at = self._paused_until
                self.interval = 1.0 / self._learnt_rate


class Target:
    """One target, validated: its label, its service, its manager over a client of its own."""

    def __init__(self, index, target, certificate, private_key, connections, allow_expired, check_mode, accounts,
                 requests_per_second, strategy='in_place', keep_replaced=0):
        self.index = index
        self.label = target_label(target, index)
        self.service_name = target.get('service')
        if self.service_name not in SERVICES:
            raise InputError('service', 'is %r; one of %s' % (self.service_name, ', '.join(sorted(SERVICES))))
        service = self.service = SERVICES[self.service_name]
        # A run's strategy leaves gateways in place (they hold one certificate); only a target's own is refused.
        self.strategy = target.get('strategy') or ('in_place' if service.own_pem else strategy) or 'in_place'
        if self.strategy not in replace.STRATEGIES:
            raise InputError('strategy', 'is %r; one of %s' % (self.strategy, ', '.join(replace.STRATEGIES)))
        self.keep_replaced = target.get('keep_replaced') if target.get('keep_replaced') is not None else keep_replaced or 0
        if self.keep_replaced < 0:
            raise InputError('keep_replaced', 'must be 0 or more, not %d' % self.keep_replaced)
        if self.strategy == 'replace' and service.own_pem:
            replace.check_replaceable(self.service_name, {}, None)
        given = dict((option, target.get(option)) for option in service.target_options if target.get(option) is not None)
        if service.own_pem and not given.get('certificate'):
            raise InputError('certificate', 'is required for a %s target: it takes its own SM2 pair (%s), never the '
                                            'shared certificate' % (self.service_name, ', '.join(vpn.PEM_OPTIONS)))
        if not service.own_pem:
            for option, value in (('certificate', certificate), ('private_key', private_key)):
                if not value:
                    raise InputError(option, 'is required for a %s target' % self.service_name)
            given.update(certificate=certificate, private_key=private_key)
        self.probes = probe.parse_probes(target.get('probes'))
        probe.check_service(self.service_name, self.probes)
        given.update(allow_expired=allow_expired, state='present')
        self.params = with_defaults(service.argument_spec, given)
        if not any(self.params.get(option) for option in ('id', 'name', 'gateway')):
            raise InputError('name', 'is required (or id%s)' % (', gateway' if service.own_pem else ''))
        connection = provider_params(service.provider, target.get('connection'), connections.get(service.provider))
        self.client = self._client(connection, accounts, requests_per_second)
        self.manager = service.manager(self.params, service.api(self.client), check_mode)
        self.desired = self.manager.validate()
        if not service.own_pem:
            check_complete(self.desired[0])
        self.new_name = None
        if self.strategy == 'replace':
            self.new_name = replace.check_replaceable(self.service_name, self.params, self.desired[0].leaf)

    def _client(self, connection, accounts, requests_per_second):
        provider = self.service.provider
        account = next((connection[key] for key in ACCOUNT_KEYS[provider] if connection.get(key)), '')
        endpoint = connection.get('endpoint') or connection.get('region') or ''
        # The credential itself is not kept as a key, only a digest of it.
        key = (provider, endpoint, hashlib.sha256(account.encode('utf-8')).hexdigest())
        if key not in accounts:
            accounts[key] = RequestBudget((requests_per_second or {}).get(provider))
        if provider == 'netcenter':
            return NetcenterClient(connection, budget=accounts[key])
        # Targets with the same credentials, profile, agency and metadata service share one credential
        # source: temporary keys are fetched once for all of them, not once per target.
        chain = json.dumps([connection.get(name) for name in CREDENTIAL_CHAIN_KEYS], sort_keys=True)
        credentials_key = ('credentials', endpoint, hashlib.sha256(chain.encode('utf-8')).hexdigest())
        client = HuaweiCloudClient(connection, self.service.endpoint_service, budget=accounts[key],
                                   credentials=accounts.get(credentials_key))
        accounts[credentials_key] = client.credential_source
        return client

    def expected_summary(self):
        """What the target must serve once deployed: the leaf (the GM signature leaf for a gateway)."""
        bundle = self.desired.sign if self.service_name == 'vpn' else self.desired[0]
        return bundle.leaf.summary() if bundle is not None else None


def verified(after, expected):
    """Whether the summary a service reports is the expected certificate: by fingerprint where both
    have one, else by serial and issuer (services that never show the PEM)."""
    if not after or not expected:
        return False
    if after.get('sha256_fingerprint') and expected.get('sha256_fingerprint'):
        return after['sha256_fingerprint'] == expected['sha256_fingerprint']
    return (after.get('serial') or '').lstrip('0') == (expected.get('serial') or '').lstrip('0') \
        and after.get('issuer') == expected.get('issuer')


def validate_targets(targets, certificate, private_key, connections, allow_expired, check_mode,
                     requests_per_second=None, strategy='in_place', keep_replaced=0):
    """Every target built and validated; nothing is sent. One InputError names every refused target."""
    labels = [target_label(target, index) for index, target in enumerate(targets)]
    duplicates = sorted(set(label for label in labels if labels.count(label) > 1))
    if duplicates:
        raise InputError('targets', 'labels must be unique; %s given more than once' % ', '.join(duplicates))
    if not targets:
        raise InputError('targets', 'is empty; give at least one target')
    accounts = {}
    built, refused = [], []
    for index, target in enumerate(targets):
        try:
            built.append(Target(index, target, certificate, private_key, connections, allow_expired, check_mode,
                                accounts, requests_per_second, strategy, keep_replaced))
        except InputError as error:
            refused.append('%s: %s: %s' % (labels[index], error.field, error.reason))
        except ConfigurationError as error:
            refused.append('%s: connection: %s' % (labels[index], error))
    if refused:
        raise InputError('targets', 'nothing was sent; %d of %d targets would be refused: %s'
                         % (len(refused), len(targets), '; '.join(refused)))
    return built


def deploy_one(target):
    """Deploy one target through its service's lifecycle, then probe it; the outcome as a result row, never
    an exception."""
    row = dict(label=target.label, service=target.service_name, changed=False, failed=False, verified=None,
               before=None, before_known=False, after=None, probes=[], msg='', error_code=None, request_id=None)
    if target.strategy == 'replace':
        row['replaced'] = dict(created=[], switched=[], deleted=[], kept=[])
    try:
        if target.strategy == 'replace':
            result = replace.Replacement(target, target.keep_replaced).run()
        else:
            result = reconcile(target.manager, 'present', target.desired)
    except replace.ReplaceError as error:
        row.update(failed=True, msg=error.message, error_code=error.error_code, request_id=error.request_id,
                   replaced=error.replaced, before=error.before, before_known=True)
        return row, None
    except CertfleetError as error:
        row.update(failed=True, msg=getattr(error, 'message', None) or str(error),
                   error_code=getattr(error, 'error_code', None), request_id=getattr(error, 'request_id', None))
        if isinstance(error, InputError):
            row.update(msg=str(error), error_code='InputError')
        row.update(before=getattr(error, 'previous_summary', None), before_known=hasattr(error, 'previous_summary'))
        return row, None
    except Exception as error:  # pylint: disable=broad-except
        # One target's bug must not take the others' results with it.
        row.update(failed=True, msg='%s: %s' % (type(error).__name__, error), error_code='UnexpectedError',
                   before=getattr(error, 'previous_summary', None), before_known=hasattr(error, 'previous_summary'))
        return row, None
    resource = result.get('certificate') or {}
    row.update(changed=result['changed'], before=result.get('previous_summary'), before_known=True,
               after=resource.get('summary'), warnings=result.get('warnings') or [])
    if target.strategy == 'replace':
        row.update(plan=result['plan'], replaced=result['replaced'])
    if not target.manager.check_mode:
        expected = target.expected_summary()
        row['verified'] = verified(row['after'], expected)
        if row['verified'] and result.get('verified_switches') is False:
            row.update(verified=False, failed=True, msg='a re-read shows switched listeners or domains that do not hold %s'
                       % target.new_name)
        elif not row['verified']:
            row.update(failed=True, msg='reports serial %s, expected %s' % (
                (row['after'] or {}).get('serial', '-'), (expected or {}).get('serial', '-')))
        elif target.probes:
            probe_target(target, row, expected)
    return row, result['diff']


def probe_target(target, row, expected):
    """The target's probes, once its service says it serves the certificate (in check mode nothing was
    deployed, so nothing is probed). A probe that does not see the deployed leaf fails the target."""
    try:
        row['probes'] = [probe.run_probe(each, expected['sha256_fingerprint']) for each in target.probes]
    except Exception as error:  # pylint: disable=broad-except
        row.update(failed=True, msg='probes: %s: %s' % (type(error).__name__, error), error_code='UnexpectedError')
        return
    failures = [probe.failure_text(result, expected) for result in row['probes'] if not result['matches']]
    if failures:
        row.update(failed=True, msg='; '.join(failures))


def start_order(targets):
    """The targets in the order they start: the services in turn, the slowest first.

    A gateway applies its certificate for a while, so its targets start early and do not make the
    tail of the run; taking the services in turn keeps every account busy from the start, which
    matters when each account has its own rate limit. The result keeps the order given.
    """
    queues = [[target for target in targets if target.service_name == service] for service in SLOWEST_FIRST]
    order = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    return order


def deploy(targets, certificate=None, private_key=None, connections=None, allow_expired=False, parallelism=None,
           check_mode=False, requests_per_second=None, limit=None, strategy='in_place', keep_replaced=0):
    """Deploy one certificate to every target; the result of ``certificate_deploy``.

    ``targets`` are dicts shaped as the role's ``certificate_rotation_targets``; ``connections``
    holds the default connection options per provider (``huaweicloud``, ``netcenter``), which a
    target's ``connection`` overrides key by key. Raises InputError (nothing sent) when any target
    would be refused; otherwise every target is tried and the result says which failed. With
    ``limit`` (labels), every target is validated but only those are deployed: one host per target
    refuses the whole rotation when any target of the play would be refused.
    """
    built = validate_targets(targets, certificate, private_key, connections or {}, allow_expired, check_mode,
                             requests_per_second, strategy, keep_replaced)
    if limit is not None:
        unknown = sorted(set(limit) - set(target.label for target in built))
        if unknown:
            raise InputError('limit', 'names no target: %s' % ', '.join(unknown))
        built = [target for target in built if target.label in limit]
    if not built:
        return dict(changed=False, targets=[], diff=[])
    workers = max(1, min(parallelism or DEFAULT_PARALLELISM, len(built)))
    started = start_order(built)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        finished = dict(zip([target.index for target in started], pool.map(deploy_one, started)))
    outcomes = [finished[target.index] for target in built]
    rows = [row for row, dummy in outcomes]
    diffs = []
    for (row, diff) in outcomes:
        if row['changed'] and diff:
            diffs.append(dict(diff, before_header=row['label'], after_header=row['label']))
    # A connection warning is said once for the run, however many targets share the connection.
    connection = []
    for target in built:
        connection.extend(warning for warning in target.client.warnings if warning not in connection)
    result = dict(changed=any(row['changed'] for row in rows), targets=rows, diff=diffs,
                  warnings=connection + ['%s: %s' % (row['label'], warning) for row in rows
                                         for warning in row.pop('warnings', [])])
    secrets = set()
    for target in built:
        secrets.update(getattr(target.client, 'secrets', lambda: ())())
    if secrets:
        result['no_log_values'] = sorted(secrets)
    failed = [row for row in rows if row['failed']]
    if failed:
        result['failed'] = True
        result['msg'] = ('certificate_deploy failed on %d of %d targets: %s; the others are done, and a rerun changes '
                         'only the targets that do not serve the certificate yet'
                         % (len(failed), len(rows), '; '.join(failure_text(row) for row in failed)))
    return result


def failure_text(row):
    """``label (reason, error_code=..., request_id=...)``: what a user needs to look a failed target up."""
    details = ''.join(', %s=%s' % (key, row[key]) for key in ('error_code', 'request_id') if row.get(key))
    return '%s (%s%s)' % (row['label'], row['msg'], details)
