"""The vps_backup_prune role through playbooks/vps_backup_prune.yml, against the simulator.

This role destroys data, so these tests check the simulator's state after every run: the newest
keep_last backups of the selected types must still be there, whatever else was asked.

Cases that need no run of their own share one (tests/roleplay.py: one inventory host per case, the
playbook's own play, each case on VPS of its own): the refusals, which must send nothing at all, share
one run; the independent real runs (the policy combinations, the lists that fail or cannot be trusted,
the refused backup, the hundred VPS) share another; the backups left alone share one check run and one
real run. Each case reads its own VPS's requests and state, after checking that every request of the
run is on the VPS of one case. The sequence check -> real -> re-run keeps its own playbook runs of
playbooks/vps_backup_prune.yml with -e.
"""

from datetime import datetime, timezone

import pytest
import roleplay
from harness import SimClient

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


def shown(result):
    """The lines of the summary the role shows (the debug task's msg, as the screen has it)."""
    return "\n".join(result.task("Show what was deleted and what was kept")["msg"])


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


# -- refusals: one run, in which nothing at all may be sent ----------------------------------------

BAD_VARIABLES = [
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
]


@pytest.fixture(scope="module")
def sends_nothing(simulator, tmp_path_factory):
    """One run of the refused cases, bad0..bad6 and "neither" (a real VPS, no policy): (the batch,
    every request the run sent)."""
    sim = SimClient(simulator)
    sim.reset("empty")
    vps = fleet(sim, 1, [1, 2])
    sim.clear_requests()
    cases = {"bad%d" % i: case[0] for i, case in enumerate(BAD_VARIABLES)}
    cases["neither"] = {"vps_backup_prune_vps_ids": [vps[0]["id"]]}
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}
    batch = roleplay.run_cases(PLAYBOOK, cases, tmp_path_factory.mktemp("sends_nothing"), env=env)
    return batch, sim.requests()


def test_neither_policy_is_refused_before_any_request(sends_nothing):
    batch, requests = sends_nothing
    result = batch.host("neither")
    words = "Set vps_backup_prune_keep_last, vps_backup_prune_older_than_days or both"
    assert not result.ok and words in result.failure()["msg"] and words in result.stdout, result
    assert requests == []


@pytest.mark.parametrize("extra,words", BAD_VARIABLES)
def test_bad_variables_fail_before_any_request(sends_nothing, extra, words):
    batch, requests = sends_nothing
    result = batch.host("bad%d" % BAD_VARIABLES.index((extra, words)))
    assert not result.ok and words in result.failure()["msg"] and words in result.stdout, result
    assert requests == []


# -- independent real runs, side by side in one run --------------------------------------------------

class Batch:
    """A batch run and what it did: ``own`` the VPS each case was seeded (as seeded), ``requests`` every
    request of the run(s), ``before``/``after`` every VPS's backups before and after."""

    def __init__(self, own):
        self.own = own
        self.ids = {case: [v["id"] for v in vps] for case, vps in own.items()}

    def requests_of(self, case):
        """The requests ``case`` sent: those on its VPS, in order, after checking that every request of
        the batch is on the VPS of one case (so what is on a case's VPS is all that the case sent)."""
        stray = [r for r in self.requests if not any(vps_of(r) in ids for ids in self.ids.values())]
        assert stray == [], stray
        return [r for r in self.requests if vps_of(r) in self.ids[case]]


def vps_of(request):
    return request["path"].split("/vps/", 1)[1].split("/", 1)[0] if "/vps/" in request["path"] else None


def run_batch(sim, batch, cases, workdir, args=()):
    """Run ``cases`` (the keys of ``batch.own``, each given its VPS IDs) in one ansible-playbook run."""
    for case, variables in cases.items():
        variables["vps_backup_prune_vps_ids"] = batch.ids[case]
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY}
    return roleplay.run_cases(PLAYBOOK, cases, workdir, args=args, env=env)


POLICIES = [
    (2, 15, ["manual", "scheduled"]),
    (None, 15, ["manual", "scheduled"]),
    (3, None, ["manual"]),
    (1, 1, ["scheduled"]),
    (10, 1, ["manual", "scheduled"]),
]


@pytest.fixture(scope="module")
def side_by_side(simulator, tmp_path_factory):
    """One real run of the cases below ("policy0".."policy4", "unloadable", "refused", "untrusted",
    "hundred"), each on VPS of its own."""
    sim = SimClient(simulator)
    sim.reset("empty")
    own, cases = {}, {}

    for i, (keep_last, older_than, types) in enumerate(POLICIES):
        own["policy%d" % i] = fleet(sim, 2, [0.5, 2, 5, 12, 18, 25, 33, 60])
        cases["policy%d" % i] = {"vps_backup_prune_backup_types": types}
        if keep_last is not None:
            cases["policy%d" % i]["vps_backup_prune_keep_last"] = keep_last
        if older_than is not None:
            cases["policy%d" % i]["vps_backup_prune_older_than_days"] = older_than

    own["unloadable"] = vps = fleet(sim, 3, [1, 2, 3, 4, 5])
    # The middle VPS's list fails every time; the third comes back cut short. A 500 is not retried, so
    # the role meets the same list that failed to load as after a 503's five retries, without their
    # ~16 s of real backoff (the retries are the fault suite's: tests/integration/test_faults.py).
    sim.fault(api="hostup", method="GET", path=vps[1]["id"] + "/backups", kind="status", status=500, times=-1)
    sim.fault(api="hostup", method="GET", path=vps[2]["id"] + "/backups", kind="malformed", times=-1)
    cases["unloadable"] = {"vps_backup_prune_keep_last": 1}

    own["refused"] = vps = sim.seed(hostup={"vps": [
        {"name": "restoring", "backups": [{"age_days": a} for a in (1, 20, 30, 40)]},
        {"name": "healthy", "backups": [{"age_days": a} for a in (1, 20, 30)]},
    ]})["hostup"]["vps"]
    # A restore from the oldest backup of the first VPS is running: the API refuses to delete it (409).
    sim.seed(hostup={"vps": [{"id": vps[0]["id"], "active_jobs": [
        {"jobType": "restore", "duration": 3600, "backupId": vps[0]["backups"][-1]["id"]}]}]})
    cases["refused"] = {"vps_backup_prune_keep_last": 1}

    own["untrusted"] = sim.seed(hostup={"vps": [
        # quotaInfo.used counts more backups than the list shows: the list looks cut short.
        {"name": "incomplete", "quota_used": 9, "backups": [{"age_days": a} for a in (1, 2, 3)]},
        # Two backups with one ID: which one is which cannot be told.
        {"name": "repeated", "backups": [{"id": "bkp_0000000000000000000000same", "age_days": 1},
                                         {"id": "bkp_0000000000000000000000same", "age_days": 9},
                                         {"age_days": 20}]},
        # Null quota numbers say nothing about the list: it is pruned.
        {"name": "no-limit", "quota_limit": None, "quota_used": None, "backups": [{"age_days": a} for a in (1, 2)]},
    ]})["hostup"]["vps"]
    cases["untrusted"] = {"vps_backup_prune_keep_last": 1}

    own["hundred"] = fleet(sim, 100, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    cases["hundred"] = {"vps_backup_prune_keep_last": 2}

    batch = Batch(own)
    batch.before = remaining(sim)
    sim.clear_requests()
    batch.run = run_batch(sim, batch, cases, tmp_path_factory.mktemp("side_by_side"))
    batch.requests = sim.requests("hostup")
    batch.after = remaining(sim)
    return batch


@pytest.mark.parametrize("keep_last,older_than,types", POLICIES)
def test_policy_combinations_keep_the_newest(side_by_side, keep_last, older_than, types):
    case = "policy%d" % POLICIES.index((keep_last, older_than, types))
    result = side_by_side.run.host(case)
    assert result.ok, result
    assert side_by_side.requests_of(case)
    before = side_by_side.before
    for vps_id in side_by_side.ids[case]:
        left = {b["id"] for b in side_by_side.after[vps_id]}
        if keep_last:
            assert newest(before[vps_id], keep_last, types) <= left, "the newest keep_last are never deleted"
        for b in before[vps_id]:
            if b["backupType"] not in types:
                assert b["id"] in left, "other types are never touched"
            elif older_than is not None and age_days(b) < older_than - 0.01:
                assert b["id"] in left, "nothing younger than older_than_days is deleted"


def test_a_list_that_fails_to_load_deletes_nothing_on_that_vps(side_by_side):
    result = side_by_side.run.host("unloadable")
    ids = side_by_side.ids["unloadable"]
    before, after = side_by_side.before, side_by_side.after
    assert not result.ok, result  # the run of this case alone ends with rc != 0
    assert not [r for r in side_by_side.requests_of("unloadable") if r["method"] == "DELETE" and vps_of(r) != ids[0]]
    assert after[ids[1]] == before[ids[1]] and after[ids[2]] == before[ids[2]]
    assert len(after[ids[0]]) == 1, "the healthy VPS is still pruned"
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 2 of 3 VPS")
    assert ids[1] in failure and "HTTP 500" in failure and ids[2] in failure and "not valid JSON" in failure
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["pruned", "failed", "failed"]
    assert "- %s: failed" % ids[1] in shown(result) and "- %s: failed" % ids[1] in result.stdout
    tasks = [r["task"].split(" : ", 1)[-1] for r in result.results]
    assert tasks.index("Show what was deleted and what was kept") < \
        tasks.index("Fail naming every VPS that could not be pruned"), "the summary is shown before the failure"


def test_hundred_vps_in_one_run(side_by_side):
    result = side_by_side.run.host("hundred")
    assert result.ok, result
    assert int(summary(result)["deleted_count"]) == 800
    assert all(len(side_by_side.after[v]) == 2 for v in side_by_side.ids["hundred"])
    assert len([r for r in side_by_side.requests_of("hundred") if r["method"] == "DELETE"]) == 800
    assert len([r for r in result.results if r["task"].endswith("Apply the retention policy to every VPS")]) == 1


def test_a_backup_the_api_refuses_is_kept_the_fleet_handled_and_the_role_fails_naming_it(side_by_side):
    result = side_by_side.run.host("refused")
    vps = side_by_side.own["refused"]
    oldest = vps[0]["backups"][-1]["id"]
    assert not result.ok, result  # the run of this case alone ends with rc != 0
    assert side_by_side.requests_of("refused")
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["failed", "pruned"]
    first = s["vps"][0]
    assert [r["id"] for r in first["refused"]] == [oldest] and "HTTP 409" in first["refused"][0]["reason"]
    assert len(first["deleted"]) == 2 and int(s["deleted_count"]) == 4
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 1 of 2 VPS: %s: could not delete 1 backup(s): %s: " % (vps[0]["id"], oldest))
    assert "being restored" in failure
    left = side_by_side.after
    assert sorted(ids_of(left[vps[0]["id"]])) == sorted([vps[0]["backups"][0]["id"], oldest])
    assert len(left[vps[1]["id"]]) == 1, "the rest of the fleet is still pruned"
    kept = "%s kept: the API refused to delete it" % oldest
    assert kept in shown(result) and kept in result.stdout


def test_a_list_that_cannot_be_trusted_deletes_nothing_on_that_vps(side_by_side):
    result = side_by_side.run.host("untrusted")
    vps = side_by_side.own["untrusted"]
    before, after = side_by_side.before, side_by_side.after
    assert not result.ok, result  # the run of this case alone ends with rc != 0
    assert side_by_side.requests_of("untrusted")
    s = summary(result)
    assert [v["status"] for v in s["vps"]] == ["skipped", "skipped", "pruned"]
    assert "quotaInfo.used says 9" in s["vps"][0]["reason"] and "repeated IDs" in s["vps"][1]["reason"]
    assert after[vps[0]["id"]] == before[vps[0]["id"]] and after[vps[1]["id"]] == before[vps[1]["id"]]
    assert len(after[vps[2]["id"]]) == 1
    failure = result.task("Fail naming every VPS that could not be pruned")["msg"]
    assert failure.startswith("could not prune 2 of 3 VPS") and vps[0]["id"] in failure and vps[1]["id"] in failure


# -- what the policy never touches: one check run, then one real run ---------------------------------

def ids_of(backups):
    return [b["id"] for b in backups]


BAD_BACKUP_IDS = ["..", ".", "a/b"]


@pytest.fixture(scope="module")
def left_alone(simulator, tmp_path_factory):
    """The cases "undated" and "bad_id0".."bad_id2", each on VPS of its own: one run in check mode
    (``batch.check``), then one real run (``batch.real``)."""
    sim = SimClient(simulator)
    sim.reset("empty")
    # HostUp's pages show createdAt may be null. The undated backup would be the oldest by position;
    # keep_last 2 keeps the two newest DATED backups, and the undated one stays too.
    own = {"undated": sim.seed(hostup={"vps": [
        {"name": "dated", "backups": [{"age_days": a} for a in (1, 2, 3, 40)]},
        {"name": "undated", "backups": [{"age_days": a} for a in (1, 2, 3, 40)] + [
            {"createdAt": None, "note": None, "backupType": "scheduled"}, {"createdAt_raw": "last tuesday"}]},
    ]})["hostup"]["vps"]}
    cases = {"undated": {"vps_backup_prune_keep_last": 2, "vps_backup_prune_older_than_days": 30}}
    # A backup listed with the ID ".." would make "DELETE /vps/{id}/backups/.." reach the VPS itself.
    for i, bad_id in enumerate(BAD_BACKUP_IDS):
        own["bad_id%d" % i] = sim.seed(hostup={"vps": [{"name": "odd", "backups": [
            {"id": bad_id, "age_days": 90}, {"age_days": 60}, {"age_days": 50}, {"age_days": 1}]}]})["hostup"]["vps"]
        cases["bad_id%d" % i] = {"vps_backup_prune_keep_last": 1}
    batch = Batch(own)
    sim.clear_requests()
    workdir = tmp_path_factory.mktemp("left_alone")
    batch.check = run_batch(sim, batch, {c: dict(v) for c, v in cases.items()}, workdir, args=["--check"])
    batch.real = run_batch(sim, batch, cases, workdir)
    batch.requests = sim.requests("hostup")
    batch.after = remaining(sim)
    return batch


def test_an_undated_backup_is_left_alone_and_the_policy_applies_to_the_dated_ones(left_alone):
    vps = left_alone.own["undated"]
    undated = [b["id"] for b in vps[1]["backups"] if not b["createdAt"] or "T" not in b["createdAt"]]
    assert len(undated) == 2
    check, real = left_alone.check.host("undated"), left_alone.real.host("undated")
    assert check.ok, check
    assert real.ok, real  # backups left alone are reported, not a failure
    assert left_alone.requests_of("undated")
    for result in (check, real):
        s = summary(result)
        assert [v["status"] for v in s["vps"]] == ["pruned", "pruned"]
        assert [item["id"] for item in s["vps"][1]["left_alone"]] == undated
        assert s["vps"][1]["left_alone"][0]["reason"] == "its createdAt is null, so its age is unknown"
        assert "unreadable ('last tuesday')" in s["vps"][1]["left_alone"][1]["reason"]
        assert s["vps"][0]["left_alone"] == []
        assert [len(v["deleted"]) for v in s["vps"]] == [1, 1], "only the dated backup older than 30 days goes"
    assert summary(check)["vps"] == summary(real)["vps"], "check mode agrees with the real run exactly"
    left = left_alone.after
    assert set(undated) <= set(ids_of(left[vps[1]["id"]])) and len(left[vps[1]["id"]]) == 5
    named = "%s left alone: its createdAt is null" % undated[0]
    assert named in shown(real) and named in real.stdout, "the summary names it"
    out = real.task("Apply the retention policy to every VPS")
    assert any(undated[0] in w and "left alone" in w for w in out["warnings"])


@pytest.mark.parametrize("bad_id", BAD_BACKUP_IDS)
def test_a_listed_backup_id_that_would_leave_its_path_is_never_sent(left_alone, bad_id):
    case = "bad_id%d" % BAD_BACKUP_IDS.index(bad_id)
    vps, = left_alone.own[case]
    check, real = left_alone.check.host(case), left_alone.real.host(case)
    assert check.ok and real.ok, (check, real)
    for result in (check, real):
        entry = summary(result)["vps"][0]
        assert [item["id"] for item in entry["left_alone"]] == [bad_id]
        assert entry["left_alone"][0]["reason"].startswith("the backup ID %r is not a valid ID" % bad_id)
        assert len(entry["deleted"]) == 2 and bad_id not in entry["deleted"]
    assert summary(check)["vps"] == summary(real)["vps"], "check mode agrees with the real run exactly"
    assert bad_id in ids_of(left_alone.after[vps["id"]])
    deletes = [r["path"] for r in left_alone.requests_of(case) if r["method"] == "DELETE"]
    assert len(deletes) == 2 and all(p.startswith("/hostup/api/v2/vps/%s/backups/bkp_" % vps["id"]) for p in deletes)
