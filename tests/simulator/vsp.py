"""Hitachi VSP One Object management API 3.x, as documented in shared/api/README.md and the
vsp-one-object-cancel-job.txt seed, with its Keycloak token endpoint.

Served under ``/vsp``: the management API at ``/vsp/mapi/v1/...`` (a module's ``api_url`` is
``http://127.0.0.1:PORT/vsp/mapi``), Keycloak at
``/vsp/auth/realms/vsp-object/protocol/openid-connect/token``.

Authentication as the README describes it: a Keycloak password grant gives a Bearer token;
``GET /v1/csrf`` (Bearer required) sets the ``XSRF-TOKEN`` and ``vertx-web.session`` cookies
(Path=/vsp/mapi); every job call needs the Bearer token, both cookies and an ``X-XSRF-TOKEN`` header
equal to the cookie. A missing, wrong or expired token or CSRF pair is a 401 in the API's
``{code, message, details}`` format. Lifetimes are settings (``token_lifetime``,
``csrf_lifetime``) on the simulated clock.

Invented where the documents say nothing (easy to change, all in this file):
- the ``code`` strings of errors (``INVALID_REQUEST``, ``UNAUTHORIZED``, ``NOT_FOUND``, ...);
- a cancel of a job that is no longer running is a 400; a cancelled job is ``CANCELLED`` at once,
  unless ``cancel_delay`` (a setting, or per job) keeps it in its running state that long;
- ``/v1/jobs/list`` pages: ``default_page_size`` when no ``pageSize`` is sent, never more than
  ``max_page_size``; the page token is opaque and omitted on the last page; jobs are listed in
  creation order; an unknown bucket lists nothing;
- ``/v1/jobs/create`` answers ``{"status": job}`` with the job EXAMINING;
- Keycloak: the client ``vsp-object-external-client`` is public (no secret) unless seeded with one;
  the user ``vsp-admin``/``vsp-secret`` exists after every reset.
"""

import base64
import datetime
import json
import secrets

from .core import API, InvalidJSON, OAuthError, Response, register, route

REALM = "vsp-object"
TOKEN_PATH = "/auth/realms/%s/protocol/openid-connect/token" % REALM
JOB_STATES = ("EXAMINING", "PROCESSING", "EXECUTING", "COMPLETE", "FAILED", "CANCELLED")
RUNNING = ("EXAMINING", "PROCESSING", "EXECUTING")
JOB_TYPES = ("BATCH_REPLICATE", "LIFECYCLE_UPDATE", "METRIC_RECONCILIATION", "TRIGGER_RECONCILIATION")
INT32 = (-(2 ** 31), 2 ** 31 - 1)

DEFAULT_USERS = ({"username": "vsp-admin", "password": "vsp-secret"},)
DEFAULT_CLIENTS = ({"client_id": "vsp-object-external-client", "secret": None},)
DEFAULT_SETTINGS = {
    "token_lifetime": 300.0,     # Keycloak access token lifetime (sim seconds)
    "csrf_lifetime": 60.0,       # XSRF token lifetime (sim seconds)
    "cancel_delay": 0.0,         # a cancelled job keeps its running state this long
    "default_page_size": 20,     # page size of /v1/jobs/list when the request names none
    "max_page_size": 100,        # the largest page /v1/jobs/list answers with
}

# status -> (code, message, details)
ERRORS = {
    400: ("INVALID_REQUEST", "Invalid request", "The request is not valid."),
    401: ("UNAUTHORIZED", "Access was denied due to invalid credentials.", "Authentication is required."),
    403: ("FORBIDDEN", "Forbidden", "The caller may not do this."),
    404: ("NOT_FOUND", "Not found", "The requested resource could not be found."),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed", "The method is not allowed for this resource."),
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
        self.tokens = {}     # access token -> {"username", "expires"}
        self.sessions = {}   # vertx-web.session -> {"xsrf", "expires"}
        self.jobs = {}       # job id -> record, in creation order
        self.events = []
        self.counts = {"tokens_issued": 0, "csrf_issued": 0}

    def _event(self, kind, **fields):
        self.events.append(dict({"time": iso(self.sim.now()), "event": kind}, **fields))

    def _tick(self):
        now = self.sim.now()
        for job in self.jobs.values():
            if job["jobState"] not in RUNNING:
                continue
            if job["cancelAt"] is not None and now >= job["cancelAt"]:
                self._finish(job, "CANCELLED", job["cancelAt"])
                self._event("job_cancelled", jobId=job["id"])
            elif job["completeAt"] is not None and now >= job["completeAt"]:
                self._finish(job, "COMPLETE", job["completeAt"])
                self._event("job_completed", jobId=job["id"])

    @staticmethod
    def _finish(job, state, when):
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
            self.settings[key] = value
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
            job_id = max([0] + list(self.jobs)) + 1
        _int32(job_id, "jobs[].id")
        if job_id in self.jobs:
            raise ValueError("vsp job %d exists already" % job_id)
        state = spec.get("jobState", "EXECUTING")
        job_type = spec.get("jobType", "BATCH_REPLICATE")
        if state not in JOB_STATES:
            raise ValueError("vsp jobs[].jobState must be one of %s" % ", ".join(JOB_STATES))
        if job_type not in JOB_TYPES:
            raise ValueError("vsp jobs[].jobType must be one of %s" % ", ".join(JOB_TYPES))
        started = now - float(spec.get("age", 600))
        job = self._new_job(job_id, job_type, spec.get("bucketName", "bucket-1"), spec.get("jobParams") or {},
                            spec.get("userId", 1), started)
        job["jobState"] = state
        job["jobStats"] = dict(spec.get("jobStats") or {"processed": 0, "failed": 0})
        if state not in RUNNING:
            job["completeTime"] = now - float(spec.get("completed_ago", 60))
        elif spec.get("complete_after") is not None:
            job["completeAt"] = now + float(spec["complete_after"])
        if spec.get("cancel_delay") is not None:
            job["cancel_delay"] = float(spec["cancel_delay"])
        return job

    def _new_job(self, job_id, job_type, bucket, params, user_id, started):
        job = {"id": job_id, "jobType": job_type, "bucketName": bucket, "jobParams": params, "userId": user_id,
               "jobState": "EXAMINING", "startTime": started, "completeTime": None,
               "jobStats": {"processed": 0, "failed": 0}, "completeAt": None, "cancelAt": None,
               "cancel_delay": None}
        self.jobs[job_id] = job
        return job

    # ---------------------------------------------------------------- views
    def state(self):
        self._tick()
        # The issued tokens are here for the tests that check no secret reaches a log.
        return {"settings": dict(self.settings), "users": sorted(self.users), "clients": sorted(self.clients),
                "jobs": [dict(self._job_view(j), userId=j["userId"]) for j in self.jobs.values()],
                "events": list(self.events), "counts": dict(self.counts),
                "issued": {"access_tokens": sorted(self.tokens),
                           "xsrf_tokens": sorted(s["xsrf"] for s in self.sessions.values()),
                           "sessions": sorted(self.sessions)}}

    @staticmethod
    def _job_view(job):
        view = {"jobId": {"id": job["id"]}, "jobState": job["jobState"], "jobType": job["jobType"],
                "startTime": iso(job["startTime"])}
        if job["completeTime"] is not None:
            view["completeTime"] = iso(job["completeTime"])
        view.update({"jobParams": dict(job["jobParams"]), "jobStats": dict(job["jobStats"]),
                     "bucketName": job["bucketName"]})
        return view

    # ---------------------------------------------------------------- errors
    def error(self, status, req=None, detail=None, retry_after=None, allow=None, code=None, message=None, **_kw):
        if req is not None and req.path.startswith("/auth/"):
            return self._oauth_error(status, "server_error" if status >= 500 else "invalid_request",
                                     detail or ERRORS.get(status, ("", "", "Error"))[2], retry_after=retry_after)
        default_code, default_message, default_details = ERRORS.get(status, ("ERROR", "Error", "The request failed."))
        body = {"code": code or default_code, "message": message or default_message,
                "details": detail or default_details}
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        if allow:
            headers["Allow"] = ", ".join(allow)
        return Response.json(status, body, headers)

    @staticmethod
    def _oauth_error(status, error, description, retry_after=None):
        headers = {"Cache-Control": "no-store"}
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return Response.json(status, {"error": error, "error_description": description}, headers)

    # ---------------------------------------------------------------- request handling
    def handle(self, req):
        self._tick()
        if req.path == TOKEN_PATH or req.path.startswith("/auth/"):
            try:
                return self._token(req)
            except OAuthError as e:
                return self._oauth_error(e.status, e.error, e.description)
        try:
            if req.path != self.base + "/v1/csrf":
                self._need_token(req)
                self._need_csrf(req)
            return self.dispatch(req)
        except VspError as e:
            return self.error(e.status, req=req, detail=e.details, message=e.message, code=e.code)

    def _token(self, req):
        if req.path != TOKEN_PATH:
            raise OAuthError(404, "not_found", "Realm does not exist" if "/realms/" in req.path else "Not found")
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
        self.tokens[token] = {"username": user["username"], "expires": self.sim.now() + lifetime}
        self.counts["tokens_issued"] += 1
        return Response.json(200, {"access_token": token, "expires_in": int(lifetime), "refresh_expires_in": 1800,
                                   "refresh_token": "vsp-rt-" + secrets.token_urlsafe(24), "token_type": "Bearer",
                                   "not-before-policy": 0, "session_state": secrets.token_hex(8),
                                   "scope": "profile email"}, {"Cache-Control": "no-store"})

    def _need_token(self, req):
        token = self.tokens.get(req.bearer() or "")
        if token is None:
            raise VspError(401, "The access token is missing or invalid.")
        if self.sim.now() >= token["expires"]:
            raise VspError(401, "The access token has expired.")

    def _need_csrf(self, req):
        header = req.headers.get("X-XSRF-TOKEN")
        session = self.sessions.get(req.cookies.get("vertx-web.session", ""))
        if not header or session is None or req.cookies.get("XSRF-TOKEN") != header or session["xsrf"] != header:
            raise VspError(401, "The XSRF token is missing or invalid: GET /v1/csrf, then send the XSRF-TOKEN "
                                "and vertx-web.session cookies and the X-XSRF-TOKEN header.")
        if self.sim.now() >= session["expires"]:
            raise VspError(401, "The XSRF token has expired.")

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
        self._need_token(req)
        xsrf = secrets.token_hex(16)
        session = secrets.token_hex(16)
        self.sessions[session] = {"xsrf": xsrf, "expires": self.sim.now() + float(self.settings["csrf_lifetime"])}
        self.counts["csrf_issued"] += 1
        path = self.base_path
        # Two Set-Cookie headers: the spellings differ so that the header dict keeps both.
        return Response(200, b"", {"Set-Cookie": "XSRF-TOKEN=%s; Path=%s" % (xsrf, path),
                                   "set-cookie": "vertx-web.session=%s; Path=%s; HttpOnly" % (session, path)})

    @route("POST", r"/v1/jobs/status")
    def status(self, req):
        return Response.json(200, {"status": self._job_view(self._job_of(req))})

    @route("POST", r"/v1/jobs/cancel")
    def cancel(self, req):
        job = self._job_of(req)
        if job["jobState"] not in RUNNING or job["cancelAt"] is not None:
            raise VspError(400, "Job %d is %s and cannot be cancelled." % (job["id"], job["jobState"]))
        delay = job["cancel_delay"] if job["cancel_delay"] is not None else float(self.settings["cancel_delay"])
        now = self.sim.now()
        if delay > 0:
            job["cancelAt"] = now + delay
        else:
            self._finish(job, "CANCELLED", now)
        self._event("job_cancel_requested", jobId=job["id"])
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
        job = self._new_job(max([0] + list(self.jobs)) + 1, body["jobType"], body["bucketName"], params, 1,
                            self.sim.now())
        self._event("job_created", jobId=job["id"])
        return Response.json(200, {"status": self._job_view(job)})


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
