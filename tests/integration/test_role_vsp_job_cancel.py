"""The vsp_job_cancel role, through playbooks/vsp_job_cancel.yml and ansible-playbook, against the simulator.

check mode -> real run -> idempotent re-run, then refusals before any request, then failures that
must not stop the other jobs.
"""

import pytest

PLAYBOOK = "playbooks/vsp_job_cancel.yml"
TOKEN_PATH = "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"
SUMMARY_TASK = "Record what was cancelled as vsp_job_cancel_summary"
CANCEL = ("POST", "/vsp/mapi/v1/jobs/cancel")
LIST = ("POST", "/vsp/mapi/v1/jobs/list")


@pytest.fixture
def env(sim):
    return {"VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + TOKEN_PATH,
            "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret"}


def seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs)}
    if settings:
        body["settings"] = settings
    sim.seed(vsp=body)


def summary(result):
    return result.task(SUMMARY_TASK)["ansible_facts"]["vsp_job_cancel_summary"]


def report(result):
    return result.task("Report which jobs were cancelled and which were left")["msg"]


def sent(sim, call, since=0):
    return [r for r in sim.requests("vsp", since=since) if (r["method"], r["path"]) == call]


def states(sim):
    return {j["jobId"]["id"]: j["jobState"] for j in sim.state("vsp")["jobs"]}


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def changed_tasks(result):
    return [r["task"] for r in result.results if r["result"].get("changed")]


def test_cancel_by_ids_check_real_rerun(sim, playbook, env):
    seed(sim, {"id": 1, "jobState": "EXECUTING", "bucketName": "b1"},
         {"id": -2, "jobState": "PROCESSING", "jobType": "LIFECYCLE_UPDATE", "bucketName": "b2"},
         {"id": 3, "jobState": "COMPLETE"})
    ids = {"vsp_job_cancel_job_ids": [1, -2, 3, 1]}

    check = playbook(PLAYBOOK, ids, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    assert s["check_mode"] is True and s["selected_by"] == "job_ids"
    assert [(j["job_id"], j["state"]) for j in s["canceled"]] == [(1, "EXECUTING"), (-2, "PROCESSING")]
    assert [(j["job_id"], j["reason"]) for j in s["left"]] == [(3, "already COMPLETE")]
    assert s["failed"] == []
    assert report(check)[:2] == ["Check mode: nothing was cancelled; a real run would cancel what is listed.",
                                 "Would cancel job 1 (BATCH_REPLICATE on b1), EXECUTING"]
    assert sent(sim, CANCEL) == [] and states(sim) == {1: "EXECUTING", -2: "PROCESSING", 3: "COMPLETE"}

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, ids, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert [(j["job_id"], j["state"]) for j in s["canceled"]] == [(1, "CANCELLED"), (-2, "CANCELLED")]
    assert [j["job_id"] for j in s["left"]] == [3]
    assert "Cancelled job -2 (LIFECYCLE_UPDATE on b2), now CANCELLED" in report(real)
    assert "Left job 3 (BATCH_REPLICATE on bucket-1) alone: already COMPLETE" in report(real)
    assert sorted(r["body"]["jobId"]["id"] for r in sent(sim, CANCEL, seq)) == [-2, 1], "duplicates handled once"
    assert states(sim) == {1: "CANCELLED", -2: "CANCELLED", 3: "COMPLETE"}

    seq = last_seq(sim)
    again = playbook(PLAYBOOK, ids, env=env)
    assert again.rc == 0, again
    assert changed_tasks(again) == [], "a second run changes nothing"
    assert summary(again)["canceled"] == [] and len(summary(again)["left"]) == 3
    assert sent(sim, CANCEL, seq) == []


def test_cancel_by_type_and_bucket(sim, playbook, env):
    seed(sim, {"id": 1, "jobType": "BATCH_REPLICATE", "bucketName": "b1"},
         {"id": 2, "jobType": "LIFECYCLE_UPDATE", "bucketName": "b1"},
         {"id": 3, "jobType": "BATCH_REPLICATE", "bucketName": "b2"},
         {"id": 4, "jobType": "BATCH_REPLICATE", "bucketName": "b1", "jobState": "FAILED"},
         {"id": 5, "jobType": "BATCH_REPLICATE", "bucketName": "b1", "jobState": "EXAMINING"})
    selection = {"vsp_job_cancel_job_types": ["BATCH_REPLICATE"], "vsp_job_cancel_bucket_name": "b1"}

    check = playbook(PLAYBOOK, selection, env=env, check=True)
    assert [j["job_id"] for j in summary(check)["canceled"]] == [1, 5] and sent(sim, CANCEL) == []

    real = playbook(PLAYBOOK, selection, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert s["selected_by"] == "filter" and [j["job_id"] for j in s["canceled"]] == [1, 5]
    assert states(sim) == {1: "CANCELLED", 2: "EXECUTING", 3: "EXECUTING", 4: "FAILED", 5: "CANCELLED"}
    lists = sent(sim, LIST)
    assert len(lists) == 2 and lists[0]["body"]["bucketName"] == "b1"

    again = playbook(PLAYBOOK, selection, env=env)
    assert changed_tasks(again) == [] and report(again) == ["No job selected: nothing to do."]


def test_an_unknown_job_does_not_stop_the_others(sim, playbook, env):
    seed(sim, {"id": 5}, {"id": 6})
    result = playbook(PLAYBOOK, {"vsp_job_cancel_job_ids": [5, 404, 6]}, env=env)
    assert result.rc != 0
    assert states(sim) == {5: "CANCELLED", 6: "CANCELLED"}
    s = summary(result)
    assert [j["job_id"] for j in s["canceled"]] == [5, 6] and [j["job_id"] for j in s["failed"]] == [404]
    msg = result.task("Fail naming every job that could not be cancelled")["msg"]
    assert msg.startswith("Could not cancel 1 VSP job(s): job 404: ")
    assert "HTTP 404 Job not found: No job with ID 404 exists." in msg


def test_a_list_that_fails_cancels_nothing(sim, playbook, env):
    seed(sim, {"id": 1, "bucketName": "b1"})
    sim.fault(api="vsp", path="/jobs/list", kind="status", status=500, times=-1)
    result = playbook(PLAYBOOK, {"vsp_job_cancel_bucket_name": "b1"}, env=env)
    assert result.rc != 0
    msg = result.task("Fail naming every job that could not be cancelled")["msg"]
    assert msg.startswith("Could not list the VSP jobs, so none was cancelled: ") and "HTTP 500" in msg
    assert sent(sim, CANCEL) == [] and states(sim) == {1: "EXECUTING"}


def test_wait_until_each_job_has_stopped(sim, playbook, env):
    seed(sim, {"id": 8, "cancel_delay": 1.0})
    result = playbook(PLAYBOOK, {"vsp_job_cancel_job_ids": [8], "vsp_job_cancel_wait": True}, env=env)
    assert result.rc == 0, result
    assert summary(result)["canceled"][0]["state"] == "CANCELLED"
    assert len(sent(sim, ("POST", "/vsp/mapi/v1/jobs/status"))) >= 2, "polled after the cancel"


@pytest.mark.parametrize("variables,words", [
    ({"vsp_job_cancel_job_ids": [1], "vsp_job_cancel_bucket_name": "b1"}, "not both"),
    ({}, "Nothing selected"),
    ({"vsp_job_cancel_job_ids": [1, 2147483648]}, "not a 32-bit job ID: 2147483648"),
    ({"vsp_job_cancel_job_types": ["BACKUP"]}, "Got no match for: BACKUP"),
    ({"vsp_job_cancel_job_ids": ["one"]}, "vsp_job_cancel_job_ids"),
])
def test_bad_variables_fail_before_any_request(sim, playbook, env, variables, words):
    result = playbook(PLAYBOOK, variables, env=env)
    assert result.rc != 0
    failed = [r["result"]["msg"] for r in result.results if r["status"] == "failed"]
    assert failed and words in failed[0], failed
    assert sim.requests() == []


def test_credentials_from_module_defaults(sim, play):
    seed(sim, {"id": 1})
    defaults = {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + TOKEN_PATH,
                                           "username": "vsp-admin", "password": "vsp-secret"}}
    result = play([{"name": "run the role", "ansible.builtin.include_role": {"name": "jobctl.cloud.vsp_job_cancel"}}],
                  defaults=defaults, play_vars={"vsp_job_cancel_job_ids": [1]})
    assert result.rc == 0, result
    assert states(sim) == {1: "CANCELLED"}
