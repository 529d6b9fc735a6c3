"""The fault suite: every module against every fault the simulator can inject, judged by one contract.

Cases per module (one fault-free baseline per targeted request, plus one case per fault kind on
each request the module depends on; ``test_the_case_counts_above_are_current`` keeps these honest):

    vps_active_job 17, vps_active_job_info 15, vps_backup 32, vps_backup_info 15,
    vps_backup_retention 32, vps_info 15, cf_task 52, cf_task_info 15, vsp_job 52, vsp_job_info 15,
    bigchange_job 42, bigchange_job_info 15 -- 317 in all.

The modules and the requests they depend on come from the registry (tests/registry.py): a module
added there is put through every fault here. The contract (docs/outcomes.md) decides every case; no
case accepts "success or failure":

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
* No result holds a secret of the case, in any encoding (what Ansible prints at -vvv is the secret
  suite's business: tests/integration/test_secrets.py runs every module through ansible-playbook).
* Every fault rule fires exactly as often as it says, so no case passes because its fault missed.

Each case is one test: a fresh object, its fault armed, one in-process run of the module
(tests/runner.py). The simulator's clock is the module's, so a Retry-After costs no real time;
only the slow answers wait (for the module's socket timeout).
"""

import base64
import json
import re
import time
from collections import namedtuple
from urllib.parse import quote, quote_plus

import pytest

from harness import concurrently
from registry import ALL_KINDS, MODULES, seed_cf

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
    # The only kind that costs real time: the module waits its socket timeout out.
    Fault("slow", {"kind": "slow", "delay": 1.0}, {"timeout": 0.5}, None, False),
    Fault("malformed", {"kind": "malformed", "when": "after"}, {}, r"not valid JSON|set no XSRF-TOKEN", False),
    Fault("html", {"kind": "html"}, {}, None, False),
    Fault("empty", {"kind": "empty", "when": "after"}, {}, r"not valid JSON|unexpected shape|set no XSRF-TOKEN",
          False),
    Fault("wrong_shape", {"kind": "wrong_shape", "when": "after"}, {}, r"unexpected shape|set no XSRF-TOKEN", False),
    Fault("echo", {"kind": "echo", "status": 400}, {}, r"HTTP 400", False),
]
FAULT_BY_NAME = {f.name: f for f in FAULTS}
# A mutation attempt whose answer never arrived whole although the API may have acted on it.
LOST_KINDS = ("drop", "status", "drop_mid_body", "malformed", "empty", "wrong_shape", "html", "slow")

# Few retries and a short timeout, so a hang or a backoff costs little; a fault's own args override them.
CASE_ARGS = {"retries": 2, "timeout": 5}


def expected(fault, tgt):
    if fault is None:
        return "ok"
    return EXPECTED.get(fault.name, SURVIVED)[MUTATION if tgt.mutating else READ]


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


def run_case(sim, run, module, tgt, fault):
    """Seed one object, arm the fault on ``tgt`` (none for the baseline), run the module once; the problems found."""
    obj = module.seed(sim, 1)[0]
    case_args = dict(module.args(obj), **CASE_ARGS)
    rule = None
    if fault is not None:
        case_args.update(fault.args)
        rule = sim.fault(**fault_rule(module, tgt, fault, obj))
    result = run(module.name, case_args)
    log = settled_log(sim, [rule] if rule else [])
    return judge(module, tgt, fault, rule, obj, result, log, sim.state(module.api))


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


def cases():
    for module in MODULES.values():
        for tgt in module.all_targets():
            for kind in ("none",) + tuple(tgt.kinds):
                yield pytest.param(module.name, tgt.name, kind, id="%s-%s-%s" % (module.name, tgt.name, kind))


@pytest.mark.parametrize("module_name,target_name,kind", list(cases()))
def test_faults(sim, run, module_name, target_name, kind):
    module = MODULES[module_name]
    tgt = next(t for t in module.all_targets() if t.name == target_name)
    problems = run_case(sim, run, module, tgt, FAULT_BY_NAME.get(kind))
    assert not problems, "\n".join(problems)


def test_every_registered_target_takes_only_known_fault_kinds():
    for module in MODULES.values():
        for tgt in module.all_targets():
            assert set(tgt.kinds) <= set(FAULT_BY_NAME), (module.name, tgt.name)
    assert set(ALL_KINDS) == set(FAULT_BY_NAME)


def case_counts():
    counts = {}
    for module in MODULES.values():
        counts[module.name] = sum(1 + len(t.kinds) for t in module.all_targets())
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
def test_two_runs_racing_for_one_job_one_changed_no_failure(sim, run, module_name):
    """The first run's cancel is carried out, its answer held back; the second run meets the job
    cancelled and leaves it. Then the first run gets its answer. Exactly one reports changed."""
    module = MODULES[module_name]
    obj = module.seed(sim, 1)[0]
    tgt = next(t for t in module.targets if t.mutating)
    sim.fault(**dict(api=module.api, method=tgt.method, path=tgt.path.format(**obj), kind="slow", delay=1,
                     when="after", times=1))

    def first():
        return run(module.name, dict(module.args(obj), timeout=30))

    def second():
        deadline = time.monotonic() + 20
        while not module.applied(sim.state(module.api), obj):
            assert time.monotonic() < deadline, "the first run's cancel never arrived"
            time.sleep(0.05)
        return run(module.name, dict(module.args(obj), timeout=30))

    results = dict(zip(("first", "second"), concurrently(first, second, timeout=60)))
    outcomes = {k: (bool(r.get("failed")), r.get("changed"), r.get("msg")) for k, r in results.items()}
    assert outcomes["first"][:2] == (False, True), outcomes
    assert outcomes["second"][:2] == (False, False), outcomes
    acted = [e for e in sim.requests(module.api) if module.is_mutation(e, obj) and e["acted"]]
    assert len(acted) == 1


# -- a failure after the change still reports the change ----------------------------------------

def test_a_wait_that_times_out_after_the_cancel_still_reports_the_cancel(sim, run):
    vps = sim.seed(hostup={"vps": [{"name": "slow-stop", "active_jobs": [
        {"jobType": "backup", "duration": 3600, "cancel_delay": 600}]}]})["hostup"]["vps"][0]
    out = run("vps_active_job", {"vps_id": vps["id"], "job_type": "backup", "wait": True, "wait_timeout": 1,
                                 "wait_sleep": 0.2})
    assert out["failed"] and "timed out" in out["msg"]
    assert out["changed"] is True, "the cancel was made; a failure afterwards does not undo it"
    assert [e["acted"] for e in sim.requests("hostup") if e["method"] == "DELETE"] == [True]


def test_a_cf_wait_that_times_out_after_the_cancel_still_reports_the_cancel(sim, run):
    task = seed_cf(sim, 1, 1)[0]["tasks"][0]
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 600}})
    out = run("cf_task", {"guid": task, "wait": True, "wait_timeout": 1, "wait_sleep": 0.2})
    assert out["failed"] and "timed out" in out["msg"]
    assert out["changed"] is True
