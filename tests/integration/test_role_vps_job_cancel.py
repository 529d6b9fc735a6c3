"""The vps_job_cancel role through playbooks/vps_job_cancel.yml, against the simulator.

Credentials come from the environment, as the playbook documents. Each scenario goes check mode ->
real run -> re-run, and reads what was sent from the simulator's request log.

Cases that need no run of their own share one (tests/roleplay.py: one inventory host per case, the
playbook's own play): the refusals and the empty list, which must send nothing at all, share one run
and assert that the whole run sent nothing; the independent real runs (selected job types, wait,
wait timeout) share another, each on VPS of its own, and read their own VPS's requests and state.
What is about check mode, the sequence check -> real -> re-run, or the environment keeps its own
playbook runs of playbooks/vps_job_cancel.yml with -e.
"""

import json

import pytest
import roleplay
from harness import SimClient

PLAYBOOK = "playbooks/vps_job_cancel.yml"
KEY = "hostup-test-key"
CANCEL = "Cancel the active jobs of type backup, restore"
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"


@pytest.fixture
def env(sim):
    return {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}


def seed(sim, *job_sets, **settings):
    """One VPS per entry of ``job_sets`` (a list of job types, each seeded running); their IDs."""
    vps = [{"name": "vps-%d" % i, "active_jobs": [{"jobType": t, "duration": 3600} for t in jobs]}
           for i, jobs in enumerate(job_sets)]
    body = {"vps": vps}
    if settings:
        body["settings"] = settings
    return [v["id"] for v in sim.seed(hostup=body)["hostup"]["vps"]]


def summary(result):
    return result.task("Record what was cancelled as vps_job_cancel_summary")["ansible_facts"]["vps_job_cancel_summary"]


def report(result):
    return result.task("Report which VPS had which job cancelled")["msg"]


def vps_of(request):
    return request["path"].split("/vps/", 1)[1].split("/", 1)[0]


def sent(sim, since=0):
    """(method, VPS ID, jobType of the body) of every HostUp request since ``since``."""
    return [(r["method"], vps_of(r), (r["body"] or {}).get("jobType")) for r in sim.requests("hostup", since=since)]


def methods(sim, since=0):
    return [r["method"] for r in sim.requests("hostup", since=since)]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def statuses(sim):
    return {v["id"]: sorted((j["jobType"], j["status"]) for j in v["active_jobs"]) for v in sim.state("hostup")["vps"]}


def test_check_real_rerun(sim, playbook, env):
    # Cancelled jobs stay "cancelling" for the whole test, so the state shows what was cancelled.
    web, db, idle = seed(sim, ["backup"], ["restore"], [], cancel_delay=3600)
    extra = {"vps_job_cancel_vps_ids": [web, db, idle]}
    before = statuses(sim)

    check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    assert s == {"check_mode": True, "canceled": {web: ["backup"], db: ["restore"]},
                 "left": [idle], "failed": {}, "nothing_to_cancel": [idle]}, "nothing_to_cancel: left's deprecated name"
    assert report(check) == ["Check mode: nothing was cancelled; a real run would cancel what is listed.",
                             "%s: would cancel backup" % web, "%s: would cancel restore" % db,
                             "Nothing to cancel on: %s" % idle]
    assert statuses(sim) == before, "check mode cancels nothing"
    assert methods(sim) == ["GET"] * 6, "check mode reads each VPS once per job type, nothing else"

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, extra, env=env)
    assert real.rc == 0, real
    assert summary(real) == dict(s, check_mode=False), "check mode predicted the real run exactly"
    assert report(real) == ["%s: cancelled backup" % web, "%s: cancelled restore" % db,
                            "Nothing to cancel on: %s" % idle]
    assert real.task(CANCEL)["changed"] is True
    assert sent(sim, seq) == [("DELETE", v, t) for v in (web, db, idle) for t in ("backup", "restore")], \
        "one DELETE per VPS and job type, no reads"
    assert statuses(sim) == {web: [("backup", "cancelling")], db: [("restore", "cancelling")], idle: []}

    seq = last_seq(sim)
    again = playbook(PLAYBOOK, extra, env=env)
    assert again.rc == 0, again
    assert again.task(CANCEL)["changed"] is False
    assert summary(again) == {"check_mode": False, "canceled": {}, "left": [web, db, idle], "failed": {},
                              "nothing_to_cancel": [web, db, idle]}
    assert methods(sim, seq) == ["DELETE"] * 6

    again_check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert again_check.rc == 0 and again_check.task(CANCEL)["changed"] is False
    assert summary(again_check)["canceled"] == {}


# -- refusals and the empty list: one run, in which nothing at all may be sent ------------------

BAD_VARIABLES = [
    ({}, "missing required arguments: vps_job_cancel_vps_ids"),
    ({"vps_job_cancel_vps_ids": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3,vps_../admin"},
     "vps_job_cancel_vps_ids: not a HostUp VPS ID"),
    ({"vps_job_cancel_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3", "vps_../../admin"]},
     "vps_job_cancel_vps_ids: not a HostUp VPS ID (vps_ and 26 lowercase letters or digits): vps_../../admin"),
    ({"vps_job_cancel_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3", "VPS_01HXA3B4C5D6E7F8G9H0J1K2M3"]},
     "VPS_01HXA3B4C5D6E7F8G9H0J1K2M3"),
    ({"vps_job_cancel_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_job_cancel_job_types": ["snapshot"]},
     "vps_job_cancel_job_types must be one or more of: backup, restore"),
    ({"vps_job_cancel_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_job_cancel_job_types": []},
     "vps_job_cancel_job_types must name at least one of backup, restore"),
    ({"vps_job_cancel_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_job_cancel_wait_timeout": "soon"},
     "vps_job_cancel_wait_timeout"),
]


@pytest.fixture(scope="module")
def sends_nothing(simulator, tmp_path_factory):
    """One run of every refused case (host bad0..bad6) and of the empty list (host empty), with a VPS
    running a backup in the simulator: (the batch, every request the run sent)."""
    sim = SimClient(simulator)
    sim.reset("empty")
    seed(sim, ["backup"])
    sim.clear_requests()
    cases = {"bad%d" % i: case[0] for i, case in enumerate(BAD_VARIABLES)}
    cases["empty"] = {"vps_job_cancel_vps_ids": []}
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}
    batch = roleplay.run_cases(PLAYBOOK, cases, tmp_path_factory.mktemp("sends_nothing"), env=env)
    return batch, sim.requests()


def test_empty_list_does_nothing(sends_nothing):
    batch, requests = sends_nothing
    result = batch.host("empty")
    assert result.ok, result  # the run of this case alone ends with rc 0
    assert report(result) == ["No VPS given: nothing to do."]
    assert requests == []


@pytest.mark.parametrize("extra,needle", BAD_VARIABLES)
def test_bad_variable_fails_before_any_request(sends_nothing, extra, needle):
    batch, requests = sends_nothing
    result = batch.host("bad%d" % BAD_VARIABLES.index((extra, needle)))
    assert not result.ok, result  # the run of this case alone ends with rc != 0
    assert needle in result.failure()["msg"], result
    assert needle in result.stdout, result
    assert requests == [], "nothing may be sent when a variable is wrong"
    assert not [r for r in result.results if "Cancel the active jobs" in r["task"]], "the cancel task never ran"


def test_a_failing_vps_does_not_stop_the_others_and_is_reported(sim, playbook, env):
    web, db = seed(sim, ["backup"], ["backup"], cancel_delay=3600)
    extra = {"vps_job_cancel_vps_ids": [web, UNKNOWN_VPS, db], "vps_job_cancel_job_types": ["backup"]}

    check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert check.rc != 0
    assert set(summary(check)["canceled"]) == {web, db}

    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc != 0, "the run fails when a VPS could not be handled"
    s = summary(result)
    assert s["canceled"] == {web: ["backup"], db: ["backup"]}
    assert list(s["failed"]) == [UNKNOWN_VPS]
    assert "HTTP 404" in s["failed"][UNKNOWN_VPS]["backup"]
    assert any(line.startswith("%s: FAILED to cancel backup: " % UNKNOWN_VPS) for line in report(result))
    assert statuses(sim) == {web: [("backup", "cancelling")], db: [("backup", "cancelling")]}


# -- independent real runs, side by side in one run, each on VPS of its own -----------------------

@pytest.fixture(scope="module")
def side_by_side(simulator, tmp_path_factory):
    """One real run of three cases, each on its own VPS: (the batch, the VPS of each case, every request
    the run sent, the job statuses after it)."""
    sim = SimClient(simulator)
    sim.reset("empty")

    def vps(*jobs, cancel_delay):
        return {"active_jobs": [{"jobType": t, "duration": 3600, "cancel_delay": cancel_delay} for t in jobs]}

    # Each job's own cancel_delay, as the separate runs had it from the settings: the selected
    # types' and the timeout's cancelled jobs stay "cancelling" for the whole test; the wait's
    # disappear at once, so waiting costs one read and no sleep.
    ids = [v["id"] for v in sim.seed(hostup={"vps": [
        vps("restore", cancel_delay=3600),                    # selected
        vps("backup", "restore", cancel_delay=0), vps(cancel_delay=0),  # wait: web, idle
        vps("backup", cancel_delay=3600),                      # timeout
    ]})["hostup"]["vps"]]
    own = {"selected": ids[0:1], "wait": ids[1:3], "timeout": ids[3:4]}
    sim.clear_requests()
    cases = {
        "selected": {"vps_job_cancel_vps_ids": own["selected"] * 2, "vps_job_cancel_job_types": ["backup"]},
        "wait": {"vps_job_cancel_vps_ids": own["wait"], "vps_job_cancel_wait": True, "vps_job_cancel_wait_timeout": 30},
        "timeout": {"vps_job_cancel_vps_ids": own["timeout"], "vps_job_cancel_job_types": ["backup"],
                    "vps_job_cancel_wait": True, "vps_job_cancel_wait_timeout": 1},
    }
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}
    batch = roleplay.run_cases(PLAYBOOK, cases, tmp_path_factory.mktemp("side_by_side"), env=env)
    return batch, own, sim.requests("hostup"), statuses(sim)


def own_requests(requests, own, case):
    """The requests ``case`` sent: those on its VPS, in order, after checking that every request of the
    run is on the VPS of one case (so what is on a case's VPS is all that the case sent)."""
    assert [r for r in requests if not any(vps_of(r) in mine for mine in own.values())] == [], requests
    return [r for r in requests if vps_of(r) in own[case]]


def test_only_the_selected_job_types_and_each_vps_once(side_by_side):
    batch, own, requests, after = side_by_side
    result = batch.host("selected")
    vid, = own["selected"]
    assert result.ok, result
    sent_here = [(r["method"], vps_of(r), (r["body"] or {}).get("jobType")) for r in own_requests(requests, own, "selected")]
    assert sent_here == [("DELETE", vid, "backup")], "a duplicate ID is handled once; restore is not asked for"
    assert summary(result)["left"] == [vid]
    assert after[vid] == [("restore", "running")]
    assert result.task("Cancel the active jobs of type backup")["changed"] is False


def test_wait_until_the_jobs_have_stopped(side_by_side):
    batch, own, requests, after = side_by_side
    result = batch.host("wait")
    web, idle = own["wait"]
    assert result.ok, result
    assert summary(result)["canceled"] == {web: ["backup", "restore"]}
    assert {v: after[v] for v in (web, idle)} == {web: [], idle: []}
    # Per VPS and type: read, cancel, then one read to see it gone when something was cancelled; the
    # idle VPS's read shows nothing to cancel, so no DELETE is sent there.
    assert [r["method"] for r in own_requests(requests, own, "wait")] == ["GET", "DELETE", "GET"] * 2 + ["GET"] * 2
    assert [vps_of(r) for r in own_requests(requests, own, "wait")] == [web] * 6 + [idle] * 2


def test_wait_timeout_fails_and_says_so(side_by_side):
    batch, own = side_by_side[:2]
    result = batch.host("timeout")
    vid, = own["timeout"]
    assert not result.ok, result  # the run of this case alone ends with rc != 0
    message = summary(result)["failed"][vid]["backup"]
    assert "timed out after 1 seconds waiting for the backup job of %s to stop" % vid in message


def test_no_secret_in_output_at_verbosity_3(sim, playbook, env):
    good = "hostup-role-secret-7f3a9c1e"
    bad = "hostup-wrong-secret-b81d44e0"
    sim.seed(hostup={"api_keys": [{"key": good}]})
    vid, = seed(sim, ["backup"])
    extra = {"vps_job_cancel_vps_ids": [vid]}

    ok = playbook(PLAYBOOK, extra, env=dict(env, HOSTUP_API_KEY=good), verbosity=3)
    assert ok.rc == 0, ok
    assert summary(ok)["canceled"] == {vid: ["backup"]}
    refused = playbook(PLAYBOOK, extra, env=dict(env, HOSTUP_API_KEY=bad), verbosity=3)
    assert refused.rc != 0 and "HTTP 401" in json.dumps(summary(refused))

    for result, secret in ((ok, good), (refused, bad)):
        for text in (result.stdout, result.stderr, json.dumps(result.results)):
            assert secret not in text
