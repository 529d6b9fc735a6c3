# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client every module uses.

Retries live here and nowhere else: a urllib3 ``Retry`` mounted on a ``requests.Session``.
A request is *repeat-safe* when sending it twice cannot do more than sending it once (reads,
PUT/DELETE, POSTs an API documents as idempotent). Repeat-safe requests are retried on 429,
502/503/504, connection failures and dropped responses. Other requests are retried only when the
server certainly did not act on them: a 429 (refused before processing) or a connection that
was never made. TLS certificate failures are never retried.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import traceback

try:
    from urllib.parse import quote, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urllib import quote  # type: ignore
    from urlparse import urlsplit  # type: ignore

from ansible_collections.jobctl.cloud.plugins.module_utils.errors import describe, normalise, shorten_body

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ConnectTimeoutError
    from urllib3.util.retry import Retry
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

PYDANTIC_IMPORT_ERROR = None
try:
    from pydantic import ValidationError
except ImportError:
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()
    ValidationError = ValueError
HAS_PYDANTIC = PYDANTIC_IMPORT_ERROR is None

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "jobctl.cloud/%s" % COLLECTION_VERSION

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Sleeps between attempts: 0, 1, 2, 4, 8 s (+ up to 0.5 s jitter so parallel runs spread out).
BACKOFF_FACTOR = 0.5
BACKOFF_JITTER = 0.5
BACKOFF_MAX = 10
# A server asking for a longer pause than this gets this: a 3 a.m. pipeline should fail
# readably rather than sleep for an hour on one Retry-After header.
RETRY_AFTER_CAP = 60

REPEAT_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))


class _Retry(Retry):
    """urllib3 Retry with a cap on Retry-After (class attributes survive ``Retry.new()``)."""

    def get_retry_after(self, response):
        seconds = super(_Retry, self).get_retry_after(response)
        return None if seconds is None else min(seconds, RETRY_AFTER_CAP)


class _RefusedOnlyRetry(_Retry):
    # For requests that must not run twice: only a 429 proves the server did not act.
    RETRY_AFTER_STATUS_CODES = frozenset((429,))


class ApiError(Exception):
    """A request that failed, with the API's own words in ``problem``."""

    def __init__(self, msg, problem=None, retries=0, repeats=0):
        super(ApiError, self).__init__(msg)
        self.msg = msg
        self.problem = problem or dict(normalise(None, b""), detail=msg)
        self.retries = retries
        # Of those, the retries after which the server may already have acted on the request: a 404
        # to a DELETE that was repeated may answer our own first, lost, success.
        self.repeats = repeats

    @property
    def status(self):
        return self.problem.get("status")


class Reply:
    """A response as the modules need it: status, headers, body, retries spent."""

    def __init__(self, client, method, path, response, quotable=True):
        self.client = client
        # The answers to unauthenticated requests are token answers (or discovery documents): a
        # garbled one may still hold a token the module has not been able to mask yet.
        self.quotable = quotable
        self.method = method
        self.path = path
        self.status = response.status_code
        self.headers = response.headers
        self.content = response.content
        history = getattr(getattr(response.raw, "retries", None), "history", None) or ()
        self.retries = len(history)
        self.repeats = sum(1 for attempt in history if _may_have_acted(attempt))

    def json(self):
        if not self.content.strip():
            return None
        try:
            return json.loads(self.content.decode("utf-8"))
        except (ValueError, RecursionError):
            shown = (shorten_body(self.content) or "empty body") if self.quotable else \
                "(not shown: it may hold credentials)"
            raise self.client.error(self.method, self.path, "the answer (HTTP %s) is not valid JSON: %s"
                                    % (self.status, shown), status=self.status)

    def model(self, model):
        """The body validated by a pydantic model; a shape the API never documented fails readably."""
        data = self.json()
        try:
            return model.model_validate(data)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise self.client.error(self.method, self.path, "the answer (HTTP %s) has an unexpected shape: %s: %s"
                                    % (self.status, where, first.get("msg")), status=self.status)


def _may_have_acted(attempt):
    """Whether a failed attempt (urllib3 RequestHistory) may have reached the server and been acted on.

    A 429 refused the request before processing it; a connection that was never made carried
    nothing. A 5xx, a dropped answer or a read timeout may all come after the server did the work.
    """
    if attempt.status == 429:
        return False
    return not isinstance(attempt.error, ConnectTimeoutError)  # NewConnectionError is a ConnectTimeoutError


class Auth:
    """How an API authenticates. ``headers`` may fetch a token through the client (auth=False)."""

    def headers(self, client):
        return {}

    def renew(self, client, reply):
        """Called once on a 401: return True after renewing credentials to repeat the request."""
        return False


class BearerAuth(Auth):
    def __init__(self, token, scheme="Bearer"):
        self.token = token
        self.scheme = scheme

    def headers(self, client):
        return {"Authorization": "%s %s" % (self.scheme, self.token)}


def segment(value):
    """One URL path segment, encoded so an ID can never change the path."""
    return quote(str(value), safe="")


def is_http_url(value):
    # urlsplit silently drops CR, LF and TAB: a URL holding them is refused, not repaired.
    if not isinstance(value, str) or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


class HttpClient:
    def __init__(self, api_name, base_url, timeout=30, validate_certs=True, ca_path=None, retries=5,
                 auth=None, headers=None, pool_size=10):
        self.api_name = api_name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.verify = (ca_path or True) if validate_certs else False
        self.retries = retries
        self.auth = auth or Auth()
        common = dict(total=retries, connect=retries, status=retries, other=0, redirect=0,
                      backoff_factor=BACKOFF_FACTOR, backoff_jitter=BACKOFF_JITTER, backoff_max=BACKOFF_MAX,
                      respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
                      allowed_methods=None)
        self._sessions = {
            True: self._session(_Retry(read=retries, status_forcelist=RETRY_STATUSES, **common), pool_size),
            False: self._session(_RefusedOnlyRetry(read=0, status_forcelist=(429,), **common), pool_size),
        }
        # One identity for both: the same cookies (VSP's CSRF session) and default headers.
        self._sessions[False].cookies = self._sessions[True].cookies
        self._sessions[False].headers = self._sessions[True].headers
        self._sessions[True].headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._sessions[True].headers.update(headers or {})

    @staticmethod
    def _session(retry, pool_size):
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    @property
    def cookies(self):
        return self._sessions[True].cookies

    def url(self, path):
        return path if is_http_url(path) else self.base_url + path

    def error(self, method, path, text, status=None, retries=0, problem=None, repeats=0):
        if problem is None:
            problem = dict(normalise(status, b""), detail=text)
        msg = "%s %s %s failed: %s" % (self.api_name, method, urlsplit(self.url(path)).path, text)
        if retries:
            msg += " (after %d retries)" % retries
        return ApiError(msg, problem, retries, repeats)

    def request(self, method, path, params=None, body=None, form=None, headers=None, auth=True,
                repeat_safe=None, ok=(200, 201, 202, 204)):
        """Send one request (retrying as its safety allows) and return a Reply, or raise ApiError.

        ``path`` is relative to the API's base URL, or an absolute URL (pagination links, token
        endpoints). ``body`` is sent as JSON, ``form`` form-encoded. A 401 gives the API's Auth one
        chance to renew credentials.
        """
        if repeat_safe is None:
            repeat_safe = method in REPEAT_SAFE_METHODS
        reply = self._send(method, path, params, body, form, headers, auth, repeat_safe)
        if reply.status == 401 and auth and self.auth.renew(self, reply):
            reply = self._send(method, path, params, body, form, headers, auth, repeat_safe)
        if reply.status not in ok:
            problem = normalise(reply.status, reply.content, reply.headers)
            raise self.error(method, path, describe(problem), retries=reply.retries, problem=problem,
                             repeats=reply.repeats)
        return reply

    def _send(self, method, path, params, body, form, headers, auth, repeat_safe):
        all_headers = dict(self.auth.headers(self)) if auth else {}
        all_headers.update(headers or {})
        url = self.url(path)
        try:
            response = self._sessions[repeat_safe].request(
                method, url, params=params, json=body, data=form, headers=all_headers,
                timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError as e:
            raise self.error(method, path, "the TLS certificate of %s was refused (%s). Trust the CA that signed it "
                             "with ca_path, or set validate_certs to false for a test system."
                             % (urlsplit(url).netloc, _reason(e)))
        except requests.exceptions.Timeout:
            raise self.error(method, path, "no answer within %s seconds (timeout)" % self.timeout,
                             retries=self.retries if repeat_safe else 0)
        except requests.exceptions.RetryError as e:
            raise self.error(method, path, "gave up: %s" % _reason(e), retries=self.retries)
        except requests.exceptions.ConnectionError as e:
            raise self.error(method, path, "could not talk to %s: %s" % (urlsplit(url).netloc, _reason(e)),
                             retries=self.retries if repeat_safe else 0)
        except requests.exceptions.InvalidHeader:
            # requests quotes the header value (a credential) in its message: never show it.
            raise self.error(method, path, "a header holds a character HTTP does not allow, such as a line break: "
                             "check the credentials and options for stray newlines")
        except requests.exceptions.RequestException as e:
            raise self.error(method, path, "the request failed: %s" % _reason(e))
        return Reply(self, method, path, response, quotable=auth)


def _reason(exc):
    """The innermost cause of a requests/urllib3 exception, without the noise of wrapper reprs."""
    seen = exc
    while True:
        inner = getattr(seen, "reason", None)
        if inner is None and seen.args and isinstance(seen.args[0], BaseException):
            inner = seen.args[0]
        if inner is None or inner is seen or not isinstance(inner, BaseException):
            break
        seen = inner
    text = str(seen)
    # urllib3 prefixes pool reprs ("<urllib3.connection.HTTPConnection object at 0x..>: ..."); drop them.
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    return text
