# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud Foundry Cloud Controller v3: options, UAA authentication as the cf CLI does it, payload
models, the calls the modules make, and the rules that decide what a cancel did.

The outcome of ``POST /v3/tasks/{guid}/actions/cancel`` (docs/outcomes.md, "Per API"):

* 202 with the task (CANCELING): ACTED.
* 422 ``CF-UnprocessableEntity`` 10008 (the task was SUCCEEDED or FAILED when the cancel arrived):
  the task is read once; FAILED with the failure reason Diego gives a cancelled task is ALREADY
  (someone cancelled it first), anything else ENDED (it finished on its own). Both unchanged.
* A lost answer (5xx, dropped, cut off, a 202 that cannot be read, a read timeout) is settled by one
  read: CANCELING, or FAILED as cancelled, is the change in place (ACTED with a warning); PENDING or
  RUNNING is sent again; SUCCEEDED or FAILED otherwise is ENDED.
* 404 ``CF-ResourceNotFound``, 403 ``CF-NotAuthorized`` and any other answer fail with the API's words.

What Cloud Controller cannot tell: it accepts a cancel of a CANCELING task with the same 202 and
the same body, so two runs whose cancels both arrive while the task is still RUNNING both see a
202 and both report ``changed``. Nothing in the answer tells them apart (UNCONFIRMED that any
field would: ``updated_at`` is not documented to change on a repeated cancel), so nothing here
pretends to. A run that reads the task after another run's cancel was handled finds it CANCELING
and leaves it alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import threading

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urlparse import urlsplit  # type: ignore

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import OAuthBearer, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback, id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils.client import is_http_url, segment, url_problem
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome, missing_as_none, normalise
from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel

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

# The cf CLI's own UAA client: public, so its secret is empty. The password grant goes through it
# (cloudfoundry/cli api/uaa/auth.go).
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
    # The token goes into the Authorization header as it is; the password and the client secret
    # go into a form body, where any character can be encoded.
    header_secrets=("access_token",),
    required_together=[("username", "password"), ("client_id", "client_secret")],
    required_one_of=[("username", "client_id", "access_token")],
)


# -- models -----------------------------------------------------------------------------------

class Link(ApiModel):
    href: str


class RootLinks(ApiModel):
    login: Optional[Link] = None
    uaa: Optional[Link] = None


class Root(ApiModel):
    links: RootLinks


class TaskResult(ApiModel):
    failure_reason: Optional[str] = None


class Task(ApiModel):
    guid: str
    state: str
    name: Optional[str] = None
    sequence_id: Optional[int] = None
    created_at: Optional[str] = None
    result: Optional[TaskResult] = None


class GuidRef(ApiModel):
    guid: str


class ToOne(ApiModel):
    data: Optional[GuidRef] = None


class Relationships(ApiModel):
    space: Optional[ToOne] = None
    organization: Optional[ToOne] = None


class Named(ApiModel):
    """An organization, space or app: what a lookup by name needs of it."""
    guid: str
    name: str
    relationships: Optional[Relationships] = None

    def parent(self, kind):
        """The GUID of the related ``space`` or ``organization``, or None."""
        one = getattr(self.relationships, kind, None) if self.relationships is not None else None
        return one.data.guid if one is not None and one.data is not None else None


class Pagination(ApiModel):
    total_results: Optional[int] = None
    next: Optional[Link] = None


class Included(ApiModel):
    spaces: List[Named] = []
    organizations: List[Named] = []


class TaskPage(ApiModel):
    pagination: Pagination
    resources: List[Task]


class NamedPage(ApiModel):
    pagination: Pagination
    resources: List[Named]
    included: Optional[Included] = None


def was_cancelled(task):
    """Whether a task ended because it was cancelled (by anyone)."""
    reason = task.result.failure_reason if task.result is not None else None
    return task.state == "FAILED" and (reason or "").strip().lower() == CANCELLED_FAILURE_REASON


def password_grant(username, password):
    basic = base64.b64encode(("%s:" % CF_CLI_CLIENT).encode("utf-8")).decode("ascii")
    return ({"grant_type": "password", "username": username, "password": password},
            {"Authorization": "Basic %s" % basic})


def client_credentials_grant(client_id, client_secret):
    # As the cf CLI sends it: the client in the form body, not in an Authorization header.
    return ({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}, None)


# -- authentication ---------------------------------------------------------------------------

class TokenEndpoint:
    """The UAA token URL, found once per run in the root document (``links.login``, else ``links.uaa``).

    The link comes from the network: it must be a plain http(s) URL (no user info, query or
    fragment), and https when api_url is, before any credential is sent to it.
    """

    def __init__(self):
        self.url = None
        self._lock = threading.Lock()

    def __call__(self, client):
        with self._lock:
            if self.url is None:
                self.url = self._discover(client)
            return self.url

    @staticmethod
    def _discover(client):
        root = client.request("GET", "/", auth=False, ok=(200,)).model(Root)
        name, link = ("login", root.links.login) if root.links.login is not None else ("uaa", root.links.uaa)
        if link is None:
            raise client.error("GET", "/", "the root document has no links.login or links.uaa URL to get a token "
                               "from: is api_url the Cloud Controller's URL (what 'cf api' shows)?")
        problem = url_problem(link.href)
        if problem is None and client.base_url.lower().startswith("https:") and \
                not link.href.lower().startswith("https:"):
            problem = "is http:// while api_url is https://: the credentials would cross the network unencrypted"
        if problem is not None:
            raise client.error("GET", "/", "the token URL the root document gives in links.%s %s (the URL is not "
                               "shown). No credential was sent to it; check that api_url is the Cloud Controller's "
                               "URL (what 'cf api' shows)." % (name, problem))
        return link.href.rstrip("/") + "/oauth/token"


class CloudControllerBearer(OAuthBearer):
    """``Authorization: bearer <token>``; only Cloud Controller's "invalid token" 401 asks for a new one.

    A 401 ``CF-NotAuthenticated`` (no or malformed credentials) would fail again with a new token.
    """

    def should_renew(self, reply):
        problem = normalise(reply.status, reply.content, reply.headers)
        return reply.status == 401 and (problem.get("code") == INVALID_TOKEN_CODE
                                        or problem.get("title") == INVALID_TOKEN_TITLE)


def uaa_auth(access_token=None, grant=None, on_secret=None):
    """The Auth of a run: a given token as it is, or a grant sent to the discovered UAA token URL."""
    if access_token is not None:
        return CloudControllerBearer(OAuthToken(token=access_token), scheme="bearer")
    form, headers = grant
    return CloudControllerBearer(OAuthToken(TokenEndpoint(), form=form, headers=headers, on_secret=on_secret),
                                 scheme="bearer")


# -- the client -------------------------------------------------------------------------------

def _origin(url):
    """Scheme, host and port of a URL, with the scheme's default port spelled out."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _joined(filters):
    """Query parameters from filters: lists joined by commas (Cloud Controller's list syntax), None left out."""
    return dict((k, ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v)
                for k, v in filters.items() if v is not None)


class CloudFoundryClient:
    def __init__(self, http):
        self.http = http

    # -- reads ---------------------------------------------------------------------------------
    def task(self, guid):
        return self.http.request("GET", "/v3/tasks/%s" % segment(guid), ok=(200,)).model(Task)

    def find_task(self, guid):
        """The task, or None when Cloud Controller says it does not exist (or these credentials cannot see it)."""
        return missing_as_none(self.task, guid)

    def tasks(self, app_guid=None, **filters):
        """Every task the filters select, all pages. ``filters`` are query parameters; lists are joined by commas."""
        path = "/v3/apps/%s/tasks" % segment(app_guid) if app_guid is not None else "/v3/tasks"
        return self._pages(path, filters, TaskPage, "tasks")[0]

    def organizations(self, **filters):
        return self._pages("/v3/organizations", filters, NamedPage, "organizations")

    def spaces(self, **filters):
        """(spaces, included) for ``names``, ``organization_guids``, ``include``... ."""
        return self._pages("/v3/spaces", filters, NamedPage, "spaces")

    def apps(self, **filters):
        return self._pages("/v3/apps", filters, NamedPage, "apps")

    def _pages(self, path, filters, model, what):
        """(every resource of every page, the ``included`` resources of all pages merged)."""
        params = _joined(filters)
        params["per_page"] = PER_PAGE
        origin = _origin(self.http.url(path))
        resources = []
        included = Included()
        seen = set()
        url = path
        for dummy in range(MAX_PAGES):
            page = self.http.request("GET", url, params=params, ok=(200,)).model(model)
            resources.extend(page.resources)
            if getattr(page, "included", None) is not None:
                included.spaces.extend(page.included.spaces)
                included.organizations.extend(page.included.organizations)
            if page.pagination.next is None:
                return resources, included
            url, params = page.pagination.next.href, None
            if url in seen:
                raise self.http.error("GET", path, "the API gave the same next page twice; stopped after %d %s "
                                      "rather than loop for ever" % (len(resources), what))
            if not is_http_url(url, allow_query=True):
                raise self.http.error("GET", path, "the next page's link is not a plain http(s) URL (not shown); "
                                      "stopped after %d %s" % (len(resources), what))
            if _origin(url) != origin:
                # The token goes with every page: never to a host the user did not name in api_url.
                raise self.http.error("GET", path, "the next page is on another host (%s), not on api_url's %s"
                                      % (urlsplit(url).hostname, origin[1]))
            seen.add(url)
        raise self.http.error("GET", path, "more than %d pages of %s; stopped after %d"
                              % (MAX_PAGES, what, len(resources)))

    # -- the cancel ----------------------------------------------------------------------------
    def cancel(self, guid):
        """Cancel one task; the Outcome's ``obj`` is the task as the API last showed it (a Task model).

        See the module docstring for the rules. A GUID that would not stay in its path segment (one
        listed by the API) is never sent: REFUSED, with the reason.
        """
        problem = id_problem(guid)
        if problem:
            return Outcome(Outcome.REFUSED, reason="not cancelled: the task GUID %s" % problem)
        path = "/v3/tasks/%s/actions/cancel" % segment(guid)

        def settled(task):
            """The outcome a read shows, or None while the task still runs (the cancel is still to do)."""
            if task.state in CANCELABLE_STATES:
                return None
            if task.state in STOPPING_STATES or was_cancelled(task):
                return Outcome(Outcome.ALREADY, task, "already %s" % ("cancelled" if was_cancelled(task) else task.state))
            return Outcome(Outcome.ENDED, task, "already %s" % task.state)

        def send():
            try:
                # A 202 whose body cannot be read raises a lost ApiError: settled by the read below.
                return Outcome(Outcome.ACTED, self.http.request("POST", path, ok=(200, 202)).model(Task))
            except ApiError as error:
                if error.status != 422 or not error.is_api_code(UNPROCESSABLE_CODE):
                    raise
                refused = error
            # SUCCEEDED or FAILED when the cancel arrived: the task says which, and whether it was a cancel.
            try:
                task = self.task(guid)
            except ApiError as error:
                # The cancel's answer was definite; only this read failed.
                error.lost = False
                raise
            outcome = settled(task)
            if outcome is None:
                # Cloud Controller refuses only finished tasks: a running one now contradicts its answer.
                raise refused
            return outcome

        def read_back():
            return settled(self.task(guid))

        return self.http.mutate(send, read_back)


# -- the module base --------------------------------------------------------------------------

def _quoted(names):
    return ", ".join("'%s'" % n for n in names)


class CloudFoundryModule(JobctlModule):
    API = API

    def make_client(self):
        p = self.params
        # One credential is used, the most explicit first: a given token, then a client, then a user.
        if p["access_token"]:
            auth = uaa_auth(access_token=p["access_token"])
        elif p["client_id"]:
            auth = uaa_auth(grant=client_credentials_grant(p["client_id"], p["client_secret"]),
                            on_secret=self.learn_secret)
        else:
            auth = uaa_auth(grant=password_grant(p["username"], p["password"]), on_secret=self.learn_secret)
        return CloudFoundryClient(self.http_client(p["api_url"], auth=auth))

    # -- input checks, before any request ------------------------------------------------------
    def guid(self, option, value):
        return self.check_id(option, value)

    def no_commas(self, option, values):
        """Cloud Foundry list filters are comma-separated: a value with a comma would select something else."""
        for value in values or []:
            if "," in value:
                self.fail("%s '%s' holds a comma, which Cloud Foundry's comma-separated filter would split"
                          % (option, value))
        return values

    def name(self, option):
        """A name option (org, space, app, a task name): not empty, no comma; None when not set."""
        value = self.params.get(option)
        if value is None:
            return None
        if not value.strip():
            self.fail("%s must not be empty" % option)
        self.no_commas(option, [value])
        return value

    # -- names to GUIDs, one list request per name ---------------------------------------------
    def resolve(self, org=None, space=None, app=None):
        """The GUIDs of the named org, space and app (each None when not named), as the cf CLI finds them.

        Cloud Controller matches names case-insensitively. Each name costs one list request. A name
        that matches nothing fails naming it; an app found in several spaces (or a space in several
        orgs) without the name that would decide fails listing them. Nothing is changed before.
        """
        cf = self.client
        found = {"org": None, "space": None, "app": None}
        if org is not None:
            orgs = cf.organizations(names=[org])[0]
            if not orgs:
                self.fail("org '%s' was not found (or these credentials cannot see it); nothing was changed" % org)
            if len(orgs) > 1:
                self.fail("org name '%s' matches %d orgs (%s); nothing was changed"
                          % (org, len(orgs), _quoted(o.name for o in orgs)))
            found["org"] = self._api_guid("org '%s'" % org, orgs[0].guid)
        if space is not None:
            spaces, included = cf.spaces(names=[space], organization_guids=self._listed(found["org"]),
                                         include=None if org is not None else "organization")
            where = " in org '%s'" % org if org is not None else ""
            if not spaces:
                self.fail("space '%s' was not found%s (or these credentials cannot see it); nothing was changed"
                          % (space, where))
            if len(spaces) > 1:
                orgs = dict((o.guid, o.name) for o in included.organizations)
                self.fail("space '%s' is in %d orgs: %s. Set org to say which; nothing was changed" % (
                    space, len(spaces), ", ".join("'%s'" % orgs.get(s.parent("organization"), s.parent("organization"))
                                                  for s in spaces)))
            found["space"] = self._api_guid("space '%s'" % space, spaces[0].guid)
        if app is not None:
            apps, included = cf.apps(names=[app], space_guids=self._listed(found["space"]),
                                     organization_guids=None if found["space"] else self._listed(found["org"]),
                                     include=None if space is not None else "space.organization")
            where = " in space '%s'" % space if space is not None else ""
            where += " in org '%s'" % org if org is not None else ""
            if not apps:
                self.fail("app '%s' was not found%s (or these credentials cannot see it); nothing was changed"
                          % (app, where))
            if len(apps) > 1:
                spaces = dict((s.guid, s) for s in included.spaces)
                orgs = dict((o.guid, o.name) for o in included.organizations)

                def place(found_app):
                    space_guid = found_app.parent("space")
                    known = spaces.get(space_guid)
                    if known is None:
                        return "'%s'" % space_guid
                    org_guid = known.parent("organization")
                    return "'%s' (org '%s')" % (known.name, orgs.get(org_guid, org_guid))

                self.fail("app '%s' is in %d spaces: %s. Set space (and org) to say which; nothing was changed"
                          % (app, len(apps), ", ".join(place(a) for a in apps)))
            found["app"] = self._api_guid("app '%s'" % app, apps[0].guid)
        return found

    @staticmethod
    def _listed(guid):
        return [guid] if guid is not None else None

    def _api_guid(self, what, guid):
        """A GUID the API gave, checked like one given by the user before it builds a path or a filter."""
        problem = id_problem(guid)
        if problem is None and "," in guid:
            problem = "%r holds a comma" % guid
        if problem:
            self.fail("the API gave %s a GUID that cannot be used: %s; nothing was changed" % (what, problem))
        return guid
