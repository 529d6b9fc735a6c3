"""The vps_backup_prune role through playbooks/vps_backup_prune.yml, against the simulator.

This role destroys data, so these tests check the simulator's state after every run: the newest
keep_last backups of the selected types must still be there, whatever else was asked.
"""

from datetime import datetime, timezone

import pytest

PLAYBOOK = "playbooks/vps_backup_prune.yml"
KEY = "hostup-test-key"


@pytest.fixture
def env(sim):
    return {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}


def fleet(sim, count, ages, types=("scheduled", "manual")):
    """Seed ``count`` VPS, each with one backup per age (days), types alternating."""
    backups = [{"age_days": age, "backupType": types[j % len(types)]} for j, age in enumerate(ages)]
    spec = [{"name": "vps-%d" % i, "backups": [dict(b) for b in backups]} for i in range(count)]
    return sim.seed(hostup={"vps": spec})["hostup"]["vps"]


def remaining(sim):
    return {v["id"]: v["backups"] for v in sim.state("hostup")["vps"]}


def newest(backups, n, types=("manual", "scheduled")):
    chosen = [b for b in backups if b["backupType"] in types]
    return {b["id"] for b in sorted(chosen, key=lambda b: b["createdAt"], reverse=True)[:n]}


def age_days(backup):
    created = datetime.fromisoformat(backup["createdAt"].replace("Z", "+00:00"))
    return (datetime.now(timezone.utc) - created).total_seconds() / 86400


def summary(result):
    return result.task("Record what was pruned")["ansible_facts"]["vps_backup_prune_summary"]


def test_check_real_rerun_keep_last(sim, playbook, env):
    vps = fleet(sim, 3, [1, 2, 3, 10, 20, 40])
    ids = [v["id"] for v in vps]
    before = remaining(sim)
    extra = {"vps_backup_prune_vps_ids": ids, "vps_backup_prune_keep_last": 2}

    check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    assert s["check_mode"] is True and int(s["deleted_count"]) == 12
    assert remaining(sim) == before, "check mode deletes nothing"
    assert {r["method"] for r in sim.requests("hostup")} == {"GET"}
    would = {v["vps_id"]: set(v["deleted"]) for v in s["vps"]}
    assert "would delete 4" in check.stdout

    real = playbook(PLAYBOOK, extra, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert {v["vps_id"]: set(v["deleted"]) for v in s["vps"]} == would, "check mode predicted the real run exactly"
    for vps_id, backups in remaining(sim).items():
        assert {b["id"] for b in backups} == newest(before[vps_id], 2)
    assert "deleted 4" in real.stdout

    seq = sim.requests()[-1]["seq"]
    again = playbook(PLAYBOOK, extra, env=env)
    assert again.rc == 0 and again.task("Apply the retention policy to every VPS")["changed"] is False
    assert [r["method"] for r in sim.requests("hostup", since=seq)] == ["GET"] * 3


@pytest.mark.parametrize("keep_last,older_than,types", [
    (2, 15, ["manual", "scheduled"]),
    (None, 15, ["manual", "scheduled"]),
    (3, None, ["manual"]),
    (1, 1, ["scheduled"]),
    (10, 1, ["manual", "scheduled"]),
])
def test_policy_combinations_keep_the_newest(sim, playbook, env, keep_last, older_than, types):
    vps = fleet(sim, 2, [0.5, 2, 5, 12, 18, 25, 33, 60])
    before = remaining(sim)
    extra = {"vps_backup_prune_vps_ids": [v["id"] for v in vps], "vps_backup_prune_backup_types": types}
    if keep_last is not None:
        extra["vps_backup_prune_keep_last"] = keep_last
    if older_than is not None:
        extra["vps_backup_prune_older_than_days"] = older_than
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc == 0, result
    for vps_id, backups in remaining(sim).items():
        left = {b["id"] for b in backups}
        if keep_last:
            assert newest(before[vps_id], keep_last, types) <= left, "the newest keep_last are never deleted"
        for b in before[vps_id]:
            if b["backupType"] not in types:
                assert b["id"] in left, "other types are never touched"
            elif older_than is not None and age_days(b) < older_than - 0.01:
                assert b["id"] in left, "nothing younger than older_than_days is deleted"


def test_a_list_that_fails_to_load_deletes_nothing_on_that_vps(sim, playbook, env):
    vps = fleet(sim, 3, [1, 2, 3, 4, 5])
    ids = [v["id"] for v in vps]
    before = remaining(sim)
    # The middle VPS's list fails every time (after the retries); the third comes back cut short.
    sim.fault(api="hostup", method="GET", path=ids[1] + "/backups", kind="status", status=503, times=-1)
    sim.fault(api="hostup", method="GET", path=ids[2] + "/backups", kind="malformed", times=-1)
    result = playbook(PLAYBOOK, {"vps_backup_prune_vps_ids": ids, "vps_backup_prune_keep_last": 1}, env=env)
    assert result.rc != 0
    after = remaining(sim)
    assert after[ids[1]] == before[ids[1]] and after[ids[2]] == before[ids[2]]
    assert len(after[ids[0]]) == 1, "the healthy VPS is still pruned"
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 2 of 3 VPS")
    assert ids[1] in failure and "HTTP 503" in failure and ids[2] in failure and "not valid JSON" in failure
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["pruned", "failed", "failed"]
    assert "- %s: failed" % ids[1] in result.stdout, "the summary is shown before the failure"


def test_neither_policy_is_refused_before_any_request(sim, playbook, env):
    vps = fleet(sim, 1, [1, 2])
    result = playbook(PLAYBOOK, {"vps_backup_prune_vps_ids": [vps[0]["id"]]}, env=env)
    assert result.rc != 0 and "Set vps_backup_prune_keep_last, vps_backup_prune_older_than_days or both" in result.stdout
    assert sim.requests() == []


@pytest.mark.parametrize("extra,words", [
    ({"vps_backup_prune_keep_last": 2}, "vps_backup_prune_vps_ids"),
    ({"vps_backup_prune_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_backup_prune_keep_last": "two"},
     "vps_backup_prune_keep_last"),
    ({"vps_backup_prune_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_backup_prune_keep_last": 2,
      "vps_backup_prune_backup_types": ["weekly"]}, "vps_backup_prune_backup_types"),
    ({"vps_backup_prune_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_backup_prune_keep_last": 0}, "keep_last must be at least 1"),
    ({"vps_backup_prune_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_backup_prune_older_than_days": 0},
     "vps_backup_prune_older_than_days must be at least 1 (day)"),
    ({"vps_backup_prune_vps_ids": ["vps_01hxa3b4c5d6e7f8g9h0j1k2m3"], "vps_backup_prune_keep_last": 2,
      "vps_backup_prune_older_than_days": 0.5}, "vps_backup_prune_older_than_days must be at least 1 (day)"),
    ({"vps_backup_prune_vps_ids": ["../etc"], "vps_backup_prune_keep_last": 2}, "vps_ids '../etc' is not a valid ID"),
])
def test_bad_variables_fail_before_any_request(sim, playbook, env, extra, words):
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc != 0 and words in result.stdout, result
    assert sim.requests() == []


def test_hundred_vps_in_one_run(sim, playbook, env):
    vps = fleet(sim, 100, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    result = playbook(PLAYBOOK, {"vps_backup_prune_vps_ids": [v["id"] for v in vps], "vps_backup_prune_keep_last": 2},
                      env=env)
    assert result.rc == 0, result
    assert int(summary(result)["deleted_count"]) == 800
    assert all(len(b) == 2 for b in remaining(sim).values())
    assert len([r for r in result.results if r["task"].endswith("Apply the retention policy to every VPS")]) == 1


# -- what the policy never touches, and what the API refuses ---------------------------------------

def ids_of(backups):
    return [b["id"] for b in backups]


def test_an_undated_backup_is_left_alone_and_the_policy_applies_to_the_dated_ones(sim, playbook, env):
    # HostUp's pages show createdAt may be null. The undated backup would be the oldest by position;
    # keep_last 2 keeps the two newest DATED backups, and the undated one stays too.
    vps = sim.seed(hostup={"vps": [
        {"name": "dated", "backups": [{"age_days": a} for a in (1, 2, 3, 40)]},
        {"name": "undated", "backups": [{"age_days": a} for a in (1, 2, 3, 40)] + [
            {"createdAt": None, "note": None, "backupType": "scheduled"}, {"createdAt_raw": "last tuesday"}]},
    ]})["hostup"]["vps"]
    undated = [b["id"] for b in vps[1]["backups"] if not b["createdAt"] or "T" not in b["createdAt"]]
    assert len(undated) == 2
    extra = {"vps_backup_prune_vps_ids": [v["id"] for v in vps], "vps_backup_prune_keep_last": 2,
             "vps_backup_prune_older_than_days": 30}

    check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert check.rc == 0, check
    real = playbook(PLAYBOOK, extra, env=env)
    assert real.rc == 0, real  # backups left alone are reported, not a failure
    for result in (check, real):
        s = summary(result)
        assert [v["status"] for v in s["vps"]] == ["pruned", "pruned"]
        assert [item["id"] for item in s["vps"][1]["left_alone"]] == undated
        assert s["vps"][1]["left_alone"][0]["reason"] == "its createdAt is null, so its age is unknown"
        assert "unreadable ('last tuesday')" in s["vps"][1]["left_alone"][1]["reason"]
        assert s["vps"][0]["left_alone"] == []
        assert [len(v["deleted"]) for v in s["vps"]] == [1, 1], "only the dated backup older than 30 days goes"
    assert summary(check)["vps"] == summary(real)["vps"], "check mode agrees with the real run exactly"
    left = remaining(sim)
    assert set(undated) <= set(ids_of(left[vps[1]["id"]])) and len(left[vps[1]["id"]]) == 5
    assert "%s left alone: its createdAt is null" % undated[0] in real.stdout, "the summary names it"
    out = real.task("Apply the retention policy to every VPS")
    assert any(undated[0] in w and "left alone" in w for w in out["warnings"])


@pytest.mark.parametrize("bad_id", ["..", ".", "a/b"])
def test_a_listed_backup_id_that_would_leave_its_path_is_never_sent(sim, playbook, env, bad_id):
    # A backup listed with the ID ".." would make "DELETE /vps/{id}/backups/.." reach the VPS itself.
    vps = sim.seed(hostup={"vps": [{"name": "odd", "backups": [
        {"id": bad_id, "age_days": 90}, {"age_days": 60}, {"age_days": 50}, {"age_days": 1}]}]})["hostup"]["vps"][0]
    extra = {"vps_backup_prune_vps_ids": [vps["id"]], "vps_backup_prune_keep_last": 1}
    check = playbook(PLAYBOOK, extra, env=env, check=True)
    real = playbook(PLAYBOOK, extra, env=env)
    assert check.rc == 0 and real.rc == 0, real
    for result in (check, real):
        entry = summary(result)["vps"][0]
        assert [item["id"] for item in entry["left_alone"]] == [bad_id]
        assert entry["left_alone"][0]["reason"].startswith("the backup ID %r is not a valid ID" % bad_id)
        assert len(entry["deleted"]) == 2 and bad_id not in entry["deleted"]
    assert summary(check)["vps"] == summary(real)["vps"], "check mode agrees with the real run exactly"
    assert bad_id in ids_of(remaining(sim)[vps["id"]])
    deletes = [r["path"] for r in sim.requests("hostup") if r["method"] == "DELETE"]
    assert len(deletes) == 2 and all(p.startswith("/hostup/api/v2/vps/%s/backups/bkp_" % vps["id"]) for p in deletes)


def test_a_backup_the_api_refuses_is_kept_the_fleet_handled_and_the_role_fails_naming_it(sim, playbook, env):
    vps = sim.seed(hostup={"vps": [
        {"name": "restoring", "backups": [{"age_days": a} for a in (1, 20, 30, 40)]},
        {"name": "healthy", "backups": [{"age_days": a} for a in (1, 20, 30)]},
    ]})["hostup"]["vps"]
    # A restore from the oldest backup of the first VPS is running: the API refuses to delete it (409).
    oldest = vps[0]["backups"][-1]["id"]
    sim.seed(hostup={"vps": [{"id": vps[0]["id"], "active_jobs": [
        {"jobType": "restore", "duration": 3600, "backupId": oldest}]}]})
    extra = {"vps_backup_prune_vps_ids": [v["id"] for v in vps], "vps_backup_prune_keep_last": 1}
    result = playbook(PLAYBOOK, extra, env=env)
    assert result.rc != 0
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["failed", "pruned"]
    first = s["vps"][0]
    assert [r["id"] for r in first["refused"]] == [oldest] and "HTTP 409" in first["refused"][0]["reason"]
    assert len(first["deleted"]) == 2 and int(s["deleted_count"]) == 4
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 1 of 2 VPS: %s: could not delete 1 backup(s): %s: " % (vps[0]["id"], oldest))
    assert "being restored" in failure
    left = remaining(sim)
    assert sorted(ids_of(left[vps[0]["id"]])) == sorted([vps[0]["backups"][0]["id"], oldest])
    assert len(left[vps[1]["id"]]) == 1, "the rest of the fleet is still pruned"
    assert "%s kept: the API refused to delete it" % oldest in result.stdout


def test_a_list_that_cannot_be_trusted_deletes_nothing_on_that_vps(sim, playbook, env):
    vps = sim.seed(hostup={"vps": [
        # quotaInfo.used counts more backups than the list shows: the list looks cut short.
        {"name": "incomplete", "quota_used": 9, "backups": [{"age_days": a} for a in (1, 2, 3)]},
        # Two backups with one ID: which one is which cannot be told.
        {"name": "repeated", "backups": [{"id": "bkp_0000000000000000000000same", "age_days": 1},
                                         {"id": "bkp_0000000000000000000000same", "age_days": 9},
                                         {"age_days": 20}]},
        # Null quota numbers say nothing about the list: it is pruned.
        {"name": "no-limit", "quota_limit": None, "quota_used": None, "backups": [{"age_days": a} for a in (1, 2)]},
    ]})["hostup"]["vps"]
    before = remaining(sim)
    result = playbook(PLAYBOOK, {"vps_backup_prune_vps_ids": [v["id"] for v in vps], "vps_backup_prune_keep_last": 1},
                      env=env)
    assert result.rc != 0
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["skipped", "skipped", "pruned"]
    assert "quotaInfo.used says 9" in s["vps"][0]["reason"] and "repeated IDs" in s["vps"][1]["reason"]
    after = remaining(sim)
    assert after[vps[0]["id"]] == before[vps[0]["id"]] and after[vps[1]["id"]] == before[vps[1]["id"]]
    assert len(after[vps[2]["id"]]) == 1
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 2 of 3 VPS") and vps[0]["id"] in failure and vps[1]["id"] in failure
