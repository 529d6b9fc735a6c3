"""HostUp cloud API v2, as documented in docs/api/hostup.md.

Served under ``/hostup/api/v2`` (a module's ``api_url`` is ``http://127.0.0.1:PORT/hostup/api/v2``).

Every behaviour is tagged here and at its code as DOCUMENTED (with its source) or INVENTED (what no
document says; easy to change, all in this file; listed in docs/api/hostup.md, Invented). "notes" is
the collection's first API notes (docs/api/hostup.md, Endpoints), "Confirmed" what HostUp's endpoint
pages confirm (docs/api/hostup.md, Confirmed), "seed" HostUp's reference pages for the two DELETEs
(docs/api/hostup.md, Seed).

DOCUMENTED
- Bearer API keys with the scopes ``read:vm``, ``backup:vm``, ``write:vm`` (notes, seed); RFC 7807
  errors with ``code``, ``requestId``, ``timestamp``, ``errors[]`` and
  ``type = https://developer.hostup.se/errors/<code>`` (notes, seed); 429 with ``Retry-After`` and
  ``X-RateLimit-*``, ``X-RateLimit-Reset`` an ISO time, codes ``rate_limit_exceeded``/``rate_limited``
  (notes, ``settings.rate_limit_code``).
- IDs: a prefix and 26 lowercase base32 characters (notes; Confirmed: only ever shown by example).
  A seed may give any ID (``..``, ``.``, ``a/b``) to test that clients never put such an ID in a path.
- ``GET /vps`` with ``limit`` 1-100, ``cursor``/``nextCursor``, ``name``, ``primaryIp`` (notes).
- ``DELETE /vps/{id}/active-jobs`` with ``{"jobType"}`` -> 200 ``{"cancelled", "reason"}``, cancelling by
  type; ``cancelled: false`` with a reason when nothing runs (seed).
- ``GET /vps/{id}/backups`` -> ``{backups, quotaInfo, actions}`` (notes); ``actions.canCreateBackup`` and
  ``actions.canRestore`` are objects ``{allowed, reason, code}`` (Confirmed); ``createdAt`` and ``note``
  may be null (Confirmed: seed a backup with ``"createdAt": null``); ``quotaInfo.limit`` and
  ``.remaining`` may be null (Confirmed: seed a VPS with ``"quota_limit": null``).
- ``DELETE /vps/{id}/backups/{backupId}`` -> 204, 404 when the backup or VPS is not there or not the
  caller's (seed).
- ``POST /vps/{id}/backups`` -> 202 ``{"operation": {status, jobId, pollUrl, result}}``; ``pollUrl`` is
  ``/api/jobs/{jobId}`` (notes, Confirmed; that URL itself is not served here).

INVENTED
- The schema of ``GET /vps/{id}/active-jobs`` (notes: unconfirmed). Default ``{"data": [job...]}``, each
  job ``{id, jobType, status, progress, startedAt}`` (+ ``backupId`` for a restore), status ``running``
  or ``cancelling``. The settings serve every other shape the modules accept: ``active_jobs_key``
  (``data``, ``jobs``, ``activeJobs``, ``data.jobs``, ``data.activeJobs``, or null for a bare list),
  ``job_type_key`` (``jobType``, ``type``), ``job_status_key`` (``status``, ``state``).
- A cancelled job stays ``cancelling`` for ``settings.cancel_delay`` seconds, then leaves the list.
- ``DELETE .../backups/{backupId}`` of a backup a restore job is using answers 409 ``conflict``
  (the seed lists no 409; issue 11 asks clients to treat a refusal as "kept, reported").
- The ``reason``/``code`` texts of the ``actions`` objects; a backup is allowed unless the quota is
  used up or a backup job runs; a restore unless a job runs or there is no backup.
- The backup quota counts every backup, manual and scheduled; ``quota_used`` in a VPS seed overrides
  ``quotaInfo.used`` (a number, or null) to make a list look incomplete.
- Backups are listed newest first; those without a ``createdAt`` last. ``createdAt_raw`` in a backup
  seed serves any JSON value as ``createdAt`` (an unreadable date).
- The shape of ``operatingSystem``, ``billing``, ``resources``, ``displayId`` and ``storageKey``;
  ``GET /vps?name=`` matches a case-insensitive substring (a module must still compare exactly).
- ``POST .../backups/{backupId}/actions/restore`` takes no body and starts a restore job.
- Requests whose User-Agent is missing or urllib's default get Cloudflare's 403 "error code: 1010"
  (the notes report urllib's agent as rejected; ``settings.reject_default_user_agent``).
- The seed for the backup DELETE also says the ID comes from ``data[].id`` of the list; its own
  parameter text and the notes say ``backups[].id``, which is what is served.
"""

import base64
import datetime
import json
import random

from .core import API, InvalidJSON, Response, parse_time, register, route

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ERROR_TYPE = "https://developer.hostup.se/errors/%s"
SCOPES = ("read:vm", "backup:vm", "write:vm")
JOB_TYPES = ("backup", "restore")
BACKUP_TYPES = ("manual", "scheduled")

DEFAULT_KEYS = (
    {"key": "hostup-test-key", "scopes": list(SCOPES)},
    {"key": "hostup-readonly-key", "scopes": ["read:vm"]},
)
DEFAULT_ACCOUNT = "acct_default"
DEFAULT_SETTINGS = {
    "cancel_delay": 2.0,          # a cancelled job stays "cancelling" this long (sim seconds)
    "backup_duration": 30.0,      # a backup started with POST .../backups finishes after this long
    "restore_duration": 120.0,    # a restore started with POST .../actions/restore finishes after this long
    "seeded_job_duration": 600.0,  # default duration of a seeded job
    "quota_limit": 10,            # default backup quota of a VPS
    "reject_default_user_agent": True,
    "rate_limit_limit": 60,       # X-RateLimit-Limit of a 429 that no configured bucket produced
    "rate_limit_code": "rate_limit_exceeded",  # the notes have seen rate_limited too
    # INVENTED (the active-jobs schema is unconfirmed): where the list, each job's type and its state are.
    "active_jobs_key": "data",
    "job_type_key": "jobType",
    "job_status_key": "status",
}
# The values each shape setting may take (None: the list is the whole body).
SHAPES = {
    "active_jobs_key": ("data", "jobs", "activeJobs", "data.jobs", "data.activeJobs", None),
    "job_type_key": ("jobType", "type"),
    "job_status_key": ("status", "state"),
}

# status -> (code, title, detail): the seed's where it shows one (docs/api/hostup.md, Seed), else INVENTED
PROBLEMS = {
    400: ("invalid_request", "Invalid request", "The request body failed validation."),
    401: ("unauthorized", "Unauthorized", "Authentication is required."),
    403: ("forbidden", "Forbidden", "The caller lacks a required scope or does not own the resource."),
    404: ("not_found", "Not found", "The requested resource could not be found."),
    405: ("method_not_allowed", "Method not allowed", "The method is not allowed for this resource."),
    409: ("conflict", "Conflict", "The request conflicts with the current state of the resource."),
    422: ("unprocessable_entity", "Unprocessable entity", "The request could not be processed."),
    429: ("rate_limit_exceeded", "Too many requests", "Too many requests. Retry after the limit resets."),
    500: ("internal_error", "Internal server error",
          "An unexpected error occurred. Retry later or contact support if the issue persists."),
    502: ("bad_gateway", "Bad gateway", "The upstream service returned an invalid response."),
    503: ("service_unavailable", "Service unavailable", "The service is temporarily unavailable. Retry later."),
    504: ("gateway_timeout", "Gateway timeout", "The upstream service did not answer in time."),
}
TITLES = {"quota_exceeded": "Quota exceeded"}

_rng = random.Random()


def new_id(prefix, now):
    """``prefix_`` + 26 lowercase Crockford base32 characters, ULID-like (time, then randomness)."""
    ms = int(now * 1000) & ((1 << 48) - 1)
    stamp = "".join(CROCKFORD[(ms >> (5 * i)) & 31] for i in range(9, -1, -1))
    return "%s_%s%s" % (prefix, stamp, "".join(_rng.choice(CROCKFORD) for dummy in range(16)))


def iso(ts):
    """Epoch seconds -> ``2026-04-27T12:34:56.000Z``."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


class Problem(Exception):
    def __init__(self, status, code=None, detail=None, errors=None, headers=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers


def _invalid(pointer, detail):
    return Problem(400, detail="The request body failed validation.",
                   errors=[{"pointer": pointer, "detail": detail, "code": "invalid_request"}])


@register
class HostUpAPI(API):
    name = "hostup"
    prefix = "/hostup"
    base = "/api/v2"

    # ---------------------------------------------------------------- state
    def reset(self):
        self.keys = {}
        self.vps = {}           # id -> record (insertion order is the list order)
        self.settings = dict(DEFAULT_SETTINGS)
        self.events = []
        for key in DEFAULT_KEYS:
            self._add_key(dict(key))

    def _add_key(self, spec):
        key = spec.get("key")
        if not key or not isinstance(key, str):
            raise ValueError("hostup api_keys[].key must be a non-empty string")
        scopes = list(spec.get("scopes", SCOPES))
        for scope in scopes:
            if scope not in SCOPES:
                raise ValueError("unknown HostUp scope %r (known: %s)" % (scope, ", ".join(SCOPES)))
        self.keys[key] = {"key": key, "scopes": scopes, "account": spec.get("account", DEFAULT_ACCOUNT)}
        return dict(self.keys[key])

    def _event(self, kind, **fields):
        self.events.append(dict({"time": iso(self.sim.now()), "event": kind}, **fields))

    def _tick(self):
        """Move jobs along the simulated clock: cancelled jobs disappear, finished ones end."""
        now = self.sim.now()
        for vps in self.vps.values():
            for job in list(vps["jobs"]):
                if job["status"] == "cancelling":
                    if now >= job["cancelAt"]:
                        vps["jobs"].remove(job)
                        self._event("job_cancelled", vpsId=vps["id"], jobId=job["id"], jobType=job["jobType"])
                elif job["duration"] is not None and now >= job["started"] + job["duration"]:
                    vps["jobs"].remove(job)
                    done = job["started"] + job["duration"]
                    self._event("job_finished", vpsId=vps["id"], jobId=job["id"], jobType=job["jobType"])
                    if job["jobType"] == "backup":
                        backup = self._add_backup(vps, {"createdAt": done, "backupType": job["backupType"],
                                                        "note": job["note"]})
                        self._event("backup_created", vpsId=vps["id"], backupId=backup["id"], jobId=job["id"])

    # ---------------------------------------------------------------- seeding
    def seed(self, data):
        if not isinstance(data, dict):
            raise ValueError("the hostup seed must be an object")
        unknown = set(data) - {"api_keys", "vps", "settings"}
        if unknown:
            raise ValueError("unknown hostup seed key(s): %s" % ", ".join(sorted(unknown)))
        for key, value in (data.get("settings") or {}).items():
            if key not in DEFAULT_SETTINGS:
                raise ValueError("unknown hostup setting %r" % key)
            if key in SHAPES and value not in SHAPES[key]:
                raise ValueError("hostup setting %s must be one of %s, not %r" % (key, list(SHAPES[key]), value))
            self.settings[key] = value
        created = {"api_keys": [self._add_key(k) for k in data.get("api_keys") or []], "vps": []}
        for spec in data.get("vps") or []:
            vps = self._seed_vps(spec)
            created["vps"].append(dict(self._vps_view(vps), backups=self._backups_view(vps),
                                       active_jobs=[self._job_view(j) for j in vps["jobs"]]))
        if "settings" in data:
            created["settings"] = dict(self.settings)
        return created

    def _seed_vps(self, spec):
        now = self.sim.now()
        vps = self.vps.get(spec.get("id"))
        if vps is None:
            n = len(self.vps) + 1
            vps = {
                "id": spec.get("id") or self._unique("vps"),
                "name": "vps-%d" % n,
                "primaryIp": "203.0.113.%d" % (10 + n % 240),
                "serviceStatus": "active",
                "powerState": "running",
                "operatingSystem": {"id": "ubuntu-24.04", "name": "Ubuntu 24.04 LTS"},
                "billing": {"cycle": "monthly", "price": 149.0, "currency": "SEK",
                            "nextDueDate": iso(now + 20 * 86400)[:10]},
                "resources": {"cpuCores": 2, "memoryMb": 4096, "diskGb": 80},
                "account": DEFAULT_ACCOUNT,
                "quota_limit": int(self.settings["quota_limit"]),
                "quota_used": None,
                "quota_used_set": False,
                "backups": [],
                "jobs": [],
            }
            self.vps[vps["id"]] = vps
        for key in ("name", "primaryIp", "serviceStatus", "powerState", "operatingSystem", "billing",
                    "resources", "account"):
            if key in spec:
                vps[key] = spec[key]
        if "quota_limit" in spec:
            # DOCUMENTED (Confirmed): a null limit (and so a null remaining).
            vps["quota_limit"] = None if spec["quota_limit"] is None else int(spec["quota_limit"])
        if "quota_used" in spec:
            # INVENTED: quotaInfo.used as given (a number, or null), whatever the list holds.
            vps["quota_used"] = spec["quota_used"]
            vps["quota_used_set"] = True
        backups = spec.get("backups") or []
        if isinstance(backups, dict):
            count = int(backups.get("count", 0))
            backups = [{"createdAt": now - (count - i) * 86400 - 3600,
                        "backupType": "scheduled" if i % 2 == 0 else "manual"} for i in range(count)]
        for b in backups:
            self._add_backup(vps, b)
        for j in spec.get("active_jobs") or []:
            self._seed_job(vps, j)
        return vps

    def _seed_job(self, vps, spec):
        job_type = spec.get("jobType")
        if job_type not in JOB_TYPES:
            raise ValueError("hostup active_jobs[].jobType must be backup or restore, not %r" % job_type)
        status = spec.get("status", "running")
        if status not in ("running", "cancelling"):
            raise ValueError("hostup active_jobs[].status must be running or cancelling")
        duration = spec.get("duration", self.settings["seeded_job_duration"])
        backup_id = spec.get("backupId")
        if job_type == "restore" and backup_id is None and vps["backups"]:
            backup_id = self._sorted_backups(vps)[0]["id"]
        job = self._new_job(vps, job_type, duration=duration, progress=spec.get("progress", 0),
                            backup_type=spec.get("backupType", "manual"), note=spec.get("note"),
                            backup_id=backup_id, job_id=spec.get("id"),
                            started=parse_time(spec["startedAt"]) if "startedAt" in spec else None,
                            cancel_delay=spec.get("cancel_delay"))
        if status == "cancelling":
            job["progressAt"] = self._job_view(job)["progress"]
            job["status"] = "cancelling"
            job["cancelAt"] = self.sim.now() + job["cancel_delay"]
        return job

    def _new_job(self, vps, job_type, duration, progress=0, backup_type="manual", note=None, backup_id=None,
                 job_id=None, started=None, cancel_delay=None):
        if backup_type not in BACKUP_TYPES:
            raise ValueError("backupType must be manual or scheduled")
        job = {"id": job_id or self._unique("job"), "jobType": job_type, "status": "running",
               "started": self.sim.now() if started is None else started,
               "duration": float(duration) if duration is not None else None,
               "progress0": int(progress), "progressAt": None, "cancelAt": None,
               "cancel_delay": float(self.settings["cancel_delay"] if cancel_delay is None else cancel_delay),
               "backupType": backup_type, "note": note, "backupId": backup_id}
        vps["jobs"].append(job)
        return job

    def _add_backup(self, vps, spec):
        now = self.sim.now()
        if "createdAt_raw" in spec:
            # INVENTED: any JSON value as createdAt (an unreadable date); it sorts last, like null.
            created, shown = None, spec["createdAt_raw"]
        elif "createdAt" in spec and spec["createdAt"] is None:
            # DOCUMENTED (Confirmed): createdAt may be null.
            created, shown = None, None
        else:
            created = parse_time(spec["createdAt"]) if "createdAt" in spec else \
                now - float(spec.get("age_days", 0)) * 86400
            shown = iso(created)
        backup_type = spec.get("backupType", "manual")
        if backup_type not in BACKUP_TYPES:
            raise ValueError("hostup backups[].backupType must be manual or scheduled, not %r" % backup_type)
        # Any ID a seed gives is kept as it is ("..", "a/b"): clients must never put such an ID in a path.
        bid = spec.get("id") or self._unique("bkp")
        stamp = iso(created if created is not None else now)
        backup = {
            "id": bid,
            "displayId": spec.get("displayId") or "%s-%s" % (vps["name"], stamp[:16].replace(":", "").replace("T", "-")),
            "storageKey": spec.get("storageKey") or "vps/%s/backups/%s.qcow2" % (vps["id"], bid),
            "createdAt": shown,
            "sizeGb": spec.get("sizeGb", round(8 + (sum(map(ord, bid)) % 300) / 10.0, 1)),
            "backupType": backup_type,
            "note": spec.get("note"),
            "_created": created,
        }
        vps["backups"].append(backup)
        return backup

    def _unique(self, prefix):
        taken = set(self.vps)
        for vps in self.vps.values():
            taken.update(b["id"] for b in vps["backups"])
            taken.update(j["id"] for j in vps["jobs"])
        while True:
            candidate = new_id(prefix, self.sim.now())
            if candidate not in taken:
                return candidate

    # ---------------------------------------------------------------- views
    def state(self):
        self._tick()
        vps_list = []
        for vps in self.vps.values():
            jobs = []
            for job in vps["jobs"]:
                jobs.append(dict(self._job_view(job), duration=job["duration"],
                                 cancelAt=iso(job["cancelAt"]) if job["cancelAt"] else None))
            vps_list.append(dict(self._vps_view(vps), account=vps["account"], quota_limit=vps["quota_limit"],
                                 backups=self._backups_view(vps), active_jobs=jobs))
        return {"api_keys": [dict(k) for k in self.keys.values()], "settings": dict(self.settings),
                "vps": vps_list, "events": list(self.events)}

    @staticmethod
    def _vps_view(vps):
        keys = ("id", "name", "primaryIp", "serviceStatus", "powerState", "operatingSystem", "billing", "resources")
        return json.loads(json.dumps({k: vps[k] for k in keys}))

    def _job_view(self, job):
        progress = job["progress0"]
        if job["status"] == "cancelling":
            progress = job["progressAt"]
        elif job["duration"]:
            frac = min(1.0, max(0.0, (self.sim.now() - job["started"]) / job["duration"]))
            progress = min(99, int(progress + (100 - progress) * frac))
        view = {"id": job["id"], "jobType": job["jobType"], "status": job["status"], "progress": progress,
                "startedAt": iso(job["started"])}
        if job["jobType"] == "restore":
            view["backupId"] = job["backupId"]
        return view

    @staticmethod
    def _sorted_backups(vps):
        # INVENTED: newest first, backups without a readable createdAt last (in the order they came).
        dated = [b for b in vps["backups"] if b["_created"] is not None]
        undated = [b for b in vps["backups"] if b["_created"] is None]
        return sorted(dated, key=lambda b: b["_created"], reverse=True) + undated

    def _backups_view(self, vps):
        return [{k: v for k, v in b.items() if not k.startswith("_")} for b in self._sorted_backups(vps)]

    def _quota(self, vps):
        # INVENTED: every backup counts, manual and scheduled. DOCUMENTED (Confirmed): limit and
        # remaining may be null.
        used = vps["quota_used"] if vps["quota_used_set"] else len(vps["backups"])
        limit = vps["quota_limit"]
        remaining = None if limit is None or not isinstance(used, (int, float)) else max(0, limit - used)
        return {"used": used, "limit": limit, "remaining": remaining}

    @staticmethod
    def _action(allowed, reason=None, code=None):
        """DOCUMENTED (Confirmed): an action is an object {allowed, reason, code}; INVENTED: its texts."""
        return {"allowed": allowed, "reason": None if allowed else reason, "code": None if allowed else code}

    def _actions(self, vps):
        quota = self._quota(vps)
        active = {j["jobType"] for j in vps["jobs"]}
        if "backup" in active:
            create = self._action(False, "A backup job is already active for this VPS.", "job_active")
        elif quota["remaining"] is not None and quota["remaining"] <= 0:
            create = self._action(False, "The backup quota of this VPS is used up.", "quota_exceeded")
        else:
            create = self._action(True)
        if active:
            restore = self._action(False, "Another job is already active for this VPS.", "job_active")
        elif not vps["backups"]:
            restore = self._action(False, "This VPS has no backup to restore.", "no_backups")
        else:
            restore = self._action(True)
        return {"canCreateBackup": create, "canRestore": restore}

    # ---------------------------------------------------------------- errors
    def error(self, status, req=None, code=None, detail=None, title=None, errors=None, retry_after=None,
              rate_limit=None, allow=None, headers=None, **_kw):
        default_code, default_title, default_detail = PROBLEMS.get(
            status, ("error", "Error", "The request failed."))
        code = code or (self.settings["rate_limit_code"] if status == 429 else default_code)
        request_id = new_id("req", self.sim.now())
        body = {
            "type": ERROR_TYPE % code,
            "title": title or TITLES.get(code) or default_title,
            "status": status,
            "detail": detail or default_detail,
            "code": code,
            "instance": req.path if req is not None else self.base,
            "requestId": request_id,
            "timestamp": iso(self.sim.now()),
        }
        if errors:
            body["errors"] = errors
        out = {"X-Request-Id": request_id}
        out.update(self.throttle_headers(status, retry_after, rate_limit, allow))
        if status == 401:
            out["WWW-Authenticate"] = 'Bearer realm="hostup"'
        out.update(headers or {})
        return Response.json(status, body, out, content_type="application/problem+json")

    def rate_limit_headers(self, limit, remaining, reset):
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": iso(reset)}

    # ---------------------------------------------------------------- request handling
    def handle(self, req):
        if self.settings["reject_default_user_agent"]:
            agent = req.headers.get("User-Agent") or ""
            if not agent.strip() or agent.startswith("Python-urllib/"):
                return Response.text(403, "error code: 1010", {"Server": "cloudflare"})
        self._tick()
        try:
            token = req.bearer()
            if token is None:
                raise Problem(401)
            key = self.keys.get(token)
            if key is None:
                raise Problem(401, detail="The API key is invalid or has been revoked.")
            req.hostup_key = key
            resp = self.dispatch(req)
        except Problem as p:
            resp = self.error(p.status, req=req, code=p.code, detail=p.detail, errors=p.errors, headers=p.headers)
        if resp.header("X-Request-Id") is None:
            resp.headers["X-Request-Id"] = new_id("req", self.sim.now())
        return resp

    def _need(self, req, scope):
        if scope not in req.hostup_key["scopes"]:
            raise Problem(403, detail="The API key lacks the required scope `%s`." % scope)

    def _get_vps(self, req, vps_id):
        vps = self.vps.get(vps_id)
        if vps is None or vps["account"] != req.hostup_key["account"]:
            raise Problem(404, detail="VPS `%s` was not found." % vps_id)
        return vps

    @route("GET", r"/vps")
    def list_vps(self, req):
        self._need(req, "read:vm")
        raw_limit = req.arg("limit", "20")
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = None
        if limit is None or not 1 <= limit <= 100:
            raise Problem(400, detail="The request parameters failed validation.", errors=[
                {"pointer": "/limit", "detail": "`limit` must be an integer between 1 and 100.", "code": "invalid_request"}])
        items = [v for v in self.vps.values() if v["account"] == req.hostup_key["account"]]
        name = req.arg("name")
        if name:
            items = [v for v in items if name.lower() in v["name"].lower()]
        ip = req.arg("primaryIp")
        if ip:
            items = [v for v in items if v["primaryIp"] == ip]
        start = 0
        cursor = req.arg("cursor")
        if cursor:
            try:
                after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
                start = [v["id"] for v in items].index(after) + 1
            except (ValueError, KeyError, TypeError):
                raise Problem(400, detail="The request parameters failed validation.", errors=[
                    {"pointer": "/cursor", "detail": "`cursor` is invalid or expired.", "code": "invalid_request"}]) from None
        page = items[start:start + limit]
        has_more = start + limit < len(items)
        next_cursor = None
        if has_more:
            next_cursor = base64.urlsafe_b64encode(json.dumps({"after": page[-1]["id"]}).encode()).decode().rstrip("=")
        return Response.json(200, {"data": [self._vps_view(v) for v in page], "hasMore": has_more,
                                   "nextCursor": next_cursor})

    @route("GET", r"/vps/(?P<vps_id>[^/]+)")
    def get_vps(self, req, vps_id):
        self._need(req, "read:vm")
        return Response.json(200, {"data": self._vps_view(self._get_vps(req, vps_id))})

    @route("GET", r"/vps/(?P<vps_id>[^/]+)/active-jobs")
    def list_jobs(self, req, vps_id):
        self._need(req, "read:vm")
        vps = self._get_vps(req, vps_id)
        # INVENTED: the whole shape (notes: unconfirmed); the settings serve each one the modules accept.
        type_key, status_key = self.settings["job_type_key"], self.settings["job_status_key"]
        jobs = []
        for job in vps["jobs"]:
            view = self._job_view(job)
            jobs.append({(type_key if k == "jobType" else status_key if k == "status" else k): v
                         for k, v in view.items()})
        where = self.settings["active_jobs_key"]
        if where is None:
            return Response.json(200, jobs)
        outer, dummy, inner = where.partition(".")
        return Response.json(200, {outer: {inner: jobs}} if inner else {outer: jobs})

    @route("DELETE", r"/vps/(?P<vps_id>[^/]+)/active-jobs")
    def cancel_job(self, req, vps_id):
        self._need(req, "backup:vm")
        try:
            body = req.json()
        except InvalidJSON:
            raise _invalid("/jobType", "`jobType` is required; the request body is not valid JSON.") from None
        if not isinstance(body, dict) or "jobType" not in body:
            raise _invalid("/jobType", "`jobType` is required.")
        job_type = body["jobType"]
        if job_type not in JOB_TYPES:
            raise _invalid("/jobType", "`jobType` must be one of: backup, restore.")
        vps = self._get_vps(req, vps_id)
        for job in vps["jobs"]:
            if job["jobType"] == job_type and job["status"] == "running":
                job["progressAt"] = self._job_view(job)["progress"]
                job["status"] = "cancelling"
                job["cancelAt"] = self.sim.now() + job["cancel_delay"]
                self._event("job_cancel_requested", vpsId=vps_id, jobId=job["id"], jobType=job_type)
                req.acted = True
                return Response.json(200, {"cancelled": True, "reason": None})
        return Response.json(200, {"cancelled": False, "reason": "No active %s job was found to cancel." % job_type})

    @route("GET", r"/vps/(?P<vps_id>[^/]+)/backups")
    def list_backups(self, req, vps_id):
        self._need(req, "read:vm")
        vps = self._get_vps(req, vps_id)
        return Response.json(200, {
            "backups": self._backups_view(vps),
            "quotaInfo": self._quota(vps),
            "actions": self._actions(vps),
        })

    @route("POST", r"/vps/(?P<vps_id>[^/]+)/backups")
    def create_backup(self, req, vps_id):
        self._need(req, "backup:vm")
        body = req.json()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise _invalid("", "The request body must be a JSON object.")
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 255):
            raise _invalid("/note", "`note` must be a string of at most 255 characters.")
        vps = self._get_vps(req, vps_id)
        if any(j["jobType"] == "backup" for j in vps["jobs"]):
            raise Problem(409, detail="A backup job is already active for this VPS.")
        remaining = self._quota(vps)["remaining"]
        if remaining is not None and remaining <= 0:
            raise Problem(422, code="quota_exceeded", detail="The backup quota of this VPS is used up.")
        job = self._new_job(vps, "backup", duration=self.settings["backup_duration"], note=note)
        self._event("job_created", vpsId=vps_id, jobId=job["id"], jobType="backup")
        req.acted = True
        # DOCUMENTED (Confirmed): the pollUrl is /api/jobs/{jobId}.
        return Response.json(202, {"operation": {"status": "queued", "jobId": job["id"],
                                                 "pollUrl": "/api/jobs/%s" % job["id"], "result": None}})

    @route("DELETE", r"/vps/(?P<vps_id>[^/]+)/backups/(?P<backup_id>[^/]+)")
    def delete_backup(self, req, vps_id, backup_id):
        self._need(req, "backup:vm")
        vps = self._get_vps(req, vps_id)
        backup = next((b for b in vps["backups"] if b["id"] == backup_id), None)
        if backup is None:
            raise Problem(404, detail="Backup `%s` was not found." % backup_id)
        if any(j["jobType"] == "restore" and j["backupId"] == backup_id for j in vps["jobs"]):
            # INVENTED: the seed lists no 409; a backup in use by a restore is refused, not deleted.
            raise Problem(409, detail="The backup is being restored and cannot be deleted.")
        vps["backups"].remove(backup)
        req.acted = True
        self._event("backup_deleted", vpsId=vps_id, backupId=backup_id)
        return Response.empty(204)

    @route("POST", r"/vps/(?P<vps_id>[^/]+)/backups/(?P<backup_id>[^/]+)/actions/restore")
    def restore_backup(self, req, vps_id, backup_id):
        self._need(req, "backup:vm")
        vps = self._get_vps(req, vps_id)
        if not any(b["id"] == backup_id for b in vps["backups"]):
            raise Problem(404, detail="Backup `%s` was not found." % backup_id)
        if vps["jobs"]:
            raise Problem(409, detail="Another job is already active for this VPS.")
        job = self._new_job(vps, "restore", duration=self.settings["restore_duration"], backup_id=backup_id)
        self._event("job_created", vpsId=vps_id, jobId=job["id"], jobType="restore")
        req.acted = True
        # INVENTED: the restore's answer; it is shaped like the create-backup answer.
        return Response.json(202, {"operation": {"status": "queued", "jobId": job["id"],
                                                 "pollUrl": "/api/jobs/%s" % job["id"], "result": None}})
