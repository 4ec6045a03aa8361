# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reconcile step every module shares: find, compare, then create/update/delete or nothing.

A module describes its resource with a ``ResourceManager`` subclass; ``reconcile`` does the
rest the same way everywhere: check mode sends no write and reports what the real run would,
``diff`` shows certificate summaries and ``<redacted>`` secrets, never PEM or secret values.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import PemError, load_certificates

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
    try:
        certificates = load_certificates(pem_text, 'certificate')
    except PemError:
        return {'unparsable': True}
    return [certificate.summary() for certificate in certificates]


class ResourceManager:
    """How one kind of resource is found, compared and written. Subclasses fill this in."""

    resource_name = 'resource'
    # Fields shown in diff; PEM fields as summaries, secret fields only as markers.
    diff_fields = ()
    pem_fields = ()
    secret_fields = ()

    def __init__(self, module):
        self.module = module
        self.params = module.params

    # What a subclass provides ----------------------------------------------------------------
    def find(self):
        """The current resource, or None."""
        raise NotImplementedError

    def create_payload(self):
        """The API fields to send on create."""
        raise NotImplementedError

    def update_payload(self, current):
        """The API fields that differ from ``current``; empty when nothing needs changing."""
        raise NotImplementedError

    def create(self, payload):
        raise NotImplementedError

    def update(self, current, payload):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    # Shared behaviour -------------------------------------------------------------------------
    def predict(self, current, payload):
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

    def returned(self, resource):
        """The resource as returned to the user: secret fields removed."""
        if resource is None:
            return None
        return dict((key, value) for key, value in resource.items() if key not in self.secret_fields)


def reconcile(module, manager, state):
    """Bring the resource to ``state`` and return the module result."""
    check_mode = module.check_mode
    current = manager.find()
    name = manager.resource_name

    if state == 'absent':
        if current is None:
            return {'changed': False, name: None, 'diff': {'before': {}, 'after': {}}}
        if not check_mode:
            manager.delete(current)
        return {'changed': True, name: None, 'diff': {'before': manager.view(current), 'after': {}}}

    # ``after`` is always the prediction, so check mode shows exactly the diff the real run shows
    # (fields the service fills in on its own are not part of the change).
    if current is None:
        payload = manager.create_payload()
        predicted = manager.predict(None, payload)
        result = predicted if check_mode else manager.create(payload)
        return {'changed': True, name: manager.returned(result),
                'diff': {'before': {}, 'after': manager.view(predicted, payload)}}

    payload = manager.update_payload(current)
    if not payload:
        before = manager.view(current)
        return {'changed': False, name: manager.returned(current), 'diff': {'before': before, 'after': before}}
    predicted = manager.predict(current, payload)
    result = predicted if check_mode else manager.update(current, payload)
    return {'changed': True, name: manager.returned(result),
            'diff': {'before': manager.view(current), 'after': manager.view(predicted, payload)}}
