"""Cloud Foundry: the Cloud Controller v3 task, organization, space and app endpoints and the UAA
token endpoint, as docs/api/cloudfoundry.md documents them (its sections "Seed", "Confirmed" and
"Invented"; "Confirmed" below means that document's confirmed facts).

Served under ``/cf`` (a module's ``api_url`` is ``http://127.0.0.1:PORT/cf``):

- ``GET /cf/`` the root document (no auth); ``links.login`` -> ``/cf/login``, ``links.uaa`` -> ``/cf/uaa``,
  ``links.cloud_controller_v3`` -> ``/cf/v3``, all absolute, built from the request's Host header;
- ``POST /cf/login/oauth/token`` and ``POST /cf/uaa/oauth/token``: the password grant (HTTP Basic client
  ``cf`` with an empty secret), the refresh token grant (the same client) and the client credentials
  grant (client in Basic or in the form);
- ``GET /cf/v3/tasks``, ``GET /cf/v3/apps/{guid}/tasks``, ``GET /cf/v3/tasks/{guid}``,
  ``POST /cf/v3/tasks/{guid}/actions/cancel``;
- ``GET /cf/v3/organizations``, ``/cf/v3/spaces``, ``/cf/v3/apps`` (and each ``/{guid}``).

Seed body (every key optional)::

    {"users": [{"username", "password", "role": "admin"|"developer"|"auditor", "spaces": [guid...]|null}],
     "clients": [{"client_id", "client_secret", "role", "spaces"}],
     "orgs": [{"guid"?, "name"}],
     "spaces": [{"guid"?, "name", "organization_guid"}],
     "apps": [{"guid"?, "name", "space_guid"?, "space_name"?, "organization_guid"?, "organization_name"?,
               "tasks": [TASK...]}],
     "tasks": [dict(TASK, app_guid=...)],
     "settings": {...DEFAULT_SETTINGS...},
     "revoke_tokens": true}

    TASK = {"guid"?, "name"?, "command"?, "state": "RUNNING" (default) | PENDING | CANCELING | SUCCEEDED | FAILED,
            "created_at"? (ISO or epoch) | "age_seconds"?, "duration"? (seconds from creation to SUCCEEDED;
            null runs for ever), "start_after"? (a PENDING task starts running this long after creation),
            "cancel_delay"?, "labels"?, "annotations"?, "memory_in_mb"?, "disk_in_mb"?, "failure_reason"?, "user"?,
            "succeed_after_reads"? (SUCCEEDED right after this many GET /v3/tasks/{guid}: the race where a task
            finishes between a client's read and its cancel), "succeed_after_lists"? (the same after this many
            task list pages showed it: the race where a task finishes between a listing and its cancel)}

An app whose ``space_guid`` is not known yet creates its space (named ``space_name``) in the org
``organization_guid`` (created too, named ``organization_name``); without them it goes to
``default-org``/``default-space``.

After a reset there is a user ``admin``/``admin-secret`` (what tests/utils/with-simulator.sh exports),
a read-only user ``auditor``/``auditor-secret``, the cf CLI's client ``cf`` (empty secret, password and
refresh token grants) and a client ``jobctl-client``/``jobctl-client-secret`` for the client credentials grant.

Tokens expire after ``settings.token_lifetime`` simulated seconds; ``settings.token_uses`` makes each
token good for that many API requests (so a token can run out in the middle of one module run, which
exercises the 401 ``CF-InvalidAuthToken`` refresh); refresh tokens expire after
``settings.refresh_token_lifetime``; ``{"revoke_tokens": true}`` revokes every token issued so far,
refresh tokens too. A cancelled task stays CANCELING for ``cancel_delay`` seconds, then becomes FAILED.

Documented (each on by default, and a setting where it can be switched):
- the cancel answers 202 with the task; a cancel of a CANCELING task is accepted the same way; a
  SUCCEEDED or FAILED task answers 422 CF-UnprocessableEntity 10008 (docs/api/cloudfoundry.md Seed and
  Confirmed; cloud_controller_ng app/actions/task_cancel.rb);
- a cancelled task ends FAILED with ``result.failure_reason`` "task was cancelled" (cloudfoundry/bbs
  db/sqldb/task_db.go, CancelTask);
- an expired or revoked token answers 401 CF-InvalidAuthToken 1000 (docs/api/cloudfoundry.md Confirmed);
- the ``refresh_token`` grant, for the ``cf`` client, authenticated as for the password grant
  (docs/api/cloudfoundry.md Confirmed: cloudfoundry-client renews that way on that 401). As UAA does it
  (cloudfoundry/uaa UaaTokenServices, RefreshTokenCreator, TokenValidationService): a refresh token comes
  with the password grant only, and only to a client allowed the refresh_token grant; the refresh answer
  is a new access token for the same user and the same refresh token, which stays valid until it
  expires; an unknown, expired or revoked refresh token answers 401 ``invalid_token`` ("The token
  expired, was revoked, or the token ID is incorrect.", UAA's for an opaque token; none at all, "Invalid
  refresh token (empty token)"), another client's 400 ``invalid_grant`` ("Wrong client for this refresh
  token: <client>");
- ``names`` filters match case-insensitively on tasks, orgs, spaces and apps (docs/api/cloudfoundry.md
  Confirmed; cloud_controller_ng db/migrations declare those name columns ``case_insensitive: true``);
  setting ``names_case_insensitive``;
- unknown query parameters answer 400 CF-BadQueryParameter; the filters each list knows are those of
  cloud_controller_ng app/messages/{tasks,orgs,spaces,apps}_list_message.rb and list_message.rb
  (``guids``, ``order_by``, ``created_ats``, ``updated_ats``, ``label_selector``, ``include``);
  ``sequence_ids`` only on ``/v3/apps/{guid}/tasks``, and that list refuses ``space_guids``,
  ``organization_guids`` and ``app_guids``;
- pagination ``{total_results, total_pages, first, last, next, previous}``, ``per_page`` 1-5000;
- ``include=organization`` on spaces and ``include=space``/``space.organization`` on apps (together
  too: ``include=space,space.organization``) give an ``included`` object, the spaces and, for
  ``space.organization``, their orgs (v3 docs; cloud_controller_ng IncludeAppSpaceDecorator,
  IncludeSpaceOrganizationDecorator); any other value answers 400 as Cloud Controller does;
- the rate limiter (cloud_controller_ng middleware/base_rate_limiter.rb, config/cloud_controller.yml):
  requests per user over a window of ``rate_limit_window_minutes`` (60, CC's default
  ``reset_interval_in_minutes``); over ``rate_limit_general`` a 429 CF-RateLimitExceeded 10013 whose
  JSON body is labelled text/plain, with ``Retry-After`` in seconds until the window resets and
  ``X-RateLimit-Reset`` in epoch seconds; every counted answer carries ``X-RateLimit-*``. The root
  document and the UAA endpoints are not counted; admins are exempt unless ``rate_limit_admin`` is set
  (CC's ``per_process_admin_limit: -1``). ``rate_limit_general`` is null by default, as CC ships
  (``rate_limiter.enabled: false``). ``rate_limit_retry_after: "epoch"`` gives the older releases'
  ``Retry-After`` (the same epoch seconds as ``X-RateLimit-Reset``, middleware/rate_limiter.rb before
  the base limiter).

Invented where the documents say nothing (easy to change, all in this file):
- tokens are opaque strings, not JWTs, refresh tokens too (UAA's are JWTs unless configured opaque);
- a refresh token lives 30 days (``settings.refresh_token_lifetime``: the 2592000 s UAA configurations
  commonly give ``refreshTokenValiditySeconds``);
- an ``auditor`` sees the tasks of its spaces but not their ``command``, and is refused a cancel (403);
- the order of a list is creation order unless ``order_by`` says otherwise; ``total_pages`` is 1 for no results;
- PENDING tasks stay PENDING unless seeded with ``start_after``;
- a user's rate-limit window starts with its first counted request (CC spreads the windows of users
  over the hour with a hash of the user's GUID), and ``X-RateLimit-Remaining`` is the plain remainder
  (CC estimates it across its instances in steps of 10%);
- a developer sees the orgs of its spaces; the list filters ``stacks``, ``lifecycle_type`` and
  ``isolation_segment_guid`` are not simulated and answer 400 like unknown ones;
- ``settings.ignore_filters`` (false): true makes every list ignore its query filters (``names``,
  ``guids``, ``states``, ``sequence_ids``, ``app_guids``, ``space_guids``, ``organization_guids``,
  ``label_selector``, ``created_ats``, ``updated_ats``), a list of names only those, as an API that does
  not know the parameter would (a proxy, an older Cloud Controller); paths, ``include``, order and pages
  are still honoured (docs/api/cloudfoundry.md, Invented).
"""

import base64
import datetime
import math
import random
import re
import uuid
from urllib.parse import urlencode

from .core import API, Response, parse_time, register, route

STATES = ("PENDING", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED")
ROLES = ("admin", "developer", "auditor")
CANCEL_FAILURE_REASON = "task was cancelled"

DEFAULT_USERS = (
    {"username": "admin", "password": "admin-secret", "role": "admin"},
    {"username": "auditor", "password": "auditor-secret", "role": "auditor"},
)
DEFAULT_CLIENTS = (
    # The cf CLI's own client: public (empty secret), password grant and its renewal.
    {"client_id": "cf", "client_secret": "", "grants": ["password", "refresh_token"]},
    {"client_id": "jobctl-client", "client_secret": "jobctl-client-secret", "role": "admin",
     "grants": ["client_credentials"]},
)
DEFAULT_SETTINGS = {
    "token_lifetime": 1199.0,   # seconds a token stays valid (sim clock); UAA's cf client default is ~20 minutes
    "token_uses": None,         # API requests each token is good for; null = unlimited
    "refresh_token_lifetime": 2592000.0,  # INVENTED: seconds a refresh token stays valid (30 days)
    "cancel_delay": 30.0,       # seconds a cancelled task stays CANCELING before it is FAILED
    "login_link": True,         # false: the root document has no links.login (clients must use links.uaa)
    "login_href": None,         # INVENTED test hook: links.login.href as given (a hostile root document)
    "max_per_page": 5000,
    "default_per_page": 50,
    "rate_limit_limit": 2000,   # X-RateLimit-Limit of a 429 that no configured bucket produced
    # DOCUMENTED: names filters match case-insensitively (false: exact matches, for a test that needs them)
    "names_case_insensitive": True,
    # DOCUMENTED: Cloud Controller's per-user rate limiter. null = off (CC's default config)
    "rate_limit_general": None,         # requests per user and window
    "rate_limit_admin": None,           # requests per admin and window; null = admins exempt
    "rate_limit_window_minutes": 60,    # reset_interval_in_minutes
    "rate_limit_retry_after": "seconds",  # "epoch": Retry-After as older releases sent it
    # INVENTED: list every resource whatever query filters are sent (true), or ignore only the filters
    # named (a list, e.g. ["names", "sequence_ids"]), as an API that does not know the parameter would
    # (a proxy, an older Cloud Controller). Paths, include, order and pages are still honoured.
    "ignore_filters": False,
}

DEFAULT_ORG = {"guid": "5a0b7f0e-0000-4000-8000-00000000000a", "name": "default-org"}
DEFAULT_SPACE = {"guid": "5a0b7f0e-0000-4000-8000-00000000000b", "name": "default-space"}

# status -> (code, title, detail) of Cloud Controller errors
ERRORS = {
    400: (1001, "CF-MessageParseError", "Request invalid due to parse error"),
    401: (10002, "CF-NotAuthenticated", "Authentication error"),
    403: (10003, "CF-NotAuthorized", "You are not authorized to perform the requested action"),
    404: (10000, "CF-NotFound", "Unknown request"),
    405: (10000, "CF-NotFound", "Unknown request"),
    422: (10008, "CF-UnprocessableEntity", "The request is semantically invalid"),
    429: (10013, "CF-RateLimitExceeded", "Rate Limit Exceeded"),
    500: (10001, "CF-ServerError", "An unknown error occurred."),
    502: (10001, "CF-ServerError", "Bad gateway"),
    503: (170020, "CF-TaskWorkersUnavailable", "Task workers are unavailable"),
    504: (10001, "CF-ServerError", "Gateway timeout"),
}
INVALID_TOKEN = (1000, "CF-InvalidAuthToken", "Invalid Auth Token")
NOT_FOUND = (10010, "CF-ResourceNotFound")
BAD_QUERY = (10005, "CF-BadQueryParameter")

RATE_LIMITED = (10013, "CF-RateLimitExceeded", "Rate Limit Exceeded")

# The query parameters each list knows (app/messages/*_list_message.rb); anything else answers 400.
COMMON_LIST_PARAMS = ("page", "per_page", "order_by", "guids", "created_ats", "updated_ats", "label_selector")
TASK_LIST_PARAMS = COMMON_LIST_PARAMS + ("names", "states", "app_guids", "space_guids", "organization_guids")
APP_TASK_LIST_PARAMS = COMMON_LIST_PARAMS + ("names", "states", "sequence_ids")
ORG_LIST_PARAMS = COMMON_LIST_PARAMS + ("names",)
SPACE_LIST_PARAMS = COMMON_LIST_PARAMS + ("names", "organization_guids", "include")
APP_LIST_PARAMS = COMMON_LIST_PARAMS + ("names", "organization_guids", "space_guids", "include")
# order_by: created_at and updated_at everywhere, name too on orgs, spaces and apps; "+" or "-" before.
ORDER_BY = ("created_at", "updated_at")
NAMED_ORDER_BY = ORDER_BY + ("name",)
# What Cloud Controller accepts (v3 docs: "valid values are organization"; "space and space.organization").
SPACE_INCLUDES = ("organization",)
APP_INCLUDES = ("space", "space.organization")

_rng = random.Random()


def new_guid(rng=None):
    return str(uuid.UUID(int=(rng or _rng).getrandbits(128), version=4))


def iso(ts):
    """Epoch seconds -> ``2026-04-27T12:34:56Z`` (Cloud Controller's timestamp format)."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CFError(Exception):
    """An error answer: Cloud Controller's ``errors[]`` (kind "cc") or UAA's OAuth error (kind "oauth")."""

    def __init__(self, status, code=None, title=None, detail=None, kind="cc", headers=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}


def bad_query(detail):
    return CFError(400, BAD_QUERY[0], BAD_QUERY[1], "The query parameter is invalid: %s" % detail)


def oauth_error(status, error, description):
    return CFError(status, error, None, description, kind="oauth",
                   headers={"WWW-Authenticate": 'Bearer realm="UAA/oauth", error="%s"' % error} if status == 401 else None)


# ------------------------------------------------------------------------------------ label selectors

_SET = re.compile(r"^\s*(!?)([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ = re.compile(r"^\s*([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)([A-Za-z0-9./_-]+)\s*$")


def parse_label_selector(text):
    """Cloud Foundry's label_selector (k8s style) -> a predicate on a labels dict; ValueError when invalid."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    checks = []
    for part in parts:
        match = _SET.match(part)
        if match and not match.group(1):
            values = {v.strip() for v in match.group(4).split(",") if v.strip()}
            key, negate = match.group(2), match.group(3) == "notin"
            checks.append(lambda labels, k=key, v=values, n=negate: (labels.get(k) in v) != n)
            continue
        match = _EQ.match(part)
        if match:
            key, op, value = match.groups()
            checks.append(lambda labels, k=key, v=value, ne=(op == "!="): (labels.get(k) == v) != ne)
            continue
        match = _EXISTS.match(part)
        if match:
            negate, key = match.groups()
            checks.append(lambda labels, k=key, n=bool(negate): (k in labels) != n)
            continue
        raise ValueError("Invalid label_selector value")
    return lambda labels: all(check(labels) for check in checks)


# ------------------------------------------------------------------------------------ the API

@register
class CloudFoundryAPI(API):
    name = "cloudfoundry"
    prefix = "/cf"
    base = ""

    # ---------------------------------------------------------------- state
    def reset(self):
        self.settings = dict(DEFAULT_SETTINGS)
        self.users = {}
        self.clients = {}
        self.tokens = {}          # token -> record
        self.refresh_tokens = {}  # refresh token -> record
        self.orgs = {DEFAULT_ORG["guid"]: self._new_org(DEFAULT_ORG)}
        self.spaces = {DEFAULT_SPACE["guid"]: self._new_space(dict(DEFAULT_SPACE, organization_guid=DEFAULT_ORG["guid"]))}
        self.apps = {}            # guid -> record (insertion order is creation order)
        self.tasks = {}           # guid -> record
        self.counters = {}        # rate limiter: principal -> {"count", "expires"}
        self.events = []
        for user in DEFAULT_USERS:
            self._add_user(dict(user))
        for client in DEFAULT_CLIENTS:
            self._add_client(dict(client))

    def _add_user(self, spec):
        if not spec.get("username") or not isinstance(spec.get("password"), str):
            raise ValueError("cloudfoundry users[] need a username and a password")
        role = spec.get("role", "admin")
        if role not in ROLES:
            raise ValueError("unknown cloudfoundry role %r (known: %s)" % (role, ", ".join(ROLES)))
        self.users[spec["username"]] = {"username": spec["username"], "password": spec["password"],
                                        "role": role, "spaces": spec.get("spaces")}
        return dict(self.users[spec["username"]])

    def _add_client(self, spec):
        if not spec.get("client_id") or not isinstance(spec.get("client_secret"), str):
            raise ValueError("cloudfoundry clients[] need a client_id and a client_secret")
        role = spec.get("role", "admin")
        if role not in ROLES:
            raise ValueError("unknown cloudfoundry role %r (known: %s)" % (role, ", ".join(ROLES)))
        self.clients[spec["client_id"]] = {
            "client_id": spec["client_id"], "client_secret": spec["client_secret"], "role": role,
            "spaces": spec.get("spaces"), "grants": list(spec.get("grants") or ["client_credentials"])}
        return dict(self.clients[spec["client_id"]])

    def _event(self, kind, **fields):
        self.events.append(dict({"time": iso(self.sim.now()), "event": kind}, **fields))

    def _tick(self):
        """Move tasks along the simulated clock."""
        now = self.sim.now()
        for task in self.tasks.values():
            if task["state"] == "PENDING" and task["start_at"] is not None and now >= task["start_at"]:
                task.update(state="RUNNING", updated=task["start_at"])
            if task["state"] == "RUNNING" and task["finish_at"] is not None and now >= task["finish_at"]:
                task.update(state="SUCCEEDED", updated=task["finish_at"])
                self._event("task_succeeded", guid=task["guid"])
            if task["state"] == "CANCELING" and now >= task["cancel_at"]:
                task.update(state="FAILED", updated=task["cancel_at"], failure_reason=CANCEL_FAILURE_REASON)
                self._event("task_canceled", guid=task["guid"])

    # ---------------------------------------------------------------- seeding
    def seed(self, data):
        if not isinstance(data, dict):
            raise ValueError("the cloudfoundry seed must be an object")
        unknown = set(data) - {"users", "clients", "orgs", "spaces", "apps", "tasks", "settings", "revoke_tokens"}
        if unknown:
            raise ValueError("unknown cloudfoundry seed key(s): %s" % ", ".join(sorted(unknown)))
        for key, value in (data.get("settings") or {}).items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown cloudfoundry setting %r" % key)
            if key == "rate_limit_retry_after" and value not in ("seconds", "epoch"):
                raise ValueError("rate_limit_retry_after must be 'seconds' or 'epoch'")
            self.settings[key] = value
        created = {"users": [self._add_user(u) for u in data.get("users") or []],
                   "clients": [self._add_client(c) for c in data.get("clients") or []],
                   "orgs": [], "spaces": [], "apps": [], "tasks": []}
        for spec in data.get("orgs") or []:
            if not spec.get("name"):
                raise ValueError("cloudfoundry orgs[] need a name")
            org = self._new_org(spec)
            self.orgs[org["guid"]] = org
            created["orgs"].append(dict(org))
        for spec in data.get("spaces") or []:
            if not spec.get("name") or spec.get("organization_guid") not in self.orgs:
                raise ValueError("cloudfoundry spaces[] need a name and the organization_guid of a seeded org")
            space = self._new_space(spec)
            self.spaces[space["guid"]] = space
            created["spaces"].append(dict(space))
        for spec in data.get("apps") or []:
            app = self._seed_app(spec)
            tasks = [self._seed_task(app, t) for t in spec.get("tasks") or []]
            created["apps"].append(dict(self._app_view(app), tasks=[self._task_view(t, None) for t in tasks]))
        for spec in data.get("tasks") or []:
            app = self.apps.get(spec.get("app_guid"))
            if app is None:
                raise ValueError("cloudfoundry tasks[].app_guid must name a seeded app, not %r" % spec.get("app_guid"))
            created["tasks"].append(self._task_view(self._seed_task(app, spec), None))
        if data.get("revoke_tokens"):
            # Refresh tokens too: a client that could renew a revoked token would outlive the revocation.
            for record in list(self.tokens.values()) + list(self.refresh_tokens.values()):
                record["revoked"] = True
            created["revoked_tokens"] = len(self.tokens)
        if "settings" in data:
            created["settings"] = dict(self.settings)
        return created

    def _new_org(self, spec):
        return {"guid": spec.get("guid") or new_guid(), "name": spec["name"], "created": self.sim.now(),
                "labels": dict(spec.get("labels") or {})}

    def _new_space(self, spec):
        return {"guid": spec.get("guid") or new_guid(), "name": spec["name"],
                "organization_guid": spec["organization_guid"], "created": self.sim.now(),
                "labels": dict(spec.get("labels") or {})}

    def _seed_app(self, spec):
        app = self.apps.get(spec.get("guid"))
        if app is None:
            space_guid = spec.get("space_guid") or DEFAULT_SPACE["guid"]
            if space_guid not in self.spaces:
                org_guid = spec.get("organization_guid") or DEFAULT_ORG["guid"]
                if org_guid not in self.orgs:
                    self.orgs[org_guid] = self._new_org({"guid": org_guid, "name": spec.get("organization_name")
                                                         or "org-%d" % (len(self.orgs) + 1)})
                self.spaces[space_guid] = self._new_space({
                    "guid": space_guid, "name": spec.get("space_name") or "space-%d" % (len(self.spaces) + 1),
                    "organization_guid": org_guid})
            app = {"guid": spec.get("guid") or new_guid(), "name": spec.get("name") or "app-%d" % (len(self.apps) + 1),
                   "space_guid": space_guid, "next_sequence": 1, "labels": dict(spec.get("labels") or {}),
                   "droplet_guid": spec.get("droplet_guid") or new_guid(), "created": self.sim.now()}
            self.apps[app["guid"]] = app
        return app

    def _seed_task(self, app, spec):
        now = self.sim.now()
        state = spec.get("state", "RUNNING")
        if state not in STATES:
            raise ValueError("cloudfoundry task state must be one of %s, not %r" % (", ".join(STATES), state))
        if "created_at" in spec:
            created = parse_time(spec["created_at"])
        else:
            created = now - float(spec.get("age_seconds", 0))
        sequence_id = int(spec.get("sequence_id") or app["next_sequence"])
        app["next_sequence"] = max(app["next_sequence"], sequence_id + 1)
        duration = spec.get("duration")
        start_after = spec.get("start_after")
        task = {
            "guid": spec.get("guid") or new_guid(),
            "app_guid": app["guid"],
            "sequence_id": sequence_id,
            "name": spec.get("name") or "task-%d" % sequence_id,
            "command": spec.get("command", "bin/run"),
            # The run action's user of a buildpack droplet (v3 docs' task sample: "vcap").
            "user": spec.get("user", "vcap"),
            "state": state,
            "memory_in_mb": int(spec.get("memory_in_mb", 512)),
            "disk_in_mb": int(spec.get("disk_in_mb", 1024)),
            "droplet_guid": app["droplet_guid"],
            "labels": dict(spec.get("labels") or {}),
            "annotations": dict(spec.get("annotations") or {}),
            "failure_reason": spec.get("failure_reason"),
            "created": created,
            "updated": created if state in ("PENDING", "RUNNING") else now,
            "start_at": created + float(start_after) if start_after is not None else None,
            "finish_at": created + float(duration) if duration is not None else None,
            "cancel_delay": float(spec.get("cancel_delay", self.settings["cancel_delay"])),
            "cancel_at": None,
            "succeed_after_reads": spec.get("succeed_after_reads"),
            "reads": 0,
            "succeed_after_lists": spec.get("succeed_after_lists"),
            "lists": 0,
        }
        if state == "FAILED" and task["failure_reason"] is None:
            task["failure_reason"] = "APP/TASK/%s: Exited with status 1" % task["name"]
        if state == "CANCELING":
            task["cancel_at"] = now + task["cancel_delay"]
        if task["guid"] in self.tasks:
            raise ValueError("cloudfoundry task guid %r is already seeded" % task["guid"])
        self.tasks[task["guid"]] = task
        return task

    # ---------------------------------------------------------------- views
    def state(self):
        self._tick()
        now = self.sim.now()
        tokens = [{"principal": t["principal"], "grant": t["grant"], "issued_at": iso(t["issued"]),
                   "expired": now >= t["expires"], "revoked": t["revoked"], "uses": t["uses"]}
                  for t in self.tokens.values()]
        refresh_tokens = [{"principal": t["principal"], "client_id": t["client_id"], "issued_at": iso(t["issued"]),
                           "expired": now >= t["expires"], "revoked": t["revoked"]}
                          for t in self.refresh_tokens.values()]
        return {"settings": dict(self.settings),
                "users": [dict(u) for u in self.users.values()],
                "clients": [dict(c) for c in self.clients.values()],
                "orgs": [{"guid": o["guid"], "name": o["name"]} for o in self.orgs.values()],
                "spaces": [{"guid": s["guid"], "name": s["name"], "organization_guid": s["organization_guid"]}
                           for s in self.spaces.values()],
                "apps": [self._app_view(a) for a in self.apps.values()],
                "tasks": [dict(self._task_view(t, None), app_guid=t["app_guid"]) for t in self.tasks.values()],
                "tokens": tokens, "refresh_tokens": refresh_tokens, "events": list(self.events)}

    def _app_view(self, app):
        space = self.spaces[app["space_guid"]]
        return {"guid": app["guid"], "name": app["name"], "space_guid": space["guid"],
                "organization_guid": space["organization_guid"]}

    def _task_view(self, task, req):
        root = self._root_url(req)
        view = {
            "guid": task["guid"],
            "sequence_id": task["sequence_id"],
            "name": task["name"],
            "command": task["command"],
            "user": task["user"],
            "state": task["state"],
            "memory_in_mb": task["memory_in_mb"],
            "disk_in_mb": task["disk_in_mb"],
            "log_rate_limit_in_bytes_per_second": -1,
            "result": {"failure_reason": task["failure_reason"]},
            "droplet_guid": task["droplet_guid"],
            "relationships": {"app": {"data": {"guid": task["app_guid"]}}},
            "metadata": {"labels": dict(task["labels"]), "annotations": dict(task["annotations"])},
            "created_at": iso(task["created"]),
            "updated_at": iso(task["updated"]),
            "links": {
                "self": {"href": "%s/v3/tasks/%s" % (root, task["guid"])},
                "app": {"href": "%s/v3/apps/%s" % (root, task["app_guid"])},
                "cancel": {"href": "%s/v3/tasks/%s/actions/cancel" % (root, task["guid"]), "method": "POST"},
                "droplet": {"href": "%s/v3/droplets/%s" % (root, task["droplet_guid"])},
            },
        }
        if req is not None and req.cf_principal["role"] == "auditor":
            del view["command"]  # Cloud Controller hides the command from those who may not see secrets
        return view

    def _org_view(self, org, req):
        root = self._root_url(req)
        return {
            "guid": org["guid"], "created_at": iso(org["created"]), "updated_at": iso(org["created"]),
            "name": org["name"], "suspended": False,
            "relationships": {"quota": {"data": None}},
            "links": {"self": {"href": "%s/v3/organizations/%s" % (root, org["guid"])},
                      "domains": {"href": "%s/v3/organizations/%s/domains" % (root, org["guid"])},
                      "default_domain": {"href": "%s/v3/organizations/%s/domains/default" % (root, org["guid"])}},
            "metadata": {"labels": dict(org["labels"]), "annotations": {}},
        }

    def _space_view(self, space, req):
        root = self._root_url(req)
        return {
            "guid": space["guid"], "created_at": iso(space["created"]), "updated_at": iso(space["created"]),
            "name": space["name"],
            "relationships": {"organization": {"data": {"guid": space["organization_guid"]}},
                              "quota": {"data": None}},
            "links": {"self": {"href": "%s/v3/spaces/%s" % (root, space["guid"])},
                      "features": {"href": "%s/v3/spaces/%s/features" % (root, space["guid"])},
                      "organization": {"href": "%s/v3/organizations/%s" % (root, space["organization_guid"])},
                      "apply_manifest": {"href": "%s/v3/spaces/%s/actions/apply_manifest" % (root, space["guid"]),
                                         "method": "POST"}},
            "metadata": {"labels": dict(space["labels"]), "annotations": {}},
        }

    def _app_resource(self, app, req):
        root = self._root_url(req)
        link = "%s/v3/apps/%s" % (root, app["guid"])
        return {
            "guid": app["guid"], "name": app["name"], "state": "STARTED",
            "created_at": iso(app["created"]), "updated_at": iso(app["created"]),
            "lifecycle": {"type": "buildpack", "data": {"buildpacks": [], "stack": "cflinuxfs4"}},
            "relationships": {"space": {"data": {"guid": app["space_guid"]}},
                              "current_droplet": {"data": {"guid": app["droplet_guid"]}}},
            "links": {"self": {"href": link},
                      "space": {"href": "%s/v3/spaces/%s" % (root, app["space_guid"])},
                      "tasks": {"href": link + "/tasks"},
                      "current_droplet": {"href": link + "/droplets/current"}},
            "metadata": {"labels": dict(app["labels"]), "annotations": {}},
        }

    def _root_url(self, req):
        host = req.headers.get("Host") if req is not None else None
        # The links must keep the scheme the simulator serves (https in TLS mode).
        scheme = self.sim.url.split("://", 1)[0]
        return "%s://%s%s" % (scheme, host or "api.example.local", self.prefix)

    # ---------------------------------------------------------------- errors
    def error(self, status, req=None, code=None, title=None, detail=None, kind=None, retry_after=None,
              rate_limit=None, allow=None, headers=None, **_kw):
        if kind is None:
            kind = "oauth" if req is not None and req.path.endswith("/oauth/token") else "cc"
        out = {"X-Vcap-Request-Id": new_guid()}
        out.update(self.throttle_headers(status, retry_after, rate_limit, allow))
        out.update(headers or {})
        if kind == "oauth":
            body = {"error": code or ("server_error" if status >= 500 else "invalid_request"),
                    "error_description": detail or "The request failed."}
            return Response.json(status, body, out, content_type="application/json;charset=UTF-8")
        default_code, default_title, default_detail = ERRORS.get(status, (10001, "CF-ServerError", "An unknown error occurred."))
        body = {"errors": [{"detail": detail or default_detail, "title": title or default_title,
                            "code": default_code if code is None else code}]}
        if status == 429:
            # Cloud Controller's rate limiter sends its JSON body labelled as text/plain.
            return Response.json(status, body, out, content_type="text/plain; charset=utf-8")
        return Response.json(status, body, out)

    def rate_limit_headers(self, limit, remaining, reset):
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(int(reset))}

    # ---------------------------------------------------------------- request handling
    def handle(self, req):
        self._tick()
        limits = None
        try:
            if req.path == "/v3" or req.path.startswith("/v3/"):
                req.cf_principal = self._authenticate(req)
                limits = self._count(req)
            resp = self.dispatch(req)
        except CFError as e:
            resp = self.error(e.status, req=req, code=e.code, title=e.title, detail=e.detail, kind=e.kind,
                              headers=e.headers)
        for key, value in (limits or {}).items():
            resp.headers.setdefault(key, value)
        if resp.header("X-Vcap-Request-Id") is None:
            resp.headers["X-Vcap-Request-Id"] = new_guid()
        return resp

    def _authenticate(self, req):
        token = req.bearer()
        if token is None:
            raise CFError(401, *ERRORS[401])
        record = self.tokens.get(token)
        uses = self.settings["token_uses"]
        if (record is None or record["revoked"] or self.sim.now() >= record["expires"]
                or (uses is not None and record["uses"] >= int(uses))):
            raise CFError(401, *INVALID_TOKEN)
        record["uses"] += 1
        return record

    def _count(self, req):
        """Cloud Controller's rate limiter: the X-RateLimit-* headers of a counted request, or a 429."""
        principal = req.cf_principal
        limit = self.settings["rate_limit_admin" if principal["role"] == "admin" else "rate_limit_general"]
        if limit is None or req.path == "/v3":
            return None
        now = self.sim.now()
        counter = self.counters.get(principal["principal"])
        if counter is None or now >= counter["expires"]:
            counter = {"count": 0, "expires": now + 60.0 * float(self.settings["rate_limit_window_minutes"])}
            self.counters[principal["principal"]] = counter
        counter["count"] += 1
        expires_in = max(1, int(math.ceil(counter["expires"] - now)))
        reset = int(now) + expires_in
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Reset": str(reset),
                   "X-RateLimit-Remaining": str(max(0, int(limit) - counter["count"]))}
        if counter["count"] > int(limit):
            retry_after = reset if self.settings["rate_limit_retry_after"] == "epoch" else expires_in
            raise CFError(429, *RATE_LIMITED, headers=dict(headers, **{"Retry-After": str(retry_after)}))
        return headers

    def _spaces_of(self, req):
        """The space GUIDs the principal may see, or None for every space."""
        return req.cf_principal["spaces"]

    def _visible(self, req, app):
        spaces = self._spaces_of(req)
        return spaces is None or app["space_guid"] in spaces

    def _visible_space(self, req, space):
        spaces = self._spaces_of(req)
        return spaces is None or space["guid"] in spaces

    def _visible_org(self, req, org):
        spaces = self._spaces_of(req)
        return spaces is None or any(self.spaces[s]["organization_guid"] == org["guid"] for s in spaces if s in self.spaces)

    def _get_task(self, req, guid):
        task = self.tasks.get(guid)
        if task is None or not self._visible(req, self.apps[task["app_guid"]]):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "Task not found")
        return task

    # ---------------------------------------------------------------- root and UAA
    @route("GET", r"/")
    def root(self, req):
        root = self._root_url(req)
        host = root.split("://", 1)[1].split("/", 1)[0].split(":")[0]
        links = {
            "self": {"href": root},
            "bits_service": None,
            "cloud_controller_v2": {"href": root + "/v2", "meta": {"version": "2.250.0"}},
            "cloud_controller_v3": {"href": root + "/v3", "meta": {"version": "3.185.0"}},
            "network_policy_v0": {"href": root + "/networking/v0/external"},
            "network_policy_v1": {"href": root + "/networking/v1/external"},
            "login": {"href": root + "/login"},
            "uaa": {"href": root + "/uaa"},
            "credhub": None,
            "routing": {"href": root + "/routing"},
            "logging": {"href": "wss://doppler.%s:443" % host},
            "log_cache": {"href": root + "/log-cache"},
            "log_stream": {"href": root + "/log-stream"},
            "app_ssh": {"href": "ssh.%s:2222" % host, "meta": {"host_key_fingerprint": "sim", "oauth_client": "ssh-proxy"}},
        }
        if self.settings["login_href"] is not None:
            links["login"] = {"href": self.settings["login_href"]}
        if not self.settings["login_link"]:
            del links["login"]
        return Response.json(200, {"links": links})

    @route("POST", r"/(?P<server>login|uaa)/oauth/token")
    def token(self, req, server):
        if req.content_type != "application/x-www-form-urlencoded":
            raise oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = req.form()
        client_id, client_secret = self._client_auth(req, form)
        client = self.clients.get(client_id)
        if client is None or client["client_secret"] != client_secret:
            raise oauth_error(401, "unauthorized", "Bad credentials")
        grant = form.get("grant_type")
        if not grant:
            raise oauth_error(400, "invalid_request", "A grant type must be provided")
        if grant not in ("password", "client_credentials", "refresh_token"):
            raise oauth_error(400, "unsupported_grant_type", "Unsupported grant type: %s" % grant)
        if grant not in client["grants"]:
            raise oauth_error(401, "invalid_client", "Unauthorized grant type: %s" % grant)
        if grant == "password":
            user = self.users.get(form.get("username"))
            if user is None or user["password"] != form.get("password"):
                raise oauth_error(401, "unauthorized", "Bad credentials")
            principal = {"kind": "user", "name": user["username"], "role": user["role"], "spaces": user["spaces"]}
        elif grant == "refresh_token":
            user = self._refreshed_user(form.get("refresh_token"), client["client_id"])
            principal = {"kind": "user", "name": user["username"], "role": user["role"], "spaces": user["spaces"]}
        else:
            principal = {"kind": "client", "name": client["client_id"], "role": client["role"], "spaces": client["spaces"]}
        now = self.sim.now()
        token = "cfsim-%s" % uuid.UUID(int=_rng.getrandbits(128)).hex
        lifetime = float(self.settings["token_lifetime"])
        self.tokens[token] = {"principal": principal["name"], "grant": grant, "role": principal["role"],
                              "spaces": principal["spaces"], "issued": now, "expires": now + lifetime,
                              "revoked": False, "uses": 0}
        self._event("token_issued", grant=grant, principal=principal["name"], server=server)
        body = {"access_token": token, "token_type": "bearer", "expires_in": int(lifetime) - 1,
                "scope": "cloud_controller.read cloud_controller.write openid", "jti": uuid.UUID(int=_rng.getrandbits(128)).hex}
        if grant == "refresh_token":
            # DOCUMENTED (UaaTokenServices.refreshAccessToken): UAA answers with the refresh token it was
            # given, which stays valid until it expires.
            body["refresh_token"] = form["refresh_token"]
        elif grant == "password" and "refresh_token" in client["grants"]:
            # DOCUMENTED (UaaTokenServices.createAccessToken, RefreshTokenCreator): only to a client allowed
            # the refresh_token grant, and not with client_credentials. INVENTED: opaque, like the access token.
            refresh = "cfsim-%s-r" % uuid.UUID(int=_rng.getrandbits(128)).hex
            self.refresh_tokens[refresh] = {"principal": principal["name"], "client_id": client["client_id"],
                                            "issued": now, "revoked": False,
                                            "expires": now + float(self.settings["refresh_token_lifetime"])}
            body["refresh_token"] = refresh
        return Response.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"},
                             content_type="application/json;charset=UTF-8")

    def _refreshed_user(self, value, client_id):
        """The user a refresh token was issued to, checked as UAA checks it: DOCUMENTED (cloudfoundry/uaa
        UaaTokenServices.refreshAccessToken, TokenValidationService.validateToken)."""
        if value is None:
            raise oauth_error(401, "invalid_token", "Invalid refresh token (empty token)")
        record = self.refresh_tokens.get(value)
        if record is None or record["revoked"] or self.sim.now() >= record["expires"]:
            # An opaque token UAA cannot find (unknown, expired, revoked) is refused before the client check.
            raise oauth_error(401, "invalid_token", "The token expired, was revoked, or the token ID is incorrect.")
        if record["client_id"] != client_id:
            raise oauth_error(400, "invalid_grant", "Wrong client for this refresh token: %s" % record["client_id"])
        return self.users[record["principal"]]

    @staticmethod
    def _client_auth(req, form):
        scheme, dummy, value = (req.headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, dummy, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                raise oauth_error(401, "unauthorized", "Bad credentials") from None
            return client_id, secret
        return form.get("client_id"), form.get("client_secret", "")

    # ---------------------------------------------------------------- tasks
    @route("GET", r"/v3/tasks")
    def list_tasks(self, req):
        tasks = [t for t in self.tasks.values() if self._visible(req, self.apps[t["app_guid"]])]
        return self._list_tasks(req, tasks, TASK_LIST_PARAMS)

    def _list_tasks(self, req, tasks, allowed):
        """A page of tasks; a task seeded with ``succeed_after_lists`` ends after a page showed it that often."""
        shown = []

        def view(task, req):
            shown.append(task)
            return self._task_view(task, req)

        response = self._list(req, tasks, allowed, view, self._task_filters(), ORDER_BY)
        for task in shown:
            task["lists"] += 1
            if task["succeed_after_lists"] is not None and task["lists"] >= task["succeed_after_lists"] \
                    and task["state"] in ("PENDING", "RUNNING"):
                task.update(state="SUCCEEDED", updated=self.sim.now())
                self._event("task_succeeded", guid=task["guid"])
        return response

    @route("GET", r"/v3/apps/(?P<app_guid>[^/]+)/tasks")
    def list_app_tasks(self, req, app_guid):
        app = self.apps.get(app_guid)
        if app is None or not self._visible(req, app):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "App not found")
        tasks = [t for t in self.tasks.values() if t["app_guid"] == app_guid]
        return self._list_tasks(req, tasks, APP_TASK_LIST_PARAMS)

    @route("GET", r"/v3/tasks/(?P<guid>[^/]+)")
    def get_task(self, req, guid):
        task = self._get_task(req, guid)
        view = self._task_view(task, req)
        task["reads"] += 1
        if task["succeed_after_reads"] is not None and task["reads"] >= task["succeed_after_reads"] \
                and task["state"] in ("PENDING", "RUNNING"):
            task.update(state="SUCCEEDED", updated=self.sim.now())
            self._event("task_succeeded", guid=guid)
        return Response.json(200, view)

    @route("POST", r"/v3/tasks/(?P<guid>[^/]+)/actions/cancel")
    def cancel_task(self, req, guid):
        task = self._get_task(req, guid)
        if req.cf_principal["role"] == "auditor":
            raise CFError(403, *ERRORS[403])
        if task["state"] in ("SUCCEEDED", "FAILED"):
            raise CFError(422, ERRORS[422][0], ERRORS[422][1],
                          "Task state is %s and therefore cannot be canceled" % task["state"])
        self._event("cancel_received", guid=guid, principal=req.cf_principal["principal"], state=task["state"])
        if task["state"] != "CANCELING":
            now = self.sim.now()
            task.update(state="CANCELING", updated=now, cancel_at=now + task["cancel_delay"])
            self._event("task_cancel_requested", guid=guid, principal=req.cf_principal["principal"])
            # The ground truth of a test's ``changed``: this request changed the task. A repeated cancel
            # of a CANCELING task is accepted the same way but changes nothing.
            req.acted = True
        return Response.json(202, self._task_view(task, req))

    def _task_filters(self):
        apps, spaces = self.apps, self.spaces
        return {
            "names": lambda t: t["name"],
            "guids": lambda t: t["guid"],
            "app_guids": lambda t: t["app_guid"],
            "space_guids": lambda t: apps[t["app_guid"]]["space_guid"],
            "organization_guids": lambda t: spaces[apps[t["app_guid"]]["space_guid"]]["organization_guid"],
            "states": lambda t: t["state"],
            "sequence_ids": lambda t: str(t["sequence_id"]),
        }

    # ---------------------------------------------------------------- organizations, spaces, apps
    @route("GET", r"/v3/organizations")
    def list_orgs(self, req):
        orgs = [o for o in self.orgs.values() if self._visible_org(req, o)]
        return self._list(req, orgs, ORG_LIST_PARAMS, self._org_view,
                          {"names": lambda o: o["name"], "guids": lambda o: o["guid"]}, NAMED_ORDER_BY)

    @route("GET", r"/v3/organizations/(?P<guid>[^/]+)")
    def get_org(self, req, guid):
        org = self.orgs.get(guid)
        if org is None or not self._visible_org(req, org):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "Organization not found")
        return Response.json(200, self._org_view(org, req))

    @route("GET", r"/v3/spaces")
    def list_spaces(self, req):
        spaces = [s for s in self.spaces.values() if self._visible_space(req, s)]
        include = self._include(req, SPACE_INCLUDES)

        def included(page):
            if not include:
                return None
            orgs = self._unique(self.orgs[s["organization_guid"]] for s in page)
            return {"organizations": [self._org_view(o, req) for o in orgs]}

        return self._list(req, spaces, SPACE_LIST_PARAMS, self._space_view,
                          {"names": lambda s: s["name"], "guids": lambda s: s["guid"],
                           "organization_guids": lambda s: s["organization_guid"]}, NAMED_ORDER_BY, included)

    @route("GET", r"/v3/spaces/(?P<guid>[^/]+)")
    def get_space(self, req, guid):
        space = self.spaces.get(guid)
        if space is None or not self._visible_space(req, space):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "Space not found")
        return Response.json(200, self._space_view(space, req))

    @route("GET", r"/v3/apps")
    def list_apps(self, req):
        apps = [a for a in self.apps.values() if self._visible(req, a)]
        include = self._include(req, APP_INCLUDES)

        def included(page):
            out = {}
            spaces = self._unique(self.spaces[a["space_guid"]] for a in page)
            if "space" in include or "space.organization" in include:
                out["spaces"] = [self._space_view(s, req) for s in spaces]
            if "space.organization" in include:
                out["organizations"] = [self._org_view(o, req) for o in
                                        self._unique(self.orgs[s["organization_guid"]] for s in spaces)]
            return out or None

        return self._list(req, apps, APP_LIST_PARAMS, self._app_resource,
                          {"names": lambda a: a["name"], "guids": lambda a: a["guid"],
                           "space_guids": lambda a: a["space_guid"],
                           "organization_guids": lambda a: self.spaces[a["space_guid"]]["organization_guid"]},
                          NAMED_ORDER_BY, included)

    @route("GET", r"/v3/apps/(?P<guid>[^/]+)")
    def get_app(self, req, guid):
        app = self.apps.get(guid)
        if app is None or not self._visible(req, app):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "App not found")
        return Response.json(200, self._app_resource(app, req))

    @staticmethod
    def _unique(items):
        seen, out = set(), []
        for item in items:
            if item["guid"] not in seen:
                seen.add(item["guid"])
                out.append(item)
        return out

    @staticmethod
    def _include(req, valid):
        raw = req.arg("include")
        if raw is None:
            return ()
        wanted = raw.split(",")
        bad = [w for w in wanted if w not in valid]
        if bad:
            raise bad_query("Invalid included resource: '%s'. Valid included resources are: %s"
                            % ("', '".join(bad), ", ".join("'%s'" % v for v in valid)))
        return tuple(wanted)

    # ---------------------------------------------------------------- lists
    def _list(self, req, items, allowed, view, filters, order_keys, included=None):
        """One page of ``items`` as Cloud Controller lists them: filters, order, pagination, include."""
        unknown = [name for name in req.query if name not in allowed and _base_key(name) not in allowed]
        if unknown:
            raise bad_query("Unknown query parameter(s): %s. Valid parameters are: %s"
                            % (", ".join("'%s'" % n for n in unknown), ", ".join("'%s'" % n for n in allowed)))

        def values(name):
            raw = req.arg(name)
            return None if raw is None else raw.split(",")

        states = values("states")
        if states is not None and any(s not in STATES for s in states):
            raise bad_query("States has invalid values")
        sequence_ids = values("sequence_ids")
        if sequence_ids is not None:
            try:
                sequence_ids = [str(int(s)) for s in sequence_ids]
            except ValueError:
                raise bad_query("Sequence ids must be integers") from None
        ignored = self.settings["ignore_filters"]

        def ignores(param):
            return ignored is True or isinstance(ignored, (list, tuple)) and param in ignored

        for param, key in filters.items():
            wanted = sequence_ids if param == "sequence_ids" else values(param)
            if wanted is None or ignores(param):
                continue
            if param == "names" and self.settings["names_case_insensitive"]:
                folded = {w.lower() for w in wanted}
                items = [i for i in items if key(i).lower() in folded]
            else:
                items = [i for i in items if key(i) in wanted]
        selector = req.arg("label_selector")
        if selector is not None and not ignores("label_selector"):
            try:
                match = parse_label_selector(selector)
            except ValueError as e:
                raise bad_query(str(e)) from None
            items = [i for i in items if match(i["labels"])]
        for column in ("created_at", "updated_at"):
            if not ignores(column + "s"):
                items = _timestamp_filter(req, column + "s", items, column)
        order_by = req.arg("order_by", "created_at")
        if order_by.lstrip("+-") not in order_keys:
            raise bad_query("Order by can only be: %s" % ", ".join("'%s'" % o for o in order_keys))
        column = order_by.lstrip("+-")
        if column == "name":
            # The name columns are case-insensitive, so is their order.
            def sort_key(i):
                return (i["name"].lower(), i["created"])
        else:
            def sort_key(i):
                return (_moment(i, column), i.get("sequence_id", 0))
        items = sorted(items, key=sort_key, reverse=order_by.startswith("-"))

        try:
            page = int(req.arg("page", "1"))
        except ValueError:
            page = 0
        if page < 1:
            raise bad_query("Page must be greater than 0")
        maximum = int(self.settings["max_per_page"])
        try:
            per_page = int(req.arg("per_page", str(self.settings["default_per_page"])))
        except ValueError:
            per_page = 0
        if not 1 <= per_page <= maximum:
            raise bad_query("Per page must be between 1 and %d" % maximum)

        total = len(items)
        pages = max(1, -(-total // per_page))
        start = (page - 1) * per_page
        shown = items[start:start + per_page]

        def link(number):
            query = [(k, v) for k, vs in req.query.items() for v in vs if k not in ("page", "per_page")]
            query += [("page", str(number)), ("per_page", str(per_page))]
            return {"href": "%s%s?%s" % (self._root_url(req), req.path, urlencode(query))}

        pagination = {
            "total_results": total,
            "total_pages": pages,
            "first": link(1),
            "last": link(pages),
            "next": link(page + 1) if page < pages else None,
            "previous": link(page - 1) if page > 1 else None,
        }
        body = {"pagination": pagination, "resources": [view(i, req) for i in shown]}
        extra = included(shown) if included is not None else None
        if extra is not None:
            body["included"] = extra
        return Response.json(200, body)


def _base_key(name):
    """``created_ats[lt]`` -> ``created_ats``: the filter an operator belongs to."""
    return name.split("[", 1)[0]


_OPERATORS = {"lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b,
              "gte": lambda a, b: a >= b}


def _timestamp_filter(req, param, items, column):
    """Cloud Controller's created_ats/updated_ats: a list of exact seconds, or [lt|lte|gt|gte]=time."""
    for name, raw in req.query.items():
        if _base_key(name) != param:
            continue
        operator = name[len(param):].strip("[]") or None
        if operator is not None and operator not in _OPERATORS:
            raise bad_query("Invalid %s operator: %s" % (param, operator))
        try:
            moments = [parse_time(v) for v in raw[0].split(",")]
        except ValueError:
            raise bad_query("%s has an invalid timestamp format. Timestamps should be formatted as "
                            "'YYYY-MM-DDThh:mm:ssZ'" % param) from None
        if operator is None:
            wanted = {int(m) for m in moments}
            items = [i for i in items if int(_moment(i, column)) in wanted]
        else:
            items = [i for i in items if _OPERATORS[operator](int(_moment(i, column)), int(moments[0]))]
    return items


def _moment(item, column):
    """An object's created_at or updated_at (epoch seconds); orgs, spaces and apps are never updated here."""
    return item["updated"] if column.startswith("updated") and "updated" in item else item["created"]


def demo_cloudfoundry(now):
    """A foundation with two spaces: stuck and finished tasks to cancel, list and leave alone."""
    rng = random.Random("cloudfoundry-demo")
    org = new_guid(rng)
    prod, staging = new_guid(rng), new_guid(rng)
    billing = [
        ("db-migrate", "bin/rake db:migrate", "RUNNING", 190, {"team": "billing", "kind": "migration"}),
        ("nightly-invoices", "bin/invoices --all", "SUCCEEDED", 1200, {"team": "billing", "kind": "batch"}),
        ("nightly-invoices", "bin/invoices --all", "RUNNING", 75, {"team": "billing", "kind": "batch"}),
        ("reindex", "bin/reindex", "PENDING", 12, {"team": "billing", "kind": "maintenance"}),
    ]
    search = [
        ("reindex", "bin/reindex --full", "RUNNING", 40, {"team": "search", "kind": "maintenance"}),
        ("warm-cache", "bin/warm", "FAILED", 300, {"team": "search"}),
        ("warm-cache", "bin/warm", "CANCELING", 5, {"team": "search"}),
    ]

    def tasks(specs):
        return [{"guid": new_guid(rng), "name": name, "command": command, "state": state,
                 "created_at": now - minutes * 60, "labels": labels}
                for name, command, state, minutes, labels in specs]

    apps = [
        {"guid": new_guid(rng), "name": "billing-api", "space_guid": prod, "organization_guid": org,
         "organization_name": "acme", "space_name": "production", "tasks": tasks(billing)},
        {"guid": new_guid(rng), "name": "search-worker", "space_guid": staging, "organization_guid": org,
         "space_name": "staging", "tasks": tasks(search)},
    ]
    return {"apps": apps}
