# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Errors, outcomes and secrets: what every API client and module shares about things going wrong.

* ``SelectionError``: what the options name cannot be found or is ambiguous (no request failed).
* ``ApiError``: a request that failed, with the API's own words in ``problem``, and whether its
  answer was *lost* (the server may have acted on it without our knowing).
* ``Outcome``: what a mutating call did (acted, already done, refused), with the object as read.
* ``missing_as_none``: the one place where "not found" becomes "nothing there".
* ``Secrets``: every secret a module holds, removed from any text before it is shown.
* ``normalise``/``describe``: one normaliser for the four APIs' error dialects. Every failed
  response becomes one ``problem`` dict with the keys of PROBLEM_KEYS and one readable message:

  - RFC 7807/9457 Problem Details (HostUp adds ``code``/``requestId``/``errors[]``; BigChange adds a
    422 ``errors`` map of property -> [messages]);
  - Cloud Foundry ``{"errors": [{"code": int, "title": "CF-...", "detail": str}]}``;
  - VSP One Object ``{"code", "message", "details"}``;
  - OAuth 2.0 token errors ``{"error", "error_description"}`` (UAA, Keycloak; BigChange answers Problem Details);
  - anything else (HTML pages, text, empty bodies), cut to a readable length.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import re

try:
    from urllib.parse import quote, quote_plus
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urllib import quote, quote_plus  # type: ignore

PROBLEM_KEYS = ("status", "title", "detail", "type", "code", "instance", "request_id", "errors")

# Long enough for a real sentence from an API, short enough that an HTML error page does not
# flood the console of whoever reads the failure at 3 a.m.
MAX_TEXT = 300

REQUEST_ID_HEADERS = ("X-Request-Id", "X-Vcap-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid")

MASK = "********"

# Only this much of a body is ever read for a message: an error page of megabytes is not scanned
# for secrets (costly) nor shown (unreadable).
MAX_SCAN = 65536

_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(r"\s+")
# user:password@ in any URL a message might quote.
_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


class SelectionError(Exception):
    """What the options name does not exist, or names more than one thing: the run stops, nothing changed.

    Raised by an API client's look-ups (a Cloud Foundry org, space or app name); the module fails
    with the message as it is.
    """


class ApiError(Exception):
    """A request that failed, with the API's own words in ``problem``.

    ``lost`` says the server may have acted on the request although its answer never arrived whole:
    a 5xx, a dropped or cut-off answer, a read timeout, or a 2xx whose body cannot be read. A 4xx,
    a 429 (refused before processing) or a connection that was never made is not lost: the API
    certainly did not act. Only the API clients look at it (to settle the outcome by a read).
    ``about_run`` says the error is not about the object of the request (its token or session could not
    be had): the bulk loop starts no further call (client.not_about_item).
    ``foreign`` says a 404 did not come from the API (its body is not the API's own "not found"): a
    wrong base URL, never a missing object.
    """

    def __init__(self, msg, problem=None, retries=0, lost=False, foreign=False):
        super(ApiError, self).__init__(msg)
        self.msg = msg
        self.problem = problem or dict(normalise(None, b""), detail=_text(msg))
        self.retries = retries
        self.lost = lost
        self.about_run = False
        self.foreign = foreign

    @property
    def status(self):
        return self.problem.get("status")

    @property
    def not_found(self):
        """The API itself said the object does not exist: a 404 in the API's own words, not a web server's."""
        return self.status == 404 and not self.foreign

    def is_api_code(self, code=None, title=None):
        """Whether the API answered with this error code or title (matched as strings, never on detail)."""
        return ((code is not None and self.problem.get("code") == str(code))
                or (title is not None and self.problem.get("title") == title))


def missing_as_none(call, *args, **kwargs):
    """``call(...)``, or None when the API answers that the object does not exist (its own 404, never a web
    server's): the one place "not found" means "not there"."""
    try:
        return call(*args, **kwargs)
    except ApiError as error:
        if error.not_found:
            return None
        raise


class Outcome:
    """What one mutating call did, decided by the API's client (never by a module).

    ``kind`` is one of:

    * ACTED: this run made the change;
    * ALREADY: the change was in place before this run's request arrived (another run, a person):
      nothing was done;
    * ENDED: the object ended some other way (a job finished on its own) and the change no longer
      applies: nothing was done, and nothing needs doing;
    * REFUSED: the API will not make the change (a started BigChange job, a backup in use);
      ``reason`` says why and ``error`` holds the API's refusal when there was one.

    ``obj`` is the object as the API last showed it. ``lost`` is the ApiError of an attempt whose
    answer was lost: a change in place after a lost answer counts as this run's, with a warning.
    """

    ACTED = "acted"
    ALREADY = "already"
    ENDED = "ended"
    REFUSED = "refused"

    def __init__(self, kind, obj=None, reason=None, lost=None, error=None):
        self.kind = kind
        self.obj = obj
        self.reason = reason
        self.lost = lost
        self.error = error

    @property
    def changed(self):
        return self.kind == self.ACTED

    @property
    def refused(self):
        return self.kind == self.REFUSED

    def after_lost(self, error):
        """This outcome, as settled after an attempt whose answer was lost: what is in place is ours."""
        if error is None:
            return self
        kind = self.ACTED if self.kind == self.ALREADY else self.kind
        return Outcome(kind, self.obj, None if kind == self.ACTED else self.reason, error, self.error)

    @property
    def warning(self):
        if self.lost is None or self.kind != self.ACTED:
            return None
        return ("the answer to a request was lost (%s); the API now shows the change in place, so it is "
                "reported as made by this run" % self.lost.msg)

    def __repr__(self):
        return "Outcome(%s, reason=%r, lost=%s)" % (self.kind, self.reason, self.lost is not None)


class Secrets:
    """Every secret a module holds, and how to remove each from a text before it is shown.

    Ansible masks the exact no_log values in results, but an API may echo a secret URL-encoded,
    base64-encoded (HTTP Basic), or cut short, and our own messages cut bodies to MAX_TEXT: so each
    secret is removed raw, URL-encoded (both ways), base64 at every alignment (a secret inside a
    longer base64 text, as in Basic credentials), and as any run of MIN_PART of its characters.
    """

    MIN_PART = 10

    def __init__(self):
        self._forms = set()
        self._parts = set()

    def add(self, value):
        # Whitespace alone is no secret (such a credential counts as unset): it would mask every space.
        if not isinstance(value, str) or not value.strip():
            return
        self._forms.update(form for form in _encodings(value) if form)
        if len(value) >= self.MIN_PART:
            self._parts.update(value[i:i + self.MIN_PART] for i in range(len(value) - self.MIN_PART + 1))

    def scrub(self, text):
        """``text`` with every known secret, in every form above, replaced by MASK."""
        if not text or not self._forms:
            return text
        if not isinstance(text, str):
            text = str(text)
        # Longest forms first, so a secret's encoding is not half-masked by a shorter form.
        for form in sorted(self._forms, key=len, reverse=True):
            if form in text:
                text = text.replace(form, MASK)
        if self._parts:
            text = self._scrub_parts(text)
        return text

    def _scrub_parts(self, text):
        n = self.MIN_PART
        hidden = [False] * len(text)
        for i in range(len(text) - n + 1):
            if text[i:i + n] in self._parts:
                for j in range(i, i + n):
                    hidden[j] = True
        if not any(hidden):
            return text
        out = []
        for i, char in enumerate(text):
            if not hidden[i]:
                out.append(char)
            elif i == 0 or not hidden[i - 1]:
                out.append(MASK)
        return "".join(out)


def _encodings(value):
    raw = value.encode("utf-8")
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}
    forms.update([f.lower() for f in list(forms) if "%" in f])
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * pad + raw).decode("ascii")
            # Only the characters that depend on the secret alone, whatever comes before or after it.
            start = (pad + 2) // 3 * 4
            end = (pad + len(raw)) // 3 * 4
            if end - start >= 4:
                forms.add(encoded[start:end])
    return forms


def printable(value, limit=80):
    """A name from an API as a message may show it: as it is when printable and short; else quoted, with its
    control characters (a line break, a terminal escape) escaped and cut after ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    if text.isprintable() and len(text) <= limit:
        return text
    if len(text) <= limit:
        return repr(text)
    return "%r... (%d characters)" % (text[:limit], len(text))


def no_userinfo(text):
    """``text`` without the user:password@ part of any URL in it."""
    return _USERINFO.sub("", text) if text else text


def _text(value, scrub=None):
    """A scalar from a body as a short string, or None; secrets go before the text is cut."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = _SPACE.sub(" ", str(value)).strip()
    if scrub is not None:
        text = scrub(text)
    text = no_userinfo(text)
    if not text:
        return None
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 3] + "..."


def shorten_body(body, scrub=None):
    """A non-JSON body (HTML or text) as one readable line."""
    if isinstance(body, bytes):
        body = body[:MAX_SCAN].decode("utf-8", "replace")
    body = (body or "")[:MAX_SCAN]
    if scrub is not None:
        # Before the tags go too: a secret holding '<' or '>' would otherwise be split.
        body = scrub(body)
    return _text(_TAGS.sub(" ", body), scrub)


def _decode(body):
    if isinstance(body, (dict, list)):
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = (body or "").strip()
    # Cloud Foundry sends its 429 body as JSON labelled text/plain: trust the bytes, not the label.
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None
    return None


def _error_items(errors, scrub):
    """HostUp's errors[] list, BigChange's {property: [messages]} map or CF's errors[] as one list."""
    items = []
    if isinstance(errors, dict):
        for field, messages in errors.items():
            if not isinstance(messages, list):
                messages = [messages]
            for message in messages:
                items.append({"field": _text(field, scrub), "title": None, "detail": _text(message, scrub),
                              "code": None})
    elif isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                items.append({
                    "field": _text(error.get("pointer") or error.get("field") or error.get("property"), scrub),
                    "title": _text(error.get("title"), scrub),
                    "detail": _text(error.get("detail") or error.get("message"), scrub),
                    "code": _text(error.get("code"), scrub),
                })
            else:
                items.append({"field": None, "title": None, "detail": _text(error, scrub), "code": None})
    return items


def _from_json(data, problem, scrub):
    if not isinstance(data, dict):
        return False

    def text(key):
        return _text(data.get(key), scrub)

    errors = data.get("errors")
    if isinstance(errors, list) and errors and not any(k in data for k in ("title", "detail", "type")):
        # Cloud Foundry: the first error carries the answer, the rest are kept in ``errors``.
        first = errors[0] if isinstance(errors[0], dict) else {}
        problem.update(title=_text(first.get("title"), scrub), detail=_text(first.get("detail"), scrub),
                       code=_text(first.get("code"), scrub), errors=_error_items(errors, scrub))
        return True
    if any(k in data for k in ("title", "detail", "type")):
        problem.update(title=text("title"), detail=text("detail"), type=text("type"), code=text("code"),
                       instance=text("instance"),
                       request_id=_text(data.get("requestId") or data.get("request_id") or data.get("traceId"), scrub),
                       errors=_error_items(errors, scrub))
        return True
    if "message" in data or "details" in data:
        # VSP One Object {code, message, details}
        problem.update(code=text("code"), title=text("message"), detail=text("details"))
        return True
    if "error" in data:
        # OAuth 2.0 token endpoint errors (RFC 6749 section 5.2)
        problem.update(code=text("error"), title=text("error"), detail=text("error_description"))
        return True
    return False


def is_problem_details(data):
    """Whether JSON data is an RFC 7807/9457 Problem Details object (HostUp's and BigChange's errors)."""
    return isinstance(data, dict) and any(key in data for key in ("type", "title", "detail"))


def json_of(body):
    """A body as JSON data, or None when it is not JSON (an HTML page, text, nothing)."""
    return _decode(body)


def normalise(status, body, headers=None, reason=None, scrub=None):
    """Turn one error response into a ``problem`` dict with every key of PROBLEM_KEYS.

    ``scrub`` (a Secrets' scrub) removes secrets from the body and from every value taken from it,
    before anything is cut to length. Never raises: whatever the API sent, the caller gets a dict
    it can show.
    """
    problem = dict.fromkeys(PROBLEM_KEYS)
    problem["errors"] = []
    problem["status"] = status
    data = _decode(body)
    if not _from_json(data, problem, scrub):
        if data is None:
            problem["detail"] = shorten_body(body, scrub)
        else:
            problem["detail"] = _text(json.dumps(data, sort_keys=True), scrub)
    if not problem["title"]:
        problem["title"] = _text(reason, scrub)
    if not problem["request_id"] and headers:
        for name in REQUEST_ID_HEADERS:
            value = headers.get(name)
            if value:
                problem["request_id"] = _text(value, scrub)
                break
    return problem


def describe(problem):
    """One line for ``msg``: status, the API's own title and detail, its code and request ID."""
    text = "HTTP %s" % problem["status"] if problem.get("status") else "Error"
    words = [w for w in (problem.get("title"), problem.get("detail")) if w]
    if len(words) == 2 and words[1].startswith(words[0]):
        words = words[1:]
    if words:
        text += " " + ": ".join(words)
    fields = ["%s: %s" % (e["field"], e["detail"]) for e in problem.get("errors") or [] if e.get("field") and e.get("detail")]
    if fields:
        text += " (" + "; ".join(fields) + ")"
    extra = []
    if problem.get("code") and problem.get("code") != problem.get("title"):
        extra.append("code %s" % problem["code"])
    if problem.get("request_id"):
        extra.append("request ID %s" % problem["request_id"])
    if extra:
        text += " [" + ", ".join(extra) + "]"
    return text
