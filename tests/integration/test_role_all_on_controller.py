"""All five roles at once (issue 21, items 1 and 8): where their API calls run, and how they fail.

ONE ansible-playbook run applies each role to an inventory host of its own whose connection is SSH
(``ansible_connection: ssh``, ``ansible_host: 127.0.0.2``), the SSH client being a fake that records
every call and fails. The inventory also has a host named ``localhost`` with hostile variables (SSH,
another address, a Python that does not exist, become), as an inventory plugin might define one:
``delegate_to: localhost`` must not pick them up. Every role is given a list where some items are
acted on and one fails, so the run also shows the one failure pattern of the roles: the task that
acted reports ``changed`` and its failure is held back (``ignore_errors``: its result keeps ``failed``),
the role fails after its summary, and the recap shows both (``changed>=1 failed=1 ignored=1``, nothing
rescued).

Each host runs its role with ``include_role`` in one play, so that a failing host does not end the
run for the others (a play whose hosts have all failed ends the playbook).
"""

import os
import re
import stat
import sys

import pytest
import yaml

from harness import SimClient, run_playbook

KEY = "hostup-test-key"
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"
VSP_TOKEN = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+"
                   r"rescued=(\d+)\s+ignored=(\d+)", re.M)

FAKE_SSH = """#!/bin/sh
# A fake ssh: records that it was called, and fails as an unreachable host would.
echo "$0 $*" >> "%s"
exit 255
"""


def environment(url):
    return {"HOSTUP_API_URL": url + "/hostup/api/v2", "HOSTUP_API_KEY": KEY,
            "VSP_API_URL": url + "/vsp/mapi", "VSP_TOKEN_URL": url + VSP_TOKEN,
            "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret",
            "CF_API_URL": url + "/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret",
            "BIGCHANGE_API_URL": url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": url + "/bigchange/auth/tokens",
            "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
            "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"}


@pytest.fixture(scope="module")
def run(simulator, tmp_path_factory):
    work = tmp_path_factory.mktemp("on_controller")
    calls = work / "ssh-calls.log"
    fake_bin = work / "bin"
    fake_bin.mkdir()
    ssh = fake_bin / "ssh"
    ssh.write_text(FAKE_SSH % calls)
    ssh.chmod(ssh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    sim = SimClient(simulator)
    sim.reset("empty")
    seeded = sim.seed(
        hostup={"vps": [
            {"name": "cancel-web", "active_jobs": [{"jobType": "backup", "duration": 3600}]},
            {"name": "csv-a", "active_jobs": [{"jobType": "backup", "duration": 3600}]},
            {"name": "csv-b", "active_jobs": [{"jobType": "backup", "duration": 3600}]},
            {"name": "prune-web", "backups": [{"age_days": age, "backupType": "manual"} for age in (1, 2, 3)]},
        ]},
        vsp={"jobs": [{"id": 101, "jobState": "EXECUTING"}, {"id": 102, "jobState": "PROCESSING"},
                      {"id": 103, "jobState": "COMPLETE"}]},
        cloudfoundry={"settings": {"cancel_delay": 3600}, "apps": [{"name": "stuck-app", "tasks": [{"name": "stuck"}]}]},
        bigchange={"jobs": [{"status": "scheduled", "starts_in": 7200}, {"status": "started", "starts_in": 7200}]},
    )
    vps = [v["id"] for v in seeded["hostup"]["vps"]]
    app = seeded["cloudfoundry"]["apps"][0]
    jobs = [j["id"] for j in seeded["bigchange"]["jobs"]]
    sim.clear_requests()

    ssh_host = {"ansible_connection": "ssh", "ansible_host": "127.0.0.2", "ansible_user": "nobody",
                "ansible_ssh_executable": str(ssh), "ansible_python_interpreter": "/nonexistent/python3"}
    cases = {
        "vps_job_cancel": {"vps_job_cancel_vps_ids": [vps[0], UNKNOWN_VPS], "vps_job_cancel_job_types": ["backup"]},
        "vps_backup_prune": {"vps_backup_prune_vps_ids": [vps[3], UNKNOWN_VPS], "vps_backup_prune_keep_last": 1},
        "vsp_job_cancel": {"vsp_job_cancel_job_ids": [101, 102, 103, 999]},
        "cf_task_cancel": {"cf_task_cancel_app_guid": app["guid"], "cf_task_cancel_names": ["stuck"],
                           "cf_task_cancel_wait": True, "cf_task_cancel_wait_timeout": 1},
        "bigchange_job_cancel": {"bigchange_job_cancel_job_ids": jobs},
    }
    hosts = {"%s_host" % role: dict(ssh_host, role_under_test=role, **variables) for role, variables in cases.items()}
    # Item 4 of the issue: a comma-separated string is read as the list it stands for.
    hosts["vps_job_cancel_csv"] = dict(ssh_host, role_under_test="vps_job_cancel",
                                       vps_job_cancel_vps_ids="%s, %s" % (vps[1], vps[2]),
                                       vps_job_cancel_job_types=["backup"])
    inventory = {"all": {
        # What an inventory plugin could define: delegate_to: localhost must not take any of it.
        "hosts": {"localhost": {"ansible_connection": "ssh", "ansible_host": "127.0.0.3",
                                "ansible_ssh_executable": str(ssh), "ansible_become": True,
                                "ansible_python_interpreter": "/nonexistent/python3"}},
        "children": {"cases": {"hosts": hosts}}}}
    (work / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Each host runs its role", "hosts": "cases", "gather_facts": False,
             "tasks": [{"name": "Run the role under test",
                        "ansible.builtin.include_role": {"name": "jobctl.cloud.{{ role_under_test }}"}}]}]
    (work / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))

    env = dict(environment(simulator.url),
               PATH=str(fake_bin) + os.pathsep + str(os.path.dirname(sys.executable)) + os.pathsep
               + os.environ.get("PATH", ""))
    result = run_playbook(work / "play.yml", ["-i", str(work / "inventory.yml")], env=env)
    recap = {m.group(1): dict(zip(("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"),
                                  map(int, m.groups()[1:])))
             for m in RECAP.finditer(result.stdout)}
    return {"result": result, "recap": recap, "requests": sim.requests(), "vps": vps, "app": app, "jobs": jobs,
            "ssh_calls": calls.read_text() if calls.exists() else "", "sim": sim,
            "hostup": sim.state("hostup"), "vsp": sim.state("vsp"), "bigchange": sim.state("bigchange")}


def facts(run, host, name):
    found = [r["result"]["ansible_facts"][name] for r in run["result"].results
             if r["host"] == host and name in r["result"].get("ansible_facts", {})]
    assert found, "%s never set %s\n%r" % (host, name, run["result"])
    return found[-1]


def test_no_ssh_connection_at_all(run):
    assert run["ssh_calls"] == "", "a role connected over SSH:\n" + run["ssh_calls"]
    assert "unreachable" not in [r["status"] for r in run["result"].results], run["result"]
    assert all(counts["unreachable"] == 0 for counts in run["recap"].values()), run["recap"]
    assert "localhost" not in run["recap"], "the inventory's localhost is no target of the play"


@pytest.mark.parametrize("role", ["vps_job_cancel", "vps_backup_prune", "vsp_job_cancel", "cf_task_cancel",
                                  "bigchange_job_cancel"])
def test_the_role_acted_then_failed_after_its_summary(run, role):
    host = "%s_host" % role
    counts = run["recap"].get(host)
    assert counts, "%s is not in the recap\n%r" % (host, run["result"])
    assert counts["changed"] >= 1 and counts["failed"] == 1, counts
    assert counts["rescued"] == 0 and counts["ignored"] == 1, counts
    mine = [r for r in run["result"].results if r["host"] == host]
    failed = [r for r in mine if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["task"].endswith(mine[-1]["task"]), "the role's last task fails it"
    summary = facts(run, host, "%s_summary" % role)
    assert summary["failed"], summary
    acted = [r["task"] for r in mine if r["status"] in ("ok", "ignored") and r["result"].get("changed")]
    assert acted, "the task that acted reports changed: %r" % mine


def test_the_api_requests_reached_the_simulator_and_did_their_work(run):
    vps, app, jobs, requests = run["vps"], run["app"], run["jobs"], run["requests"]
    hostup = {v["id"]: v for v in run["hostup"]["vps"]}
    assert [j for j in hostup[vps[0]]["active_jobs"] if j["status"] == "running"] == [], "its backup was cancelled"
    assert len(hostup[vps[3]]["backups"]) == 1, "keep_last 1 on the VPS that exists"
    assert {j["jobId"]["id"]: j["jobState"] for j in run["vsp"]["jobs"]} == {
        101: "CANCELLED", 102: "CANCELLED", 103: "COMPLETE"}
    assert [j["status"] for j in run["bigchange"]["jobs"]] == ["cancelled", "started"]
    assert any(r["api"] == "cloudfoundry" and r["path"].endswith("/tasks/%s/actions/cancel" % app["tasks"][0]["guid"])
               for r in requests)


def test_each_summary_speaks_the_one_vocabulary(run):
    vps = run["vps"]
    s = facts(run, "vps_job_cancel_host", "vps_job_cancel_summary")
    assert s["canceled"] == {vps[0]: ["backup"]} and s["left"] == [] and list(s["failed"]) == [UNKNOWN_VPS]
    s = facts(run, "vps_backup_prune_host", "vps_backup_prune_summary")
    assert len(s["deleted"][vps[3]]) == 2 and len(s["kept"][vps[3]]) == 1 and list(s["failed"]) == [UNKNOWN_VPS]
    s = facts(run, "vsp_job_cancel_host", "vsp_job_cancel_summary")
    assert [j["job_id"] for j in s["canceled"]] == [101, 102] and [j["job_id"] for j in s["left"]] == [103]
    assert [j["job_id"] for j in s["failed"]] == [999]
    s = facts(run, "cf_task_cancel_host", "cf_task_cancel_summary")
    assert [t["guid"] for t in s["canceled"]] == [run["app"]["tasks"][0]["guid"]] and "timed out" in s["msg"]
    s = facts(run, "bigchange_job_cancel_host", "bigchange_job_cancel_summary")
    assert s["canceled"] == run["jobs"][:1] and [j["job_id"] for j in s["failed"]] == run["jobs"][1:]
    assert s["cancelled"] == s["canceled"], "the deprecated name keeps its value until 0.3.0"


def test_a_comma_separated_string_of_vps_ids_is_a_list(run):
    vps = run["vps"]
    assert run["recap"]["vps_job_cancel_csv"]["failed"] == 0, run["result"]
    s = facts(run, "vps_job_cancel_csv", "vps_job_cancel_summary")
    assert s["canceled"] == {vps[1]: ["backup"], vps[2]: ["backup"]} and s["failed"] == {}
    hostup = {v["id"]: v for v in run["hostup"]["vps"]}
    assert [j for v in vps[1:3] for j in hostup[v]["active_jobs"] if j["status"] == "running"] == []
