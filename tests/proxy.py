"""A small HTTP proxy on loopback, for the tests of the ``proxy``/``no_proxy`` options and the proxy variables.

It does what a corporate proxy does for the collection's requests: it forwards plain-http requests
given with an absolute URL, and opens a tunnel for ``CONNECT host:port`` (https); with ``auth``
("user:password") it refuses a request without those credentials with ``407 Proxy Authentication
Required``. It only ever connects to loopback addresses. What it saw is kept for the tests:
``forwarded`` (method and URL of each forwarded request), ``tunnels`` (each CONNECT target it
opened), ``refused`` (each request it answered 407) and ``credentials`` (the Proxy-Authorization
values it received, decoded).
"""

import base64
import http.client
import ipaddress
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers and the proxy's own: never passed on.
_NOT_FORWARDED = {"proxy-authorization", "proxy-connection", "connection", "keep-alive", "te", "trailer",
                  "transfer-encoding", "upgrade"}
# A tunnel that carries nothing for this long is closed (bounds the relay loop).
IDLE = 30
# At most this many relay rounds per tunnel, however busy it is.
MAX_ROUNDS = 100000


def _loopback(host):
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


class LoopbackProxy:
    def __init__(self, auth=None):
        self.auth = auth
        self.forwarded = []
        self.tunnels = []
        self.refused = []
        self.credentials = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):  # noqa: A002 - quiet
                pass

            def _allowed(self):
                given = self.headers.get("Proxy-Authorization")
                if given:
                    scheme, dummy, value = given.partition(" ")
                    try:
                        outer.credentials.append(base64.b64decode(value).decode("utf-8") if scheme == "Basic" else given)
                    except ValueError:
                        outer.credentials.append(given)
                if outer.auth is None or (outer.credentials and given and outer.credentials[-1] == outer.auth):
                    return True
                outer.refused.append((self.command, self.path))
                body = b"proxy authentication required"
                self.send_response(407)
                self.send_header("Proxy-Authenticate", 'Basic realm="loopback proxy"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return False

            def _refuse(self, status, text):
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def do_CONNECT(self):  # noqa: N802 - the name http.server calls
                if not self._allowed():
                    return
                host, dummy, port = self.path.rpartition(":")
                if not _loopback(host) or not port.isdigit():
                    return self._refuse(403, "loopback targets only")
                try:
                    upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
                except OSError:
                    return self._refuse(502, "cannot reach %s" % self.path)
                outer.tunnels.append(self.path)
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                self._relay(self.connection, upstream)
                self.close_connection = True

            @staticmethod
            def _relay(client, upstream):
                pair = {client: upstream, upstream: client}
                try:
                    for dummy in range(MAX_ROUNDS):
                        ready, dummy, dummy = select.select(list(pair), [], [], IDLE)
                        if not ready:
                            return
                        for sock in ready:
                            data = sock.recv(65536)
                            if not data:
                                return
                            pair[sock].sendall(data)
                except OSError:
                    return
                finally:
                    upstream.close()

            def _forward(self):
                if not self._allowed():
                    return
                parts = urlsplit(self.path)
                if parts.scheme != "http" or not parts.hostname or not _loopback(parts.hostname):
                    return self._refuse(403, "absolute http:// URLs of loopback hosts only")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _NOT_FORWARDED}
                outer.forwarded.append((self.command, self.path))
                upstream = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
                try:
                    target = parts.path + ("?" + parts.query if parts.query else "")
                    upstream.request(self.command, target or "/", body=body, headers=headers)
                    answer = upstream.getresponse()
                    content = answer.read()
                except OSError:
                    return self._refuse(502, "cannot reach %s" % parts.netloc)
                finally:
                    upstream.close()
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _NOT_FORWARDED and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def url_with(self, userinfo):
        return "http://%s@127.0.0.1:%d" % (userinfo, self.port)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def dead_port():
    """A loopback port nothing listens on (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
