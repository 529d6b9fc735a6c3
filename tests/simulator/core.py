"""Core of the API simulator: HTTP server, routing, request log, faults, rate limits, clock.

Standard library only. One ``Simulator`` serves every registered API under its own path prefix
(``/hostup``, ...) plus the control API under ``/_sim``. ``Simulator(tls=True)`` serves https
instead, with a certificate signed by a CA made at start (its file: ``sim.ca_file``, see tls.py);
handshakes that clients refused are counted in ``/_sim/health`` as ``tls_refused`` (https mode
alone needs a package beyond the standard library: ``cryptography``, which ansible-core brings).
``Simulator(tls=True, client_certs=True)`` also requires a client certificate: one it accepts and
one of another CA are in ``sim.client_certs`` (handshakes it refuses count as ``tls_refused`` too).

Writing an API plugin (see hostup.py)::

    from .core import API, Response, register, route

    @register
    class ExampleAPI(API):
        name = "example"          # key used by the control API (?api=example, seed bodies, faults)
        prefix = "/example"       # everything under this prefix goes to this plugin
        base = "/v1"              # routes are matched relative to prefix + base

        def reset(self): ...      # forget all state (called under the simulator lock)
        def seed(self, data): ... # add objects, return what was created (IDs included)
        def state(self): ...      # JSON-able dump for tests
        def error(self, status, req=None, **kw): ...  # an error in this API's own format

        @route("GET", r"/things/(?P<thing_id>[^/]+)")
        def get_thing(self, req, thing_id): ...

in ``tests/simulator/<module>.py``; ``API_MODULES`` below already names hostup, cloudfoundry, vsp and
bigchange (a new API adds one line there). For a "demo" seed, define ``demo_<name>(now)`` in the
API's module (or in seed.py).
Request.json() raises InvalidJSON on a bad body; left uncaught, core answers error(400).
``handle()`` is called with the simulator lock held, so plugins need no locking of their own; the
simulated time is ``self.sim.now()``. ``rate_limit_headers(limit, remaining, reset)`` may return the
API's X-RateLimit-* headers, added to every answer while a rate limit is set.

``error()`` is called by core with these keyword arguments, all optional, so accept ``**kw``:
``req`` (the Request), ``detail`` (text), ``retry_after`` (int seconds: add a Retry-After header),
``rate_limit`` (``{"limit", "remaining", "reset"}``, reset as epoch seconds: add the API's
X-RateLimit-* headers), ``allow`` (list of methods, for 405).
"""

import datetime
import importlib
import ipaddress
import json
import math
import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

# One line per API: the module (tests/simulator/<name>.py) that defines and @register's it.
# A module that does not exist yet is skipped.
API_MODULES = ("hostup", "cloudfoundry", "vsp", "bigchange")

API_CLASSES = []

SEEDS = ("empty", "demo")

FAULT_KINDS = ("status", "rate_limit", "slow", "drop", "drop_mid_body", "malformed", "html", "empty", "wrong_shape",
               "advance", "echo", "restatus", "drip", "drip_head", "reply")
# What each kind does (``when``: before the API handles the request, or after it acted):
#   status        an error answer in the API's format (``status``, default 500; ``retry_after``)
#   rate_limit    a 429 (or ``status``) with Retry-After (any text: ``"garbage"``, ``"-5"``, ``"1.5"``) and X-RateLimit-*
#   slow          the real answer, ``delay`` seconds late (before: handled late; after: handled, answered late)
#   drop          the connection closes without an answer
#   drop_mid_body the answer is cut off halfway through its body
#   malformed     half of a JSON body; html: an nginx error page; empty: no body; wrong_shape: {"unexpected": true}
#   advance       the simulated clock jumps ``delay`` seconds first, then the request is handled as usual:
#                 the state changes between a client's read and its next request (a job finishes)
#   restatus      the real answer (body and headers) under another ``status`` (default 202); with
#                 ``when: after``, a server that acted and answered a 2xx its API does not document
#                 (``empty`` and ``wrong_shape`` with a 2xx ``status`` give the same with no body or
#                 another JSON body); ``when: before``: that status, no body, nothing done
#   drip          the real answer, its headers at once, then its body one byte every ``delay`` seconds (real
#                 time; default 1): a server that keeps a connection busy without ever letting a read time out
#   drip_head     the same from the first byte: the status line and headers, then the body, a byte every ``delay``
#   echo          an error answer (``status``, default 401) whose detail quotes the request's
#                 Authorization header, its body and its query, as a careless server would
#   reply         the JSON ``reply`` under ``status`` (default 200), whatever was asked: an answer about
#                 another object (a cache or a gateway that mixes answers up), or any odd body a test needs
# Any kind takes ``headers``: extra headers on its answer (a ``status`` 301 with a Location).

REDACTED = "<redacted>"
REDACTED_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-xsrf-token", "set-cookie")
REDACTED_FIELDS = ("password", "client_secret", "refresh_token")


def seconds_of(retry_after):
    """The wait a Retry-After value stands for, 1 s when it is not a number (for X-RateLimit-Reset)."""
    try:
        return max(0.0, float(retry_after))
    except (TypeError, ValueError):
        return 1.0


def retry_after_header(value):
    """The Retry-After header for ``value``: whole seconds for a number, a string as it is (faults send garbage)."""
    return value if isinstance(value, str) else str(int(value))


def parse_time(value):
    """ISO string or epoch number -> epoch seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def register(cls):
    """Class decorator: make an API plugin known to every Simulator created afterwards."""
    if not any(c.name == cls.name for c in API_CLASSES):
        API_CLASSES.append(cls)
    return cls


def load_apis():
    """Import the API modules (once); a module that is not there yet is skipped."""
    for mod in API_MODULES:
        full = "%s.%s" % (__package__ or "simulator", mod)
        try:
            importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
    return list(API_CLASSES)


# --------------------------------------------------------------------------------------------
# Request / Response
# --------------------------------------------------------------------------------------------

class InvalidJSON(ValueError):
    """Raised by Request.json() when the body is not valid JSON. Core turns an uncaught one into a 400."""


class Headers(dict):
    """A dict of headers with case-insensitive get/contains/[]; keeps the first spelling seen."""

    def __init__(self, items=()):
        super().__init__()
        self._lower = {}
        for key, value in items:
            self.add(key, value)

    def add(self, key, value):
        existing = self._lower.get(key.lower())
        if existing is None:
            self._lower[key.lower()] = key
            dict.__setitem__(self, key, value)
        else:
            sep = "; " if key.lower() == "cookie" else ", "
            dict.__setitem__(self, existing, dict.__getitem__(self, existing) + sep + value)

    def _key(self, key):
        return self._lower.get(key.lower(), key)

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __contains__(self, key):
        return key.lower() in self._lower

    def get(self, key, default=None):
        return dict.get(self, self._key(key), default)


class Request:
    """What a plugin's handler receives.

    method, path (relative to the API prefix, still percent-encoded), full_path (whole URL path),
    query (dict of lists), headers (case-insensitive), body (bytes), cookies (dict), api (name).
    """

    def __init__(self, method, full_path, query_string, headers, body, prefix="", api=None):
        self.method = method
        self.full_path = full_path
        self.path = full_path[len(prefix):] or "/"
        self.query_string = query_string
        self.query = parse_qs(query_string, keep_blank_values=True)
        self.headers = headers
        self.body = body or b""
        self.api = api
        self.cookies = parse_cookies(headers.get("Cookie", ""))
        self.params = {}
        # Set by an API's handler when this request changed the API's state (a job cancelled, a
        # backup deleted): the ground truth a test judges a module's ``changed`` by.
        self.acted = False

    def arg(self, name, default=None):
        """First value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self):
        """The body parsed as JSON; None when the body is empty; raises InvalidJSON when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidJSON("The request body is not valid JSON: %s" % exc) from None

    def form(self):
        """The body parsed as application/x-www-form-urlencoded: a dict of first values."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def bearer(self):
        """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
        scheme, dummy, token = (self.headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


def parse_cookies(header):
    cookies = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            cookies[name.strip()] = value.strip()
    return cookies


class Response:
    def __init__(self, status, body=b"", headers=None, content_type=None):
        self.status = int(status)
        self.body = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self.headers = dict(headers or {})
        if content_type and not any(k.lower() == "content-type" for k in self.headers):
            self.headers["Content-Type"] = content_type

    @classmethod
    def json(cls, status, obj, headers=None, content_type="application/json"):
        return cls(status, json.dumps(obj).encode("utf-8"), headers, content_type)

    @classmethod
    def empty(cls, status=204, headers=None):
        return cls(status, b"", headers)

    @classmethod
    def text(cls, status, text, headers=None, content_type="text/plain; charset=utf-8"):
        return cls(status, text.encode("utf-8"), headers, content_type)

    def header(self, name, default=None):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default


# --------------------------------------------------------------------------------------------
# API base class and routing
# --------------------------------------------------------------------------------------------

def route(method, pattern):
    """Method decorator: ``@route("GET", r"/vps/(?P<vps_id>[^/]+)")``; named groups become keyword
    arguments (percent-decoded). Patterns must match the whole path below prefix + base."""
    def deco(fn):
        fn.__dict__.setdefault("_sim_routes", []).append((method.upper(), pattern))
        return fn
    return deco


class OAuthError(Exception):
    """An OAuth 2.0 token endpoint's refusal ({"error", "error_description"}), shared by the APIs that have one."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class API:
    """Base class of an API plugin. Routes come from @route-decorated methods and from the class
    attribute ``routes`` (a list of ``(method, pattern, handler_name)``)."""

    name = None
    prefix = None
    base = ""
    routes = ()

    def __init__(self, sim):
        self.sim = sim
        self._routes = []
        for method, pattern, handler in self.routes:
            self._routes.append((method.upper(), re.compile(pattern), getattr(self, handler)))
        for attr in dir(type(self)):
            fn = getattr(type(self), attr, None)
            for method, pattern in getattr(fn, "_sim_routes", ()):
                self._routes.append((method, re.compile(pattern), getattr(self, attr)))

    # -- to override ------------------------------------------------------------------------
    def reset(self):
        pass

    def seed(self, data):
        return {}

    def state(self):
        return {}

    def error(self, status, req=None, **kw):
        return generic_error(status, req=req, **kw)

    def throttle_headers(self, status, retry_after=None, rate_limit=None, allow=None):
        """Retry-After, this API's X-RateLimit-* and Allow headers of an error answer; a 429 always gets
        the first two (1 s and an exhausted bucket unless the caller says otherwise)."""
        out = {}
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            if rate_limit is None:
                rate_limit = {"limit": self.settings["rate_limit_limit"], "remaining": 0,
                              "reset": self.sim.now() + seconds_of(retry_after)}
        if retry_after is not None:
            out["Retry-After"] = retry_after_header(retry_after)
        if rate_limit is not None:
            out.update(self.rate_limit_headers(**rate_limit))
        if allow:
            out["Allow"] = ", ".join(allow)
        return out

    def rate_limit_headers(self, limit, remaining, reset):
        """Headers added to every response while a rate limit is configured (reset: epoch seconds)."""
        return {}

    def handle(self, req):
        return self.dispatch(req)

    # -- helpers ----------------------------------------------------------------------------
    @property
    def base_path(self):
        return self.prefix + self.base

    def dispatch(self, req):
        """Match ``req.path`` (below ``self.base``) against the routes: call the handler, or
        answer 404 (no pattern matches) / 405 (a pattern matches, not the method). A path outside the
        API's base (a wrong base URL: /api/v2 doubled or cut) never reaches the API's router: the web
        server in front answers, with its own page (front_404), not in the API's error form."""
        if not (req.path == self.base or req.path.startswith(self.base + "/") or not self.base):
            return front_404()
        sub = req.path[len(self.base):] or "/"
        allowed = []
        for method, regex, handler in self._routes:
            match = regex.fullmatch(sub)
            if not match:
                continue
            if method == req.method or (method == "GET" and req.method == "HEAD"):
                req.params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                return handler(req, **req.params)
            allowed.append(method)
        if allowed:
            return self.error(405, req=req, allow=sorted(set(allowed)))
        return self.error(404, req=req)


def front_404():
    """The 404 page of the web server in front of an API (nginx's), for paths outside every API's base."""
    return Response(404, NGINX_PAGE.format(code=404, reason="Not Found"), content_type="text/html")


def generic_error(status, req=None, detail=None, retry_after=None, allow=None, **_kw):
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after_header(retry_after)
    if allow:
        headers["Allow"] = ", ".join(allow)
    return Response.json(status, {"error": detail or _reason(status), "status": status}, headers)


def _reason(status):
    return BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]


# --------------------------------------------------------------------------------------------
# Helpers for the log
# --------------------------------------------------------------------------------------------

def redact_headers(headers):
    out = {}
    for key, value in headers.items():
        if key.lower() in REDACTED_HEADERS:
            if key.lower() in ("authorization", "proxy-authorization"):
                scheme, sep, _rest = value.strip().partition(" ")
                value = "%s %s" % (scheme, REDACTED) if sep else REDACTED
            else:
                value = REDACTED
        out[key] = value
    return out


def _redact_fields(obj):
    if isinstance(obj, dict):
        return {k: (REDACTED if k.lower() in REDACTED_FIELDS and v is not None else _redact_fields(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact_fields(v) for v in obj]
    return obj


def loggable_body(req):
    if not req.body:
        return None
    if req.content_type == "application/x-www-form-urlencoded":
        return _redact_fields(req.form())
    try:
        return _redact_fields(req.json())
    except InvalidJSON:
        text = req.body[:2000].decode("utf-8", "replace")
        return text


# --------------------------------------------------------------------------------------------
# Faults and rate limits
# --------------------------------------------------------------------------------------------

def echo_text(req):
    """What a careless server quotes back of a request: its credentials, body and query, in full."""
    return "Refused: Authorization %r, body %r, query %r" % (
        req.headers.get("Authorization") or "", req.body.decode("utf-8", "replace"), req.query_string)


NGINX_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class _Bucket:
    def __init__(self, per_second, burst, now):
        self.rate = float(per_second)
        self.capacity = float(burst if burst is not None else max(1.0, self.rate))
        self.tokens = self.capacity
        self.stamp = now

    def take(self, now):
        """Take one token. Returns (ok, remaining, retry_after, reset_epoch)."""
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            full_in = (self.capacity - self.tokens) / self.rate
            return True, int(self.tokens), 0, now + full_in
        wait = (1.0 - self.tokens) / self.rate
        retry_after = max(1, int(math.ceil(wait)))
        return False, 0, retry_after, now + retry_after

    def describe(self):
        return {"per_second": self.rate, "burst": self.capacity}


class _Plan:
    """What to do with one API request: the fault rule that applies (if any), the Retry-After when
    the rate limit refuses it, and the bucket's numbers for the X-RateLimit-* headers."""

    def __init__(self):
        self.fault = None
        self.rate_limited = None
        self.rate_limit_info = None


# --------------------------------------------------------------------------------------------
# The simulator
# --------------------------------------------------------------------------------------------

class Simulator:
    def __init__(self, host="127.0.0.1", port=0, seed="empty", verbose=False, tls=False, client_certs=False):
        if host == "localhost":
            host = "127.0.0.1"
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError("The simulator only binds loopback addresses (127.0.0.0/8, ::1), not %r" % host)
        if seed not in SEEDS:
            raise ValueError("seed must be one of %s, not %r" % (", ".join(SEEDS), seed))
        self.host = host
        self.port = port
        self.verbose = verbose
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self._generation = 0
        self._in_flight = 0
        self.apis = {}
        self._server = None
        self._thread = None
        # https mode: a throwaway CA and server certificate, made now so ca_file is known before start().
        self.ca_file = None
        self._tls = None
        if tls:
            from .tls import make_certificates, server_context
            self._tls_dir = tempfile.TemporaryDirectory(prefix="jobctl-sim-tls-")
            self.ca_file, cert_file, key_file = make_certificates(self._tls_dir.name, host)
            self._tls = server_context(cert_file, key_file)
            # client_certs: the server asks for a client certificate and refuses a handshake without
            # one its own client CA signed; the files for clients are in client_certs (tls.py).
            self.client_certs = None
            if client_certs:
                from .tls import make_client_certificates, require_client_certificates
                self.client_certs = make_client_certificates(self._tls_dir.name)
                require_client_certificates(self._tls, self.client_certs["ca"])
        elif client_certs:
            raise ValueError("client_certs needs tls")
        for cls in load_apis():
            self.apis[cls.name] = cls(self)
        self.reset(seed)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self):
        server_cls = _Server6 if ":" in self.host else _Server
        self._server = server_cls((self.host, self.port), _Handler)
        self._server.sim = self
        if self._tls is not None:
            # The handshake runs in the handler's thread (_Handler.setup), never in the accept loop.
            self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True,
                                                        do_handshake_on_connect=False)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="api-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self):
        return self if self._server else self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % ("https" if self._tls else "http", host, self.port)

    def api_url(self, name):
        """Base URL a module should be given as api_url, e.g. http://127.0.0.1:PORT/hostup/api/v2."""
        return self.url + self.apis[name].base_path

    def api(self, name):
        return self.apis[name]

    # -- clock ------------------------------------------------------------------------------
    def now(self):
        return time.time() + self.clock_offset

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self.lock:
            self.clock_offset += float(seconds)
            return self.now()

    # -- state ------------------------------------------------------------------------------
    def reset(self, seed="empty"):
        if seed not in SEEDS:
            raise ValueError("seed must be one of %s, not %r" % (", ".join(SEEDS), seed))
        with self.lock:
            self._generation += 1
            self.clock_offset = 0.0
            self.log = []
            self._seq = 0
            self._arrivals = 0
            # TLS handshakes that failed (a client refusing the certificate never reaches the log).
            self.tls_refused = 0
            self.faults = []
            self._fault_id = 0
            self.buckets = {}
            for api in self.apis.values():
                api.reset()
            if seed == "demo":
                from . import seed as seed_module
                for name, api in self.apis.items():
                    # demo_<name>(now) lives in seed.py or in the API's own module.
                    factory = getattr(seed_module, "demo_%s" % name, None) or \
                        getattr(sys.modules[type(api).__module__], "demo_%s" % name, None)
                    if factory is not None:
                        api.seed(factory(self.now()))

    def seed(self, data):
        with self.lock:
            unknown = [name for name in data if name not in self.apis]
            if unknown:
                raise ValueError("unknown API(s): %s" % ", ".join(unknown))
            return {name: self.apis[name].seed(body or {}) for name, body in data.items()}

    def set_state(self, data):
        """Replace the named APIs' objects with ``data``'s (seed bodies); the other APIs, the log,
        faults, rate limits and the clock stay (a reset would clear them all)."""
        with self.lock:
            unknown = [name for name in data if name not in self.apis]
            if unknown:
                raise ValueError("unknown API(s): %s" % ", ".join(unknown))
            for name in data:
                self.apis[name].reset()
            return {name: self.apis[name].seed(body or {}) for name, body in data.items()}

    def state(self, api=None):
        with self.lock:
            if api is not None:
                return self.apis[api].state()
            return {name: a.state() for name, a in self.apis.items()}

    def requests(self, api=None, since=0):
        with self.lock:
            return [r for r in self.log if r["seq"] > since and (api is None or r["api"] == api)]

    def clear_requests(self):
        with self.lock:
            self.log = []

    # -- faults / rate limits -----------------------------------------------------------------
    def add_fault(self, kind, api=None, method=None, path=None, status=None, retry_after=None,
                  delay=None, times=1, when="before", headers=None, body=None, reply=None):
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(FAULT_KINDS))
        if api is not None and api not in self.apis:
            raise ValueError("unknown API %r" % api)
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        for name, pattern in (("path", path), ("body", body)):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError("%s is not a valid regular expression: %s" % (name, exc)) from None
        if headers is not None and not (isinstance(headers, dict)
                                        and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())):
            raise ValueError("headers must be an object of header names to text")
        if kind == "reply" and reply is None:
            raise ValueError("kind reply needs reply: the JSON to answer with")
        times = int(times if times is not None else 1)
        if times == 0 or times < -1:
            raise ValueError("times must be a positive count or -1 (forever)")
        with self.lock:
            self._fault_id += 1
            rule = {"id": self._fault_id, "api": api, "method": method.upper() if method else None, "path": path,
                    "kind": kind, "status": int(status) if status is not None else None,
                    "retry_after": retry_after, "delay": float(delay) if delay is not None else None,
                    "times": times, "when": when, "hits": 0, "headers": dict(headers or {}), "body": body,
                    "reply": reply}
            self.faults.append(rule)
            return dict(rule)

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def set_rate_limit(self, api, per_second, burst=None):
        names = [api] if api else list(self.apis)
        for name in names:
            if name not in self.apis:
                raise ValueError("unknown API %r" % name)
        with self.lock:
            for name in names:
                if per_second is None:
                    self.buckets.pop(name, None)
                else:
                    if float(per_second) <= 0:
                        raise ValueError("per_second must be > 0 (or null to disable)")
                    self.buckets[name] = _Bucket(per_second, burst, self.now())
            return self.rate_limits()

    def rate_limits(self):
        with self.lock:
            return {name: b.describe() for name, b in self.buckets.items()}

    def _plan(self, api_name, req):
        """Under the lock: pick the rate limit verdict and the fault for this request."""
        plan = _Plan()
        bucket = self.buckets.get(api_name)
        if bucket is not None:
            ok, remaining, retry_after, reset = bucket.take(self.now())
            plan.rate_limit_info = {"limit": int(bucket.capacity), "remaining": remaining, "reset": reset}
            if not ok:
                plan.rate_limited = retry_after
                return plan
        for rule in self.faults:
            if rule["times"] == 0:
                continue
            if rule["api"] is not None and rule["api"] != api_name:
                continue
            if rule["method"] is not None and rule["method"] != req.method:
                continue
            if rule["path"] is not None and not re.search(rule["path"], req.full_path):
                continue
            # A job ID that is in the body, not the path (VSP: POST /v1/jobs/cancel {"jobId": {"id": N}}).
            if rule["body"] is not None and not re.search(rule["body"], req.body.decode("utf-8", "replace")):
                continue
            if rule["times"] > 0:
                rule["times"] -= 1
            rule["hits"] += 1
            plan.fault = dict(rule)
            break
        return plan

    # -- request processing -------------------------------------------------------------------
    def _api_for(self, path):
        best = None
        for api in self.apis.values():
            if path == api.prefix or path.startswith(api.prefix + "/"):
                if best is None or len(api.prefix) > len(best.prefix):
                    best = api
        return best

    def _call(self, api, req):
        try:
            if api is None:
                return front_404()
            with self.lock:
                return api.handle(req)
        except InvalidJSON as exc:
            return api.error(400, req=req, detail=str(exc))
        except Exception:  # a bug in a plugin: answer 500 in the API's format, show the traceback
            traceback.print_exc()
            return (api.error if api else generic_error)(500, req=req)

    def _error(self, api, status, req, **kw):
        return (api.error if api is not None else generic_error)(status, req=req, **kw)

    def process(self, handler, method, full_path, query_string, headers, body):
        """Handle one API request end to end; writes the answer (or not) with ``handler``."""
        api = self._api_for(full_path)
        name = api.name if api else None
        req = Request(method, full_path, query_string, headers, body, api.prefix if api else "", name)
        with self.lock:
            generation = self._generation
            # The log is in the order answers were finished; ``arrival`` keeps the order requests came in.
            self._arrivals += 1
            arrival = self._arrivals
            # Ground truth for a client's concurrency: how many requests were being handled, this one included.
            self._in_flight += 1
            in_flight = self._in_flight
            plan = self._plan(name, req)
        fault = plan.fault
        rl = plan.rate_limit_info
        handled_status = None
        if plan.rate_limited is not None:
            resp = self._error(api, 429, req, retry_after=plan.rate_limited, rate_limit=rl)
            fault_kind = None
        else:
            fault_kind = fault["kind"] if fault else None
            if fault_kind == "advance":
                self.advance(fault["delay"] or 0)
            # A rule's delay is slept before handling (when: before) or before answering (when: after).
            elif fault and fault["delay"] and fault["when"] == "before" and fault_kind not in ("drip", "drip_head"):
                time.sleep(fault["delay"])
            if fault is None or fault["when"] == "after" or fault_kind in ("slow", "advance", "drip", "drip_head"):
                resp = self._call(api, req)
                handled_status = resp.status
            else:
                resp = None
            if fault and fault["when"] == "after" and fault["delay"] and fault_kind not in ("advance", "drip", "drip_head"):
                time.sleep(fault["delay"])
            if fault and fault_kind not in ("slow", "advance", "drip", "drip_head"):
                resp = self._fault_response(api, req, fault, resp)
            if fault and fault.get("headers") and resp is not None:
                for key, value in fault["headers"].items():
                    resp.headers[key] = value
            if rl and api is not None and resp is not None:
                for key, value in api.rate_limit_headers(**rl).items():
                    resp.headers.setdefault(key, value)

        # Log before answering: once the client has its answer, the entry must already be there.
        entry = {
            "seq": None, "arrival": arrival, "time": self.now(), "api": name, "method": method, "path": full_path,
            "query": req.query, "status": resp.status if resp is not None else None,
            "fault": fault_kind, "fault_id": fault["id"] if fault_kind else None,
            "rate_limited": plan.rate_limited is not None, "handled_status": handled_status,
            "acted": req.acted, "in_flight": in_flight,
            "headers": redact_headers(headers), "body": loggable_body(req),
            "response_headers": redact_headers(resp.headers) if resp is not None else {},
        }
        with self.lock:
            self._in_flight -= 1
            if generation == self._generation:  # not when a reset happened while this request was in flight
                self._seq += 1
                entry["seq"] = self._seq
                self.log.append(entry)
        drip = (fault["delay"] if fault["delay"] is not None else 1.0) if fault_kind in ("drip", "drip_head") else None
        self._send(handler, method, resp, fault_kind, drip)

    def _fault_response(self, api, req, fault, handled):
        kind = fault["kind"]
        status = fault["status"]
        if kind == "status":
            return self._error(api, status or 500, req, retry_after=fault["retry_after"])
        if kind == "rate_limit":
            retry_after = fault["retry_after"] if fault["retry_after"] is not None else 1
            info = {"limit": 60, "remaining": 0, "reset": self.now() + seconds_of(retry_after)}
            return self._error(api, status or 429, req, retry_after=retry_after, rate_limit=info)
        if kind == "echo":
            return self._error(api, status or 401, req, detail=echo_text(req))
        if kind == "drop":
            return None
        if kind == "drop_mid_body":
            if handled is not None and handled.body:
                handled.status = status or handled.status
                return handled
            return Response.json(status or 200, {"data": [{"id": "partial", "note": "x" * 64}]})
        if kind == "malformed":
            body = handled.body if handled is not None and handled.body.startswith((b"{", b"[")) else b'{"data": [{"id": "x", "name": "y"}]}'
            return Response(status or 200, body[:max(1, len(body) // 2)], content_type="application/json")
        if kind == "html":
            code = status or 502
            return Response(code, NGINX_PAGE.format(code=code, reason=_reason(code)), content_type="text/html")
        if kind == "empty":
            return Response(status or 200, b"", content_type="application/json")
        if kind == "wrong_shape":
            return Response.json(status or 200, {"unexpected": True})
        if kind == "reply":
            return Response.json(status or 200, fault["reply"])
        if kind == "restatus":
            if handled is None:
                return Response(status or 202, b"", content_type="application/json")
            handled.status = status or 202
            return handled
        raise AssertionError(kind)

    def _send(self, handler, method, resp, fault_kind, drip=None):
        """Write the response (``None``: close the connection without one; ``drip``: seconds per body byte)."""
        if resp is None:  # drop
            handler.close_connection = True
            return
        body = resp.body
        declared = len(body)
        if fault_kind == "drop_mid_body":
            body = body[:max(1, len(body) // 2)]
        if fault_kind == "drip_head":
            handler.log_request(resp.status)
            head = ["%s %d %s" % (handler.protocol_version, resp.status, handler.responses.get(resp.status, ("",))[0])]
            head += ["%s: %s" % (k, v) for k, v in resp.headers.items() if k.lower() not in ("content-length", "connection")]
            head += ["Content-Length: %d" % declared, "", ""]
            head = "\r\n".join(head).encode("latin-1")
            for i in range(len(head)):
                time.sleep(drip)
                handler.wfile.write(head[i:i + 1])
                handler.wfile.flush()
        else:
            handler.send_response(resp.status)
            for key, value in resp.headers.items():
                if key.lower() not in ("content-length", "connection"):
                    handler.send_header(key, value)
            handler.send_header("Content-Length", str(declared))
            handler.end_headers()
        if method != "HEAD" and drip is not None:
            handler.wfile.flush()
            for i in range(len(body)):
                time.sleep(drip)
                handler.wfile.write(body[i:i + 1])
                handler.wfile.flush()
        elif method != "HEAD":
            handler.wfile.write(body)
        handler.wfile.flush()
        if fault_kind == "drop_mid_body":
            handler.close_connection = True

    # -- control API ----------------------------------------------------------------------------
    def control(self, method, path, query, body):
        """Handle /_sim/...; returns (status, obj)."""
        sub = path[len("/_sim"):] or "/"
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except ValueError as exc:
            return 400, {"error": "body is not valid JSON: %s" % exc}
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return 400, {"error": "body must be a JSON object"}
        q = {k: v[0] for k, v in query.items()}
        try:
            return self._control(method, sub, q, data)
        except (ValueError, TypeError, KeyError) as exc:
            return 400, {"error": str(exc)}
        except Exception as exc:  # a bug: answer rather than drop the connection
            traceback.print_exc()
            return 500, {"error": "%s: %s" % (type(exc).__name__, exc)}

    def _control(self, method, sub, q, data):
        routes = {
            "/health": ("GET",), "/reset": ("POST",), "/seed": ("POST",), "/state": ("GET", "PUT"),
            "/requests": ("GET", "DELETE"), "/faults": ("GET", "POST", "DELETE"),
            "/rate_limit": ("GET", "POST"), "/clock": ("GET", "POST"),
        }
        if sub not in routes:
            return 404, {"error": "unknown control endpoint %s" % sub, "endpoints": sorted(routes)}
        if method not in routes[sub]:
            return 405, {"error": "method %s not allowed on /_sim%s" % (method, sub), "allow": list(routes[sub])}
        if sub == "/health":
            return 200, {"ok": True, "apis": {n: a.base_path for n, a in self.apis.items()}, "now": self.now(),
                         "tls_refused": self.tls_refused}
        if sub == "/reset":
            self.reset(data.get("seed") or "empty")
            return 200, {"ok": True, "seed": data.get("seed") or "empty"}
        if sub == "/seed":
            return 200, self.seed(data)
        if sub == "/state":
            if method == "PUT":
                return 200, self.set_state(data)
            api = q.get("api")
            if api and api not in self.apis:
                return 404, {"error": "unknown API %r" % api}
            return 200, self.state(api or None)
        if sub == "/requests":
            if method == "DELETE":
                self.clear_requests()
                return 200, {"ok": True}
            return 200, {"requests": self.requests(q.get("api") or None, int(q.get("since") or 0))}
        if sub == "/faults":
            if method == "POST":
                allowed = {"api", "method", "path", "kind", "status", "retry_after", "delay", "times", "when",
                           "headers", "body", "reply"}
                extra = set(data) - allowed
                if extra:
                    return 400, {"error": "unknown fault field(s): %s" % ", ".join(sorted(extra))}
                if "kind" not in data:
                    return 400, {"error": "kind is required"}
                return 200, self.add_fault(**{k: v for k, v in data.items() if v is not None or k == "api"})
            if method == "DELETE":
                self.clear_faults()
                return 200, {"ok": True}
            with self.lock:
                return 200, {"faults": [dict(r) for r in self.faults]}
        if sub == "/rate_limit":
            if method == "POST":
                return 200, {"rate_limits": self.set_rate_limit(data.get("api"), data.get("per_second"), data.get("burst"))}
            return 200, {"rate_limits": self.rate_limits()}
        if sub == "/clock":
            if method == "POST":
                self.advance(float(data.get("advance", 0)))
            return 200, {"now": self.now(), "offset": self.clock_offset}
        raise AssertionError(sub)


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim = None

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, ssl.SSLError)):
            return
        if self.sim is not None and self.sim.verbose:
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _drain(connection):
    """Read what a refused client still sends (its request follows a TLS 1.3 handshake at once) before the
    socket closes: closed with unread data, it would be reset, and the client could lose the alert that says
    why it was refused (a client certificate missing or refused). Bounded: 64 reads, 2 s of silence."""
    try:
        raw = socket.socket(fileno=os.dup(connection.fileno()))
    except OSError:
        return
    try:
        raw.settimeout(2)
        raw.shutdown(socket.SHUT_WR)
        for dummy in range(64):
            if not raw.recv(65536):
                break
    except OSError:
        pass
    finally:
        raw.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jobctl-api-simulator/1.0"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                with self.server.sim.lock:
                    self.server.sim.tls_refused += 1
                _drain(self.connection)
                raise

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.sim.verbose:
            sys.stderr.write("[sim] %s - %s\n" % (self.address_string(), format % args))

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        sim = self.server.sim
        body = self._read_body()
        parts = urlsplit(self.path)
        path = parts.path or "/"
        if path == "/_sim" or path.startswith("/_sim/"):
            status, obj = sim.control(self.command, path, parse_qs(parts.query, keep_blank_values=True), body)
            sim._send(self, self.command, Response.json(status, obj), None)
            return
        headers = Headers(self.headers.items())
        sim.process(self, self.command, path, parts.query, headers, body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle
