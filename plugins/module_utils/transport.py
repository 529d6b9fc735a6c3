# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The transport under requests, with ``timeout`` as the most one attempt may take, connect to last byte.

A socket timeout bounds each receive, not an answer: a server that sends its status line, its
headers or its body a byte at a time, each within the timeout, would hold a run for as long as it
likes. Here every receive of an answer waits no longer than what is left of its attempt; a receive
past the end raises the socket's own timeout, so urllib3 and requests report it as a read timeout
(retried where a read may be, lost where a change may have been made) and nothing else changes.

An attempt begins when the client sends a request and again after each of the transport's retries
(``attempt_begins``); its length is the socket timeout urllib3 sets before reading an answer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import socket
import threading
import time

try:
    import http.client as http_client
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:  # client.py reports missing libraries; nothing here is used then
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object
    http_client = None

_ATTEMPT = threading.local()


def attempt_begins():
    """An attempt starts now in this thread (socket time is real time, never the collection's clock)."""
    _ATTEMPT.started = time.monotonic()


def attempt_started():
    return getattr(_ATTEMPT, "started", None) or time.monotonic()


class _DeadlineSocket:
    """A connected socket as an answer's reader sees it: each receive waits at most what the attempt has left."""

    def __init__(self, sock, deadline, timeout):
        self._sock = sock
        self._deadline = deadline
        self._timeout = timeout

    def recv_into(self, buffer, nbytes=0, flags=0):
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        self._sock.settimeout(min(left, self._timeout))
        return self._sock.recv_into(buffer, nbytes, flags)

    def makefile(self, mode="rb", buffering=-1, **dummy):
        # As socket.makefile does for "rb", over this object, so every receive comes through recv_into.
        self._sock._io_refs += 1
        raw = socket.SocketIO(self, "rb")
        return io.BufferedReader(raw, io.DEFAULT_BUFFER_SIZE if buffering in (-1, None) else buffering)

    def __getattr__(self, name):
        return getattr(self._sock, name)


if http_client is not None:
    class _DeadlineResponse(http_client.HTTPResponse):
        def __init__(self, sock, *args, **kwargs):
            timeout = sock.gettimeout()
            if timeout is not None and hasattr(sock, "_io_refs"):
                sock = _DeadlineSocket(sock, attempt_started() + timeout, timeout)
            super(_DeadlineResponse, self).__init__(sock, *args, **kwargs)
else:
    _DeadlineResponse = None


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter over the connections above (direct and through an HTTP(S) proxy)."""

    def init_poolmanager(self, *args, **kwargs):
        super(DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super(DeadlineAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS brings its own connection classes
            manager.pool_classes_by_scheme = _POOLS
        return manager
