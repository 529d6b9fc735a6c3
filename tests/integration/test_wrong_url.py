"""A wrong base URL is an error that says so, never an idempotent success (issue 20, item 2).

A 404 means "no such object" only when the API itself said it, in its own error form: HostUp's and
BigChange's Problem Details, VSP's {code, message, details}, Cloud Foundry's CF-ResourceNotFound. A 404
from anywhere else (the web server in front of an API answering a path outside it, Cloud Foundry's
"Unknown request") is an error that shows the URL and what the API's base URL looks like. An api_url
ending in what the modules add themselves (/v3, /v1) is refused before any request.

The simulator answers a path outside an API's base as a web server would (nginx's 404 page), as a wrong
base URL meets it. Each case is one in-process module run (tests/runner.py), and the users' way (an
ad-hoc `ansible` command) once.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT, ansible_env
from registry import APIS

KEY = "hostup-test-key"


def defaults(sim, api, **options):
    settings = APIS[api].defaults(sim)
    group = next(iter(settings))
    settings[group].update(options)
    return settings


def backup(sim):
    vps = sim.seed(hostup={"vps": [{"name": "web-1", "backups": {"count": 2}}]})["hostup"]["vps"][0]
    return vps["id"], vps["backups"][0]["id"]


def backup_ids(sim):
    return [b["id"] for vps in sim.state("hostup")["vps"] for b in vps["backups"]]


def test_a_backup_delete_under_a_cut_base_url_fails_instead_of_already_gone(sim, run):
    vps_id, backup_id = backup(sim)
    cut = sim.url + "/hostup/api"
    out = run("vps_backup", {"vps_id": vps_id, "backup_ids": [backup_id], "state": "absent"},
              defaults=defaults(sim, "hostup", api_url=cut))
    assert out.get("failed") is True and out["changed"] is False, out
    url = "%s/hostup/api/vps/%s/backups" % (sim.url, vps_id)
    assert "HTTP 404 from %s" % url in out["msg"], out["msg"]
    assert "no such path on the HostUp API" in out["msg"]
    assert "api_url's path does not end in /api/v2" in out["msg"]
    assert "https://cloud.hostup.se/api/v2" in out["msg"]
    assert backup_id in backup_ids(sim)


def test_the_apis_own_404_is_still_a_missing_object(sim, run):
    vps_id, dummy = backup(sim)
    gone = "bkp_" + "0" * 26
    out = run("vps_backup", {"vps_id": vps_id, "backup_ids": [gone], "state": "absent"})
    assert out.get("failed") is not True and out["changed"] is False, out


def test_a_doubled_base_path_is_refused_before_any_request(sim, run):
    sim.clear_requests()
    doubled = defaults(sim, "bigchange", api_url=sim.url + "/bigchange/v1/v1")
    out = run("bigchange_job", {"job_id": 480101, "reason": "moved"}, defaults=doubled)
    assert out.get("failed") is True, out
    assert out["msg"].startswith("api_url repeats /v1 in its path: give it once"), out["msg"]
    assert "https://api.bigchange.com/v1" in out["msg"]
    assert sim.requests() == []


def test_cf_api_url_ending_in_v3_is_refused_before_any_request(sim, run):
    sim.clear_requests()
    v3 = defaults(sim, "cloudfoundry", api_url=sim.url + "/cf/v3")
    out = run("cf_task_info", {"org": "o", "space": "s"}, defaults=v3)
    assert out.get("failed") is True, out
    assert out["msg"].startswith("api_url ends in /v3, which the modules add to every path themselves"), out["msg"]
    assert sim.requests() == []


def test_vsp_api_url_ending_in_v1_is_refused_before_any_request(sim, run):
    sim.clear_requests()
    out = run("vsp_job_info", {}, defaults=defaults(sim, "vsp", api_url=sim.url + "/vsp/mapi/v1/"))
    assert out.get("failed") is True, out
    assert "api_url ends in /v1" in out["msg"] and "ends in /mapi" in out["msg"], out["msg"]
    assert sim.requests() == []


def test_vsp_job_under_a_wrong_base_is_not_a_missing_job(sim, run):
    out = run("vsp_job", {"job_id": 104}, defaults=defaults(sim, "vsp", api_url=sim.url + "/vsp/admin"))
    assert out.get("failed") is True, out
    assert "no such path on the VSP One Object API" in out["msg"], out["msg"]
    assert "does not end in /mapi" in out["msg"]
    assert "job 104 could not" not in out["msg"]


def test_cf_unknown_request_is_a_wrong_url_not_a_missing_task(sim, run):
    out = run("cf_task", {"guid": "0a0a0a0a-0000-4000-8000-000000000000"},
              defaults=defaults(sim, "cloudfoundry", api_url=sim.url + "/cf/cc"))
    assert out.get("failed") is True, out
    assert "HTTP 404 from %s/cf/cc/: no such path on the Cloud Foundry API" % sim.url in out["msg"], out["msg"]
    assert "base URL is its root" in out["msg"] and "CF-NotFound: Unknown request" in out["msg"]


# As a user meets it: bigchange_job_info answered SUCCESS, jobs: [] under a wrong base URL.
def test_ad_hoc_job_info_under_a_wrong_base_url_fails_with_the_url(sim):
    env = ansible_env(dict(APIS["bigchange"].env(sim.url), BIGCHANGE_API_URL=sim.url + "/bigchange"))
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-m",
                           "jobctl.cloud.bigchange_job_info", "-a", "job_id=480101"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=str(ROOT), check=False)
    assert proc.returncode != 0, proc.stdout
    assert "FAILED" in proc.stdout and "SUCCESS" not in proc.stdout, proc.stdout
    assert "HTTP 404 from %s/bigchange/jobs/480101" % sim.url in proc.stdout, proc.stdout
    assert "api_url's path does not end in /v1" in proc.stdout


# A base URL that ends in a path the modules add themselves, for every API: refused before any request,
# since the API's own router would answer the doubled path with its own "not found" (an idempotent success).
@pytest.mark.parametrize("api, module, args, path, ending", [
    ("hostup", "vps_backup", {"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3", "backup_id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"},
     "/hostup/api/v2/vps", "/vps"),
    ("vsp", "vsp_job", {"job_id": 1}, "/vsp/mapi/v1/jobs", "/v1/jobs"),
    ("cloudfoundry", "cf_task", {"guid": "0a0a0a0a-0000-4000-8000-000000000000"}, "/cf/v3/tasks/", "/v3/tasks"),
    ("bigchange", "bigchange_job", {"job_id": 1, "reason": "r"}, "/bigchange/v1/jobs", "/jobs"),
])
def test_an_api_url_ending_in_a_path_the_modules_add_is_refused(sim, run, api, module, args, path, ending):
    sim.clear_requests()
    out = run(module, args, defaults=defaults(sim, api, api_url=sim.url + path))
    assert out.get("failed") is True and out["changed"] is False, out
    assert out["msg"].startswith("api_url ends in %s, which the modules add" % ending), out["msg"]
    assert sim.requests() == []
