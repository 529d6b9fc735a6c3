# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BigChange REST API v1: options, authentication, payload models, the calls the modules make, and
the rules that decide each cancel's outcome.

Outcomes of ``PUT /v1/jobs/{jobId}/cancel`` (the row of docs/outcomes.md for BigChange):

* 204: ACTED.
* 409 or 422 (what BigChange answers to a cancel it will not make is not documented): one read of
  the job explains it. ``cancelled``: ALREADY (another run, a person); completed: ENDED; under way
  (``started``, ``suspended``, ``lateFinish``): REFUSED. A job that still waits means the refusal
  is about the request (its reason, say): the API's error stands.
* A lost answer (5xx, drop, cut-off, read timeout, or a 2xx other than the documented 204): one read
  of the job. ``cancelled``: ACTED with a warning; not started: the cancel is sent again; completed:
  ENDED; under way: REFUSED.
* 429: refused before processing, retried by the transport; never counted as acted.

If BigChange answers a second cancel of a cancelled job with 204 too (it may: nothing says it does
not), two runs racing for one job both see 204 and both report ``changed``: nothing tells them apart.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth, OAuthBearer, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.client import segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field, parse_time

DEFAULT_URL = "https://api.bigchange.com/v1"
# Confirmed (README "Confirmed since": the public clients and BigChange's auth-proxy page).
DEFAULT_TOKEN_URL = "https://api.bigchange.com/auth/tokens"

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

API = ApiSpec(
    "BigChange API",
    dict(
        customer_id=dict(type="int", required=True, fallback=(env_fallback, ["BIGCHANGE_CUSTOMER_ID"])),
        api_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["BIGCHANGE_API_URL"])),
        # A URL, not a secret ("token" in the name makes sanity ask).
        token_url=dict(type="str", default=DEFAULT_TOKEN_URL, no_log=False,
                       fallback=(env_fallback, ["BIGCHANGE_TOKEN_URL"])),
        client_id=dict(type="str", fallback=(env_fallback, ["BIGCHANGE_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["BIGCHANGE_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["BIGCHANGE_ACCESS_TOKEN"])),
    ),
    url_options=("api_url", "token_url"),
    header_secrets=("access_token",),
    # Not mutually exclusive: the environment may hold client credentials while a task passes a
    # token, and fallbacks are applied before that check. access_token simply wins.
    required_one_of=[("client_id", "access_token")],
    required_together=[("client_id", "client_secret")],
)


class Job(ApiModel):
    # Live data carries null in strings documented as non-nullable, and both timestamp spellings
    # (...Z and ...+00:00): every field but the two a decision needs is optional, and times stay
    # the strings BigChange sent, so results are its own objects.
    id: int
    status: str
    reference: Optional[str] = None
    description: Optional[str] = None
    type_name: Optional[str] = Field(None, alias="typeName")
    contact_name: Optional[str] = Field(None, alias="contactName")
    resource_name: Optional[str] = Field(None, alias="resourceName")
    internal_comment: Optional[str] = Field(None, alias="internalComment")
    resources_comment: Optional[str] = Field(None, alias="resourcesComment")
    contact_comment: Optional[str] = Field(None, alias="contactComment")
    office_notes: Optional[str] = Field(None, alias="officeNotes")
    planned_start_at: Optional[str] = Field(None, alias="plannedStartAt")
    planned_end_at: Optional[str] = Field(None, alias="plannedEndAt")
    actual_start_at: Optional[str] = Field(None, alias="actualStartAt")
    actual_end_at: Optional[str] = Field(None, alias="actualEndAt")
    created_at: Optional[str] = Field(None, alias="createdAt")
    status_modified_at: Optional[str] = Field(None, alias="statusModifiedAt")


class JobPage(ApiModel):
    items: List[Job]
    page_number: Optional[int] = Field(None, alias="pageNumber")
    page_size: Optional[int] = Field(None, alias="pageSize")
    page_item_count: Optional[int] = Field(None, alias="pageItemCount")


def settled(job):
    """The outcome a cancel of ``job`` (the API's dict) meets, or None while the cancel is still to do.

    The one place the statuses are turned into outcomes: used to decide before sending, to explain
    a refusal and to settle a lost answer.
    """
    status = job.get("status")
    if status == CANCELLED:
        return Outcome(Outcome.ALREADY, job, "already cancelled")
    if status in COMPLETED:
        return Outcome(Outcome.ENDED, job, "already completed, nothing left to stop")
    if status in UNDER_WAY:
        return Outcome(Outcome.REFUSED, job, "its status is %s, so the work is under way, and BigChange does not "
                                             "allow cancelling a started or suspended job" % status)
    if status in NOT_STARTED:
        return None
    return Outcome(Outcome.REFUSED, job, "its status is %r, which this module does not know" % (status,))


def query_batches(query, ids=None):
    """The list requests' query parameters: ``ids`` (if any) in batches of MAX_FILTER_VALUES, sent as
    repeated ``id`` keys beside the other filters."""
    if ids is None:
        return [dict(query)]
    return [dict(query, id=list(ids[i:i + MAX_FILTER_VALUES])) for i in range(0, len(ids), MAX_FILTER_VALUES)]


def matches(job, query):
    """Whether a listed job (the API's dict) has every value the checkable filters of ``query`` ask for."""
    for name in CHECKED_FILTERS:
        wanted = query.get(name)
        if wanted is None:
            continue
        if not isinstance(wanted, (list, tuple)):
            wanted = [wanted]
        if job.get(name) not in wanted:
            return False
    return True


class BigChangeClient:
    def __init__(self, http):
        self.http = http

    def job(self, job_id):
        """One job as the API's dict; a job that does not exist (or the customer cannot see) is a 404 ApiError."""
        return self.http.request("GET", "/jobs/%s" % segment(job_id), ok=(200,)).model(Job).raw()

    def jobs(self, query, ids=None, page_size=MAX_PAGE_SIZE):
        """Every job ``query`` (GET /v1/jobs parameters) selects, reading every page of every batch.

        With ``ids`` the jobs are asked for by ID, at most MAX_FILTER_VALUES a request. Returns the
        API's dicts in the order it listed them, each job once, only those that match the filters.
        """
        found = {}
        for params in query_batches(query, ids):
            self._pages(params, page_size, found)
        return list(found.values())

    def _pages(self, params, page_size, found):
        seen = set()
        for page_number in range(1, MAX_PAGE_NUMBER + 1):
            page = self.http.request("GET", "/jobs", params=dict(params, pageNumber=page_number, pageSize=page_size),
                                     ok=(200,)).model(JobPage)
            new = [job for job in page.items if job.id not in seen]
            if page.items and not new:
                raise self.http.error("GET", "/jobs", "page %d repeats jobs already listed: the API does not seem to "
                                      "honour pageNumber, so the list cannot be read completely" % page_number)
            for job in new:
                seen.add(job.id)
                raw = job.raw()
                if job.id not in found and matches(raw, params):
                    found[job.id] = raw
            if len(page.items) < page_size:
                return

    def cancel(self, job_id, reason, job):
        """Cancel one job that was read (``job``, the API's dict) as not started; returns its Outcome.

        ``Outcome.obj`` is the job as after the cancel: BigChange answers with no body, so after a
        204 it is ``job`` with the status ``cancelled``; after a read, the job as read.
        """
        path = CANCEL_PATH % segment(job_id)

        def send():
            try:
                reply = self.http.request("PUT", path, body={CANCEL_REASON_FIELD: reason}, ok=(200, 202, 204))
            except ApiError as error:
                if error.status not in REFUSAL_STATUSES:
                    raise
                # Refused: the job moved on since it was read (another run, the engineer), or the
                # request itself was refused. The job's status now tells which.
                outcome = settled(self.job(job_id))
                if outcome is None:
                    raise
                outcome.error = error
                return outcome
            if reply.status != 204:
                # Only the documented answer (204, no body) says "cancelled" on its face. Any other 2xx
                # is an answer this client cannot read: settled by reading the job, like a lost one.
                raise self.http.error("PUT", path, "the answer (HTTP %s) is not the documented 204 without a body"
                                      % reply.status, status=reply.status, retries=reply.retries, lost=True)
            return Outcome(Outcome.ACTED, dict(job, status=CANCELLED))

        def read_back():
            return settled(self.job(job_id))

        return self.http.mutate(send, read_back)


class BigChangeModule(JobctlModule):
    API = API

    def make_client(self):
        params = self.params
        if params["access_token"]:
            auth = BearerAuth(params["access_token"])
        else:
            # One token per run: fetched on the first request, renewed only after a 401 refuses it.
            token = OAuthToken(params["token_url"], form={
                "grant_type": "client_credentials", "client_id": params["client_id"],
                "client_secret": params["client_secret"]}, on_secret=self.learn_secret)
            auth = OAuthBearer(token)
        http = self.http_client(params["api_url"], auth=auth, headers={"Customer-Id": str(params["customer_id"])})
        return BigChangeClient(http)

    def job_id(self, option="job_id"):
        value = self.params[option]
        if value < 1:
            self.fail("%s must be a BigChange job ID (a whole number of at least 1), got %s" % (option, value))
        return value

    def job_ids(self, option="job_ids"):
        """The IDs of a list option, each once in the order given; every bad one named before any request."""
        values = self.params[option]
        bad = [str(v) for v in values if v < 1]
        if bad:
            self.fail("%s: not a BigChange job ID (a whole number of at least 1): %s" % (option, ", ".join(bad)))
        unique = []
        seen = set()
        for value in values:
            if value not in seen:
                seen.add(value)
                unique.append(value)
        return unique


def date_time(value):
    """``value`` (an ISO 8601 date-time) as a datetime, for comparing two ends of a range; None when it is not one.

    A date alone is refused: the API filters by moments, and midnight of which time zone would be a guess.
    """
    if not isinstance(value, str) or "T" not in value.upper() or value != value.strip():
        return None
    # Only for comparing: a time without an offset is taken as UTC here and sent as it was given.
    return parse_time(value)
