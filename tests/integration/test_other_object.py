"""An answer about another object is never trusted (nothing from outside is trusted to decide an outcome).

A cache or a gateway that mixes answers up can answer a read of one task or job with another's. Each
module that reads one object by its ID checks that the answer is about that object; if it is not, the
run fails saying so, and no change is sent on the strength of it. The simulator's ``reply`` fault
answers the read with the other object's JSON. Each case is one in-process module run (tests/runner.py).
"""

import pytest

GUID = "0a0a0a0a-0000-4000-8000-00000000000a"
OTHER = "0b0b0b0b-0000-4000-8000-00000000000b"


def cancels(sim, api, needle):
    return [r for r in sim.requests(api) if r["method"] in ("POST", "PUT") and needle in r["path"]]


def test_cf_task_read_about_another_task_fails_and_cancels_nothing(sim, run):
    app = sim.seed(cloudfoundry={"apps": [{"name": "billing", "tasks": [{"name": "migrate", "state": "RUNNING"}]}]})
    guid = app["cloudfoundry"]["apps"][0]["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks/%s$" % guid, kind="reply",
              reply={"guid": OTHER, "state": "SUCCEEDED", "name": "migrate"})
    out = run("cf_task", {"guid": guid})
    assert out.get("failed") is True and out["changed"] is False, out
    assert "is about task %s, not task %s" % (OTHER, guid) in out["msg"], out["msg"]
    assert cancels(sim, "cloudfoundry", "/actions/cancel") == []
    assert [t["state"] for t in sim.state("cloudfoundry")["tasks"] if t["guid"] == guid] == ["RUNNING"]


def test_bigchange_job_read_about_another_job_fails_and_cancels_nothing(sim, run):
    made = sim.seed(bigchange={"jobs": [{"status": "scheduled"}]})["bigchange"]["jobs"][0]
    sim.fault(api="bigchange", method="GET", path="/jobs/%d$" % made["id"], kind="reply",
              reply={"id": made["id"] + 1, "status": "cancelled"})
    out = run("bigchange_job", {"job_id": made["id"], "reason": "duplicate"})
    assert out.get("failed") is True and out["changed"] is False, out
    assert "is about job %d, not job %d" % (made["id"] + 1, made["id"]) in out["msg"], out["msg"]
    assert cancels(sim, "bigchange", "/cancel") == []
    assert [j["status"] for j in sim.state("bigchange")["jobs"]] == ["scheduled"]


@pytest.mark.parametrize("info", [False, True], ids=["vsp_job", "vsp_job_info"])
def test_vsp_status_about_another_job_fails_and_cancels_nothing(sim, run, info):
    sim.seed(vsp={"jobs": [{"id": 1, "jobState": "EXECUTING"}]})
    sim.fault(api="vsp", method="POST", path="/jobs/status$", kind="reply",
              reply={"status": {"jobId": {"id": 2}, "jobState": "COMPLETE"}}, times=-1)
    out = run("vsp_job_info" if info else "vsp_job", {"job_id": 1})
    assert out.get("failed") is True, out
    assert "is about job 2, not job 1" in out["msg"], out["msg"]
    assert cancels(sim, "vsp", "/jobs/cancel") == []
    assert [j["jobState"] for j in sim.state("vsp")["jobs"]] == ["EXECUTING"]


def test_the_reply_fault_needs_its_reply(sim):
    with pytest.raises(Exception) as err:
        sim.fault(api="vsp", kind="reply")
    assert "reply" in str(err.value)
