"""Cloud Foundry modules against the simulator, run in this process (tests/runner.py).

Each scenario goes check mode -> real run -> idempotent re-run -> errors -> faults, and counts the
requests each step sent from the simulator's request log. Each ``run`` is one task's worth: its own
login, as a task run by ansible-playbook has. The simulator's clock is the modules' clock (a
Retry-After or a backoff moves simulated time on: ``sim.clock.slept`` lists them).

Only what is Ansible's own runs through ansible-playbook: what it prints at -vvv when credentials
come from the environment and from ``lookup()`` templating in task arguments
(``test_secrets_never_appear_at_verbosity_3``).
"""

import json
import threading
import time

import pytest

from harness import concurrently

UNKNOWN = "0a0a0a0a-0000-4000-8000-000000000000"
LOGIN = [("GET", "/"), ("POST", "/login/oauth/token")]


@pytest.fixture
def cf(sim):
    return {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": "admin",
                                                "password": "admin-secret", "retries": 2}}


@pytest.fixture
def cancel(run, cf):
    """One cf_task run: cancel(check=, diff=, defaults=, env=, verbosity=, **module args); cf's defaults unless given."""

    def call(check=False, diff=False, defaults=None, env=None, verbosity=0, **args):
        return run("cf_task", args, check=check, diff=diff, defaults=cf if defaults is None else defaults, env=env,
                   verbosity=verbosity)

    return call


@pytest.fixture
def info(run, cf):
    """One cf_task_info run, as ``cancel``."""

    def call(check=False, diff=False, defaults=None, env=None, verbosity=0, **args):
        return run("cf_task_info", args, check=check, diff=diff, defaults=cf if defaults is None else defaults,
                   env=env, verbosity=verbosity)

    return call


def seed_app(sim, *tasks, **app):
    app.setdefault("name", "web")
    return sim.seed(cloudfoundry={"apps": [dict(app, tasks=list(tasks))]})["cloudfoundry"]["apps"][0]


def calls(sim, since=0):
    return [(r["method"], r["path"][len("/cf"):]) for r in sim.requests("cloudfoundry", since=since)]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def task_states(sim):
    return {t["guid"]: t["state"] for t in sim.state("cloudfoundry")["tasks"]}


def cancels_received(sim, guid):
    return [e["state"] for e in sim.state("cloudfoundry")["events"] if e["event"] == "cancel_received" and e["guid"] == guid]


def cancel_posts(sim, since=0):
    return [p for m, p in calls(sim, since) if m == "POST" and p.endswith("/actions/cancel")]


def place_names(sim, app_guid):
    """(app name, space name, org name) of an app, as the simulator holds them."""
    state = sim.state("cloudfoundry")
    app = next(a for a in state["apps"] if a["guid"] == app_guid)
    space = next(s for s in state["spaces"] if s["guid"] == app["space_guid"])
    org = next(o for o in state["orgs"] if o["guid"] == space["organization_guid"])
    return app["name"], space["name"], org["name"]


def warnings_of(result):
    return result.get("warnings") or []


def succeeded(out):
    """What a play's rc == 0 said of a one-task play: the task did not fail."""
    return not out.get("failed")


# -- cf_task ------------------------------------------------------------------------------------

def test_cancel_running_tasks_by_app_and_name_check_real_rerun(sim, cancel):
    app = seed_app(sim, {"name": "migrate", "state": "RUNNING"}, {"name": "migrate", "state": "PENDING"},
                   {"name": "migrate", "state": "SUCCEEDED"}, {"name": "report", "state": "RUNNING"})
    migrate = [t["guid"] for t in app["tasks"][:2]]
    task = dict(app_guid=app["guid"], name="migrate")
    listing = ("GET", "/v3/apps/%s/tasks" % app["guid"])

    out = cancel(check=True, **task)
    assert succeeded(out), out
    assert out["changed"] is True and out["canceled"] == migrate and out["not_canceled"] == []
    # As a real run would leave them: the cancel's answer shows a task CANCELING.
    assert [(t["guid"], t["state"]) for t in out["tasks"]] == [(migrate[0], "CANCELING"), (migrate[1], "CANCELING")]
    assert out["msg"] == "would cancel 2 of 2 tasks (migrate %s, migrate %s)" % tuple(migrate)
    assert calls(sim) == LOGIN + [listing], "check mode reads only"
    assert sim.requests("cloudfoundry")[-1]["query"] == {
        "names": ["migrate"], "states": ["PENDING,RUNNING,CANCELING"], "per_page": ["5000"]}
    assert set(task_states(sim).values()) == {"RUNNING", "PENDING", "SUCCEEDED"}

    seq = last_seq(sim)
    real = cancel(**task)
    assert real["changed"] is True and real["canceled"] == migrate and warnings_of(real) == []
    assert [t["state"] for t in real["tasks"]] == ["CANCELING", "CANCELING"]
    assert calls(sim, seq) == LOGIN + [listing] + [("POST", "/v3/tasks/%s/actions/cancel" % g) for g in migrate]
    states = task_states(sim)
    assert [states[t["guid"]] for t in app["tasks"]] == ["CANCELING", "CANCELING", "SUCCEEDED", "RUNNING"]

    seq = last_seq(sim)
    again = cancel(**task)
    check_again = cancel(check=True, **task)
    assert again["changed"] is False and again["canceled"] == []
    assert [t["state"] for t in again["tasks"]] == ["CANCELING", "CANCELING"], "already stopping: left alone, shown"
    assert calls(sim, seq) == (LOGIN + [listing]) * 2
    assert check_again["changed"] is False

    sim.advance(30)  # the cancels are processed: FAILED tasks are no longer selected by name
    done = cancel(**task)
    assert done["changed"] is False and done["tasks"] == []


def test_task_names_are_matched_as_the_api_matches_them(sim, cancel, info):
    # Issue 12: Cloud Controller matches names case-insensitively; the module keeps what it returns.
    app = seed_app(sim, {"name": "DB-Migrate"}, {"name": "db-migrate", "state": "PENDING"}, {"name": "db-migrate-2"})
    out = cancel(app_guid=app["guid"], name="db-MIGRATE")
    assert out["canceled"] == [t["guid"] for t in app["tasks"][:2]]
    assert [t["name"] for t in out["tasks"]] == ["DB-Migrate", "db-migrate"]
    assert list(task_states(sim).values()) == ["CANCELING", "CANCELING", "RUNNING"]
    listed = info(names=["DB-MIGRATE"])
    assert [t["name"] for t in listed["tasks"]] == ["DB-Migrate", "db-migrate"]


def test_cancel_by_guid_sends_one_get_and_one_post(sim, cancel):
    guid = seed_app(sim, {"name": "long"})["tasks"][0]["guid"]

    check = cancel(check=True, diff=True, guid=guid)
    assert check["changed"] is True and check["canceled"] == [guid] and check["tasks"][0]["state"] == "CANCELING"
    assert check["not_canceled"] == [] and check["msg"] == "would cancel 1 of 1 task (long %s)" % guid
    assert check["diff"] == {"before": {"tasks": [{"guid": guid, "name": "long", "state": "RUNNING"}]},
                             "after": {"tasks": [{"guid": guid, "name": "long", "state": "CANCELING"}]}}
    assert calls(sim) == LOGIN + [("GET", "/v3/tasks/%s" % guid)]

    seq = last_seq(sim)
    real = cancel(diff=True, guid=guid)
    assert real["changed"] is True and real["tasks"][0]["state"] == "CANCELING"
    assert real["canceled"] == [guid] and real["not_canceled"] == [] and real["msg"] == "canceled 1 of 1 task (long %s)" % guid
    assert real["diff"]["after"] == {"tasks": [{"guid": guid, "name": "long", "state": "CANCELING"}]}
    assert calls(sim, seq) == LOGIN + [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]

    seq = last_seq(sim)
    again = cancel(guid=guid)
    assert again["changed"] is False and again["tasks"][0]["state"] == "CANCELING"
    assert again["canceled"] == [] and again["not_canceled"] == [] and again["msg"] == "canceled 0 of 1 task; 1 already CANCELING"
    assert calls(sim, seq) == LOGIN + [("GET", "/v3/tasks/%s" % guid)]


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "CANCELING"])
def test_a_task_that_is_stopping_or_finished_is_left_alone(sim, cancel, state):
    guid = seed_app(sim, {"name": "t", "state": state})["tasks"][0]["guid"]
    out = cancel(guid=guid)
    assert out["changed"] is False and out["canceled"] == []
    assert out["tasks"][0]["state"] == state and out["tasks"][0]["guid"] == guid
    assert [m for m, p in calls(sim)].count("POST") == 1, "the token request only"


def test_task_that_finishes_between_read_and_cancel_is_unchanged(sim, cancel):
    guid = seed_app(sim, {"name": "racy", "succeed_after_reads": 1})["tasks"][0]["guid"]
    out = cancel(guid=guid)
    assert succeeded(out), out
    assert out["changed"] is False and out["canceled"] == [] and out["tasks"][0]["state"] == "SUCCEEDED"
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [200, 422, 200]
    assert warnings_of(out) == []


def test_a_task_someone_else_cancelled_first_is_unchanged(sim, cancel):
    """Read RUNNING; another client's cancel is processed before ours is handled: 422, one read, unchanged."""
    import requests
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 0}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    token = requests.post(sim.url + "/cf/login/oauth/token", auth=("cf", ""), timeout=5, data={
        "grant_type": "password", "username": "admin", "password": "admin-secret"}).json()["access_token"]
    # Our cancel is held before it is handled; the other client cancels meanwhile.
    rule = sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="slow", delay=2, times=1)

    def other_client():
        for dummy in range(600):
            if next(r for r in sim._call("GET", "/faults")["faults"] if r["id"] == rule["id"])["hits"]:
                break
            time.sleep(0.05)
        requests.post(sim.url + "/cf/v3/tasks/%s/actions/cancel" % guid, timeout=5,
                      headers={"Authorization": "bearer " + token})

    other = threading.Thread(target=other_client)
    other.start()
    out = cancel(guid=guid)
    other.join(60)
    assert not other.is_alive(), "the other client never sent its cancel"
    assert succeeded(out), out
    assert out["changed"] is False and out["canceled"] == [] and warnings_of(out) == []
    assert out["tasks"][0]["state"] == "FAILED" and out["tasks"][0]["result"]["failure_reason"] == "task was cancelled"
    ours = [r for r in sim.requests("cloudfoundry") if r["method"] == "POST" and r["fault"] == "slow"]
    assert [r["status"] for r in ours] == [422]
    assert cancels_received(sim, guid) == ["RUNNING"], "only the other client's cancel was accepted"


def test_unknown_guid_fails_with_resource_not_found(sim, cancel):
    out = cancel(guid=UNKNOWN)
    assert out.get("failed")
    request_id = sim.requests("cloudfoundry")[-1]["response_headers"]["X-Vcap-Request-Id"]
    assert out["msg"] == ("Cloud Foundry API GET /cf/v3/tasks/%s failed: HTTP 404 CF-ResourceNotFound: Task not found "
                          "[code 10010, request ID %s]" % (UNKNOWN, request_id))
    assert out["problem"]["title"] == "CF-ResourceNotFound" and out["problem"]["code"] == "10010"
    assert out["changed"] is False


def test_expired_token_mid_run_is_renewed_without_failing(sim, cancel):
    guid = seed_app(sim, {"name": "long"})["tasks"][0]["guid"]
    sim.seed(cloudfoundry={"settings": {"token_uses": 1}})  # each token is good for one API request
    out = cancel(guid=guid)
    assert succeeded(out), out
    assert out["changed"] is True and out["tasks"][0]["state"] == "CANCELING"
    assert calls(sim) == LOGIN + [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid),
                                  ("POST", "/login/oauth/token"), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [401, 200, 202]


def test_cancel_and_wait_until_failed(sim, cancel):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 1}})
    app = seed_app(sim, {"name": "a"}, {"name": "b", "state": "CANCELING"}, {"name": "c", "state": "SUCCEEDED"})
    guids = [t["guid"] for t in app["tasks"]]
    out = cancel(guids=guids, wait=True, wait_sleep=0.3, wait_timeout=30)
    assert succeeded(out), out
    assert out["changed"] is True and out["canceled"] == [guids[0]]
    assert [t["state"] for t in out["tasks"]] == ["FAILED", "FAILED", "SUCCEEDED"]
    assert out["tasks"][0]["result"]["failure_reason"] == "task was cancelled"
    polled = [p for m, p in calls(sim) if m == "GET" and p.startswith("/v3/tasks/")]
    assert ("/v3/tasks/%s" % guids[2]) not in polled[3:], "a finished task is not polled"
    assert len(polled) > 3


def test_wait_timeout_fails_and_still_says_what_was_cancelled(sim, cancel):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 3600}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    out = cancel(guid=guid, wait=True, wait_sleep=0.2, wait_timeout=1)
    assert out.get("failed")
    assert out["msg"] == "timed out after 1 seconds waiting for task %s to reach FAILED or SUCCEEDED" % guid
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "CANCELING"


def test_select_by_sequence_id(sim, cancel):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    out = cancel(app_guid=app["guid"], sequence_id=2)
    assert out["canceled"] == [app["tasks"][1]["guid"]]
    assert sim.requests("cloudfoundry")[2]["query"]["sequence_ids"] == ["2"]
    assert list(task_states(sim).values()) == ["RUNNING", "CANCELING"]
    missing = cancel(app_guid=app["guid"], sequence_id=9)
    assert missing.get("failed")
    assert missing["msg"] == "app %s has no task with sequence_id 9; nothing was changed" % app["guid"]


def test_unknown_app_fails(sim, cancel):
    out = cancel(app_guid=UNKNOWN, name="x")
    assert out.get("failed")
    assert "HTTP 404 CF-ResourceNotFound: App not found" in out["msg"]


def test_guids_list_reads_every_task_before_cancelling_any(sim, cancel):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    out = cancel(guids=guids + [UNKNOWN])
    assert out.get("failed") and "CF-ResourceNotFound" in out["msg"]
    assert [m for m, p in calls(sim)].count("POST") == 1, "the token request only: no cancel was sent"
    assert set(task_states(sim).values()) == {"RUNNING"}

    seq = last_seq(sim)
    empty = cancel(guids=[])
    assert empty["changed"] is False and empty["tasks"] == [] and calls(sim, seq) == []

    twice = cancel(guids=[guids[0], guids[0]])
    assert twice["canceled"] == [guids[0]] and len(twice["tasks"]) == 1


def test_a_refused_cancel_is_reported_after_trying_the_others(sim, cancel):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    sim.fault(api="cloudfoundry", method="POST", path=guids[0] + "/actions/cancel", kind="status", status=403, times=1)
    out = cancel(guids=guids)
    assert out.get("failed")
    assert out["msg"].startswith("could not cancel 1 of 2 tasks: %s: Cloud Foundry API POST" % guids[0])
    assert "HTTP 403 CF-NotAuthorized" in out["msg"] and out["problem"]["code"] == "10003"
    assert out["changed"] is True and out["canceled"] == [guids[1]]
    assert [t["state"] for t in out["tasks"]] == ["RUNNING", "CANCELING"]
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % g for g in guids], "a refusal is not resent"


def test_a_listed_task_whose_guid_would_leave_its_path_is_left_alone_and_reported(sim, cancel):
    # Issue 11: IDs from the API are checked like IDs from the user before they build a path.
    app = seed_app(sim, {"name": "x", "guid": ".."}, {"name": "x"})
    good = app["tasks"][1]["guid"]
    out = cancel(app_guid=app["guid"], name="x")
    assert out.get("failed")
    assert out["msg"] == ("could not cancel 1 of 2 tasks: ..: not cancelled: the task GUID '..' is not a valid ID: it "
                          "must not be empty, be '.', or hold '/', '?', '#', '%', '\\', whitespace or '..'")
    assert out["changed"] is True and out["canceled"] == [good]
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % good], "nothing was sent for the bad GUID"
    assert task_states(sim) == {"..": "RUNNING", good: "CANCELING"}


def test_a_cancel_that_keeps_failing_is_resent_within_retries_then_reported(sim, cancel):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    sim.fault(api="cloudfoundry", method="POST", path=guids[0] + "/actions/cancel", kind="status", status=500, times=-1)
    out = cancel(guids=guids)
    assert "could not cancel 1 of 2 tasks" in out["msg"] and "HTTP 500 CF-ServerError" in out["msg"]
    assert out["changed"] is True and out["canceled"] == [guids[1]]
    first = "/v3/tasks/%s" % guids[0]
    # Each lost answer settled by one read before the next send: 3 sends with retries=2.
    assert [(m, p) for m, p in calls(sim) if p.startswith(first)] == [
        ("GET", first), ("POST", first + "/actions/cancel"), ("GET", first)] + [
        ("POST", first + "/actions/cancel"), ("GET", first)] * 2


def test_a_lost_cancel_answer_is_settled_by_one_read_and_reported_with_a_warning(sim, cancel):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 0}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=502, when="after", times=1)
    out = cancel(guid=guid)
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "FAILED"
    assert any("the answer to a request was lost" in w for w in warnings_of(out)), out
    log = [(r["method"], r["status"], r["handled_status"]) for r in sim.requests("cloudfoundry")][-3:]
    assert log == [("GET", 200, 200), ("POST", 502, 202), ("GET", 200, 200)], "handled once, settled by one read"
    assert cancels_received(sim, guid) == ["RUNNING"]


@pytest.mark.parametrize("fault", [{"kind": "empty", "status": 204}, {"kind": "restatus", "status": 201},
                                   {"kind": "wrong_shape", "status": 202}], ids=["204-empty", "201-task", "202-other"])
def test_a_cancel_answered_with_an_undocumented_2xx_is_settled_by_one_read(sim, cancel, fault):
    """Issue 21: the cancel acted and answered a 2xx Cloud Controller does not document (docs/outcomes.md,
    "Per API"): one read of the task settles it, the run is a change, and the rerun leaves the task alone."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", when="after", times=1, **fault)
    out = cancel(guid=guid)
    assert succeeded(out), out
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "CANCELING"
    assert any("the answer to a request was lost" in w and "HTTP %d" % fault["status"] in w
               for w in warnings_of(out)), out
    log = [(r["method"], r["status"], r["handled_status"]) for r in sim.requests("cloudfoundry")][-3:]
    assert log == [("GET", 200, 200), ("POST", fault["status"], 202), ("GET", 200, 200)], "one read, no resend"
    seq = last_seq(sim)
    again = cancel(guid=guid)
    assert succeeded(again) and again["changed"] is False and again["canceled"] == []
    assert cancel_posts(sim, seq) == []


def test_a_2xx_that_did_not_cancel_is_never_reported_as_a_change(sim, cancel):
    """A 204 after which the read shows the task still RUNNING: sent again (the lost-answer rule); when
    every answer is such a 204 the run fails unchanged, naming the answer."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="empty", status=204, times=-1)
    out = cancel(guid=guid)
    assert out.get("failed") is True and out["changed"] is False and out["canceled"] == [], out
    assert "(HTTP 204) is not the documented 200 or 202" in out["msg"]
    assert task_states(sim)[guid] == "RUNNING" and cancels_received(sim, guid) == []
    assert len(cancel_posts(sim)) == 3, "retries=2: three cancels, each settled by a read first"


def test_read_only_user_is_refused_with_the_apis_words(sim, cancel, cf):
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    cf["group/jobctl.cloud.cloudfoundry"].update(username="auditor", password="auditor-secret")
    out = cancel(guid=guid)
    assert "HTTP 403 CF-NotAuthorized" in out["msg"] and out["problem"]["code"] == "10003"
    assert out["changed"] is False


def test_rate_limited_twice_still_succeeds(sim, cancel):
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="rate_limit", retry_after=1, times=2)
    out = cancel(guid=guid)
    assert out["changed"] is True and warnings_of(out) == []
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [429, 429, 202]
    assert sim.clock.slept == [1, 1], "each Retry-After waited out"


def test_an_hour_long_rate_limit_fails_at_once_saying_when_it_resets(sim, cancel, cf):
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer"}],
                           "settings": {"rate_limit_general": 1}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    cf["group/jobctl.cloud.cloudfoundry"].update(username="dev", password="dev-pw")
    out = cancel(guid=guid)
    # The module's clock is the simulator's: an hour-long sleep would cost no real time, so it is
    # the sleeps the module asked for that must stay short.
    assert sum(sim.clock.slept) < 30, ("no hour-long sleep", sim.clock.slept)
    assert out.get("failed") and out["changed"] is False
    assert "rate limited: the API allows no more requests until " in out["msg"]
    assert "HTTP 429 CF-RateLimitExceeded" in out["msg"] and out["problem"]["code"] == "10013"
    assert [r["status"] for r in sim.requests("cloudfoundry")][-2:] == [200, 429], "one refusal, no retry"
    assert task_states(sim)[guid] == "RUNNING"


# -- two runs racing for one task ------------------------------------------------------------------

def test_a_second_run_that_reads_after_the_first_cancel_was_handled_leaves_the_task(sim, cancel):
    """The race the API lets us decide: the first cancel is handled (CANCELING) and answered late; the
    second run reads CANCELING and leaves the task alone."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="slow", delay=4, when="after", times=1)

    def second():
        """Once the first run's cancel is handled (its answer still held back): None if it never is."""
        deadline = time.monotonic() + 30
        while task_states(sim)[guid] != "CANCELING":
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        return cancel(guid=guid)

    one, two = concurrently(lambda: cancel(guid=guid), second, timeout=120)
    assert two is not None, "the first run's cancel was never handled"
    assert succeeded(one) and succeeded(two), (one, two)
    assert (one["changed"], two["changed"]) == (True, False), "exactly one run reports the change"
    assert one["canceled"] == [guid] and two["canceled"] == []
    assert two["tasks"][0]["state"] == "CANCELING"
    assert len(cancel_posts(sim)) == 1 and cancels_received(sim, guid) == ["RUNNING"]
    # The second run was over before the first one's answer arrived: the race this test is about.
    post = next(r for r in sim.requests("cloudfoundry") if r["method"] == "POST" and r["fault"] == "slow")
    second_read = [r for r in sim.requests("cloudfoundry") if r["method"] == "GET" and r["path"].endswith(guid)][-1]
    assert second_read["seq"] < post["seq"], "the second run read the task while the first one's answer was held"


def test_two_runs_whose_cancels_both_reach_the_api_while_running_both_report_changed(sim, cancel):
    """The race the API does not let us decide (documented in cf_task's notes): both runs read RUNNING,
    both cancels are accepted with the same 202, and nothing in the answer tells the second apart."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    # Both cancels are held before they are handled, so both runs read the task RUNNING first.
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="slow", delay=6, when="before", times=2)
    outs = concurrently(lambda: cancel(guid=guid), lambda: cancel(guid=guid), timeout=120)
    assert [succeeded(o) for o in outs] == [True, True], outs
    reads = [r for r in sim.requests("cloudfoundry") if r["method"] == "GET" and r["path"].endswith(guid)]
    assert len(reads) == 2 and all(r["status"] == 200 for r in reads)
    assert cancels_received(sim, guid) == ["RUNNING", "CANCELING"], "both cancels reached Cloud Controller"
    assert [o["changed"] for o in outs] == [True, True]
    assert [o["tasks"][0]["state"] for o in outs] == ["CANCELING", "CANCELING"]
    assert len([e for e in sim.state("cloudfoundry")["events"] if e["event"] == "task_cancel_requested"]) == 1


# -- by name, as the cf CLI names things -------------------------------------------------------------

ORG_A, ORG_B = "0000000a-0000-4000-8000-00000000000a", "0000000b-0000-4000-8000-00000000000b"
PROD_A, STAGING_A, PROD_B = ("aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002",
                             "bbbbbbbb-0000-4000-8000-000000000001")


@pytest.fixture
def foundation(sim):
    """Org acme (spaces production, staging) and org beta (space production); billing-api in acme's
    production and staging, search-worker in beta's production."""
    apps = sim.seed(cloudfoundry={"apps": [
        {"name": "billing-api", "space_guid": PROD_A, "space_name": "production", "organization_guid": ORG_A,
         "organization_name": "acme", "tasks": [{"name": "db-migrate"}, {"name": "db-migrate"}, {"name": "report"}]},
        {"name": "billing-api", "space_guid": STAGING_A, "space_name": "staging", "organization_guid": ORG_A,
         "tasks": [{"name": "db-migrate"}]},
        {"name": "search-worker", "space_guid": PROD_B, "space_name": "production", "organization_guid": ORG_B,
         "organization_name": "beta", "tasks": [{"name": "reindex"}]},
    ]})["cloudfoundry"]["apps"]
    return dict((a["space_guid"] if a["name"] == "billing-api" else a["name"], a) for a in apps)


def lookups(sim, since=0):
    return [(r["path"][len("/cf"):], r["query"]) for r in sim.requests("cloudfoundry", since=since)
            if r["path"] in ("/cf/v3/organizations", "/cf/v3/spaces", "/cf/v3/apps")]


def test_terminate_task_by_org_space_app_and_sequence_id_check_real_rerun(sim, cancel, foundation):
    app = foundation[PROD_A]
    second = app["tasks"][1]["guid"]
    task = dict(org="ACME", space="Production", app="billing-api", sequence_id=2)

    check = cancel(check=True, **task)
    assert check["changed"] is True and check["canceled"] == [second]
    assert calls(sim) == LOGIN + [("GET", "/v3/organizations"), ("GET", "/v3/spaces"), ("GET", "/v3/apps"),
                                  ("GET", "/v3/apps/%s/tasks" % app["guid"])], "one list request per name"
    assert lookups(sim) == [
        ("/v3/organizations", {"names": ["ACME"], "per_page": ["5000"]}),
        ("/v3/spaces", {"names": ["Production"], "organization_guids": [ORG_A], "per_page": ["5000"]}),
        ("/v3/apps", {"names": ["billing-api"], "space_guids": [PROD_A], "per_page": ["5000"]})]
    assert cancel_posts(sim) == []

    seq = last_seq(sim)
    real = cancel(**task)
    assert real["changed"] is True and real["canceled"] == [second] and real["tasks"][0]["state"] == "CANCELING"
    assert calls(sim, seq) == calls(sim)[:6] + [("POST", "/v3/tasks/%s/actions/cancel" % second)], \
        "the same login and lookups as check mode, then the one cancel"
    states = task_states(sim)
    assert [states[t["guid"]] for t in app["tasks"]] == ["RUNNING", "CANCELING", "RUNNING"]
    assert states[foundation[STAGING_A]["tasks"][0]["guid"]] == "RUNNING"

    seq = last_seq(sim)
    again = cancel(**task)
    assert again["changed"] is False and again["tasks"][0]["state"] == "CANCELING"
    assert cancel_posts(sim, seq) == []
    sent = calls(sim, seq)
    assert sent.count(("GET", "/")) == 1 and sent.count(("POST", "/login/oauth/token")) == 1, "one login per run"
    assert len(sent) == 6


def test_cancel_by_app_and_task_name_in_a_space(sim, cancel, foundation):
    app = foundation[PROD_A]
    out = cancel(space="production", org="acme", app="Billing-API", name="db-migrate")
    assert out["canceled"] == [t["guid"] for t in app["tasks"][:2]]
    assert sim.requests("cloudfoundry")[-3]["query"] == {"names": ["db-migrate"], "states": ["PENDING,RUNNING,CANCELING"],
                                                         "per_page": ["5000"]}


@pytest.mark.parametrize("args,msg,sent", [
    ({"org": "nope", "space": "production", "app": "billing-api", "sequence_id": 1},
     "org 'nope' was not found (or these credentials cannot see it); nothing was changed", 1),
    ({"org": "acme", "space": "qa", "app": "billing-api", "sequence_id": 1},
     "space 'qa' was not found in org 'acme' (or these credentials cannot see it); nothing was changed", 2),
    ({"org": "acme", "space": "production", "app": "ghost", "name": "t"},
     "app 'ghost' was not found in space 'production' in org 'acme' (or these credentials cannot see it); "
     "nothing was changed", 3),
    ({"app": "billing-api", "sequence_id": 1},
     "app 'billing-api' is in 2 spaces: 'production' (org 'acme'), 'staging' (org 'acme'). Set space (and org) to "
     "say which; nothing was changed", 1),
    ({"org": "acme", "app": "billing-api", "sequence_id": 1},
     "app 'billing-api' is in 2 spaces: 'production' (org 'acme'), 'staging' (org 'acme'). Set space (and org) to "
     "say which; nothing was changed", 2),
    ({"space": "production", "app": "search-worker", "name": "reindex"},
     "space 'production' is in 2 orgs: 'acme', 'beta'. Set org to say which; nothing was changed", 1),
])
def test_names_that_do_not_decide_fail_before_any_cancel(sim, cancel, foundation, args, msg, sent):
    out = cancel(**args)
    assert out.get("failed") and out["msg"] == msg
    assert out["changed"] is False
    assert len(lookups(sim)) == sent, "one list request per name, up to the one that failed"
    assert cancel_posts(sim) == [] and not any(p.endswith("/tasks") for m, p in calls(sim))
    assert set(task_states(sim).values()) == {"RUNNING"}


def test_the_same_lookups_as_the_info_module(sim, info, foundation):
    space = info(org="acme", space="production")
    org = info(org="beta")
    app = info(org="acme", space="staging", app="billing-api", order_by="-created_at")
    ambiguous = info(app="billing-api", names=["db-migrate"])
    assert [t["guid"] for t in space["tasks"]] == [t["guid"] for t in foundation[PROD_A]["tasks"]]
    assert [t["name"] for t in org["tasks"]] == ["reindex"]
    assert [t["guid"] for t in app["tasks"]] == [foundation[STAGING_A]["tasks"][0]["guid"]]
    assert ambiguous.get("failed") and "app 'billing-api' is in 2 spaces" in ambiguous["msg"]
    listings = [(r["path"][len("/cf"):], r["query"]) for r in sim.requests("cloudfoundry") if r["path"].endswith("tasks")]
    assert listings == [
        ("/v3/tasks", {"space_guids": [PROD_A], "per_page": ["5000"]}),
        ("/v3/tasks", {"organization_guids": [ORG_B], "per_page": ["5000"]}),
        ("/v3/apps/%s/tasks" % foundation[STAGING_A]["guid"], {"order_by": ["-created_at"], "per_page": ["5000"]})]


def test_a_hostile_token_link_fails_before_the_password_is_sent(sim, info, capfd):
    host = sim.url.split("://", 1)[1]
    sim.seed(cloudfoundry={"settings": {"login_href": "http://collector:S3cretPW@%s/cf/login" % host}})
    out = info(guid=UNKNOWN, verbosity=3)
    assert out.get("failed")
    assert "links.login must not carry user info" in out["msg"] and "No credential was sent" in out["msg"]
    assert calls(sim) == [("GET", "/")]
    # The result is all a task's run sends back to Ansible; what the module wrote besides, it would show too.
    printed = capfd.readouterr()
    for text in (printed.out, printed.err, json.dumps(out)):
        assert "S3cretPW" not in text and "admin-secret" not in text


BAD_INPUT = [
    ({"guid": "a/../b"}, "guid 'a/../b' is not a valid ID"),
    ({"guid": "abc?x=1"}, "guid 'abc?x=1' is not a valid ID"),
    ({"guids": ["ok", "x#y"]}, "guids 'x#y' is not a valid ID"),
    ({"app_guid": "a/b", "name": "x"}, "app_guid 'a/b' is not a valid ID"),
    ({"app_guid": UNKNOWN}, "app_guid needs name, sequence_id, names, states, label_selector or older_than_minutes"),
    ({"app": "web"}, "app needs name, sequence_id, names, states, label_selector or older_than_minutes"),
    ({"space": "prod", "org": "acme"}, "space needs name, sequence_id, names, states"),
    ({"states": ["RUNNING"]}, "states alone could select every task these credentials can see: narrow it with org"),
    ({"older_than_minutes": 5, "states": ["RUNNING"]}, "states and older_than_minutes alone could select every task"),
    ({"space": "prod", "older_than_minutes": -1}, "older_than_minutes must not be negative (got -1)"),
    ({"space": "prod", "name": "x"}, "name selects among an app's tasks: set app or app_guid too"),
    ({"app": "web", "name": "x", "names": ["y"]}, "parameters are mutually exclusive: name|names"),
    ({"app": "web", "names": ["a,b"]}, "names 'a,b' holds a comma"),
    ({"guid": UNKNOWN, "name": "x"}, "name selects among an app's tasks: set app or app_guid too"),
    ({"guid": UNKNOWN, "sequence_id": 1}, "sequence_id selects among an app's tasks: set app or app_guid too"),
    ({"app_guid": UNKNOWN, "name": "a,b"}, "name 'a,b' holds a comma"),
    ({"app": "a,b", "name": "x"}, "app 'a,b' holds a comma"),
    ({"app": "web", "space": "prod,qa", "name": "x"}, "space 'prod,qa' holds a comma"),
    ({"app": "web", "org": "a,b", "sequence_id": 1}, "org 'a,b' holds a comma"),
    ({"app": " ", "name": "x"}, "app must not be empty"),
    ({"guid": UNKNOWN, "space": "prod"}, "parameters are mutually exclusive: guid|guids|space"),
    ({"app_guid": UNKNOWN, "org": "acme", "name": "x"}, "parameters are mutually exclusive: app_guid|org"),
    ({"guid": UNKNOWN, "guids": [UNKNOWN]}, "parameters are mutually exclusive"),
    ({"app_guid": UNKNOWN, "app": "web", "name": "x"}, "parameters are mutually exclusive: app_guid|app"),
    ({"app_guid": UNKNOWN, "name": "x", "sequence_id": 1}, "parameters are mutually exclusive"),
    ({"state": "canceled"}, "nothing says which tasks to cancel: set guid, guids, or a selection"),
    ({"guid": UNKNOWN, "api_url": "ftp://127.0.0.1/cf"}, "api_url must be an absolute http:// or https:// URL"),
]


@pytest.mark.parametrize("args,start", BAD_INPUT, ids=["bad-%d" % n for n in range(len(BAD_INPUT))])
def test_bad_input_fails_before_any_request(sim, cancel, args, start):
    out = cancel(**args)
    assert out.get("failed"), args
    assert out["msg"].startswith(start), (args, out["msg"])
    assert sim.requests() == []


def test_credentials_must_be_complete(sim, cancel):
    url = sim.url + "/cf"
    # No credentials but the task's own: no module_defaults, none in the environment.
    bare = dict(defaults={}, env={"CF_USERNAME": None, "CF_PASSWORD": None, "CF_CLIENT_ID": None,
                                  "CF_CLIENT_SECRET": None, "CF_ACCESS_TOKEN": None, "CF_API_URL": None})
    half = cancel(guid=UNKNOWN, api_url=url, username="admin", **bare)
    none = cancel(guid=UNKNOWN, api_url=url, **bare)
    assert half.get("failed") and half["msg"] == ("password is not set: username needs it. Set password (or the "
                                                  "environment variable CF_PASSWORD)")
    assert none.get("failed") and none["msg"] == (
        "no credentials were given: set access_token (or the environment variable CF_ACCESS_TOKEN) for an access "
        "token, or client_id and client_secret (or the environment variables CF_CLIENT_ID and CF_CLIENT_SECRET) for "
        "a UAA client, or username and password (or the environment variables CF_USERNAME and CF_PASSWORD) for a user")
    assert sim.requests() == []


# -- authentication variants ---------------------------------------------------------------------

def test_client_credentials_and_the_uaa_link(sim, cancel):
    sim.seed(cloudfoundry={"settings": {"login_link": False}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    defaults = {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "client_id": "jobctl-client",
                                                    "client_secret": "jobctl-client-secret"}}
    out = cancel(guid=guid, defaults=defaults)
    assert out["changed"] is True
    assert calls(sim)[1] == ("POST", "/uaa/oauth/token")
    assert sim.requests("cloudfoundry")[1]["body"]["grant_type"] == "client_credentials"


def test_access_token_sends_no_login_requests(sim, cancel):
    import requests
    token = requests.post(sim.url + "/cf/login/oauth/token", auth=("cf", ""), timeout=5, data={
        "grant_type": "password", "username": "admin", "password": "admin-secret"}).json()["access_token"]
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.clear_requests()
    # The token wins over the user in the environment: the most explicit credential is used.
    env = {"CF_API_URL": sim.url + "/cf", "CF_ACCESS_TOKEN": token, "CF_USERNAME": "admin", "CF_PASSWORD": "wrong"}
    out = cancel(guid=guid, defaults={}, env=env)
    assert out["changed"] is True
    assert calls(sim) == [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert token not in str(out)


def test_wrong_password_fails_with_uaas_words(sim, cancel, cf):
    cf["group/jobctl.cloud.cloudfoundry"]["password"] = "not-it"
    out = cancel(guid=UNKNOWN)
    assert "POST /cf/login/oauth/token failed: HTTP 401 unauthorized: Bad credentials" in out["msg"]
    assert out["problem"]["code"] == "unauthorized"


def test_api_url_that_is_not_cloud_controller_fails_readably(sim, cancel, cf):
    cf["group/jobctl.cloud.cloudfoundry"]["api_url"] = sim.url + "/console"
    out = cancel(guid=UNKNOWN)
    assert out.get("failed") and "GET /console/ failed" in out["msg"], out["msg"]
    assert "HTTP 404 from %s/console/: no such path on the Cloud Foundry API" % sim.url in out["msg"]
    assert "the Cloud Foundry API's base URL is its root" in out["msg"]


def test_api_url_of_the_v2_or_v3_root_is_refused_before_any_request(sim, cancel, cf):
    for suffix in ("/v2", "/v3/"):
        cf["group/jobctl.cloud.cloudfoundry"]["api_url"] = sim.url + "/cf" + suffix
        out = cancel(guid=UNKNOWN)
        assert out.get("failed") and out["msg"].startswith("api_url ends in %s, which the modules add" % suffix.rstrip("/"))
    assert sim.requests("cloudfoundry") == []


def play_cancel(**args):
    return [{"name": "cancel", "jobctl.cloud.cf_task": args}]


def play_info(**args):
    return [{"name": "info", "jobctl.cloud.cf_task_info": args}]


# -- cf_task_info --------------------------------------------------------------------------------

def test_info_filters_are_sent_to_the_api(sim, info):
    space = "aaaaaaaa-0000-4000-8000-000000000001"
    seed_app(sim, {"name": "a", "labels": {"team": "x"}}, {"name": "b", "state": "SUCCEEDED"}, space_guid=space)
    seed_app(sim, {"name": "a", "state": "FAILED"}, name="other")
    out = info(names=["a"], states=["RUNNING", "FAILED"], space_guids=[space], label_selector="team=x")
    assert [(t["name"], t["state"]) for t in out["tasks"]] == [("a", "RUNNING")]
    listing, apps = sim.requests("cloudfoundry")[-2:]
    assert listing["query"] == {
        "names": ["a"], "states": ["RUNNING,FAILED"], "space_guids": [space], "label_selector": ["team=x"],
        "per_page": ["5000"]}
    # The space filter is checked on each listed task: one read of the listed tasks' apps, their spaces and orgs,
    # which also names them (no further request for app_name, space_name, org_name).
    assert apps["path"] == "/cf/v3/apps" and apps["query"]["include"] == ["space.organization"]
    assert [(t["app_name"], t["space_name"], t["org_name"]) for t in out["tasks"]] == [
        place_names(sim, out["tasks"][0]["relationships"]["app"]["data"]["guid"])]
    assert apps["query"]["guids"] == [out["tasks"][0]["relationships"]["app"]["data"]["guid"]]
    everything = info(names=[], states=[])
    assert len(everything["tasks"]) == 3
    assert [r["query"] for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"][-1] == {
        "per_page": ["5000"]}, "empty lists do not filter"
    nothing = info(names=["zzz"])
    assert nothing["tasks"] == [] and nothing["changed"] is False


def test_info_order_by(sim, info):
    seed_app(sim, {"name": "old", "age_seconds": 300}, {"name": "new", "age_seconds": 10})
    newest = info(order_by="-created_at")
    default = info()
    assert [t["name"] for t in newest["tasks"]] == ["new", "old"]
    assert [t["name"] for t in default["tasks"]] == ["old", "new"]
    assert [r["query"].get("order_by") for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"] == [
        ["-created_at"], None]


def test_info_by_app_and_by_guid(sim, info):
    app = seed_app(sim, {"name": "a"}, {"name": "b", "state": "SUCCEEDED"})
    by_app = info(app_guid=app["guid"], states=["SUCCEEDED"])
    by_guid = info(guid=app["tasks"][0]["guid"], check=True)
    unknown_guid = info(guid=UNKNOWN)
    unknown_app = info(app_guid=UNKNOWN)
    assert [t["name"] for t in by_app["tasks"]] == ["b"]
    assert [t["name"] for t in by_guid["tasks"]] == ["a"]
    assert unknown_guid["tasks"] == [], "a guid that does not exist is []"
    assert unknown_guid["changed"] is False
    assert unknown_app.get("failed"), "a parent that does not exist fails"
    assert "App not found" in unknown_app["msg"]
    # Each run that found tasks names their app, space and org with one more read (the run has not seen them).
    names = ("GET", "/v3/apps")
    assert [c for c in calls(sim) if c[0] == "GET" and c[1].startswith("/v3/")] == [
        ("GET", "/v3/apps/%s/tasks" % app["guid"]), names, ("GET", "/v3/tasks/%s" % app["tasks"][0]["guid"]), names,
        ("GET", "/v3/tasks/%s" % UNKNOWN), ("GET", "/v3/apps/%s/tasks" % UNKNOWN)]


CONTRADICTORY_FILTERS = [
    ({"guid": UNKNOWN, "names": ["a"]}, "parameters are mutually exclusive: guid|names"),
    ({"guid": UNKNOWN, "app": "web"}, "parameters are mutually exclusive: guid|app"),
    ({"app_guid": UNKNOWN, "space_guids": [UNKNOWN]}, "parameters are mutually exclusive: app_guid|space_guids"),
    ({"app_guid": UNKNOWN, "app": "web"}, "parameters are mutually exclusive: app_guid|app"),
    ({"space": "prod", "space_guids": [UNKNOWN]}, "parameters are mutually exclusive: space|space_guids"),
    ({"org": "acme", "organization_guids": [UNKNOWN]}, "parameters are mutually exclusive: org|organization_guids"),
    ({"names": ["a,b"]}, "names 'a,b' holds a comma, which Cloud Foundry's comma-separated filter would split"),
    ({"org": "a,b"}, "org 'a,b' holds a comma"),
    ({"order_by": "name"}, "value of order_by must be one of: created_at, -created_at, updated_at, -updated_at"),
    ({"states": ["DONE"]}, "value of states must be one or more of"),
]


@pytest.mark.parametrize("args,words", CONTRADICTORY_FILTERS,
                         ids=["case-%d" % n for n in range(len(CONTRADICTORY_FILTERS))])
def test_info_refuses_contradictory_filters(sim, info, args, words):
    out = info(**args)
    assert out.get("failed") and words in out["msg"], (args, out)
    assert sim.requests() == []


def test_info_survives_gateway_errors(sim, info):
    seed_app(sim, {"name": "a"})
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks", kind="status", status=503, times=1)
    out = info(names=["a"])
    assert [t["name"] for t in out["tasks"]] == ["a"]
    assert [r["status"] for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"] == [503, 200]


def test_unexpected_shape_fails_without_traceback(sim, info):
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks", kind="wrong_shape", times=1)
    out = info(names=["a"])
    assert "unexpected shape: pagination: Field required" in out["msg"] and "Traceback" not in str(out)


def test_a_wait_that_fails_still_reports_the_cancel_it_made(sim, cancel):
    app = seed_app(sim, {"name": "a"})
    guid = app["tasks"][0]["guid"]
    # The first poll fails for good (a 404 is no reason to retry): the cancel before it still counts.
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks/%s$" % guid, kind="status", status=404, times=-1)
    out = cancel(app_guid=app["guid"], name="a", wait=True, wait_sleep=0.2)
    assert out.get("failed") and "HTTP 404" in out["msg"]
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "CANCELING"
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % guid]


# -- a server that ignores filters (issue 21; docs/api/cloudfoundry.md, Invented: ignore_filters) -----------

ACME, PROD, OTHER, DEV = ("bbbbbbbb-0000-4000-8000-00000000000%d" % n for n in range(1, 5))


def seed_two_apps(sim):
    """billing (org acme, space prod) and reports (org other, space dev), with tasks that differ in every filter."""
    billing = seed_app(sim, {"name": "t1", "labels": {"team": "billing", "kind": "batch"}},
                       {"name": "T1", "labels": {"team": "billing"}},
                       {"name": "t1", "state": "SUCCEEDED", "labels": {"team": "ops"}},
                       {"name": "t2", "state": "PENDING"},
                       name="billing", space_guid=PROD, space_name="prod", organization_guid=ACME,
                       organization_name="acme")
    reports = seed_app(sim, {"name": "t1", "labels": {"team": "reports", "kind": "batch"}},
                       {"name": "t2", "state": "FAILED", "labels": {"team": "billing"}},
                       name="reports", space_guid=DEV, space_name="dev", organization_guid=OTHER,
                       organization_name="other")
    return billing, reports


def ignore_filters(sim, value=True):
    sim.seed(cloudfoundry={"settings": {"ignore_filters": value}})


def test_cf_task_by_a_mistyped_app_name_cancels_nothing_when_the_server_ignores_names(sim, cancel):
    billing, reports = seed_two_apps(sim)
    ignore_filters(sim)
    out = cancel(app="billing-typo", name="t1")
    assert out.get("failed") is True and out["changed"] is False
    assert "app 'billing-typo' was not found" in out["msg"]
    assert cancel_posts(sim) == [] and set(task_states(sim).values()) == {"RUNNING", "PENDING", "SUCCEEDED", "FAILED"}
    # Every name a server lists is checked: org and space names too.
    out = cancel(org="acme-typo", space="prod", app="billing", name="t1")
    assert out.get("failed") is True and "org 'acme-typo' was not found" in out["msg"]
    out = cancel(org="acme", space="dev", app="reports", name="t1")
    assert out.get("failed") is True and "space 'dev' was not found in org 'acme'" in out["msg"]
    assert cancel_posts(sim) == []


@pytest.mark.parametrize("names", [dict(org="acme", space="prod", app="billing"), dict(app="BILLING")],
                         ids=["org-space-app", "app-alone"])
def test_cf_task_by_app_and_name_cancels_only_matching_tasks_when_the_server_ignores_filters(sim, cancel, names):
    billing, reports = seed_two_apps(sim)
    ignore_filters(sim)
    t1, t1_upper, t1_done, t2 = (t["guid"] for t in billing["tasks"])
    out = cancel(name="t1", **names)
    assert succeeded(out), out
    assert out["changed"] is True and sorted(out["canceled"]) == sorted([t1, t1_upper]), "names match without case"
    assert sorted(t["guid"] for t in out["tasks"]) == sorted([t1, t1_upper])
    left = [w for w in warnings_of(out) if "was listed by the API but is not what was asked" in w]
    assert len(left) == 2 and any(t1_done in w and "its state is SUCCEEDED" in w for w in left), left
    assert any(t2 in w and "its name is 't2'" in w for w in left), left
    states = task_states(sim)
    assert [states[g] for g in (t1, t1_upper, t1_done, t2)] == ["CANCELING", "CANCELING", "SUCCEEDED", "PENDING"]
    assert [states[t["guid"]] for t in reports["tasks"]] == ["RUNNING", "FAILED"], "nothing of another app"


def test_cf_task_by_sequence_id_cancels_only_that_task_when_the_server_ignores_filters(sim, cancel):
    billing, reports = seed_two_apps(sim)
    ignore_filters(sim, ["sequence_ids"])
    pending = billing["tasks"][3]
    out = cancel(app="billing", sequence_id=pending["sequence_id"])
    assert succeeded(out), out
    assert out["canceled"] == [pending["guid"]] and [t["guid"] for t in out["tasks"]] == [pending["guid"]]
    assert len([w for w in warnings_of(out) if "its sequence_id is" in w]) == 3
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % pending["guid"]]
    out = cancel(app="billing", sequence_id=99)
    assert out.get("failed") is True and "has no task with sequence_id 99" in out["msg"] and out["changed"] is False
    assert len(cancel_posts(sim)) == 1


INFO_SELECTIONS = [
    dict(app="billing", names=["T1"]),
    dict(app="billing", states=["PENDING", "SUCCEEDED"]),
    dict(org="acme"),
    dict(org="other", space="dev"),
    dict(space_guids=[PROD], names=["t2"]),
    dict(organization_guids=[OTHER]),
    dict(label_selector="team=billing"),
    dict(label_selector="team==billing,kind=batch"),
    dict(label_selector="team!=billing"),
    dict(label_selector="team in (billing, reports)"),
    dict(label_selector="team notin (billing,reports)"),
    dict(label_selector="kind"),
    dict(label_selector="!kind"),
    dict(app="reports", label_selector="!kind", states=["FAILED"]),
]


@pytest.mark.parametrize("selection", INFO_SELECTIONS, ids=[
    ",".join("%s=%s" % kv for kv in sorted(s.items())) for s in INFO_SELECTIONS])
def test_cf_task_info_returns_only_matching_tasks_when_the_server_ignores_filters(sim, info, selection):
    seed_two_apps(sim)
    honest = info(**selection)
    assert succeeded(honest) and warnings_of(honest) == [], honest
    expected = sorted(t["guid"] for t in honest["tasks"])
    assert expected, "a selection that selects something"
    ignore_filters(sim)
    out = info(**selection)
    assert succeeded(out), out
    assert sorted(t["guid"] for t in out["tasks"]) == expected
    left = [w for w in warnings_of(out) if "was listed by the API but is not what was asked" in w]
    listed = {"billing": 4, "reports": 2}.get(selection.get("app"), 6)  # the app's own list, or every task
    assert len(left) == listed - len(expected), left


def test_a_label_selector_the_module_cannot_check_fails_before_any_request(sim, info):
    seed_two_apps(sim)
    out = info(label_selector="team=billing,(oops")
    assert out.get("failed") is True and "label_selector cannot be read" in out["msg"]
    assert not any(p.startswith("/v3/tasks") for m, p in calls(sim))


# -- names to find things by, selection by age and in one run, one vocabulary (issue 20) ----------------

def test_info_names_each_tasks_app_space_and_org_with_one_request_per_page_of_apps(sim, info, foundation):
    # 101 more apps in beta's production, a task each: the names of 104 apps take two reads of 100 apps at most.
    many = sim.seed(cloudfoundry={"apps": [
        {"name": "worker-%03d" % n, "space_guid": PROD_B, "tasks": [{"name": "batch"}]} for n in range(101)]})
    out = info(states=["RUNNING"])
    assert succeeded(out) and len(out["tasks"]) == 5 + 101
    reads = [r for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/apps"]
    assert [(len(r["query"]["guids"][0].split(",")), r["query"]["include"]) for r in reads] == [
        (100, ["space.organization"]), (4, ["space.organization"])]
    by_guid = dict((t["guid"], (t["app_name"], t["space_name"], t["org_name"])) for t in out["tasks"])
    assert by_guid[foundation[PROD_A]["tasks"][0]["guid"]] == ("billing-api", "production", "acme")
    assert by_guid[foundation[STAGING_A]["tasks"][0]["guid"]] == ("billing-api", "staging", "acme")
    assert by_guid[many["cloudfoundry"]["apps"][100]["tasks"][0]["guid"]] == ("worker-100", "production", "beta")
    # The API's objects are otherwise as the API gave them.
    assert out["tasks"][0]["relationships"]["app"]["data"]["guid"] and "links" in out["tasks"][0]


def test_info_by_names_asks_for_no_name_it_already_has(sim, info, foundation):
    by_app = info(org="acme", space="production", app="billing-api")
    assert [(t["app_name"], t["space_name"], t["org_name"]) for t in by_app["tasks"]] == [
        ("billing-api", "production", "acme")] * 3
    # An app name alone: its space and org come with the lookup (include=space.organization).
    by_name = info(app="search-worker")
    assert [(t["app_name"], t["space_name"], t["org_name"]) for t in by_name["tasks"]] == [
        ("search-worker", "production", "beta")]
    # A space by name: the space and org are known, the apps are not (one read of them).
    seq = last_seq(sim)
    by_space = info(org="acme", space="staging")
    assert [(t["app_name"], t["space_name"], t["org_name"]) for t in by_space["tasks"]] == [
        ("billing-api", "staging", "acme")]
    assert [r["query"].get("guids") for r in sim.requests("cloudfoundry", since=seq) if r["path"] == "/cf/v3/apps"] == [
        [foundation[STAGING_A]["guid"]]]
    assert [p for m, p in calls(sim) if p == "/v3/apps" and m == "GET"] == ["/v3/apps"] * 3, \
        "one lookup each for the two app names, one read for the space's apps; nothing more"


def test_info_older_than_minutes_asks_for_tasks_created_before_the_cutoff(sim, info):
    app = seed_app(sim, {"name": "old", "age_seconds": 61 * 60}, {"name": "young", "age_seconds": 59 * 60},
                   {"name": "older", "age_seconds": 600 * 60, "state": "SUCCEEDED"})
    out = info(app_guid=app["guid"], older_than_minutes=60)
    assert [t["name"] for t in out["tasks"]] == ["older", "old"]
    cutoff = sim.clock.time() - 3600
    assert out["created_before"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(cutoff)))
    listing = [r for r in sim.requests("cloudfoundry") if r["path"].endswith("/tasks")][-1]
    assert listing["query"]["created_ats[lt]"] == [out["created_before"]]
    assert info(app_guid=app["guid"], older_than_minutes=0)["tasks"] != []
    refused = info(app_guid=app["guid"], older_than_minutes=-5)
    assert refused.get("failed") and refused["msg"] == "older_than_minutes must not be negative (got -5)"
    # A server that ignores the age filter: the listed tasks are checked, the young one left out and named.
    ignore_filters(sim, ["created_ats"])
    out = info(app_guid=app["guid"], older_than_minutes=60)
    assert [t["name"] for t in out["tasks"]] == ["older", "old"]
    assert [w for w in warnings_of(out) if "young" in w and "which created_ats[lt]=%s does not select" % out[
        "created_before"] in w]


def test_cf_task_by_selection_lists_and_cancels_in_one_run_with_one_token(sim, cancel):
    apps = sim.seed(cloudfoundry={"apps": [
        {"name": "billing-api", "space_guid": PROD_A, "space_name": "production", "organization_guid": ORG_A,
         "organization_name": "acme", "tasks": [
             {"name": "db-migrate", "age_seconds": 7200}, {"name": "DB-Migrate", "age_seconds": 5000, "state": "PENDING"},
             {"name": "db-migrate", "age_seconds": 300}, {"name": "db-migrate", "age_seconds": 9000, "state": "SUCCEEDED"},
             {"name": "report", "age_seconds": 9000}]},
        {"name": "billing-api", "space_guid": STAGING_A, "space_name": "staging", "organization_guid": ORG_A,
         "tasks": [{"name": "db-migrate", "age_seconds": 9000}]}]})["cloudfoundry"]["apps"]
    prod = apps[0]
    old = [t["guid"] for t in prod["tasks"][:2]]
    selection = dict(org="acme", space="production", names=["db-migrate"], states=["PENDING", "RUNNING"],
                     older_than_minutes=60)

    check = cancel(check=True, **selection)
    assert check["canceled"] == old and [t["state"] for t in check["tasks"]] == ["CANCELING", "CANCELING"]
    # Names match as Cloud Controller matches them (case-insensitively); the msg names each task as it is named.
    assert check["msg"] == "would cancel 2 of 2 tasks created before %s (db-migrate %s, DB-Migrate %s)" % (
        check["created_before"], old[0], old[1])
    seq = last_seq(sim)
    real = cancel(**selection)
    assert succeeded(real) and real["canceled"] == old and real["not_canceled"] == [] and real["unmatched_names"] == []
    assert real["msg"] == "canceled 2 of 2 tasks created before %s (db-migrate %s, DB-Migrate %s)" % (
        real["created_before"], old[0], old[1])
    # One token; no read of each task. The listed tasks' apps are read once (a page of 100 apps a request) to
    # check that each task is in the space asked for, before it is cancelled.
    assert calls(sim, seq) == LOGIN + [("GET", "/v3/organizations"), ("GET", "/v3/spaces"), ("GET", "/v3/tasks"),
                                       ("GET", "/v3/apps")] + [("POST", "/v3/tasks/%s/actions/cancel" % g) for g in old]
    listing = sim.requests("cloudfoundry", since=seq)[4]
    assert listing["query"] == {"names": ["db-migrate"], "states": ["PENDING,RUNNING"], "space_guids": [PROD_A],
                                "created_ats[lt]": [real["created_before"]], "per_page": ["5000"]}
    states = task_states(sim)
    assert [states[t["guid"]] for t in prod["tasks"]] == ["CANCELING", "CANCELING", "RUNNING", "SUCCEEDED", "RUNNING"]
    assert states[apps[1]["tasks"][0]["guid"]] == "RUNNING", "another space's task of that name"


def test_cf_task_checks_every_listed_task_against_the_selection_before_cancelling(sim, cancel):
    billing, reports = seed_two_apps(sim)
    ignore_filters(sim)
    out = cancel(org="acme", names=["t1"], label_selector="kind=batch")
    assert succeeded(out), out
    assert out["canceled"] == [billing["tasks"][0]["guid"]]
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % billing["tasks"][0]["guid"]]
    assert len([w for w in warnings_of(out) if "was listed by the API but is not what was asked" in w]) == 5


def test_a_task_name_that_matches_nothing_is_a_success_that_says_so(sim, cancel, foundation):
    args = dict(org="acme", space="production", app="billing-api", name="nightly-mirgate")
    for check in (True, False):
        out = cancel(check=check, **args)
        assert succeeded(out) and out["changed"] is False and out["canceled"] == [] and out["tasks"] == []
        said = ("no PENDING, RUNNING or CANCELING task named 'nightly-mirgate' in app 'billing-api' "
                "(space 'production', org 'acme')")
        assert warnings_of(out) == [said + ": nothing to cancel"]
        assert out["msg"] == ("would cancel nothing: " if check else "nothing to cancel: ") + said
        assert out["unmatched_names"] == ["nightly-mirgate"]
    # One name of two matches: the run cancels what it found and names what it did not.
    out = cancel(space="production", org="acme", names=["db-migrate", "nightly-mirgate"], states=["RUNNING"])
    done = [t["guid"] for t in foundation[PROD_A]["tasks"][:2]]
    assert out["canceled"] == done and out["unmatched_names"] == ["nightly-mirgate"]
    assert out["msg"] == ("canceled 2 of 2 tasks (db-migrate %s, db-migrate %s); no RUNNING task named "
                          "'nightly-mirgate' in space 'production' (org 'acme'): nothing to cancel" % tuple(done))
    assert warnings_of(out) == ["no RUNNING task named 'nightly-mirgate' in space 'production' (org 'acme'): "
                                "nothing to cancel"]
    # Names of orgs, spaces and apps still fail.
    missing = cancel(org="acme", space="production", app="billing-apx", name="db-migrate")
    assert missing.get("failed") and missing["msg"].startswith("app 'billing-apx' was not found in space 'production'")


def test_single_guid_returns_canceled_and_not_canceled_as_the_bulk_form(sim, cancel, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b", "state": "SUCCEEDED"})
    running, done = (t["guid"] for t in app["tasks"])
    finished = cancel(guid=done)
    assert succeeded(finished) and finished["canceled"] == [] and finished["not_canceled"] == []
    assert finished["msg"] == "canceled 0 of 1 task; 1 already SUCCEEDED"
    cf["group/jobctl.cloud.cloudfoundry"].update(username="auditor", password="auditor-secret")
    one, many = cancel(guid=running), cancel(guids=[running])
    for out in (one, many):
        assert out.get("failed") and out["canceled"] == []
        assert [(f["guid"], f["name"], f["state"]) for f in out["not_canceled"]] == [(running, "a", "RUNNING")]
        assert "HTTP 403 CF-NotAuthorized" in out["not_canceled"][0]["reason"]
    assert sorted(one) == sorted(many), "the same keys for one GUID as for a list"
