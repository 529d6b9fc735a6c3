# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Cloud Foundry Cloud Controller v3: the task states, the payloads the modules read, and the words
of its answers that decide outcomes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# -- state names (cloud_controller_ng app/models/runtime/task_model.rb) ---------------------------
STATES = ("PENDING", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED")
# A cancel acts on these (app/actions/task_cancel.rb refuses only SUCCEEDED and FAILED; CANCELING is
# accepted but is already on its way out).
CANCELABLE_STATES = frozenset(("PENDING", "RUNNING"))
STOPPING_STATES = frozenset(("CANCELING",))
FINISHED_STATES = frozenset(("SUCCEEDED", "FAILED"))
ACTIVE_STATES = ("PENDING", "RUNNING", "CANCELING")
# The failure reason Diego records for a task it cancelled (cloudfoundry/bbs db/sqldb/task_db.go,
# CancelTask), which Cloud Controller shows as the task's result.failure_reason.
CANCELLED_FAILURE_REASON = "task was cancelled"

# The orders Cloud Controller accepts for a task list (app/messages/list_message.rb: created_at
# and updated_at, optionally prefixed with - for newest first).
ORDER_BY = ("created_at", "-created_at", "updated_at", "-updated_at")

# The largest page Cloud Controller serves: every list is read in as few round trips as it allows.
PER_PAGE = 5000
# A server whose next links never end must not keep a pipeline busy for ever.
MAX_PAGES = 1000

# The Cloud Controller's base URL is its root (what `cf api` shows); the modules add /v3/... themselves.
EXAMPLE_URL = "https://api.sys.example.com"
# "No such object" (CF-ResourceNotFound, 10010). Cloud Controller answers a path it does not know with
# CF-NotFound (10000, "Unknown request"): that 404 says the URL is wrong, not that an object is missing.
RESOURCE_NOT_FOUND = ("10010", "CF-ResourceNotFound")


def is_not_found(data):
    """Whether a 404's body is Cloud Controller's own "no such object" (not "Unknown request", not a web server's)."""
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return str(first.get("code")) == RESOURCE_NOT_FOUND[0] or first.get("title") == RESOURCE_NOT_FOUND[1]


# Cloud Controller's answer to an expired or revoked token (anything else that is a 401 is final).
INVALID_TOKEN_CODE = "1000"
INVALID_TOKEN_TITLE = "CF-InvalidAuthToken"
# A cancel the task's state refuses: SUCCEEDED or FAILED by the time the request arrived.
UNPROCESSABLE_CODE = "10008"


# -- models -----------------------------------------------------------------------------------

# The payload models (payloads.py), imported the first time one is asked for, and pydantic with
# them: importing a module and checking its options never imports pydantic, nor does a run that
# reads no modelled answer.
PAYLOADS = ("Link", "RootLinks", "Root", "TaskResult", "Task", "GuidRef", "ToOne", "Relationships", "Named",
            "Pagination", "Included", "TaskPage", "NamedPage")


def __getattr__(name):
    if name in PAYLOADS:
        from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import payloads
        return getattr(payloads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def was_cancelled(task):
    """Whether a task ended because it was cancelled (by anyone)."""
    reason = task.result.failure_reason if task.result is not None else None
    return task.state == "FAILED" and (reason or "").strip().lower() == CANCELLED_FAILURE_REASON


# -- label selectors (docs/api/cloudfoundry.md, Endpoints: GET /v3/tasks takes label_selector) ---------
# Cloud Foundry's selectors, as Kubernetes writes them: requirements joined by commas, each one of
# ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k`` and ``!k``. A key may carry a
# DNS prefix (``example.com/team``); a value may be empty.
_LABEL_KEY = r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?/)?[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_LABEL_VALUE = r"(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?"
_SET_REQUIREMENT = re.compile(r"^\s*(%s)\s+(in|notin)\s*\(([^()]*)\)\s*$" % _LABEL_KEY)
_EQUALITY_REQUIREMENT = re.compile(r"^\s*(%s)\s*(==|=|!=)\s*(%s)\s*$" % (_LABEL_KEY, _LABEL_VALUE))
_EXISTENCE_REQUIREMENT = re.compile(r"^\s*(!?)\s*(%s)\s*$" % _LABEL_KEY)
_VALUE = re.compile(r"^%s$" % _LABEL_VALUE)


def _requirements(text):
    """A selector split at the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0 or depth > 1:
            raise ValueError("unbalanced parentheses")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise ValueError("unbalanced parentheses")
    return parts + [current]


def label_selector(text):
    """A predicate on a labels dict that holds when the labels satisfy the selector ``text``.

    Raises ValueError naming the requirement that cannot be read: a selector this collection cannot
    check is never trusted to the API alone.
    """
    checks = []
    for part in _requirements(text):
        match = _SET_REQUIREMENT.match(part)
        if match:
            key, operator, listed = match.groups()
            values = [v.strip() for v in listed.split(",")]
            if not values or any(not _VALUE.match(v) for v in values):
                raise ValueError("'%s': the values in parentheses cannot be read" % part.strip())
            checks.append(lambda labels, k=key, v=frozenset(values), out=(operator == "notin"):
                          (k in labels and labels[k] in v) != out)
            continue
        match = _EQUALITY_REQUIREMENT.match(part)
        if match:
            key, operator, value = match.groups()
            checks.append(lambda labels, k=key, v=value, ne=(operator == "!="):
                          (k in labels and labels[k] == v) != ne)
            continue
        match = _EXISTENCE_REQUIREMENT.match(part)
        if match:
            negated, key = match.groups()
            checks.append(lambda labels, k=key, absent=bool(negated): (k in labels) != absent)
            continue
        raise ValueError("'%s' is not a requirement of the forms k=v, k==v, k!=v, k in (..), k notin (..), k, !k"
                         % part.strip())
    return lambda labels: all(check(labels or {}) for check in checks)
