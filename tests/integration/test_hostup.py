"""HostUp modules, run by ansible-playbook against the simulator.

Each scenario goes check mode -> real run -> idempotent re-run -> errors, and counts the requests
each step sent from the simulator's request log.
"""

import pytest

KEY = "hostup-test-key"
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"


@pytest.fixture
def hostup(sim):
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": KEY, "retries": 2}}


def seed_vps(sim, **spec):
    spec.setdefault("name", "web-1")
    return sim.seed(hostup={"vps": [spec]})["hostup"]["vps"][0]


def calls(sim, since=0):
    return [(r["method"], r["path"].split("/api/v2", 1)[1]) for r in sim.requests("hostup", since=since)]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def cancel_task(vps_id, **extra):
    args = dict(vps_id=vps_id, job_type="backup")
    args.update(extra)
    return [{"name": "cancel", "jobctl.cloud.vps_active_job": args, "register": "out"}]


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
    assert "active_jobs" not in out
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


@pytest.mark.parametrize("args,option", [
    ({"vps_id": "vps_../../admin"}, "vps_id"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3?x=1"}, "vps_id"),
    ({"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3#x"}, "vps_id"),
    ({"vps_id": "01hxa3b4c5d6e7f8g9h0j1k2m3"}, "vps_id"),
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
    assert out["changed"] is True
    assert [r["status"] for r in sim.requests("hostup")] == [429, 429, 200]


def test_lost_cancel_answer_is_not_repeated(sim, play, hostup):
    """A DELETE that acted but whose answer was lost must fail, never be re-sent as 'nothing to cancel'."""
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="drop", when="after", times=1)
    result = play(cancel_task(vid), defaults=hostup)
    assert result.rc != 0
    assert len(sim.requests("hostup")) == 1
    assert "could not talk to" in result.task("cancel")["msg"]


def test_readonly_key_is_refused_with_the_apis_words(sim, play, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    hostup["group/jobctl.cloud.hostup"]["api_token"] = "hostup-readonly-key"
    out = play(cancel_task(vid), defaults=hostup).task("cancel")
    assert "HTTP 403" in out["msg"] and out["problem"]["code"] == "forbidden"


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


# -- backups -------------------------------------------------------------------------------------

def backups_of(sim):
    return [b["id"] for b in sim.state("hostup")["vps"][0]["backups"]]


def test_delete_backups_check_real_rerun(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 5})
    vid = vps["id"]
    ids = [b["id"] for b in vps["backups"]]
    target = ids[:3] + ["bkp_0000000000000000000000zzzz"]
    task = [{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vid, "backup_ids": target}}]

    check = play(task, check=True, diff=True, defaults=hostup).task("delete")
    assert check["changed"] is True and sorted(check["deleted"]) == sorted(ids[:3])
    assert sorted(b["id"] for b in check["backups"]) == sorted(ids[:3])
    assert check["diff"] == {"before": {"backups": ids[:3]}, "after": {"backups": []}}
    assert calls(sim) == [("GET", "/vps/%s/backups" % vid)]
    assert len(backups_of(sim)) == 5

    seq = last_seq(sim)
    real = play(task, defaults=hostup).task("delete")
    assert real["changed"] is True and sorted(real["deleted"]) == sorted(ids[:3])
    assert {"createdAt", "backupType", "sizeGb"} <= set(real["backups"][0])
    sent = calls(sim, seq)
    assert sent[0] == ("GET", "/vps/%s/backups" % vid)
    assert sorted(sent[1:]) == sorted(("DELETE", "/vps/%s/backups/%s" % (vid, b)) for b in ids[:3])
    assert sorted(backups_of(sim)) == sorted(ids[3:])

    seq = last_seq(sim)
    again = play(task, defaults=hostup).task("delete")
    assert again["changed"] is False and again["deleted"] == [] and again["backups"] == []
    assert calls(sim, seq) == [("GET", "/vps/%s/backups" % vid)], "a re-run sends the GET alone"


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


def test_partial_failure_reports_what_was_deleted(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 3})
    ids = [b["id"] for b in vps["backups"]]
    sim.fault(api="hostup", method="DELETE", path=ids[1], kind="status", status=500, times=1)
    result = play([{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_ids": ids}}],
                  defaults=hostup)
    out = result.task("delete")
    assert result.rc != 0
    assert out["changed"] is True and sorted(out["deleted"]) == sorted([ids[0], ids[2]])
    assert out["msg"].startswith("could not delete 1 of 3 backups of %s: %s:" % (vps["id"], ids[1]))
    assert "HTTP 500" in out["msg"]
    assert backups_of(sim) == [ids[1]]


def test_delete_answer_lost_then_retried_still_counts(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 1})
    bid = vps["backups"][0]["id"]
    sim.fault(api="hostup", method="DELETE", kind="status", status=502, when="after", times=1)
    out = play([{"name": "delete", "jobctl.cloud.vps_backup": {"vps_id": vps["id"], "backup_id": bid}}],
               defaults=hostup).task("delete")
    assert out["changed"] is True and out["deleted"] == [bid]
    assert [r["status"] for r in sim.requests("hostup")] == [200, 502, 404]


def test_backup_info(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 3}, quota_limit=10)
    out = play([{"name": "info", "jobctl.cloud.vps_backup_info": {"vps_id": vps["id"]}}], defaults=hostup).task("info")
    assert [b["id"] for b in out["backups"]] == [b["id"] for b in vps["backups"]]
    assert out["quota"] == {"used": 3, "limit": 10, "remaining": 7}
    assert len(sim.requests("hostup")) == 1


def test_unexpected_shape_fails_without_traceback(sim, play, hostup):
    vps = seed_vps(sim, backups={"count": 1})
    sim.fault(api="hostup", kind="wrong_shape", times=1)
    out = play([{"name": "info", "jobctl.cloud.vps_backup_info": {"vps_id": vps["id"]}}], defaults=hostup).task("info")
    assert "unexpected shape" in out["msg"] and "Traceback" not in str(out)
