# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The provider-neutral module base class: merged options, the client, uniform failures.

A provider (``huaweicloud.py``, ``netcenter.py``) subclasses ``CertfleetModule`` with its
options and its client; this file knows no provider.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from importlib.util import find_spec

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.certfleet.cloud.plugins.module_utils import transport, x509
from ansible_collections.certfleet.cloud.plugins.module_utils.errors import ApiError, CertfleetError, InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.state import reconcile
from ansible_collections.certfleet.cloud.plugins.module_utils.transport import MissingLibraryError


def _installed(library):
    """Whether ``library`` can be found, without importing it."""
    try:
        return find_spec(library) is not None
    except ValueError:  # already in sys.modules, without a __spec__ (a stand-in): it is there
        return True


def private_key_texts(value):
    """Every private-key block in an option value (strings, lists and dicts of them)."""
    if isinstance(value, str):
        # A private key block, closed or not (a truncated paste is still a secret).
        return [value[start:stop] for label, dummy, dummy, start, stop in x509.pem_spans(value)
                if label.endswith('PRIVATE KEY')]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in private_key_texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in private_key_texts(item)]
    return []


# Shorter pieces of a secret are not hidden: they would hide ordinary words of the output (a base64
# piece of 16 characters does not occur by chance), and say nothing usable about the secret.
SHORTEST_HIDDEN = 16
PEM_WIDTHS = (64, 76)


def secret_forms(secret):
    """Every form in which ``secret`` may come back in a service's answer, to hide them all.

    The text as given; for PEM, the block as the modules send it (re-encoded in 64 columns, LF) and
    as other tools wrap it (76 columns, CRLF), each line, and the base64 body in 16-character pieces
    (a message that quotes the first 150 characters of a request still shows none of it); and the
    JSON-escaped form of each (an answer that echoes the request body). Forms shorter than
    ``SHORTEST_HIDDEN`` are left out, and so is anything but text (a service's ``private_key: 12345``).
    """
    if not isinstance(secret, str):
        return set()
    forms = set([secret, secret.strip()])
    for label, body, dummy, dummy, dummy in x509.pem_spans(secret):
        body = ''.join(body.split())
        forms.add(body)
        starts = range(0, len(body) - SHORTEST_HIDDEN + 1, SHORTEST_HIDDEN)
        forms.update(body[start:start + SHORTEST_HIDDEN] for start in starts)
        for width in PEM_WIDTHS:
            lines = [body[start:start + width] for start in range(0, len(body), width)]
            forms.update(lines)
            for newline in ('\n', '\r\n'):
                forms.add('-----BEGIN {0}-----{1}{2}{1}-----END {0}-----{1}'.format(label, newline, newline.join(lines)))
    forms.update([json.dumps(form)[1:-1] for form in forms])
    return set(form for form in forms if len(form) >= SHORTEST_HIDDEN)


def first_option(argument_spec, params, holds, skip_no_log=False, prefix=''):
    """The path (``targets[2].description``) of the first option whose text ``holds(text)``, suboptions included."""
    for name, spec in argument_spec.items():
        value = (params or {}).get(name)
        if value is None or (skip_no_log and spec.get('no_log')):
            continue
        path = prefix + name
        if spec.get('options') and isinstance(value, (dict, list)):
            items = [(path + '.', value)] if isinstance(value, dict) else \
                [('%s[%d].' % (path, index), item) for index, item in enumerate(value) if isinstance(item, dict)]
            for item_prefix, item in items:
                found = first_option(spec['options'], item, holds, skip_no_log, item_prefix)
                if found:
                    return found
            continue
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and holds(text) for text in texts):
            return path
    return None


def refused_option(argument_spec, params):
    """``(option, reason)`` for an option no service should receive, before anything is sent; else None."""
    option = first_option(argument_spec, params, lambda text: '\x00' in text)
    if option:
        return option, 'holds a NUL character, which no service takes'
    # Hidden from the output, a key in a free-text option would still be sent, and shown in clear by
    # the service's answers later.
    option = first_option(argument_spec, params, lambda text: bool(private_key_texts(text)), skip_no_log=True)
    if option:
        return option, ('holds a private key, which is never sent in this option; give keys only in the options '
                        'made for them (private_key, enc_private_key)')
    return None


class _KeyHidingAnsibleModule(AnsibleModule):
    """An AnsibleModule that hides every form of a secret, in whatever option it was put.

    Ansible hides the text of ``no_log`` options as given; a service that echoes the request shows
    it as the module sent it (re-encoded, JSON-escaped, cut). A key pasted into a non-secret option
    (certificate and key swapped) is refused, but Ansible would log the option at start and echo it
    in ``invocation`` at -vvv. Adding every form of every secret before the first log line keeps
    them out of every message, error and result.
    """

    def _log_invocation(self):
        secrets = set(self.no_log_values)
        for name, value in self.params.items():
            for text in private_key_texts(value):
                secrets.add(text)
                self.no_log_values.add(value if isinstance(value, str) else text)
        for secret in secrets:
            if isinstance(secret, str):
                self.no_log_values.update(secret_forms(secret))
        super(_KeyHidingAnsibleModule, self)._log_invocation()


class CertfleetModule:
    """An AnsibleModule with the provider's shared options merged in.

    ``run(main)`` calls ``main(self)`` and turns the collection's errors into ``fail_json`` with
    the option's name, or the service's status, code and request id.
    """

    provider_argument_spec = staticmethod(dict)

    def __init__(self, argument_spec, needs_cryptography=True, **kwargs):
        spec = self.provider_argument_spec()
        spec.update(argument_spec)
        self.ansible = _KeyHidingAnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        refused = refused_option(spec, self.params)
        if refused:
            self.ansible.fail_json(msg='%s: %s' % refused, field=refused[0])
        # requests and cryptography are imported where first used (transport.requests, x509.x509), so a
        # run pays only for what it uses. Whether they are installed is checked here without importing
        # them (find_spec: a tenth of a millisecond), to fail before anything is done, as before. One that
        # is installed but does not import raises MissingLibraryError where first used, reported by run().
        if not _installed('requests'):
            self.ansible.fail_json(msg=missing_required_lib('requests'), exception=transport.REQUESTS_IMPORT_ERROR)
        if needs_cryptography and not _installed('cryptography'):
            self.ansible.fail_json(msg=missing_required_lib('cryptography'), exception=x509.CRYPTOGRAPHY_IMPORT_ERROR)
        self._client = None

    def build_client(self):
        raise NotImplementedError

    @property
    def client(self):
        if self._client is None:
            self._client = self.build_client()
        return self._client

    def fail(self, msg, **kwargs):
        self.ansible.fail_json(msg=msg, **kwargs)

    def run(self, main):
        try:
            result = main(self)
        except CertfleetError as error:
            self._warn_connection()
            self.fail_with(error)
        self.exit(result)

    def fail_with(self, error):
        """``fail_json`` for one of the collection's errors: with its field, or the service's code and request id."""
        self.hide_client_secrets()
        if isinstance(error, InputError):
            self.fail(str(error), field=error.field)
        if isinstance(error, MissingLibraryError):
            self.ansible.fail_json(msg=str(error), exception=error.exception)
        if isinstance(error, ApiError):
            self.ansible.fail_json(**error.to_fail_kwargs())
        self.fail(str(error))

    def hide_client_secrets(self, clients=None):
        """Hide what the clients' credential chains handed out (keys read from a profile, temporary keys):
        they are no option, so Ansible does not know them as secrets."""
        for client in clients if clients is not None else [self._client]:
            for value in getattr(client, 'secrets', lambda: ())():
                self.ansible.no_log_values.update(secret_forms(value))

    def _warn_connection(self):
        for warning in getattr(self._client, 'warnings', None) or ():
            self.ansible.warn(warning)

    def exit(self, result):
        """``exit_json`` with what the layer put in ``result`` for the module: ``warnings`` are warned,
        ``no_log_values`` (secrets that came back from a service) are hidden from everything printed."""
        self._warn_connection()
        self.hide_client_secrets()
        result = dict(result)
        for value in result.pop('no_log_values', ()):
            self.ansible.no_log_values.update(secret_forms(value))
        for warning in result.pop('warnings', ()):
            self.ansible.warn(warning)
        if result.get('failed'):
            result.pop('failed')
            self.ansible.fail_json(**result)
        self.ansible.exit_json(**result)

    def run_manager(self, manager_class, api_class, state=None):
        """The whole module for a service that ``state.reconcile`` runs: its manager over its API."""
        self.run(lambda module: reconcile(manager_class(module.params, api_class(module.client), module.check_mode),
                                          state))
