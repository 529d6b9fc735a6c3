"""HostUp's confirmed answer shapes (issue 12, item 7), through the models and through full module runs
(in this process, tests/runner.py).

Source: docs/api/hostup.md, Confirmed (HostUp's endpoint pages for the VPS backups):

* ``actions.canCreateBackup`` and ``actions.canRestore`` are objects ``{allowed, reason, code}``;
* a backup's ``createdAt`` and ``note`` may be null;
* ``quotaInfo.limit`` and ``.remaining`` may be null;
* IDs are a prefix and 26 characters, shown only by example.

What is recorded of those pages quotes no whole body, so SAMPLE is assembled from those facts and
the documented list fields (``id, displayId, storageKey, createdAt, sizeGb, backupType, note``). The ``reason`` and
``code`` texts of the actions are the simulator's (INVENTED), chosen so that the simulator, seeded
with the same backups, serves SAMPLE exactly.
"""

import copy

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import BackupList, backup_id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.retention import plan_prune

VPS = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"

SAMPLE = {
    "backups": [
        {"id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3", "displayId": "web-1-2026-11-20-0300",
         "storageKey": "vps/%s/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m3.qcow2" % VPS,
         "createdAt": "2026-11-20T03:00:00.000Z", "sizeGb": 18.4, "backupType": "scheduled", "note": None},
        {"id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m4", "displayId": "web-1-2026-11-10-0300",
         "storageKey": "vps/%s/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m4.qcow2" % VPS,
         "createdAt": "2026-11-10T03:00:00.000Z", "sizeGb": 18.1, "backupType": "manual", "note": "before upgrade"},
        {"id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m5", "displayId": "web-1-2026-10-01-0300",
         "storageKey": "vps/%s/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m5.qcow2" % VPS,
         "createdAt": "2026-10-01T03:00:00.000Z", "sizeGb": 17.9, "backupType": "scheduled", "note": None},
        {"id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m6", "displayId": "web-1-undated",
         "storageKey": "vps/%s/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m6.qcow2" % VPS,
         "createdAt": None, "sizeGb": 17.5, "backupType": "scheduled", "note": None},
    ],
    "quotaInfo": {"used": 4, "limit": None, "remaining": None},
    "actions": {
        "canCreateBackup": {"allowed": False, "reason": "A backup job is already active for this VPS.",
                            "code": "job_active"},
        "canRestore": {"allowed": False, "reason": "Another job is already active for this VPS.", "code": "job_active"},
    },
}
UNDATED = "bkp_01hxa3b4c5d6e7f8g9h0j1k2m6"


# -- through the models --------------------------------------------------------------------------

def test_the_confirmed_shapes_pass_the_models_unchanged():
    listing = BackupList.model_validate(copy.deepcopy(SAMPLE))
    assert [b.raw() for b in listing.backups] == SAMPLE["backups"], "nulls and every field kept as given"
    assert listing.quota_info == SAMPLE["quotaInfo"] and listing.quota_used() == 4
    assert listing.actions == SAMPLE["actions"]
    assert listing.model_dump(by_alias=True, exclude_unset=True, mode="json") == SAMPLE


@pytest.mark.parametrize("quota", [{"used": None, "limit": None, "remaining": None}, {}, None])
def test_null_or_missing_quota_numbers_say_nothing(quota):
    sample = dict(copy.deepcopy(SAMPLE), quotaInfo=quota)
    assert BackupList.model_validate(sample).quota_used() is None


def test_the_retention_leaves_the_undated_backup_of_the_sample_alone():
    backups = [b.raw() for b in BackupList.model_validate(copy.deepcopy(SAMPLE)).backups]
    plan = plan_prune(backups, keep_last=1, id_problem=backup_id_problem)
    assert plan.ids("keep") == ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"]
    assert plan.ids("delete") == ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m4", "bkp_01hxa3b4c5d6e7f8g9h0j1k2m5"]
    assert plan.left_alone_report() == [{"id": UNDATED, "reason": "its createdAt is null, so its age is unknown"}]


# -- through the simulator and full module runs ----------------------------------------------------

@pytest.fixture
def sample_vps(sim):
    """The simulator, seeded so that GET /vps/{id}/backups serves SAMPLE exactly."""
    backups = [dict(b) for b in SAMPLE["backups"]]
    sim.seed(hostup={"vps": [{"id": VPS, "name": "web-1", "quota_limit": None, "backups": backups,
                              "active_jobs": [{"jobType": "backup", "duration": 3600}]}]})
    served = sim.state("hostup")["vps"][0]["backups"]
    assert served == SAMPLE["backups"], "the seed reproduces the sample"
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": "hostup-test-key"}}


def test_vps_backup_info_returns_the_sample_as_given(sim, run, sample_vps):
    out = run("vps_backup_info", {"vps_id": VPS}, defaults=sample_vps)
    assert not out.get("failed"), out
    assert out["backups"] == SAMPLE["backups"]
    assert out["quota"] == SAMPLE["quotaInfo"]
    assert out["actions"] == SAMPLE["actions"]
    assert out["changed"] is False and len(sim.requests("hostup")) == 1


def test_vps_backup_retention_prunes_the_sample_and_leaves_the_undated_backup(sim, run, sample_vps):
    args = {"vps_ids": [VPS], "keep_last": 1}
    check = run("vps_backup_retention", args, check=True, defaults=sample_vps)
    real = run("vps_backup_retention", args, defaults=sample_vps)
    assert not check.get("failed") and not real.get("failed"), (check, real)
    entries = [out["vps"][0] for out in (check, real)]
    assert entries[0] == entries[1], "check mode agrees with the real run"
    entry = entries[1]
    assert entry["status"] == "pruned" and entry["kept"] == ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"]
    assert entry["deleted"] == ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m4", "bkp_01hxa3b4c5d6e7f8g9h0j1k2m5"]
    assert [item["id"] for item in entry["left_alone"]] == [UNDATED]
    assert any(UNDATED in w for w in real["warnings"])
    assert [b["id"] for b in sim.state("hostup")["vps"][0]["backups"]] == ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3", UNDATED]
    # The null quota numbers did not make the list look incomplete, and nothing else was sent.
    assert sorted(r["method"] for r in sim.requests("hostup")) == ["DELETE", "DELETE", "GET", "GET"]
