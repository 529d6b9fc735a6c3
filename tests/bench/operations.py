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
# (INTERFACE.md): check mode predicts exactly, a re-run reports no change, an unknown parent fails.


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


CLOUDFOUNDRY = [
    Operation(
        "cf_cancel", "cf_task: cancel a RUNNING task", "cloudfoundry", "cf_task",
        unit=lambda i: {"apps": [{"name": "bench-%d" % i, "tasks": [{"name": "migrate", "state": "RUNNING"}]}]},
        item=lambda created: created["apps"][0]["tasks"][0]["guid"],
        args={"guid": "{{ item }}"}, least=(4, 3, 3), pending=_cf_task_active,
        note="GET / (token URL) + token + GET task + cancel; the cancel of a CANCELING task is accepted "
             "again, so only a read tells the re-run there is nothing to do"),
    Operation(
        "cf_info", "cf_task_info: one task", "cloudfoundry", "cf_task_info",
        unit=lambda i: {"apps": [{"name": "bench-%d" % i, "tasks": [{"name": "migrate", "state": "RUNNING"}]}]},
        item=lambda created: created["apps"][0]["tasks"][0]["guid"],
        args={"guid": "{{ item }}"}, least=(3, 3, 3), changes=False,
        note="GET / + token + GET task"),
]


# ------------------------------------------------------------------------------------------ VSP

def _vsp_job_running(state, job_id):
    return any(j["jobId"]["id"] == job_id and j["jobState"] in ("EXAMINING", "PROCESSING", "EXECUTING")
               for j in state["jobs"])


VSP = [
    Operation(
        "vsp_cancel", "vsp_job: cancel an EXECUTING job", "vsp", "vsp_job",
        unit=lambda i: {"jobs": [{"jobState": "EXECUTING", "jobType": "BATCH_REPLICATE", "bucketName": "bench"}]},
        item=lambda created: created["jobs"][0]["jobId"]["id"],
        args={"job_id": "{{ item }}"}, least=(4, 3, 3), pending=_vsp_job_running,
        note="token + CSRF + status + cancel"),
    Operation(
        "vsp_info", "vsp_job_info: one job", "vsp", "vsp_job_info",
        unit=lambda i: {"jobs": [{"jobState": "EXECUTING", "jobType": "BATCH_REPLICATE", "bucketName": "bench"}]},
        item=lambda created: created["jobs"][0]["jobId"]["id"],
        args={"job_id": "{{ item }}"}, least=(3, 3, 3), changes=False,
        note="token + CSRF + status"),
]


# ------------------------------------------------------------------------------------ BigChange

def _bigchange_job_open(state, job_id):
    return any(j["id"] == job_id and j["status"] != "cancelled" for j in state["jobs"])


BIGCHANGE = [
    Operation(
        "bc_cancel", "bigchange_job: cancel a scheduled job", "bigchange", "bigchange_job",
        unit=lambda i: {"jobs": [{"status": "scheduled", "moves": False}]},
        item=lambda created: created["jobs"][0]["id"],
        args={"job_id": "{{ item }}", "reason": "benchmark"}, least=(3, 2, 2), pending=_bigchange_job_open,
        note="token + GET job + PUT cancel; the cancel of a cancelled job is refused, so the re-run reads"),
    Operation(
        "bc_info", "bigchange_job_info: one job", "bigchange", "bigchange_job_info",
        unit=lambda i: {"jobs": [{"status": "scheduled", "moves": False}]},
        item=lambda created: created["jobs"][0]["id"],
        args={"job_id": "{{ item }}"}, least=(2, 2, 2), changes=False,
        note="token + GET job"),
]

OPERATIONS = HOSTUP + CLOUDFOUNDRY + VSP + BIGCHANGE
