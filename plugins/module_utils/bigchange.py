# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BigChange REST API v1: options, authentication, payload models and the calls the modules make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.client import Auth, BearerAuth, segment

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel

DEFAULT_URL = "https://api.bigchange.com/v1"

# UNCONFIRMED: BigChange does not publish its token URL; this is the likeliest one.
DEFAULT_TOKEN_URL = "https://api.bigchange.com/auth/tokens"

# UNCONFIRMED: the method and path of the cancel call. Its sibling actions (/start, /schedule,
# /result) are PUT and answer 204, so this one most likely is too.
CANCEL_REQUEST = ("PUT", "/jobs/{job_id}/cancel")

# UNCONFIRMED: the name of the body field that carries the cancellation reason.
CANCEL_REASON_FIELD = "reason"

# UNCONFIRMED: the query parameters of GET /jobs that filter the list, by module option, with the
# job field each one matches. The module checks every listed job against the same fields, so a
# parameter the API does not know can never widen the result.
LIST_FILTERS = {
    "statuses": ("status", "status"),
    "contact_id": ("contactId", "contactId"),
    "resource_id": ("resourceId", "resourceId"),
    "reference": ("reference", "reference"),
}

MAX_PAGE_SIZE = 1000
# The API's own upper bound on pageNumber; a loop that gets there has met an API that ignores it.
MAX_PAGE_NUMBER = 2147483

# The job statuses BigChange documents, by what they mean for a cancel.
CANCELLED = "cancelled"
COMPLETED = ("completedOk", "completedWithIssues")
UNDER_WAY = ("started", "suspended")
NOT_STARTED = ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay")
STATUSES = NOT_STARTED + UNDER_WAY + COMPLETED + (CANCELLED,)

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
    # Not mutually exclusive: the environment may hold client credentials while a task passes a
    # token, and fallbacks are applied before that check. access_token simply wins.
    required_one_of=[("client_id", "access_token")],
    required_together=[("client_id", "client_secret")],
)


class Token(ApiModel):
    access_token: str
    expires_in: Optional[int] = None


class Job(ApiModel):
    id: int
    status: str


class JobPage(ApiModel):
    items: List[Job]


class ClientCredentials(Auth):
    """OAuth 2.0 client credentials: one token, fetched on the first request of the run."""

    def __init__(self, token_url, client_id, client_secret, on_secret=None):
        self.on_secret = on_secret or (lambda value: None)
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.token = None

    def headers(self, client):
        if self.token is None:
            # Asking for a token twice does no harm, so a lost answer may be retried.
            reply = client.request("POST", self.token_url, auth=False, repeat_safe=True, ok=(200,), form={
                "grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret})
            self.token = reply.model(Token).access_token
            self.on_secret(self.token)
        return {"Authorization": "Bearer %s" % self.token}


def job_path(job_id):
    return "/jobs/%s" % segment(job_id)


def matches(job, filters):
    """Whether a listed job (the API's dict) has every value the filters ask for."""
    for option, wanted in filters.items():
        value = job.get(LIST_FILTERS[option][1])
        if option == "statuses":
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


class BigChangeClient:
    def __init__(self, http):
        self.http = http

    def job(self, job_id):
        return self.http.request("GET", job_path(job_id), ok=(200,)).model(Job)

    def cancel(self, job_id, reason):
        method, path = CANCEL_REQUEST
        # Repeat-safe like any PUT: a repeat after a lost answer meets a job that is already
        # cancelled, which the module recognises (see bigchange_job).
        self.http.request(method, path.format(job_id=segment(job_id)), body={CANCEL_REASON_FIELD: reason},
                          repeat_safe=True, ok=(200, 202, 204))

    def jobs(self, filters, page_size=MAX_PAGE_SIZE):
        """Every job the filters select, reading every page (a short page is the last one)."""
        params = {}
        for option, value in filters.items():
            params[LIST_FILTERS[option][0]] = value
        found = {}
        page_number = 1
        while True:
            params.update(pageNumber=page_number, pageSize=page_size)
            page = self.http.request("GET", "/jobs", params=params, ok=(200,)).model(JobPage)
            new = [job for job in page.items if job.id not in found]
            if page.items and not new:
                raise self.http.error("GET", "/jobs", "page %d repeats jobs already listed: the API does not seem to "
                                      "honour pageNumber, so the list cannot be read completely" % page_number)
            for job in new:
                found[job.id] = job
            if len(page.items) < page_size or page_number >= MAX_PAGE_NUMBER:
                break
            page_number += 1
        listed = [job.raw() for job in found.values()]
        return [job for job in listed if matches(job, filters)]


class BigChangeModule(JobctlModule):
    API = API

    def make_client(self):
        params = self.params
        if params["access_token"]:
            auth = BearerAuth(params["access_token"])
        else:
            auth = ClientCredentials(params["token_url"], params["client_id"], params["client_secret"],
                                     on_secret=self.module.no_log_values.add)
        http = self.http_client(params["api_url"], auth=auth, headers={"Customer-Id": str(params["customer_id"])})
        return BigChangeClient(http)

    def job_id(self, option="job_id"):
        value = self.params[option]
        if value < 1:
            self.fail("%s must be a BigChange job ID (a whole number of at least 1), got %s" % (option, value))
        return value
