"""The fault suite: every module against every fault the simulator can inject, judged by one contract.

Cases per module (one fault-free baseline per targeted request, plus one case per fault kind on
each request the module depends on; ``test_the_case_counts_above_are_current`` keeps these honest):

    vps_active_job 17, vps_active_job_info 15, vps_backup 32, vps_backup_info 15,
    vps_backup_retention 32, cf_task 52, cf_task_info 15, vsp_job 52, vsp_job_info 15,
    bigchange_job 42, bigchange_job_info 15 -- 302 in all.

The contract (docs/outcomes.md) decides every case; no case accepts "success or failure":

* A fault the transport survives (429 within the retries, 502/503/504, a drop, a cut-off answer, a
  slow answer, an HTML error page) ends in success with the fault-free run's ``changed``.
* A mutating request whose answer was lost after the API acted (a drop, a 502, a cut-off or an
  unreadable 2xx answer) ends in success with ``changed: true`` AND a warning that the answer was
  lost; one whose answer was intact needs no warning.
* What cannot be survived fails with a clear ``msg`` (the words that fault calls for, no traceback,
  no raw HTML) and a ``problem`` dict: the retries running out on 429, an unreadable answer to a
  read, an error that is the API's refusal.
* ``changed`` is judged both ways from the simulator's ground truth (``acted`` in its log, set by the
  API when a request changed its state): a case whose mutation the API carried out must say
  ``changed: true`` (even when it fails afterwards), one where nothing was carried out must say
  ``changed: false``.
* A mutating request is never sent again blind: between two of them (in arrival order) there is a
  read, unless the earlier one was refused with 429. At most one of them acts.
* Every play runs at -vvv, and neither its output nor any result holds a secret of the case, in
  any encoding.
* Every fault rule fires exactly as often as it says, so no case passes because its fault missed.

Speed (each module run costs about a second of CPU): one playbook per (module, request), with a
fresh object per case. A fault on a request whose path names the case's own object is set before
the play. One on a path every case shares (token, CSRF, VSP's job calls) is set by
``ansible.builtin.uri`` just before its case. After a several-hit rule (the 429 ones), which a
misbehaving client could leave half used, the rules are cleared before the next case.
"""

import base64
import json
import re
import threading
import time
from collections import namedtuple
from urllib.parse import quote, quote_plus

import pytest

# -- fault kinds ---------------------------------------------------------------------------------

Fault = namedtuple("Fault", "name rule args msg mutating_only")

# How each kind ends, by the kind of request it hits: "ok" or "fail", never either.
READ, MUTATION = "read", "mutation"
SURVIVED = {READ: "ok", MUTATION: "ok"}
EXPECTED = {
    "429_exhausted": {READ: "fail", MUTATION: "fail"},
    # An answer that cannot be read: a read cannot trust it; a mutation is settled by reading.
    "malformed": {READ: "fail", MUTATION: "ok"},
    "empty": {READ: "fail", MUTATION: "ok"},
    "wrong_shape": {READ: "fail", MUTATION: "ok"},
    "echo": {READ: "fail", MUTATION: "fail"},
}

FAULTS = [
    Fault("429_storm", {"kind": "rate_limit", "retry_after": 1, "times": 3}, {"retries": 3}, None, False),
    Fault("429_garbage", {"kind": "rate_limit", "retry_after": "garbage", "times": 1}, {}, None, False),
    Fault("429_exhausted", {"kind": "rate_limit", "retry_after": 1, "times": 2}, {"retries": 1},
          r"HTTP 429 .*\(after 1 retries\)", False),
    Fault("502", {"kind": "status", "status": 502}, {}, None, False),
    Fault("503", {"kind": "status", "status": 503}, {}, None, False),
    Fault("504", {"kind": "status", "status": 504}, {}, None, False),
    Fault("drop", {"kind": "drop"}, {}, None, False),
    Fault("drop_after", {"kind": "drop", "when": "after"}, {}, None, True),
    Fault("502_after", {"kind": "status", "status": 502, "when": "after"}, {}, None, True),
    Fault("drop_mid_body", {"kind": "drop_mid_body", "when": "after"}, {}, None, False),
    Fault("slow", {"kind": "slow", "delay": 2.0}, {"timeout": 1}, None, False),
    Fault("malformed", {"kind": "malformed", "when": "after"}, {}, r"not valid JSON|set no XSRF-TOKEN", False),
    Fault("html", {"kind": "html"}, {}, None, False),
    Fault("empty", {"kind": "empty", "when": "after"}, {}, r"not valid JSON|unexpected shape|set no XSRF-TOKEN",
          False),
    Fault("wrong_shape", {"kind": "wrong_shape", "when": "after"}, {}, r"unexpected shape|set no XSRF-TOKEN", False),
    Fault("echo", {"kind": "echo", "status": 400}, {}, r"HTTP 400", False),
]
FAULT_BY_NAME = {f.name: f for f in FAULTS}
# Token, CSRF and root-document requests: the kinds that behave differently from any other read.
AUTH_FAULTS = ("429_garbage", "503", "drop", "drop_mid_body", "malformed", "html", "empty", "wrong_shape", "echo")
# A mutation attempt whose answer never arrived whole although the API may have acted on it.
LOST_KINDS = ("drop", "status", "drop_mid_body", "malformed", "empty", "wrong_shape", "html", "slow")

# Few retries and a short timeout, so a hang or a backoff costs little; a fault's own args override them.
CASE_ARGS = {"retries": 2, "timeout": 5}


def expected(fault, tgt):
    if fault is None:
        return "ok"
    return EXPECTED.get(fault.name, SURVIVED)[MUTATION if tgt.mutating else READ]


# -- modules -------------------------------------------------------------------------------------
#
# A target is one request a module depends on. ``path`` is a regular expression for the simulator's
# fault rule ({name} placeholders are filled from the case's object); ``shared`` means the path is
# the same for every case, so its fault is set just before its case.

Target = namedtuple("Target", "name method path mutating shared kinds")


def target(name, method, path, mutating=False, shared=False, kinds=None):
    return Target(name, method, path, mutating, shared,
                  kinds or tuple(f.name for f in FAULTS if mutating or not f.mutating_only))


class Module:
    """One row of the table: how to seed a case's object, run the module on it, and judge it."""

    name = None
    api = None
    changed = None  # what a fault-free run reports
    targets = ()
    secrets = ()

    def defaults(self, sim):
        raise NotImplementedError

    def seed(self, sim, count):
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


HOSTUP_KEY = "hostup-test-key"


def hostup_defaults(sim):
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": HOSTUP_KEY}}


def hostup_vps(state, obj):
    return next(v for v in state["vps"] if v["id"] == obj["vps"])


class VpsActiveJob(Module):
    name = "vps_active_job"
    api = "hostup"
    changed = True
    secrets = (HOSTUP_KEY,)
    targets = (target("cancel", "DELETE", r"/vps/{vps}/active-jobs$", mutating=True),)
    defaults = staticmethod(hostup_defaults)

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
    secrets = (HOSTUP_KEY,)
    targets = (target("read", "GET", r"/vps/{vps}/active-jobs$"),)
    defaults = staticmethod(hostup_defaults)
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
    secrets = (HOSTUP_KEY,)
    targets = (target("read", "GET", r"/vps/{vps}/backups$"),
               target("delete", "DELETE", r"/vps/{vps}/backups/{doomed}$", mutating=True))
    defaults = staticmethod(hostup_defaults)

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
    secrets = (HOSTUP_KEY,)
    targets = (target("read", "GET", r"/vps/{vps}/backups$"),)
    defaults = staticmethod(hostup_defaults)
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
    secrets = (HOSTUP_KEY,)
    targets = VpsBackup.targets
    defaults = staticmethod(hostup_defaults)

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


CF_PASSWORD = "admin-secret"


def cf_defaults(sim):
    return {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": "admin",
                                                "password": CF_PASSWORD}}


CF_AUTH = (target("root", "GET", r"^/cf/?$", shared=True, kinds=AUTH_FAULTS),
           target("token", "POST", r"/oauth/token$", shared=True, kinds=AUTH_FAULTS))


def seed_cf(sim, count, tasks):
    specs = [{"name": "fault-%d" % i, "tasks": [{"name": "t%d" % n} for n in range(tasks)]} for i in range(count)]
    apps = sim.seed(cloudfoundry={"apps": specs})["cloudfoundry"]["apps"]
    return [{"app": a["guid"], "tasks": [t["guid"] for t in a["tasks"]]} for a in apps]


class CfTask(Module):
    name = "cf_task"
    api = "cloudfoundry"
    changed = True
    secrets = (CF_PASSWORD,)
    targets = CF_AUTH + (target("read", "GET", r"/v3/tasks/{task}$"),
                         target("cancel", "POST", r"/v3/tasks/{task}/actions/cancel$", mutating=True))
    defaults = staticmethod(cf_defaults)

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
    secrets = (CF_PASSWORD,)
    targets = (target("read", "GET", r"/v3/apps/{app}/tasks$"),)
    defaults = staticmethod(cf_defaults)

    def seed(self, sim, count):
        return seed_cf(sim, count, 2)

    def args(self, obj):
        return {"app_guid": obj["app"]}

    def check(self, result, obj):
        guids = [t.get("guid") for t in result.get("tasks") or []]
        return [] if guids == obj["tasks"] else ["tasks lists %s, not %s" % (guids, obj["tasks"])]


VSP_TOKEN_PATH = "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"
VSP_PASSWORD = "vsp-secret"


def vsp_defaults(sim):
    return {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + VSP_TOKEN_PATH,
                                       "username": "vsp-admin", "password": VSP_PASSWORD}}


def vsp_job_of(state, job_id):
    return next(j for j in state["jobs"] if j["jobId"]["id"] == job_id)


class VspJob(Module):
    name = "vsp_job"
    api = "vsp"
    changed = True
    secrets = (VSP_PASSWORD,)
    targets = (target("token", "POST", VSP_TOKEN_PATH + "$", shared=True, kinds=AUTH_FAULTS),
               target("csrf", "GET", r"/mapi/v1/csrf$", shared=True, kinds=AUTH_FAULTS),
               target("status", "POST", r"/mapi/v1/jobs/status$", shared=True),
               target("cancel", "POST", r"/mapi/v1/jobs/cancel$", mutating=True, shared=True))
    defaults = staticmethod(vsp_defaults)

    def seed(self, sim, count):
        jobs = sim.seed(vsp={"jobs": [{"id": 7000 + i, "jobState": "EXECUTING"} for i in range(count)]})["vsp"]["jobs"]
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
    secrets = (VSP_PASSWORD,)
    targets = (target("list", "POST", r"/mapi/v1/jobs/list$", shared=True),)
    defaults = staticmethod(vsp_defaults)

    def seed(self, sim, count):
        jobs = sim.seed(vsp={"jobs": [{"id": 8000 + 2 * i + n, "bucketName": "fault-%d" % i}
                                      for i in range(count) for n in range(2)]})["vsp"]["jobs"]
        return [{"bucket": "fault-%d" % i, "jobs": [j["jobId"]["id"] for j in jobs[2 * i:2 * i + 2]]}
                for i in range(count)]

    def args(self, obj):
        return {"bucket_name": obj["bucket"]}

    def check(self, result, obj):
        ids = [j.get("jobId", {}).get("id") for j in result.get("jobs") or []]
        return [] if ids == obj["jobs"] else ["jobs lists %s, not %s" % (ids, obj["jobs"])]


BIGCHANGE_TOKEN_PATH = "/bigchange/auth/tokens"
BIGCHANGE_SECRET = "bigchange-secret"


def bigchange_defaults(sim):
    return {"group/jobctl.cloud.bigchange": {
        "api_url": sim.url + "/bigchange/v1", "token_url": sim.url + BIGCHANGE_TOKEN_PATH, "customer_id": 1001,
        "client_id": "bigchange-client", "client_secret": BIGCHANGE_SECRET}}


def seed_bigchange(sim, count, per_case):
    specs = [{"status": "scheduled", "starts_in": 86400, "reference": "FAULT-%d" % i}
             for i in range(count) for n in range(per_case)]
    ids = [j["id"] for j in sim.seed(bigchange={"jobs": specs})["bigchange"]["jobs"]]
    return [{"reference": "FAULT-%d" % i, "jobs": ids[i * per_case:(i + 1) * per_case]} for i in range(count)]


class BigchangeJob(Module):
    name = "bigchange_job"
    api = "bigchange"
    changed = True
    secrets = (BIGCHANGE_SECRET,)
    targets = (target("token", "POST", BIGCHANGE_TOKEN_PATH + "$", shared=True, kinds=AUTH_FAULTS),
               target("read", "GET", r"/v1/jobs/{job}$"),
               target("cancel", "PUT", r"/v1/jobs/{job}/cancel$", mutating=True))
    defaults = staticmethod(bigchange_defaults)

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
    secrets = (BIGCHANGE_SECRET,)
    targets = (target("list", "GET", r"/bigchange/v1/jobs$", shared=True),)
    defaults = staticmethod(bigchange_defaults)

    def seed(self, sim, count):
        return seed_bigchange(sim, count, 2)

    def args(self, obj):
        return {"reference": obj["reference"]}

    def check(self, result, obj):
        ids = [j.get("id") for j in result.get("jobs") or []]
        return [] if ids == obj["jobs"] else ["jobs lists %s, not %s" % (ids, obj["jobs"])]


MODULES = dict((m.name, m) for m in (
    VpsActiveJob(), VpsActiveJobInfo(), VpsBackup(), VpsBackupInfo(), VpsBackupRetention(),
    CfTask(), CfTaskInfo(), VspJob(), VspJobInfo(), BigchangeJob(), BigchangeJobInfo()))


# -- secrets -------------------------------------------------------------------------------------

def secret_forms(secret):
    """Every way a secret might show: raw, URL-encoded both ways, base64 (alone and as HTTP Basic)."""
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(raw).decode().rstrip("=")}
    for user in ("admin", "vsp-admin", "bigchange-client", "cf"):
        forms.add(base64.b64encode(("%s:%s" % (user, secret)).encode()).decode().rstrip("="))
    return forms


def leaks(text, secrets):
    return sorted(form for secret in secrets for form in secret_forms(secret) if form in text)


# -- running a batch -----------------------------------------------------------------------------

def fault_rule(module, tgt, fault, obj):
    rule = dict(fault.rule, api=module.api, method=tgt.method, path=tgt.path.format(**obj))
    rule.setdefault("times", 1)
    return rule


def control_task(sim, name, method, body=None):
    args = {"url": sim.url + "/_sim/faults", "method": method}
    if body is not None:
        args.update(body_format="json", body=body)
    return {"name": name, "ansible.builtin.uri": args}


def run_cases(sim, play, module, tgt, faults):
    """Run one playbook: the baseline (no fault) and one case per fault on ``tgt``; return the problems found."""
    names = ["none"] + list(faults)
    objects = module.seed(sim, len(names))
    rules, tasks = {}, []
    leftover = False
    for name, obj in zip(names, objects):
        fault = FAULT_BY_NAME.get(name)
        case_args = dict(module.args(obj), **CASE_ARGS)
        if leftover:
            tasks.append(control_task(sim, "clear faults before %s" % name, "DELETE"))
            leftover = False
        if fault is not None:
            case_args.update(fault.args)
            rule = fault_rule(module, tgt, fault, obj)
            if tgt.shared:
                tasks.append(control_task(sim, "arm %s" % name, "POST", rule))
                leftover = rule["times"] > 1
            else:
                rules[name] = sim.fault(**rule)
        tasks.append({"name": "case %s" % name, "jobctl.cloud." + module.name: case_args, "ignore_errors": True})

    started = time.monotonic()
    result = play(tasks, defaults=module.defaults(sim), verbosity=3)
    elapsed = time.monotonic() - started
    assert result.rc == 0, result
    for name in names:
        if name != "none" and tgt.shared:
            rules[name] = result.task("arm %s" % name)["json"]
    log = settled_log(sim, [rules[n] for n in names if n != "none"])
    state = sim.state(module.api)
    problems = []
    for name, obj in zip(names, objects):
        for problem in judge(module, tgt, FAULT_BY_NAME.get(name), rules.get(name), obj,
                             result.task("case %s" % name), log, state):
            problems.append("%s/%s/%s: %s" % (module.name, tgt.name, name, problem))
    for marker in ("Traceback", "MODULE FAILURE"):
        if marker in result.stdout or marker in result.stderr:
            problems.append("%s/%s: %r in the play's output" % (module.name, tgt.name, marker))
    for form in leaks(result.stdout + result.stderr, module.secrets):
        problems.append("%s/%s: a secret shows in the -vvv output (as %r)" % (module.name, tgt.name, form[:4] + "..."))
    print("%s/%s: %d cases in %.1f s" % (module.name, tgt.name, len(names), elapsed))
    return problems


def settled_log(sim, rules):
    """The request log once every fault rule's requests are in it.

    A slow fault's request is handled, and logged, only after its delay, which may be after the
    module gave up on it; wait (bounded) for those before judging.
    """
    wanted = {r["id"]: r["times"] for r in rules}
    deadline = time.monotonic() + 15
    while True:
        log = sim.requests()
        hits = {}
        for entry in log:
            if entry["fault_id"] in wanted:
                hits[entry["fault_id"]] = hits.get(entry["fault_id"], 0) + 1
        if all(hits.get(i, 0) >= n for i, n in wanted.items()) or time.monotonic() > deadline:
            return log
        time.sleep(0.2)


def lost_warning(result):
    return any("lost" in w for w in result.get("warnings") or [])


def blind_resends(module, obj, log):
    """Mutation attempts sent again without a read in between (a 429 refusal needs none), per object path."""
    api_log = sorted((e for e in log if e["api"] == module.api), key=lambda e: e["arrival"])
    problems = []
    previous = {}
    read_since = {}
    for entry in api_log:
        if module.is_mutation(entry, obj):
            path = entry["path"]
            earlier = previous.get(path)
            if earlier is not None and earlier["status"] != 429 and not read_since[path]:
                problems.append("the mutating request %s was sent again without a read in between (after %s)"
                                % (path, earlier["fault"] or earlier["status"]))
            previous[path], read_since[path] = entry, False
        elif entry["method"] in ("GET", "POST") and "/oauth/" not in entry["path"] \
                and not entry["path"].endswith(("/token", "/tokens", "/csrf")):
            for path in read_since:
                read_since[path] = True
    return problems


def judge(module, tgt, fault, rule, obj, result, log, state):
    """What is wrong with one case's outcome (see the module docstring); an empty list when nothing is."""
    problems = []
    text = json.dumps(result)
    for marker in ("Traceback", "MODULE FAILURE", "object at 0x", "module_stderr"):
        if marker in text:
            problems.append("%r in the result" % marker)
    for form in leaks(text, module.secrets):
        problems.append("a secret shows in the result (as %r)" % (form[:4] + "..."))
    if rule is not None:
        fired = sum(1 for e in log if e["fault_id"] == rule["id"])
        if fired != rule["times"]:
            problems.append("the fault fired %d times, not %d: the case did not test what it says"
                            % (fired, rule["times"]))
    mutations = [e for e in log if module.is_mutation(e, obj)]
    acted = [e for e in mutations if e.get("acted")]
    for path in sorted(set(e["path"] for e in acted)):
        times = sum(1 for e in acted if e["path"] == path)
        if times > 1:
            problems.append("the change %s was carried out %d times" % (path, times))
    problems.extend(blind_resends(module, obj, log))
    want = expected(fault, tgt)
    failed = bool(result.get("failed"))
    if acted and result.get("changed") is not True:
        problems.append("the API carried out the change but the module says changed=%s" % result.get("changed"))
    if not acted and result.get("changed"):
        problems.append("reports changed although the API carried out nothing")
    if failed:
        msg = result.get("msg")
        if want == "ok":
            problems.append("failed where it must succeed: %s" % msg)
        if not isinstance(msg, str) or not msg.strip():
            return problems + ["failed without a msg"]
        if fault is None or fault.msg is None or not re.search(fault.msg, msg):
            problems.append("msg does not say what happened (wanted /%s/): %s" % (fault.msg if fault else "", msg))
        if "<html" in msg.lower() or len(msg) > 2000:
            problems.append("msg is not readable: %s" % msg[:300])
        if not isinstance(result.get("problem"), dict):
            problems.append("no problem dict beside msg")
        if not tgt.mutating and mutations:
            problems.append("a failed %s still sent %d mutating request(s)" % (tgt.name, len(mutations)))
        return problems
    if want == "fail":
        problems.append("succeeded where it must fail (changed=%s)" % result.get("changed"))
    if result.get("changed") is not module.changed:
        problems.append("changed is %s, the fault-free run says %s" % (result.get("changed"), module.changed))
    elif module.changed and not module.applied(state, obj):
        problems.append("reports the change but the API's state does not show it")
    # An attempt that acted had a fault on it: its answer never reached the module whole.
    answer_lost = any(e["fault"] in LOST_KINDS for e in acted)
    if answer_lost and not lost_warning(result):
        problems.append("the answer to the change was lost, but no warning says so")
    if not answer_lost and lost_warning(result):
        problems.append("warns of a lost answer although the change's answer arrived")
    problems.extend(module.check(result, obj))
    return problems


def batches():
    for module in MODULES.values():
        for tgt in module.targets:
            yield pytest.param(module.name, tgt.name, list(tgt.kinds), id="%s-%s" % (module.name, tgt.name))


@pytest.mark.parametrize("module_name,target_name,faults", list(batches()))
def test_faults(sim, play, module_name, target_name, faults):
    module = MODULES[module_name]
    tgt = next(t for t in module.targets if t.name == target_name)
    problems = run_cases(sim, play, module, tgt, faults)
    assert not problems, "\n".join(problems)


def case_counts():
    counts = {}
    for module in MODULES.values():
        counts[module.name] = sum(1 + len(t.kinds) for t in module.targets)
    return counts


def test_the_case_counts_above_are_current():
    counts = case_counts()
    block = __doc__[__doc__.index("Cases per module"):__doc__.index("in all.")]
    documented = dict((m, int(n)) for m, n in re.findall(r"(\w+) (\d+)(?=,| --)", block))
    assert documented == counts
    assert "-- %d in all" % sum(counts.values()) in __doc__


def test_every_fault_kind_has_one_expected_ending():
    for fault in FAULTS:
        for kind in (READ, MUTATION):
            assert EXPECTED.get(fault.name, SURVIVED)[kind] in ("ok", "fail")
            if EXPECTED.get(fault.name, SURVIVED)[kind] == "fail":
                assert fault.msg, "%s fails on a %s: its msg must be named" % (fault.name, kind)


# -- two runs racing for one object ----------------------------------------------------------------

CANCEL_MODULES = ("vps_active_job", "cf_task", "vsp_job", "bigchange_job")


@pytest.mark.parametrize("module_name", CANCEL_MODULES)
def test_two_runs_racing_for_one_job_one_changed_no_failure(sim, play, module_name):
    """The first run's cancel is carried out, its answer held back; the second run meets the job
    cancelled and leaves it. Then the first run gets its answer. Exactly one reports changed."""
    module = MODULES[module_name]
    obj = module.seed(sim, 1)[0]
    tgt = next(t for t in module.targets if t.mutating)
    sim.fault(**dict(api=module.api, method=tgt.method, path=tgt.path.format(**obj), kind="slow", delay=12,
                     when="after", times=1))
    task = [{"name": "cancel", "jobctl.cloud." + module.name: dict(module.args(obj), timeout=30)}]
    results = {}

    def run(which):
        results[which] = play(task, defaults=module.defaults(sim))

    first = threading.Thread(target=run, args=("first",))
    first.start()
    deadline = time.monotonic() + 60
    while not module.applied(sim.state(module.api), obj):
        assert time.monotonic() < deadline, "the first run's cancel never arrived"
        time.sleep(0.1)
    run("second")
    first.join(90)
    assert not first.is_alive()
    outcomes = {k: (r.rc, r.task("cancel").get("changed"), r.task("cancel").get("msg")) for k, r in results.items()}
    assert outcomes["first"][:2] == (0, True), outcomes
    assert outcomes["second"][:2] == (0, False), outcomes
    acted = [e for e in sim.requests(module.api) if module.is_mutation(e, obj) and e["acted"]]
    assert len(acted) == 1


# -- a failure after the change still reports the change ----------------------------------------

def test_a_wait_that_times_out_after_the_cancel_still_reports_the_cancel(sim, play):
    vps = sim.seed(hostup={"vps": [{"name": "slow-stop", "active_jobs": [
        {"jobType": "backup", "duration": 3600, "cancel_delay": 600}]}]})["hostup"]["vps"][0]
    result = play([{"name": "cancel", "ignore_errors": True, "jobctl.cloud.vps_active_job": {
        "vps_id": vps["id"], "job_type": "backup", "wait": True, "wait_timeout": 1, "wait_sleep": 0.2}}],
        defaults=hostup_defaults(sim))
    out = result.task("cancel")
    assert out["failed"] and "timed out" in out["msg"]
    assert out["changed"] is True, "the cancel was made; a failure afterwards does not undo it"
    assert [e["acted"] for e in sim.requests("hostup") if e["method"] == "DELETE"] == [True]


def test_a_cf_wait_that_times_out_after_the_cancel_still_reports_the_cancel(sim, play):
    task = seed_cf(sim, 1, 1)[0]["tasks"][0]
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 600}})
    result = play([{"name": "cancel", "ignore_errors": True, "jobctl.cloud.cf_task": {
        "guid": task, "wait": True, "wait_timeout": 1, "wait_sleep": 0.2}}], defaults=cf_defaults(sim))
    out = result.task("cancel")
    assert out["failed"] and "timed out" in out["msg"]
    assert out["changed"] is True
