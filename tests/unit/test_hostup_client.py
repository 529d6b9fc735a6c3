"""HostupClient's outcome rules (docs/outcomes.md, "Per API"), over real HTTP to the simulator.

For the job cancel (``DELETE /vps/{id}/active-jobs``) and the backup delete
(``DELETE /vps/{id}/backups/{backupId}``): what each answer, refusal and lost answer becomes, and
what the simulator's log shows was sent (in arrival order) and carried out (``acted``).
"""

import time

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.base import Item
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.client import MAX_PARALLEL_DELETES, HostupClient
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import (
    BackupList,
    active_jobs_from,
    cancellable,
    unfinished,
)

KEY = "hostup-test-key"


def make(sim, retries=2, timeout=5):
    return HostupClient(HttpClient("HostUp API", sim.hostup_url, timeout=timeout, retries=retries, auth=BearerAuth(KEY)))


def seed_vps(sim, **spec):
    spec.setdefault("name", "client-test")
    return sim.seed(hostup={"vps": [spec]})["hostup"]["vps"][0]


def log(sim):
    """(method, fault, handled_status, acted) of every HostUp request, in the order they arrived."""
    entries = sorted(sim.requests("hostup"), key=lambda e: e["arrival"])
    return [(e["method"], e["fault"], e["handled_status"], e["acted"]) for e in entries]


def job_status(sim, vps_id):
    vps = next(v for v in sim.state("hostup")["vps"] if v["id"] == vps_id)
    return [(j["jobType"], j["status"]) for j in vps["active_jobs"]]


def backup_ids(sim, vps_id):
    return [b["id"] for b in next(v for v in sim.state("hostup")["vps"] if v["id"] == vps_id)["backups"]]


# -- the job cancel ------------------------------------------------------------------------------

@pytest.fixture
def running(sim):
    return seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600}])["id"]


def test_cancel_acts_in_one_request(sim, running):
    outcome = make(sim).cancel_active_job(running, "backup")
    assert outcome.kind == Outcome.ACTED and outcome.changed and outcome.warning is None
    assert outcome.obj == {"cancelled": True, "reason": None}
    assert log(sim) == [("DELETE", None, 200, True)]
    assert job_status(sim, running) == [("backup", "cancelling")]


def test_cancel_of_nothing_running_is_already_with_the_apis_reason(sim, running):
    outcome = make(sim).cancel_active_job(running, "restore")
    assert outcome.kind == Outcome.ALREADY and not outcome.changed
    assert outcome.reason == "No active restore job was found to cancel."
    assert outcome.obj == {"cancelled": False, "reason": "No active restore job was found to cancel."}
    assert log(sim) == [("DELETE", None, 200, False)]


def test_cancel_rate_limited_is_retried_without_a_settle_read(sim, running):
    sim.fault(api="hostup", method="DELETE", kind="rate_limit", retry_after=0, times=2)
    outcome = make(sim).cancel_active_job(running, "backup")
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert log(sim) == [("DELETE", "rate_limit", None, False), ("DELETE", "rate_limit", None, False),
                        ("DELETE", None, 200, True)]


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 503}, {"kind": "drop"}])
def test_cancel_lost_before_the_api_acted_is_read_then_resent(sim, running, fault):
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    outcome = make(sim).cancel_active_job(running, "backup")
    assert outcome.kind == Outcome.ACTED and outcome.warning is None, "this run's second DELETE made the change"
    assert log(sim) == [("DELETE", fault["kind"], None, False), ("GET", None, 200, False), ("DELETE", None, 200, True)]


@pytest.mark.parametrize("fault", [
    {"kind": "drop"}, {"kind": "status", "status": 502}, {"kind": "drop_mid_body"}, {"kind": "malformed"},
    {"kind": "empty"}, {"kind": "wrong_shape"},
])
def test_cancel_lost_after_the_api_acted_is_settled_by_one_read(sim, running, fault):
    sim.fault(api="hostup", method="DELETE", when="after", times=1, **fault)
    outcome = make(sim).cancel_active_job(running, "backup")
    assert outcome.kind == Outcome.ACTED and outcome.changed
    assert outcome.lost is not None and "the answer to a request was lost" in outcome.warning
    assert outcome.obj == {"cancelled": True, "reason": None}
    # The DELETE was carried out once, then one read, and nothing was sent again.
    assert log(sim) == [("DELETE", fault["kind"], 200, True), ("GET", None, 200, False)]


def test_cancel_whose_answer_timed_out_is_settled_by_one_read(sim, running):
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=1.5, when="after", times=1)
    outcome = make(sim, timeout=0.5).cancel_active_job(running, "backup")
    assert outcome.kind == Outcome.ACTED and "no answer within 0.5 seconds (timeout)" in outcome.warning
    deadline = time.monotonic() + 5
    while len(log(sim)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(log(sim)) == [("DELETE", "slow", 200, True), ("GET", None, 200, False)]


def test_cancel_that_keeps_failing_is_sent_at_most_retries_plus_one_times_then_fails(sim, running):
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=-1)
    with pytest.raises(ApiError) as err:
        make(sim, retries=2).cancel_active_job(running, "backup")
    assert err.value.status == 503 and "HTTP 503" in err.value.msg
    assert log(sim) == [("DELETE", "status", None, False), ("GET", None, 200, False)] * 3
    assert job_status(sim, running) == [("backup", "running")]


def test_a_job_gone_by_the_time_a_lost_answer_is_settled_counts_as_cancelled(sim):
    # The read finds the job already gone: nothing left to do, and the lost attempt takes the credit
    # (the read cannot tell who stopped it; the warning says the answer was lost).
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600, "cancel_delay": 0}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="drop", when="after", times=1)
    outcome = make(sim).cancel_active_job(vid, "backup")
    assert outcome.kind == Outcome.ACTED and outcome.warning
    assert job_status(sim, vid) == []


def test_cancel_of_an_unknown_vps_fails_with_the_apis_words(sim):
    with pytest.raises(ApiError) as err:
        make(sim).cancel_active_job("vps_0000000000000000000000zzzz", "backup")
    assert err.value.status == 404 and err.value.problem["code"] == "not_found" and not err.value.lost
    assert log(sim) == [("DELETE", None, 404, False)]


# -- the active-jobs list, in every shape the simulator can serve --------------------------------

SHAPES = [
    ("data", "jobType", "status"), ("jobs", "type", "state"), ("activeJobs", "jobType", "state"),
    ("data.jobs", "type", "status"), ("data.activeJobs", "jobType", "status"), (None, "type", "state"),
]


@pytest.mark.parametrize("where,type_key,status_key", SHAPES)
def test_active_jobs_are_found_in_every_shape(sim, where, type_key, status_key):
    sim.seed(hostup={"settings": {"active_jobs_key": where, "job_type_key": type_key, "job_status_key": status_key}})
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup"}, {"jobType": "restore", "status": "cancelling"}])["id"]
    jobs = make(sim).active_jobs(vid)
    assert [(j[type_key], j[status_key]) for j in jobs] == [("backup", "running"), ("restore", "cancelling")]
    assert [j[type_key] for j in cancellable(jobs, "backup")] == ["backup"]
    assert cancellable(jobs, "restore") == [], "a cancelling job is not cancelled again"
    assert len(unfinished(jobs, "restore")) == 1, "but it has not stopped yet"


@pytest.mark.parametrize("body", [{"unexpected": True}, {"data": None}, {"data": [1, 2]}, None, "jobs", {"data": {}}])
def test_an_answer_without_a_list_of_jobs_is_not_guessed(body):
    assert active_jobs_from(body) is None


def test_finished_jobs_still_listed_are_neither_cancellable_nor_unfinished():
    jobs = [{"type": "BACKUP", "state": "Completed"}, {"jobType": "backup", "status": "canceled"}]
    assert cancellable(jobs, "backup") == [] and unfinished(jobs, "backup") == []
    assert unfinished([{"jobType": "backup"}], "backup"), "a job without a state is taken as running"


# -- the backup delete ---------------------------------------------------------------------------

@pytest.fixture
def two(sim):
    vps = seed_vps(sim, backups={"count": 2})
    return vps["id"], [b["id"] for b in vps["backups"]]


def test_delete_acts_in_one_request(sim, two):
    vid, (first, second) = two
    outcome = make(sim).delete_backup(vid, first)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert log(sim) == [("DELETE", None, 204, True)]
    assert backup_ids(sim, vid) == [second]


def test_delete_of_a_backup_already_gone_is_already(sim, two):
    vid, (first, dummy) = two
    make(sim).delete_backup(vid, first)
    outcome = make(sim).delete_backup(vid, first)
    assert outcome.kind == Outcome.ALREADY and outcome.reason == "already gone"
    assert log(sim)[-1] == ("DELETE", None, 404, False)


def test_delete_rate_limited_is_retried_without_a_settle_read(sim, two):
    vid, (first, dummy) = two
    sim.fault(api="hostup", method="DELETE", kind="rate_limit", retry_after=0, times=1)
    assert make(sim).delete_backup(vid, first).kind == Outcome.ACTED
    assert log(sim) == [("DELETE", "rate_limit", None, False), ("DELETE", None, 204, True)]


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 503}, {"kind": "drop"}])
def test_delete_lost_before_the_api_acted_is_read_then_resent(sim, two, fault):
    vid, (first, second) = two
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    outcome = make(sim).delete_backup(vid, first)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert log(sim) == [("DELETE", fault["kind"], None, False), ("GET", None, 200, False), ("DELETE", None, 204, True)]
    assert backup_ids(sim, vid) == [second]


@pytest.mark.parametrize("fault", [{"kind": "drop"}, {"kind": "status", "status": 502}, {"kind": "drop_mid_body"}])
def test_delete_lost_after_the_api_acted_is_settled_by_one_read(sim, two, fault):
    vid, (first, second) = two
    sim.fault(api="hostup", method="DELETE", when="after", times=1, **fault)
    outcome = make(sim).delete_backup(vid, first)
    assert outcome.kind == Outcome.ACTED and "the answer to a request was lost" in outcome.warning
    assert log(sim) == [("DELETE", fault["kind"], 204, True), ("GET", None, 200, False)]
    assert backup_ids(sim, vid) == [second]


@pytest.mark.parametrize("kind", ["malformed", "empty", "wrong_shape"])
def test_a_2xx_delete_answer_other_than_the_documented_204_is_settled_by_one_read(sim, two, kind):
    # The API documents 204 without a body. A 200 with a garbled, empty or strange body is an answer
    # the client cannot read: the list settles it (gone: deleted by this run, with a warning).
    vid, (first, dummy) = two
    sim.fault(api="hostup", method="DELETE", kind=kind, when="after", times=1)
    outcome = make(sim).delete_backup(vid, first)
    assert outcome.kind == Outcome.ACTED and "not the documented 204" in outcome.warning
    assert log(sim) == [("DELETE", kind, 204, True), ("GET", None, 200, False)]


def test_delete_refused_with_409_is_refused_with_the_apis_words_and_kept(sim):
    vps = seed_vps(sim, backups={"count": 2}, active_jobs=[{"jobType": "restore"}])
    used = vps["active_jobs"][0]["backupId"]
    outcome = make(sim).delete_backup(vps["id"], used)
    assert outcome.kind == Outcome.REFUSED and outcome.refused and not outcome.changed
    assert "HTTP 409" in outcome.reason and "being restored" in outcome.reason
    assert outcome.error.status == 409 and outcome.error.problem["code"] == "conflict"
    assert log(sim) == [("DELETE", None, 409, False)], "a refusal is definite: no read, no resend"
    assert used in backup_ids(sim, vps["id"])


@pytest.mark.parametrize("bad_id", ["..", ".", "a/b", "%2e%2e", "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3/..", "", None])
def test_a_backup_id_that_would_leave_its_path_segment_is_refused_without_a_request(sim, two, bad_id):
    vid, ids = two
    outcome = make(sim).delete_backup(vid, bad_id)
    assert outcome.kind == Outcome.REFUSED and outcome.error is None
    assert outcome.reason.startswith("not deleted: the backup ID ") and "is not a valid ID" in outcome.reason
    assert sim.requests("hostup") == []
    assert backup_ids(sim, vid) == ids


def test_delete_of_an_unknown_vps_is_already_gone_for_the_client(sim):
    # The modules read the list first, which fails for an unknown VPS; the delete alone cannot tell.
    outcome = make(sim).delete_backup("vps_0000000000000000000000zzzz", "bkp_0000000000000000000000zzzz")
    assert outcome.kind == Outcome.ALREADY


def test_delete_forbidden_fails_with_the_apis_words(sim, two):
    vid, (first, dummy) = two
    client = HostupClient(HttpClient("HostUp API", sim.hostup_url, timeout=5, retries=2,
                                     auth=BearerAuth("hostup-readonly-key")))
    with pytest.raises(ApiError) as err:
        client.delete_backup(vid, first)
    assert err.value.status == 403 and "backup:vm" in err.value.msg and not err.value.lost


# -- many deletions ------------------------------------------------------------------------------

def test_delete_backups_handles_every_backup_and_reports_each_outcome_in_order(sim):
    vps = seed_vps(sim, backups={"count": 4}, active_jobs=[{"jobType": "restore"}])
    used = vps["active_jobs"][0]["backupId"]
    ids = [b["id"] for b in vps["backups"]]
    sim.fault(api="hostup", method="DELETE", path=ids[3], kind="status", status=500, times=-1)
    items = [Item(b, parent=vps["id"]) for b in ids + [".."]]
    assert make(sim, retries=1).delete_backups(items) == items
    kinds = [i.outcome.kind if i.outcome else "error %s" % i.error.status for i in items]
    assert kinds == [Outcome.REFUSED if b == used else Outcome.ACTED for b in ids[:3]] + ["error 500", Outcome.REFUSED]
    assert sorted(backup_ids(sim, vps["id"])) == sorted({used, ids[3]})


def test_delete_backups_leaves_items_already_decided_alone(sim):
    vps = seed_vps(sim, backups={"count": 2})
    ids = [b["id"] for b in vps["backups"]]
    items = [Item(b, parent=vps["id"]) for b in ids]
    items[0].settle(Outcome(Outcome.ALREADY, reason="decided before"))
    make(sim).delete_backups(items)
    assert [i.outcome.kind for i in items] == [Outcome.ALREADY, Outcome.ACTED]
    assert [r["path"].rsplit("/", 1)[1] for r in sim.requests("hostup")] == [ids[1]]


def test_delete_backups_runs_at_most_four_at_a_time(sim):
    # Eight deletions each held 0.3 s by the simulator: the simulator counts how many it handles at
    # once. Four at a time must reach four (so they do run concurrently) and never more.
    assert MAX_PARALLEL_DELETES == 4
    vps = seed_vps(sim, backups={"count": 8})
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=0.3, times=-1)
    items = [Item(b["id"], parent=vps["id"]) for b in vps["backups"]]
    make(sim).delete_backups(items)
    assert all(i.outcome.kind == Outcome.ACTED for i in items)
    assert max(r["in_flight"] for r in sim.requests("hostup")) == 4


def test_delete_backups_of_nothing_sends_nothing(sim):
    assert make(sim).delete_backups([]) == []
    assert sim.requests("hostup") == []


# -- the backup list -----------------------------------------------------------------------------

def test_the_backup_list_keeps_the_apis_nulls_and_objects(sim):
    vps = seed_vps(sim, quota_limit=None, backups=[{"createdAt": None, "note": None}, {"age_days": 2}])
    listing = make(sim).backups(vps["id"])
    assert isinstance(listing, BackupList)
    raw = [b.raw() for b in listing.backups]
    assert raw[1]["createdAt"] is None and raw[1]["note"] is None and set(raw[1]) == set(raw[0])
    assert listing.quota_info == {"used": 2, "limit": None, "remaining": None} and listing.quota_used() == 2
    assert listing.actions["canRestore"] == {"allowed": True, "reason": None, "code": None}


@pytest.mark.parametrize("used,expected", [(3, 3), (2.0, 2.0), (None, None), ("3", None), (True, None)])
def test_quota_used_counts_only_when_it_is_a_number(used, expected):
    listing = BackupList.model_validate({"backups": [], "quotaInfo": {"used": used}})
    assert listing.quota_used() == expected
