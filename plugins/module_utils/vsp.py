# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hitachi VSP One Object management API: options, Keycloak and CSRF authentication, payload models
and the few calls the modules make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, Auth

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field

DEFAULT_CLIENT_ID = "vsp-object-external-client"

JOB_STATES = ("EXAMINING", "PROCESSING", "EXECUTING", "COMPLETE", "FAILED", "CANCELLED")
RUNNING_STATES = frozenset(("EXAMINING", "PROCESSING", "EXECUTING"))
TERMINAL_STATES = frozenset(("COMPLETE", "FAILED", "CANCELLED"))
# UNCONFIRMED: the documents list no "cancelling" state. Should the API report one, the job is
# already on its way out: it is left alone, and wait: true waits for it to end.
STOPPING_STATES = frozenset(("CANCELING", "CANCELLING"))
JOB_TYPES = ("BATCH_REPLICATE", "LIFECYCLE_UPDATE", "METRIC_RECONCILIATION", "TRIGGER_RECONCILIATION")

INT32_MIN = -(2 ** 31)
INT32_MAX = 2 ** 31 - 1

CSRF_PATH = "/v1/csrf"
XSRF_COOKIE = "XSRF-TOKEN"
XSRF_HEADER = "X-XSRF-TOKEN"

# UNCONFIRMED: the largest pageSize /v1/jobs/list accepts is not documented. The module follows
# pageToken either way; a server that allows less simply answers with more pages.
LIST_PAGE_SIZE = 100
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
)


class JobId(ApiModel):
    id: int


class JobStatus(ApiModel):
    job_id: JobId = Field(..., alias="jobId")
    job_state: str = Field(..., alias="jobState")
    job_type: Optional[str] = Field(None, alias="jobType")
    bucket_name: Optional[str] = Field(None, alias="bucketName")


class StatusReply(ApiModel):
    status: JobStatus


class JobPage(ApiModel):
    jobs: List[JobStatus]
    page_token: Optional[str] = Field(None, alias="pageToken")


class TokenReply(ApiModel):
    access_token: str
    expires_in: Optional[int] = None
    token_type: Optional[str] = None


class VspAuth(Auth):
    """Bearer token plus the CSRF pair every management call needs.

    The token comes from a Keycloak password grant (or is given), the CSRF pair from
    ``GET /v1/csrf``: the ``XSRF-TOKEN`` and ``vertx-web.session`` cookies stay in the client's
    cookie jar, and the XSRF token's value is echoed in the ``X-XSRF-TOKEN`` header. Both are
    fetched on the first call and again only after a 401.
    """

    def __init__(self, access_token=None, token_url=None, form=None, on_secret=None):
        self.token = access_token
        self.token_url = token_url
        self.form = form
        self.xsrf = None
        # Lets the module mask fetched tokens too, not only the secrets it was given.
        self.on_secret = on_secret or (lambda value: None)

    def headers(self, client):
        if self.token is None:
            self.fetch_token(client)
        if self.xsrf is None:
            self.fetch_csrf(client)
        return {"Authorization": "Bearer %s" % self.token, XSRF_HEADER: self.xsrf}

    def fetch_token(self, client):
        # A password grant creates nothing but a token: repeating it after a lost answer is harmless.
        reply = client.request("POST", self.token_url, form=self.form, auth=False, repeat_safe=True, ok=(200,))
        self.token = reply.model(TokenReply).access_token
        self.on_secret(self.token)

    def fetch_csrf(self, client):
        jar = client.cookies
        # An expired XSRF-TOKEN cookie must not be mistaken for the new one.
        for cookie in [c for c in jar if c.name == XSRF_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        client.request("GET", CSRF_PATH, headers={"Authorization": "Bearer %s" % self.token}, auth=False, ok=(200, 204))
        values = [c.value for c in jar if c.name == XSRF_COOKIE]
        if not values or not values[-1]:
            raise client.error("GET", CSRF_PATH, "the answer set no %s cookie, so no request can pass the API's "
                               "CSRF check" % XSRF_COOKIE)
        self.xsrf = values[-1]
        self.on_secret(self.xsrf)

    def renew(self, client, reply):
        # The XSRF token lives shorter than a long wait; a 401 is refused before anything is done,
        # so repeating even a cancel after renewing is safe.
        self.xsrf = None
        try:
            self.fetch_csrf(client)
        except ApiError as error:
            if error.status != 401 or self.form is None:
                raise
            # The Keycloak token itself has expired: a password grant can get a new one.
            self.fetch_token(client)
            self.fetch_csrf(client)
        return True


def job_body(job_id):
    return {"jobId": {"id": job_id}}


class VspClient:
    def __init__(self, http):
        self.http = http

    def status(self, job_id):
        return self.http.request("POST", "/v1/jobs/status", body=job_body(job_id), repeat_safe=True,
                                 ok=(200,)).model(StatusReply).status

    def cancel(self, job_id):
        # Not repeat-safe: the API does not document what a second cancel does, so it is retried only
        # when the server certainly did not act (a 429, or no connection). A lost answer fails the run
        # readably; the next run reads the job's status and reports it as it is.
        return self.http.request("POST", "/v1/jobs/cancel", body=job_body(job_id), repeat_safe=False,
                                 ok=(200,)).model(StatusReply).status

    def list_jobs(self, bucket_name=None, user_id=None):
        """Every job the filters select, following pageToken to the last page."""
        body = {"pageSize": LIST_PAGE_SIZE}
        if bucket_name is not None:
            body["bucketName"] = bucket_name
        if user_id is not None:
            body["userId"] = {"id": user_id}
        jobs = []
        seen = set()
        for _page in range(MAX_PAGES):
            page = self.http.request("POST", "/v1/jobs/list", body=body, repeat_safe=True, ok=(200,)).model(JobPage)
            jobs.extend(page.jobs)
            if not page.page_token:
                return jobs
            if page.page_token in seen:
                raise self.http.error("POST", "/v1/jobs/list", "the API handed out the same pageToken twice; "
                                      "stopped after %d jobs rather than loop forever" % len(jobs))
            seen.add(page.page_token)
            body["pageToken"] = page.page_token
        raise self.http.error("POST", "/v1/jobs/list", "more than %d pages of jobs; stopped after %d jobs"
                              % (MAX_PAGES, len(jobs)))


class VspModule(JobctlModule):
    API = API

    def make_client(self):
        p = self.params
        if p["access_token"]:
            auth = VspAuth(access_token=p["access_token"], on_secret=self.module.no_log_values.add)
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
            auth = VspAuth(token_url=p["token_url"], form=form, on_secret=self.module.no_log_values.add)
        return VspClient(self.http_client(p["api_url"], auth=auth))

    def int32(self, option):
        """The option's value, refused before any request when the API's int32 IDs cannot hold it."""
        value = self.params[option]
        if value is not None and not INT32_MIN <= value <= INT32_MAX:
            self.fail("%s %s is out of range: the API's IDs are 32-bit integers (%d to %d)"
                      % (option, value, INT32_MIN, INT32_MAX))
        return value
