# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""BigChange REST API v1: job statuses (by what they mean for a cancel), the list's limits, and the payloads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils.errors import is_problem_details

DEFAULT_URL = "https://api.bigchange.com/v1"
BASE_PATH = "/v1"


def is_not_found(data):
    """BigChange says "no such job" in Problem Details; a 404 in any other form is not the API's."""
    return is_problem_details(data)


# Confirmed: PUT /v1/jobs/{jobId}/cancel with {"reason": "..."}, 204 on success.
CANCEL_PATH = "/jobs/%s/cancel"
CANCEL_REASON_FIELD = "reason"
# UNCONFIRMED: the statuses BigChange refuses a cancel with (the seed lists both among the answers).
REFUSAL_STATUSES = (409, 422)

MAX_PAGE_SIZE = 1000
# The API's own upper bound on pageNumber; a loop that gets there has met an API that ignores it.
MAX_PAGE_NUMBER = 2147483
# Confirmed: an array filter (id, reference, status, contactId, resourceId, ...) takes at most 50 values.
MAX_FILTER_VALUES = 50

# The statuses, by what they mean for a cancel. BigChange documents 13 and three more as internal
# (lateStart, lateFinish, rescheduled): classified by what their names say against BigChange's
# rule that a started, suspended or completed job cannot be cancelled.
CANCELLED = "cancelled"
COMPLETED = ("completedOk", "completedWithIssues")
# lateFinish: started, and running past its planned end.
UNDER_WAY = ("started", "suspended", "lateFinish")
# lateStart: its planned start passed and nobody started it; rescheduled: moved to another time.
NOT_STARTED = ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay",
               "lateStart", "rescheduled")
DOCUMENTED_STATUSES = ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay",
                       "started", "suspended", "completedOk", "completedWithIssues", "cancelled")
INTERNAL_STATUSES = ("lateStart", "lateFinish", "rescheduled")
STATUSES = DOCUMENTED_STATUSES + INTERNAL_STATUSES

# Query parameters of GET /v1/jobs that name job fields, so every listed job can be checked against
# them again: a filter the API ignored must not widen what a module acts on or returns.
CHECKED_FILTERS = ("id", "status", "contactId", "resourceId", "reference")

# The payload models (payloads.py), imported the first time one is asked for, and pydantic with
# them: importing a module and checking its options never imports pydantic, nor does a run that
# reads no modelled answer.
PAYLOADS = ("Job", "JobPage")


def __getattr__(name):
    if name in PAYLOADS:
        from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import payloads
        return getattr(payloads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
