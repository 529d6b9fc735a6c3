# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one HTTP client every API client uses: transport, retries, rate limits, TLS, lost answers,
and the two loops every API client needs: the pages of a list and a call per item of a bulk run.

Retries live here and nowhere else: a urllib3 ``Retry`` mounted on a ``requests.Session``.

* A *repeat-safe* request (reads, token grants, POSTs an API documents as reads) is retried on
  429, 502/503/504, failed connections, dropped answers and answers cut off before their end.
* A request that changes something is retried by the transport only when the server certainly did
  not act on it: a 429 (refused before processing) or a connection that was never made. When its
  answer is lost (a 5xx, a drop, a cut-off or unreadable answer, a 2xx other than the ones ``ok``
  documents, a read timeout) the API client
  settles the outcome with ``HttpClient.mutate``: one read of the object, then the request again
  only if the work is still to be done.
* ``Retry-After`` is honoured up to ``rate_limit_max_wait`` seconds (60 by default); an unreadable one
  means the usual backoff; a longer wait (or a 429's ``X-RateLimit-Reset`` further away) fails at
  once, saying when the limit resets, rather than keep a pipeline asleep. A long wait is told as it
  starts (``progress``) and the run's total is kept (``rate_limit_waited``).
* TLS certificate failures are never retried, nor are refusals of the client certificate.
* The proxy of each request is decided here (the ``proxy`` option, else the environment's
  HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY as requests reads them), so that every error
  through a proxy names it (never its credentials) and where it came from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import os
import random
import re
import threading
import time
import traceback
import warnings

try:
    from http import HTTPStatus
except ImportError:  # pragma: no cover
    HTTPStatus = None

try:
    from urllib.parse import quote, urljoin, urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urllib import quote  # type: ignore
    from urlparse import urljoin, urlsplit, urlunsplit  # type: ignore

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import Auth
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import (
    ApiError,
    Outcome,
    Secrets,
    describe,
    json_of,
    no_userinfo,
    normalise,
    shorten_body,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.models import MissingPydantic, iso_time, parse_time
from ansible_collections.jobctl.cloud.plugins.module_utils.options import (
    MAX_RATE_LIMIT_WAIT,
    is_http_url,
    proxy_password,
    url_problem,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.transport import DeadlineAdapter, attempt_begins, attempt_started

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import urllib3.exceptions
    from urllib3.exceptions import ConnectTimeoutError, InsecureRequestWarning, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
    InsecureRequestWarning = Warning
HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None
# What reading a body (urllib3's own read, under requests) may raise when the answer goes wrong.
_BODY_ERRORS = (urllib3.exceptions.HTTPError, OSError) if HAS_REQUESTS else (OSError,)

# The collection's version lives in galaxy.yml alone; the agent names the collection and the
# ansible-core that runs it.
USER_AGENT = "jobctl.cloud ansible-core/%s" % ANSIBLE_VERSION

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Statuses whose Retry-After the transport honours.
RETRY_AFTER_STATUSES = frozenset((429, 503))
# Sleeps between attempts: 0.5, 1, 2, 4, 8 s (+ up to 0.5 s jitter so parallel runs spread out).
BACKOFF_FACTOR = 0.5
BACKOFF_JITTER = 0.5
BACKOFF_MAX = 10
# A server asking for a longer pause than this is not waited for: a 3 a.m. pipeline fails at once,
# saying when the limit resets, rather than sleep for an hour (Cloud Foundry's window is 60 minutes).
# The default of rate_limit_max_wait, which a user may raise (options.MAX_RATE_LIMIT_WAIT).
RETRY_AFTER_CAP = 60
# A rate-limit wait at least this long is told as it starts (progress); a run that waited at least
# RETRY_AFTER_CAP seconds in all says so in a warning (base.py).
TOLD_WAIT = 10

REPEAT_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

# A body is read this much at a time at most.
READ_CHUNK = 65536
_DIGITS = re.compile(r"^\s*[0-9]+\s*$")
# An epoch in seconds is larger than this; a smaller number of seconds is a delay from now.
_EPOCH_FLOOR = 10 ** 9


def parse_retry_after(value, now=None):
    """Seconds a Retry-After header asks for, or None when it cannot be read (garbage, negative, a fraction)."""
    if not isinstance(value, str):
        return None
    if _DIGITS.match(value):
        number = int(value)
        # Older Cloud Controllers sent the reset moment (epoch seconds) as Retry-After.
        return max(0.0, number - (clock.CLOCK.time() if now is None else now)) if number > _EPOCH_FLOOR else number
    parsed = email.utils.parsedate_tz(value) if re.search(r"[A-Za-z]", value) else None
    if parsed is None:
        return None
    try:
        return max(0.0, email.utils.mktime_tz(parsed) - (clock.CLOCK.time() if now is None else now))
    except (OverflowError, ValueError):
        return None


def parse_reset(value, now=None):
    """Seconds until an X-RateLimit-Reset moment (epoch seconds, a delay, or an ISO 8601 time), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    now = clock.CLOCK.time() if now is None else now
    text = value.strip()
    if _DIGITS.match(text):
        number = int(text)
        return max(0.0, number - now) if number > _EPOCH_FLOOR else float(number)
    moment = parse_time(text)
    return None if moment is None else max(0.0, moment.timestamp() - now)


def asked_wait(status, headers, now=None):
    """Seconds the server asks a client to wait before trying again, or None when it says nothing readable."""
    if status not in RETRY_AFTER_STATUSES:
        return None
    wait = parse_retry_after(headers.get("Retry-After"), now)
    if wait is None and status == 429:
        wait = parse_reset(headers.get("X-RateLimit-Reset"), now)
    return wait


class RateWaits:
    """The rate-limit waits of one client: the most it may wait at once, who is told of a long one, the total."""

    def __init__(self, api_name, max_wait=RETRY_AFTER_CAP, progress=None):
        self.api_name = api_name
        self.max_wait = max_wait
        self.progress = progress
        self.total = 0.0
        self._lock = threading.Lock()

    def wait(self, seconds):
        if seconds >= TOLD_WAIT and self.progress is not None:
            resumes = iso_time(clock.CLOCK.time() + seconds)
            self.progress("rate limited by the %s: waiting %d seconds, until %s, as it asks (rate_limit_max_wait "
                          "allows %d)" % (self.api_name, seconds, resumes, self.max_wait))
        with self._lock:
            self.total += seconds
        clock.CLOCK.sleep(seconds)


class _Retry(Retry):
    """urllib3 Retry that reads every Retry-After safely and stops before a wait too long to sleep.

    Class attributes survive ``Retry.new()``; ``waits`` (the client's RateWaits) is carried by ``new``.
    """

    waits = None

    def new(self, **kw):
        retry = super(_Retry, self).new(**kw)
        retry.waits = self.waits
        return retry

    def parse_retry_after(self, retry_after):
        return parse_retry_after(retry_after)

    def get_retry_after(self, response):
        return asked_wait(response.status, response.headers)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None:
            wait = asked_wait(response.status, response.headers)
            limit = self.waits.max_wait if self.waits is not None else RETRY_AFTER_CAP
            if wait is not None and wait > limit:
                # Stop here: the response goes back to HttpClient.request, which fails readably.
                raise MaxRetryError(_pool, url, ResponseError("asked to wait %d s" % wait))
        return super(_Retry, self).increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response=None):
        # urllib3 sleeps with time.sleep; the collection's clock decides (a test's moves simulated time on).
        wait = asked_wait(response.status, response.headers) if response is not None else None
        if wait and self.waits is not None:
            self.waits.wait(wait)
        else:
            clock.CLOCK.sleep(wait if wait else self.get_backoff_time())
        attempt_begins()


class _RefusedOnlyRetry(_Retry):
    # For requests that change something: only a 429 proves the server did not act.
    RETRY_AFTER_STATUS_CODES = frozenset((429,))


class Reply:
    """A response as the API clients need it: status, headers, body, retries spent."""

    def __init__(self, client, method, path, response, content, retries, quotable=True):
        self.client = client
        # The answers to unauthenticated requests are token answers (or discovery documents): a
        # garbled one may still hold a token the module has not been able to mask yet.
        self.quotable = quotable
        self.method = method
        self.path = path
        self.status = response.status_code
        self.headers = response.headers
        self.content = content
        self.retries = retries

    def _unreadable(self, what):
        # A 2xx that cannot be read may still have been acted on: lost, for the client to settle.
        return self.client.error(self.method, self.path, "the answer (HTTP %s) %s" % (self.status, what),
                                 status=self.status, retries=self.retries, lost=True)

    def json(self):
        if not self.content.strip():
            return None
        try:
            return json.loads(self.content.decode("utf-8"))
        except (ValueError, RecursionError):
            shown = (shorten_body(self.content, self.client.secrets.scrub) or "empty body") if self.quotable else \
                "(not shown: it may hold credentials)"
            raise self._unreadable("is not valid JSON: %s" % shown)

    def model(self, model):
        """The body validated by a pydantic model; a shape the API never documented fails readably."""
        try:
            from pydantic import ValidationError
        except ImportError:
            raise MissingPydantic(traceback.format_exc())

        data = self.json()
        try:
            return model.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise self._unreadable("has an unexpected shape: %s: %s" % (where, first.get("msg")))


def segment(value):
    """One URL path segment, encoded so an ID can never change the path.

    '.', '..' and '' cannot be encoded away (URL libraries remove dot segments, decoded or not): they
    are refused here as well as by every ID check before them.
    """
    text = str(value)
    if text in ("", ".", ".."):
        raise ValueError("%r cannot be one segment of a URL path" % text)
    return quote(text, safe="")


def host_of(url):
    """Host and port of a URL, never its user info."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return "%s:%s" % (host, port) if port else host


def proxy_shown(url):
    """A proxy URL as it may be shown: scheme://host:port, never its user info."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme or "http"
    host = parts.hostname or "?"
    host = "[%s]" % host if ":" in host else host
    return "%s://%s:%s" % (scheme, host, port or (443 if scheme == "https" else 80))


def _proxy_variable(key):
    """The environment variable a proxy of requests' ``key`` (https, http, all, ...) came from."""
    for name in (key + "_proxy", (key + "_proxy").upper()):
        if os.environ.get(name):
            return name
    return "the system's proxy settings"


class Route:
    """How requests to one host go: ``proxy`` (its URL, None for direct) and ``source`` (where it was set)."""

    __slots__ = ("proxy", "source")

    def __init__(self, proxy=None, source=None):
        self.proxy = proxy
        self.source = source

    @property
    def proxies(self):
        # Explicit for both schemes: the session never looks at the environment itself (trust_env off).
        return {"http": self.proxy, "https": self.proxy} if self.proxy else {}

    @property
    def shown(self):
        return "the proxy %s (from %s)" % (proxy_shown(self.proxy), self.source) if self.proxy else None


DIRECT = Route()


class HttpClient:
    def __init__(self, api_name, base_url, timeout=30, validate_certs=True, ca_path=None, retries=5,
                 auth=None, headers=None, pool_size=10, secrets=None, url_option="api_url", client_cert=None,
                 client_key=None, proxy=None, no_proxy=None, rate_limit_max_wait=RETRY_AFTER_CAP, progress=None,
                 env_prefix=None, not_found=None, url_hint=None):
        self.api_name = api_name
        # Whether a 404's JSON body is the API's own "no such object" (an ApiSpec's not_found), and what
        # to say about the base URL when it is not: a 404 from elsewhere is never taken for a missing object.
        self.not_found = not_found
        self.url_hint = url_hint
        self.base_url = base_url.rstrip("/")
        # The option that gives base_url, named when the API moved (a redirect).
        self.url_option = url_option
        self.timeout = timeout
        # The sessions never read the environment (trust_env off, for the proxies' sake), so the CA bundle
        # variables requests would have read are read here, as requests reads them: ca_path wins.
        self.verify = (ca_path or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True) \
            if validate_certs else False
        self.cert = (client_cert, client_key) if client_cert and client_key else (client_cert or None)
        self.retries = retries
        self.auth = auth or Auth()
        self.secrets = secrets if secrets is not None else Secrets()
        # Named in messages with the API's environment variables (HOSTUP_CLIENT_CERT, ...), when known.
        self.env_prefix = env_prefix
        self.proxy = proxy or None
        self.no_proxy = ",".join(n.strip() for n in no_proxy if n.strip()) if isinstance(no_proxy, (list, tuple)) \
            else no_proxy
        self._routes = {}
        for password in proxy_password(self.proxy):
            self.secrets.add(password)
        self.rate_waits = RateWaits(api_name, RETRY_AFTER_CAP if rate_limit_max_wait is None else rate_limit_max_wait,
                                    progress)
        common = dict(total=retries, connect=retries, status=retries, other=0, redirect=0,
                      backoff_factor=BACKOFF_FACTOR, backoff_jitter=BACKOFF_JITTER, backoff_max=BACKOFF_MAX,
                      respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
                      allowed_methods=None)
        retry = _Retry(read=retries, status_forcelist=RETRY_STATUSES, **common)
        refused_only = _RefusedOnlyRetry(read=0, status_forcelist=(429,), **common)
        retry.waits = refused_only.waits = self.rate_waits
        self._sessions = {
            True: self._session(retry, pool_size),
            False: self._session(refused_only, pool_size),
        }
        # One identity for both: the same cookies (VSP's CSRF session) and default headers.
        self._sessions[False].cookies = self._sessions[True].cookies
        self._sessions[False].headers = self._sessions[True].headers
        self._sessions[True].headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._sessions[True].headers.update(headers or {})
        for session in self._sessions.values():
            # Credentials come from the module's options alone: an auth hook that adds nothing keeps
            # requests from taking them from ~/.netrc or from user info in a URL.
            session.auth = _no_auth
            # Proxies and the CA bundle are decided by this client (route, verify), nowhere else.
            session.trust_env = False

    @property
    def rate_limit_max_wait(self):
        return self.rate_waits.max_wait

    @property
    def rate_limit_waited(self):
        """Seconds this client has waited for rate limits so far."""
        return self.rate_waits.total

    def _env(self, option):
        """An option with its API's environment variable: "client_cert (or HOSTUP_CLIENT_CERT)"."""
        return "%s (or %s_%s)" % (option, self.env_prefix, option.upper()) if self.env_prefix else option

    def route(self, url):
        """The Route of a request to ``url``: the proxy option (unless no_proxy names the host), else what the
        environment says, as requests would read it (lowercase variables win, NO_PROXY or no_proxy)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        route = self._routes.get(key)
        if route is not None:
            return route
        if self.proxy:
            bypass = self.no_proxy is not None and requests.utils.should_bypass_proxies(url, no_proxy=self.no_proxy)
            route = DIRECT if bypass else Route(self.proxy, "the proxy option")
        else:
            proxies = requests.utils.get_environ_proxies(url, no_proxy=self.no_proxy)
            route = DIRECT
            for name in (parts.scheme + "://" + (parts.hostname or ""), parts.scheme, "all://" + (parts.hostname or ""),
                         "all"):
                if proxies.get(name):
                    route = Route(proxies[name], _proxy_variable(name))
                    for password in proxy_password(route.proxy):
                        self.secrets.add(password)
                    break
        self._routes[key] = route
        return route

    @property
    def insecure_warning(self):
        """The one warning a run gives when certificates are not verified (None when they are, or over http)."""
        if self.verify is not False or not self.base_url.lower().startswith("https://"):
            return None
        return ("validate_certs is false: the TLS certificate of %s is not verified, so anyone on the way can read "
                "and change what is sent, credentials included. Trust its CA with ca_path instead."
                % host_of(self.base_url))

    @staticmethod
    def _session(retry, pool_size):
        session = requests.Session()
        adapter = DeadlineAdapter(max_retries=retry, pool_connections=1, pool_maxsize=pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @property
    def cookies(self):
        return self._sessions[True].cookies

    def url(self, path):
        return path if is_http_url(path, allow_query=True) else self.base_url + path

    def error(self, method, path, text, status=None, retries=0, problem=None, lost=False, foreign=False):
        text = no_userinfo(self.secrets.scrub(text))
        if problem is None:
            problem = dict(normalise(status, b""), detail=text)
        msg = "%s %s %s failed: %s" % (self.api_name, method, urlsplit(self.url(path)).path, text)
        if retries:
            msg += " (after %d retries)" % retries
        return ApiError(msg, problem, retries, lost, foreign)

    def _foreign_404(self, reply, path):
        """Whether a 404 came from somewhere else than the API (a wrong base URL): its body is not the API's
        own "no such object". Only for the API's own paths (not a token or discovered endpoint)."""
        return (reply.status == 404 and self.not_found is not None
                and self._option_giving(self.url(path)) is not None and not self.not_found(json_of(reply.content)))

    def _foreign_404_text(self, path, problem):
        parts = urlsplit(self.url(path))
        text = ("HTTP 404 from %s://%s%s: no such path on the %s (not the API saying that an object does not "
                "exist)" % (parts.scheme, parts.netloc, parts.path, self.api_name))
        if self.url_hint is not None:
            text += "; %s" % self.url_hint(self.base_url)
        return "%s. The answer: %s" % (text, describe(problem))

    def request(self, method, path, params=None, body=None, form=None, headers=None, auth=True,
                repeat_safe=None, ok=(200, 201, 202, 204), url_option=None):
        """Send one request (retrying as its safety allows) and return a Reply, or raise ApiError.

        ``path`` is relative to the API's base URL, or an absolute URL (pagination links, token
        endpoints). ``body`` is sent as JSON, ``form`` form-encoded. A refusal the API's Auth
        recognises (a 401, VSP's CSRF 403) lets it renew credentials once and send the request
        again: a refused request was not processed. Redirects are never followed (a credential
        would travel to wherever a server points): a 3xx fails naming its Location and
        ``url_option``, the option that gives the URL (by default the base URL's option).
        """
        if repeat_safe is None:
            repeat_safe = method in REPEAT_SAFE_METHODS
        sent, reply = self._send(method, path, params, body, form, headers, auth, repeat_safe)
        if auth and reply.status in self.auth.renew_statuses and self.auth.renew(self, reply, sent):
            sent, reply = self._send(method, path, params, body, form, headers, auth, repeat_safe)
        if reply.status not in ok and 200 <= reply.status < 300 and not repeat_safe:
            # A success, but not the documented one: the server may well have acted. Settled like a
            # lost answer, by one read of the object (docs/outcomes.md, "A lost answer is settled").
            raise self.error(method, path, "the answer (HTTP %s) is not the documented %s" % (
                reply.status, " or ".join(str(s) for s in ok if 200 <= s < 300) or "one"),
                status=reply.status, retries=reply.retries, lost=True)
        if reply.status not in ok:
            problem = normalise(reply.status, reply.content, reply.headers, scrub=self.secrets.scrub)
            text = describe(problem)
            if 300 <= reply.status < 400:
                text = self._redirect_text(reply, path, url_option)
                problem = dict(problem, title=_status_phrase(reply.status), detail=text, errors=[])
            if self._foreign_404(reply, path):
                raise self.error(method, path, self._foreign_404_text(path, problem), retries=reply.retries,
                                 problem=problem, foreign=True)
            if reply.status == 407 and self.route(self.url(path)).proxy:
                # A forwarding proxy's own refusal (an https request's comes from the tunnel: _exchange).
                raise self.error(method, path, self._proxy_refused(self.route(self.url(path))), status=407,
                                 problem=problem)
            wait = asked_wait(reply.status, reply.headers)
            if wait is not None and wait > self.rate_limit_max_wait:
                resets = iso_time(clock.CLOCK.time() + wait)
                text = ("rate limited: the API allows no more requests until %s (in %d seconds), longer than "
                        "rate_limit_max_wait (%d seconds) lets this run wait; run it again after that, or raise "
                        "rate_limit_max_wait (at most %d). %s" % (resets, wait, self.rate_limit_max_wait,
                                                                  MAX_RATE_LIMIT_WAIT, text))
            raise self.error(method, path, text, retries=reply.retries, problem=problem, lost=reply.status >= 500)
        return reply

    def mutate(self, send, read_back):
        """Make one change and return its Outcome, settling a lost answer by reading, never by guessing.

        ``send()`` sends the change and returns its Outcome, or raises ApiError. ``read_back()`` reads
        the object and returns the Outcome it shows (the change in place, or the object ended some
        other way), or None while the work is still to be done. A lost answer is settled by one
        read: done, it is this run's change (with a warning); still to do, the change is sent again,
        at most ``retries`` more times.
        """
        lost = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.pause(attempt)
            try:
                outcome = send()
                # A change this attempt made needs no excuse; one found in place may be a lost attempt's.
                return outcome if outcome.changed else outcome.after_lost(lost)
            except ApiError as error:
                if not error.lost:
                    raise
                lost = error
            outcome = read_back()
            if outcome is not None:
                return outcome.after_lost(lost)
        raise lost

    def _option_giving(self, url):
        """The option that gives ``url`` when it lies under the base URL, else None (a discovered endpoint)."""
        return self.url_option if (url + "/").startswith(self.base_url + "/") else None

    def _url_option_of(self, url):
        return self._option_giving(url) or "the URL options"

    def _redirect_text(self, reply, path, url_option):
        url = self.url(path)
        if url_option is None:
            url_option = self._option_giving(url)
        location = safe_location(reply.headers.get("Location"), url, self.secrets.scrub)
        text = "HTTP %s %s: " % (reply.status, _status_phrase(reply.status))
        text += ("redirected to %s" % location) if location else "a redirect without a usable Location"
        text += ": redirects are not followed; "
        if url_option:
            text += "set %s to the new address" % url_option
        else:
            text += "give the new address"
        return text

    @staticmethod
    def pause(attempt):
        """The backoff before attempt number ``attempt`` (1 = the first repeat)."""
        clock.CLOCK.sleep(min(BACKOFF_MAX, BACKOFF_FACTOR * 2 ** (attempt - 1)) + random.uniform(0, BACKOFF_JITTER))

    def _send(self, method, path, params, body, form, headers, auth, repeat_safe):
        try:
            all_headers = dict(self.auth.headers(self)) if auth else {}
        except ApiError as error:
            # The token or session request failed: the request itself was never sent, and no other would be.
            error.lost = False
            error.about_run = True
            raise
        all_headers.update(headers or {})
        url = self.url(path)
        cut_off = 0
        while True:
            response = self._exchange(method, path, url, params, body, form, all_headers, repeat_safe)
            history = getattr(getattr(response.raw, "retries", None), "history", None) or ()
            retries = len(history) + cut_off
            try:
                content = self._body(response)
            except _Overdue as late:
                response.close()
                if repeat_safe and retries < self.retries:
                    cut_off += 1
                    self.pause(cut_off)
                    continue
                raise self.error(method, path, late.text(response.status_code, self.timeout),
                                 retries=retries, lost=True)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                    requests.exceptions.ContentDecodingError) + _BODY_ERRORS as e:
                response.close()
                if repeat_safe and retries < self.retries:
                    cut_off += 1
                    self.pause(cut_off)
                    continue
                raise self.error(method, path, "the answer (HTTP %s) was cut off before its end: %s"
                                 % (response.status_code, _reason(e)), retries=retries, lost=True)
            return all_headers, Reply(self, method, path, response, content, retries, quotable=auth)

    def _body(self, response):
        """The whole body, read as it comes, or _Overdue once the attempt has taken longer than ``timeout``.

        Each receive waits no longer than the attempt has left (transport.py); a receive that ran out
        is told from other failures by the deadline having passed.
        """
        deadline = attempt_started() + self.timeout
        raw = response.raw
        chunks = []
        got = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Overdue(got, response.headers.get("Content-Length"))
            try:
                chunk = raw.read1(READ_CHUNK, decode_content=True)
            except _BODY_ERRORS:
                if time.monotonic() >= deadline:
                    raise _Overdue(got, response.headers.get("Content-Length"))
                raise
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        content = b"".join(chunks)
        # As requests keeps a body it read itself (Response.content, .text and .json work as usual).
        response._content = content
        response._content_consumed = True
        return content

    def _exchange(self, method, path, url, params, body, form, headers, repeat_safe):
        """One exchange (with the transport's retries); a failure becomes an ApiError that says whether it was lost."""
        retries = self.retries if repeat_safe else 0
        attempt_begins()
        if self.verify is False:
            _quiet_insecure(url)
        route = self.route(url)
        # Every failure below says which proxy it went through, if any, and where that proxy was set.
        via = " (through %s)" % route.shown if route.proxy else ""
        try:
            return self._sessions[repeat_safe].request(
                method, url, params=params, json=body, data=form, headers=headers, proxies=route.proxies,
                timeout=self.timeout, verify=self.verify, cert=self.cert, allow_redirects=False, stream=True)
        except requests.exceptions.SSLError as e:
            raise self.error(method, path, self._tls_text(url, e, route))
        except requests.exceptions.ConnectTimeout:
            raise self.error(method, path, "could not connect to %s within %s seconds (timeout)%s"
                             % (host_of(url), self.timeout, via), retries=retries)
        except requests.exceptions.ReadTimeout:
            raise self.error(method, path, "no answer within %s seconds (timeout)%s" % (self.timeout, via),
                             retries=retries, lost=True)
        except requests.exceptions.ProxyError as e:
            raise self._proxy_error(method, path, url, route, e)
        except requests.exceptions.ConnectionError as e:
            if _caused_by(e, urllib3.exceptions.ReadTimeoutError):  # the transport's retries ran out on a timeout
                raise self.error(method, path, "no answer within %s seconds (timeout)%s" % (self.timeout, via),
                                 retries=retries, lost=True)
            if _never_connected(e):
                raise self.error(method, path, "could not connect to %s: %s%s" % (host_of(url), _reason(e), via),
                                 retries=self.retries)
            raise self.error(method, path, "the connection to %s closed before an answer came: %s%s"
                             % (host_of(url), _reason(e), via), retries=retries, lost=True)
        except (requests.exceptions.InvalidHeader, UnicodeError):
            # requests quotes the header value (a credential) in its message: never show it.
            raise self.error(method, path, "a header would hold a character HTTP does not allow: check the "
                             "credentials and options for pasted line breaks or typographic quotes")
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema, ValueError):
            raise self.error(method, path, "the URL cannot be used (check api_url and the other URL options)")
        except requests.exceptions.RequestException as e:
            raise self.error(method, path, "the request failed: %s" % _reason(e), lost=True)

    def _proxy_refused(self, route):
        return ("%s refused the request: HTTP 407 Proxy Authentication Required: check the proxy's credentials "
                "(user:password@ in its URL)" % route.shown)

    def _proxy_error(self, method, path, url, route, exc):
        """A failure at the proxy itself: it could not be reached, it refused (407), or it could not open the tunnel."""
        reason = _reason(exc)
        if route.proxy is None:  # pragma: no cover - requests raises ProxyError only on the way through a proxy
            route = Route("?", "an unknown setting")
        if re.search(r"\b407\b", reason):
            error = self.error(method, path, self._proxy_refused(route), status=407)
            error.about_run = True
            return error
        if _never_connected(exc):
            return self.error(method, path, "could not connect to %s on the way to %s: %s" % (
                route.shown, host_of(url), reason), retries=self.retries)
        # Any other tunnel failure (the proxy answered CONNECT with 403, 502, ...): nothing reached the API.
        return self.error(method, path, "%s did not open a connection to %s: %s" % (route.shown, host_of(url), reason))

    def _tls_text(self, url, exc, route):
        """Why a TLS handshake failed, in words that say what to change: the server's certificate (ca_path), the
        server's refusal of the client certificate (client_cert), or a server that does not speak TLS."""
        reason = _reason(exc)
        text = reason.lower()
        via = ""
        if route.proxy:
            via = (" The request went through %s: a proxy that inspects TLS shows a certificate of its own, whose CA "
                   "ca_path must then name." % route.shown)
        if _not_tls(exc):
            return ("%s answered the TLS handshake with something else: the server does not speak TLS: check http:// "
                    "vs https:// (%s)" % (host_of(url), self._url_option_of(url)))
        if "certificate required" in text or "certificate_required" in text:
            return ("the server %s refused the TLS handshake: it requires a client certificate (%s): give one with %s "
                    "and %s" % (host_of(url), reason, self._env("client_cert"), self._env("client_key")))
        if "eof occurred in violation of protocol" in text or "unexpected eof" in text:
            # The server hung up without a word: some servers do so instead of sending an alert.
            return ("the server %s closed the connection during the TLS handshake (%s): it may require a client "
                    "certificate (%s, %s) or refuse the one given%s" % (host_of(url), reason, self._env("client_cert"),
                                                                        self._env("client_key"), via))
        if "alert" in text and "certificate_verify_failed" not in text and "certificate verify failed" not in text:
            # An alert is the server's word on the handshake, sent after it saw what this client sent.
            if self.cert:
                cert = self.cert[0] if isinstance(self.cert, tuple) else self.cert
                return ("the server %s refused the client certificate %s (%s): give client_cert and client_key of a "
                        "certificate signed by a CA the server trusts" % (host_of(url), cert, reason))
            return ("the server %s refused the TLS handshake (%s): it may require a client certificate (client_cert/"
                    "client_key)%s" % (host_of(url), reason, via))
        return ("the TLS certificate of %s was refused (%s). Trust the CA that signed it with %s, or set validate_certs "
                "to false for a test system.%s" % (host_of(url), reason, self._env("ca_path"), via))


def _no_auth(request):
    return request


def _quiet_insecure(url):
    """No urllib3 InsecureRequestWarning per request to this host: the run warns once (insecure_warning).

    Only for this host, so other code in the same process (the inventory runs in Ansible's own)
    keeps its warnings. A filter is added only when the list does not already start with it (among
    the filters of this kind, for each host): adding one resets the warnings machinery's caches, work
    a request need not repeat. The list itself is read, not a memory of having added it, which would
    go stale when code such as ``catch_warnings`` puts an older list back.
    """
    host = urlsplit(url).hostname
    if not host:
        return
    message = r"Unverified HTTPS request is being made to host '%s'" % re.escape(host)
    for action, pattern, category, dummy, dummy in warnings.filters:
        if action != "ignore" or category is not InsecureRequestWarning:
            break  # a filter that may come first for this warning: ours goes (again) in front of it
        if getattr(pattern, "pattern", None) == message:
            return
    warnings.filterwarnings("ignore", message=message, category=InsecureRequestWarning)


# A Location is the server's text: shown bounded, as scheme, host and path only.
MAX_LOCATION = 200


def _status_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except (TypeError, ValueError):
        return "Redirect"


def safe_location(value, base, scrub=None):
    """A redirect's Location as it may be shown: absolute, without user info, query or fragment, only
    visible ASCII, cut to MAX_LOCATION characters; None when nothing readable is left."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()[:4096]
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        return None
    try:
        parts = urlsplit(urljoin(base, text))
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname if ":" not in parts.hostname else "[%s]" % parts.hostname
    netloc = "%s:%s" % (host, port) if port else host
    shown = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    if scrub is not None:
        shown = scrub(shown)
    return shown if len(shown) <= MAX_LOCATION else shown[:MAX_LOCATION - 3] + "..."


class _Overdue(Exception):
    """An attempt that went on longer than ``timeout`` (from connect to the last byte of its answer)."""

    def __init__(self, got, declared):
        super(_Overdue, self).__init__(got)
        self.got = got
        self.declared = declared

    def text(self, status, timeout):
        of = " of %s" % self.declared if self.declared and str(self.declared).isdigit() else ""
        return ("the request took longer than timeout (%s seconds) allows, connect to last byte: the answer (HTTP %s) "
                "had sent %d%s bytes of its body by then" % (_seconds(timeout), status, self.got, of))


def _seconds(value):
    return ("%d" % value) if float(value).is_integer() else ("%s" % value)


# What OpenSSL says when the other end answers a ClientHello with plain HTTP (or anything but TLS).
_NOT_TLS = ("wrong version number", "wrong_version_number", "record layer failure", "unknown protocol",
            "http request", "packet length too long", "record_layer_failure")


def _not_tls(exc):
    text = repr(exc).lower() + " " + _reason(exc).lower()
    return any(marker in text for marker in _NOT_TLS)


def _never_connected(exc):
    """Whether a connection error happened before anything was sent (refused, unresolvable, connect timeout)."""
    # NewConnectionError and NameResolutionError are ConnectTimeoutErrors
    return _caused_by(exc, ConnectTimeoutError)


def _caused_by(exc, kind):
    """Whether a requests/urllib3 exception is, or wraps, an exception of ``kind``."""
    seen = exc
    for dummy in range(10):
        if isinstance(seen, kind):
            return True
        inner = getattr(seen, "reason", None)
        if inner is None:
            inner = next((a for a in reversed(seen.args) if isinstance(a, BaseException)), None)
        if inner is None or inner is seen:
            return False
        seen = inner
    return False


_CONNECTION_REPR = re.compile(r"^\w*Connection\(host=[^)]*\): ")


def _reason(exc):
    """The innermost cause of a requests/urllib3 exception, without the noise of wrapper reprs."""
    seen = exc
    for dummy in range(10):
        inner = getattr(seen, "reason", None)
        if inner is None:
            # ProtocolError('Connection aborted.', RemoteDisconnected(...)): the cause is the last argument.
            inner = next((a for a in reversed(seen.args) if isinstance(a, BaseException)), None)
        if inner is None or inner is seen or not isinstance(inner, BaseException):
            break
        seen = inner
    text = str(seen)
    # urllib3 prefixes pool reprs ("<urllib3.connection.HTTPConnection object at 0x..>: ..."); drop them.
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    # urllib3 2 names its connection object instead ("HTTPConnection(host='127.0.0.1', port=9): ..."): the
    # message says which host already, in words.
    text = _CONNECTION_REPR.sub("", text)
    return no_userinfo(text)


def paginate(fetch, error, what, max_pages, advice=None):
    """Every item of every page of a list: the one page loop of the collection.

    ``fetch(cursor)`` reads one page (``cursor`` None for the first) and returns ``(items, next
    cursor)``, the cursor None on the last page. A cursor the API hands out twice, or more than
    ``max_pages`` pages, fails with ``error(text)`` (an ApiError the caller makes) rather than read
    for ever; ``what`` names the items in that message, ``advice`` says what the user can do.
    """
    found = []
    seen = set()
    cursor = None
    for dummy in range(max_pages):
        items, cursor = fetch(cursor)
        found.extend(items)
        if cursor is None:
            return found
        if cursor in seen:
            raise error("the API gave the same next page twice; stopped after %d %s rather than read for ever"
                        % (len(found), what))
        seen.add(cursor)
    raise error("more than %d pages of %s; stopped after %d %s%s" % (
        max_pages, what, len(found), what, ". " + advice if advice else ""))


# The watch of the run on this thread (see ``watching``): what a module lets the bulk loop know.
_RUN = threading.local()


class Watch:
    """What a module's run lets the bulk loop know while it makes changes.

    ``reason`` says why no new call may start (the module received SIGTERM or SIGINT); ``record``,
    while it is set, is told of every change as it happens: ``record(item, None)`` before the call
    starts, ``record(item, item)`` once the call is over (its outcome or error is then in the item).
    """

    def __init__(self):
        self.reason = None
        self.record = None

    def stop(self, reason):
        if self.reason is None:
            self.reason = reason


def watching(watch):
    """Make ``watch`` the one the bulk loops of this thread obey (None: none); returns the one before."""
    previous = getattr(_RUN, "watch", None)
    _RUN.watch = watch
    return previous


def not_about_item(error):
    """Whether an error of one item's call is about the run, not the item: every other call would meet it too.

    Nothing was sent (the API could not be reached, the TLS certificate was refused, a header or URL
    that cannot be used), the credentials were refused (401, a token that could not be had), or the
    API rate limits the run beyond what the module waits. A 5xx, a lost answer, a 403/404/409 of one
    object are about that object: the loop goes on with the others.
    """
    if error.about_run:
        return True
    status = error.status
    if status is None:
        return not error.lost
    return status in (401, 407, 429)


NOT_ATTEMPTED = "not attempted: %s"


def each(items, call, parallel=1, fatal=not_about_item):
    """``call(item)`` for every item, at most ``parallel`` at a time: the one bulk loop of the collection.

    An ApiError of one call is kept in that item's ``error`` and the others go on, whatever it is about
    the item (a 5xx, a refusal), unless ``fatal(error)`` says the error is not about the item (by
    default ``not_about_item``: the API cannot be reached, the credentials were refused): then no
    further call starts, the calls under way finish, and the error is raised. A run the module is
    told to stop (``Watch.reason``, a SIGTERM) starts no further call either; each item whose call
    never started gets an ``error`` that says so. The cost is one call per item, nothing more: the
    loop never reads the list again. Items come back in the order given.
    """
    items = list(items)
    stop = []
    watch = getattr(_RUN, "watch", None)

    def one(item):
        if stop:
            item.error = ApiError(NOT_ATTEMPTED % "the run stopped at an error that is not about one item (see msg)")
            return
        if watch is not None and watch.reason is not None:
            item.error = ApiError(NOT_ATTEMPTED % ("%s before this item's turn" % watch.reason))
            return
        record = watch.record if watch is not None else None
        if record is not None:
            record(item, None)
        try:
            call(item)
        except ApiError as error:
            item.error = error
            if fatal is not None and fatal(error):
                stop.append(error)
        if record is not None:
            record(item, item)

    if parallel <= 1 or len(items) <= 1:
        for item in items:
            one(item)
    else:
        # Imported here: a run that calls one item at a time does not pay for it (about 1 ms).
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(parallel, len(items))) as pool:
            list(pool.map(one, items))
    if stop:
        raise stop[0]
    return items


__all__ = ["ApiError", "Outcome", "HttpClient", "Reply", "HAS_REQUESTS", "REQUESTS_IMPORT_ERROR", "segment",
           "url_problem", "is_http_url", "paginate", "each", "not_about_item", "Watch", "watching"]
