"""The fault suite (issue #7): every module against every fault the simulator can inject.

Cases per module (one fault-free baseline per targeted request, plus one case per fault kind on
each request the module depends on; ``test_the_case_counts_above_are_current`` keeps these honest):

    vps_active_job 15, vps_active_job_info 13, vps_backup 28, vps_backup_info 13,
    vps_backup_retention 28, cf_task 42, cf_task_info 13, vsp_job 42, vsp_job_info 13,
    bigchange_job 35, bigchange_job_info 13 -- 255 in all.

A case is judged on what the issue asks: the module either succeeds with the ``changed`` of the
fault-free run (and the change really happened), or fails with a clear ``msg`` (the words that fault
calls for; no traceback, no raw HTML) and claims no change the API did not make. A mutating request
the API does not document as safe to repeat is never *handled* twice (read from the simulator log's
``handled_status``), and every fault rule must have fired exactly as often as it says, so no case
passes because its fault missed.

Speed (each module run costs about a second of CPU): one playbook per (module, request), with a
fresh object per case. A fault on a request whose path names the case's own object is set before
the play. One on a path every case shares (token, CSRF, VSP's job calls) is set by
``ansible.builtin.uri`` just before its case. A one-hit rule is used up by its case's first matching
request (the baseline shows every case reaches its request), so only after a several-hit rule (the
429 ones), which a misbehaving client could leave half used, are the rules cleared before the next case.
"""

import json
import re
import time
from collections import namedtuple

import pytest

# -- fault kinds ---------------------------------------------------------------------------------
#
# outcome(target) says what the client promises for that kind on that request: "ok" (must succeed),
# "fail" (must fail), or None (either, judged by the rules above).

Fault = namedtuple("Fault", "name rule args msg outcome mutating_only")


def _retried_if_safe(target):
    return "ok" if target.repeat_safe else None


def _recovered_if_safe(target):
    # The server acted and the answer was lost: a repeat-safe request is repeated and the module must
    # recognise its own first attempt; any other must fail rather than guess, unless the module reads
    # the outcome back (a read is safe to repeat), when either is fine and `changed` must match the state.
    if target.repeat_safe:
        return "ok"
    return None if target.settles_by_read else "fail"


def _garbage_is_refused(target):
    # A read whose answer cannot be trusted must fail; a mutation's 2xx may carry a body the module ignores.
    return None if target.mutating else "fail"


DROPPED = r"could not talk to|closed connection|Connection aborted|RemoteDisconnected"

FAULTS = [
    Fault("429_storm", {"kind": "rate_limit", "retry_after": 1, "times": 3}, {"retries": 3}, r"HTTP 429",
          lambda t: "ok", False),
    Fault("429_exhausted", {"kind": "rate_limit", "retry_after": 1, "times": 2}, {"retries": 1},
          r"HTTP 429 .*\(after 1 retries\)", lambda t: "fail", False),
    Fault("502", {"kind": "status", "status": 502}, {}, r"HTTP 502", _retried_if_safe, False),
    Fault("503", {"kind": "status", "status": 503}, {}, r"HTTP 503", _retried_if_safe, False),
    Fault("504", {"kind": "status", "status": 504}, {}, r"HTTP 504", _retried_if_safe, False),
    Fault("drop", {"kind": "drop"}, {}, DROPPED, _retried_if_safe, False),
    Fault("drop_after", {"kind": "drop", "when": "after"}, {}, DROPPED, _recovered_if_safe, True),
    Fault("502_after", {"kind": "status", "status": 502, "when": "after"}, {}, r"HTTP 502", _recovered_if_safe, True),
    Fault("drop_mid_body", {"kind": "drop_mid_body", "when": "after"}, {},
          r"Connection broken|IncompleteRead|could not talk to", lambda t: None, False),
    Fault("slow", {"kind": "slow", "delay": 2.0}, {"timeout": 1},
          r"no answer within 1(\.0)? seconds \(timeout\)|Read timed out",
          _retried_if_safe, False),
    Fault("malformed", {"kind": "malformed", "when": "after"}, {}, r"not valid JSON|set no XSRF-TOKEN",
          _garbage_is_refused, False),
    Fault("html", {"kind": "html"}, {}, r"HTTP 502 502 Bad Gateway", _retried_if_safe, False),
    Fault("empty", {"kind": "empty", "when": "after"}, {}, r"not valid JSON|unexpected shape|set no XSRF-TOKEN",
          _garbage_is_refused, False),
    Fault("wrong_shape", {"kind": "wrong_shape", "when": "after"}, {}, r"unexpected shape|set no XSRF-TOKEN",
          _garbage_is_refused, False),
]
FAULT_BY_NAME = {f.name: f for f in FAULTS}
# Token, CSRF and root-document requests: the retry and body-parsing kinds (the rest behave as on any read).
AUTH_FAULTS = ("503", "drop", "malformed", "html", "empty", "wrong_shape")

# Few retries and a short timeout, so a hang or a backoff costs little; a fault's own args override them.
CASE_ARGS = {"retries": 2, "timeout": 5}

# -- modules -------------------------------------------------------------------------------------
#
# A target is one request a module depends on. ``path`` is a regular expression for the simulator's
# fault rule ({name} placeholders are filled from the case's object); ``shared`` means the path is
# the same for every case, so its fault is set just before its case.

Target = namedtuple("Target", "name method path mutating repeat_safe shared kinds settles_by_read")


def target(name, method, path, mutating=False, repeat_safe=True, shared=False, kinds=None, settles_by_read=False):
    return Target(name, method, path, mutating, repeat_safe, shared,
                  kinds or tuple(f.name for f in FAULTS if mutating or not f.mutating_only), settles_by_read)


class Module:
    """One row of the table: how to seed a case's object, run the module on it, and judge it."""

    name = None
    api = None
    changed = None  # what a fault-free run reports
    targets = ()
    # INTERFACE.md: a failed module returns ``problem`` beside ``msg``.
    problem_on_failure = True

    @property
    def mutation_repeat_safe(self):
        """Whether the API documents the module's mutating request as safe to repeat; None for a module that reads."""
        return next((t.repeat_safe for t in self.targets if t.mutating), None)

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


def hostup_defaults(sim):
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": "hostup-test-key"}}


def hostup_vps(state, obj):
    return next(v for v in state["vps"] if v["id"] == obj["vps"])


class VpsActiveJob(Module):
    name = "vps_active_job"
    api = "hostup"
    changed = True
    # The DELETE cancels by type: repeated after a lost answer it would answer "nothing to cancel".
    targets = (target("cancel", "DELETE", r"/vps/{vps}/active-jobs$", mutating=True, repeat_safe=False),)
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
    # DELETE of one backup by its ID: a repeat answers 404.
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
    # Known gap, pinned by test_retention_failure_carries_problem.
    problem_on_failure = False
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


def cf_defaults(sim):
    return {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": "admin",
                                                "password": "admin-secret"}}


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
    # Documented: repeating a cancel on a CANCELING task is accepted.
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


def vsp_defaults(sim):
    return {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + VSP_TOKEN_PATH,
                                       "username": "vsp-admin", "password": "vsp-secret"}}


def vsp_job_of(state, job_id):
    return next(j for j in state["jobs"] if j["jobId"]["id"] == job_id)


class VspJob(Module):
    name = "vsp_job"
    api = "vsp"
    changed = True
    # POST /v1/jobs/cancel: nothing in the documents says it may be repeated, so it is sent once; after a
    # failed cancel the module reads the job's status to learn whether the cancel acted.
    targets = (target("token", "POST", VSP_TOKEN_PATH + "$", shared=True, kinds=AUTH_FAULTS),
               target("csrf", "GET", r"/mapi/v1/csrf$", shared=True, kinds=AUTH_FAULTS),
               target("status", "POST", r"/mapi/v1/jobs/status$", shared=True),
               target("cancel", "POST", r"/mapi/v1/jobs/cancel$", mutating=True, repeat_safe=False, shared=True,
                      settles_by_read=True))
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


def bigchange_defaults(sim):
    return {"group/jobctl.cloud.bigchange": {
        "api_url": sim.url + "/bigchange/v1", "token_url": sim.url + BIGCHANGE_TOKEN_PATH, "customer_id": 1001,
        "client_id": "bigchange-client", "client_secret": "bigchange-secret"}}


def seed_bigchange(sim, count, per_case):
    specs = [{"status": "scheduled", "starts_in": 86400, "reference": "FAULT-%d" % i}
             for i in range(count) for n in range(per_case)]
    ids = [j["id"] for j in sim.seed(bigchange={"jobs": specs})["bigchange"]["jobs"]]
    return [{"reference": "FAULT-%d" % i, "jobs": ids[i * per_case:(i + 1) * per_case]} for i in range(count)]


class BigchangeJob(Module):
    name = "bigchange_job"
    api = "bigchange"
    changed = True
    # A PUT; a repeat meets a cancelled job, which the module recognises.
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

# Cases that show a bug, each run on its own and expected to fail (strict) until the bug is fixed.
KNOWN_BUGS = {}


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


def run_cases(sim, play, module, tgt, faults, baseline=True):
    """Run one playbook: the baseline (no fault) and one case per fault on ``tgt``; return the problems found."""
    names = (["none"] if baseline else []) + list(faults)
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
    result = play(tasks, defaults=module.defaults(sim))
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


def judge(module, tgt, fault, rule, obj, result, log, state):
    """What is wrong with one case's outcome (see the module docstring); an empty list when nothing is."""
    problems = []
    text = json.dumps(result)
    for marker in ("Traceback", "MODULE FAILURE", "object at 0x", "module_stderr"):
        if marker in text:
            problems.append("%r in the result" % marker)
    if rule is not None:
        fired = sum(1 for e in log if e["fault_id"] == rule["id"])
        if fired != rule["times"]:
            problems.append("the fault fired %d times, not %d: the case did not test what it says"
                            % (fired, rule["times"]))
    mutations = [e for e in log if module.is_mutation(e, obj)]
    handled = [e for e in mutations if e["handled_status"] is not None]
    acted = [e for e in handled if 200 <= e["handled_status"] < 300]
    if module.mutation_repeat_safe is False and len(handled) > 1:
        problems.append("the mutating request, not documented as safe to repeat, was handled %d times" % len(handled))
    expected = fault.outcome(tgt) if fault else "ok"
    if result.get("failed"):
        msg = result.get("msg")
        if expected == "ok":
            problems.append("failed where it must succeed: %s" % msg)
        if not isinstance(msg, str) or not msg.strip():
            problems.append("failed without a msg")
            return problems
        if fault is None or not re.search(fault.msg, msg):
            problems.append("msg does not say what happened (wanted /%s/): %s" % (fault.msg if fault else "", msg))
        if "<html" in msg.lower() or len(msg) > 2000:
            problems.append("msg is not readable: %s" % msg[:300])
        if module.problem_on_failure and not isinstance(result.get("problem"), dict):
            problems.append("no problem dict beside msg")
        if result.get("changed") and not acted:
            problems.append("reports changed although no mutating request was handled")
        if not tgt.mutating and handled:
            problems.append("a failed %s still sent %d mutating request(s)" % (tgt.name, len(handled)))
    else:
        if expected == "fail":
            problems.append("succeeded where it must fail (changed=%s)" % result.get("changed"))
        if result.get("changed") is not module.changed:
            problems.append("changed is %s, the fault-free run says %s" % (result.get("changed"), module.changed))
        elif module.changed and not module.applied(state, obj):
            problems.append("reports the change but the API's state does not show it")
        problems.extend(module.check(result, obj))
    return problems


def batches():
    for module in MODULES.values():
        for tgt in module.targets:
            faults = [k for k in tgt.kinds if (module.name, tgt.name, k) not in KNOWN_BUGS]
            yield pytest.param(module.name, tgt.name, faults, id="%s-%s" % (module.name, tgt.name))


@pytest.mark.parametrize("module_name,target_name,faults", list(batches()))
def test_faults(sim, play, module_name, target_name, faults):
    module = MODULES[module_name]
    tgt = next(t for t in module.targets if t.name == target_name)
    problems = run_cases(sim, play, module, tgt, faults)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_name,target_name,fault_name", [
    pytest.param(m, t, f, id="%s-%s-%s" % (m, t, f), marks=pytest.mark.xfail(strict=True, reason=reason))
    for (m, t, f), reason in sorted(KNOWN_BUGS.items())])
def test_known_bugs(sim, play, module_name, target_name, fault_name):
    module = MODULES[module_name]
    tgt = next(t for t in module.targets if t.name == target_name)
    problems = run_cases(sim, play, module, tgt, [fault_name], baseline=False)
    assert not problems, "\n".join(problems)


def case_counts():
    counts = {}
    for module in MODULES.values():
        counts[module.name] = sum(1 + len(t.kinds) for t in module.targets)
    return counts


def test_the_case_counts_above_are_current():
    counts = case_counts()
    documented = dict((m, int(n)) for m, n in re.findall(r"(\w+) (\d+)(?=,| --)", __doc__))
    assert documented == counts
    assert "-- %d in all" % sum(counts.values()) in __doc__


def test_retention_failure_carries_problem(sim, play):
    module = MODULES["vps_backup_retention"]
    obj = module.seed(sim, 1)[0]
    sim.fault(api="hostup", method="GET", path=obj["vps"], kind="status", status=500)
    result = play([{"name": "prune", "jobctl.cloud.vps_backup_retention": dict(module.args(obj), **CASE_ARGS)}],
                  defaults=module.defaults(sim))
    out = result.task("prune")
    assert out["failed"] and "HTTP 500" in out["msg"]
    assert isinstance(out.get("problem"), dict) and out["problem"]["status"] == 500


@pytest.mark.xfail(strict=True, reason="a body cut short raises requests' ChunkedEncodingError after urllib3's Retry "
                   "has finished, and client.py:257 turns it into a failure, so a repeat-safe read is not retried "
                   "although client.py:9 promises retries on dropped responses")
def test_a_read_whose_answer_is_cut_short_is_retried(sim, play):
    module = MODULES["vps_backup_info"]
    obj = module.seed(sim, 1)[0]
    sim.fault(api="hostup", method="GET", path=obj["vps"], kind="drop_mid_body", when="after")
    result = play([{"name": "info", "jobctl.cloud.vps_backup_info": dict(module.args(obj), **CASE_ARGS)}],
                  defaults=module.defaults(sim))
    assert result.task("info")["failed"] is False, result.task("info").get("msg")
    assert [r["fault"] for r in sim.requests("hostup")] == ["drop_mid_body", None]
