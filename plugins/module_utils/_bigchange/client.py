# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""BigChange REST API v1: the calls the modules make, and the rules that decide each cancel's outcome.

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

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import models
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.models import (
    CANCEL_PATH,
    CANCEL_REASON_FIELD,
    CANCELLED,
    CHECKED_FILTERS,
    COMPLETED,
    MAX_FILTER_VALUES,
    MAX_PAGE_NUMBER,
    MAX_PAGE_SIZE,
    NOT_STARTED,
    REFUSAL_STATUSES,
    UNDER_WAY,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each, paginate, segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome, printable

# Enough to hide round-trip latency on a list; few enough not to trip the API's rate limit.
MAX_PARALLEL = 4


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
        """One job as the API's dict; a job that does not exist (or the customer cannot see) is a 404 ApiError.
        An answer about another job (a cache or gateway that mixed answers up) is not trusted: it fails."""
        path = "/jobs/%s" % segment(job_id)
        reply = self.http.request("GET", path, ok=(200,))
        job = reply.model(models.Job).raw()
        if job.get("id") != job_id:
            raise self.http.error("GET", path, "the answer (HTTP %s) is about job %s, not job %s"
                                  % (reply.status, printable(job.get("id")), job_id), status=reply.status)
        return job

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

        def fetch(page_number):
            page_number = page_number or 1
            page = self.http.request("GET", "/jobs", params=dict(params, pageNumber=page_number, pageSize=page_size),
                                     ok=(200,)).model(models.JobPage)
            new = [job for job in page.items if job.id not in seen]
            if page.items and not new:
                raise self.http.error("GET", "/jobs", "page %d repeats jobs already listed: the API does not seem to "
                                      "honour pageNumber, so the list cannot be read completely" % page_number)
            for job in new:
                seen.add(job.id)
                raw = job.raw()
                if job.id not in found and matches(raw, params):
                    found[job.id] = raw
            return [], (page_number + 1 if len(page.items) >= page_size else None)

        paginate(fetch, lambda text: self.http.error("GET", "/jobs", text), "pages of jobs", MAX_PAGE_NUMBER)

    def cancel(self, job_id, reason, job):
        """Cancel one job that was read (``job``, the API's dict) as not started; returns its Outcome.

        ``Outcome.obj`` is the job as after the cancel: BigChange answers with no body, so after a
        204 it is ``job`` with the status ``cancelled``; after a read, the job as read.
        """
        path = CANCEL_PATH % segment(job_id)

        def send():
            try:
                # Any other 2xx is settled by a read, like a lost answer (HttpClient.request).
                self.http.request("PUT", path, body={CANCEL_REASON_FIELD: reason}, ok=(204,))
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
            return Outcome(Outcome.ACTED, dict(job, status=CANCELLED))

        def read_back():
            return settled(self.job(job_id))

        return self.http.mutate(send, read_back)

    def cancel_jobs(self, items, reason, parallel=MAX_PARALLEL):
        """Cancel the job of every Item still to do (``id`` the job, ``before`` the job as read), at most
        ``parallel`` at a time; each item gets its Outcome, or the ApiError that ended it."""
        return each([item for item in items if item.todo],
                    lambda item: item.settle(self.cancel(item.id, reason, item.before)), parallel)
