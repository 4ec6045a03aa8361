# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PEM files a module keeps in step with a certificate it manages, the way community.crypto writes its own.

Which files are missing or stale is decided locally, without asking the service; a file is
written atomically (a temporary file in the same directory, then a rename) and only when its
content differs; the standard file attributes (``mode``, ``owner``, ``group``, ...) apply to every
file, and a private key without ``mode`` gets 0600 and is never readable by others, not even for
the moment between writing and renaming.

Those attributes are applied by a function the module hands over (``apply_attributes``), as only
``AnsibleModule`` knows how; nothing here sees the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import stat
import tempfile

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import PrivateKey, load_certificates

CERTIFICATE, CHAIN, FULLCHAIN, PRIVATE_KEY = 'certificate', 'chain', 'fullchain', 'private_key'
KINDS = (CERTIFICATE, CHAIN, FULLCHAIN, PRIVATE_KEY)
SECRET_MODE = 0o600
MISSING, STALE, CURRENT = 'missing', 'stale', 'current'
PROC_STATUS = '/proc/self/status'
UMASK_LINE = re.compile(r'^Umask:\s*([0-7]+)\s*$', re.MULTILINE)


def read_text(path):
    try:
        with open(path, 'r') as handle:
            return handle.read()
    except (IOError, OSError, UnicodeDecodeError):
        return None


def _certificates(text):
    try:
        return load_certificates(text, 'file') if text else None
    except InputError:
        return None


def _key(text):
    try:
        return PrivateKey(text, 'file') if text else None
    except InputError:
        return None


class PemFiles:
    """The files named by the options ``options`` (``{kind: path option}``; kinds: certificate, chain, fullchain,
    private_key) in ``params``.

    ``apply_attributes(path, default_mode)`` applies the standard file attributes of the options to one
    file (``default_mode`` when no ``mode`` is given) and returns whether any changed, or in check mode
    would; without it, attributes are left alone.
    """

    def __init__(self, params, options, apply_attributes=None):
        self.options = options                       # kind -> option name
        self.paths = dict((kind, params[option]) for kind, option in options.items() if params.get(option))
        self.apply_attributes = apply_attributes
        # (serial, issuer, what the files look like on disk) -> (states, current leaf): one run asks several
        # times; the files are read, parsed and their signatures checked again only when they changed.
        self._judged = {}

    def validate(self):
        """Every directory exists and no path is used twice; runs before any request."""
        seen = {}
        for kind, path in sorted(self.paths.items()):
            option = self.options[kind]
            if path in seen:
                raise InputError(option, 'is the same file as %s (%s)' % (seen[path], path))
            seen[path] = option
            directory = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(directory):
                raise InputError(option, 'directory %s does not exist' % directory)
            if os.path.isdir(path):
                raise InputError(option, '%s is a directory' % path)

    def __bool__(self):
        return bool(self.paths)

    __nonzero__ = __bool__

    def states(self, serial_number, issuer_name):
        """``{path: missing|stale|current}``, judged against the certificate with hex ``serial_number``.

        A chain is current when its first certificate is named ``issuer_name`` and, when the
        certificate itself is on disk too, signed it; a key alone can only be checked to parse,
        with the certificate it must match it.
        """
        return dict(self._judge(serial_number, issuer_name)[0])

    def current_certificate(self, serial_number, issuer_name):
        """The certificate on disk (certificate or full-chain file) that is current for ``serial_number``, or None."""
        return self._judge(serial_number, issuer_name)[1]

    def _judge(self, serial_number, issuer_name):
        key = (serial_number, issuer_name, tuple(sorted((path, file_identity(path)) for path in self.paths.values())))
        if key not in self._judged:
            self._judged[key] = self._read_and_judge(serial_number, issuer_name)
        return self._judged[key]

    def _read_and_judge(self, serial_number, issuer_name):
        texts = dict((kind, read_text(path)) for kind, path in self.paths.items())
        wanted_serial = int(serial_number, 16) if serial_number else None
        leaf = None
        verdicts = {}
        for kind in (CERTIFICATE, FULLCHAIN):
            if kind not in self.paths:
                continue
            certificates = _certificates(texts[kind])
            good = (certificates is not None and certificates[0].x509.serial_number == wanted_serial
                    and (len(certificates) == 1 if kind == CERTIFICATE else
                         len(certificates) > 1 and certificates[0].is_issued_by(certificates[1])))
            verdicts[kind] = good
            if good:
                leaf = certificates[0]
        if CHAIN in self.paths:
            chain = _certificates(texts[CHAIN])
            verdicts[CHAIN] = bool(chain and chain[0].common_name == issuer_name
                                   and (leaf is None or leaf.is_issued_by(chain[0])))
        if PRIVATE_KEY in self.paths:
            key = _key(texts[PRIVATE_KEY])
            verdicts[PRIVATE_KEY] = key is not None and (leaf is None or key.matches(leaf))
        states = dict((self.paths[kind], MISSING if texts[kind] is None else (CURRENT if good else STALE))
                      for kind, good in verdicts.items())
        return states, leaf

    def contents(self, exported):
        """What each file holds, from an export (``certificate``, ``certificate_chain``, ``private_key``)."""
        certificate = exported['certificate'].strip() + '\n'
        chain = exported.get('certificate_chain', '').strip() + '\n'
        every = {CERTIFICATE: certificate, CHAIN: chain, FULLCHAIN: certificate + chain,
                 PRIVATE_KEY: exported['private_key'].strip() + '\n'}
        return dict((kind, every[kind]) for kind in self.paths)

    def write(self, contents):
        """Write the files whose content differs; returns their paths."""
        written = []
        for kind, text in sorted(contents.items()):
            path = self.paths[kind]
            if read_text(path) == text:
                continue
            self._replace(path, text, kind == PRIVATE_KEY)
            written.append(path)
        return written

    def _replace(self, path, text, secret):
        existing = os.stat(path) if os.path.exists(path) else None
        directory = os.path.dirname(os.path.abspath(path))
        # mkstemp creates the file 0600: a key is never readable by others, even before the rename.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path), suffix='.tmp')
        try:
            with os.fdopen(handle, 'w') as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            if not secret:
                os.chmod(temporary, stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~current_umask())
            os.rename(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def set_attributes(self):
        """Apply the file attributes to every existing file; whether any changed (check mode: would change)."""
        if self.apply_attributes is None:
            return False
        changed = False
        for kind, path in sorted(self.paths.items()):
            if not os.path.exists(path):
                continue
            changed = self.apply_attributes(path, SECRET_MODE if kind == PRIVATE_KEY else None) or changed
        return changed


def file_identity(path):
    """What changes when a file is written or replaced; None for a missing one."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def current_umask(status_path=PROC_STATUS):
    """The process's umask, read without changing it where the kernel shows it (Linux 4.7 and later).

    ``os.umask`` can only read the mask by setting another one, process-wide: a file another thread
    creates in that moment gets the stand-in mask instead of the real one. So it is the last resort
    (no ``/proc``, or a kernel that does not show ``Umask``), and the stand-in is 077, which can make
    such a file too private but never readable by others.
    """
    try:
        with open(status_path, 'r') as handle:
            found = UMASK_LINE.search(handle.read())
    except (IOError, OSError):
        found = None
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
