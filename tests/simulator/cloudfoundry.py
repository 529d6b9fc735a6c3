"""Cloud Foundry: the Cloud Controller v3 task endpoints and the UAA token endpoint, as documented
in shared/api/README.md and the cloudfoundry-v3-cancel-task.txt seed.

Served under ``/cf`` (a module's ``api_url`` is ``http://127.0.0.1:PORT/cf``):

- ``GET /cf/`` the root document (no auth); ``links.login`` -> ``/cf/login``, ``links.uaa`` -> ``/cf/uaa``,
  ``links.cloud_controller_v3`` -> ``/cf/v3``, all absolute, built from the request's Host header;
- ``POST /cf/login/oauth/token`` and ``POST /cf/uaa/oauth/token``: the password grant (HTTP Basic client
  ``cf`` with an empty secret) and the client credentials grant (client in Basic or in the form);
- ``GET /cf/v3/tasks``, ``GET /cf/v3/apps/{guid}/tasks``, ``GET /cf/v3/tasks/{guid}``,
  ``POST /cf/v3/tasks/{guid}/actions/cancel``.

Seed body (every key optional)::

    {"users": [{"username", "password", "role": "admin"|"developer"|"auditor", "spaces": [guid...]|null}],
     "clients": [{"client_id", "client_secret", "role", "spaces"}],
     "apps": [{"guid"?, "name", "space_guid"?, "organization_guid"?, "tasks": [TASK...]}],
     "tasks": [dict(TASK, app_guid=...)],
     "settings": {...DEFAULT_SETTINGS...},
     "revoke_tokens": true}

    TASK = {"guid"?, "name"?, "command"?, "state": "RUNNING" (default) | PENDING | CANCELING | SUCCEEDED | FAILED,
            "created_at"? (ISO or epoch) | "age_seconds"?, "duration"? (seconds from creation to SUCCEEDED;
            null runs for ever), "start_after"? (a PENDING task starts running this long after creation),
            "cancel_delay"?, "labels"?, "annotations"?, "memory_in_mb"?, "disk_in_mb"?, "failure_reason"?,
            "succeed_after_reads"? (SUCCEEDED right after this many GET /v3/tasks/{guid}: the race where a task
            finishes between a client's read and its cancel)}

After a reset there is a user ``admin``/``admin-secret`` (what tests/utils/with-simulator.sh exports),
a read-only user ``auditor``/``auditor-secret``, the cf CLI's client ``cf`` (empty secret, password grant
only) and a client ``jobctl-client``/``jobctl-client-secret`` for the client credentials grant.

Tokens expire after ``settings.token_lifetime`` simulated seconds; ``settings.token_uses`` makes each
token good for that many API requests (so a token can run out in the middle of one module run, which
exercises the 401 ``CF-InvalidAuthToken`` refresh); ``{"revoke_tokens": true}`` revokes every token
issued so far. A cancelled task stays CANCELING for ``cancel_delay`` seconds, then becomes FAILED.

Invented where the documents say nothing (easy to change, all in this file):
- tokens are opaque strings, not JWTs; the token answer carries a ``refresh_token`` for the password grant only;
- an ``auditor`` sees the tasks of its spaces but not their ``command``, and is refused a cancel (403);
- the order of a list is creation order unless ``order_by`` says otherwise; ``total_pages`` is 1 for no results;
- PENDING tasks stay PENDING unless seeded with ``start_after``.
"""

import base64
import datetime
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
    # The cf CLI's own client: public (empty secret), password grant only.
    {"client_id": "cf", "client_secret": "", "grants": ["password", "refresh_token"]},
    {"client_id": "jobctl-client", "client_secret": "jobctl-client-secret", "role": "admin",
     "grants": ["client_credentials"]},
)
DEFAULT_SETTINGS = {
    "token_lifetime": 1199.0,   # seconds a token stays valid (sim clock); UAA's cf client default is ~20 minutes
    "token_uses": None,         # API requests each token is good for; null = unlimited
    "cancel_delay": 30.0,       # seconds a cancelled task stays CANCELING before it is FAILED
    "login_link": True,         # false: the root document has no links.login (clients must use links.uaa)
    "max_per_page": 5000,
    "default_per_page": 50,
    "rate_limit_limit": 2000,   # X-RateLimit-Limit of a 429 that no configured bucket produced
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

TASK_LIST_PARAMS = ("names", "states", "guids", "app_guids", "space_guids", "organization_guids",
                    "label_selector", "page", "per_page", "order_by")
APP_TASK_LIST_PARAMS = ("names", "states", "guids", "sequence_ids", "label_selector", "page", "per_page", "order_by")
ORDER_BY = ("created_at", "-created_at", "updated_at", "-updated_at")

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
        self.orgs = {DEFAULT_ORG["guid"]: dict(DEFAULT_ORG)}
        self.spaces = {DEFAULT_SPACE["guid"]: dict(DEFAULT_SPACE, organization_guid=DEFAULT_ORG["guid"])}
        self.apps = {}            # guid -> record (insertion order is creation order)
        self.tasks = {}           # guid -> record
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
        unknown = set(data) - {"users", "clients", "apps", "tasks", "settings", "revoke_tokens"}
        if unknown:
            raise ValueError("unknown cloudfoundry seed key(s): %s" % ", ".join(sorted(unknown)))
        for key, value in (data.get("settings") or {}).items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown cloudfoundry setting %r" % key)
            self.settings[key] = value
        created = {"users": [self._add_user(u) for u in data.get("users") or []],
                   "clients": [self._add_client(c) for c in data.get("clients") or []],
                   "apps": [], "tasks": []}
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
            for record in self.tokens.values():
                record["revoked"] = True
            created["revoked_tokens"] = len(self.tokens)
        if "settings" in data:
            created["settings"] = dict(self.settings)
        return created

    def _seed_app(self, spec):
        app = self.apps.get(spec.get("guid"))
        if app is None:
            space_guid = spec.get("space_guid") or DEFAULT_SPACE["guid"]
            if space_guid not in self.spaces:
                org_guid = spec.get("organization_guid") or DEFAULT_ORG["guid"]
                self.orgs.setdefault(org_guid, {"guid": org_guid, "name": "org-%d" % (len(self.orgs) + 1)})
                self.spaces[space_guid] = {"guid": space_guid, "name": spec.get("space_name") or "space-%d" % (len(self.spaces) + 1),
                                           "organization_guid": org_guid}
            app = {"guid": spec.get("guid") or new_guid(), "name": spec.get("name") or "app-%d" % (len(self.apps) + 1),
                   "space_guid": space_guid, "next_sequence": 1,
                   "droplet_guid": new_guid(), "created": self.sim.now()}
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
        return {"settings": dict(self.settings),
                "users": [dict(u) for u in self.users.values()],
                "clients": [dict(c) for c in self.clients.values()],
                "orgs": [dict(o) for o in self.orgs.values()],
                "spaces": [dict(s) for s in self.spaces.values()],
                "apps": [self._app_view(a) for a in self.apps.values()],
                "tasks": [dict(self._task_view(t, None), app_guid=t["app_guid"]) for t in self.tasks.values()],
                "tokens": tokens, "events": list(self.events)}

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
        try:
            if req.path == "/v3" or req.path.startswith("/v3/"):
                req.cf_principal = self._authenticate(req)
            resp = self.dispatch(req)
        except CFError as e:
            resp = self.error(e.status, req=req, code=e.code, title=e.title, detail=e.detail, kind=e.kind,
                              headers=e.headers)
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

    def _visible(self, req, app):
        spaces = req.cf_principal["spaces"]
        return spaces is None or app["space_guid"] in spaces

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
        if grant not in ("password", "client_credentials"):
            raise oauth_error(400, "unsupported_grant_type", "Unsupported grant type: %s" % grant)
        if grant not in client["grants"]:
            raise oauth_error(401, "invalid_client", "Unauthorized grant type: %s" % grant)
        if grant == "password":
            user = self.users.get(form.get("username"))
            if user is None or user["password"] != form.get("password"):
                raise oauth_error(401, "unauthorized", "Bad credentials")
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
        if grant == "password":
            body["refresh_token"] = token + "-r"
        return Response.json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"},
                             content_type="application/json;charset=UTF-8")

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
        return self._page(req, tasks, TASK_LIST_PARAMS)

    @route("GET", r"/v3/apps/(?P<app_guid>[^/]+)/tasks")
    def list_app_tasks(self, req, app_guid):
        app = self.apps.get(app_guid)
        if app is None or not self._visible(req, app):
            raise CFError(404, NOT_FOUND[0], NOT_FOUND[1], "App not found")
        tasks = [t for t in self.tasks.values() if t["app_guid"] == app_guid]
        return self._page(req, tasks, APP_TASK_LIST_PARAMS)

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
        if task["state"] != "CANCELING":
            now = self.sim.now()
            task.update(state="CANCELING", updated=now, cancel_at=now + task["cancel_delay"])
            self._event("task_cancel_requested", guid=guid, principal=req.cf_principal["principal"])
        return Response.json(202, self._task_view(task, req))

    def _page(self, req, tasks, allowed):
        unknown = [name for name in req.query if name not in allowed]
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
                sequence_ids = [int(s) for s in sequence_ids]
            except ValueError:
                raise bad_query("Sequence ids must be integers") from None
        filters = [("names", "name"), ("guids", "guid"), ("app_guids", "app_guid")]
        for param, key in filters:
            wanted = values(param)
            if wanted is not None:
                tasks = [t for t in tasks if t[key] in wanted]
        if states is not None:
            tasks = [t for t in tasks if t["state"] in states]
        if sequence_ids is not None:
            tasks = [t for t in tasks if t["sequence_id"] in sequence_ids]
        spaces = values("space_guids")
        if spaces is not None:
            tasks = [t for t in tasks if self.apps[t["app_guid"]]["space_guid"] in spaces]
        orgs = values("organization_guids")
        if orgs is not None:
            tasks = [t for t in tasks if self.spaces[self.apps[t["app_guid"]]["space_guid"]]["organization_guid"] in orgs]
        selector = req.arg("label_selector")
        if selector is not None:
            try:
                match = parse_label_selector(selector)
            except ValueError as e:
                raise bad_query(str(e)) from None
            tasks = [t for t in tasks if match(t["labels"])]
        order_by = req.arg("order_by", "created_at")
        if order_by not in ORDER_BY:
            raise bad_query("Order by can only be: %s" % ", ".join("'%s'" % o for o in ORDER_BY))
        key = "updated" if order_by.lstrip("-") == "updated_at" else "created"
        tasks = sorted(tasks, key=lambda t: (t[key], t["sequence_id"]), reverse=order_by.startswith("-"))

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

        total = len(tasks)
        pages = max(1, -(-total // per_page))
        start = (page - 1) * per_page

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
        return Response.json(200, {"pagination": pagination,
                                   "resources": [self._task_view(t, req) for t in tasks[start:start + per_page]]})


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
         "space_name": "production", "tasks": tasks(billing)},
        {"guid": new_guid(rng), "name": "search-worker", "space_guid": staging, "organization_guid": org,
         "space_name": "staging", "tasks": tasks(search)},
    ]
    return {"apps": apps}
