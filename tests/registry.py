"""The one registry of the collection's APIs and modules, which the suites and the benchmark read.

Adding a module means: its file, one ``Module`` row here, its docs. The fault suite, the bad-input,
secret and TLS suites, the end-to-end plays and the benchmark take their modules from here, and
``tests/unit/test_registry.py`` fails while a module in ``plugins/modules`` has no row.

An ``Api`` row is what every module of one API shares against the simulator: its module_defaults
group, the simulator's default credentials (as options and as the environment variables the modules
read), the requests every module of it makes before its own (token, CSRF, discovery) and the
secrets that must never show.

A ``Module`` row says how to seed one object a case acts on, the module's arguments for it, the
requests the module depends on (``targets``, each a request the fault suite injects faults into),
what a fault-free run reports, and how to read the simulator's ground truth (which logged request
was the module's mutation, whether the change is in the simulator's state).
"""

import itertools
from collections import namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# -- requests a module depends on --------------------------------------------------------------

# The fault kinds (tests/integration/test_faults.py defines them); listed here only to say which
# kinds a target takes.
ALL_KINDS = ("429_storm", "429_garbage", "429_exhausted", "502", "503", "504", "drop", "drop_after", "502_after",
             "drop_mid_body", "slow", "malformed", "html", "empty", "wrong_shape", "echo")
# Only a request that changes something can be hit "after" it acted.
MUTATION_ONLY_KINDS = ("drop_after", "502_after")
# Token, CSRF and root-document requests: the kinds that behave differently from any other read.
AUTH_KINDS = ("429_garbage", "503", "drop", "drop_mid_body", "malformed", "html", "empty", "wrong_shape", "echo")

Target = namedtuple("Target", "name method path mutating shared kinds")


def target(name, method, path, mutating=False, shared=False, kinds=None):
    """One request a module depends on. ``path`` is a regular expression for the simulator's fault rule
    ({name} placeholders are filled from the case's object); ``shared`` means the path is the same for
    every case (a token endpoint), so a fault on it is armed just before its case."""
    kinds = kinds or tuple(k for k in ALL_KINDS if mutating or k not in MUTATION_ONLY_KINDS)
    return Target(name, method, path, mutating, shared, kinds)


# -- APIs --------------------------------------------------------------------------------------

class Api:
    def __init__(self, name, group, env, options, secrets, auth_targets=(), request_paths=()):
        self.name = name
        self.group = "group/jobctl.cloud." + group
        self._env = env            # environment variable -> value, "{base}" standing for the simulator's URL
        self._options = options    # option -> environment variable it comes from
        self.secrets = secrets     # the secret values among them
        self.auth_targets = auth_targets
        self.request_paths = request_paths

    def env(self, base):
        """The simulator's default credentials as the environment variables the modules read."""
        return {k: v.format(base=base) for k, v in self._env.items()}

    def options(self, base):
        """The same credentials as module options."""
        env = self.env(base)
        values = {option: env[variable] for option, variable in self._options.items()}
        if "customer_id" in values:
            values["customer_id"] = int(values["customer_id"])
        return values

    def defaults(self, sim):
        """A play's module_defaults giving every module of this API the simulator's credentials."""
        return {self.group: self.options(sim.url)}


VSP_TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
BIGCHANGE_TOKEN_PATH = "/bigchange/auth/tokens"

APIS = {
    "hostup": Api(
        "hostup", "hostup",
        env={"HOSTUP_API_URL": "{base}/hostup/api/v2", "HOSTUP_API_KEY": "hostup-test-key"},
        options={"api_url": "HOSTUP_API_URL", "api_token": "HOSTUP_API_KEY"},
        secrets=("hostup-test-key",)),
    "cloudfoundry": Api(
        "cloudfoundry", "cloudfoundry",
        env={"CF_API_URL": "{base}/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret"},
        options={"api_url": "CF_API_URL", "username": "CF_USERNAME", "password": "CF_PASSWORD"},
        secrets=("admin-secret",),
        auth_targets=(target("root", "GET", r"^/cf/?$", shared=True, kinds=AUTH_KINDS),
                      target("token", "POST", r"/oauth/token$", shared=True, kinds=AUTH_KINDS))),
    "vsp": Api(
        "vsp", "vsp",
        env={"VSP_API_URL": "{base}/vsp/mapi", "VSP_TOKEN_URL": "{base}" + VSP_TOKEN_PATH,
             "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret"},
        options={"api_url": "VSP_API_URL", "token_url": "VSP_TOKEN_URL", "username": "VSP_USERNAME",
                 "password": "VSP_PASSWORD"},
        secrets=("vsp-secret",),
        auth_targets=(target("token", "POST", VSP_TOKEN_PATH + "$", shared=True, kinds=AUTH_KINDS),
                      target("csrf", "GET", r"/mapi/v1/csrf$", shared=True, kinds=AUTH_KINDS))),
    "bigchange": Api(
        "bigchange", "bigchange",
        env={"BIGCHANGE_API_URL": "{base}/bigchange/v1", "BIGCHANGE_TOKEN_URL": "{base}" + BIGCHANGE_TOKEN_PATH,
             "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
             "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"},
        options={"api_url": "BIGCHANGE_API_URL", "token_url": "BIGCHANGE_TOKEN_URL",
                 "customer_id": "BIGCHANGE_CUSTOMER_ID", "client_id": "BIGCHANGE_CLIENT_ID",
                 "client_secret": "BIGCHANGE_CLIENT_SECRET"},
        secrets=("bigchange-secret",),
        auth_targets=(target("token", "POST", BIGCHANGE_TOKEN_PATH + "$", shared=True, kinds=AUTH_KINDS),)),
}


def environment(base):
    """Working credentials for every API at once, from the environment as the modules read them."""
    env = {}
    for api in APIS.values():
        env.update(api.env(base))
    return env


# -- modules -----------------------------------------------------------------------------------

UNKNOWN_VPS = "vps_0000000000000000000000zzzz"
UNKNOWN_GUID = "0a0a0a0a-0000-4000-8000-000000000000"


class Module:
    """One module: how to seed a case's object, run the module on it, and judge the run."""

    name = None
    api = None
    changed = None   # what a fault-free run reports
    targets = ()     # the module's own requests (the API's auth requests come first, see all_targets)
    auth = True      # whether the API's token/CSRF/discovery requests are among its targets
    # The API's own answers that are not a success: (label, make(sim, obj) -> the module's arguments,
    # whether the module then fails). An unknown object, or a change the API refuses.
    refusals = ()

    @property
    def group(self):
        return APIS[self.api].group

    @property
    def secrets(self):
        return APIS[self.api].secrets

    @property
    def mutating(self):
        return any(t.mutating for t in self.targets)

    def all_targets(self):
        return (APIS[self.api].auth_targets if self.auth else ()) + tuple(self.targets)

    def defaults(self, sim):
        return APIS[self.api].defaults(sim)

    def seed(self, sim, count):
        """``count`` fresh objects, each a dict the module's args and judgements are made from."""
        raise NotImplementedError

    def args(self, obj):
        raise NotImplementedError

    def is_mutation(self, entry, obj):
        return False

    def applied(self, state, obj):
        """Whether the change a successful run makes is in the simulator's state."""
        return True

    def check(self, result, obj):
        """Extra checks of a successful result; returns a list of problems."""
        return []


# HostUp


def hostup_vps(state, obj):
    return next(v for v in state["vps"] if v["id"] == obj["vps"])


class VpsActiveJob(Module):
    name = "vps_active_job"
    api = "hostup"
    changed = True
    refusals = (("unknown vps", lambda sim, obj: {"vps_id": UNKNOWN_VPS, "job_type": "restore"}, True),)
    targets = (target("cancel", "DELETE", r"/vps/{vps}/active-jobs$", mutating=True),)

    def seed(self, sim, count):
        job = {"jobType": "backup", "duration": 3600}
        specs = [{"name": "fault-%d" % i, "active_jobs": [job]} for i in range(count)]
        vps = sim.seed(hostup={"vps": specs})["hostup"]["vps"]
        return [{"vps": v["id"], "job": v["active_jobs"][0]["id"]} for v in vps]

    def args(self, obj):
        return {"vps_id": obj["vps"], "job_type": "backup"}

    def is_mutation(self, entry, obj):
        return entry["method"] == "DELETE" and entry["path"].endswith("/vps/%s/active-jobs" % obj["vps"])

    def applied(self, state, obj):
        return all(j["status"] != "running" for j in hostup_vps(state, obj)["active_jobs"])


class VpsActiveJobInfo(Module):
    name = "vps_active_job_info"
    api = "hostup"
    changed = False
    refusals = (("unknown vps", lambda sim, obj: {"vps_id": UNKNOWN_VPS}, True),)
    targets = (target("read", "GET", r"/vps/{vps}/active-jobs$"),)
    seed = VpsActiveJob.seed

    def args(self, obj):
        return {"vps_id": obj["vps"]}

    def check(self, result, obj):
        ids = [j.get("id") for j in result.get("active_jobs") or []]
        return [] if ids == [obj["job"]] else ["active_jobs lists %s, not the seeded job %s" % (ids, obj["job"])]


def seed_backups(sim, count, per_vps):
    vps = sim.seed(hostup={"vps": [{"name": "fault-%d" % i, "backups": {"count": per_vps}}
                                   for i in range(count)]})["hostup"]["vps"]
    # The seed lists each VPS's backups newest first; the oldest is deleted by both modules, and is the
    # one the DELETE faults aim at (the deletes run concurrently: a rule matching all of them would
    # spread its hits over several requests).
    return [{"vps": v["id"], "backups": [b["id"] for b in v["backups"]], "doomed": v["backups"][-1]["id"]}
            for v in vps]


def is_backup_delete(entry, obj):
    return entry["method"] == "DELETE" and "/vps/%s/backups/" % obj["vps"] in entry["path"]


class VpsBackup(Module):
    name = "vps_backup"
    api = "hostup"
    changed = True
    refusals = (("unknown vps", lambda sim, obj: {"vps_id": UNKNOWN_VPS, "backup_id": obj["backups"][0]}, True),)
    targets = (target("read", "GET", r"/vps/{vps}/backups$"),
               target("delete", "DELETE", r"/vps/{vps}/backups/{doomed}$", mutating=True))

    def seed(self, sim, count):
        return seed_backups(sim, count, 2)

    def args(self, obj):
        return {"vps_id": obj["vps"], "backup_ids": obj["backups"]}

    is_mutation = staticmethod(is_backup_delete)

    def applied(self, state, obj):
        return hostup_vps(state, obj)["backups"] == []

    def check(self, result, obj):
        if sorted(result.get("deleted") or []) != sorted(obj["backups"]):
            return ["deleted is %s, not %s" % (result.get("deleted"), obj["backups"])]
        return []


class VpsBackupInfo(Module):
    name = "vps_backup_info"
    api = "hostup"
    changed = False
    refusals = (("unknown vps", lambda sim, obj: {"vps_id": UNKNOWN_VPS}, True),)
    targets = (target("read", "GET", r"/vps/{vps}/backups$"),)
    seed = VpsBackup.seed

    def args(self, obj):
        return {"vps_id": obj["vps"]}

    def check(self, result, obj):
        ids = [b.get("id") for b in result.get("backups") or []]
        return [] if ids == obj["backups"] else ["backups lists %s, not %s" % (ids, obj["backups"])]


class VpsBackupRetention(Module):
    name = "vps_backup_retention"
    api = "hostup"
    changed = True
    refusals = (("unknown vps", lambda sim, obj: {"vps_ids": [UNKNOWN_VPS], "keep_last": 1}, True),)
    targets = VpsBackup.targets

    def seed(self, sim, count):
        return seed_backups(sim, count, 3)

    def args(self, obj):
        return {"vps_ids": [obj["vps"]], "keep_last": 1}

    is_mutation = staticmethod(is_backup_delete)

    def applied(self, state, obj):
        return [b["id"] for b in hostup_vps(state, obj)["backups"]] == obj["backups"][:1]

    def check(self, result, obj):
        if result.get("deleted_count") != 2:
            return ["deleted_count is %s, not 2" % result.get("deleted_count")]
        return []


# Names and addresses unique across seeds: a name filter (a part of the name, to the simulator) must match
# only its own case's VPS, whatever other modules seeded beside it.
_vps_info_numbers = itertools.count(1)


class VpsInfo(Module):
    name = "vps_info"
    api = "hostup"
    changed = False
    # A filter is not an ID: one that matches nothing lists nothing, and is no failure.
    refusals = (("no match", lambda sim, obj: {"name": "no-such-vps-anywhere"}, False),)
    targets = (target("list", "GET", r"/api/v2/vps$", shared=True),)

    def seed(self, sim, count):
        numbers = [next(_vps_info_numbers) for i in range(count)]
        specs = [{"name": "info-%06d" % n, "primaryIp": "198.51.100.%d" % (1 + n % 250)} for n in numbers]
        vps = sim.seed(hostup={"vps": specs})["hostup"]["vps"]
        return [{"vps": v["id"], "name": v["name"], "ip": v["primaryIp"]} for v in vps]

    def args(self, obj):
        return {"name": obj["name"]}

    def check(self, result, obj):
        expected = [{"id": obj["vps"], "name": obj["name"], "primary_ip": obj["ip"], "power_state": "running",
                     "service_status": "active"}]
        return [] if result.get("vps") == expected else ["vps is %s, not %s" % (result.get("vps"), expected)]


# Cloud Foundry

def seed_cf(sim, count, tasks):
    specs = [{"name": "fault-%d" % i, "tasks": [{"name": "t%d" % n} for n in range(tasks)]} for i in range(count)]
    apps = sim.seed(cloudfoundry={"apps": specs})["cloudfoundry"]["apps"]
    return [{"app": a["guid"], "tasks": [t["guid"] for t in a["tasks"]]} for a in apps]


class CfTask(Module):
    name = "cf_task"
    api = "cloudfoundry"
    changed = True
    refusals = (("unknown task", lambda sim, obj: {"guid": UNKNOWN_GUID}, True),)
    targets = (target("read", "GET", r"/v3/tasks/{task}$"),
               target("cancel", "POST", r"/v3/tasks/{task}/actions/cancel$", mutating=True))

    def seed(self, sim, count):
        return [dict(obj, task=obj["tasks"][0]) for obj in seed_cf(sim, count, 1)]

    def args(self, obj):
        return {"guid": obj["task"]}

    def is_mutation(self, entry, obj):
        return entry["method"] == "POST" and entry["path"].endswith("/v3/tasks/%s/actions/cancel" % obj["task"])

    def applied(self, state, obj):
        return next(t["state"] for t in state["tasks"] if t["guid"] == obj["task"]) in ("CANCELING", "FAILED")

    def check(self, result, obj):
        return [] if result.get("canceled") == [obj["task"]] else ["canceled is %s" % result.get("canceled")]


class CfTaskInfo(Module):
    name = "cf_task_info"
    api = "cloudfoundry"
    changed = False
    refusals = (("unknown app", lambda sim, obj: {"app_guid": UNKNOWN_GUID}, True),)
    auth = False
    targets = (target("read", "GET", r"/v3/apps/{app}/tasks$"),)

    def seed(self, sim, count):
        return seed_cf(sim, count, 2)

    def args(self, obj):
        return {"app_guid": obj["app"]}

    def check(self, result, obj):
        guids = [t.get("guid") for t in result.get("tasks") or []]
        return [] if guids == obj["tasks"] else ["tasks lists %s, not %s" % (guids, obj["tasks"])]


# VSP One Object

# Job IDs (and bucket names) unique across seeds: modules seeded side by side must not collide.
_vsp_ids = itertools.count(7000)


def vsp_job_of(state, job_id):
    return next(j for j in state["jobs"] if j["jobId"]["id"] == job_id)


class VspJob(Module):
    name = "vsp_job"
    api = "vsp"
    changed = True
    refusals = (("unknown job", lambda sim, obj: {"job_id": 4040}, True),)
    targets = (target("status", "POST", r"/mapi/v1/jobs/status$", shared=True),
               target("cancel", "POST", r"/mapi/v1/jobs/cancel$", mutating=True, shared=True))

    def seed(self, sim, count):
        jobs = sim.seed(vsp={"jobs": [{"id": next(_vsp_ids), "jobState": "EXECUTING"} for i in range(count)]})["vsp"]["jobs"]
        return [{"job": j["jobId"]["id"]} for j in jobs]

    def args(self, obj):
        return {"job_id": obj["job"]}

    def is_mutation(self, entry, obj):
        return (entry["path"].endswith("/v1/jobs/cancel") and isinstance(entry["body"], dict)
                and entry["body"].get("jobId") == {"id": obj["job"]})

    def applied(self, state, obj):
        return vsp_job_of(state, obj["job"])["jobState"] == "CANCELLED"


class VspJobInfo(Module):
    name = "vsp_job_info"
    api = "vsp"
    changed = False
    # An unknown job is no error to a listing: it lists nothing.
    refusals = (("unknown job", lambda sim, obj: {"job_id": 4040}, False),)
    auth = False
    targets = (target("list", "POST", r"/mapi/v1/jobs/list$", shared=True),)

    def seed(self, sim, count):
        buckets = ["bucket-%d" % next(_vsp_ids) for i in range(count)]
        jobs = sim.seed(vsp={"jobs": [{"id": next(_vsp_ids), "bucketName": buckets[i]}
                                      for i in range(count) for n in range(2)]})["vsp"]["jobs"]
        return [{"bucket": buckets[i], "jobs": [j["jobId"]["id"] for j in jobs[2 * i:2 * i + 2]]}
                for i in range(count)]

    def args(self, obj):
        return {"bucket_name": obj["bucket"]}

    def check(self, result, obj):
        ids = [j.get("jobId", {}).get("id") for j in result.get("jobs") or []]
        return [] if ids == obj["jobs"] else ["jobs lists %s, not %s" % (ids, obj["jobs"])]


# BigChange

_references = itertools.count()


def seed_bigchange(sim, count, per_case):
    # References unique across seeds: modules seeded side by side must not select each other's jobs.
    references = ["CASE-%d" % next(_references) for i in range(count)]
    specs = [{"status": "scheduled", "starts_in": 86400, "reference": references[i]}
             for i in range(count) for n in range(per_case)]
    ids = [j["id"] for j in sim.seed(bigchange={"jobs": specs})["bigchange"]["jobs"]]
    return [{"reference": references[i], "jobs": ids[i * per_case:(i + 1) * per_case]} for i in range(count)]


def started_bigchange_job(sim):
    return sim.seed(bigchange={"jobs": [{"status": "started"}]})["bigchange"]["jobs"][0]["id"]


class BigchangeJob(Module):
    name = "bigchange_job"
    api = "bigchange"
    changed = True
    refusals = (("started job", lambda sim, obj: {"job_id": started_bigchange_job(sim), "reason": "too late"}, True),
                ("unknown job", lambda sim, obj: {"job_id": 999999, "reason": "x"}, True))
    targets = (target("read", "GET", r"/v1/jobs/{job}$"),
               target("cancel", "PUT", r"/v1/jobs/{job}/cancel$", mutating=True))

    def seed(self, sim, count):
        return [dict(obj, job=obj["jobs"][0]) for obj in seed_bigchange(sim, count, 1)]

    def args(self, obj):
        return {"job_id": obj["job"], "reason": "fault suite"}

    def is_mutation(self, entry, obj):
        return entry["method"] == "PUT" and entry["path"].endswith("/v1/jobs/%d/cancel" % obj["job"])

    def applied(self, state, obj):
        return next(j for j in state["jobs"] if j["id"] == obj["job"])["status"] == "cancelled"


class BigchangeJobInfo(Module):
    name = "bigchange_job_info"
    api = "bigchange"
    changed = False
    refusals = (("unknown job", lambda sim, obj: {"job_id": 987654}, False),)
    auth = False
    targets = (target("list", "GET", r"/bigchange/v1/jobs$", shared=True),)

    def seed(self, sim, count):
        return seed_bigchange(sim, count, 2)

    def args(self, obj):
        return {"reference": obj["reference"]}

    def check(self, result, obj):
        ids = [j.get("id") for j in result.get("jobs") or []]
        return [] if ids == obj["jobs"] else ["jobs lists %s, not %s" % (ids, obj["jobs"])]


MODULES = dict((m.name, m) for m in (
    VpsActiveJob(), VpsActiveJobInfo(), VpsBackup(), VpsBackupInfo(), VpsBackupRetention(), VpsInfo(),
    CfTask(), CfTaskInfo(), VspJob(), VspJobInfo(), BigchangeJob(), BigchangeJobInfo()))


def module_files():
    """The modules the collection ships: every plugins/modules/*.py but __init__."""
    return sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
