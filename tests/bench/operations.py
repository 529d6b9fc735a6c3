"""The benchmark's table of operations: one entry per module operation.

An entry says how to seed one unit of work in the simulator, which module arguments act on it, the
fewest requests the API allows for it (normal run, check mode, idempotent re-run), and, optionally,
how a careful user would write the same thing with ``ansible.builtin.uri`` (for the per-task cost).
Adding a module is one ``Operation(...)`` here; bench.py does the rest.

Names the entries share with the playbooks bench.py writes:
- ``item``: one unit of work (what ``item()`` returned), e.g. a VPS ID;
- ``bench_items``: the list of units a loop runs over;
- ``bench_api``: the API's settings (URLs, credentials) as bench.py passes them, read from the same
  environment variables the modules read.
"""

# The least request counts are what the API makes unavoidable for the interface's promises
# (docs/outcomes.md): check mode predicts exactly, a re-run reports no change, an unknown parent fails.


class Operation:
    def __init__(self, key, title, api, module, unit, item, args, least, changes=True, pending=None, uri=None,
                 note=""):
        self.key = key
        self.title = title
        self.api = api
        self.module = module
        self.unit = unit          # unit(i) -> the API's seed body for one unit of work
        self.item = item          # item(created) -> the unit as tasks see it, from seed()'s answer
        self.args = args          # module arguments, templated with ``item``
        self.least = least        # (normal, check, re-run): the fewest requests the API allows
        self.changes = changes    # False for read-only operations
        self.pending = pending    # pending(api_state, item) -> True while the work is still to do
        self.uri = uri            # {"prelude": [...], "pair": [...], "single": [...]} or None
        self.note = note


# ---------------------------------------------------------------------------------------- HostUp

def _hostup_vps(item_of):
    return lambda created: item_of(created["vps"][0])


def _vps_by_id(state, vps_id):
    return next((v for v in state["vps"] if v["id"] == vps_id), None)


def _backup_job_running(state, vps_id):
    vps = _vps_by_id(state, vps_id)
    return any(j["jobType"] == "backup" and j["status"] == "running" for j in vps["active_jobs"])


def _backup_present(state, item):
    return any(b["id"] == item["backup"] for b in _vps_by_id(state, item["vps"])["backups"])


def _backups_present(state, item):
    present = {b["id"] for b in _vps_by_id(state, item["vps"])["backups"]}
    return bool(present & set(item["backups"]))


def _over_keep_last(state, vps_ids):
    return any(len(_vps_by_id(state, v)["backups"]) > 2 for v in vps_ids)


HOSTUP_AUTH = {"Authorization": "Bearer {{ bench_api.key }}"}

CANCEL_URI = {
    "pair": [
        {"name": "uri: read the active jobs", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item }}/active-jobs", "headers": HOSTUP_AUTH},
         "loop": "{{ bench_items }}", "register": "bench_read", "no_log": True},
        {"name": "uri: cancel where a backup job runs", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item.item }}/active-jobs", "method": "DELETE",
            "body_format": "json", "body": {"jobType": "backup"}, "headers": HOSTUP_AUTH},
         "loop": "{{ bench_read.results }}",
         "when": "item.json.data | selectattr('jobType', 'equalto', 'backup') | selectattr('status', 'equalto', 'running')"
                 " | list | length > 0",
         "no_log": True},
    ],
    "single": [
        {"name": "uri: cancel", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item }}/active-jobs", "method": "DELETE",
            "body_format": "json", "body": {"jobType": "backup"}, "headers": HOSTUP_AUTH},
         "loop": "{{ bench_items }}", "no_log": True},
    ],
}

DELETE_BACKUP_URI = {
    "pair": [
        {"name": "uri: read the backup list", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item.vps }}/backups", "headers": HOSTUP_AUTH},
         "loop": "{{ bench_items }}", "register": "bench_read", "no_log": True},
        {"name": "uri: delete the backup where it is listed", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item.item.vps }}/backups/{{ item.item.backup }}", "method": "DELETE",
            "status_code": [204], "headers": HOSTUP_AUTH},
         "loop": "{{ bench_read.results }}",
         "when": "item.item.backup in (item.json.backups | map(attribute='id'))", "no_log": True},
    ],
    "single": [
        {"name": "uri: delete", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/vps/{{ item.vps }}/backups/{{ item.backup }}", "method": "DELETE",
            "status_code": [204, 404], "headers": HOSTUP_AUTH},
         "loop": "{{ bench_items }}", "no_log": True},
    ],
}

HOSTUP = [
    Operation(
        "cancel", "vps_active_job: cancel the backup job", "hostup", "vps_active_job",
        unit=lambda i: {"vps": [{"name": "bench-%d" % i, "active_jobs": [{"jobType": "backup", "duration": 3600}]}]},
        item=_hostup_vps(lambda vps: vps["id"]),
        args={"vps_id": "{{ item }}", "job_type": "backup"},
        least=(1, 1, 1), pending=_backup_job_running, uri=CANCEL_URI,
        note="one DELETE answers whether anything was cancelled; check mode must read the jobs instead"),
    Operation(
        "jobs_info", "vps_active_job_info", "hostup", "vps_active_job_info",
        unit=lambda i: {"vps": [{"name": "bench-%d" % i, "active_jobs": [{"jobType": "restore", "duration": 3600}]}]},
        item=_hostup_vps(lambda vps: vps["id"]),
        args={"vps_id": "{{ item }}"}, least=(1, 1, 1), changes=False),
    Operation(
        "delete", "vps_backup: delete one backup", "hostup", "vps_backup",
        unit=lambda i: {"vps": [{"name": "bench-%d" % i, "backups": {"count": 3}}]},
        item=_hostup_vps(lambda vps: {"vps": vps["id"], "backup": vps["backups"][-1]["id"]}),
        args={"vps_id": "{{ item.vps }}", "backup_id": "{{ item.backup }}"},
        least=(2, 1, 1), pending=_backup_present, uri=DELETE_BACKUP_URI,
        note="a DELETE alone cannot tell an unknown VPS (a failure) from a backup already gone (no change): "
             "the list is read once"),
    Operation(
        "delete5", "vps_backup: delete 5 of 10 backups", "hostup", "vps_backup",
        unit=lambda i: {"vps": [{"name": "bench-%d" % i, "backups": {"count": 10}}]},
        item=_hostup_vps(lambda vps: {"vps": vps["id"], "backups": [b["id"] for b in vps["backups"][5:]]}),
        args={"vps_id": "{{ item.vps }}", "backup_ids": "{{ item.backups }}"},
        least=(6, 1, 1), pending=_backups_present),
    Operation(
        "backups_info", "vps_backup_info", "hostup", "vps_backup_info",
        unit=lambda i: {"vps": [{"name": "bench-%d" % i, "backups": {"count": 5}}]},
        item=_hostup_vps(lambda vps: vps["id"]),
        args={"vps_id": "{{ item }}"}, least=(1, 1, 1), changes=False),
    Operation(
        "vps_info", "vps_info: list the VPS of one name", "hostup", "vps_info",
        unit=lambda i: {"vps": [{"name": "bench-info-%06d" % i}]},
        item=_hostup_vps(lambda vps: vps["name"]),
        args={"name": "{{ item }}"}, least=(1, 1, 1), changes=False),
    Operation(
        "retention", "vps_backup_retention: 3 VPS x 10, keep_last 2", "hostup", "vps_backup_retention",
        unit=lambda i: {"vps": [{"name": "bench-%d-%d" % (i, n), "backups": {"count": 10}} for n in range(3)]},
        item=lambda created: [vps["id"] for vps in created["vps"]],
        args={"vps_ids": "{{ item }}", "keep_last": 2},
        least=(27, 3, 3), pending=_over_keep_last,
        note="one list per VPS, one DELETE per doomed backup (3 + 24)"),
]


# ---------------------------------------------------------------------------------- Cloud Foundry

def _cf_task_active(state, guid):
    return any(t["guid"] == guid and t["state"] in ("PENDING", "RUNNING") for t in state["tasks"])


CF_AUTH = {"Authorization": "bearer {{ bench_token.json.access_token }}"}

# The uri user logs in once per playbook, as the cf CLI does: the token URL from the root document,
# then UAA's password grant with the cf CLI's client (HTTP Basic "cf:").
CF_LOGIN = [
    {"name": "uri: read the root document", "ansible.builtin.uri": {"url": "{{ bench_api.url }}/"},
     "register": "bench_root"},
    {"name": "uri: log in to UAA", "ansible.builtin.uri": {
        "url": "{{ bench_root.json.links.login.href }}/oauth/token", "method": "POST",
        "body_format": "form-urlencoded",
        "body": {"grant_type": "password", "username": "{{ bench_api.username }}",
                 "password": "{{ bench_api.password }}"},
        "headers": {"Authorization": "Basic {{ 'cf:' | b64encode }}"}},
     "register": "bench_token", "no_log": True},
]

CF_CANCEL_URI = {
    "prelude": CF_LOGIN,
    "pair": [
        {"name": "uri: read the task", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v3/tasks/{{ item }}", "headers": CF_AUTH},
         "loop": "{{ bench_items }}", "register": "bench_read", "no_log": True},
        {"name": "uri: cancel the task where it is PENDING or RUNNING", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v3/tasks/{{ item.item }}/actions/cancel", "method": "POST",
            "status_code": [202], "headers": CF_AUTH},
         "loop": "{{ bench_read.results }}", "when": "item.json.state in ['PENDING', 'RUNNING']", "no_log": True},
    ],
    "single": [
        {"name": "uri: cancel", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v3/tasks/{{ item }}/actions/cancel", "method": "POST",
            "status_code": [202, 422], "headers": CF_AUTH},
         "loop": "{{ bench_items }}", "no_log": True},
    ],
}


def _cf_app_task(created):
    app = created["apps"][0]
    return {"app": app["name"], "seq": app["tasks"][0]["sequence_id"], "guid": app["tasks"][0]["guid"]}


CLOUDFOUNDRY = [
    Operation(
        "cf_cancel", "cf_task: cancel a RUNNING task", "cloudfoundry", "cf_task",
        unit=lambda i: {"apps": [{"name": "bench-%d" % i, "tasks": [{"name": "migrate", "state": "RUNNING"}]}]},
        item=lambda created: created["apps"][0]["tasks"][0]["guid"],
        args={"guid": "{{ item }}"}, least=(4, 3, 3), pending=_cf_task_active, uri=CF_CANCEL_URI,
        note="GET / (token URL) + token + GET task + cancel; the cancel of a CANCELING task is accepted "
             "again, so only a read tells the re-run there is nothing to do"),
    Operation(
        "cf_by_name", "cf_task: cancel by app name and sequence ID", "cloudfoundry", "cf_task",
        unit=lambda i: {"apps": [{"name": "bench-named-%d" % i, "tasks": [{"name": "migrate", "state": "RUNNING"}]}]},
        item=_cf_app_task,
        args={"app": "{{ item.app }}", "sequence_id": "{{ item.seq }}"}, least=(5, 4, 4),
        pending=lambda state, item: _cf_task_active(state, item["guid"]),
        note="GET / + token + GET /v3/apps?names= + GET the app's tasks by sequence ID + cancel, as "
             "`cf terminate-task APP N` does"),
    Operation(
        "cf_info", "cf_task_info: one task", "cloudfoundry", "cf_task_info",
        unit=lambda i: {"apps": [{"name": "bench-%d" % i, "tasks": [{"name": "migrate", "state": "RUNNING"}]}]},
        item=lambda created: created["apps"][0]["tasks"][0]["guid"],
        args={"guid": "{{ item }}"}, least=(3, 3, 3), changes=False,
        note="GET / + token + GET task"),
]


# ------------------------------------------------------------------------------------------ VSP

VSP_RUNNING = ("EXAMINING", "PROCESSING", "EXECUTING")


def _vsp_job_running(state, job_id):
    return any(j["jobId"]["id"] == job_id and j["jobState"] in VSP_RUNNING for j in state["jobs"])


def _vsp_jobs_running(state, job_ids):
    return any(_vsp_job_running(state, job_id) for job_id in job_ids)


VSP_TOKEN = [
    {"name": "uri: get a Keycloak token", "ansible.builtin.uri": {
        "url": "{{ bench_api.token_url }}", "method": "POST", "body_format": "form-urlencoded",
        "body": {"grant_type": "password", "client_id": "vsp-object-external-client",
                 "username": "{{ bench_api.username }}", "password": "{{ bench_api.password }}"}},
     "register": "bench_token", "no_log": True},
]


def _vsp_headers(xsrf, session):
    """A job call's headers: the Bearer token, the XSRF token as header and cookie, the session cookie."""
    return {"Authorization": "Bearer {{ bench_token.json.access_token }}",
            "X-XSRF-TOKEN": "{{ %s }}" % xsrf,
            "Cookie": "XSRF-TOKEN={{ %s }}; vertx-web.session={{ %s }}" % (xsrf, session)}


# The server sets a new XSRF token after each POST and refuses the old one (bench.py turns that switch
# of the simulator on), and the items of a uri loop cannot pass a cookie from one to the next: each job
# gets its own CSRF session, and the cancel sends the token that the status read's answer set.
VSP_CSRF = {"name": "uri: open a CSRF session per job", "ansible.builtin.uri": {"url": "{{ bench_api.url }}/v1/csrf"},
            "loop": "{{ bench_items }}", "register": "bench_csrf", "no_log": True}

VSP_CANCEL_URI = {
    "prelude": VSP_TOKEN,
    "pair": [
        VSP_CSRF,
        {"name": "uri: read the job's status", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v1/jobs/status", "method": "POST", "body_format": "json",
            "body": {"jobId": {"id": "{{ item.item | int }}"}},
            "headers": _vsp_headers("item.cookies['XSRF-TOKEN']", "item.cookies['vertx-web.session']")},
         "loop": "{{ bench_csrf.results }}", "register": "bench_read", "no_log": True},
        {"name": "uri: cancel the job where it runs", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v1/jobs/cancel", "method": "POST", "body_format": "json",
            "body": {"jobId": {"id": "{{ item.item.item | int }}"}},
            "headers": _vsp_headers("item.cookies['XSRF-TOKEN']", "item.item.cookies['vertx-web.session']")},
         "loop": "{{ bench_read.results }}", "when": "item.json.status.jobState in %s" % list(VSP_RUNNING),
         "no_log": True},
    ],
    "single": [
        VSP_CSRF,
        {"name": "uri: cancel", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/v1/jobs/cancel", "method": "POST", "body_format": "json",
            "body": {"jobId": {"id": "{{ item.item | int }}"}},
            "headers": _vsp_headers("item.cookies['XSRF-TOKEN']", "item.cookies['vertx-web.session']")},
         "loop": "{{ bench_csrf.results }}", "no_log": True},
    ],
}

VSP_JOB = {"jobState": "EXECUTING", "jobType": "BATCH_REPLICATE", "bucketName": "bench"}

VSP = [
    Operation(
        "vsp_cancel", "vsp_job: cancel an EXECUTING job", "vsp", "vsp_job",
        unit=lambda i: {"jobs": [dict(VSP_JOB)]},
        item=lambda created: created["jobs"][0]["jobId"]["id"],
        args={"job_id": "{{ item }}"}, least=(4, 3, 3), pending=_vsp_job_running, uri=VSP_CANCEL_URI,
        note="token + CSRF + status + cancel"),
    Operation(
        "vsp_bulk", "vsp_job: cancel 10 jobs (job_ids)", "vsp", "vsp_job",
        unit=lambda i: {"jobs": [dict(VSP_JOB) for dummy in range(10)]},
        item=lambda created: [job["jobId"]["id"] for job in created["jobs"]],
        args={"job_ids": "{{ item }}"}, least=(22, 12, 12), pending=_vsp_jobs_running,
        note="one token and one CSRF session for the run, then a status read and a cancel per job"),
    Operation(
        "vsp_info", "vsp_job_info: one job", "vsp", "vsp_job_info",
        unit=lambda i: {"jobs": [dict(VSP_JOB)]},
        item=lambda created: created["jobs"][0]["jobId"]["id"],
        args={"job_id": "{{ item }}"}, least=(3, 3, 3), changes=False,
        note="token + CSRF + status"),
]


# ------------------------------------------------------------------------------------ BigChange

# The statuses of a job that has not started: the ones BigChange lets a cancel act on.
BC_CANCELLABLE = ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay",
                  "lateStart", "rescheduled")


def _bigchange_job_open(state, job_id):
    return any(j["id"] == job_id and j["status"] != "cancelled" for j in state["jobs"])


def _bigchange_jobs_open(state, job_ids):
    return any(_bigchange_job_open(state, job_id) for job_id in job_ids)


BC_TOKEN = [
    {"name": "uri: get a token", "ansible.builtin.uri": {
        "url": "{{ bench_api.token_url }}", "method": "POST", "body_format": "form-urlencoded",
        "body": {"grant_type": "client_credentials", "client_id": "{{ bench_api.client_id }}",
                 "client_secret": "{{ bench_api.client_secret }}"}},
     "register": "bench_token", "no_log": True},
]
BC_HEADERS = {"Authorization": "Bearer {{ bench_token.json.access_token }}", "Customer-Id": "{{ bench_api.customer }}"}

BC_CANCEL_URI = {
    "prelude": BC_TOKEN,
    "pair": [
        {"name": "uri: read the job", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/jobs/{{ item }}", "headers": BC_HEADERS},
         "loop": "{{ bench_items }}", "register": "bench_read", "no_log": True},
        {"name": "uri: cancel the job where it has not started", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/jobs/{{ item.item }}/cancel", "method": "PUT", "body_format": "json",
            "body": {"reason": "benchmark"}, "status_code": [204], "headers": BC_HEADERS},
         "loop": "{{ bench_read.results }}", "when": "item.json.status in %s" % list(BC_CANCELLABLE), "no_log": True},
    ],
    "single": [
        {"name": "uri: cancel", "ansible.builtin.uri": {
            "url": "{{ bench_api.url }}/jobs/{{ item }}/cancel", "method": "PUT", "body_format": "json",
            "body": {"reason": "benchmark"}, "status_code": [204], "headers": BC_HEADERS},
         "loop": "{{ bench_items }}", "no_log": True},
    ],
}

BC_JOB = {"status": "scheduled", "moves": False}

BIGCHANGE = [
    Operation(
        "bc_cancel", "bigchange_job: cancel a scheduled job", "bigchange", "bigchange_job",
        unit=lambda i: {"jobs": [dict(BC_JOB)]},
        item=lambda created: created["jobs"][0]["id"],
        args={"job_id": "{{ item }}", "reason": "benchmark"}, least=(3, 2, 2), pending=_bigchange_job_open,
        uri=BC_CANCEL_URI,
        note="token + GET job + PUT cancel; the cancel of a cancelled job is refused, so the re-run reads"),
    Operation(
        "bc_bulk", "bigchange_job: cancel 60 jobs (job_ids)", "bigchange", "bigchange_job",
        unit=lambda i: {"jobs": [dict(BC_JOB) for dummy in range(60)]},
        item=lambda created: [job["id"] for job in created["jobs"]],
        args={"job_ids": "{{ item }}", "reason": "benchmark"}, least=(63, 3, 3), pending=_bigchange_jobs_open,
        note="token + GET /v1/jobs?id=... per 50 jobs (2) + one PUT cancel per job"),
    Operation(
        "bc_info", "bigchange_job_info: one job", "bigchange", "bigchange_job_info",
        unit=lambda i: {"jobs": [dict(BC_JOB)]},
        item=lambda created: created["jobs"][0]["id"],
        args={"job_id": "{{ item }}"}, least=(2, 2, 2), changes=False,
        note="token + GET job"),
]

OPERATIONS = HOSTUP + CLOUDFOUNDRY + VSP + BIGCHANGE


# ------------------------------------------------------------------------------ roles at scale

class RoleRun:
    """One role run over many jobs (playbooks/<role>.yml) and the same work written with ``uri``
    (tests/bench/playbooks/<uri>): how to seed N jobs, the variables each playbook takes, and how to
    tell from the simulator's state that every job was cancelled."""

    def __init__(self, key, title, api, role, uri, seed, ids, role_vars, uri_vars, left, token_path, tasks, least,
                 note=""):
        self.key = key
        self.title = title
        self.api = api
        self.role = role              # playbooks/<role>.yml
        self.uri = uri                # tests/bench/playbooks/<uri>
        self.seed = seed              # seed(n) -> the API's seed body for n jobs
        self.ids = ids                # ids(created) -> the seeded jobs' IDs
        self.role_vars = role_vars    # role_vars(ids) -> the role playbook's extra vars
        self.uri_vars = uri_vars      # uri_vars(ids) -> the uri playbook's extra vars
        self.left = left              # left(api_state, ids) -> IDs still to cancel
        self.token_path = token_path  # a request to a path ending so is a token request
        self.tasks = tasks            # the role's module tasks (their time is the role's work)
        self.least = least            # least(n) -> the fewest requests the API allows for n jobs
        self.note = note


CF_APP = {"org": "default-org", "space": "default-space", "app": "bench-app"}

ROLE_RUNS = [
    RoleRun(
        "vsp", "vsp_job_cancel", "vsp", "vsp_job_cancel", "vsp_job_cancel_uri.yml",
        seed=lambda n: {"jobs": {"count": n, "jobState": "EXECUTING", "jobType": "BATCH_REPLICATE",
                                 "bucketName": "bench"}},
        ids=lambda created: [job["jobId"]["id"] for job in created["jobs"]],
        role_vars=lambda ids: {"vsp_job_cancel_job_ids": ids},
        uri_vars=lambda ids: {"bench_job_ids": ids},
        left=lambda state, ids: [j["jobId"]["id"] for j in state["jobs"]
                                 if j["jobId"]["id"] in set(ids) and j["jobState"] != "CANCELLED"],
        token_path="/openid-connect/token", tasks=["Cancel every selected job in one run"],
        least=lambda n: 2 + 2 * n, note="token + CSRF + a status read and a cancel per job"),
    RoleRun(
        "bigchange", "bigchange_job_cancel", "bigchange", "bigchange_job_cancel", "bigchange_job_cancel_uri.yml",
        seed=lambda n: {"jobs": [dict(BC_JOB) for dummy in range(n)]},
        ids=lambda created: [job["id"] for job in created["jobs"]],
        role_vars=lambda ids: {"bigchange_job_cancel_job_ids": ids, "bigchange_job_cancel_reason": "benchmark"},
        uri_vars=lambda ids: {"bench_job_ids": ids},
        left=lambda state, ids: [j["id"] for j in state["jobs"] if j["id"] in set(ids) and j["status"] != "cancelled"],
        token_path="/auth/tokens", tasks=["Cancel every job that has not started"],
        least=lambda n: 1 + -(-n // 50) + n, note="token + a read per 50 jobs + a cancel per job"),
    RoleRun(
        "cloudfoundry", "cf_task_cancel", "cloudfoundry", "cf_task_cancel", "cf_task_cancel_uri.yml",
        seed=lambda n: {"apps": [{"name": CF_APP["app"], "tasks": [{"name": "bench", "state": "RUNNING"}
                                                                   for dummy in range(n)]}]},
        ids=lambda created: [task["guid"] for task in created["apps"][0]["tasks"]],
        role_vars=lambda ids: {"cf_task_cancel_org": CF_APP["org"], "cf_task_cancel_space": CF_APP["space"],
                               "cf_task_cancel_app": CF_APP["app"]},
        uri_vars=lambda ids: {"bench_org": CF_APP["org"], "bench_space": CF_APP["space"], "bench_app": CF_APP["app"]},
        left=lambda state, ids: [t["guid"] for t in state["tasks"]
                                 if t["guid"] in set(ids) and t["state"] in ("PENDING", "RUNNING")],
        token_path="/oauth/token",
        tasks=["Cancel the matching tasks that are old enough"],
        least=lambda n: 6 + n,
        note="GET / + token + org, space and app by name + the app's task list + a cancel per task"),
]
