# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotation by replacement (``strategy: replace`` of certificate_deploy): a new certificate object, every
user of the old one switched to it, the old one deleted once nothing uses it.

For an ELB or CDN target named ``name``:

1. one list of the account's certificates finds the target's *family*: the object named ``name`` (what an
   in-place rotation manages) and the objects named ``name-<12 hex>`` (earlier replacements); with ``id``,
   that object belongs to it too;
2. the new certificate is uploaded as ``name-<the first 12 hex digits of the leaf's serial>`` (zero-padded
   when shorter), through the service's own manager (``reconcile``): an object of that name that holds the
   certificate is reused, and a create whose answer is lost is found again, never sent twice;
3. every listener slot (ELB, one listener list) or accelerated domain (CDN, the certificate list's
   related domains) that uses another object of the family is switched to the new one, one at a time;
4. one re-read verifies the switches (each switched slot or domain holds the new ID) and is the usage
   check right before the clean-up: the family's objects that nothing uses are deleted, newest first
   after the ``keep_replaced`` newest (by the leaf's ``not_before``), which are kept.

A failure stops the target where it is: every slot or domain holds the old object or the new one (each
switch is one write of one slot), and nothing is deleted, so the old object still serves whatever was not
switched. The rerun finds the new object by its name, skips what was switched, and finishes.

Check mode makes the same reads (one list of certificates, and for ELB one of listeners) and no write; its
``plan`` lists the objects to create, the switches and the objects to delete.

One ``Replacement`` per target, over the target's own client: safe under the fleet's threads.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.certfleet.cloud.plugins.module_utils import elb_listeners, netcenter_domains
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import CertfleetError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile, with_defaults

STRATEGIES = ('in_place', 'replace')
SERIAL_CHARS = 12
# The longest name each service takes (elb.ElbCertificate and netcenter_certificates.NetcenterCertificate).
MAX_NAME_CHARS = {'elb': 255, 'netcenter': 512}


def serial_tag(serial_hex):
    """12 lower-case hex digits of the serial: its first ones, or all of it zero-padded when shorter, so
    the family's names have one fixed shape and another target's name is never mistaken for one."""
    serial_hex = serial_hex.lower()
    return serial_hex[:SERIAL_CHARS] if len(serial_hex) >= SERIAL_CHARS else serial_hex.zfill(SERIAL_CHARS)


def replacement_name(name, leaf):
    return '%s-%s' % (name, serial_tag(leaf.serial_hex))


def check_replaceable(service_name, params, leaf):
    """Refusals known before any request (InputError naming the option)."""
    if service_name not in MAX_NAME_CHARS:
        raise InputError('strategy', 'replace does not apply to a %s target: a VPN gateway holds one certificate (its GM '
                                     'pair), which is updated in place; use strategy in_place' % service_name)
    if not params.get('name'):
        raise InputError('name', 'is required with strategy replace: the new object is named after it '
                                 '(<name>-<%d hex of the serial>)' % SERIAL_CHARS)
    new_name = replacement_name(params['name'], leaf)
    if len(new_name) > MAX_NAME_CHARS[service_name]:
        raise InputError('name', 'is %d characters; with strategy replace the new object is named %s-<%d hex>, which %s '
                                 'takes up to %d characters'
                         % (len(params['name']), params['name'][:20] + '...', SERIAL_CHARS, service_name,
                            MAX_NAME_CHARS[service_name]))
    return new_name


def in_family(name, candidate):
    other = candidate.get('name') or ''
    return other == name or re.match(r'^%s-[0-9a-f]{%d}$' % (re.escape(name), SERIAL_CHARS), other) is not None


class ReplaceError(CertfleetError):
    """A replacement stopped halfway: the cause, and what was done before it (``replaced``)."""

    def __init__(self, message, cause, replaced, before=None):
        super(ReplaceError, self).__init__(message)
        self.message = message
        self.error_code = getattr(cause, 'error_code', None) or ('InputError' if isinstance(cause, InputError) else None)
        self.request_id = getattr(cause, 'request_id', None)
        self.replaced = replaced
        self.before = before


class Users:
    """Where the family's certificates are used, per service: ``read()`` -> [(key, handle, old_id)]."""

    def __init__(self, client, check_mode):
        self.client = client
        self.check_mode = check_mode


class ListenerUsers(Users):
    def __init__(self, client, check_mode):
        super(ListenerUsers, self).__init__(client, check_mode)
        self.api = elb_listeners.ListenerApi(client)
        self.listeners = {}

    def read(self, ids, certificates=None):
        found = []
        for listener in self.api.list():
            self.listeners[listener['id']] = listener
            for certificate_id, slot in elb_listeners.listener_slots(listener):
                if certificate_id in ids:
                    found.append(('listener %s (%s) %s' % (listener['id'], listener.get('name') or '-', slot),
                                  (listener['id'], slot), certificate_id))
        return found

    def check(self, users, new_bundle):
        return None

    def switch(self, handle, old_id, new_id):
        listener_id, slot = handle
        # A listener that holds two old objects is switched twice: the second switch starts from the first's answer.
        done = elb_listeners.switch_certificate(self.api, self.listeners[listener_id], slot, old_id, new_id)
        self.listeners[listener_id] = done['listener']
        return done['changed']


class DomainUsers(Users):
    def __init__(self, client, check_mode):
        super(DomainUsers, self).__init__(client, check_mode)
        self.api = netcenter_domains.NetcenterDomainApi(client)

    def read(self, ids, certificates=None):
        if certificates is None:
            certificates = self.api.certificates()
        return [('domain %s' % domain['domain_name'], domain['domain_name'], certificate['id'])
                for certificate in certificates if certificate['id'] in ids
                for domain in certificate.get('related_domains') or [] if domain.get('domain_name')]

    def check(self, users, bundle):
        """The API refuses a certificate that does not cover the domain: refused here, before any write."""
        names = bundle.leaf.subject_alternative_names or [bundle.leaf.common_name]
        uncovered = [handle for dummy, handle, dummy in users if not netcenter_domains.covers(names, handle)]
        if uncovered:
            plural = len(uncovered) != 1
            raise InputError('certificate', 'does not cover %s, accelerated domain%s that use%s the certificates it would '
                                            'replace; nothing was sent'
                             % (', '.join(uncovered), 's' if plural else '', '' if plural else 's'))

    def switch(self, handle, old_id, new_id):
        return netcenter_domains.switch_certificate(self.api, handle, old_id, new_id)['changed']


USERS = {'elb': ListenerUsers, 'netcenter': DomainUsers}


class Replacement:
    """The replace lifecycle of one target (a ``deploy.Target`` with ``strategy: replace``)."""

    def __init__(self, target, keep_replaced):
        self.target = target
        self.keep_replaced = keep_replaced
        self.check_mode = target.manager.check_mode
        self.name = target.params['name']
        self.new_name = target.new_name
        self.api = target.manager.api
        self.users = USERS[target.service_name](target.client, self.check_mode)
        self.warnings = []

    def _summary(self, record):
        return self.target.manager.summary(record, self.target.desired) if record else None

    def _brief(self, record):
        summary = self._summary(record) or {}
        return dict(id=record['id'], name=record.get('name'), serial=summary.get('serial'),
                    not_after=summary.get('not_after'))

    def _newest_first(self, records):
        # ISO times sort as text; the name breaks ties so that the order never depends on the listing's.
        return sorted(records, key=lambda record: ((self._summary(record) or {}).get('not_before') or '',
                                                   record.get('name') or '', record['id']), reverse=True)

    def _new_manager(self, in_use):
        """The service's manager for the new object (``reconcile`` is given it as found in the list already
        read, ``_new_object``: no second read)."""
        service = self.target.service
        given = dict(self.target.params, name=self.new_name, id=None)
        domain = next((record.get('domain') for record in in_use if record.get('domain')), None)
        if 'domain' in service.argument_spec and given.get('domain') is None and domain:
            # An ELB SNI slot takes a certificate with a domain: the replacement answers for the same names.
            given['domain'] = domain
        params = with_defaults(service.argument_spec, given)
        return service.manager(params, self.api, self.check_mode)

    def _new_object(self, listed):
        """The new object as the list already read shows it (None before it is created)."""
        named = [record for record in listed if record.get('name') == self.new_name]
        if len(named) > 1:
            raise InputError('name', '%d certificates are named %r (ids: %s); delete all but one'
                             % (len(named), self.new_name, ', '.join(sorted(record['id'] for record in named))))
        return named[0] if named else None

    def run(self):
        target = self.target
        listed = self.api.list()
        family = [record for record in listed if in_family(self.name, record)
                  or (target.params.get('id') and record['id'] == target.params['id'])]
        new = next((record for record in family if record.get('name') == self.new_name), None)
        olds = [record for record in family if record is not new]
        old_by_id = dict((record['id'], record) for record in olds)
        users = self.users.read(set(old_by_id), listed)
        self.users.check(users, target.desired[0])
        in_use = [old_by_id[old_id] for old_id in sorted(set(old_id for dummy, dummy, old_id in users))]
        # What the target served: the newest object in use, else the newest of the family.
        shown_before = (self._newest_first(in_use) or self._newest_first(olds) or [None])[0]
        before = self._summary(new if new is not None and not in_use else shown_before)
        replaced = dict(created=[], switched=[], deleted=[], kept=[])
        plan = dict(create=[], switch=['%s: %s -> %s' % (key, old_by_id[old_id].get('name'), self.new_name)
                                       for key, dummy, old_id in users], delete=[])

        manager = self._new_manager(self._newest_first(in_use))
        try:
            created = reconcile(manager, 'present', target.desired, found=self._new_object(listed))
        except CertfleetError as error:
            raise ReplaceError('creating %s: %s' % (self.new_name, getattr(error, 'message', None) or error),
                               error, replaced, before)
        self.warnings.extend(created.get('warnings') or [])
        new_record = created.get('certificate') or {}
        if created['changed']:
            plan['create'].append(self.new_name)
            if not self.check_mode:
                replaced['created'].append(self.new_name)
        deletable = self._newest_first(olds)
        if self.check_mode:
            plan['delete'] = [record.get('name') for record in deletable[self.keep_replaced:]]
            replaced['kept'] = [record.get('name') for record in deletable[:self.keep_replaced]]
            return self._result(before, new_record, plan, replaced, shown_before, olds, users, verified=None)

        new_id = new_record['id']
        for key, handle, old_id in users:
            try:
                if self.users.switch(handle, old_id, new_id):
                    replaced['switched'].append(key)
            except CertfleetError as error:
                raise ReplaceError('switching %s from %s to %s: %s; %d of %d switched, the others still use %s, which is '
                                   'kept; a rerun finishes the switch and the clean-up'
                                   % (key, old_by_id[old_id].get('name'), self.new_name,
                                      getattr(error, 'message', None) or error, len(replaced['switched']), len(users),
                                      old_by_id[old_id].get('name')), error, replaced, before)
        verified = True
        if users or olds:
            # One re-read: it verifies the switches and is the usage check right before the clean-up.
            relisted = self.api.list() if target.service_name == 'netcenter' else None
            still = self.users.read(set(old_by_id) | set([new_id]), relisted)
            holding_new = set(key for key, dummy, used_id in still if used_id == new_id)
            verified = all(key in holding_new for key, dummy, dummy in users)
            used_ids = set(used_id for dummy, dummy, used_id in still)
            unused = [record for record in deletable if record['id'] not in used_ids]
            for record in deletable:
                if record['id'] in used_ids:
                    self.warnings.append('%s (%s) is still used (%s) and is kept' % (
                        record.get('name'), record['id'],
                        ', '.join(key for key, dummy, used_id in still if used_id == record['id'])))
            replaced['kept'] = [record.get('name') for record in unused[:self.keep_replaced]]
            for record in unused[self.keep_replaced:]:
                plan['delete'].append(record.get('name'))
                try:
                    self._delete(record)
                except CertfleetError as error:
                    reason = getattr(error, 'message', None) or error
                    raise ReplaceError('deleting %s (%s), which nothing uses any more: %s; every user was switched to '
                                       '%s; a rerun deletes it' % (record.get('name'), record['id'], reason, self.new_name),
                                       error, replaced, before)
                replaced['deleted'].append(record.get('name'))
        return self._result(before, new_record, plan, replaced, shown_before, olds, users, verified)

    def _delete(self, record):
        # The service's manager: its busy waits, and "not found" counts as deleted (a rerun after a lost answer).
        manager = self.target.service.manager(with_defaults(self.target.service.argument_spec, dict(self.target.params)),
                                              self.api, False)
        manager.delete(record)

    def _result(self, before, new_record, plan, replaced, shown_before, olds, users, verified):
        changed = bool(plan['create'] or plan['switch'] or plan['delete'])
        deleted = set(plan['delete'])
        diff = dict(
            before=dict(certificates=dict((record.get('name'), self._brief(record)) for record in olds),
                        used_by=dict((key, next(r.get('name') for r in olds if r['id'] == old_id))
                                     for key, dummy, old_id in users)),
            after=dict(certificates=dict([(record.get('name'), self._brief(record)) for record in olds
                                          if record.get('name') not in deleted]
                                         + [(self.new_name, dict(self._brief(dict(new_record, id=new_record.get('id'))),
                                                                 name=self.new_name))]),
                       used_by=dict((key, self.new_name) for key, dummy, dummy in users)))
        return dict(changed=changed, previous_summary=before, certificate=new_record, diff=diff, plan=plan,
                    replaced=replaced, verified_switches=verified, warnings=self.warnings)
