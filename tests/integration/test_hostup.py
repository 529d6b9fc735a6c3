"""HostUp modules against the simulator, run in this process (tests/runner.py).

Each scenario goes check mode -> real run -> idempotent re-run -> errors, and counts the requests
each step sent from the simulator's request log. The first tests run both active-jobs modules over
every shape the (undocumented) active-jobs answer may take, so that a client which forgets one of
the tolerated keys fails here first.

Every run is a module run here, with the arguments and result a task would give and get; a play of
several tasks is several runs in turn, and two plays racing are two runs in two threads. Only what
Ansible itself prints at -vvv is left to a real ansible-playbook run.
"""

import json

import pytest

from harness import concurrently

KEY = "hostup-test-key"
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"
LOST = "the answer to a request was lost"


@pytest.fixture
def hostup(sim):
    """The play's module_defaults: the simulator's credentials and few retries."""
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": KEY, "retries": 2}}


@pytest.fixture
def mod(run, hostup):
    """run(), with the ``hostup`` module_defaults (read at each call: a test may change them)."""

    def call(module, args, **kwargs):
        kwargs.setdefault("defaults", hostup)
        return run(module, args, **kwargs)

    return call


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


def ok(out):
    assert not out.get("failed"), out
    return out


def cancel_args(vps_id, **extra):
    args = dict(vps_id=vps_id, job_type="backup")
    args.update(extra)
    return args


def cancel_task(vps_id, **extra):
    return [{"name": "cancel", "jobctl.cloud.vps_active_job": cancel_args(vps_id, **extra), "register": "out"}]


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
def test_every_active_jobs_shape_through_both_modules(sim, mod, where, type_key, status_key):
    sim.seed(hostup={"settings": {"active_jobs_key": where, "job_type_key": type_key, "job_status_key": status_key}})
    # A running backup (cancelled jobs go within half a second) and a restore already stopping for good.
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600, "cancel_delay": 0.5},
                                     {"jobType": "restore", "duration": 3600, "status": "cancelling",
                                      "cancel_delay": 3600}])["id"]
    info = ok(mod("vps_active_job_info", {"vps_id": vid}))
    check = ok(mod("vps_active_job", cancel_args(vid), check=True))
    stopping = ok(mod("vps_active_job", cancel_args(vid, job_type="restore"), check=True))
    real = ok(mod("vps_active_job", cancel_args(vid, wait=True, wait_sleep=0.2, wait_timeout=20)))
    assert [(j[type_key], j[status_key]) for j in info["active_jobs"]] == [("backup", "running"),
                                                                           ("restore", "cancelling")]
    assert info["changed"] is False
    assert check["changed"] is True and check["canceled"] is True, "the running backup is found"
    assert stopping["changed"] is False and stopping["canceled"] is False, "a cancelling restore is left alone"
    assert real["changed"] is True and real["canceled"] is True
    assert [j[type_key] for j in real["active_jobs"]] == ["restore"], "waited until the backup was gone"
    methods = [m for m, dummy in calls(sim)]
    assert methods[:4] == ["GET", "GET", "GET", "GET"] and methods[4] == "DELETE" and set(methods[5:]) == {"GET"}
    assert [j["status"] for j in sim.state("hostup")["vps"][0]["active_jobs"]] == ["cancelling"]


# -- vps_active_job --------------------------------------------------------------------------------

def test_cancel_active_backup_check_real_rerun(sim, mod):
    vps = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}, {"jobType": "restore", "duration": 600}])
    vid = vps["id"]

    out = ok(mod("vps_active_job", cancel_args(vid), check=True))
    assert out["changed"] is True and out["canceled"] is True
    assert [j["jobType"] for j in out["active_jobs"]] == ["backup", "restore"]
    assert calls(sim) == [("GET", "/vps/%s/active-jobs" % vid)], "check mode reads only"
    assert {j["status"] for j in sim.state("hostup")["vps"][0]["active_jobs"]} == {"running"}

    seq = last_seq(sim)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and out["canceled"] is True and out["reason"] is None
    assert "active_jobs" not in out and not out.get("warnings")
    assert calls(sim, seq) == [("DELETE", "/vps/%s/active-jobs" % vid)], "normal mode is one DELETE"
    assert sim.requests("hostup", since=seq)[0]["body"] == {"jobType": "backup"}

    seq = last_seq(sim)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is False and out["canceled"] is False
    assert out["reason"] == "No active backup job was found to cancel."
    assert calls(sim, seq) == [("DELETE", "/vps/%s/active-jobs" % vid)]

    # Check mode after the cancel predicts no change, like the real re-run.
    assert ok(mod("vps_active_job", cancel_args(vid), check=True))["changed"] is False


def test_the_cancel_is_logged_as_it_happens_ids_and_outcomes_only(sim, mod, monkeypatch):
    # A run killed from above (AWX cancel, a task timeout) still leaves this record in the module log.
    from ansible.module_utils.basic import AnsibleModule

    lines = []
    monkeypatch.setattr(AnsibleModule, "log", lambda self, msg, log_args=None: lines.append(msg))
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    ok(mod("vps_active_job", cancel_args(vid)))
    ok(mod("vps_active_job", cancel_args(vid)))
    assert [line for line in lines if line.startswith("cancel ")] == [
        "cancel of the backup job of VPS %s: sending" % vid, "cancel of the backup job of VPS %s: acted, changed" % vid,
        "cancel of the backup job of VPS %s: sending" % vid, "cancel of the backup job of VPS %s: already" % vid]
    assert not any(KEY in line for line in lines)


def test_cancel_with_diff_shows_before_and_after(sim, mod):
    vid = seed_vps(sim, active_jobs=[{"jobType": "restore", "duration": 600}])["id"]
    out = ok(mod("vps_active_job", cancel_args(vid, job_type="restore"), diff=True))
    assert out["changed"] is True
    assert [j["jobType"] for j in out["diff"]["before"]["active_jobs"]] == ["restore"]
    assert out["diff"]["after"] == {"active_jobs": []}
    assert [m for m, dummy in calls(sim)] == ["GET", "DELETE"]


def test_cancel_and_wait_until_the_job_is_gone(sim, mod):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    out = ok(mod("vps_active_job", cancel_args(vid, wait=True, wait_sleep=0.3, wait_timeout=30)))
    assert out["changed"] is True and out["active_jobs"] == []
    methods = [m for m, dummy in calls(sim)]
    assert methods[:2] == ["GET", "DELETE"] and set(methods[2:]) == {"GET"} and len(methods) >= 3
    assert sim.state("hostup")["vps"][0]["active_jobs"] == []


@pytest.mark.parametrize("mode", [{"wait": True, "wait_sleep": 0.2}, {"diff": True}])
def test_a_read_that_shows_nothing_to_cancel_sends_no_delete(sim, mod, mode):
    # Nothing of the type listed, or only a job already stopping: the read says it all.
    idle = seed_vps(sim, name="idle", active_jobs=[{"jobType": "restore", "duration": 600}])["id"]
    stopping = seed_vps(sim, name="stopping", active_jobs=[
        {"jobType": "backup", "duration": 600, "status": "cancelling", "cancel_delay": 1}])["id"]
    args = dict((k, v) for k, v in mode.items() if k != "diff")
    outs = dict((name, ok(mod("vps_active_job", cancel_args(v, **args), diff=bool(mode.get("diff")))))
                for name, v in (("idle", idle), ("stopping", stopping)))
    for name in ("idle", "stopping"):
        out = outs[name]
        assert out["changed"] is False and out["canceled"] is False
        assert out["reason"] == "No active backup job was found to cancel."
    assert "DELETE" not in [m for m, dummy in calls(sim)]
    if mode.get("wait"):
        # The stopping job is waited for until it has gone; the idle VPS costs its one read.
        assert [p for m, p in calls(sim)].count("/vps/%s/active-jobs" % idle) == 1
        assert outs["stopping"]["active_jobs"] == []
    else:
        assert len(calls(sim)) == 2


def test_wait_timeout_fails_clearly(sim, mod):
    sim.seed(hostup={"settings": {"cancel_delay": 3600}})
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    out = mod("vps_active_job", cancel_args(vid, wait=True, wait_sleep=0.2, wait_timeout=1))
    assert out.get("failed") is True
    assert "timed out after 1 seconds waiting for the backup job of %s to stop" % vid in out["msg"]
    assert out["changed"] is True, "the cancel was sent: the failure must not hide it"


def test_active_job_info(sim, mod):
    vid = seed_vps(sim, active_jobs=[{"jobType": "restore", "duration": 600, "progress": 30}])["id"]
    out = ok(mod("vps_active_job_info", {"vps_id": vid}))
    assert out["changed"] is False
    assert [j["jobType"] for j in out["active_jobs"]] == ["restore"]
    assert 30 <= out["active_jobs"][0]["progress"] < 100, "progress moves with time; it started at 30"
    empty = seed_vps(sim, name="idle")["id"]
    out = ok(mod("vps_active_job_info", {"vps_id": empty}))
    assert out["active_jobs"] == []


def test_unknown_vps_fails_with_status_detail_and_request_id(sim, mod):
    out = mod("vps_active_job", cancel_args(UNKNOWN_VPS))
    assert out.get("failed") is True
    log = sim.requests("hostup")
    request_id = log[0]["response_headers"].get("X-Request-Id")
    assert "HTTP 404 Not found: VPS `%s` was not found." % UNKNOWN_VPS in out["msg"]
    assert request_id and request_id in out["msg"]
    assert out["problem"]["request_id"] == request_id and out["problem"]["code"] == "not_found"
    assert out["changed"] is False


@pytest.mark.parametrize("module", ["vps_active_job_info", "vps_backup_info"])
def test_info_of_an_unknown_vps_fails(sim, mod, module):
    out = mod(module, {"vps_id": UNKNOWN_VPS})
    assert out.get("failed") is True and "HTTP 404" in out["msg"] and out["problem"]["code"] == "not_found"
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
def test_bad_input_fails_before_any_request(sim, mod, args, option):
    out = mod("vps_active_job", dict(args, job_type="backup"))
    assert out.get("failed") is True and out["msg"].startswith(option), out["msg"]
    assert sim.requests() == []


def test_rate_limited_twice_still_succeeds(sim, mod):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=2)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and not lost_warnings(out)
    assert [r["status"] for r in sim.requests("hostup")] == [429, 429, 200], "a 429 needs no settle read"
    assert sim.clock.slept == [1, 1], "each Retry-After was waited, as asked"


LOST_AFTER = [
    {"kind": "drop", "when": "after"},
    {"kind": "status", "status": 502, "when": "after"},
    {"kind": "drop_mid_body", "when": "after"},
    {"kind": "malformed", "when": "after"},
]


@pytest.mark.parametrize("fault", LOST_AFTER, ids=[f["kind"] for f in LOST_AFTER])
def test_a_cancel_whose_answer_was_lost_is_settled_by_one_read(sim, mod, fault):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and out["canceled"] is True and out["reason"] is None
    assert len(lost_warnings(out)) == 1, out.get("warnings")
    assert in_arrival_order(sim) == [("DELETE", fault["kind"], True), ("GET", None, False)], \
        "carried out once, then one read; never sent again"


# A 2xx HostUp does not document for the request, after it acted (issue 21; docs/outcomes.md, "Per API").
OTHER_2XX = [{"kind": "empty", "status": 204}, {"kind": "restatus", "status": 202},
             {"kind": "wrong_shape", "status": 200}]


@pytest.mark.parametrize("fault", OTHER_2XX, ids=["204-empty", "202-body", "200-other"])
def test_a_cancel_answered_with_an_undocumented_2xx_is_settled_by_one_read(sim, mod, fault):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", when="after", times=1, **fault)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and out["canceled"] is True and out["reason"] is None
    assert len(lost_warnings(out)) == 1 and "HTTP %d" % fault["status"] in lost_warnings(out)[0], out
    assert in_arrival_order(sim) == [("DELETE", fault["kind"], True), ("GET", None, False)], "one read, no resend"
    seq = last_seq(sim)
    again = ok(mod("vps_active_job", cancel_args(vid)))
    assert again["changed"] is False and again["canceled"] is False
    assert calls(sim, seq) == [("DELETE", "/vps/%s/active-jobs" % vid)]


def test_a_204_that_did_not_cancel_is_never_reported_as_a_change(sim, mod):
    """Answered 204 but nothing done: the read shows the job still running, so the DELETE is sent again;
    when every answer is such a 204 the run fails unchanged, naming the answer."""
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="empty", status=204, times=1)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and not lost_warnings(out), "the second DELETE made the change"
    assert in_arrival_order(sim) == [("DELETE", "empty", False), ("GET", None, False), ("DELETE", None, True)]

    vid = seed_vps(sim, name="web-2", active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="empty", status=204, times=-1)
    out = mod("vps_active_job", cancel_args(vid))
    assert out.get("failed") is True and out["changed"] is False, out
    assert "(HTTP 204) is not the documented 200" in out["msg"]
    assert {j["status"] for j in sim.state("hostup")["vps"][-1]["active_jobs"]} == {"running"}


def test_a_cancel_refused_before_the_api_acted_is_read_then_sent_again(sim, mod):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=1)
    out = ok(mod("vps_active_job", cancel_args(vid)))
    assert out["changed"] is True and not lost_warnings(out), "this run's second DELETE made the change"
    assert in_arrival_order(sim) == [("DELETE", "status", False), ("GET", None, False), ("DELETE", None, True)]


@pytest.mark.parametrize("wait", [False, True], ids=["one-delete", "read-first-and-wait"])
def test_two_concurrent_cancels_one_changed_neither_fails(sim, mod, wait):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 3600, "cancel_delay": 1}])["id"]
    # Both DELETEs are held before the API handles them, so the two runs' requests overlap.
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=3, times=2)
    args = cancel_args(vid, wait=wait, wait_sleep=0.3, wait_timeout=60)
    outs = concurrently(lambda: mod("vps_active_job", args), lambda: mod("vps_active_job", args), timeout=120)
    assert [bool(o.get("failed")) for o in outs] == [False, False], outs
    assert sorted(o["changed"] for o in outs) == [False, True], outs
    loser = next(o for o in outs if not o["changed"])
    assert loser["reason"] == "No active backup job was found to cancel." and not lost_warnings(loser)
    deletes = [r for r in sim.requests("hostup") if r["method"] == "DELETE"]
    assert len(deletes) == 2 and [r["acted"] for r in deletes].count(True) == 1
    assert {r["fault"] for r in deletes} == {"slow"}, "both DELETEs were held back by the fault"


def test_readonly_key_is_refused_with_the_apis_words(sim, mod, hostup):
    vid = seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]
    hostup["group/jobctl.cloud.hostup"]["api_token"] = "hostup-readonly-key"
    out = mod("vps_active_job", cancel_args(vid))
    assert out.get("failed") is True
    assert "HTTP 403" in out["msg"] and out["problem"]["code"] == "forbidden"
    assert out["changed"] is False


def seed_secret_key(sim, secret):
    sim.seed(hostup={"api_keys": [{"key": secret, "scopes": ["read:vm", "backup:vm"]}]})
    return seed_vps(sim, active_jobs=[{"jobType": "backup", "duration": 600}])["id"]


def test_credentials_from_environment_and_secret_never_in_the_result(sim, run):
    secret = "hostup-secret-7f3a9c2e"
    vid = seed_secret_key(sim, secret)
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": secret}
    # No module_defaults: the URL and the key come from the environment alone.
    out = ok(run("vps_active_job", cancel_args(vid), env=env, defaults={}, diff=True))
    assert out["changed"] is True
    assert out["invocation"]["module_args"]["api_url"] == sim.hostup_url
    assert out["invocation"]["module_args"]["api_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert secret not in json.dumps(out)
    # A failure (wrong URL path) must not hold it either.
    env["HOSTUP_API_URL"] = sim.url + "/hostup/nope"
    failed = run("vps_active_job", cancel_args(vid), env=env, defaults={})
    assert failed.get("failed") is True
    assert secret not in json.dumps(failed)


# -- vps_backup ------------------------------------------------------------------------------------

def backups_of(sim):
    return [b["id"] for b in sim.state("hostup")["vps"][0]["backups"]]


def test_delete_backups_check_real_rerun(sim, mod):
    vps = seed_vps(sim, backups={"count": 5})
    vid = vps["id"]
    ids = [b["id"] for b in vps["backups"]]
    target = ids[:3] + ["bkp_0000000000000000000000zzzz"]
    args = {"vps_id": vid, "backup_ids": target}

    check = ok(mod("vps_backup", args, check=True, diff=True))
    assert check["changed"] is True and check["deleted"] == ids[:3]
    assert [b["id"] for b in check["backups"]] == ids[:3]
    assert check["diff"] == {"before": {"backups": ids[:3]}, "after": {"backups": []}}
    assert check["refused"] == [] and check["errors"] == []
    assert calls(sim) == [("GET", "/vps/%s/backups" % vid)]
    assert len(backups_of(sim)) == 5

    seq = last_seq(sim)
    real = ok(mod("vps_backup", args, diff=True))
    assert real["changed"] is True and real["deleted"] == ids[:3], "what check mode predicted, in the order asked"
    assert real["diff"] == check["diff"] and real["already_absent"] == [target[3]]
    assert real["warnings"] == ["backup %s is not among the backups of VPS %s: nothing to delete (it was deleted "
                                "before, or the ID is not one of this VPS's backups)" % (target[3], vid)]
    assert {"createdAt", "backupType", "sizeGb"} <= set(real["backups"][0])
    sent = calls(sim, seq)
    assert sent[0] == ("GET", "/vps/%s/backups" % vid)
    assert sorted(sent[1:]) == sorted(("DELETE", "/vps/%s/backups/%s" % (vid, b)) for b in ids[:3])
    assert sorted(backups_of(sim)) == sorted(ids[3:])

    seq = last_seq(sim)
    again = ok(mod("vps_backup", args))
    assert again["changed"] is False and again["deleted"] == [] and again["backups"] == []
    assert calls(sim, seq) == [("GET", "/vps/%s/backups" % vid)], "a re-run sends the GET alone"


def test_an_empty_list_of_backups_sends_no_request(sim, mod):
    vid = seed_vps(sim, backups={"count": 2})["id"]
    for check in (True, False):
        out = ok(mod("vps_backup", {"vps_id": vid, "backup_ids": []}, check=check))
        assert out["changed"] is False and out["deleted"] == [] and out["backups"] == []
    assert sim.requests() == []
    assert len(backups_of(sim)) == 2


def test_delete_single_backup(sim, mod):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][0]["id"]
    args = {"vps_id": vps["id"], "backup_id": bid}
    assert ok(mod("vps_backup", args))["deleted"] == [bid]
    assert ok(mod("vps_backup", args))["changed"] is False


def test_delete_backup_of_unknown_vps_fails(sim, mod):
    out = mod("vps_backup", {"vps_id": UNKNOWN_VPS, "backup_id": "bkp_0000000000000000000000zzzz"})
    assert out.get("failed") is True and "HTTP 404" in out["msg"]
    assert [m for m, dummy in calls(sim)] == ["GET"], "the list tells an unknown VPS from a backup gone"


def test_backup_options_are_checked_before_any_request(sim, mod):
    vid = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
    both = mod("vps_backup", {"vps_id": vid, "backup_id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3",
                              "backup_ids": ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"]})
    assert both.get("failed") is True and "mutually exclusive" in both["msg"]
    ids = ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3", "bkp_x/../y"]
    bad = mod("vps_backup", {"vps_id": vid, "backup_ids": ids})
    assert bad.get("failed") is True and bad["msg"].startswith("backup_ids 'bkp_x/../y' is not a valid ID")
    assert sim.requests() == []


def test_a_backup_the_api_refuses_is_kept_the_others_deleted_and_the_module_fails_naming_it(sim, mod):
    vps = seed_vps(sim, backups={"count": 4}, active_jobs=[{"jobType": "restore", "duration": 3600}])
    ids = [b["id"] for b in vps["backups"]]
    used = vps["active_jobs"][0]["backupId"]
    args = {"vps_id": vps["id"], "backup_ids": ids}

    # Check mode cannot see the refusal coming (documented): it predicts all four.
    check = ok(mod("vps_backup", args, check=True))
    assert check["changed"] is True and check["deleted"] == ids and check["refused"] == []

    out = mod("vps_backup", args)
    assert out.get("failed") is True
    assert out["changed"] is True and out["deleted"] == [b for b in ids if b != used]
    assert [r["id"] for r in out["refused"]] == [used] and out["errors"] == []
    assert "HTTP 409" in out["refused"][0]["reason"] and "being restored" in out["refused"][0]["reason"]
    assert out["msg"].startswith("could not delete 1 of 4 backups of %s: %s: " % (vps["id"], used))
    assert out["problem"]["status"] == 409 and out["problem"]["code"] == "conflict"
    assert backups_of(sim) == [used]
    deletes = [r for r in sim.requests("hostup") if r["method"] == "DELETE"]
    assert len(deletes) == 4 and [r["acted"] for r in deletes].count(True) == 3, "the refusal is not sent again"


def test_a_deletion_that_keeps_failing_is_reported_and_the_others_still_deleted(sim, mod):
    vps = seed_vps(sim, backups={"count": 3})
    ids = [b["id"] for b in vps["backups"]]
    sim.fault(api="hostup", method="DELETE", path=ids[1], kind="status", status=500, times=-1)
    out = mod("vps_backup", {"vps_id": vps["id"], "backup_ids": ids})
    assert out.get("failed") is True
    assert out["changed"] is True and out["deleted"] == [ids[0], ids[2]]
    assert [f["id"] for f in out["errors"]] == [ids[1]] and "HTTP 500" in out["errors"][0]["reason"]
    assert out["msg"].startswith("could not delete 1 of 3 backups of %s: %s:" % (vps["id"], ids[1]))
    assert "HTTP 500" in out["msg"] and out["problem"]["status"] == 500
    assert backups_of(sim) == [ids[1]]
    # Each attempt on the failing backup is followed by a read of the list before the next (retries: 2).
    failing = [(m, f) for m, f, dummy in in_arrival_order(sim) if m == "GET" or f == "status"]
    assert failing[0] == ("GET", None) and failing[1:].count(("DELETE", "status")) == 3


@pytest.mark.parametrize("fault", LOST_AFTER, ids=[f["kind"] for f in LOST_AFTER])
def test_a_deletion_whose_answer_was_lost_is_settled_by_one_read(sim, mod, fault):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    sim.fault(api="hostup", method="DELETE", times=1, **fault)
    out = ok(mod("vps_backup", {"vps_id": vps["id"], "backup_id": bid}))
    assert out["changed"] is True and out["deleted"] == [bid]
    assert len(lost_warnings(out)) == 1, out.get("warnings")
    assert in_arrival_order(sim) == [("GET", None, False), ("DELETE", fault["kind"], True), ("GET", None, False)]
    assert backups_of(sim) == [vps["backups"][0]["id"]]


@pytest.mark.parametrize("fault", OTHER_2XX, ids=["204-empty", "202-body", "200-other"])
def test_a_deletion_answered_with_an_undocumented_2xx_is_settled_by_one_read(sim, mod, fault):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    if fault["status"] == 204:
        fault = {"kind": "restatus", "status": 200}  # 204 is the documented answer here: a 200 with its (empty) body
    sim.fault(api="hostup", method="DELETE", when="after", times=1, **fault)
    out = ok(mod("vps_backup", {"vps_id": vps["id"], "backup_id": bid}))
    assert out["changed"] is True and out["deleted"] == [bid]
    assert len(lost_warnings(out)) == 1 and "HTTP %d" % fault["status"] in lost_warnings(out)[0], out
    assert in_arrival_order(sim) == [("GET", None, False), ("DELETE", fault["kind"], True), ("GET", None, False)]
    seq = last_seq(sim)
    again = ok(mod("vps_backup", {"vps_id": vps["id"], "backup_id": bid}))
    assert again["changed"] is False and again["deleted"] == []
    assert calls(sim, seq) == [("GET", "/vps/%s/backups" % vps["id"])]


def test_a_2xx_deletion_that_deleted_nothing_is_never_reported_as_a_change(sim, mod):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    sim.fault(api="hostup", method="DELETE", kind="restatus", status=202, times=-1)
    out = mod("vps_backup", {"vps_id": vps["id"], "backup_id": bid})
    assert out.get("failed") is True and out["changed"] is False and out["deleted"] == [], out
    assert "(HTTP 202) is not the documented 204" in out["msg"]
    assert len(backups_of(sim)) == 2


def test_two_concurrent_deletions_of_one_backup_one_changed_neither_fails(sim, mod):
    vps = seed_vps(sim, backups={"count": 2})
    bid = vps["backups"][1]["id"]
    sim.fault(api="hostup", method="DELETE", kind="slow", delay=3, times=2)
    args = {"vps_id": vps["id"], "backup_id": bid}
    outs = concurrently(lambda: mod("vps_backup", args), lambda: mod("vps_backup", args), timeout=120)
    assert [bool(o.get("failed")) for o in outs] == [False, False], outs
    outs = sorted(outs, key=lambda o: o["changed"])
    assert [o["changed"] for o in outs] == [False, True]
    assert outs[0]["deleted"] == [] and outs[1]["deleted"] == [bid]
    assert [r["acted"] for r in sim.requests("hostup") if r["method"] == "DELETE"].count(True) == 1


def test_backup_info(sim, mod):
    vps = seed_vps(sim, backups={"count": 3}, quota_limit=10)
    out = ok(mod("vps_backup_info", {"vps_id": vps["id"]}))
    assert [b["id"] for b in out["backups"]] == [b["id"] for b in vps["backups"]]
    assert out["quota"] == {"used": 3, "limit": 10, "remaining": 7}
    assert out["actions"]["canCreateBackup"] == {"allowed": True, "reason": None, "code": None}
    assert out["changed"] is False
    assert len(sim.requests("hostup")) == 1


def test_unexpected_shape_fails_without_traceback(sim, mod):
    vps = seed_vps(sim, backups={"count": 1})
    sim.fault(api="hostup", kind="wrong_shape", times=1)
    out = mod("vps_backup_info", {"vps_id": vps["id"]})
    assert out.get("failed") is True
    assert "unexpected shape" in out["msg"] and "Traceback" not in str(out)


# -- vps_backup_retention: its policy is checked before any request ------------------------------

RISKY_POLICIES = [
    ({"older_than_days": 0}, "older_than_days must be at least 1 (day), got 0.0"),
    ({"older_than_days": 0.5, "keep_last": 2}, "older_than_days must be at least 1 (day), got 0.5"),
    ({"older_than_days": -3}, "older_than_days must be at least 1 (day), got -3.0"),
    ({"older_than_days": "nan"}, "older_than_days must be a finite number"),
    ({"older_than_days": "inf"}, "older_than_days must be a finite number"),
    ({"older_than_days": 1e300}, "older_than_days must be at most 36500"),
    ({"keep_last": 0}, "keep_last must be at least 1"),
    ({}, "one of the following is required: keep_last, older_than_days"),
]


@pytest.mark.parametrize("policy,words", RISKY_POLICIES, ids=[json.dumps(p) for p, dummy in RISKY_POLICIES])
def test_a_retention_policy_that_could_delete_too_much_fails_before_any_request(sim, mod, policy, words):
    vid = seed_vps(sim, backups={"count": 3})["id"]
    out = mod("vps_backup_retention", dict(policy, vps_ids=[vid]))
    assert out.get("failed") is True and words in out["msg"], (policy, out["msg"])
    assert sim.requests() == []
    assert len(backups_of(sim)) == 3
