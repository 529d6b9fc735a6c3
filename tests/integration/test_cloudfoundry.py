"""Cloud Foundry modules, run by ansible-playbook against the simulator.

Each scenario goes check mode -> real run -> idempotent re-run -> errors -> faults, and counts the
requests each step sent from the simulator's request log.
"""

import threading
import time

import pytest

UNKNOWN = "0a0a0a0a-0000-4000-8000-000000000000"
LOGIN = [("GET", "/"), ("POST", "/login/oauth/token")]


@pytest.fixture
def cf(sim):
    return {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": "admin",
                                                "password": "admin-secret", "retries": 2}}


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


def cancel(**args):
    return [{"name": "cancel", "jobctl.cloud.cf_task": args}]


def info(**args):
    return [{"name": "info", "jobctl.cloud.cf_task_info": args}]


def warnings_of(result):
    return result.get("warnings") or []


# -- cf_task ------------------------------------------------------------------------------------

def test_cancel_running_tasks_by_app_and_name_check_real_rerun(sim, play, cf):
    app = seed_app(sim, {"name": "migrate", "state": "RUNNING"}, {"name": "migrate", "state": "PENDING"},
                   {"name": "migrate", "state": "SUCCEEDED"}, {"name": "report", "state": "RUNNING"})
    migrate = [t["guid"] for t in app["tasks"][:2]]
    task = cancel(app_guid=app["guid"], name="migrate")
    listing = ("GET", "/v3/apps/%s/tasks" % app["guid"])

    check = play(task, check=True, defaults=cf)
    out = check.task("cancel")
    assert check.rc == 0, check
    assert out["changed"] is True and out["canceled"] == migrate
    assert [(t["guid"], t["state"]) for t in out["tasks"]] == [(migrate[0], "RUNNING"), (migrate[1], "PENDING")]
    assert calls(sim) == LOGIN + [listing], "check mode reads only"
    assert sim.requests("cloudfoundry")[-1]["query"] == {
        "names": ["migrate"], "states": ["PENDING,RUNNING,CANCELING"], "per_page": ["5000"]}
    assert set(task_states(sim).values()) == {"RUNNING", "PENDING", "SUCCEEDED"}

    seq = last_seq(sim)
    real = play(task, defaults=cf).task("cancel")
    assert real["changed"] is True and real["canceled"] == migrate and warnings_of(real) == []
    assert [t["state"] for t in real["tasks"]] == ["CANCELING", "CANCELING"]
    assert calls(sim, seq) == LOGIN + [listing] + [("POST", "/v3/tasks/%s/actions/cancel" % g) for g in migrate]
    states = task_states(sim)
    assert [states[t["guid"]] for t in app["tasks"]] == ["CANCELING", "CANCELING", "SUCCEEDED", "RUNNING"]

    seq = last_seq(sim)
    rerun = play(task + [dict(task[0], name="check again", check_mode=True)], defaults=cf)
    again = rerun.task("cancel")
    assert again["changed"] is False and again["canceled"] == []
    assert [t["state"] for t in again["tasks"]] == ["CANCELING", "CANCELING"], "already stopping: left alone, shown"
    assert calls(sim, seq) == (LOGIN + [listing]) * 2
    assert rerun.task("check again")["changed"] is False

    sim.advance(30)  # the cancels are processed: FAILED tasks are no longer selected by name
    done = play(task, defaults=cf).task("cancel")
    assert done["changed"] is False and done["tasks"] == []


def test_task_names_are_matched_as_the_api_matches_them(sim, play, cf):
    # Issue 12: Cloud Controller matches names case-insensitively; the module keeps what it returns.
    app = seed_app(sim, {"name": "DB-Migrate"}, {"name": "db-migrate", "state": "PENDING"}, {"name": "db-migrate-2"})
    out = play(cancel(app_guid=app["guid"], name="db-MIGRATE"), defaults=cf).task("cancel")
    assert out["canceled"] == [t["guid"] for t in app["tasks"][:2]]
    assert [t["name"] for t in out["tasks"]] == ["DB-Migrate", "db-migrate"]
    assert list(task_states(sim).values()) == ["CANCELING", "CANCELING", "RUNNING"]
    listed = play(info(names=["DB-MIGRATE"]), defaults=cf).task("info")
    assert [t["name"] for t in listed["tasks"]] == ["DB-Migrate", "db-migrate"]


def test_cancel_by_guid_sends_one_get_and_one_post(sim, play, cf):
    guid = seed_app(sim, {"name": "long"})["tasks"][0]["guid"]
    task = cancel(guid=guid)

    check = play(task, check=True, diff=True, defaults=cf).task("cancel")
    assert check["changed"] is True and check["canceled"] == [guid] and check["tasks"][0]["state"] == "RUNNING"
    assert check["diff"] == {"before": {"tasks": [{"guid": guid, "name": "long", "state": "RUNNING"}]},
                             "after": {"tasks": [{"guid": guid, "name": "long", "state": "CANCELING"}]}}
    assert calls(sim) == LOGIN + [("GET", "/v3/tasks/%s" % guid)]

    seq = last_seq(sim)
    real = play(task, diff=True, defaults=cf).task("cancel")
    assert real["changed"] is True and real["tasks"][0]["state"] == "CANCELING"
    assert real["diff"]["after"] == {"tasks": [{"guid": guid, "name": "long", "state": "CANCELING"}]}
    assert calls(sim, seq) == LOGIN + [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]

    seq = last_seq(sim)
    again = play(task, defaults=cf).task("cancel")
    assert again["changed"] is False and again["tasks"][0]["state"] == "CANCELING"
    assert calls(sim, seq) == LOGIN + [("GET", "/v3/tasks/%s" % guid)]


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "CANCELING"])
def test_a_task_that_is_stopping_or_finished_is_left_alone(sim, play, cf, state):
    guid = seed_app(sim, {"name": "t", "state": state})["tasks"][0]["guid"]
    out = play(cancel(guid=guid), defaults=cf).task("cancel")
    assert out["changed"] is False and out["canceled"] == []
    assert out["tasks"][0]["state"] == state and out["tasks"][0]["guid"] == guid
    assert [m for m, p in calls(sim)].count("POST") == 1, "the token request only"


def test_task_that_finishes_between_read_and_cancel_is_unchanged(sim, play, cf):
    guid = seed_app(sim, {"name": "racy", "succeed_after_reads": 1})["tasks"][0]["guid"]
    result = play(cancel(guid=guid), defaults=cf)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is False and out["canceled"] == [] and out["tasks"][0]["state"] == "SUCCEEDED"
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [200, 422, 200]
    assert warnings_of(out) == []


def test_a_task_someone_else_cancelled_first_is_unchanged(sim, play, cf):
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
    result = play(cancel(guid=guid), defaults=cf)
    other.join(60)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is False and out["canceled"] == [] and warnings_of(out) == []
    assert out["tasks"][0]["state"] == "FAILED" and out["tasks"][0]["result"]["failure_reason"] == "task was cancelled"
    ours = [r for r in sim.requests("cloudfoundry") if r["method"] == "POST" and r["fault"] == "slow"]
    assert [r["status"] for r in ours] == [422]
    assert cancels_received(sim, guid) == ["RUNNING"], "only the other client's cancel was accepted"


def test_unknown_guid_fails_with_resource_not_found(sim, play, cf):
    result = play(cancel(guid=UNKNOWN), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0
    request_id = sim.requests("cloudfoundry")[-1]["response_headers"]["X-Vcap-Request-Id"]
    assert out["msg"] == ("Cloud Foundry API GET /cf/v3/tasks/%s failed: HTTP 404 CF-ResourceNotFound: Task not found "
                          "[code 10010, request ID %s]" % (UNKNOWN, request_id))
    assert out["problem"]["title"] == "CF-ResourceNotFound" and out["problem"]["code"] == "10010"
    assert out["changed"] is False


def test_expired_token_mid_run_is_renewed_without_failing(sim, play, cf):
    guid = seed_app(sim, {"name": "long"})["tasks"][0]["guid"]
    sim.seed(cloudfoundry={"settings": {"token_uses": 1}})  # each token is good for one API request
    result = play(cancel(guid=guid), defaults=cf)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is True and out["tasks"][0]["state"] == "CANCELING"
    assert calls(sim) == LOGIN + [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid),
                                  ("POST", "/login/oauth/token"), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [401, 200, 202]


def test_cancel_and_wait_until_failed(sim, play, cf):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 1}})
    app = seed_app(sim, {"name": "a"}, {"name": "b", "state": "CANCELING"}, {"name": "c", "state": "SUCCEEDED"})
    guids = [t["guid"] for t in app["tasks"]]
    result = play(cancel(guids=guids, wait=True, wait_sleep=0.3, wait_timeout=30), defaults=cf)
    out = result.task("cancel")
    assert result.rc == 0, result
    assert out["changed"] is True and out["canceled"] == [guids[0]]
    assert [t["state"] for t in out["tasks"]] == ["FAILED", "FAILED", "SUCCEEDED"]
    assert out["tasks"][0]["result"]["failure_reason"] == "task was cancelled"
    polled = [p for m, p in calls(sim) if m == "GET" and p.startswith("/v3/tasks/")]
    assert ("/v3/tasks/%s" % guids[2]) not in polled[3:], "a finished task is not polled"
    assert len(polled) > 3


def test_wait_timeout_fails_and_still_says_what_was_cancelled(sim, play, cf):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 3600}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    result = play(cancel(guid=guid, wait=True, wait_sleep=0.2, wait_timeout=1), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0
    assert out["msg"] == "timed out after 1 seconds waiting for task %s to reach FAILED or SUCCEEDED" % guid
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "CANCELING"


def test_select_by_sequence_id(sim, play, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    out = play(cancel(app_guid=app["guid"], sequence_id=2), defaults=cf).task("cancel")
    assert out["canceled"] == [app["tasks"][1]["guid"]]
    assert sim.requests("cloudfoundry")[2]["query"]["sequence_ids"] == ["2"]
    assert list(task_states(sim).values()) == ["RUNNING", "CANCELING"]
    missing = play(cancel(app_guid=app["guid"], sequence_id=9), defaults=cf)
    assert missing.rc != 0
    assert missing.task("cancel")["msg"] == "app %s has no task with sequence_id 9" % app["guid"]


def test_unknown_app_fails(sim, play, cf):
    result = play(cancel(app_guid=UNKNOWN, name="x"), defaults=cf)
    assert result.rc != 0
    assert "HTTP 404 CF-ResourceNotFound: App not found" in result.task("cancel")["msg"]


def test_guids_list_reads_every_task_before_cancelling_any(sim, play, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    result = play(cancel(guids=guids + [UNKNOWN]), defaults=cf)
    assert result.rc != 0 and "CF-ResourceNotFound" in result.task("cancel")["msg"]
    assert [m for m, p in calls(sim)].count("POST") == 1, "the token request only: no cancel was sent"
    assert set(task_states(sim).values()) == {"RUNNING"}

    seq = last_seq(sim)
    empty = play(cancel(guids=[]), defaults=cf).task("cancel")
    assert empty["changed"] is False and empty["tasks"] == [] and calls(sim, seq) == []

    twice = play(cancel(guids=[guids[0], guids[0]]), defaults=cf).task("cancel")
    assert twice["canceled"] == [guids[0]] and len(twice["tasks"]) == 1


def test_a_refused_cancel_is_reported_after_trying_the_others(sim, play, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    sim.fault(api="cloudfoundry", method="POST", path=guids[0] + "/actions/cancel", kind="status", status=403, times=1)
    result = play(cancel(guids=guids), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0
    assert out["msg"].startswith("could not cancel 1 of 2 tasks: %s: Cloud Foundry API POST" % guids[0])
    assert "HTTP 403 CF-NotAuthorized" in out["msg"] and out["problem"]["code"] == "10003"
    assert out["changed"] is True and out["canceled"] == [guids[1]]
    assert [t["state"] for t in out["tasks"]] == ["RUNNING", "CANCELING"]
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % g for g in guids], "a refusal is not resent"


def test_a_listed_task_whose_guid_would_leave_its_path_is_left_alone_and_reported(sim, play, cf):
    # Issue 11: IDs from the API are checked like IDs from the user before they build a path.
    app = seed_app(sim, {"name": "x", "guid": ".."}, {"name": "x"})
    good = app["tasks"][1]["guid"]
    result = play(cancel(app_guid=app["guid"], name="x"), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0
    assert out["msg"] == ("could not cancel 1 of 2 tasks: ..: not cancelled: the task GUID '..' is not a valid ID: it "
                          "must not be empty, be '.', or hold '/', '?', '#', '%', '\\', whitespace or '..'")
    assert out["changed"] is True and out["canceled"] == [good]
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % good], "nothing was sent for the bad GUID"
    assert task_states(sim) == {"..": "RUNNING", good: "CANCELING"}


def test_a_cancel_that_keeps_failing_is_resent_within_retries_then_reported(sim, play, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    sim.fault(api="cloudfoundry", method="POST", path=guids[0] + "/actions/cancel", kind="status", status=500, times=-1)
    out = play(cancel(guids=guids), defaults=cf).task("cancel")
    assert "could not cancel 1 of 2 tasks" in out["msg"] and "HTTP 500 CF-ServerError" in out["msg"]
    assert out["changed"] is True and out["canceled"] == [guids[1]]
    first = "/v3/tasks/%s" % guids[0]
    # Each lost answer settled by one read before the next send: 3 sends with retries=2.
    assert [(m, p) for m, p in calls(sim) if p.startswith(first)] == [
        ("GET", first), ("POST", first + "/actions/cancel"), ("GET", first)] + [
        ("POST", first + "/actions/cancel"), ("GET", first)] * 2


def test_a_lost_cancel_answer_is_settled_by_one_read_and_reported_with_a_warning(sim, play, cf):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 0}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=502, when="after", times=1)
    out = play(cancel(guid=guid), defaults=cf).task("cancel")
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "FAILED"
    assert any("the answer to a request was lost" in w for w in warnings_of(out)), out
    log = [(r["method"], r["status"], r["handled_status"]) for r in sim.requests("cloudfoundry")][-3:]
    assert log == [("GET", 200, 200), ("POST", 502, 202), ("GET", 200, 200)], "handled once, settled by one read"
    assert cancels_received(sim, guid) == ["RUNNING"]


def test_read_only_user_is_refused_with_the_apis_words(sim, play, cf):
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    cf["group/jobctl.cloud.cloudfoundry"].update(username="auditor", password="auditor-secret")
    out = play(cancel(guid=guid), defaults=cf).task("cancel")
    assert "HTTP 403 CF-NotAuthorized" in out["msg"] and out["problem"]["code"] == "10003"
    assert out["changed"] is False


def test_rate_limited_twice_still_succeeds(sim, play, cf):
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="rate_limit", retry_after=1, times=2)
    out = play(cancel(guid=guid), defaults=cf).task("cancel")
    assert out["changed"] is True and warnings_of(out) == []
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [429, 429, 202]


def test_an_hour_long_rate_limit_fails_at_once_saying_when_it_resets(sim, play, cf):
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer"}],
                           "settings": {"rate_limit_general": 1}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    cf["group/jobctl.cloud.cloudfoundry"].update(username="dev", password="dev-pw")
    start = time.monotonic()
    result = play(cancel(guid=guid), defaults=cf)
    assert time.monotonic() - start < 30, "no hour-long sleep"
    out = result.task("cancel")
    assert result.rc != 0 and out["changed"] is False
    assert "rate limited: the API allows no more requests until " in out["msg"]
    assert "HTTP 429 CF-RateLimitExceeded" in out["msg"] and out["problem"]["code"] == "10013"
    assert [r["status"] for r in sim.requests("cloudfoundry")][-2:] == [200, 429], "one refusal, no retry"
    assert task_states(sim)[guid] == "RUNNING"


# -- two runs racing for one task ------------------------------------------------------------------

def run_in_thread(play, tasks, defaults, results, key):
    thread = threading.Thread(target=lambda: results.__setitem__(key, play(tasks, defaults=defaults)))
    thread.start()
    return thread


def test_a_second_run_that_reads_after_the_first_cancel_was_handled_leaves_the_task(sim, play, cf):
    """The race the API lets us decide: the first cancel is handled (CANCELING) and answered late; the
    second run reads CANCELING and leaves the task alone."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="slow", delay=4, when="after", times=1)
    results = {}
    first = run_in_thread(play, cancel(guid=guid), cf, results, "first")
    for dummy in range(600):
        if task_states(sim)[guid] == "CANCELING":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the first run's cancel was never handled")
    results["second"] = play(cancel(guid=guid), defaults=cf)
    first.join(120)
    one, two = results["first"].task("cancel"), results["second"].task("cancel")
    assert results["first"].rc == 0 and results["second"].rc == 0
    assert (one["changed"], two["changed"]) == (True, False), "exactly one run reports the change"
    assert one["canceled"] == [guid] and two["canceled"] == []
    assert two["tasks"][0]["state"] == "CANCELING"
    assert len(cancel_posts(sim)) == 1 and cancels_received(sim, guid) == ["RUNNING"]


def test_two_runs_whose_cancels_both_reach_the_api_while_running_both_report_changed(sim, play, cf):
    """The race the API does not let us decide (documented in cf_task's notes): both runs read RUNNING,
    both cancels are accepted with the same 202, and nothing in the answer tells the second apart."""
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    # Both cancels are held before they are handled, so both runs read the task RUNNING first.
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="slow", delay=6, when="before", times=2)
    results = {}
    threads = [run_in_thread(play, cancel(guid=guid), cf, results, key) for key in ("a", "b")]
    for thread in threads:
        thread.join(120)
    outs = [results[key].task("cancel") for key in ("a", "b")]
    assert [results[key].rc for key in ("a", "b")] == [0, 0]
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


def test_terminate_task_by_org_space_app_and_sequence_id_check_real_rerun(sim, play, cf, foundation):
    app = foundation[PROD_A]
    second = app["tasks"][1]["guid"]
    task = cancel(org="ACME", space="Production", app="billing-api", sequence_id=2)

    check = play(task, check=True, defaults=cf).task("cancel")
    assert check["changed"] is True and check["canceled"] == [second]
    assert calls(sim) == LOGIN + [("GET", "/v3/organizations"), ("GET", "/v3/spaces"), ("GET", "/v3/apps"),
                                  ("GET", "/v3/apps/%s/tasks" % app["guid"])], "one list request per name"
    assert lookups(sim) == [
        ("/v3/organizations", {"names": ["ACME"], "per_page": ["5000"]}),
        ("/v3/spaces", {"names": ["Production"], "organization_guids": [ORG_A], "per_page": ["5000"]}),
        ("/v3/apps", {"names": ["billing-api"], "space_guids": [PROD_A], "per_page": ["5000"]})]
    assert cancel_posts(sim) == []

    seq = last_seq(sim)
    real = play(task, defaults=cf).task("cancel")
    assert real["changed"] is True and real["canceled"] == [second] and real["tasks"][0]["state"] == "CANCELING"
    assert calls(sim, seq) == calls(sim)[:6] + [("POST", "/v3/tasks/%s/actions/cancel" % second)], \
        "the same login and lookups as check mode, then the one cancel"
    states = task_states(sim)
    assert [states[t["guid"]] for t in app["tasks"]] == ["RUNNING", "CANCELING", "RUNNING"]
    assert states[foundation[STAGING_A]["tasks"][0]["guid"]] == "RUNNING"

    seq = last_seq(sim)
    again = play(task, defaults=cf).task("cancel")
    assert again["changed"] is False and again["tasks"][0]["state"] == "CANCELING"
    assert cancel_posts(sim, seq) == []
    sent = calls(sim, seq)
    assert sent.count(("GET", "/")) == 1 and sent.count(("POST", "/login/oauth/token")) == 1, "one login per run"
    assert len(sent) == 6


def test_cancel_by_app_and_task_name_in_a_space(sim, play, cf, foundation):
    app = foundation[PROD_A]
    out = play(cancel(space="production", org="acme", app="Billing-API", name="db-migrate"), defaults=cf).task("cancel")
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
def test_names_that_do_not_decide_fail_before_any_cancel(sim, play, cf, foundation, args, msg, sent):
    result = play(cancel(**args), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0 and out["msg"] == msg
    assert out["changed"] is False
    assert len(lookups(sim)) == sent, "one list request per name, up to the one that failed"
    assert cancel_posts(sim) == [] and not any(p.endswith("/tasks") for m, p in calls(sim))
    assert set(task_states(sim).values()) == {"RUNNING"}


def test_the_same_lookups_as_the_info_module(sim, play, cf, foundation):
    result = play([
        dict(info(org="acme", space="production")[0], name="space"),
        dict(info(org="beta")[0], name="org"),
        dict(info(org="acme", space="staging", app="billing-api", order_by="-created_at")[0], name="app"),
        dict(info(app="billing-api", names=["db-migrate"])[0], name="ambiguous", ignore_errors=True),
    ], defaults=cf)
    assert [t["guid"] for t in result.task("space")["tasks"]] == [t["guid"] for t in foundation[PROD_A]["tasks"]]
    assert [t["name"] for t in result.task("org")["tasks"]] == ["reindex"]
    assert [t["guid"] for t in result.task("app")["tasks"]] == [foundation[STAGING_A]["tasks"][0]["guid"]]
    assert "app 'billing-api' is in 2 spaces" in result.task("ambiguous")["msg"]
    listings = [(r["path"][len("/cf"):], r["query"]) for r in sim.requests("cloudfoundry") if r["path"].endswith("tasks")]
    assert listings == [
        ("/v3/tasks", {"space_guids": [PROD_A], "per_page": ["5000"]}),
        ("/v3/tasks", {"organization_guids": [ORG_B], "per_page": ["5000"]}),
        ("/v3/apps/%s/tasks" % foundation[STAGING_A]["guid"], {"order_by": ["-created_at"], "per_page": ["5000"]})]


def test_a_hostile_token_link_fails_before_the_password_is_sent(sim, play, cf):
    host = sim.url.split("://", 1)[1]
    sim.seed(cloudfoundry={"settings": {"login_href": "http://collector:S3cretPW@%s/cf/login" % host}})
    result = play(info(guid=UNKNOWN), defaults=cf, verbosity=3)
    out = result.task("info")
    assert result.rc != 0
    assert "links.login must not carry user info" in out["msg"] and "No credential was sent" in out["msg"]
    assert calls(sim) == [("GET", "/")]
    for text in (result.stdout, result.stderr, str(result.results)):
        assert "S3cretPW" not in text and "admin-secret" not in text


BAD_INPUT = [
    ({"guid": "a/../b"}, "guid 'a/../b' is not a valid ID"),
    ({"guid": "abc?x=1"}, "guid 'abc?x=1' is not a valid ID"),
    ({"guids": ["ok", "x#y"]}, "guids 'x#y' is not a valid ID"),
    ({"app_guid": "a/b", "name": "x"}, "app_guid 'a/b' is not a valid ID"),
    ({"app_guid": UNKNOWN}, "app_guid needs name or sequence_id"),
    ({"app": "web"}, "app needs name or sequence_id"),
    ({"guid": UNKNOWN, "name": "x"}, "name selects among an app's tasks: set app or app_guid too"),
    ({"guid": UNKNOWN, "sequence_id": 1}, "sequence_id selects among an app's tasks: set app or app_guid too"),
    ({"app_guid": UNKNOWN, "name": "a,b"}, "name 'a,b' holds a comma"),
    ({"app": "a,b", "name": "x"}, "app 'a,b' holds a comma"),
    ({"app": "web", "space": "prod,qa", "name": "x"}, "space 'prod,qa' holds a comma"),
    ({"app": "web", "org": "a,b", "sequence_id": 1}, "org 'a,b' holds a comma"),
    ({"app": " ", "name": "x"}, "app must not be empty"),
    ({"guid": UNKNOWN, "space": "prod"}, "missing parameter(s) required by 'space': app"),
    ({"app_guid": UNKNOWN, "org": "acme", "name": "x"}, "missing parameter(s) required by 'org': app"),
    ({"guid": UNKNOWN, "guids": [UNKNOWN]}, "parameters are mutually exclusive"),
    ({"app_guid": UNKNOWN, "app": "web", "name": "x"}, "parameters are mutually exclusive: guid|guids|app_guid|app"),
    ({"app_guid": UNKNOWN, "name": "x", "sequence_id": 1}, "parameters are mutually exclusive"),
    ({"state": "canceled"}, "one of the following is required: guid, guids, app_guid, app"),
    ({"guid": UNKNOWN, "api_url": "ftp://127.0.0.1/cf"}, "api_url must be an absolute http:// or https:// URL"),
]


def test_bad_input_fails_before_any_request(sim, play, cf):
    tasks = [{"name": "bad-%d" % n, "jobctl.cloud.cf_task": args, "ignore_errors": True}
             for n, (args, dummy) in enumerate(BAD_INPUT)]
    result = play(tasks, defaults=cf)
    for n, (args, start) in enumerate(BAD_INPUT):
        assert result.status("bad-%d" % n) == "failed", args
        assert result.task("bad-%d" % n)["msg"].startswith(start), (args, result.task("bad-%d" % n)["msg"])
    assert sim.requests() == []


def test_credentials_must_be_complete(sim, play):
    url = sim.url + "/cf"
    result = play([dict(cancel(guid=UNKNOWN, api_url=url, username="admin")[0], name="half", ignore_errors=True),
                   dict(cancel(guid=UNKNOWN, api_url=url)[0], name="none", ignore_errors=True)])
    assert result.task("half")["msg"] == "parameters are required together: username, password"
    assert result.task("none")["msg"] == "one of the following is required: username, client_id, access_token"
    assert sim.requests() == []


# -- authentication variants ---------------------------------------------------------------------

def test_client_credentials_and_the_uaa_link(sim, play):
    sim.seed(cloudfoundry={"settings": {"login_link": False}})
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    defaults = {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "client_id": "jobctl-client",
                                                    "client_secret": "jobctl-client-secret"}}
    out = play(cancel(guid=guid), defaults=defaults).task("cancel")
    assert out["changed"] is True
    assert calls(sim)[1] == ("POST", "/uaa/oauth/token")
    assert sim.requests("cloudfoundry")[1]["body"]["grant_type"] == "client_credentials"


def test_access_token_sends_no_login_requests(sim, play):
    import requests
    token = requests.post(sim.url + "/cf/login/oauth/token", auth=("cf", ""), timeout=5, data={
        "grant_type": "password", "username": "admin", "password": "admin-secret"}).json()["access_token"]
    guid = seed_app(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.clear_requests()
    # The token wins over the user in the environment: the most explicit credential is used.
    env = {"CF_API_URL": sim.url + "/cf", "CF_ACCESS_TOKEN": token, "CF_USERNAME": "admin", "CF_PASSWORD": "wrong"}
    out = play(cancel(guid=guid), env=env).task("cancel")
    assert out["changed"] is True
    assert calls(sim) == [("GET", "/v3/tasks/%s" % guid), ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert token not in str(out)


def test_wrong_password_fails_with_uaas_words(sim, play, cf):
    cf["group/jobctl.cloud.cloudfoundry"]["password"] = "not-it"
    result = play(cancel(guid=UNKNOWN), defaults=cf)
    out = result.task("cancel")
    assert "POST /cf/login/oauth/token failed: HTTP 401 unauthorized: Bad credentials" in out["msg"]
    assert out["problem"]["code"] == "unauthorized"


def test_api_url_that_is_not_cloud_controller_fails_readably(sim, play, cf):
    cf["group/jobctl.cloud.cloudfoundry"]["api_url"] = sim.url + "/hostup/api/v2"
    result = play(cancel(guid=UNKNOWN), defaults=cf)
    assert result.rc != 0 and "GET /hostup/api/v2/ failed" in result.task("cancel")["msg"]


def test_secrets_never_appear_at_verbosity_3(sim, play):
    password, secret = "pw-5d1e9a7c3b", "client-secret-8f2c6e0a4d"
    sim.seed(cloudfoundry={"users": [{"username": "ops", "password": password, "role": "admin"}],
                           "clients": [{"client_id": "bot", "client_secret": secret}]})
    app = seed_app(sim, {"name": "a"}, {"name": "b"})
    guids = [t["guid"] for t in app["tasks"]]
    env = {"CF_API_URL": sim.url + "/cf", "CF_USERNAME": "ops", "CF_PASSWORD": password}
    runs = [
        # Credentials from the environment, then from task arguments; failures after and before login.
        play([dict(cancel(guid=guids[0])[0], name="env"),
              dict(info(app_guid=app["guid"])[0], name="list"),
              dict(cancel(guid=UNKNOWN)[0], name="unknown", ignore_errors=True)], env=env, verbosity=3, diff=True),
        # From variables, as a playbook would pass them: ansible-core 2.19 shows a failed task's source
        # lines, so a secret written literally into a task would be printed by Ansible itself.
        play([dict(cancel(guid=guids[1], client_id="bot", client_secret="{{ lookup('env', 'T_SECRET') }}")[0],
                   name="client"),
              dict(cancel(guid=guids[0], username="ops", password="{{ lookup('env', 'T_PASSWORD') }}x")[0],
                   name="refused", ignore_errors=True)],
             env={"CF_API_URL": sim.url + "/cf", "T_SECRET": secret, "T_PASSWORD": password}, verbosity=3, diff=True),
    ]
    assert runs[0].task("env")["changed"] is True and runs[1].task("client")["changed"] is True
    assert runs[0].status("unknown") == "failed" and runs[1].status("refused") == "failed"
    assert "Bad credentials" in runs[1].task("refused")["msg"]
    for run in runs:
        for text in (run.stdout, run.stderr, str(run.results)):
            assert password not in text and secret not in text
            assert "cfsim-" not in text, "a fetched token leaked"


# -- cf_task_info --------------------------------------------------------------------------------

def test_info_filters_are_sent_to_the_api(sim, play, cf):
    space = "aaaaaaaa-0000-4000-8000-000000000001"
    seed_app(sim, {"name": "a", "labels": {"team": "x"}}, {"name": "b", "state": "SUCCEEDED"}, space_guid=space)
    seed_app(sim, {"name": "a", "state": "FAILED"}, name="other")
    out = play(info(names=["a"], states=["RUNNING", "FAILED"], space_guids=[space], label_selector="team=x"),
               defaults=cf).task("info")
    assert [(t["name"], t["state"]) for t in out["tasks"]] == [("a", "RUNNING")]
    assert sim.requests("cloudfoundry")[-1]["query"] == {
        "names": ["a"], "states": ["RUNNING,FAILED"], "space_guids": [space], "label_selector": ["team=x"],
        "per_page": ["5000"]}
    everything = play(info(names=[], states=[]), defaults=cf).task("info")
    assert len(everything["tasks"]) == 3
    assert sim.requests("cloudfoundry")[-1]["query"] == {"per_page": ["5000"]}, "empty lists do not filter"
    nothing = play(info(names=["zzz"]), defaults=cf).task("info")
    assert nothing["tasks"] == [] and nothing["changed"] is False


def test_info_order_by(sim, play, cf):
    seed_app(sim, {"name": "old", "age_seconds": 300}, {"name": "new", "age_seconds": 10})
    result = play([dict(info(order_by="-created_at")[0], name="newest"), dict(info()[0], name="default")], defaults=cf)
    assert [t["name"] for t in result.task("newest")["tasks"]] == ["new", "old"]
    assert [t["name"] for t in result.task("default")["tasks"]] == ["old", "new"]
    assert [r["query"].get("order_by") for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"] == [
        ["-created_at"], None]


def test_info_by_app_and_by_guid(sim, play, cf):
    app = seed_app(sim, {"name": "a"}, {"name": "b", "state": "SUCCEEDED"})
    result = play([
        dict(info(app_guid=app["guid"], states=["SUCCEEDED"])[0], name="by-app"),
        dict(info(guid=app["tasks"][0]["guid"])[0], name="by-guid", check_mode=True),
        dict(info(guid=UNKNOWN)[0], name="unknown-guid"),
        dict(info(app_guid=UNKNOWN)[0], name="unknown-app", ignore_errors=True),
    ], defaults=cf)
    assert [t["name"] for t in result.task("by-app")["tasks"]] == ["b"]
    assert [t["name"] for t in result.task("by-guid")["tasks"]] == ["a"]
    assert result.task("unknown-guid")["tasks"] == [], "a guid that does not exist is []"
    assert result.task("unknown-guid")["changed"] is False
    assert result.status("unknown-app") == "failed", "a parent that does not exist fails"
    assert "App not found" in result.task("unknown-app")["msg"]
    assert [c for c in calls(sim) if c[0] == "GET" and c[1].startswith("/v3/")] == [
        ("GET", "/v3/apps/%s/tasks" % app["guid"]), ("GET", "/v3/tasks/%s" % app["tasks"][0]["guid"]),
        ("GET", "/v3/tasks/%s" % UNKNOWN), ("GET", "/v3/apps/%s/tasks" % UNKNOWN)]


def test_info_refuses_contradictory_filters(sim, play, cf):
    cases = [({"guid": UNKNOWN, "names": ["a"]}, "parameters are mutually exclusive: guid|names"),
             ({"guid": UNKNOWN, "app": "web"}, "parameters are mutually exclusive: guid|app"),
             ({"app_guid": UNKNOWN, "space_guids": [UNKNOWN]}, "parameters are mutually exclusive: app_guid|space_guids"),
             ({"app_guid": UNKNOWN, "app": "web"}, "parameters are mutually exclusive: app_guid|app"),
             ({"space": "prod", "space_guids": [UNKNOWN]}, "parameters are mutually exclusive: space|space_guids"),
             ({"org": "acme", "organization_guids": [UNKNOWN]},
              "parameters are mutually exclusive: org|organization_guids"),
             ({"names": ["a,b"]}, "names 'a,b' holds a comma, which Cloud Foundry's comma-separated filter would split"),
             ({"org": "a,b"}, "org 'a,b' holds a comma"),
             ({"order_by": "name"}, "value of order_by must be one of: created_at, -created_at, updated_at, -updated_at"),
             ({"states": ["DONE"]}, "value of states must be one or more of")]
    result = play([dict(info(**args)[0], name="case-%d" % n, ignore_errors=True) for n, (args, dummy) in enumerate(cases)],
                  defaults=cf)
    for n, (args, words) in enumerate(cases):
        assert result.status("case-%d" % n) == "failed" and words in result.task("case-%d" % n)["msg"], args
    assert sim.requests() == []


def test_info_survives_gateway_errors(sim, play, cf):
    seed_app(sim, {"name": "a"})
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks", kind="status", status=503, times=1)
    out = play(info(names=["a"]), defaults=cf).task("info")
    assert [t["name"] for t in out["tasks"]] == ["a"]
    assert [r["status"] for r in sim.requests("cloudfoundry")][-2:] == [503, 200]


def test_unexpected_shape_fails_without_traceback(sim, play, cf):
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks", kind="wrong_shape", times=1)
    out = play(info(names=["a"]), defaults=cf).task("info")
    assert "unexpected shape: pagination: Field required" in out["msg"] and "Traceback" not in str(out)


def test_a_wait_that_fails_still_reports_the_cancel_it_made(sim, play, cf):
    app = seed_app(sim, {"name": "a"})
    guid = app["tasks"][0]["guid"]
    # The first poll fails for good (a 404 is no reason to retry): the cancel before it still counts.
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks/%s$" % guid, kind="status", status=404, times=-1)
    result = play(cancel(app_guid=app["guid"], name="a", wait=True, wait_sleep=0.2), defaults=cf)
    out = result.task("cancel")
    assert result.rc != 0 and "HTTP 404" in out["msg"]
    assert out["changed"] is True and out["canceled"] == [guid] and out["tasks"][0]["state"] == "CANCELING"
    assert cancel_posts(sim) == ["/v3/tasks/%s/actions/cancel" % guid]
