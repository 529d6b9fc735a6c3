"""Hitachi VSP One Object management API 3.x with its Keycloak.

Served under ``/vsp``: the management API at ``/vsp/mapi/v1/...`` (a module's ``api_url`` is
``http://127.0.0.1:PORT/vsp/mapi``), Keycloak under ``/vsp/ui/auth``, where the real one is
(``https://admin.gms.<cluster>/ui/auth``): the token endpoint
``/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token`` and the admin look-up of a client,
``GET /vsp/ui/auth/admin/realms/vsp-object/clients?clientId=<id>``. A real client's two hosts
(``admin.gms.<cluster>`` and ``admin.<region>.<cluster>``) are both this one server.

Every behaviour is tagged with where it comes from, all of it written down in ``docs/api/vsp.md``:

* DOCUMENTED (Seed): its section "Seed", the management API reference.
* DOCUMENTED (Confirmed): its section "Confirmed": the vendor's own collection
  (hitachi-vantara/vspone-object-ansible: ``gateway_oo.py``, ``job.py``, ``jobs.py``,
  ``hv_jobs_facts.py``), Vert.x-Web's CSRF handler, whose cookie and header names VSP uses, and
  the public client ``vsp1omapilib`` (PyPI ``ifc1bzncvyvo`` 0.6.6: ``client/helpers/authentication.py``,
  ``client/client.py``), which tests/integration/test_vsp_client_library.py runs against this file.
* INVENTED: what no document says (its section "Invented"); easy to change, all in this file.

The defaults are what real clients meet; each other behaviour is a setting (seed body
``{"vsp": {"settings": {...}}}``) that stays tested, to show that the modules work against it too:

=====================  ========  ============================================================
setting                default   behaviour
=====================  ========  ============================================================
csrf_failure_status    403       DOCUMENTED (Confirmed, Vert.x-Web stock): a request that
                                 fails the CSRF check is refused with 403 (401: the Seed's
                                 reading, "missing/expired tokens give 401").
csrf_rotation          false     DOCUMENTED (Confirmed): vsp1omapilib and the vendor's
                                 collection send one X-XSRF-TOKEN for every POST of a
                                 session, so the live API accepts it for several POSTs.
                                 true: Vert.x-Web's option to set a new XSRF-TOKEN cookie
                                 after each POST that passes the CSRF check, and only that
                                 one is valid from then on (such clients then get 403).
csrf_requires_bearer   false     DOCUMENTED (Confirmed: /csrf is fetched without a Bearer
                                 token). true: /csrf answers 401 without a valid one.
omit_empty_jobs        true      DOCUMENTED (Confirmed: the vendor reads ``jobs`` with a
                                 default of []): an empty page of /v1/jobs/list is ``{}``.
epoch_times            true      DOCUMENTED (Confirmed: the vendor's samples show
                                 ``startTime``/``completeTime`` as epoch seconds, floats);
                                 false: date-time strings, as the Seed's reference shows.
cancel_finished        "400"     INVENTED: the answer to a cancel of a job that is no longer
                                 running (or whose cancel is already under way): "400" Invalid
                                 request, "409" a conflict, or "200" the job unchanged.
csrf_lifetime          1800      DOCUMENTED (Confirmed: Vert.x-Web expires a CSRF token after
                                 30 minutes); renewed with each rotation.
token_lifetime         300       INVENTED (Keycloak's default access token lifespan).
cancel_delay           0         INVENTED: a cancelled job keeps its running state this long
                                 (also per job); 0: CANCELLED at once.
default_page_size      20        INVENTED: the page size of /v1/jobs/list when none is asked.
max_page_size          1000      DOCUMENTED (Confirmed: clients ask ``pageSize: 1000`` and read
                                 one page, so a page of 1000 is honoured); a smaller cap, for
                                 tests of several pages, is INVENTED (the API's largest page is
                                 not documented).
=====================  ========  ============================================================

Also DOCUMENTED (Seed, Confirmed): the Keycloak password grant in realm ``vsp-object``;
``GET /v1/csrf`` setting the ``XSRF-TOKEN`` and ``vertx-web.session`` cookies; job calls needing
``Authorization: Bearer``, the ``X-XSRF-TOKEN`` header equal to the cookie and both cookies (a
missing or expired Bearer token is 401); the job calls as POSTs with JSON bodies; the job status
object and its states and types (``jobId.id`` a 32-bit integer, negative in real samples);
``{"status": job}`` answers; errors as ``{code, message, details}``: 400 invalid request, 401
invalid credentials, 404 job not found; ``pageToken`` paging of the list; ``/v1/jobs/create``
answering 201. From vsp1omapilib (Confirmed): the clients ``admin-cli`` (public: it sends no secret)
and ``vsp-object-client`` and ``s3catalog`` (confidential: it looks their secrets up), and the admin
look-up ``GET .../admin/realms/<realm>/clients?clientId=<id>`` answering a list of client
representations (it reads ``[0]["secret"]``) to a Bearer token of ``admin-cli``. Both cookies with
``Path=/``, the default of Vert.x-Web's session and CSRF handlers (Confirmed).

Also INVENTED: another realm answering Keycloak's 404 "Realm does not exist"; the ``code`` strings
of errors (``INVALID_REQUEST``, ``UNAUTHORIZED``, ``NOT_FOUND``, ``FORBIDDEN``, ``CONFLICT``, ...);
the body of a CSRF refusal (the API's own error format); that the Bearer token is checked before the
CSRF pair; that the API takes a token of any of the realm's clients (it checks the user, not the
client: vsp1omapilib uses ``vsp-object-client``'s, the modules ``vsp-object-external-client``'s);
the client look-up's refusals (401 without a valid token, 403 with a token of another client than
``admin-cli``, in Keycloak's OAuth error format), its ``id`` (a UUID derived from the client ID) and
that it shows nothing beyond ``id``, ``clientId``, ``publicClient`` and ``secret``; the clients'
default secrets; list pages in creation order, the page token opaque and omitted on the last
page, an unknown bucket listing nothing; ``/v1/jobs/create`` answering ``{"status": job}`` with the
job EXAMINING; a job seeded with ``"refuse_cancel": true`` whose cancel is refused with 400 while it
keeps running (a refusal that is not explained by its state); the client
``vsp-object-external-client`` being public (no secret) unless seeded with one, and the user
``vsp-admin``/``vsp-secret`` existing after every reset. Lifetimes run on the simulated clock.
"""

import base64
import datetime
import json
import re
import secrets
import uuid
from urllib.parse import unquote

from .core import API, InvalidJSON, OAuthError, Response, parse_time, register, retry_after_header, route

REALM = "vsp-object"
KEYCLOAK = "/ui/auth"
TOKEN_PATH = KEYCLOAK + "/realms/%s/protocol/openid-connect/token" % REALM
CLIENTS_PATH = KEYCLOAK + "/admin/realms/%s/clients" % REALM
# A path of Keycloak's that names a realm: /realms/<realm>/... or /admin/realms/<realm>/...
REALM_PATH = re.compile(re.escape(KEYCLOAK) + r"(?:/admin)?/realms/(?P<realm>[^/]+)(?:/.*)?")
ADMIN_CLIENT = "admin-cli"
JOB_STATES = ("EXAMINING", "PROCESSING", "EXECUTING", "COMPLETE", "FAILED", "CANCELLED")
RUNNING = ("EXAMINING", "PROCESSING", "EXECUTING")
JOB_TYPES = ("BATCH_REPLICATE", "LIFECYCLE_UPDATE", "METRIC_RECONCILIATION", "TRIGGER_RECONCILIATION")
INT32 = (-(2 ** 31), 2 ** 31 - 1)
XSRF_COOKIE = "XSRF-TOKEN"
SESSION_COOKIE = "vertx-web.session"
XSRF_HEADER = "X-XSRF-TOKEN"
# Vert.x-Web's CSRF handler checks the methods that change something; reads pass and may get a token.
CSRF_CHECKED_METHODS = ("POST", "PUT", "DELETE", "PATCH")
CANCEL_FINISHED_VARIANTS = ("400", "409", "200")

DEFAULT_USERS = ({"username": "vsp-admin", "password": "vsp-secret"},)
# DOCUMENTED (Confirmed): the clients vsp1omapilib uses, admin-cli public (it sends no secret), the
# other two confidential (it looks their secrets up); the modules' default client. INVENTED: the secrets.
DEFAULT_CLIENTS = (
    {"client_id": "vsp-object-external-client", "secret": None},
    {"client_id": ADMIN_CLIENT, "secret": None},
    {"client_id": "vsp-object-client", "secret": "vsp-object-client-secret"},
    {"client_id": "s3catalog", "secret": "s3catalog-secret"},
)
DEFAULT_SETTINGS = {
    "csrf_failure_status": 403,
    "csrf_rotation": False,
    "csrf_requires_bearer": False,
    "omit_empty_jobs": True,
    "epoch_times": True,
    "cancel_finished": "400",
    "csrf_lifetime": 1800.0,
    "token_lifetime": 300.0,
    "cancel_delay": 0.0,
    "default_page_size": 20,
    "max_page_size": 1000,
}

# status -> (code, message, details)
ERRORS = {
    400: ("INVALID_REQUEST", "Invalid request", "The request is not valid."),
    401: ("UNAUTHORIZED", "Access was denied due to invalid credentials.", "Authentication is required."),
    403: ("FORBIDDEN", "Forbidden", "The caller may not do this."),
    404: ("NOT_FOUND", "Not found", "The requested resource could not be found."),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed", "The method is not allowed for this resource."),
    409: ("CONFLICT", "Conflict", "The request conflicts with the state of the resource."),
    429: ("TOO_MANY_REQUESTS", "Too many requests", "Retry later."),
    500: ("INTERNAL_ERROR", "Internal server error", "An unexpected error occurred."),
    502: ("BAD_GATEWAY", "Bad gateway", "The upstream service returned an invalid response."),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable", "The service is temporarily unavailable."),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout", "The upstream service did not answer in time."),
}


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class VspError(Exception):
    def __init__(self, status, details=None, message=None, code=None):
        super().__init__(details)
        self.status = status
        self.details = details
        self.message = message
        self.code = code


def _int32(value, where):
    if isinstance(value, bool) or not isinstance(value, int) or not INT32[0] <= value <= INT32[1]:
        raise VspError(400, "%s must be a 32-bit integer." % where)
    return value


def _check_setting(key, value):
    if key == "cancel_finished":
        value = str(value)
        if value not in CANCEL_FINISHED_VARIANTS:
            raise ValueError("vsp setting cancel_finished must be one of %s" % ", ".join(CANCEL_FINISHED_VARIANTS))
    elif key == "csrf_failure_status" and value not in (401, 403):
        raise ValueError("vsp setting csrf_failure_status must be 401 or 403")
    elif key in ("csrf_rotation", "csrf_requires_bearer", "omit_empty_jobs", "epoch_times") and \
            not isinstance(value, bool):
        raise ValueError("vsp setting %s must be true or false" % key)
    return value


@register
class VspAPI(API):
    name = "vsp"
    prefix = "/vsp"
    base = "/mapi"

    # ---------------------------------------------------------------- state
    def reset(self):
        self.users = {u["username"]: dict(u) for u in DEFAULT_USERS}
        self.clients = {c["client_id"]: dict(c) for c in DEFAULT_CLIENTS}
        self.settings = dict(DEFAULT_SETTINGS)
        self.tokens = {}     # access token -> {"username", "client_id", "expires"}
        self.sessions = {}   # vertx-web.session -> {"xsrf", "expires"}: the one XSRF token valid now
        self.xsrf_issued = []  # every XSRF token ever handed out, rotated ones included (for leak tests)
        self.jobs = {}       # job id -> record, in creation order
        # The running jobs with a moment to end at (cancelAt/completeAt): all _tick looks at, so that a
        # request costs the same with 5000 jobs as with 5 (a bulk run's cost stays linear).
        self.timed = {}
        self.next_id = 1     # one more than the largest job ID (as max(ids) + 1, without reading them all)
        self.events = []
        self.counts = {"tokens_issued": 0, "csrf_issued": 0, "csrf_rotated": 0, "csrf_refused": 0}

    def _event(self, kind, **fields):
        self.events.append(dict({"time": iso(self.sim.now()), "event": kind}, **fields))

    def _tick(self):
        now = self.sim.now()
        for job in list(self.timed.values()):
            if job["jobState"] not in RUNNING:
                self.timed.pop(job["id"], None)
                continue
            if job["cancelAt"] is not None and now >= job["cancelAt"]:
                self._finish(job, "CANCELLED", job["cancelAt"])
                self._event("job_cancelled", jobId=job["id"])
            elif job["completeAt"] is not None and now >= job["completeAt"]:
                self._finish(job, "COMPLETE", job["completeAt"])
                self._event("job_completed", jobId=job["id"])

    @staticmethod
    def _finish(job, state, when):
        # A job that is no longer running leaves ``timed`` at the next _tick.
        job["jobState"] = state
        job["completeTime"] = when

    # ---------------------------------------------------------------- seeding
    def seed(self, data):
        if not isinstance(data, dict):
            raise ValueError("the vsp seed must be an object")
        unknown = set(data) - {"users", "clients", "jobs", "settings"}
        if unknown:
            raise ValueError("unknown vsp seed key(s): %s" % ", ".join(sorted(unknown)))
        for key, value in (data.get("settings") or {}).items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown vsp setting %r" % key)
            self.settings[key] = _check_setting(key, value)
        for user in data.get("users") or []:
            if not user.get("username") or not isinstance(user.get("password"), str):
                raise ValueError("vsp users[] need a username and a password")
            self.users[user["username"]] = {"username": user["username"], "password": user["password"]}
        for client in data.get("clients") or []:
            if not client.get("client_id"):
                raise ValueError("vsp clients[] need a client_id")
            self.clients[client["client_id"]] = {"client_id": client["client_id"], "secret": client.get("secret")}
        jobs = data.get("jobs") or []
        if isinstance(jobs, dict):
            # {"count": N, ...template}: N jobs alike but for their IDs, for long lists.
            template = dict(jobs)
            count = int(template.pop("count", 0))
            jobs = [dict(template) for dummy in range(count)]
        created = [self._job_view(self._seed_job(spec)) for spec in jobs]
        result = {"jobs": created}
        if "settings" in data:
            result["settings"] = dict(self.settings)
        return result

    def _seed_job(self, spec):
        now = self.sim.now()
        job_id = spec.get("id")
        if job_id is None:
            job_id = self.next_id
        _int32(job_id, "jobs[].id")
        if job_id in self.jobs:
            raise ValueError("vsp job %d exists already" % job_id)
        state = spec.get("jobState", "EXECUTING")
        job_type = spec.get("jobType", "BATCH_REPLICATE")
        if state not in JOB_STATES:
            raise ValueError("vsp jobs[].jobState must be one of %s" % ", ".join(JOB_STATES))
        if job_type not in JOB_TYPES:
            raise ValueError("vsp jobs[].jobType must be one of %s" % ", ".join(JOB_TYPES))
        # startTime/completeTime (epoch seconds or ISO) set a sample's exact times; else age/completed_ago.
        started = parse_time(spec["startTime"]) if spec.get("startTime") is not None else \
            now - float(spec.get("age", 600))
        job = self._new_job(job_id, job_type, spec.get("bucketName", "bucket-1"), spec.get("jobParams") or {},
                            spec.get("userId", 1), started)
        job["jobState"] = state
        job["jobStats"] = dict(spec.get("jobStats") or {"processed": 0, "failed": 0})
        if state not in RUNNING:
            job["completeTime"] = parse_time(spec["completeTime"]) if spec.get("completeTime") is not None else \
                now - float(spec.get("completed_ago", 60))
        elif spec.get("complete_after") is not None:
            job["completeAt"] = now + float(spec["complete_after"])
            self.timed[job_id] = job
        if spec.get("cancel_delay") is not None:
            job["cancel_delay"] = float(spec["cancel_delay"])
        job["refuse_cancel"] = bool(spec.get("refuse_cancel"))
        return job

    def _new_job(self, job_id, job_type, bucket, params, user_id, started):
        job = {"id": job_id, "jobType": job_type, "bucketName": bucket, "jobParams": params, "userId": user_id,
               "jobState": "EXAMINING", "startTime": started, "completeTime": None,
               "jobStats": {"processed": 0, "failed": 0}, "completeAt": None, "cancelAt": None,
               "cancel_delay": None, "refuse_cancel": False}
        self.jobs[job_id] = job
        self.next_id = max(self.next_id, job_id + 1)
        return job

    # ---------------------------------------------------------------- views
    def state(self):
        self._tick()
        # The issued tokens are here for the tests that check no secret reaches a log.
        return {"settings": dict(self.settings), "users": sorted(self.users), "clients": sorted(self.clients),
                "jobs": [dict(self._job_view(j), userId=j["userId"]) for j in self.jobs.values()],
                "events": list(self.events), "counts": dict(self.counts),
                "issued": {"access_tokens": sorted(self.tokens),
                           "xsrf_tokens": sorted(self.xsrf_issued),
                           "sessions": sorted(self.sessions)}}

    def _time(self, ts):
        # DOCUMENTED (Confirmed): epoch seconds as floats in the vendor's samples (1752770711.809);
        # the Seed's reference shows date-time strings.
        return round(ts, 3) if self.settings["epoch_times"] else iso(ts)

    def _job_view(self, job):
        view = {"jobId": {"id": job["id"]}, "jobState": job["jobState"], "jobType": job["jobType"],
                "startTime": self._time(job["startTime"])}
        if job["completeTime"] is not None:
            view["completeTime"] = self._time(job["completeTime"])
        view.update({"jobParams": dict(job["jobParams"]), "jobStats": dict(job["jobStats"]),
                     "bucketName": job["bucketName"]})
        return view

    # ---------------------------------------------------------------- errors
    def error(self, status, req=None, detail=None, retry_after=None, allow=None, code=None, message=None, **_kw):
        if req is not None and req.path.startswith(KEYCLOAK + "/"):
            return self._oauth_error(status, "server_error" if status >= 500 else "invalid_request",
                                     detail or ERRORS.get(status, ("", "", "Error"))[2], retry_after=retry_after)
        default_code, default_message, default_details = ERRORS.get(status, ("ERROR", "Error", "The request failed."))
        body = {"code": code or default_code, "message": message or default_message,
                "details": detail or default_details}
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after_header(retry_after)
        if allow:
            headers["Allow"] = ", ".join(allow)
        return Response.json(status, body, headers)

    @staticmethod
    def _oauth_error(status, error, description, retry_after=None):
        headers = {"Cache-Control": "no-store"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after_header(retry_after)
        return Response.json(status, {"error": error, "error_description": description}, headers)

    # ---------------------------------------------------------------- request handling
    def handle(self, req):
        self._tick()
        if req.path.startswith(KEYCLOAK + "/"):
            try:
                return self._keycloak(req)
            except OAuthError as e:
                return self._oauth_error(e.status, e.error, e.description)
        session = None
        try:
            if req.path == self.base + "/v1/csrf" or not req.path.startswith(self.base + "/"):
                # Neither Keycloak nor the API (the old /vsp/auth/...): 404, whatever the token.
                return self.dispatch(req)
            self._need_token(req)
            if req.method in CSRF_CHECKED_METHODS:
                session = self._need_csrf(req)
            response = self.dispatch(req)
        except VspError as e:
            response = self.error(e.status, req=req, detail=e.details, message=e.message, code=e.code)
        if session is not None and self.settings["csrf_rotation"]:
            # DOCUMENTED (Confirmed: Vert.x-Web may do it): a valid POST refreshes the token, whatever the
            # handler answers next; the one before it is refused from now on.
            response.headers["Set-Cookie"] = self._cookie(XSRF_COOKIE, self._new_xsrf(session))
            self.counts["csrf_rotated"] += 1
        return response

    def _keycloak(self, req):
        if req.path == TOKEN_PATH:
            return self._token(req)
        if req.path == CLIENTS_PATH:
            return self._clients(req)
        realm = REALM_PATH.fullmatch(req.path)
        if realm and unquote(realm.group("realm")) != REALM:
            raise OAuthError(404, "not_found", "Realm does not exist")
        raise OAuthError(404, "not_found", "Not found")

    def _token(self, req):
        if req.method != "POST":
            raise OAuthError(405, "invalid_request", "HTTP method %s is not supported" % req.method)
        if req.content_type != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "Missing form parameter: grant_type")
        form = req.form()
        client = self.clients.get(form.get("client_id"))
        if client is None:
            raise OAuthError(401, "invalid_client", "Invalid client or Invalid client credentials")
        if client["secret"] is not None and form.get("client_secret") != client["secret"]:
            raise OAuthError(401, "unauthorized_client", "Invalid client or Invalid client credentials")
        if form.get("grant_type") != "password":
            raise OAuthError(400, "unsupported_grant_type", "Unsupported grant_type")
        user = self.users.get(form.get("username"))
        if user is None or user["password"] != form.get("password"):
            raise OAuthError(401, "invalid_grant", "Invalid user credentials")
        token = "vsp-at-" + secrets.token_urlsafe(24)
        lifetime = float(self.settings["token_lifetime"])
        self.tokens[token] = {"username": user["username"], "client_id": client["client_id"],
                              "expires": self.sim.now() + lifetime}
        self.counts["tokens_issued"] += 1
        return Response.json(200, {"access_token": token, "expires_in": int(lifetime), "refresh_expires_in": 1800,
                                   "refresh_token": "vsp-rt-" + secrets.token_urlsafe(24), "token_type": "Bearer",
                                   "not-before-policy": 0, "session_state": secrets.token_hex(8),
                                   "scope": "profile email"}, {"Cache-Control": "no-store"})

    def _clients(self, req):
        """Keycloak's admin look-up of a realm's clients, as vsp1omapilib reads a client's secret through it."""
        if req.method != "GET":
            raise OAuthError(405, "invalid_request", "HTTP method %s is not supported" % req.method)
        token = self.tokens.get(req.bearer() or "")
        # INVENTED: the refusals (Keycloak's own words differ by version); only admin-cli's tokens may read clients.
        if token is None or self.sim.now() >= token["expires"]:
            raise OAuthError(401, "invalid_token", "The access token is missing, invalid or expired.")
        if token["client_id"] != ADMIN_CLIENT:
            raise OAuthError(403, "insufficient_scope", "The access token may not read the realm's clients.")
        wanted = req.arg("clientId")
        return Response.json(200, [self._client_view(client) for client in self.clients.values()
                                   if wanted is None or client["client_id"] == wanted])

    @staticmethod
    def _client_view(client):
        view = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "keycloak:%s:%s" % (REALM, client["client_id"]))),
                "clientId": client["client_id"], "publicClient": client["secret"] is None}
        if client["secret"] is not None:
            view["secret"] = client["secret"]
        return view

    def _need_token(self, req):
        # INVENTED: a token of any of the realm's clients passes; the API checks the user, not the client.
        token = self.tokens.get(req.bearer() or "")
        if token is None:
            raise VspError(401, "The access token is missing or invalid.")
        if self.sim.now() >= token["expires"]:
            raise VspError(401, "The access token has expired.")

    def _need_csrf(self, req):
        """The session whose XSRF token the request carries, both as cookie and header; else a CSRF refusal."""
        header = req.headers.get(XSRF_HEADER)
        session = self.sessions.get(req.cookies.get(SESSION_COOKIE, ""))
        if not header or session is None or req.cookies.get(XSRF_COOKIE) != header or session["xsrf"] != header:
            self._csrf_refused("The XSRF token is missing, invalid or was already used: GET /v1/csrf, then send the "
                               "XSRF-TOKEN and vertx-web.session cookies and the X-XSRF-TOKEN header.")
        if self.sim.now() >= session["expires"]:
            self._csrf_refused("The XSRF token has expired.")
        return session

    def _csrf_refused(self, details):
        self.counts["csrf_refused"] += 1
        status = int(self.settings["csrf_failure_status"])
        raise VspError(status, details, message="Forbidden" if status == 403 else None)

    def _new_xsrf(self, session):
        xsrf = secrets.token_hex(16)
        session["xsrf"] = xsrf
        session["expires"] = self.sim.now() + float(self.settings["csrf_lifetime"])
        self.xsrf_issued.append(xsrf)
        return xsrf

    def _cookie(self, name, value, http_only=False):
        return "%s=%s; Path=/%s" % (name, value, "; HttpOnly" if http_only else "")

    def _body(self, req):
        try:
            body = req.json()
        except InvalidJSON:
            raise VspError(400, "The request body is not valid JSON.") from None
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise VspError(400, "The request body must be a JSON object.")
        return body

    def _job_of(self, req):
        body = self._body(req)
        job_id = body.get("jobId")
        if not isinstance(job_id, dict) or "id" not in job_id:
            raise VspError(400, "jobId.id is required.")
        job = self.jobs.get(_int32(job_id["id"], "jobId.id"))
        if job is None:
            raise VspError(404, "No job with ID %s exists." % job_id["id"], message="Job not found")
        return job

    @route("GET", r"/v1/csrf")
    def csrf(self, req):
        if self.settings["csrf_requires_bearer"]:
            self._need_token(req)
        session = secrets.token_hex(16)
        self.sessions[session] = {}
        xsrf = self._new_xsrf(self.sessions[session])
        self.counts["csrf_issued"] += 1
        # Two Set-Cookie headers: the spellings differ so that the header dict keeps both.
        return Response(200, b"", {"Set-Cookie": self._cookie(XSRF_COOKIE, xsrf),
                                   "set-cookie": self._cookie(SESSION_COOKIE, session, http_only=True)})

    @route("POST", r"/v1/jobs/status")
    def status(self, req):
        return Response.json(200, {"status": self._job_view(self._job_of(req))})

    @route("POST", r"/v1/jobs/cancel")
    def cancel(self, req):
        job = self._job_of(req)
        if job["jobState"] not in RUNNING or job["cancelAt"] is not None:
            # INVENTED: nothing documents this answer; each variant is one a server might plausibly give.
            variant = self.settings["cancel_finished"]
            if variant == "200":
                return Response.json(200, {"status": self._job_view(job)})
            raise VspError(int(variant), "Job %d is %s and cannot be cancelled." % (
                job["id"], "being cancelled" if job["jobState"] in RUNNING else job["jobState"]))
        if job["refuse_cancel"]:
            # INVENTED: a running job the API will not cancel (seeded with "refuse_cancel": true).
            raise VspError(400, "Job %d cannot be cancelled now." % job["id"])
        delay = job["cancel_delay"] if job["cancel_delay"] is not None else float(self.settings["cancel_delay"])
        now = self.sim.now()
        if delay > 0:
            job["cancelAt"] = now + delay
            self.timed[job["id"]] = job
        else:
            self._finish(job, "CANCELLED", now)
        self._event("job_cancel_requested", jobId=job["id"])
        req.acted = True
        return Response.json(200, {"status": self._job_view(job)})

    @route("POST", r"/v1/jobs/list")
    def list_jobs(self, req):
        body = self._body(req)
        size = body.get("pageSize", self.settings["default_page_size"])
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise VspError(400, "pageSize must be a positive integer.")
        size = min(size, int(self.settings["max_page_size"]))
        jobs = list(self.jobs.values())
        if body.get("bucketName") is not None:
            jobs = [j for j in jobs if j["bucketName"] == body["bucketName"]]
        if body.get("userId") is not None:
            user = body["userId"]
            if not isinstance(user, dict) or "id" not in user:
                raise VspError(400, "userId.id is required when userId is given.")
            jobs = [j for j in jobs if j["userId"] == _int32(user["id"], "userId.id")]
        start = 0
        if body.get("pageToken"):
            try:
                start = json.loads(base64.urlsafe_b64decode(body["pageToken"].encode()))["offset"]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise VspError(400, "pageToken is not valid.") from None
        page = jobs[start:start + size]
        answer = {"jobs": [self._job_view(j) for j in page]}
        if not page and self.settings["omit_empty_jobs"]:
            # DOCUMENTED (Confirmed): an empty list may come without "jobs" at all.
            answer = {}
        if start + size < len(jobs):
            answer["pageToken"] = base64.urlsafe_b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return Response.json(200, answer)

    @route("POST", r"/v1/jobs/create")
    def create(self, req):
        body = self._body(req)
        if body.get("jobType") not in JOB_TYPES:
            raise VspError(400, "jobType must be one of %s." % ", ".join(JOB_TYPES))
        if not isinstance(body.get("bucketName"), str) or not body["bucketName"]:
            raise VspError(400, "bucketName is required.")
        params = body.get("jobParams") or {}
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise VspError(400, "jobParams must map names to strings.")
        job = self._new_job(self.next_id, body["jobType"], body["bucketName"], params, 1,
                            self.sim.now())
        self._event("job_created", jobId=job["id"])
        req.acted = True
        # DOCUMENTED (Confirmed): 201, which vsp1omapilib expects; INVENTED: the body.
        return Response.json(201, {"status": self._job_view(job)})


def demo_vsp(now):
    """A few jobs across two buckets: some running, some finished, one with a negative ID."""
    jobs = [
        {"id": 101, "jobType": "BATCH_REPLICATE", "jobState": "EXECUTING", "bucketName": "backups-eu",
         "jobParams": {"destination": "backups-us"}, "jobStats": {"processed": 18250, "failed": 3}, "age": 5400},
        {"id": 102, "jobType": "LIFECYCLE_UPDATE", "jobState": "PROCESSING", "bucketName": "backups-eu",
         "jobStats": {"processed": 420, "failed": 0}, "age": 1200},
        {"id": 103, "jobType": "METRIC_RECONCILIATION", "jobState": "COMPLETE", "bucketName": "backups-eu",
         "jobStats": {"processed": 9000, "failed": 0}, "age": 86400, "completed_ago": 80000},
        {"id": 104, "jobType": "BATCH_REPLICATE", "jobState": "EXAMINING", "bucketName": "media-archive", "age": 60},
        {"id": 105, "jobType": "TRIGGER_RECONCILIATION", "jobState": "FAILED", "bucketName": "media-archive",
         "jobStats": {"processed": 12, "failed": 12}, "age": 7200, "completed_ago": 7000},
        {"id": -7, "jobType": "LIFECYCLE_UPDATE", "jobState": "EXECUTING", "bucketName": "media-archive",
         "jobStats": {"processed": 77, "failed": 0}, "age": 300},
    ]
    return {"jobs": jobs}
