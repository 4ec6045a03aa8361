# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""PEM files a module keeps in step with a certificate it manages, the way community.crypto writes its own.

Which files are missing or stale is decided locally, without asking the service; a file is
written atomically (a temporary file in the same directory, then a rename) and only when its
content differs. The standard file attributes (``owner``, ``group``, ...) apply to every file;
``mode`` to every file but the private key, whose mode is ``private_key_mode`` (0600 by default),
so a mode natural for a certificate never opens the key. A key is never readable by others while it
is written (not even between writing and renaming), and a key left readable by its group or others
is reported (``key_warning``).

Before any request (``validate``): every path is a regular file or missing (a FIFO would hang the
read, a device or directory cannot be replaced by a key), and no two options name the same file,
compared by real path and by inode. A file that cannot be written is a ``FileWriteError`` naming
its option and path, not a traceback.

Those attributes are applied by a function the module hands over (``apply_attributes``), as only
``AnsibleModule`` knows how; nothing here sees the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import os
import re
import stat
import tempfile

from ansible_collections.certfleet.cloud.plugins.module_utils.errors import InputError
from ansible_collections.certfleet.cloud.plugins.module_utils.x509 import PrivateKey, load_certificates

CERTIFICATE, CHAIN, FULLCHAIN, PRIVATE_KEY = 'certificate', 'chain', 'fullchain', 'private_key'
KINDS = (CERTIFICATE, CHAIN, FULLCHAIN, PRIVATE_KEY)
SECRET_MODE = 0o600
MODE_OPTION, KEY_MODE_OPTION = 'mode', 'private_key_mode'
READABLE_BY_OTHERS = stat.S_IRGRP | stat.S_IROTH
MISSING, STALE, CURRENT = 'missing', 'stale', 'current'
PROC_STATUS = '/proc/self/status'
UMASK_LINE = re.compile(r'^Umask:\s*([0-7]+)\s*$', re.MULTILINE)
# One clause of a symbolic mode as AnsibleModule takes it (``u=rw``, ``go-rwx``, ``a+X``).
SYMBOLIC_MODE = re.compile(r'^[ugoa]*([-+=][rwxXstugo]*)+$')
NOT_REGULAR = ((stat.S_ISFIFO, 'a FIFO'), (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
               (stat.S_ISSOCK, 'a socket'))


class FileWriteError(InputError):
    """A file of the option ``field`` that could not be written or given its attributes.

    Unlike other input errors it can come after requests were sent (the certificate was issued):
    what the service holds is kept, so a rerun once the path is fixed writes the file and converges.
    """


def read_text(path):
    """The text of a regular file; None when it is missing, unreadable or not a regular file.

    Never opens anything else: a FIFO put there after ``validate`` would block the read forever, and
    opening a device can act on it. The open does not block either, and what was opened is checked again.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            return None
        with os.fdopen(descriptor, 'r') as handle:
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


def parse_mode(value, option):
    """A mode option as AnsibleModule applies it: None, an int, an octal text (as an int) or a symbolic text
    (as it is); anything else is an ``InputError``, raised before any request rather than at chmod time."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= 0o7777:
            return value
    elif isinstance(value, str):
        try:
            number = int(value.strip(), 8)
        except ValueError:
            if value and all(SYMBOLIC_MODE.match(clause) for clause in value.split(',')):
                return value
        else:
            if 0 <= number <= 0o7777:
                return number
    raise InputError(option, '%r is not a mode; give an octal one in quotes ("0600") or a symbolic one ("u=rw,g=r")'
                     % (value,))


def kind_of_file(path, option):
    """``os.stat`` of ``path`` (through links) when it is a regular file, None when nothing is there;
    ``InputError`` naming ``option`` for anything else. Looks without opening."""
    try:
        status = os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:  # missing, or a link to nothing: replaced by a new file
            return None
        raise InputError(option, 'cannot examine %s: %s' % (path, error.strerror or error))
    if stat.S_ISDIR(status.st_mode):
        raise InputError(option, '%s is a directory' % path)
    for test, name in NOT_REGULAR:
        if test(status.st_mode):
            raise InputError(option, '%s is %s, not a regular file; give the path of a file' % (path, name))
    return status


def real_file(path):
    """The file ``path`` names through any links, or None when it is missing.

    Attributes are set on this file, not on a link: AnsibleModule changes a link's own mode and puts the
    target's back, which leaves a key behind a link as open as it was. The kernel's lookup (``os.stat``)
    must reach the same file, so a link the kernel refuses to follow (``protected_symlinks``) is not
    followed here either.
    """
    try:
        through = os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return None
        raise
    real = os.path.realpath(path)
    status = os.stat(real)
    if (status.st_dev, status.st_ino) != (through.st_dev, through.st_ino):
        raise OSError(errno.ESTALE, 'it was replaced while it was examined')
    return real


class PemFiles:
    """The files named by the options ``options`` (``{kind: path option}``; kinds: certificate, chain, fullchain,
    private_key) in ``params``, with the modes of ``mode`` and ``private_key_mode`` (0600 when absent).

    ``apply_attributes(path, mode)`` applies the standard file attributes of the options to one file, with
    ``mode`` in place of the ``mode`` option (None: the mode is left alone), and returns whether any changed,
    or in check mode would; without it, attributes are left alone.
    """

    def __init__(self, params, options, apply_attributes=None):
        self.options = options                       # kind -> option name
        self.paths = dict((kind, params[option]) for kind, option in options.items() if params.get(option))
        self.apply_attributes = apply_attributes
        self.mode = params.get(MODE_OPTION)
        self.key_mode = params.get(KEY_MODE_OPTION, SECRET_MODE)
        # (serial, issuer, what the files look like on disk) -> (states, current leaf): one run asks several
        # times; the files are read, parsed and their signatures checked again only when they changed.
        self._judged = {}

    def validate(self):
        """Every directory exists, every path is a regular file (or a link to one) or missing, no two options
        name the same file, and the modes are modes; runs before any request."""
        parse_mode(self.mode, MODE_OPTION)
        parse_mode(self.key_mode, KEY_MODE_OPTION)
        by_path, by_inode = {}, {}
        for kind, path in sorted(self.paths.items()):
            option = self.options[kind]
            # Path strings differ for one file (d/./a, a link to it): the key would land on the certificate.
            real = os.path.realpath(path)
            if real in by_path:
                raise InputError(option, 'is the same file as %s (%s)' % (by_path[real], path))
            by_path[real] = option
            directory = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(directory):
                raise InputError(option, 'directory %s does not exist' % directory)
            status = kind_of_file(path, option)
            if status is not None:
                inode = (status.st_dev, status.st_ino)
                if inode in by_inode:  # a hard link
                    raise InputError(option, 'is the same file as %s (%s)' % (by_inode[inode], path))
                by_inode[inode] = option

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
        """Write the files whose content differs; returns their paths. ``FileWriteError`` for one that cannot be."""
        written = []
        for kind, text in sorted(contents.items()):
            path = self.paths[kind]
            if read_text(path) == text:
                continue
            try:
                self._replace(path, text, kind == PRIVATE_KEY)
            except (IOError, OSError) as error:
                raise self._failed(kind, 'could not be written', error)
            written.append(path)
        return written

    def _failed(self, kind, what, error):
        return FileWriteError(self.options[kind], '%s %s (%s); what the service issued is kept, so a rerun '
                                                  'once that is fixed brings the file in step'
                              % (self.paths[kind], what, getattr(error, 'strerror', None) or error))

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
            try:
                os.unlink(temporary)
            except OSError:
                pass  # the error that brought us here is the one to report
            raise

    def set_attributes(self):
        """Apply the file attributes to every existing file (through links); whether any changed (check mode:
        would change). The key gets ``private_key_mode``, the others ``mode``."""
        if self.apply_attributes is None:
            return False
        changed = False
        for kind, path in sorted(self.paths.items()):
            try:
                target = real_file(path)
                if target is None:
                    continue
                changed = self.apply_attributes(target, self.key_mode if kind == PRIVATE_KEY else self.mode) or changed
            except (IOError, OSError) as error:
                raise self._failed(kind, 'could not be given its attributes', error)
        return changed

    def key_warning(self, check_mode=False):
        """A warning when the key file is readable by its group or others once attributes are set (in check
        mode: would be), else None."""
        path = self.paths.get(PRIVATE_KEY)
        if path is None:
            return None
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = None
        wanted = parse_mode(self.key_mode, KEY_MODE_OPTION)
        if check_mode and self.apply_attributes is not None and isinstance(wanted, int):
            mode = wanted
        elif mode is None:
            return None
        if not mode & READABLE_BY_OTHERS:
            return None
        readers = ' and '.join(who for who, bit in (('its group', stat.S_IRGRP), ('others', stat.S_IROTH)) if mode & bit)
        return ('private key %s is readable by %s (mode %04o); private_key_mode "0600" keeps it to its owner'
                % (path, readers, mode))


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
