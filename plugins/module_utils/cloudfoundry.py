# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud Foundry Cloud Controller v3: options, UAA authentication as the cf CLI does it, payload
models and the few task calls the modules make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urlparse import urlsplit  # type: ignore


from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, Auth, is_http_url, segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import normalise

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel

STATES = ("PENDING", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED")
CANCELABLE_STATES = frozenset(("PENDING", "RUNNING"))
FINISHED_STATES = frozenset(("SUCCEEDED", "FAILED"))
ACTIVE_STATES = ("PENDING", "RUNNING", "CANCELING")

# The cf CLI's own UAA client: public, so its secret is empty. The password grant goes through it.
CF_CLI_CLIENT = "cf"
# The largest page Cloud Controller serves: every list is read in as few round trips as it allows.
PER_PAGE = 5000
# A server whose next links never end must not keep a pipeline busy for ever.
MAX_PAGES = 1000

# Cloud Controller's answer to an expired or revoked token (anything else that is a 401 is final).
INVALID_TOKEN_CODE = "1000"
INVALID_TOKEN_TITLE = "CF-InvalidAuthToken"
# A cancel the task's state refuses: SUCCEEDED or FAILED by the time the request arrived.
UNPROCESSABLE_CODE = "10008"

API = ApiSpec(
    "Cloud Foundry API",
    dict(
        api_url=dict(type="str", required=True, fallback=(env_fallback, ["CF_API_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["CF_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_PASSWORD"])),
        client_id=dict(type="str", fallback=(env_fallback, ["CF_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_ACCESS_TOKEN"])),
    ),
    required_together=[("username", "password"), ("client_id", "client_secret")],
    required_one_of=[("username", "client_id", "access_token")],
)


class Link(ApiModel):
    href: str


class RootLinks(ApiModel):
    login: Optional[Link] = None
    uaa: Optional[Link] = None


class Root(ApiModel):
    links: RootLinks


class TokenReply(ApiModel):
    access_token: str
    token_type: Optional[str] = None
    expires_in: Optional[int] = None


class Task(ApiModel):
    guid: str
    state: str
    name: Optional[str] = None
    sequence_id: Optional[int] = None
    created_at: Optional[str] = None


class Pagination(ApiModel):
    total_results: Optional[int] = None
    next: Optional[Link] = None


class TaskPage(ApiModel):
    pagination: Pagination
    resources: List[Task]


def is_cf_error(error, code, title=None):
    """Whether a problem is the Cloud Controller error ``code`` (CF errors are matched on code or title, never on detail)."""
    return error.get("code") == code or (title is not None and error.get("title") == title)


class UaaAuth(Auth):
    """``Authorization: bearer <token>``, with the token from UAA as the cf CLI gets it.

    The token endpoint is discovered from the root document (``links.login``, else ``links.uaa``);
    both the root document and the token are fetched on the first authenticated request, once.
    A 401 ``CF-InvalidAuthToken`` (expired or revoked mid-run) repeats the grant once for the
    failed request; a given ``access_token`` cannot be renewed.
    """

    def __init__(self, access_token=None, grant=None, on_secret=None):
        self.token = access_token
        self.grant = grant          # (form, headers) of the token request, None with a given token
        self.token_url = None
        # Lets the module mask fetched tokens too, not only the secrets it was given.
        self.on_secret = on_secret or (lambda value: None)

    def headers(self, client):
        if self.token is None:
            self.fetch_token(client)
        return {"Authorization": "bearer %s" % self.token}

    def discover(self, client):
        root = client.request("GET", "/", auth=False, ok=(200,)).model(Root)
        link = root.links.login or root.links.uaa
        if link is None or not is_http_url(link.href):
            raise client.error("GET", "/", "the root document has no links.login or links.uaa URL to get a token "
                               "from: is api_url the Cloud Controller's URL (what 'cf api' shows)?")
        return link.href.rstrip("/") + "/oauth/token"

    def fetch_token(self, client):
        if self.token_url is None:
            self.token_url = self.discover(client)
        form, headers = self.grant
        # A grant creates nothing but a token: repeating it after a lost answer is harmless.
        reply = client.request("POST", self.token_url, form=form, headers=headers, auth=False, repeat_safe=True,
                               ok=(200,))
        self.token = reply.model(TokenReply).access_token
        self.on_secret(self.token)

    def renew(self, client, reply):
        if self.grant is None:
            return False
        problem = normalise(reply.status, reply.content, reply.headers)
        if not is_cf_error(problem, INVALID_TOKEN_CODE, INVALID_TOKEN_TITLE):
            return False
        self.fetch_token(client)
        return True


def password_grant(username, password):
    basic = base64.b64encode(("%s:" % CF_CLI_CLIENT).encode("utf-8")).decode("ascii")
    return ({"grant_type": "password", "username": username, "password": password},
            {"Authorization": "Basic %s" % basic})


def client_credentials_grant(client_id, client_secret):
    # As the cf CLI sends it: the client in the form body, not in an Authorization header.
    return ({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}, None)


def _origin(url):
    """Scheme, host and port of a URL, with the scheme's default port spelled out."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


class CloudFoundryClient:
    def __init__(self, http):
        self.http = http

    def task(self, guid):
        return self.http.request("GET", "/v3/tasks/%s" % segment(guid), ok=(200,)).model(Task)

    def tasks(self, app_guid=None, **filters):
        """Every task the filters select, all pages. ``filters`` are query parameters; lists are joined by commas."""
        path = "/v3/apps/%s/tasks" % segment(app_guid) if app_guid is not None else "/v3/tasks"
        params = dict((k, ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v)
                      for k, v in filters.items() if v is not None)
        params["per_page"] = PER_PAGE
        origin = _origin(self.http.url(path))
        tasks = []
        seen = set()
        url = path
        for dummy in range(MAX_PAGES):
            page = self.http.request("GET", url, params=params, ok=(200,)).model(TaskPage)
            tasks.extend(page.resources)
            if page.pagination.next is None:
                return tasks
            url, params = page.pagination.next.href, None
            if url in seen:
                raise self.http.error("GET", path, "the API gave the same next page twice; stopped after %d tasks "
                                      "rather than loop for ever" % len(tasks))
            if _origin(url) != origin:
                # The token goes with every page: never to a host the user did not name in api_url.
                raise self.http.error("GET", path, "the next page is on another host (%s), not on api_url's %s"
                                      % (urlsplit(url).netloc, origin[1]))
            seen.add(url)
        raise self.http.error("GET", path, "more than %d pages of tasks; stopped after %d tasks" % (MAX_PAGES, len(tasks)))

    def cancel(self, guid):
        """Cancel one task: the task as the API answers (CANCELING), or None when it had already finished.

        Cloud Foundry documents the cancel as idempotent, so it is retried like a read.
        """
        try:
            reply = self.http.request("POST", "/v3/tasks/%s/actions/cancel" % segment(guid), repeat_safe=True,
                                      ok=(200, 202))
        except ApiError as error:
            if error.status == 422 and is_cf_error(error.problem, UNPROCESSABLE_CODE):
                return None, error.retries
            raise
        return reply.model(Task), reply.retries


class CloudFoundryModule(JobctlModule):
    API = API

    def make_client(self):
        p = self.params
        mask = self.module.no_log_values.add
        # One credential is used, the most explicit first: a given token, then a client, then a user.
        if p["access_token"]:
            auth = UaaAuth(access_token=p["access_token"], on_secret=mask)
        elif p["client_id"]:
            auth = UaaAuth(grant=client_credentials_grant(p["client_id"], p["client_secret"]), on_secret=mask)
        else:
            auth = UaaAuth(grant=password_grant(p["username"], p["password"]), on_secret=mask)
        return CloudFoundryClient(self.http_client(self.params["api_url"], auth=auth))

    def guid(self, option, value):
        return self.check_id(option, value)

    def no_commas(self, option, values):
        """Cloud Foundry list filters are comma-separated: a value with a comma would select something else."""
        for value in values or []:
            if "," in value:
                self.fail("%s %r holds a comma, which Cloud Foundry's comma-separated filter would split" % (option, value))
        return values
