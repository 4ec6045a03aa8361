# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lifecycle every module shares: validate, find, compare, then create/update/delete or nothing.

A service file (``elb.py``, ...) describes its API with a ``ResourceApi`` and its resource with a
``ResourceManager`` (what to send and how to compare). A manager is built from explicit values (the
service's parameters, its API, check mode) and never sees ``AnsibleModule``, so the single-target
module and every target of ``certificate_deploy`` run the same code. ``reconcile`` does the rest the
same way everywhere:

- ``validate()`` runs before any request, so bad input sends nothing; it returns the desired state
  (immutable), which every later step receives;
- the resource is found by ``id``, else by a non-empty unique ``name`` (several matches are an
  error that lists their ids);
- check mode sends no write and reports the ``changed`` and ``diff`` the real run would;
- ``diff`` shows certificate summaries and ``<redacted>`` secrets, never PEM or secret values;
- a create whose answer is lost is never sent twice: the transport polls ``find_created``;
- an update or delete refused while the resource is busy is repeated within ``busy_timeout``;
- a delete that finds the resource already gone is done.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import RetryPolicy, call_until_ready
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import pem_summaries

REDACTED = '<redacted>'
REDACTED_CHANGED = '<redacted: changed>'


def is_blank(value):
    return value is None or value == '' or value == [] or value == {}


def same_value(current, desired):
    """Empty and missing are the same to the services (``""`` and ``null`` read back alike)."""
    if is_blank(current) and is_blank(desired):
        return True
    return current == desired


def certificate_view(pem_text):
    """Summaries of a PEM bundle, leaf first; never the PEM."""
    if is_blank(pem_text):
        return None
    return pem_summaries(pem_text)


def reconcile_set(current, desired, purge=True, key=None):
    """What to add and what to remove so that a child collection matches ``desired``.

    ``purge_tags`` semantics of amazon.aws: ``desired`` None leaves the collection alone; with
    ``purge`` false nothing is removed. ``key`` gives an item's identity (the item itself by
    default). Returns ``(to_add, to_remove)`` in the order of ``desired`` and ``current``.
    """
    if desired is None:
        return [], []
    key = key or (lambda item: item)
    current_keys = set(key(item) for item in current)
    desired_keys = set(key(item) for item in desired)
    to_add, added = [], set()
    for item in desired:
        identity = key(item)
        if identity not in current_keys and identity not in added:
            to_add.append(item)
            added.add(identity)
    to_remove = [item for item in current if key(item) not in desired_keys] if purge else []
    return to_add, to_remove


class ResourceApi:
    """One kind of resource of one service API: a service file subclasses this.

    ``get`` returns None for a resource that does not exist; ``delete`` of a resource that is
    already gone is done. ``is_busy`` tells an answer that means "refused for now, try later".
    """

    resource_name = 'resource'
    secret_fields = ()

    def __init__(self, client):
        self.client = client

    def list(self, **filters):
        raise NotImplementedError

    def get(self, resource_id):
        raise NotImplementedError

    def find_by_name(self, name, **scope):
        return [item for item in self.list(**scope) if item.get('name') == name]

    def create(self, payload, recheck=None):
        raise NotImplementedError

    def update(self, current, payload):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def is_not_found(self, error):
        return error.status == 404

    def read(self, path, key=None):
        """GET ``path`` (its ``key`` member when given); None when the service says it does not exist."""
        try:
            body = self.client.request('GET', path)
        except ApiError as error:
            if self.is_not_found(error):
                return None
            raise
        return body[key] if key else body

    @staticmethod
    def answering_as(key, recheck):
        """``recheck`` wrapped to answer as the create call does (``{key: found}``), for the transport."""
        if recheck is None:
            return None

        def created_meanwhile():
            found = recheck()
            return {key: found} if found else None
        return created_meanwhile

    def sleep(self, seconds):
        """Waits go through the client's transport, so tests that replace its clock replace these too."""
        self.client.http.sleep(seconds)

    def is_busy(self, error):
        return False

    def public(self, resource):
        """The resource without its secret fields."""
        if resource is None:
            return None
        return dict((key, value) for key, value in resource.items() if key not in self.secret_fields)


def with_defaults(argument_spec, given):
    """``given`` completed with the defaults of ``argument_spec`` (what AnsibleModule would hand over)."""
    params = dict((name, spec.get('default')) for name, spec in argument_spec.items())
    params.update(given)
    return params


class ResourceManager:
    """How one resource is validated, compared and written. A service file subclasses this.

    Built from explicit values: ``params`` (the options of the service's module, defaults filled in),
    ``api`` (a ``ResourceApi`` over one client of its own) and ``check_mode``. ``warnings`` collects
    what the result should warn about; nothing here reports through a module.
    """

    # Fields shown in diff; PEM fields as summaries, secret fields only as markers.
    diff_fields = ()
    pem_fields = ()
    secret_fields = ()
    # The RetryPolicy of waits while the resource is busy (``busy_timeout``).
    busy_retry_policy = RetryPolicy(base_delay=1.0, max_delay=15.0)

    def __init__(self, params, api=None, check_mode=False):
        self.params = params
        self.api = api
        self.check_mode = check_mode
        self.warnings = []

    @property
    def resource_name(self):
        return self.api.resource_name if self.api else 'resource'

    # What a subclass provides ----------------------------------------------------------------
    def validate(self):
        """Check the options; raise InputError naming the option. Runs before any request.

        Returns the desired state (an immutable value, None when there is nothing beyond the
        parameters); every later step receives it instead of reading attributes set here.
        """
        return None

    def create_payload(self, desired):
        """The API fields to send on create."""
        raise NotImplementedError

    def update_payload(self, current, desired):
        """The API fields that differ from ``current``; empty when nothing needs changing."""
        raise NotImplementedError

    def name_scope(self):
        """Filters that narrow a lookup by name (the type, say)."""
        return {}

    def is_created(self, candidate, payload, desired):
        """Whether ``candidate``, found by name after a lost answer, is what ``payload`` created."""
        return True

    def summary(self, resource, desired=None):
        """The shared certificate summary of ``resource``, or None when there is no certificate."""
        return None

    # Whether the result also holds ``previous_summary``: the summary before this run.
    returns_previous_summary = False

    # Shared behaviour -------------------------------------------------------------------------
    def find(self, desired):
        """The current resource by ``id``, else by ``name``; None when there is none."""
        params = self.params
        if params.get('id'):
            found = self.api.get(params['id'])
            if found is None and params.get('state', 'present') == 'present':
                raise InputError('id', 'no %s %s exists; omit id to create one by name'
                                 % (self.resource_name, params['id']))
            return found
        return self.find_by_name(params.get('name'))

    def find_by_name(self, name):
        if name is None or not name.strip():
            raise InputError('name', 'is empty; a %s is found by a non-empty name (or set id)' % self.resource_name)
        matches = self.api.find_by_name(name, **self.name_scope())
        if len(matches) > 1:
            raise InputError('name', '%d %ss are named %r (ids: %s); set id to choose one'
                             % (len(matches), self.resource_name, name,
                                ', '.join(sorted(str(match['id']) for match in matches))))
        return matches[0] if matches else None

    def find_created(self, payload, desired):
        """After a create whose answer was lost: the resource it made, or None (yet)."""
        name = payload.get('name') or self.params.get('name')
        if not name:
            return None
        candidates = [item for item in self.api.find_by_name(name, **self.name_scope())
                      if self.is_created(item, payload, desired)]
        return candidates[0] if len(candidates) == 1 else None

    def create(self, payload, desired):
        named = payload.get('name') or self.params.get('name')
        return self.api.create(payload, recheck=(lambda: self.find_created(payload, desired)) if named else None)

    def update(self, current, payload, desired):
        return self.when_idle(lambda: self.api.update(current, payload))

    def delete(self, current):
        try:
            self.when_idle(lambda: self.api.delete(current))
        except ApiError as error:
            if not self.api.is_not_found(error):
                raise

    def when_idle(self, call):
        """``call()``, repeated while the service answers that the resource is busy (``busy_timeout``)."""
        if self.params.get('busy_timeout') is None:
            return call()
        return call_until_ready(call, self.api.is_busy, self.params['busy_timeout'], self.busy_retry_policy,
                                sleep=self.api.sleep)

    def predict(self, current, payload, desired):
        """What the resource will look like after sending ``payload`` (check mode)."""
        predicted = dict(current or {})
        predicted.update(payload)
        return predicted

    def view(self, resource, sent=None):
        """The diff representation of ``resource``; ``sent`` marks secrets that this run writes."""
        if resource is None:
            return {}
        sent = sent or {}
        view = {}
        for field in self.diff_fields:
            if field in self.secret_fields:
                if field in sent and not is_blank(sent[field]):
                    view[field] = REDACTED_CHANGED
                elif not is_blank(resource.get(field)) or self.secret_is_set(resource, field):
                    view[field] = REDACTED
                continue
            value = resource.get(field)
            if is_blank(value):
                continue
            view[field] = certificate_view(value) if field in self.pem_fields else value
        return view

    def secret_is_set(self, resource, field):
        """Whether a secret the API does not echo is known to exist."""
        return False

    def returned(self, resource, desired=None):
        """The resource as returned to the user: secret fields removed, the shared ``summary`` added."""
        if resource is None:
            return None
        shown = dict((key, value) for key, value in resource.items() if key not in self.secret_fields)
        summary = self.summary(resource, desired)
        if summary is not None:
            shown['summary'] = summary
        return shown


# ``reconcile``'s ``found`` when the caller has not read the resource.
NOT_READ = object()


def reconcile(manager, state=None, desired=None, found=NOT_READ):
    """Bring the resource to ``state`` (default: the ``state`` parameter) and return the result.

    ``desired`` is what ``manager.validate()`` returned, for a caller that validated first (a fleet
    validates every target before any is sent); without it, validation runs here. Likewise ``found``
    is the resource (or None) for a caller that has already read it; without it, ``manager.find`` reads.
    A manager that serves a certificate (``returns_previous_summary``) also returns the summary of
    the one served before this run, so that a caller can report a rotation as before and after; when
    the write fails, the exception carries it as ``previous_summary``.
    ``warnings`` is in the result when the manager has any.
    """
    state = state or manager.params.get('state') or 'present'
    if desired is None:
        desired = manager.validate()
    current = manager.find(desired) if found is NOT_READ else found
    try:
        result = _reconciled(manager, desired, state, current)
    except Exception as error:
        # What was served before a write that failed is known: a caller reports it (a fleet's failed target).
        if manager.returns_previous_summary:
            error.previous_summary = manager.summary(current, desired) if current is not None else None
        raise
    if manager.returns_previous_summary and state != 'absent':
        result['previous_summary'] = manager.summary(current, desired) if current is not None else None
    if manager.warnings:
        result['warnings'] = list(manager.warnings)
    return result


def _reconciled(manager, desired, state, current):
    name = manager.resource_name
    check_mode = manager.check_mode

    if state == 'absent':
        if current is None:
            return {'changed': False, name: None, 'diff': {'before': {}, 'after': {}}}
        if not check_mode:
            manager.delete(current)
        return {'changed': True, name: None, 'diff': {'before': manager.view(current), 'after': {}}}

    # ``after`` is always the prediction, so check mode shows exactly the diff the real run shows
    # (fields the service fills in on its own are not part of the change).
    if current is None:
        payload = manager.create_payload(desired)
        predicted = manager.predict(None, payload, desired)
        result = predicted if check_mode else manager.create(payload, desired)
        return {'changed': True, name: manager.returned(result, desired),
                'diff': {'before': {}, 'after': manager.view(predicted, payload)}}

    payload = manager.update_payload(current, desired)
    if not payload:
        before = manager.view(current)
        return {'changed': False, name: manager.returned(current, desired), 'diff': {'before': before, 'after': before}}
    predicted = manager.predict(current, payload, desired)
    result = predicted if check_mode else manager.update(current, payload, desired)
    return {'changed': True, name: manager.returned(result, desired),
            'diff': {'before': manager.view(current), 'after': manager.view(predicted, payload)}}
