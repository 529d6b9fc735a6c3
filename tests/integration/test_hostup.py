"""HostUp modules, run by ansible-playbook against the simulator.

Each scenario goes check mode -> real run -> idempotent re-run -> errors, and counts the requests
each step sent from the simulator's request log. The first tests run both active-jobs modules over
every shape the (undocumented) active-jobs answer may take, so that a client which forgets one of
the tolerated keys fails here first.
"""


import pytest

from harness import concurrently

KEY = "hostup-test-key"
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"
LOST = "the answer to a request was lost"


@pytest.fixture
def hostup(sim):
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": KEY, "retries": 2}}


def seed_vps(sim, **spec):
    spec.setdefault("name", "web-1")
    return sim.seed(hostup={"vps": [spec]})["hostup"]["vps"][0]


def calls(sim, since=0):
    return [(r["method"], r["path"].split("/api/v2", 1)[1]) for r in sim.requests("hostup", since=since)]


def in_arrival_order(sim, since=0):
    """(method, fault, acted) of every HostUp request since ``since``, in the order they arrived."""
    return [(r["method"], r["fault"], r["acted"])
            for r in sorted(sim.requests("hostup", since=since), key=lambda r: r["arrival"])]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def lost_warnings(out):
    return [w for w in out.get("warnings") or [] if LOST in w]


def cancel_task(vps_id, **extra):
    args = dict(vps_id=vps_id, job_type="backup")
    args.update(extra)
    return [{"name": "cancel", "jobctl.cloud.vps_active_job": args, "register": "out"}]


# -- every shape of the active-jobs answer ------------------------------------------------------

SHAPES = [
    # (where the list is, the type key, the state key); None: the list is the whole body.
    ("data", "jobType", "status"),
    ("jobs", "type", "state"),
    ("activeJobs", "jobType", "state"),
    ("data.jobs", "type", "status"),
    ("data.activeJobs", "jobType", "status"),
    (None, "type", "state"),
]


@pytest.mark.parametrize("where,type_key,status_key", SHAPES, ids=["-".join(map(str, s)) for s in SHAPES])
def test_every_active_jobs_shape_through_both_modules(sim, play, hostup, where, type_key, status_key):
    sim.seed(hostup={"settings": {"active_jobs_key": where, "job_type_key": type_key, "job_status_key": status_key}})
    # A running backup (cancelled jobs go within half a second) and a restore already stopping for good.
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600, "cancel_delay": 0.5},
                                     {"jobType": "restore", "duration": 3600, "status": "cancelling",
                                      "cancel_delay": 3600}])["id"]
    tasks = [
        {"name": "info", "jobctl.cloud.vps_active_job_info": {"vps_id": vid}},
        {"name": "check backup", "check_mode": True, "jobctl.cloud.vps_active_job": {"vps_id": vid, "job_type": "backup"}},
        {"name": "check restore", "check_mode": True,
         "jobctl.cloud.vps_active_job": {"vps_id": vid, "job_type": "restore"}},
        {"name": "cancel backup and wait", "jobctl.cloud.vps_active_job": {
            "vps_id": vid, "job_type": "backup", "wait": True, "wait_sleep": 0.2, "wait_timeout": 20}},
    ]
    result = play(tasks, defaults=hostup)
    assert result.rc == 0, result
    info = result.task("info")
    assert [(j[type_key], j[status_key]) for j in info["active_jobs"]] == [("backup", "running"),
                                                                           ("restore", "cancelling")]
    assert info["changed"] is False
    check = result.task("check backup")
    assert check["changed"] is True and check["canceled"] is True, "the running backup is found"
    stopping = result.task("check restore")
    assert stopping["changed"] is False and stopping["canceled"] is False, "a cancelling restore is left alone"
    real = result.task("cancel backup and wait")
    assert real["changed"] is True and real["canceled"] is True
    assert [j[type_key] for j in real["active_jobs"]] == ["restore"], "waited until the backup was gone"
    methods = [m for m, dummy in calls(sim)]
    assert methods[:4] == ["GET", "GET", "GET", "GET"] and methods[4] == "DELETE" and set(methods[5:]) == {"GET"}
    assert [j["status"] for j in sim.state("hostup")["vps"][0]["active_jobs"]] == ["cancelling"]


# -- vps_active_job --------------------------------------------------------------------------------

def test_cancel_active_backup_check_real_rerun(sim, play, hostup):
    vps = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}, {"jobType": "restore", "duration": 600}])
    vid = vps["id"]

    check = play(cancel_task(vid), check=True, defaults=hostup)
    assert check.rc == 0, check
    out = check.task("cancel")
    assert out["changed"] is True and out["canceled"] is True
    assert [j["jobType"] for j in out["active_jobs"]] == ["backup", "restore"]
    assert calls(sim) == [("GET", "/vps/%s/active-jobs" % vid)], "check mode reads only"
    assert {j["status"] for j in sim.state("hostup")["vps"][0]["active_jobs"]} == {"running"}

    seq = last_seq(sim)
    real = play(cancel_task(vid), defaults=hostup)
    out = real.task("cancel")
    assert out["changed"] is True and out["canceled"] is True and out["reason"] is None
    assert "active_jobs" not in out and not out.get("warnings")
    assert calls(sim, seq) == [("DELETE", "/vps/%s/active-jobs" % vid)], "normal mode is one DELETE"
    assert sim.requests("hostup", since=seq)[0]["body"] == {"jobType": "backup"}

    seq = last_seq(sim)
    again = play(cancel_task(vid), defaults=hostup)
    out = again.task("cancel")
    assert out["changed"] is False and out["canceled"] is False
    assert out["reason"] == "No active backup job was found to cancel."
    assert calls(sim, seq) == [("DELETE", "/vps/%s/active-jobs" % vid)]

    # Check mode after the cancel predicts no change, like the real re-run.
    again_check = play(cancel_task(vid), check=True, defaults=hostup)
    assert again_check.task("cancel")["changed"] is False


def test_cancel_with_diff_shows_before_and_after(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "restore", "duration": 600}])["id"]
    result = play(cancel_task(vid, job_type="restore"), diff=True, defaults=hostup)
    out = result.task("cancel")
    assert out["changed"] is True
    assert [j["jobType"] for j in out["diff"]["before"]["active_jobs"]] == ["restore"]
    assert out["diff"]["after"] == {"active_jobs": []}
    assert [m for m, dummy in calls(sim)] == ["GET", "DELETE"]


def test_cancel_and_wait_until_the_job_is_gone(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    result = play(cancel_task(vid, wait=True, wait_sleep=0.3, wait_timeout=30), defaults=hostup)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is True and out["active_jobs"] == []
    methods = [m for m, dummy in calls(sim)]
    assert methods[:2] == ["GET", "DELETE"] and set(methods[2:]) == {"GET"} and len(methods) >= 3
    assert sim.state("hostup")["vps"][0]["active_jobs"] == []


@pytest.mark.parametrize("mode", [{"wait": True, "wait_sleep": 0.2}, {"diff": True}])
def test_a_read_that_shows_nothing_to_cancel_sends_no_delete(sim, play, hostup, mode):
    # Nothing of the type listed, or only a job already stopping: the read says it all.
    idle = seed_vps(sim, name="idle", active_jobs=[{"jobType": "restore", "duration": 600}])["id"]
    stopping = seed_vps(sim, name="stopping", active_jobs=[
        {"jobType": "backup", "duration": 600, "status": "cancelling", "cancel_delay": 1}])["id"]
    args = dict((k, v) for k, v in mode.items() if k != "diff")
    tasks = [dict(cancel_task(v, **args)[0], name=name) for name, v in (("idle", idle), ("stopping", stopping))]
    result = play(tasks, diff=bool(mode.get("diff")), defaults=hostup)
    assert result.rc == 0, result
    for name in ("idle", "stopping"):
        out = result.task(name)
        assert out["changed"] is False and out["canceled"] is False
        assert out["reason"] == "No active backup job was found to cancel."
    assert "DELETE" not in [m for m, dummy in calls(sim)]
    if mode.get("wait"):
        # The stopping job is waited for until it has gone; the idle VPS costs its one read.
        assert [p for m, p in calls(sim)].count("/vps/%s/active-jobs" % idle) == 1
        assert result.task("stopping")["active_jobs"] == []
    else:
        assert len(calls(sim)) == 2


def test_wait_timeout_fails_clearly(sim, play, hostup):
    sim.seed(hostup={"settings": {"cancel_delay": 3600}})
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    result = play(cancel_task(vid, wait=True, wait_sleep=0.2, wait_timeout=1), defaults=hostup)
    assert result.rc != 0
    out = result.task("cancel")
    assert "timed out after 1 seconds waiting for the backup job of %s to stop" % vid in out["msg"]
    assert out["changed"] is True, "the cancel was sent: the failure must not hide it"


def test_active_job_info(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "restore", "duration": 600, "progress": 30}])["id"]
    out = play([{"name": "info", "jobctl.cloud.vps_active_job_info": {"vps_id": vid}}], defaults=hostup).task("info")
    assert out["changed"] is False
    assert [j["jobType"] for j in out["active_jobs"]] == ["restore"]
    assert 30 <= out["active_jobs"][0]["progress"] < 100, "progress moves with time; it started at 30"
    empty = seed_vps(sim, name="idle")["id"]
    out = play([{"name": "info", "jobctl.cloud.vps_active_job_info": {"vps_id": empty}}], defaults=hostup).task("info")
    assert out["active_jobs"] == []


def test_unknown_vps_fails_with_status_detail_and_request_id(sim, play, hostup):
    result = play(cancel_task(UNKNOWN_VPS), defaults=hostup)
    assert result.rc != 0
    out = result.task("cancel")
    log = sim.requests("hostup")
    request_id = log[0]["response_headers"].get("X-Request-Id")
    assert "HTTP 404 Not found: VPS `%s` was not found." % UNKNOWN_VPS in out["msg"]
    assert request_id and request_id in out["msg"]
    assert out["problem"]["request_id"] == request_id and out["problem"]["code"] == "not_found"
    assert out["changed"] is False


@pytest.mark.parametrize("module", ["vps_active_job_info", "vps_backup_info"])
def test_info_of_an_unknown_vps_fails(sim, play, hostup, module):
    result = play([{"name": "info", "jobctl.cloud." + module: {"vps_id": UNKNOWN_VPS}}], defaults=hostup)
    out = result.task("info")
    assert result.rc != 0 and "HTTP 404" in out["msg"] and out["problem"]["code"] == "not_found"
    assert len(sim.requests("hostup")) == 1


@pytest.mark.parametrize("args,option", [
    ({"vps_id": "vps_../../admin"}, "vps_id"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3?x=1"}, "vps_id"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3#x"}, "vps_id"),
    ({"vps_id": "01hxa3b4c5d6e7f8g9h0j1k2m3"}, "vps_id"),
    ({"vps_id": "vps_01HXA3B4C5D6E7F8G9H0J1K2M3"}, "vps_id"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3", "api_url": "ftp://127.0.0.1/api"}, "api_url"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3", "api_url": "/relative"}, "api_url"),
])
def test_bad_input_fails_before_any_request(sim, play, hostup, args, option):
    args = dict(args, job_type="backup")
    result = play([{"name": "cancel", "jobctl.cloud.vps_active_job": args}], defaults=hostup)
    out = result.task("cancel")
    assert result.rc != 0 and out["msg"].startswith(option), out["msg"]
    assert sim.requests() == []


def test_rate_limited_twice_still_succeeds(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=2)
    out = play(cancel_task(vid), defaults=hostup).task("cancel")
    assert out["changed"] is True and not lost_warnings(out)
    assert [r["status"] for r in sim.requests("hostup")] == [429, 429, 200], "a 429 needs no settle read"


LOST_AFTER = [
    {"kind": "drop", "when": "after"},
    {"kind": "status", "status": 502, "when": "after"},
    {"kind": "drop_mid_body", "when": "after"},
    {"kind": "malformed", "when": "after"},
]


@pytest.mark.parametrize("fault", LOST_AFTER, ids=[f["kind"] for f in LOST_AFTER])
def test_a_cancel_whose_answer_was_lost_is_settled_by_one_read(sim, play, hostup, fault):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    result = play(cancel_task(vid), defaults=hostup)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is True and out["canceled"] is True and out["reason"] is None
    assert len(lost_warnings(out)) == 1, out.get("warnings")
    assert in_arrival_order(sim) == [("DELETE", fault["kind"], True), ("GET", None, False)], \
        "carried out once, then one read; never sent again"


def test_a_cancel_refused_before_the_api_acted_is_read_then_sent_again(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=1)
    out = play(cancel_task(vid), defaults=hostup).task("cancel")
    assert out["changed"] is True and not lost_warnings(out), "this run's second DELETE made the change"
    assert in_arrival_order(sim) == [("DELETE", "status", False), ("GET", None, False), ("DELETE", None, True)]


@pytest.mark.parametrize("wait", [False, True], ids=["one-delete", "read-first-and-wait"])
def test_two_concurrent_cancels_one_changed_neither_fails(sim, play, hostup, wait):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600, "cancel_delay": 1}])["id"]
    # Both DELETEs are held before the API handles them, so the two runs' requests overlap.
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=3, times=2)
    task = cancel_task(vid, wait=wait, wait_sleep=0.3, wait_timeout=60)
    results = concurrently(lambda: play(task, defaults=hostup), lambda: play(task, defaults=hostup), timeout=120)
    assert [r.rc for r in results] == [0, 0], results
    outs = [r.task("cancel") for r in results]
    assert sorted(o["changed"] for o in outs) == [False, True], outs
    loser = next(o for o in outs if not o["changed"])
    assert loser["reason"] == "No active backup job was found to cancel." and not lost_warnings(loser)
    deletes = [r for r in sim.requests("hostup") if r["method"] == "DELETE"]
    assert len(deletes) == 2 and [r["acted"] for r in deletes].count(True) == 1
    assert {r["fault"] for r in deletes} == {"slow"}, "both DELETEs were held back by the fault"


def test_readonly_key_is_refused_with_the_apis_words(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    hostup["group/jobctl.cloud.hostup"]["api_token"] = "hostup-readonly-key"
    out = play(cancel_task(vid), defaults=hostup).task("cancel")
    assert "HTTP 403" in out["msg"] and out["problem"]["code"] == "forbidden"
    assert out["changed"] is False


def test_credentials_from_environment_and_secret_never_printed(sim, play):
    secret = "hostup-secret-7f3a9c2e"
    sim.seed(hostup={"api_keys": [{"key": secret, "scopes": ["read:vm", "backup:vm"]}]})
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": secret}
    result = play(cancel_task(vid), env=env, verbosity=3, diff=True)
    assert result.rc == 0, result
    assert result.task("cancel")["changed"] is True
    assert secret not in result.stdout and secret not in result.stderr
    assert secret not in str(result.results)
    # A failure at -vvv (wrong URL path) must not leak it either.
    env["HOSTUP_API_URL"] = sim.url + "/hostup/nope"
    failed = play(cancel_task(vid), env=env, verbosity=3)
    assert failed.rc != 0
    assert secret not in failed.stdout and secret not in failed.stderr


# -- vps_backup ------------------------------------------------------------------------------------

def backups_of(sim):
    return [b["id"] for b in sim.state("hostup")["vps"][0]["backups"]]


def test_delete_backups_check_real_rerun(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 5})
    vid = vps["id"]
    ids = [b["id"] for b in vps["backups"]]
    target = ids[:3] + ["bkp_0000000000000000000000zzzz"]
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vid, "backup_ids": target}}]

    check = play(task, check=True, diff=True, defaults=hostup).task("delete")
    assert check["changed"] is True and check["deleted"] == ids[:3]
    assert [b["id"] for b in check["backups"]] == ids[:3]
    assert check["diff"] == {"before": {"backups": ids[:3]}, "after": {"backups": []}}
    assert check["refused"] == [] and check["errors"] == []
    assert calls(sim) == [("GET", "/vps/%s/backups" % vid)]
    assert len(backups_of(sim)) == 5

    seq = last_seq(sim)
    real = play(task, diff=True, defaults=hostup).task("delete")
    assert real["changed"] is True and real["deleted"] == ids[:3], "what check mode predicted, in the order asked"
    assert real["diff"] == check["diff"] and not real.get("warnings")
    assert {"createdAt", "backupType", "sizeGb"} <= set(real["backups"][0])
    sent = calls(sim, seq)
    assert sent[0] == ("GET", "/vps/%s/backups" % vid)
    assert sorted(sent[1:]) == sorted(("DELETE", "/vps/%s/backups/%s" % (vid, b)) for b in ids[:3])
    assert sorted(backups_of(sim)) == sorted(ids[3:])

    seq = last_seq(sim)
    again = play(task, defaults=hostup).task("delete")
    assert again["changed"] is False and again["deleted"] == [] and again["backups"] == []
    assert calls(sim, seq) == [("GET", "/vps/%s/backups" % vid)], "a re-run sends the GET alone"


def test_an_empty_list_of_backups_sends_no_request(sim, play, hostup):
    vid = seed_vps(sim, backups={"count": 2})["id"]
    for check in (True, False):
        result = play([{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vid, "backup_ids": []}}],
                      check=check, defaults=hostup)
        out = result.task("delete")
        assert result.rc == 0, result
        assert out["changed"] is False and out["deleted"] == [] and out["backups"] == []
    assert sim.requests() == []
    assert len(backups_of(sim)) == 2


def test_delete_single_backup(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][0]["id"]
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_id": bid}}]
    assert play(task, defaults=hostup).task("delete")["deleted"] == [bid]
    assert play(task, defaults=hostup).task("delete")["changed"] is False


def test_delete_backup_of_unknown_vps_fails(sim, play, hostup):
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {
        "vps_id": UNKNOWN_VPS, "backup_id": "bkp_0000000000000000000000zzzz"}}]
    result = play(task, defaults=hostup)
    assert result.rc != 0 and "HTTP 404" in result.task("delete")["msg"]
    assert [m for m, dummy in calls(sim)] == ["GET"], "the list tells an unknown VPS from a backup gone"


def test_backup_options_are_checked_before_any_request(sim, play, hostup):
    vid = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
    both = play([{"name": "t", "jobctl.cloud.vps_backup": {"vps_id": vid, "backup_id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3",
                                                           "backup_ids": ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"]}}],
                defaults=hostup).task("t")
    assert "mutually exclusive" in both["msg"]
    ids = ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3", "bkp_x/../y"]
    bad = play([{"name": "t", "jobctl.cloud.vps_backup": {"vps_id": vid, "backup_ids": ids}}], defaults=hostup).task("t")
    assert bad["msg"].startswith("backup_ids 'bkp_x/../y' is not a valid ID")
    assert sim.requests() == []


def test_a_backup_the_api_refuses_is_kept_the_others_deleted_and_the_module_fails_naming_it(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 4}, active_jobs=[{"jobType": "restore", "duration": 3600}])
    ids = [b["id"] for b in vps["backups"]]
    used = vps["active_jobs"][0]["backupId"]
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_ids": ids}}]

    # Check mode cannot see the refusal coming (documented): it predicts all four.
    check = play(task, check=True, defaults=hostup).task("delete")
    assert check["changed"] is True and check["deleted"] == ids and check["refused"] == []

    result = play(task, defaults=hostup)
    out = result.task("delete")
    assert result.rc != 0
    assert out["changed"] is True and out["deleted"] == [b for b in ids if b != used]
    assert [r["id"] for r in out["refused"]] == [used] and out["errors"] == []
    assert "HTTP 409" in out["refused"][0]["reason"] and "being restored" in out["refused"][0]["reason"]
    assert out["msg"].startswith("could not delete 1 of 4 backups of %s: %s: " % (vps["id"], used))
    assert out["problem"]["status"] == 409 and out["problem"]["code"] == "conflict"
    assert backups_of(sim) == [used]
    deletes = [r for r in sim.requests("hostup") if r["method"] == "DELETE"]
    assert len(deletes) == 4 and [r["acted"] for r in deletes].count(True) == 3, "the refusal is not sent again"


def test_a_deletion_that_keeps_failing_is_reported_and_the_others_still_deleted(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 3})
    ids = [b["id"] for b in vps["backups"]]
    sim.fault(api="hostup", method="DELETE", path=ids[1], kind="status", status=500, times=-1)
    result = play([{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_ids": ids}}],
                  defaults=hostup)
    out = result.task("delete")
    assert result.rc != 0
    assert out["changed"] is True and out["deleted"] == [ids[0], ids[2]]
    assert [f["id"] for f in out["errors"]] == [ids[1]] and "HTTP 500" in out["errors"][0]["reason"]
    assert out["msg"].startswith("could not delete 1 of 3 backups of %s: %s:" % (vps["id"], ids[1]))
    assert "HTTP 500" in out["msg"] and out["problem"]["status"] == 500
    assert backups_of(sim) == [ids[1]]
    # Each attempt on the failing backup is followed by a read of the list before the next (retries: 2).
    failing = [(m, f) for m, f, dummy in in_arrival_order(sim) if m == "GET" or f == "status"]
    assert failing[0] == ("GET", None) and failing[1:].count(("DELETE", "status")) == 3


@pytest.mark.parametrize("fault", LOST_AFTER, ids=[f["kind"] for f in LOST_AFTER])
def test_a_deletion_whose_answer_was_lost_is_settled_by_one_read(sim, play, hostup, fault):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    out = play([{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_id": bid}}],
               defaults=hostup).task("delete")
    assert out["changed"] is True and out["deleted"] == [bid]
    assert len(lost_warnings(out)) == 1, out.get("warnings")
    assert in_arrival_order(sim) == [("GET", None, False), ("DELETE", fault["kind"], True), ("GET", None, False)]
    assert backups_of(sim) == [vps["backups"][0]["id"]]


def test_two_concurrent_deletions_of_one_backup_one_changed_neither_fails(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=3, times=2)
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_id": bid}}]
    results = concurrently(lambda: play(task, defaults=hostup), lambda: play(task, defaults=hostup), timeout=120)
    assert [r.rc for r in results] == [0, 0], results
    outs = sorted((r.task("delete") for r in results), key=lambda o: o["changed"])
    assert [o["changed"] for o in outs] == [False, True]
    assert outs[0]["deleted"] == [] and outs[1]["deleted"] == [bid]
    assert [r["acted"] for r in sim.requests("hostup") if r["method"] == "DELETE"].count(True) == 1


def test_backup_info(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 3}, quota_limit=10)
    out = play([{"name": "info", "jobctl.cloud.vps_backup_info": {"vps_id": vps["id"]}}], defaults=hostup).task("info")
    assert [b["id"] for b in out["backups"]] == [b["id"] for b in vps["backups"]]
    assert out["quota"] == {"used": 3, "limit": 10, "remaining": 7}
    assert out["actions"]["canCreateBackup"] == {"allowed": True, "reason": None, "code": None}
    assert out["changed"] is False
    assert len(sim.requests("hostup")) == 1


def test_unexpected_shape_fails_without_traceback(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 1})
    sim.fault(api="hostup", kind="wrong_shape", times=1)
    out = play([{"name": "info", "jobctl.cloud.vps_backup_info": {"vps_id": vps["id"]}}], defaults=hostup).task("info")
    assert "unexpected shape" in out["msg"] and "Traceback" not in str(out)


# -- vps_backup_retention: its policy is checked before any request ------------------------------

def test_a_retention_policy_that_could_delete_too_much_fails_before_any_request(sim, play, hostup):
    vid = seed_vps(sim, backups={"count": 3})["id"]
    cases = [
        ({"older_than_days": 0}, "older_than_days must be at least 1 (day), got 0.0"),
        ({"older_than_days": 0.5, "keep_last": 2}, "older_than_days must be at least 1 (day), got 0.5"),
        ({"older_than_days": -3}, "older_than_days must be at least 1 (day), got -3.0"),
        ({"older_than_days": "nan"}, "older_than_days must be a finite number"),
        ({"older_than_days": "inf"}, "older_than_days must be a finite number"),
        ({"older_than_days": 1e300}, "older_than_days must be at most 36500"),
        ({"keep_last": 0}, "keep_last must be at least 1"),
        ({}, "one of the following is required: keep_last, older_than_days"),
    ]
    tasks = [{"name": "case %d" % i, "ignore_errors": True,
              "jobctl.cloud.vps_backup_retention": dict(policy, vps_ids=[vid])} for i, (policy, dummy) in enumerate(cases)]
    result = play(tasks, defaults=hostup)
    for i, (policy, words) in enumerate(cases):
        out = result.task("case %d" % i)
        assert out["failed"] and words in out["msg"], (policy, out["msg"])
    assert sim.requests() == []
    assert len(backups_of(sim)) == 3
