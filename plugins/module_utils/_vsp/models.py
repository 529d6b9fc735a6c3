# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Hitachi VSP One Object management API: job states and types, the paths of the job calls, and
the payloads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
from datetime import datetime, timezone

from ansible_collections.jobctl.cloud.plugins.module_utils.models import parse_time

# The MAPI's base URL ends in /mapi; the modules add /v1/... themselves.
BASE_PATH = "/mapi"
EXAMPLE_URL = "https://admin.eu-1.cluster.example.com/mapi"


def is_not_found(data):
    """VSP says "job not found" as {"code", "message", "details"}; a 404 in any other form (a web server's page,
    Keycloak's {"error"}) is not the MAPI's."""
    return isinstance(data, dict) and ("message" in data or "details" in data)


def started_at(value):
    """A job's ``startTime`` as an aware datetime, from either of its forms: epoch seconds (a number, as the
    vendor's samples show it, or such a number as text) or a date-time string (as the reference says). None
    when it is missing or cannot be read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return parse_time(value)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


JOB_STATES = ("EXAMINING", "PROCESSING", "EXECUTING", "COMPLETE", "FAILED", "CANCELLED")
JOB_TYPES = ("BATCH_REPLICATE", "LIFECYCLE_UPDATE", "METRIC_RECONCILIATION", "TRIGGER_RECONCILIATION")
# The states a cancel acts on.
RUNNING_STATES = frozenset(("EXAMINING", "PROCESSING", "EXECUTING"))
# Ended on their own: a cancel no longer applies.
FINISHED_STATES = frozenset(("COMPLETE", "FAILED"))
CANCELLED = "CANCELLED"
# UNCONFIRMED: the documents list no "cancelling" state. Should the API report one, the job is
# already on its way out: it is left alone, and wait: true waits for it to end.
STOPPING_STATES = frozenset(("CANCELING", "CANCELLING"))
TERMINAL_STATES = FINISHED_STATES | frozenset((CANCELLED,))
KNOWN_STATES = RUNNING_STATES | TERMINAL_STATES | STOPPING_STATES
# INVENTED: the statuses with which the API might refuse a cancel of a job that is no longer running.
# A status read tells why (already cancelled, ended on its own, or really refused).
REFUSAL_STATUSES = (400, 409)

INT32_MIN = -(2 ** 31)
INT32_MAX = 2 ** 31 - 1

CSRF_PATH = "/v1/csrf"
STATUS_PATH = "/v1/jobs/status"
CANCEL_PATH = "/v1/jobs/cancel"
LIST_PATH = "/v1/jobs/list"
# The default names of Vert.x-Web's CSRF handler, which the API uses.
XSRF_COOKIE = "XSRF-TOKEN"
SESSION_COOKIE = "vertx-web.session"
XSRF_HEADER = "X-XSRF-TOKEN"

# The vendor's own collection asks for pages of 1000, so the API takes that many. UNCONFIRMED: the
# largest pageSize it allows; a server that allows fewer answers with more pages, followed the same.
LIST_PAGE_SIZE = 1000
# A server that never stops handing out page tokens must not keep a pipeline busy forever.
MAX_PAGES = 10000

# The payload models (payloads.py), imported the first time one is asked for, and pydantic with
# them: importing a module and checking its options never imports pydantic, nor does a run that
# reads no modelled answer.
PAYLOADS = ("JobId", "JobStatus", "StatusReply", "JobPage")


def __getattr__(name):
    if name in PAYLOADS:
        from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import payloads
        return getattr(payloads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def job_body(job_id):
    return {"jobId": {"id": job_id}}
