"""The vps_job_cancel role through playbooks/vps_job_cancel.yml, against the simulator.

Credentials come from the environment, as the playbook documents. Each scenario goes check mode ->
real run -> re-run, and reads what was sent from the simulator's request log.
"""

import json

import pytest

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


def sent(sim, since=0):
    """(method, VPS ID, jobType of the body) of every HostUp request since ``since``."""
    out = []
    for r in sim.requests("hostup", since=since):
        vps_id = r["path"].split("/vps/", 1)[1].split("/", 1)[0]
        out.append((r["method"], vps_id, (r["body"] or {}).get("jobType")))
    return out


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
                 "nothing_to_cancel": [idle], "failed": {}}
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
    assert summary(again) == {"check_mode": False, "canceled": {}, "nothing_to_cancel": [web, db, idle], "failed": {}}
    assert methods(sim, seq) == ["DELETE"] * 6

    again_check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert again_check.rc == 0 and again_check.task(CANCEL)["changed"] is False
    assert summary(again_check)["canceled"] == {}


def test_only_the_selected_job_types_and_each_vps_once(sim, playbook, env):
    vid, = seed(sim, ["restore"])
    extra = {"vps_job_cancel_vps_ids": [vid, vid], "vps_job_cancel_job_types": ["backup"]}
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc == 0, result
    assert sent(sim) == [("DELETE", vid, "backup")], "a duplicate ID is handled once; restore is not asked for"
    assert summary(result)["nothing_to_cancel"] == [vid]
    assert statuses(sim) == {vid: [("restore", "running")]}
    assert result.task("Cancel the active jobs of type backup")["changed"] is False


def test_empty_list_does_nothing(sim, playbook, env):
    result = playbook(PLAYBOOK, {"vps_job_cancel_vps_ids": []}, env=env)
    assert result.rc == 0, result
    assert report(result) == ["No VPS given: nothing to do."]
    assert sim.requests() == []


@pytest.mark.parametrize("extra,needle", [
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
])
def test_bad_variable_fails_before_any_request(sim, playbook, env, extra, needle):
    seed(sim, ["backup"])
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc != 0
    assert needle in result.stdout, result
    assert sim.requests() == [], "nothing may be sent when a variable is wrong"
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


def test_wait_until_the_jobs_have_stopped(sim, playbook, env):
    # A cancelled job disappears at once: waiting costs one read and no sleep.
    web, idle = seed(sim, ["backup", "restore"], [], cancel_delay=0)
    extra = {"vps_job_cancel_vps_ids": [web, idle], "vps_job_cancel_wait": True, "vps_job_cancel_wait_timeout": 30}
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc == 0, result
    assert summary(result)["canceled"] == {web: ["backup", "restore"]}
    assert statuses(sim) == {web: [], idle: []}
    # Per VPS and type: read, cancel, then one read to see it gone when something was cancelled; the
    # idle VPS's read shows nothing to cancel, so no DELETE is sent there.
    assert methods(sim) == ["GET", "DELETE", "GET"] * 2 + ["GET"] * 2


def test_wait_timeout_fails_and_says_so(sim, playbook, env):
    vid, = seed(sim, ["backup"], cancel_delay=3600)
    extra = {"vps_job_cancel_vps_ids": [vid], "vps_job_cancel_job_types": ["backup"],
             "vps_job_cancel_wait": True, "vps_job_cancel_wait_timeout": 1}
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc != 0
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
