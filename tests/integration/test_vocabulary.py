"""One result vocabulary, results readable at a glance, and selection by age (issue 20, items 2, 3, 7, 8).

* Every successful run of a mutating module has a ``msg`` saying what it did ("canceled 2 of 3 ...;
  1 already ..."), "would ..." in check mode; the default callback shows it at -v.
* ``vsp_job`` returns ``canceled``/``not_canceled`` for one ID as for a list, and in check mode its
  ``job`` shows the state a real run would leave (CANCELLED).
* A requested backup that is not there is an idempotent success that says so: ``already_absent`` and a
  warning naming it.
* ``vsp_job_info`` takes ``older_than_minutes`` (startTime in either form: epoch seconds or date-time),
  and so does the ``vsp_job_cancel`` role (``vsp_job_cancel_older_than_minutes``).

Module cases run in this process (tests/runner.py); what a user reads (-v output, the role) runs
through ansible-playbook.
"""

from datetime import datetime, timezone

import pytest

from harness import run_playbook
from registry import APIS

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import started_at


def vsp_seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs)}
    if settings:
        body["settings"] = settings
    sim.seed(vsp=body)


# -- vsp_job: one ID speaks the list's words -------------------------------------------------------

def test_vsp_job_one_id_check_real_again(sim, run):
    vsp_seed(sim, {"id": 104, "jobState": "EXECUTING"})
    check = run("vsp_job", {"job_id": 104}, check=True, diff=True)
    assert check["changed"] is True and check["canceled"] == [104] and check["not_canceled"] == []
    assert check["job"]["jobState"] == "CANCELLED", "check mode shows the state a real run leaves"
    assert check["diff"]["after"]["job"]["jobState"] == "CANCELLED"
    assert check["msg"] == "would cancel 1 of 1 VSP job (104)"

    real = run("vsp_job", {"job_id": 104})
    assert real["changed"] is True and real["canceled"] == [104] and real["not_canceled"] == []
    assert real["msg"] == "canceled 1 of 1 VSP job (104)"

    again = run("vsp_job", {"job_id": 104})
    assert again["changed"] is False and again["canceled"] == [] and again["not_canceled"] == []
    assert again["msg"] == "canceled 0 of 1 VSP job; 1 already CANCELLED"


def test_vsp_job_one_unknown_id_is_in_not_canceled(sim, run):
    out = run("vsp_job", {"job_id": 999})
    assert out.get("failed") is True and out["canceled"] == []
    assert [(f["job_id"], f["state"]) for f in out["not_canceled"]] == [(999, None)]
    assert out["msg"].startswith("job 999 could not be cancelled")


def test_vsp_job_list_msg_counts_by_reason(sim, run):
    vsp_seed(sim, {"id": 1, "jobState": "EXECUTING"}, {"id": 2, "jobState": "PROCESSING"},
             {"id": 3, "jobState": "COMPLETE"}, {"id": 4, "jobState": "COMPLETE"}, {"id": 5, "jobState": "CANCELLED"})
    out = run("vsp_job", {"job_ids": [1, 2, 3, 4, 5]}, check=True)
    assert [j["jobState"] for j in out["jobs"]] == ["CANCELLED", "CANCELLED", "COMPLETE", "COMPLETE", "CANCELLED"]
    assert out["msg"] == "would cancel 2 of 5 VSP jobs (1, 2); 2 already COMPLETE; 1 already CANCELLED"


# -- the other mutating modules --------------------------------------------------------------------

def test_bigchange_job_msg(sim, run):
    made = sim.seed(bigchange={"jobs": [{"status": "scheduled"}, {"status": "cancelled"}]})["bigchange"]["jobs"]
    ids = [job["id"] for job in made]
    out = run("bigchange_job", {"job_ids": ids, "reason": "duplicate"})
    assert out["changed"] is True and out["canceled"] == [ids[0]]
    assert out["msg"] == "canceled 1 of 2 BigChange jobs (%d); 1 already cancelled" % ids[0]


def seed_vps(sim, **spec):
    return sim.seed(hostup={"vps": [dict({"name": "web-1"}, **spec)]})["hostup"]["vps"][0]


def test_vps_backup_absent_ids_are_said_and_warned(sim, run):
    vps = seed_vps(sim, backups={"count": 2})
    present = vps["backups"][0]["id"]
    absent = "bkp_" + "0" * 26
    out = run("vps_backup", {"vps_id": vps["id"], "backup_ids": [present, absent]})
    assert out["changed"] is True and out["deleted"] == [present] and out["already_absent"] == [absent]
    assert out["msg"] == "VPS %s: deleted 1 of 2 backups (%s); 1 already gone" % (vps["id"], present)
    assert any(absent in w and "nothing to delete" in w for w in out.get("warnings", [])), out.get("warnings")

    again = run("vps_backup", {"vps_id": vps["id"], "backup_ids": [present, absent]})
    assert again["changed"] is False and again["already_absent"] == [present, absent]
    assert again["msg"] == "VPS %s: deleted 0 of 2 backups; 2 already gone" % vps["id"]
    assert len([w for w in again["warnings"] if "nothing to delete" in w]) == 2


def test_vps_active_job_msg(sim, run):
    vps = seed_vps(sim, active_jobs=[{"jobType": "backup"}])
    check = run("vps_active_job", {"vps_id": vps["id"], "job_type": "backup"}, check=True)
    assert check["msg"] == "would cancel the backup job of VPS %s" % vps["id"]
    real = run("vps_active_job", {"vps_id": vps["id"], "job_type": "backup"})
    assert real["msg"] == "canceled the backup job of VPS %s" % vps["id"]
    again = run("vps_active_job", {"vps_id": vps["id"], "job_type": "backup"})
    assert again["changed"] is False and again["msg"].startswith("nothing to cancel on VPS %s: " % vps["id"])


def test_vps_backup_retention_msg(sim, run):
    vps = seed_vps(sim, backups={"count": 3})
    out = run("vps_backup_retention", {"vps_ids": [vps["id"]], "keep_last": 1}, check=True)
    assert out["msg"] == "would delete 2 backups of 1 VPS; 1 kept by the policy"
    out = run("vps_backup_retention", {"vps_ids": [vps["id"]], "keep_last": 1})
    assert out["msg"] == "deleted 2 backups of 1 VPS; 1 kept by the policy"


# What a user reads: the default callback prints the msg at -v.
def test_the_msg_shows_at_v_in_a_playbook(sim, tmp_path):
    vsp_seed(sim, {"id": 7, "jobState": "EXECUTING"}, {"id": 8, "jobState": "FAILED"})
    playbook = tmp_path / "cancel.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  connection: local\n  tasks:\n"
                        "    - jobctl.cloud.vsp_job:\n        job_ids: [7, 8]\n")
    result = run_playbook(playbook, ["-v"], env=APIS["vsp"].env(sim.url))
    assert result.rc == 0, result
    assert '"msg": "canceled 1 of 2 VSP jobs (7); 1 already FAILED"' in result.stdout, result.stdout


# -- older_than_minutes ----------------------------------------------------------------------------

def test_started_at_reads_both_forms_and_refuses_the_rest():
    moment = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    assert started_at(moment.timestamp()) == moment
    assert started_at(str(moment.timestamp())) == moment
    assert started_at("2026-12-07T12:00:00Z") == moment
    assert started_at("2026-12-07T12:00:00") == moment
    assert started_at("2026-12-07T13:00:00+01:00") == moment
    for unknown in (None, "", "soon", True, float("nan"), float("inf"), 1e300, [], {}):
        assert started_at(unknown) is None, unknown


@pytest.mark.parametrize("epoch", [True, False], ids=["epoch-seconds", "date-time"])
def test_vsp_job_info_older_than_minutes(sim, run, epoch):
    vsp_seed(sim, {"id": 1, "age": 3 * 3600}, {"id": 2, "age": 30 * 60}, {"id": 3, "age": 90 * 60},
             epoch_times=epoch)
    out = run("vsp_job_info", {"older_than_minutes": 60})
    assert sorted(j["jobId"]["id"] for j in out["jobs"]) == [1, 3]
    assert isinstance(out["jobs"][0]["startTime"], float if epoch else str), "API objects stay as given"
    out = run("vsp_job_info", {"older_than_minutes": 120})
    assert [j["jobId"]["id"] for j in out["jobs"]] == [1]


def test_vsp_job_info_older_than_minutes_is_checked_before_any_request(sim, run):
    sim.clear_requests()
    out = run("vsp_job_info", {"older_than_minutes": -1})
    assert out.get("failed") and out["msg"] == "older_than_minutes must be at least 0, got -1.0"
    assert sim.requests() == []


def test_role_cancels_only_jobs_older_than(simulator, sim):
    vsp_seed(sim, {"id": 11, "age": 5 * 3600, "bucketName": "b"}, {"id": 12, "age": 10 * 60, "bucketName": "b"},
             {"id": 13, "age": 5 * 3600, "jobState": "COMPLETE", "bucketName": "b"})
    result = run_playbook("playbooks/vsp_job_cancel.yml", ["-e", "vsp_job_cancel_older_than_minutes=120"],
                          env=APIS["vsp"].env(sim.url))
    assert result.rc == 0, result
    summary = result.task("Record what was cancelled as vsp_job_cancel_summary")["ansible_facts"]["vsp_job_cancel_summary"]
    assert [j["job_id"] for j in summary["canceled"]] == [11] and summary["failed"] == []
    # The summary's times are ISO 8601 (UTC), whatever form the API gave (here epoch seconds).
    started = datetime.fromtimestamp(next(j["startTime"] for j in sim.state("vsp")["jobs"] if j["jobId"]["id"] == 11),
                                     timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert summary["canceled"][0]["started_at"] == started
    report = result.task("Report which jobs were cancelled and which were left")["msg"]
    assert "Cancelled job 11 (BATCH_REPLICATE on b, started %s), now CANCELLED" % started in report, report
    assert {j["jobId"]["id"]: j["jobState"] for j in sim.state("vsp")["jobs"]} == {
        11: "CANCELLED", 12: "EXECUTING", 13: "COMPLETE"}


# A name the API gives is shown as it is only when printable: a line break or a terminal escape in a
# task name must not reach the console raw through the msg.
def test_a_hostile_task_name_is_escaped_in_the_msg(sim, run):
    made = sim.seed(cloudfoundry={"apps": [{"name": "billing", "tasks": [
        {"name": "evil\n\x1b[31mred", "state": "RUNNING"}]}]})["cloudfoundry"]["apps"][0]
    guid = made["tasks"][0]["guid"]
    out = run("cf_task", {"guid": guid})
    assert out["changed"] is True, out
    assert "\x1b" not in out["msg"] and "\n" not in out["msg"], out["msg"]
    assert out["msg"] == "canceled 1 of 1 task (%r %s)" % ("evil\n\x1b[31mred", guid)
