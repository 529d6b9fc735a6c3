# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Hitachi VSP One Object management API: the calls the modules make, and the rules that decide a
cancel's outcome.

The cancel's outcome (the VSP row of docs/outcomes.md)::

    request   POST /v1/jobs/cancel {"jobId": {"id": N}}
    acted     200 {"status": job}, the job running, stopping or CANCELLED
    already   400/409 and a status read shows the job CANCELLED (or stopping)
    ended     400/409 and the read shows it COMPLETE or FAILED; or a 200 that shows it so
    refused   400/409 and the read shows it still running: the API's words are the reason
    lost      (a 5xx, a drop, or any 2xx other than 200 with the job, e.g. a 202: issue 21)
              settled by POST /v1/jobs/status: CANCELLED or stopping = done (acted, with a
              warning); COMPLETE/FAILED = ended; still running = the cancel is sent again

What VSP answers to a cancel of a job that is no longer running is not documented (INVENTED):
400 (the only client error the reference lists), 409, or a 200 with the job unchanged are all
handled. With the 200 variant two runs racing for one job cannot be told apart by their answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import models
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import (
    CANCEL_PATH,
    CANCELLED,
    FINISHED_STATES,
    LIST_PAGE_SIZE,
    LIST_PATH,
    MAX_PAGES,
    REFUSAL_STATUSES,
    RUNNING_STATES,
    STATUS_PATH,
    STOPPING_STATES,
    job_body,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each, paginate
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome


def settled(job):
    """The Outcome a job that is not running shows: the cancel in place, ended otherwise, or a state not known."""
    state = job.job_state
    if state == CANCELLED or state in STOPPING_STATES:
        return Outcome(Outcome.ALREADY, job, "already %s" % state)
    if state in FINISHED_STATES:
        return Outcome(Outcome.ENDED, job, "already %s" % state)
    return Outcome(Outcome.REFUSED, job, "it is in state %s, which this module does not know; it was left alone"
                   % state)


class VspClient:
    def __init__(self, http):
        self.http = http
        # Every job call is a POST, and the server may answer each with a new XSRF-TOKEN cookie that
        # replaces the one before: a call must read the cookie, send, and take in its answer's cookie
        # before the next call reads it. So job calls are serialised here, and the modules send them
        # one after the other: a pool would only queue on this lock (or, without it, race for the cookie
        # and be refused). Serial calls also keep the run at one CSRF session.
        self._lock = threading.Lock()

    def _post(self, path, body, repeat_safe):
        with self._lock:
            return self.http.request("POST", path, body=body, repeat_safe=repeat_safe, ok=(200,))

    def _job_of(self, reply, path, job_id):
        job = reply.model(models.StatusReply).status
        if job.job_id.id != job_id:
            raise self.http.error("POST", path, "the answer (HTTP %s) is about job %s, not job %s"
                                  % (reply.status, job.job_id.id, job_id), status=reply.status, lost=True)
        return job

    def status(self, job_id):
        """The job's status (a JobStatus). POST /v1/jobs/status only reads, so it is repeated like a read."""
        return self._job_of(self._post(STATUS_PATH, job_body(job_id), repeat_safe=True), STATUS_PATH, job_id)

    def find(self, job_id):
        """``(status, None)``, or ``(None, the API's error)`` when no such job exists (404); anything else raises."""
        try:
            return self.status(job_id), None
        except ApiError as error:
            if error.not_found:
                return None, error
            raise

    def cancel(self, job_id):
        """Cancel one job the caller has seen running. Outcome.obj is the job as last seen (a JobStatus).

        The rules are in this file's docstring. A job that vanished meanwhile (404) is REFUSED with
        the API's words; any other failure raises.
        """
        attempts = []

        def read():
            # A read inside send() never makes the cancel's answer "lost": the cancel's answer was definite.
            try:
                return self.status(job_id)
            except ApiError as error:
                error.lost = False
                raise

        def send():
            attempts.append(None)
            try:
                reply = self._post(CANCEL_PATH, job_body(job_id), repeat_safe=False)
            except ApiError as error:
                if error.not_found:
                    return Outcome(Outcome.REFUSED, reason=error.msg, error=error)
                if error.status not in REFUSAL_STATUSES:
                    raise
                job = read()
                if job.job_state not in RUNNING_STATES:
                    return settled(job)
                reason = "the API refused the cancel and the job is still %s: %s" % (job.job_state, error.msg)
                if len(attempts) > 1:
                    reason += (" (the answer to an earlier attempt of this run was lost; that cancel may still "
                               "take effect: read the job's status again shortly)")
                return Outcome(Outcome.REFUSED, job, reason, error=error)
            job = self._job_of(reply, CANCEL_PATH, job_id)
            if job.job_state in FINISHED_STATES:
                # A 200 that shows the job unchanged (INVENTED answer): it had ended before the cancel came.
                return Outcome(Outcome.ENDED, job, "already %s" % job.job_state)
            return Outcome(Outcome.ACTED, job)

        def read_back():
            job = self.status(job_id)
            return None if job.job_state in RUNNING_STATES else settled(job)

        return self.http.mutate(send, read_back)

    def cancel_jobs(self, items):
        """Cancel the job of every Item still to do (``id`` its job ID), one after the other: every job call
        is a POST, and the server may answer each with a new XSRF-TOKEN cookie that replaces the one
        before, so calls in flight at once would race for it. A job that vanished, or whose cancel the
        API refused, is that item's outcome; a failure of one job's calls (a 5xx that outlasted the
        retries) is that item's error, and the others go on; only an error that is not about the job
        (the API unreachable, credentials refused) ends the run (client.not_about_item)."""
        return each([item for item in items if item.todo], lambda item: item.settle(self.cancel(item.id)))

    def list_jobs(self, bucket_name=None, user_id=None):
        """Every job the filters select, following pageToken to the last page."""
        body = {"pageSize": LIST_PAGE_SIZE}
        if bucket_name is not None:
            body["bucketName"] = bucket_name
        if user_id is not None:
            body["userId"] = {"id": user_id}

        def fetch(token):
            page_body = dict(body, pageToken=token) if token is not None else body
            reply = self._post(LIST_PATH, page_body, repeat_safe=True)
            page = reply.model(models.JobPage)
            if page.jobs is None and page.model_extra:
                # No "jobs" is an empty page only when nothing else came instead.
                raise self.http.error("POST", LIST_PATH, "the answer (HTTP %s) has an unexpected shape: jobs: missing, "
                                      "and the answer holds other keys" % reply.status, status=reply.status)
            return page.jobs or [], page.page_token or None

        return paginate(fetch, lambda text: self.http.error("POST", LIST_PATH, text), "jobs", MAX_PAGES)
