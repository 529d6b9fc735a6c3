"""BigChange REST API v1 with its OAuth 2.0 token endpoint, as the live API behaves where public
sources say how, and as the reference documents say where nothing else does.

Served under ``/bigchange``: the API at ``/bigchange/v1/...`` (a module's ``api_url`` is
``http://127.0.0.1:PORT/bigchange/v1``), the token endpoint at ``/bigchange/auth/tokens``.

Every behaviour is tagged with where it comes from:

DOCUMENTED (in docs/api/bigchange.md: seed = its section "Seed", CONFIRMED = its section "Confirmed";
ANALYSIS = Ecaco/BigChangePythonAPI ``API_analysis.md``, written against the live API; CLIENT = that
project's ``src/bigchange/api_resources/jobs.py``, whose pydantic ``Job`` was
validated against live answers):
- client credentials (form-encoded ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``) at ``/auth/tokens`` give ``{access_token, token_type, expires_in}``; a refusal
  is an RFC 7807 body, as the API's own errors are (CONFIRMED) -- setting ``token_errors``;
- every API call needs ``Authorization: Bearer`` and a ``Customer-Id`` header; scopes ``jobs:read``
  and ``jobs:write`` (CONFIRMED);
- errors are RFC 7807 Problem Details (``application/problem+json``), a 422 adds
  ``errors: {property: [messages]}`` (seed);
- ``PUT /v1/jobs/{jobId}/cancel`` with ``{"reason": "..."}`` answers 204; a started, suspended or
  completed job cannot be cancelled (seed, CONFIRMED);
- ``GET /v1/jobs`` answers 422 with the live body CONFIRMED quotes unless it carries an ``id`` or
  ``reference`` filter or both ends of one date range (``createdAtFrom``/``createdAtTo``,
  ``startAtFrom``/``startAtTo``, ``statusModifiedAtFrom``/``statusModifiedAtTo``) (CONFIRMED,
  ANALYSIS section 1) -- setting ``require_filter``;
- an array filter (``id``, ``reference``, ``status``, ``contactId``, ``resourceId``) carries at most
  50 values (CONFIRMED, ANALYSIS section 5) -- setting ``max_filter_values``;
- pages: ``pageNumber`` (1-2147483), ``pageSize`` (1-1000), envelope ``{items, pageNumber, pageSize,
  pageItemCount}`` (CONFIRMED, ANALYSIS section 5) -- setting ``page_envelope`` (false: ``items`` alone);
- string fields documented as non-nullable (``reference``, ``internalComment``,
  ``resourcesComment``, ``contactComment``, ``officeNotes``) come back ``null`` (ANALYSIS section 2)
  -- setting ``null_strings`` (false: ``""``, as the reference implies);
- timestamps come as ``...Z`` and as ``...+00:00`` (ANALYSIS section 5) -- setting ``timestamps``:
  ``mixed`` (default: planned, actual and creation times end in ``Z``, ``statusModifiedAt`` in
  ``+00:00``), ``z`` or ``offset``;
- the 16 statuses: the 13 of the reference and ``lateStart``, ``lateFinish``, ``rescheduled``,
  documented as internal (CONFIRMED; all 16 in the public client's ``JobStatus``);
- a job carries ``contactAddress`` (a string), ``plannedDuration`` (an integer), ``isConfirmed``,
  ``isFinanciallyComplete`` and ``isActioned`` (booleans), required in CLIENT's ``Job`` as are ``typeId``,
  ``typeName``, ``contactId``, ``contactName``, ``description`` and ``createdAt`` (CONFIRMED, CLIENT);
- query parameter names bind case-insensitively, as ASP.NET binds them: a live client sends
  ``StartAtFrom``/``StartAtTo``, and the live 422 names the parameters in PascalCase (CONFIRMED). Every
  spelling of a known name is read as that name (``PageSize``, ``pageSize``, ``PAGESIZE``); any other
  parameter is left as sent, and ignored.

INVENTED where the documents say nothing (easy to change, all in this file):
- the answer to a cancel of a job that is already cancelled: setting ``second_cancel`` -- 422
  (default; ``errors`` names ``status``), 409, or 204 (accepted again, nothing changes);
- the answer to a cancel of a started, suspended, ``lateFinish`` or completed job: setting
  ``refusal_status`` -- 422 (default; ``errors`` names ``status``) or 409;
- ``lateStart`` (the planned start passed, nobody started) and ``rescheduled`` jobs can be
  cancelled; ``lateFinish`` (started, running past its planned end) cannot;
- an empty reason, or one longer than ``max_reason`` (500) characters, is a 422 naming ``reason``;
- a missing or non-numeric ``Customer-Id`` is a 400 whose ``errors`` names ``Customer-Id``; a
  customer the token may not act for (or that does not exist) is a 403;
- the wording of the 422 for too many filter values, the 400 for an unreadable date; ``startAt``
  ranges match ``plannedStartAt``; a range includes both ends; ``status`` may also be
  comma-separated; jobs are listed by ``id``; 100 jobs a page when no ``pageSize`` is sent;
- the fields of a job besides those above (``resourceName``, ``orderNumber``, ...), and the values of
  all of them: ``plannedDuration`` counts minutes (CLIENT types it ``int``; the unit is not said) and is
  the planned start to end; a job is confirmed once it has left ``new``/``unscheduled``, and is neither
  financially complete nor actioned unless seeded so;
- the title and detail of a token refusal (a 401 "Unauthorized" whose detail names the client
  authentication, a 400 naming the grant or the encoding); the setting ``token_errors: "oauth"``
  answers OAuth 2.0 ``{error, error_description}`` bodies instead (401 ``invalid_client``), the
  reading before the token errors were confirmed as Problem Details;
- jobs move along the simulated clock: an allocated job (scheduled, sent, read, accepted,
  onTheWay, rescheduled) becomes ``started`` when its ``plannedStartAt`` passes, and a started one
  ``completedOk`` when its ``plannedEndAt`` passes (unless seeded with ``"moves": false``); every
  change is kept in the job's status history;
- ``settings.ignore_filters`` / ``settings.ignore_page_number`` make the list misbehave the way an
  API that does not know a parameter would, so tests can prove the modules do not trust it; a job
  seeded with ``"undocumented": true`` may carry any status, as one BigChange adds later would.
"""

import datetime
import secrets

from .core import API, InvalidJSON, OAuthError, Response, parse_time, register, retry_after_header, route

SCOPES = ("jobs:read", "jobs:write")
STATUSES = ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay",
            "started", "suspended", "completedOk", "completedWithIssues", "cancelled")
INTERNAL_STATUSES = ("lateStart", "lateFinish", "rescheduled")
ALL_STATUSES = STATUSES + INTERNAL_STATUSES
# Allocated to a driver with a planned time: these start on their own when that time comes.
MOVING = ("scheduled", "sent", "read", "accepted", "onTheWay", "rescheduled")
BEGUN = ("started", "suspended", "lateFinish", "completedOk", "completedWithIssues")
NOT_CANCELLABLE = BEGUN

TOKEN_PATH = "/auth/tokens"
FIRST_JOB_ID = 480001
DEFAULT_CUSTOMER = 1001
DEFAULT_CUSTOMERS = (1001, 2002)
DEFAULT_CLIENTS = (
    {"client_id": "bigchange-client", "client_secret": "bigchange-secret", "customers": [1001],
     "scopes": list(SCOPES)},
    {"client_id": "bigchange-readonly", "client_secret": "bigchange-readonly-secret", "customers": [1001],
     "scopes": ["jobs:read"]},
)
DEFAULT_SETTINGS = {
    "token_lifetime": 3600,       # seconds an issued access token is valid (sim clock)
    "default_page_size": 100,     # INVENTED: page size of GET /v1/jobs when the request names none
    "require_filter": True,       # DOCUMENTED: GET /v1/jobs without id, reference or a full date range is a 422
    "max_filter_values": 50,      # DOCUMENTED: values per array filter (null: no cap)
    "page_envelope": True,        # DOCUMENTED: pages carry pageNumber, pageSize, pageItemCount beside items
    "null_strings": True,         # DOCUMENTED: empty non-nullable strings come back null (false: "")
    "timestamps": "mixed",        # DOCUMENTED: both spellings (mixed), or only ...Z (z), or only +00:00 (offset)
    "second_cancel": 422,         # INVENTED: the answer to a cancel of a cancelled job: 422, 409 or 204
    "refusal_status": 422,        # INVENTED: the answer to a cancel of a job under way or completed: 422 or 409
    "max_reason": 500,            # INVENTED: the longest reason accepted
    "ignore_filters": False,      # list every job whatever filters are sent
    "ignore_page_number": False,  # always answer the first page
    "token_errors": "problem",    # DOCUMENTED: token refusals are RFC 7807 bodies ("oauth": OAuth 2.0 bodies)
}
SETTING_CHOICES = {"timestamps": ("mixed", "z", "offset"), "second_cancel": (422, 409, 204),
                   "refusal_status": (422, 409), "token_errors": ("problem", "oauth")}

# DOCUMENTED (CONFIRMED, ANALYSIS section 1): the live API's answer to a list without a usable filter, byte for byte.
# It names the parameters in PascalCase, though clients send camelCase: the names bind in any casing.
NO_FILTER_BODY = {
    "title": "One or more validation errors occurred.",
    "status": 422,
    "errors": {"queryParams": [
        "No filter or date range provided. At least one of the filters [Id, Reference] must be set, or at least "
        "one of the date ranges [(CreatedAtFrom and CreatedAtTo), (StartAtFrom and StartAtTo), "
        "(StatusModifiedAtFrom and StatusModifiedAtTo)] must be provided"]},
}
ARRAY_FILTERS = ("id", "reference", "status", "contactId", "resourceId")
# Query parameter pairs, and the job field (epoch seconds in the record) each range matches.
DATE_RANGES = (("createdAtFrom", "createdAtTo", "createdAt"),
               ("startAtFrom", "startAtTo", "plannedStartAt"),
               ("statusModifiedAtFrom", "statusModifiedAtTo", "statusModifiedAt"))
# DOCUMENTED (CONFIRMED): every query parameter name the handlers read, bound in any casing.
QUERY_NAMES = ARRAY_FILTERS + tuple(name for low, high, dummy in DATE_RANGES for name in (low, high)) + (
    "pageNumber", "pageSize", "direction")
# DOCUMENTED (ANALYSIS section 2) as non-nullable strings, yet seen null.
NON_NULLABLE_STRINGS = ("reference", "description", "internalComment", "resourcesComment", "contactComment",
                        "officeNotes")
# In the "mixed" style, the fields spelled with +00:00 rather than Z.
OFFSET_FIELDS = ("statusModifiedAt",)

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Entity", 429: "Too Many Requests",
          500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
DETAILS = {400: "The request is not valid.", 401: "The access token is missing, invalid or has expired.",
           403: "You are not allowed to do this.", 404: "The requested resource could not be found.",
           429: "Too many requests. Retry later.", 500: "An unexpected error occurred."}
TYPES = {400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
         401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
         403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
         404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
         409: "https://tools.ietf.org/html/rfc9110#section-15.5.10",
         422: "https://tools.ietf.org/html/rfc9110#section-15.5.21",
         429: "https://tools.ietf.org/html/rfc6585#section-4",
         500: "https://tools.ietf.org/html/rfc9110#section-15.6.1"}


def iso(ts, style="z"):
    """Epoch seconds -> ``2026-04-27T12:34:56.000Z`` (style z) or ``2026-04-27T12:34:56+00:00`` (style offset)."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    if style == "offset":
        return dt.replace(microsecond=0).isoformat()
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


class Problem(Exception):
    def __init__(self, status, detail=None, errors=None, title=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.title = title


def bind_query(query):
    """The query by the names the handlers read: a known name in any casing counts as that name, with
    the values of all its spellings (ASP.NET's query collection is case-insensitive); any other
    parameter stays as it was sent. ``req.query`` itself is left alone: the log keeps what was sent."""
    known = dict((name.lower(), name) for name in QUERY_NAMES)
    bound = {}
    for key, values in query.items():
        bound.setdefault(known.get(key.lower(), key), []).extend(values)
    return bound


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


@register
class BigChangeAPI(API):
    name = "bigchange"
    prefix = "/bigchange"
    base = "/v1"

    # ---------------------------------------------------------------- state
    def reset(self):
        self.settings = dict(DEFAULT_SETTINGS)
        self.customers = set(DEFAULT_CUSTOMERS)
        self.clients = {}
        self.tokens = {}
        self.jobs = {}          # id -> record
        self.events = []
        self._next_id = FIRST_JOB_ID
        self._next_history_id = 1
        for client in DEFAULT_CLIENTS:
            self._add_client(dict(client))

    def _add_client(self, spec):
        client_id = spec.get("client_id")
        if not client_id or not isinstance(client_id, str):
            raise ValueError("bigchange clients[].client_id must be a non-empty string")
        scopes = self._scopes(spec.get("scopes", SCOPES))
        customers = [int(c) for c in spec.get("customers", [DEFAULT_CUSTOMER])]
        self.customers.update(customers)
        self.clients[client_id] = {"client_id": client_id, "client_secret": spec.get("client_secret"),
                                   "customers": customers, "scopes": scopes}
        return {"client_id": client_id, "customers": customers, "scopes": scopes}

    def _add_token(self, spec):
        token = spec.get("token")
        if not token or not isinstance(token, str):
            raise ValueError("bigchange access_tokens[].token must be a non-empty string")
        lifetime = spec.get("expires_in", self.settings["token_lifetime"])
        customers = [int(c) for c in spec.get("customers", [DEFAULT_CUSTOMER])]
        self.customers.update(customers)
        self.tokens[token] = {"client_id": spec.get("client_id"), "customers": customers,
                              "scopes": self._scopes(spec.get("scopes", SCOPES)),
                              "expires": self.sim.now() + float(lifetime)}
        return {"customers": customers, "scopes": self.tokens[token]["scopes"]}

    @staticmethod
    def _scopes(scopes):
        scopes = list(scopes)
        for scope in scopes:
            if scope not in SCOPES:
                raise ValueError("unknown BigChange scope %r (known: %s)" % (scope, ", ".join(SCOPES)))
        return scopes

    def _event(self, kind, **fields):
        self.events.append(dict({"time": iso(self.sim.now()), "event": kind}, **fields))

    def _set_status(self, job, status, at, comment=None):
        job["status"] = status
        job["statusModifiedAt"] = at
        job["history"].append({"id": self._next_history_id, "status": status, "createdAt": at,
                               "comment": comment})
        self._next_history_id += 1

    def _tick(self):
        """Move jobs along the simulated clock: allocated jobs start, started jobs finish."""
        now = self.sim.now()
        for job in self.jobs.values():
            if not job["moves"]:
                continue
            start, end = job["plannedStartAt"], job["plannedEndAt"]
            if job["status"] in MOVING and start is not None and now >= start:
                job["actualStartAt"] = start
                self._set_status(job, "started", start)
                self._event("job_started", jobId=job["id"])
            if job["status"] == "started" and end is not None and now >= end:
                job["actualEndAt"] = end
                self._set_status(job, "completedOk", end)
                self._event("job_completed", jobId=job["id"])

    # ---------------------------------------------------------------- seeding
    def seed(self, data):
        if not isinstance(data, dict):
            raise ValueError("the bigchange seed must be an object")
        unknown = set(data) - {"settings", "customers", "clients", "access_tokens", "jobs"}
        if unknown:
            raise ValueError("unknown bigchange seed key(s): %s" % ", ".join(sorted(unknown)))
        for key, value in (data.get("settings") or {}).items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown bigchange setting %r" % key)
            if key in SETTING_CHOICES and value not in SETTING_CHOICES[key]:
                raise ValueError("bigchange setting %s must be one of %s, not %r"
                                 % (key, ", ".join(str(c) for c in SETTING_CHOICES[key]), value))
            self.settings[key] = value
        self.customers.update(int(c) for c in data.get("customers") or [])
        created = {
            "clients": [self._add_client(c) for c in data.get("clients") or []],
            "access_tokens": [self._add_token(t) for t in data.get("access_tokens") or []],
            "jobs": [self._job_view(self._seed_job(j)) for j in data.get("jobs") or []],
        }
        if "settings" in data:
            created["settings"] = dict(self.settings)
        return created

    def _seed_job(self, spec):
        now = self.sim.now()
        status = spec.get("status", "scheduled")
        if status not in ALL_STATUSES and not (spec.get("undocumented") and isinstance(status, str) and status):
            raise ValueError("bigchange jobs[].status must be one of %s, not %r (or seed the job with "
                             "\"undocumented\": true)" % (", ".join(ALL_STATUSES), status))
        job_id = spec.get("id")
        if job_id is None:
            job_id = self._next_id
        job_id = int(job_id)
        if job_id in self.jobs:
            raise ValueError("bigchange job %d already exists" % job_id)
        self._next_id = max(self._next_id, job_id + 1)
        customer = int(spec.get("customerId", DEFAULT_CUSTOMER))
        self.customers.add(customer)

        def when(key, relative_key):
            if spec.get(key) is not None:
                return parse_time(spec[key])
            if spec.get(relative_key) is not None:
                return now + float(spec[relative_key])
            return None

        start = when("plannedStartAt", "starts_in")
        if start is None and status not in ("new", "unscheduled"):
            # Without a time of its own, a job that has begun (or is late to) began half an hour ago
            # (two hours for one running late); others start tomorrow.
            if status == "lateFinish":
                start = now - 7200
            elif status in BEGUN or status == "lateStart":
                start = now - 1800
            else:
                start = now + 86400
        end = when("plannedEndAt", "ends_in")
        if end is None and start is not None:
            end = start + float(spec.get("duration", 3600))
        created = when("createdAt", "created_ago")
        created = now - 7 * 86400 if created is None else created
        # INVENTED: minutes, planned start to end (the seed's ``duration`` without a start).
        if start is not None and end is not None:
            minutes = int(round((end - start) / 60.0))
        else:
            minutes = int(float(spec.get("duration", 3600)) // 60)
        job = {
            "id": job_id,
            "customerId": customer,
            "reference": spec.get("reference", "JOB-%d" % job_id),
            "description": spec.get("description", "Annual boiler service"),
            "typeId": spec.get("typeId", 12),
            "typeName": spec.get("typeName", "Service"),
            "contactId": spec.get("contactId", 3001),
            "contactName": spec.get("contactName", "Acme Facilities Ltd"),
            "contactAddress": spec.get("contactAddress", "Unit 4, Avonmouth Way, Bristol BS11 9HX"),
            "resourceId": spec.get("resourceId", 51 if start is not None else None),
            "resourceName": spec.get("resourceName", "Sam Patel" if start is not None else None),
            "orderNumber": spec.get("orderNumber"),
            "internalComment": spec.get("internalComment"),
            "resourcesComment": spec.get("resourcesComment"),
            "contactComment": spec.get("contactComment"),
            "officeNotes": spec.get("officeNotes"),
            "plannedDuration": spec.get("plannedDuration", minutes),
            "isConfirmed": spec.get("isConfirmed", status not in ("new", "unscheduled")),
            "isFinanciallyComplete": spec.get("isFinanciallyComplete", False),
            "isActioned": spec.get("isActioned", False),
            "plannedStartAt": start,
            "plannedEndAt": end,
            "actualStartAt": None,
            "actualEndAt": None,
            "createdAt": created,
            "statusModifiedAt": created,
            "moves": bool(spec.get("moves", True)),
            "status": "new",
            "history": [],
            "cancel_reason": None,
        }
        self._set_status(job, "new", created)
        if status != "new":
            self._set_status(job, status, min(now, max(created, (start or now) - 3600)))
        if status in BEGUN:
            job["actualStartAt"] = min(now, start) if start is not None else now
        if status in ("completedOk", "completedWithIssues"):
            job["actualEndAt"] = now
        self.jobs[job_id] = job
        return job

    # ---------------------------------------------------------------- views
    def state(self):
        self._tick()
        jobs = []
        for job in self.jobs.values():
            history = [dict(h, createdAt=iso(h["createdAt"])) for h in job["history"]]
            jobs.append(dict(self._job_view(job), customerId=job["customerId"], cancelReason=job["cancel_reason"],
                             statusHistory=history, moves=job["moves"]))
        return {"settings": dict(self.settings), "customers": sorted(self.customers),
                "clients": [{k: v for k, v in c.items() if k != "client_secret"} for c in self.clients.values()],
                "tokens": [dict(t, token=k, expires=iso(t["expires"])) for k, t in self.tokens.items()],
                "jobs": jobs, "events": list(self.events)}

    def _time(self, field, value):
        if value is None:
            return None
        style = self.settings["timestamps"]
        if style == "mixed":
            style = "offset" if field in OFFSET_FIELDS else "z"
        return iso(value, style)

    def _job_view(self, job):
        view = {"id": job["id"]}
        for key in ("reference", "description", "typeId", "typeName", "contactId", "contactName", "contactAddress",
                    "resourceId", "resourceName", "orderNumber", "status", "plannedDuration", "isConfirmed",
                    "isFinanciallyComplete", "isActioned"):
            view[key] = job[key]
        for key in ("plannedStartAt", "plannedEndAt", "actualStartAt", "actualEndAt", "createdAt",
                    "statusModifiedAt"):
            view[key] = self._time(key, job[key])
        for key in ("internalComment", "resourcesComment", "contactComment", "officeNotes"):
            view[key] = job[key]
        if not self.settings["null_strings"]:
            for key in NON_NULLABLE_STRINGS:
                if view[key] is None:
                    view[key] = ""
        return view

    # ---------------------------------------------------------------- errors
    def error(self, status, req=None, detail=None, errors=None, title=None, retry_after=None, allow=None, **_kw):
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after_header(retry_after)
        if allow:
            headers["Allow"] = ", ".join(allow)
        if req is not None and req.path == TOKEN_PATH and self.settings["token_errors"] == "oauth":
            error = {400: "invalid_request", 401: "invalid_client"}.get(status, "server_error" if status >= 500
                                                                        else "invalid_request")
            return Response.json(status, {"error": error, "error_description": detail or TITLES.get(status, "Error")},
                                 headers)
        body = {
            "type": TYPES.get(status, "about:blank"),
            "title": title or TITLES.get(status, "Error"),
            "status": status,
            "detail": detail or DETAILS.get(status, TITLES.get(status, "The request failed.")),
            "instance": req.full_path if req is not None else self.base_path,
        }
        if errors is not None:
            body["errors"] = errors
        if status == 401 and (req is None or req.path != TOKEN_PATH):
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return Response.json(status, body, headers, content_type="application/problem+json")

    # ---------------------------------------------------------------- request handling
    def handle(self, req):
        self._tick()
        try:
            if req.path == TOKEN_PATH:
                return self._token(req)
            req.bigchange = self._authorise(req)
            req.bigchange["query"] = bind_query(req.query)
            return self.dispatch(req)
        except Problem as p:
            return self.error(p.status, req=req, detail=p.detail, errors=p.errors, title=p.title)
        except OAuthError as e:
            # DOCUMENTED (docs/api/bigchange.md, Confirmed): token errors are RFC 7807 bodies.
            if self.settings["token_errors"] == "oauth":
                return Response.json(e.status, {"error": e.error, "error_description": e.description})
            return self.error(e.status, req=req, detail=e.description)

    def _token(self, req):
        if req.method != "POST":
            return self.error(405, req=req, allow=["POST"])
        if req.content_type != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "The token request must be form-encoded.")
        form = req.form()
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "Only the client_credentials grant is supported.")
        client = self.clients.get(form.get("client_id") or "")
        if client is None or not form.get("client_secret") or form.get("client_secret") != client["client_secret"]:
            raise OAuthError(401, "invalid_client", "Client authentication failed.")
        token = secrets.token_urlsafe(24)
        lifetime = int(self.settings["token_lifetime"])
        self.tokens[token] = {"client_id": client["client_id"], "customers": list(client["customers"]),
                              "scopes": list(client["scopes"]), "expires": self.sim.now() + lifetime}
        self._event("token_issued", clientId=client["client_id"])
        return Response.json(200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime,
                                   "scope": " ".join(client["scopes"])}, {"Cache-Control": "no-store"})

    def _authorise(self, req):
        token = req.bearer()
        grant = self.tokens.get(token) if token else None
        if grant is None or self.sim.now() >= grant["expires"]:
            raise Problem(401)
        raw = (req.headers.get("Customer-Id") or "").strip()
        if not raw:
            raise Problem(400, detail="The Customer-Id header is required.",
                          errors={"Customer-Id": ["The Customer-Id header is required."]})
        if not raw.isdigit():
            raise Problem(400, detail="The Customer-Id header must be a whole number.",
                          errors={"Customer-Id": ["The value '%s' is not valid." % raw[:40]]})
        customer = int(raw)
        if customer not in grant["customers"] or customer not in self.customers:
            raise Problem(403, detail="You do not have access to customer %d." % customer)
        return {"customer": customer, "scopes": grant["scopes"]}

    @staticmethod
    def _need(req, scope):
        if scope not in req.bigchange["scopes"]:
            raise Problem(403, detail="The access token lacks the required scope %s." % scope)

    def _job(self, req, job_id):
        number = _positive_int(job_id)
        if number is None:
            raise Problem(400, detail="The jobId must be a whole number of at least 1.",
                          errors={"jobId": ["The value '%s' is not valid." % job_id[:40]]})
        job = self.jobs.get(number)
        if job is None or job["customerId"] != req.bigchange["customer"]:
            raise Problem(404, detail="Job %d was not found." % number)
        return job

    @staticmethod
    def _arg(req, name):
        """First value of the query parameter ``name``, whatever its casing."""
        values = req.bigchange["query"].get(name)
        return values[0] if values else None

    def _page_arg(self, req, name, default, high):
        raw = self._arg(req, name)
        if raw is None:
            return default
        number = _positive_int(raw)
        if number is None or number > high:
            raise Problem(400, detail="The request parameters are not valid.",
                          errors={name: ["%s must be between 1 and %d." % (name, high)]})
        return number

    @staticmethod
    def _values(req, name):
        """Every value of an array filter: repeated keys (id=1&id=2); status may also be comma-separated."""
        values = req.bigchange["query"].get(name, [])
        if name == "status":
            values = [s for value in values for s in value.split(",")]
        return [v for v in values if v != ""]

    def _date(self, req, name):
        raw = self._arg(req, name)
        if raw is None or raw == "":
            return None
        try:
            return parse_time(raw)
        except ValueError:
            raise Problem(400, detail="The request parameters are not valid.",
                          errors={name: ["The value '%s' is not a valid date-time." % raw[:40]]}) from None

    def _list_filters(self, req):
        """The filters of GET /v1/jobs, refused as the live API refuses them."""
        values = dict((name, self._values(req, name)) for name in ARRAY_FILTERS)
        cap = self.settings["max_filter_values"]
        if cap is not None:
            for name in ARRAY_FILTERS:
                if len(values[name]) > int(cap):
                    raise Problem(422, title="One or more validation errors occurred.",
                                  detail="A filter holds too many values.",
                                  errors={name: ["The filter %s takes at most %d values, got %d."
                                                 % (name, int(cap), len(values[name]))]})
        ranges = [(self._date(req, low), self._date(req, high), field) for low, high, field in DATE_RANGES]
        usable = values["id"] or values["reference"] or any(a is not None and b is not None for a, b, f in ranges)
        if self.settings["require_filter"] and not usable:
            raise _Exact(Response.json(422, NO_FILTER_BODY, content_type="application/problem+json"))
        for status in values["status"]:
            if status not in ALL_STATUSES:
                raise Problem(400, detail="The request parameters are not valid.",
                              errors={"status": ["'%s' is not a job status." % status[:40]]})
        numbers = {}
        for name in ("id", "contactId", "resourceId"):
            numbers[name] = []
            for value in values[name]:
                number = _positive_int(value)
                if number is None:
                    raise Problem(400, detail="The request parameters are not valid.",
                                  errors={name: ["The value '%s' is not valid." % value[:40]]})
                numbers[name].append(number)
        return numbers, values, ranges

    @route("GET", r"/jobs")
    def list_jobs(self, req):
        self._need(req, "jobs:read")
        page_number = self._page_arg(req, "pageNumber", 1, 2147483)
        page_size = self._page_arg(req, "pageSize", int(self.settings["default_page_size"]), 1000)
        try:
            numbers, values, ranges = self._list_filters(req)
        except _Exact as exact:
            return exact.response
        jobs = sorted((j for j in self.jobs.values() if j["customerId"] == req.bigchange["customer"]),
                      key=lambda j: j["id"])
        if not self.settings["ignore_filters"]:
            for name in ("id", "contactId", "resourceId"):
                if numbers[name]:
                    jobs = [j for j in jobs if j[name] in numbers[name]]
            for name in ("reference", "status"):
                if values[name]:
                    jobs = [j for j in jobs if j[name] in values[name]]
            for low, high, field in ranges:
                if low is not None:
                    jobs = [j for j in jobs if j[field] is not None and j[field] >= low]
                if high is not None:
                    jobs = [j for j in jobs if j[field] is not None and j[field] <= high]
        if self.settings["ignore_page_number"]:
            page_number = 1
        start = (page_number - 1) * page_size
        items = [self._job_view(j) for j in jobs[start:start + page_size]]
        body = {"items": items}
        if self.settings["page_envelope"]:
            body.update(pageNumber=page_number, pageSize=page_size, pageItemCount=len(items))
        return Response.json(200, body)

    @route("GET", r"/jobs/(?P<job_id>[^/]+)")
    def get_job(self, req, job_id):
        self._need(req, "jobs:read")
        return Response.json(200, self._job_view(self._job(req, job_id)))

    @route("GET", r"/jobs/(?P<job_id>[^/]+)/statusHistory")
    def status_history(self, req, job_id):
        self._need(req, "jobs:read")
        job = self._job(req, job_id)
        page_number = self._page_arg(req, "pageNumber", 1, 2147483)
        page_size = self._page_arg(req, "pageSize", int(self.settings["default_page_size"]), 1000)
        history = [{"id": h["id"], "status": h["status"], "createdAt": self._time("createdAt", h["createdAt"]),
                    "comment": h["comment"]} for h in job["history"]]
        if self._arg(req, "direction") == "descending":
            history.reverse()
        start = (page_number - 1) * page_size
        items = history[start:start + page_size]
        body = {"items": items}
        if self.settings["page_envelope"]:
            body.update(pageNumber=page_number, pageSize=page_size, pageItemCount=len(items))
        return Response.json(200, body)

    @route("PUT", r"/jobs/(?P<job_id>[^/]+)/cancel")
    def cancel_job(self, req, job_id):
        self._need(req, "jobs:write")
        job = self._job(req, job_id)
        try:
            body = req.json()
        except InvalidJSON as exc:
            raise Problem(400, detail=str(exc)) from None
        reason = body.get("reason") if isinstance(body, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise Problem(422, detail="One or more validation errors occurred.",
                          errors={"reason": ["A reason for the cancellation is required."]})
        limit = int(self.settings["max_reason"])
        if len(reason) > limit:
            raise Problem(422, detail="One or more validation errors occurred.",
                          errors={"reason": ["The reason must be at most %d characters long." % limit]})
        if job["status"] == "cancelled":
            answer = self.settings["second_cancel"]
            self._event("job_cancel_repeated", jobId=job["id"], answer=answer)
            if answer == 204:
                # Accepted again: nothing changes, and nothing says so.
                return Response.empty(204)
            if answer == 409:
                raise Problem(409, detail="The job is already cancelled.")
            raise Problem(422, detail="The job cannot be cancelled.",
                          errors={"status": ["A job with status 'cancelled' cannot be cancelled."]})
        if job["status"] in NOT_CANCELLABLE or job["status"] not in ALL_STATUSES:
            message = "A job with status '%s' cannot be cancelled." % job["status"]
            if self.settings["refusal_status"] == 409:
                raise Problem(409, detail=message)
            raise Problem(422, detail="The job cannot be cancelled.", errors={"status": [message]})
        job["cancel_reason"] = reason
        self._set_status(job, "cancelled", self.sim.now(), comment=reason)
        self._event("job_cancelled", jobId=job["id"], reason=reason)
        req.acted = True
        return Response.empty(204)


class _Exact(Exception):
    """An answer to send as it is (the live API's exact 422 body, without the usual Problem fields)."""

    def __init__(self, response):
        super().__init__("exact response")
        self.response = response


def demo_bigchange(now):
    """A field-service day: jobs waiting, on their way, under way and done, for customer 1001."""
    hour = 3600
    jobs = [
        {"id": 480101, "status": "scheduled", "starts_in": 3 * hour, "reference": "BC-SERV-0101",
         "description": "Annual boiler service", "contactName": "Harbour View Flats",
         "contactAddress": "2 Harbour View, Bristol BS1 5TY"},
        {"id": 480102, "status": "scheduled", "starts_in": 26 * hour, "reference": "BC-SERV-0102",
         "description": "Gas safety certificate", "contactName": "Northgate Dental",
         "contactAddress": "14 Northgate Street, Bath BA1 5AS", "duration": 30 * 60},
        {"id": 480103, "status": "accepted", "starts_in": 5 * hour, "reference": "BC-INST-0103",
         "description": "Install heat pump", "typeName": "Installation", "typeId": 14},
        {"id": 480104, "status": "onTheWay", "starts_in": 20 * 60, "reference": "BC-REP-0104",
         "description": "Leaking radiator valve", "typeName": "Repair", "typeId": 13},
        {"id": 480105, "status": "started", "starts_in": -hour, "duration": 4 * hour, "reference": "BC-REP-0105",
         "description": "No hot water", "typeName": "Repair", "typeId": 13},
        {"id": 480106, "status": "suspended", "starts_in": -2 * hour, "duration": 6 * hour, "reference": "BC-INST-0106",
         "description": "Replace cylinder", "typeName": "Installation", "typeId": 14},
        {"id": 480107, "status": "completedOk", "starts_in": -26 * hour, "reference": "BC-SERV-0107",
         "description": "Annual boiler service", "isFinanciallyComplete": True, "isActioned": True},
        {"id": 480108, "status": "cancelled", "starts_in": 48 * hour, "reference": "BC-SERV-0108",
         "description": "Customer moved out"},
        # As live data shows them: no reference at all (null), though documented as non-nullable.
        {"id": 480109, "status": "new", "reference": None, "description": "Quote for new boiler",
         "typeName": "Survey", "typeId": 15},
    ]
    for job in jobs:
        job["createdAt"] = now - 3 * 86400
    return {"jobs": jobs}
