"""The simulator's real-server behaviours, switched on one at a time (issue #12, Cloud Foundry and BigChange).

Each behaviour the public sources confirm is on by default in the simulator (the other tests run
against all of them together). Here each one is the only one on, over a simulator that otherwise
answers as the vendors' reference pages read: whatever the combination, the modules must do their
work, because the real API may show any of them. (HostUp's and VSP's switches have tests of their
own: tests/unit/simulator/test_hostup.py and tests/integration/test_vsp.py.)

That is the modules' own behaviour: each task of the former plays is one in-process run
(tests/runner.py), in the same order, against the same simulator.
"""

import pytest

BIGCHANGE_TOKEN_PATH = "/bigchange/auth/tokens"

# The reference pages' reading: no filter rule, no cap, bare pages, empty strings, one timestamp spelling.
BIGCHANGE_AS_DOCUMENTED = {"require_filter": False, "max_filter_values": None, "page_envelope": False,
                           "null_strings": False, "timestamps": "z"}
BIGCHANGE_CONFIRMED = [("require_filter", True), ("max_filter_values", 50), ("page_envelope", True),
                       ("null_strings", True), ("timestamps", "mixed"), ("timestamps", "offset")]


def bigchange_defaults(sim):
    return {"group/jobctl.cloud.bigchange": {
        "api_url": sim.url + "/bigchange/v1", "token_url": sim.url + BIGCHANGE_TOKEN_PATH, "customer_id": 1001,
        "client_id": "bigchange-client", "client_secret": "bigchange-secret"}}


@pytest.mark.parametrize("setting,value", BIGCHANGE_CONFIRMED, ids=["%s=%s" % s for s in BIGCHANGE_CONFIRMED])
def test_bigchange_modules_work_with_each_confirmed_behaviour_alone(sim, run, setting, value):
    settings = dict(BIGCHANGE_AS_DOCUMENTED, **{setting: value})
    jobs = [{"status": "scheduled", "reference": "FID-%d" % n} for n in range(60)] + [{"status": "started"}]
    created = sim.seed(bigchange={"settings": settings, "jobs": jobs})["bigchange"]["jobs"]
    ids = [j["id"] for j in created]
    defaults = bigchange_defaults(sim)
    result = {
        "list": run("bigchange_job_info", {"job_ids": ids}, defaults=defaults),
        "by reference": run("bigchange_job_info", {"reference": "FID-7"}, defaults=defaults),
        "cancel": run("bigchange_job", {"job_ids": ids[:60], "reason": "fidelity"}, defaults=defaults),
        "again": run("bigchange_job", {"job_ids": ids[:60], "reason": "fidelity"}, defaults=defaults),
    }
    assert not [(name, out.get("msg")) for name, out in result.items() if out.get("failed")]
    assert sorted(j["id"] for j in result["list"]["jobs"]) == sorted(ids)
    assert [j["reference"] for j in result["by reference"]["jobs"]] == ["FID-7"]
    assert result["cancel"]["changed"] is True and len(result["cancel"]["canceled"]) == 60
    assert result["again"]["changed"] is False
    state = dict((j["id"], j["status"]) for j in sim.state("bigchange")["jobs"])
    assert [state[i] for i in ids] == ["cancelled"] * 60 + ["started"]
    # Batches of at most 50 values per request, whatever the simulator enforces.
    lists = [e for e in sim.requests("bigchange") if e["method"] == "GET" and e["path"].endswith("/v1/jobs")]
    assert lists and all(len(e["query"].get("id", [])) <= 50 for e in lists)


def cf_defaults(sim, username="admin", password="admin-secret"):
    return {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": username,
                                                "password": password}}


CF_CONFIRMED = [{"names_case_insensitive": True}, {"rate_limit_general": 1000}]


@pytest.mark.parametrize("setting", CF_CONFIRMED, ids=[str(s) for s in CF_CONFIRMED])
def test_cloud_foundry_modules_work_with_each_confirmed_behaviour_alone(sim, run, setting):
    settings = dict({"names_case_insensitive": False, "rate_limit_general": None}, **setting)
    sim.seed(cloudfoundry={"settings": settings,
                           "users": [{"username": "dev", "password": "dev-secret", "role": "developer"}]})
    app = sim.seed(cloudfoundry={"apps": [{"name": "billing", "tasks": [{"name": "db-migrate"},
                                                                        {"name": "report"}]}]})["cloudfoundry"]["apps"][0]
    defaults = cf_defaults(sim, "dev", "dev-secret")
    result = {
        "list": run("cf_task_info", {"app": "billing", "names": ["db-migrate"]}, defaults=defaults),
        "cancel": run("cf_task", {"app": "billing", "name": "db-migrate"}, defaults=defaults),
        "again": run("cf_task", {"app": "billing", "name": "db-migrate"}, defaults=defaults),
    }
    assert not [(name, out.get("msg")) for name, out in result.items() if out.get("failed")]
    assert [t["name"] for t in result["list"]["tasks"]] == ["db-migrate"]
    assert result["cancel"]["canceled"] == [app["tasks"][0]["guid"]]
    assert result["again"]["changed"] is False
    states = dict((t["guid"], t["state"]) for t in sim.state("cloudfoundry")["tasks"])
    assert states[app["tasks"][0]["guid"]] in ("CANCELING", "FAILED") and states[app["tasks"][1]["guid"]] == "RUNNING"
