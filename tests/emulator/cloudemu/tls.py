# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A listener that speaks TLS: what a client of a load balancer gets.

An ELB listener seeded with ``tls_port`` (``POST /_emulator/seed {"elb": {"listeners": [{"id",
"default_tls_container_ref", "sni_container_refs", "tls_port": 0}]}}``, or the older ``certificate_ids``)
serves, on a port of its own, the certificates it uses as they are at each handshake: the default, or
an SNI certificate when the client's SNI names one of its domains (ELB's SNI rule: no SNI match, the
default). An update of a certificate, or of the listener's slots, is therefore served from the next
handshake on, which is what a probe after a rotation or a switch must be able to see.

After the handshake the listener answers one plain HTTP request (``listener <id>``) and closes, so
``curl -k`` works too. A client that gives up, a broken handshake or a listener without a servable
certificate (none with a key, an SM2 pair: standard TLS cannot serve those) closes that connection
only; the listener keeps serving until it is closed (``reset``, or the listener seeded again).
"""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import tempfile
import threading

from . import pem

# Seconds a client has for its handshake and its request: a stalled client holds only its own thread.
CLIENT_TIMEOUT = 5.0
# How often the accept loop looks at whether the listener was closed (closing a socket does not
# reliably wake a thread blocked in accept()).
ACCEPT_POLL = 0.2
MAX_REQUEST = 65536


def covers(certificate_pem, server_name):
    """Whether the leaf of ``certificate_pem`` is for ``server_name`` (SANs, else the CN; one-label wildcards)."""
    try:
        leaf = pem.certificates(certificate_pem)[0]
    except pem.BadPem:
        return False
    names = pem.dns_names(leaf) or [pem.common_name(leaf)]
    wanted = server_name.lower().rstrip('.')
    for name in names:
        name = (name or '').lower()
        if name == wanted:
            return True
        if name.startswith('*.') and '.' in wanted and wanted.split('.', 1)[1] == name[2:]:
            return True
    return False


class TlsListener:
    """One TLS port. ``certificates()`` returns the ``(certificate_pem, private_key_pem)`` pairs the
    listener serves now, the default first, then the SNI ones; it is called at every handshake (from the
    listener's threads)."""

    def __init__(self, name, certificates, host='127.0.0.1', port=0):
        self.name = name
        self._certificates = certificates
        self._lock = threading.Lock()
        self._contexts = {}
        self._closed = threading.Event()
        self._socket = socket.create_server((host, port))
        self._socket.settimeout(ACCEPT_POLL)
        self.host, self.port = self._socket.getsockname()[:2]
        self._thread = threading.Thread(target=self._accept_loop, name='cloudemu-tls-%s' % name, daemon=True)
        self._thread.start()

    # Life cycle -------------------------------------------------------------------------------
    def close(self):
        """Stop accepting; connections in progress end on their own timeout."""
        self._closed.set()
        try:
            self._socket.close()
        except OSError:
            pass
        if self._thread is not threading.current_thread():
            self._thread.join(ACCEPT_POLL * 5)
        with self._lock:
            self._contexts.clear()

    @property
    def closed(self):
        return self._closed.is_set()

    def _accept_loop(self):
        while not self._closed.is_set():
            try:
                connection, dummy = self._socket.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._closed.is_set():
                    return
                continue
            threading.Thread(target=self._serve, args=(connection,), daemon=True,
                             name='cloudemu-tls-%s-client' % self.name).start()

    # One client --------------------------------------------------------------------------------
    def _serve(self, connection):
        connection.settimeout(CLIENT_TIMEOUT)
        try:
            pairs = self._certificates()
            context = self._context(pairs[0]) if pairs else None
            if context is None:
                # Nothing to serve: the client sees the connection closed during its handshake.
                return
            with context.wrap_socket(connection, server_side=True) as tls:
                self._answer(tls)
        except Exception:  # pylint: disable=broad-except
            # A client that gives up, or any other trouble with one connection, never stops the listener.
            pass
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def _answer(self, tls):
        request = b''
        try:
            while b'\r\n\r\n' not in request and len(request) < MAX_REQUEST:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                request += chunk
        except (OSError, ssl.SSLError):
            return
        body = ('listener %s\n' % self.name).encode('utf-8')
        tls.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                    % len(body) + body)

    # Certificates ------------------------------------------------------------------------------
    def _on_server_name(self, ssl_object, server_name, dummy_context):
        """SNI: the first SNI certificate of the listener for the name the client asked for, else the default
        (the first pair, already in the handshake's context)."""
        if not server_name:
            return None
        try:
            for pair in self._certificates()[1:]:
                if covers(pair[0], server_name):
                    context = self._context(pair)
                    if context is not None:
                        ssl_object.context = context
                    break
        except Exception:  # pylint: disable=broad-except
            # The default certificate is served; an exception here would abort the handshake with no reason given.
            pass
        return None

    def _context(self, pair):
        """A server context for one certificate and key, made once per distinct pair; None when it cannot serve."""
        certificate_pem, key_pem = pair
        digest = hashlib.sha256((certificate_pem + '\0' + key_pem).encode('utf-8')).hexdigest()
        with self._lock:
            if digest in self._contexts:
                return self._contexts[digest]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # load_cert_chain reads files only: the pair is written to a private folder that is gone once loaded.
        with tempfile.TemporaryDirectory(prefix='cloudemu-tls-') as folder:
            paths = []
            for filename, text in (('chain.pem', certificate_pem), ('key.pem', key_pem)):
                path = os.path.join(folder, filename)
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as handle:
                    handle.write(text)
                paths.append(path)
            try:
                context.load_cert_chain(paths[0], paths[1])
            except (ssl.SSLError, OSError, ValueError):
                context = None
        if context is not None:
            context.sni_callback = self._on_server_name
        with self._lock:
            self._contexts[digest] = context
        return context
