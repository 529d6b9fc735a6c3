# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error normaliser for the four APIs.

Every failed response, whatever its dialect, becomes one ``problem`` dict with the keys of
PROBLEM_KEYS and one readable message. The dialects:

* RFC 7807/9457 Problem Details (HostUp adds ``code``/``requestId``/``errors[]``; BigChange adds a
  422 ``errors`` map of property -> [messages]);
* Cloud Foundry ``{"errors": [{"code": int, "title": "CF-...", "detail": str}]}``;
* VSP One Object ``{"code", "message", "details"}``;
* OAuth 2.0 token errors ``{"error", "error_description"}`` (UAA, Keycloak, BigChange auth);
* anything else (HTML pages, text, empty bodies), cut to a readable length.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

PROBLEM_KEYS = ("status", "title", "detail", "type", "code", "instance", "request_id", "errors")

# Long enough for a real sentence from an API, short enough that an HTML error page does not
# flood the console of whoever reads the failure at 3 a.m.
MAX_TEXT = 300

REQUEST_ID_HEADERS = ("X-Request-Id", "X-Vcap-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid")

_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(r"\s+")


def _text(value):
    """A scalar from a body as a short string, or None."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = _SPACE.sub(" ", str(value)).strip()
    if not text:
        return None
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 3] + "..."


def shorten_body(body):
    """A non-JSON body (HTML or text) as one readable line."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return _text(_TAGS.sub(" ", body or ""))


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


def _error_items(errors):
    """HostUp's errors[] list, BigChange's {property: [messages]} map or CF's errors[] as one list."""
    items = []
    if isinstance(errors, dict):
        for field, messages in errors.items():
            if not isinstance(messages, list):
                messages = [messages]
            for message in messages:
                items.append({"field": _text(field), "title": None, "detail": _text(message), "code": None})
    elif isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                items.append({
                    "field": _text(error.get("pointer") or error.get("field") or error.get("property")),
                    "title": _text(error.get("title")),
                    "detail": _text(error.get("detail") or error.get("message")),
                    "code": _text(error.get("code")),
                })
            else:
                items.append({"field": None, "title": None, "detail": _text(error), "code": None})
    return items


def _from_json(data, problem):
    if not isinstance(data, dict):
        return False
    errors = data.get("errors")
    if isinstance(errors, list) and errors and not any(k in data for k in ("title", "detail", "type")):
        # Cloud Foundry: the first error carries the answer, the rest are kept in ``errors``.
        first = errors[0] if isinstance(errors[0], dict) else {}
        problem.update(title=_text(first.get("title")), detail=_text(first.get("detail")),
                       code=_text(first.get("code")), errors=_error_items(errors))
        return True
    if any(k in data for k in ("title", "detail", "type")):
        problem.update(title=_text(data.get("title")), detail=_text(data.get("detail")),
                       type=_text(data.get("type")), code=_text(data.get("code")),
                       instance=_text(data.get("instance")),
                       request_id=_text(data.get("requestId") or data.get("request_id") or data.get("traceId")),
                       errors=_error_items(errors))
        return True
    if "message" in data or "details" in data:
        # VSP One Object {code, message, details}
        problem.update(code=_text(data.get("code")), title=_text(data.get("message")), detail=_text(data.get("details")))
        return True
    if "error" in data:
        # OAuth 2.0 token endpoint errors (RFC 6749 section 5.2)
        problem.update(code=_text(data.get("error")), title=_text(data.get("error")),
                       detail=_text(data.get("error_description")))
        return True
    return False


def normalise(status, body, headers=None, reason=None):
    """Turn one error response into a ``problem`` dict with every key of PROBLEM_KEYS.

    Never raises: whatever the API sent, the caller gets a dict it can show.
    """
    problem = dict.fromkeys(PROBLEM_KEYS)
    problem["errors"] = []
    problem["status"] = status
    data = _decode(body)
    if not _from_json(data, problem):
        problem["detail"] = shorten_body(body) if data is None else _text(json.dumps(data, sort_keys=True))
    if not problem["title"]:
        problem["title"] = _text(reason)
    if not problem["request_id"] and headers:
        for name in REQUEST_ID_HEADERS:
            value = headers.get(name)
            if value:
                problem["request_id"] = _text(value)
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
