# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hitachi VSP One Object management API: options, Keycloak and CSRF authentication, payload models,
the calls the modules make, and the rules that decide a cancel's outcome.

The cancel's outcome (the VSP row of docs/outcomes.md)::

    request   POST /v1/jobs/cancel {"jobId": {"id": N}}
    acted     200 {"status": job}, the job running, stopping or CANCELLED
    already   400/409 and a status read shows the job CANCELLED (or stopping)
    ended     400/409 and the read shows it COMPLETE or FAILED; or a 200 that shows it so
    refused   400/409 and the read shows it still running: the API's words are the reason
    lost      settled by POST /v1/jobs/status: CANCELLED or stopping = done (acted, with a
              warning); COMPLETE/FAILED = ended; still running = the cancel is sent again

What VSP answers to a cancel of a job that is no longer running is not documented (INVENTED):
400 (the only client error the reference lists), 409, or a 200 with the job unchanged are all
handled. With the 200 variant two runs racing for one job cannot be told apart by their answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from typing import Any, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import Auth, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field

DEFAULT_CLIENT_ID = "vsp-object-external-client"

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


API = ApiSpec(
    "VSP One Object API",
    dict(
        api_url=dict(type="str", required=True, fallback=(env_fallback, ["VSP_API_URL"])),
        token_url=dict(type="str", no_log=False, fallback=(env_fallback, ["VSP_TOKEN_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["VSP_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_PASSWORD"])),
        client_id=dict(type="str", default=DEFAULT_CLIENT_ID, fallback=(env_fallback, ["VSP_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_ACCESS_TOKEN"])),
    ),
    url_options=("api_url", "token_url"),
    header_secrets=("access_token",),
)


class JobId(ApiModel):
    id: int


class JobStatus(ApiModel):
    job_id: JobId = Field(..., alias="jobId")
    job_state: str = Field(..., alias="jobState")
    job_type: Optional[str] = Field(None, alias="jobType")
    bucket_name: Optional[str] = Field(None, alias="bucketName")
    # Passed through as the API gives them: epoch seconds (floats) in the vendor's samples, date-time
    # strings in the reference.
    start_time: Optional[Any] = Field(None, alias="startTime")
    complete_time: Optional[Any] = Field(None, alias="completeTime")


class StatusReply(ApiModel):
    status: JobStatus


class JobPage(ApiModel):
    # The vendor reads "jobs" with a default of []: an empty page may come without it.
    jobs: Optional[List[JobStatus]] = None
    page_token: Optional[str] = Field(None, alias="pageToken")


def job_body(job_id):
    return {"jobId": {"id": job_id}}


def current_xsrf(jar):
    """The XSRF-TOKEN cookie the next request carries (the most specific path first, as it is sent), or None."""
    found = [cookie for cookie in jar if cookie.name == XSRF_COOKIE and cookie.value]
    if not found:
        return None
    return max(found, key=lambda cookie: len(cookie.path or "")).value


class VspAuth(Auth):
    """The Keycloak Bearer token and the CSRF pair of Vert.x-Web's CSRF handler, as every job call needs them.

    ``token`` is an OAuthToken (a password grant, or the given ``access_token``). ``GET /v1/csrf``,
    sent without a Bearer token as the vendor's collection does, sets the ``XSRF-TOKEN`` and
    ``vertx-web.session`` cookies, which stay in the client's jar. Every job call sends the jar's
    *current* ``XSRF-TOKEN`` as ``X-XSRF-TOKEN``: the server may set a new one after each POST and
    refuse the old one. A call refused with 403 (a CSRF failure) or 401 fetches ``/csrf`` once more
    (after a 401 also a new Keycloak token, when the credentials allow) and is sent again: a refused
    call was not processed.
    """

    renew_statuses = (401, 403)

    def __init__(self, token, on_secret=None):
        self.token = token
        self.on_secret = on_secret or (lambda value: None)
        self.csrf_fetched = 0
        self._known = set()
        self._lock = threading.Lock()

    def headers(self, client):
        bearer = self.token.current(client)
        with self._lock:
            xsrf = current_xsrf(client.cookies)
            if xsrf is None:
                xsrf = self._fetch_csrf(client)
        self._learn(xsrf)
        return {"Authorization": "Bearer %s" % bearer, XSRF_HEADER: xsrf}

    def renew(self, client, reply, sent):
        try:
            if reply.status == 401:
                refused = (sent.get("Authorization") or "").partition(" ")[2]
                self.token.renew(client, refused)
            with self._lock:
                # A newer cookie than the one refused (another call's answer brought it) needs no fetch.
                if current_xsrf(client.cookies) == sent.get(XSRF_HEADER):
                    self._fetch_csrf(client)
        except ApiError as error:
            # The refused call was not processed, whatever became of the renewal.
            error.lost = False
            raise
        return True

    def _fetch_csrf(self, client):
        jar = client.cookies
        # A stale XSRF-TOKEN cookie must not be mistaken for the new one.
        for cookie in [c for c in jar if c.name == XSRF_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        client.request("GET", CSRF_PATH, auth=False, ok=(200, 204))
        xsrf = current_xsrf(jar)
        if xsrf is None:
            raise client.error("GET", CSRF_PATH, "the answer set no %s cookie, so no request can pass the API's "
                               "CSRF check" % XSRF_COOKIE)
        self.csrf_fetched += 1
        for cookie in jar:
            if cookie.name == SESSION_COOKIE:
                self._learn(cookie.value)
        return xsrf

    def _learn(self, value):
        if value and value not in self._known:
            self._known.add(value)
            self.on_secret(value)


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
        job = reply.model(StatusReply).status
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
            if error.status == 404:
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
                if error.status == 404:
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

    def list_jobs(self, bucket_name=None, user_id=None):
        """Every job the filters select, following pageToken to the last page."""
        body = {"pageSize": LIST_PAGE_SIZE}
        if bucket_name is not None:
            body["bucketName"] = bucket_name
        if user_id is not None:
            body["userId"] = {"id": user_id}
        jobs = []
        seen = set()
        for dummy in range(MAX_PAGES):
            reply = self._post(LIST_PATH, body, repeat_safe=True)
            page = reply.model(JobPage)
            if page.jobs is None and page.model_extra:
                # No "jobs" is an empty page only when nothing else came instead.
                raise self.http.error("POST", LIST_PATH, "the answer (HTTP %s) has an unexpected shape: jobs: missing, "
                                      "and the answer holds other keys" % reply.status, status=reply.status)
            jobs.extend(page.jobs or [])
            if not page.page_token:
                return jobs
            if page.page_token in seen:
                raise self.http.error("POST", LIST_PATH, "the API handed out the same pageToken twice; "
                                      "stopped after %d jobs rather than loop forever" % len(jobs))
            seen.add(page.page_token)
            body["pageToken"] = page.page_token
        raise self.http.error("POST", LIST_PATH, "more than %d pages of jobs; stopped after %d jobs"
                              % (MAX_PAGES, len(jobs)))


class VspModule(JobctlModule):
    API = API

    def make_client(self):
        p = self.params
        if p["access_token"]:
            token = OAuthToken(token=p["access_token"])
        else:
            missing = [name for name in ("token_url", "username", "password") if not p[name]]
            if missing:
                self.fail("%s %s not set: without access_token, the module needs token_url, username and password "
                          "(as options, or as VSP_TOKEN_URL, VSP_USERNAME and VSP_PASSWORD)"
                          % (" and ".join(missing), "is" if len(missing) == 1 else "are"))
            form = {"grant_type": "password", "client_id": p["client_id"], "username": p["username"],
                    "password": p["password"]}
            if p["client_secret"]:
                form["client_secret"] = p["client_secret"]
            token = OAuthToken(p["token_url"], form, on_secret=self.learn_secret)
        return VspClient(self.http_client(p["api_url"], auth=VspAuth(token, on_secret=self.learn_secret)))

    def int32(self, option, value=None):
        """The option's value (or one of its list's), refused before any request unless it is a 32-bit integer."""
        if value is None:
            value = self.params[option]
        if value is not None and not INT32_MIN <= value <= INT32_MAX:
            self.fail("%s %s is out of range: the API's IDs are 32-bit integers (%d to %d)"
                      % (option, value, INT32_MIN, INT32_MAX))
        return value
