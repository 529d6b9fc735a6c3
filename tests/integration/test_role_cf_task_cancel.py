"""The cf_task_cancel role, through playbooks/cf_task_cancel.yml and through a play with module_defaults.

Check mode -> real run -> idempotent re-run, then refusals and failures; requests are counted from
the simulator's log. The refusals share one ansible-playbook run, and so do the names that do not
decide, the failed listing and the task that finished meanwhile (one inventory host per case, see
run_batch).
"""


import re

import pytest

import roleplay

PLAYBOOK = "playbooks/cf_task_cancel.yml"
CANCEL = "Cancel the matching tasks that are old enough"
SUMMARY = "Record what was canceled and what was left as cf_task_cancel_summary"
REPORT = "Report which tasks were canceled and which were left"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
LOGIN_PATHS = ("/cf/", "/cf/login/oauth/token")
UNKNOWN = "0a0a0a0a-0000-4000-8000-000000000000"


def cf_env(url):
    # What tests/utils/with-simulator.sh exports, and what a Molecule scenario would use.
    return {"CF_API_URL": url + "/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret"}


@pytest.fixture
def env(sim):
    return cf_env(sim.url)


def seed_app(sim, *tasks, **app):
    app.setdefault("name", "web")
    return sim.seed(cloudfoundry={"apps": [dict(app, tasks=list(tasks))]})["cloudfoundry"]["apps"][0]


def summary(result):
    return result.task(SUMMARY)["ansible_facts"]["cf_task_cancel_summary"]


def posts(sim, since=0):
    return cancels(sim.requests("cloudfoundry", since=since))


CANCEL_PATH = "/cf/v3/tasks/%s/actions/cancel"


def cancels(requests):
    return [r["path"] for r in requests if r["api"] == "cloudfoundry" and r["method"] == "POST"
            and r["path"].endswith("/actions/cancel")]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def test_cancel_old_tasks_of_an_app_by_name_check_real_rerun(sim, playbook, env):
    app = seed_app(sim, {"name": "migrate", "age_seconds": 90 * 60}, {"name": "migrate", "age_seconds": 5 * 60},
                   {"name": "migrate", "state": "PENDING", "age_seconds": 120 * 60},
                   {"name": "migrate", "state": "SUCCEEDED", "age_seconds": 200 * 60},
                   {"name": "report", "age_seconds": 300 * 60})
    old, young, pending = (t["guid"] for t in app["tasks"][:3])
    extra = {"cf_task_cancel_app_guid": app["guid"], "cf_task_cancel_names": ["migrate"],
             "cf_task_cancel_older_than_minutes": 60}

    check = playbook(PLAYBOOK, extra_vars=extra, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    # Only tasks created before the cutoff are listed (Cloud Controller's created_ats[lt]): the young one is not.
    assert s["check_mode"] is True and s["matched"] == 2 and s["failed"] == [] and s["left"] == []
    assert ISO.match(s["created_before"]) and app["tasks"][1]["created_at"] > s["created_before"] > app["tasks"][0]["created_at"]
    # In Cloud Controller's order: oldest first; as a real run would leave them.
    assert [(t["guid"], t["state"]) for t in s["canceled"]] == [(pending, "CANCELING"), (old, "CANCELING")]
    assert check.task(CANCEL)["changed"] is True
    assert check.task(CANCEL)["msg"] == "would cancel 2 of 2 tasks created before %s (migrate %s, migrate %s)" % (
        s["created_before"], pending, old)
    assert posts(sim) == [], "check mode cancels nothing"
    report = check.task(REPORT)["msg"]
    assert report[0] == ("Cloud Foundry task cancel (check mode, nothing canceled): 2 task(s) matched (created before "
                         "%s), would cancel 2, left 0" % s["created_before"])
    assert "- would cancel migrate (%s), created %s, which would leave it CANCELING" % (
        old, app["tasks"][0]["created_at"]) in report

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, extra_vars=extra, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert [(t["guid"], t["state"]) for t in s["canceled"]] == [(pending, "CANCELING"), (old, "CANCELING")]
    assert real.task(CANCEL)["changed"] is True
    assert sorted(posts(sim, seq)) == sorted("/cf/v3/tasks/%s/actions/cancel" % g for g in (old, pending))
    listing = [r for r in sim.requests("cloudfoundry", since=seq) if r["path"].endswith("/tasks")]
    assert [(r["path"], r["query"]) for r in listing] == [("/cf/v3/apps/%s/tasks" % app["guid"], {
        "names": ["migrate"], "states": ["PENDING,RUNNING"], "created_ats[lt]": [s["created_before"]],
        "per_page": ["5000"]})]
    # One module run: one root document, one token, one listing, a cancel per task; no read of each task.
    assert len(sim.requests("cloudfoundry", since=seq)) == 5
    states = {t["guid"]: t["state"] for t in sim.state("cloudfoundry")["tasks"]}
    assert [states[t["guid"]] for t in app["tasks"]] == ["CANCELING", "RUNNING", "CANCELING", "SUCCEEDED", "RUNNING"]

    seq = last_seq(sim)
    again = playbook(PLAYBOOK, extra_vars=extra, env=env)
    assert again.rc == 0, again
    assert again.task(CANCEL)["changed"] is False
    assert summary(again)["canceled"] == [] and summary(again)["left"] == [] and summary(again)["failed"] == []
    # Nothing left to cancel under that name: a success that says so, and warns (a mistyped name looks the same).
    said = "no PENDING or RUNNING task named 'migrate' in app %s created before %s" % (
        app["guid"], summary(again)["created_before"])
    assert again.task(CANCEL)["msg"] == "nothing to cancel: " + said
    assert again.task(CANCEL)["warnings"] == [said + ": nothing to cancel"]
    assert summary(again)["unmatched_names"] == ["migrate"]
    assert "- no task named 'migrate' matched: nothing to cancel" in again.task(REPORT)["msg"]
    assert posts(sim, seq) == []
    assert "changed=0" in again.stdout


def test_labels_spaces_states_and_wait_with_module_defaults(sim, play):
    # A cancelled task is CANCELING for half a second, then FAILED: only a wait shows it FAILED.
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 0.5}})
    space = "aaaaaaaa-0000-4000-8000-000000000001"
    app = seed_app(sim, {"name": "a", "state": "PENDING", "labels": {"team": "x"}},
                   {"name": "b", "state": "RUNNING", "labels": {"team": "x"}},
                   {"name": "c", "state": "PENDING", "labels": {"team": "y"}}, space_guid=space)
    other = seed_app(sim, {"name": "a", "state": "PENDING", "labels": {"team": "x"}}, name="elsewhere")
    # The role passes no wait_sleep: the play sets a short one (cf_task polls every 2 s by default,
    # in real time: an ansible-playbook run does not use the simulator's clock).
    defaults = {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "client_id": "jobctl-client",
                                                    "client_secret": "jobctl-client-secret"},
                "jobctl.cloud.cf_task": {"wait_sleep": 0.1}}
    selection = {"cf_task_cancel_space_guids": [space], "cf_task_cancel_label_selector": "team=x",
                 "cf_task_cancel_states": ["PENDING"], "cf_task_cancel_wait": True, "cf_task_cancel_wait_timeout": 30}
    role = [{"name": "Preview", "ansible.builtin.include_role": {"name": "jobctl.cloud.cf_task_cancel",
                                                                 "apply": {"check_mode": True}}, "vars": selection},
            {"name": "Cancel", "ansible.builtin.include_role": {"name": "jobctl.cloud.cf_task_cancel"}, "vars": selection}]
    result = play(role, defaults=defaults)
    assert result.rc == 0, result
    preview, s = [r["result"]["ansible_facts"]["cf_task_cancel_summary"] for r in result.results if r["task"].endswith(SUMMARY)]
    # check_mode on the include, not --check: ansible_check_mode is false, the summary must still say so.
    assert preview["check_mode"] is True and [t["state"] for t in preview["canceled"]] == ["CANCELING"]
    assert [r["result"]["msg"][0] for r in result.results if r["task"].endswith(REPORT)][0].startswith(
        "Cloud Foundry task cancel (check mode, nothing canceled): 1 task(s) matched, would cancel 1")
    assert s["check_mode"] is False
    assert [(t["guid"], t["state"]) for t in s["canceled"]] == [(app["tasks"][0]["guid"], "FAILED")]
    assert s["left"] == [] and s["matched"] == 1
    states = {t["guid"]: t["state"] for t in sim.state("cloudfoundry")["tasks"]}
    assert states[app["tasks"][1]["guid"]] == "RUNNING" and states[other["tasks"][0]["guid"]] == "PENDING"
    assert states[app["tasks"][2]["guid"]] == "PENDING"
    assert sim.requests("cloudfoundry")[1]["body"]["grant_type"] == "client_credentials"


BAD_SELECTIONS = [
    ({}, "Got: no selector"),
    ({"cf_task_cancel_older_than_minutes": 10, "cf_task_cancel_states": ["RUNNING"]}, "Got: no selector"),
    ({"cf_task_cancel_app_guid": UNKNOWN, "cf_task_cancel_space_guids": [UNKNOWN]}, "Got: app_guid, space_guids"),
    ({"cf_task_cancel_names": ["a"], "cf_task_cancel_states": ["CANCELING"]}, "cf_task_cancel_states"),
    ({"cf_task_cancel_names": ["a"], "cf_task_cancel_wait": "maybe"}, "cf_task_cancel_wait"),
    ({"cf_task_cancel_app": "web", "cf_task_cancel_app_guid": UNKNOWN}, "Got: app, app_guid"),
    ({"cf_task_cancel_space": "prod", "cf_task_cancel_space_guids": [UNKNOWN]}, "Got: space, space_guids"),
    ({"cf_task_cancel_app": "web", "cf_task_cancel_space_guids": [UNKNOWN]}, "Got: app, space_guids"),
    ({"cf_task_cancel_org": "acme", "cf_task_cancel_app_guid": UNKNOWN}, "Got: org, app_guid"),
]
# Where a refusal may come from: the role's argument spec validation, or its first task.
REFUSERS = ("Validating arguments against arg spec 'main'", "Refuse a selection that could reach every task")


@pytest.fixture(scope="module")
def refusals(simulator, tmp_path_factory):
    """Every bad selection in one run of the playbook's play, a host each (case0, case1, ...)."""
    hosts = {"case%d" % i: extra for i, (extra, dummy) in enumerate(BAD_SELECTIONS)}
    return roleplay.run_batch(simulator, tmp_path_factory.mktemp("refusals"), hosts, lambda sim: [roleplay.playbook_play(PLAYBOOK, "cases")], cf_env)


@pytest.mark.parametrize("extra,words", BAD_SELECTIONS)
def test_bad_selections_are_refused_before_any_request(refusals, extra, words):
    result = refusals.case("case%d" % BAD_SELECTIONS.index((extra, words)))
    assert result.rc != 0
    assert words in result.stdout
    failed = [r for r in result.results if r["status"] == "failed"]
    assert len(failed) == 1 and words in failed[0]["result"]["msg"], result.results
    assert any(name in failed[0]["task"] for name in REFUSERS), failed[0]["task"]
    assert refusals.requests == [], "no case of the run sent a request"


def test_a_failed_listing_still_ends_with_a_summary(shared_run):
    result = shared_run.case("unknown_app")
    assert result.rc != 0
    s = summary(result)
    # A failure no listed task can be blamed for is one entry without a task.
    assert s["matched"] == 0 and "App not found" in s["msg"]
    assert [(f["guid"], f["reason"]) for f in s["failed"]] == [(None, s["msg"])]
    assert result.task(REPORT)["msg"][-1].startswith("FAILED: Cloud Foundry API GET /cf/v3/apps/%s/tasks failed" % UNKNOWN)
    # The run's cancels are all racy's, of its own tasks (see shared_run).
    assert sorted(cancels(shared_run.requests)) == racy_cancels(shared_run)


def test_a_task_that_finished_meanwhile_is_left_with_its_reason(shared_run):
    result = shared_run.case("racy")
    assert result.rc == 0, result
    s = summary(result)
    racy, plain = (t["guid"] for t in shared_run.seeded["racy"]["tasks"])
    assert [t["guid"] for t in s["canceled"]] == [plain] and s["failed"] == []
    assert s["left"] == [dict(s["left"][0], guid=racy, state="SUCCEEDED", reason="already SUCCEEDED when its turn came")]


ORG = "0000000a-0000-4000-8000-00000000000a"
PROD, STAGING = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"


def seed_foundation(sim):
    """billing-api in acme/production (old and young db-migrate tasks) and in acme/staging."""
    apps = sim.seed(cloudfoundry={"apps": [
        {"name": "billing-api", "space_guid": PROD, "space_name": "production", "organization_guid": ORG,
         "organization_name": "acme", "tasks": [{"name": "db-migrate", "age_seconds": 90 * 60},
                                                {"name": "DB-Migrate", "age_seconds": 120 * 60, "state": "PENDING"},
                                                {"name": "db-migrate", "age_seconds": 5 * 60}]},
        {"name": "billing-api", "space_guid": STAGING, "space_name": "staging", "organization_guid": ORG,
         "tasks": [{"name": "db-migrate", "age_seconds": 300 * 60}]},
    ]})["cloudfoundry"]["apps"]
    return apps


@pytest.fixture
def foundation(sim):
    return seed_foundation(sim)


def lookups(sim, since=0):
    return [(r["path"], r["query"]) for r in sim.requests("cloudfoundry", since=since)
            if r["path"] in ("/cf/v3/organizations", "/cf/v3/spaces", "/cf/v3/apps")]


def test_cancel_by_org_space_and_app_names_check_real_rerun(sim, playbook, env, foundation):
    prod = foundation[0]
    old, old_pending, young = (t["guid"] for t in prod["tasks"])
    extra = {"cf_task_cancel_org": "acme", "cf_task_cancel_space": "production", "cf_task_cancel_app": "billing-api",
             "cf_task_cancel_names": ["db-migrate"], "cf_task_cancel_older_than_minutes": 60}

    check = playbook(PLAYBOOK, extra_vars=extra, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    assert s["check_mode"] is True and s["matched"] == 2, "only tasks old enough are listed"
    assert [t["guid"] for t in s["canceled"]] == [old_pending, old], "both spellings: names match case-insensitively"
    assert s["left"] == [] and young not in [t["guid"] for t in s["canceled"]]
    assert posts(sim) == []
    assert lookups(sim) == [
        ("/cf/v3/organizations", {"names": ["acme"], "per_page": ["5000"]}),
        ("/cf/v3/spaces", {"names": ["production"], "organization_guids": [ORG], "per_page": ["5000"]}),
        ("/cf/v3/apps", {"names": ["billing-api"], "space_guids": [PROD], "per_page": ["5000"]})]

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, extra_vars=extra, env=env)
    assert real.rc == 0, real
    assert [(t["guid"], t["state"]) for t in summary(real)["canceled"]] == [(old_pending, "CANCELING"), (old, "CANCELING")]
    assert sorted(posts(sim, seq)) == sorted("/cf/v3/tasks/%s/actions/cancel" % g for g in (old, old_pending))
    assert len(lookups(sim, seq)) == 3, "one list request per name"
    logins = [r for r in sim.requests("cloudfoundry", since=seq) if r["path"] in LOGIN_PATHS]
    assert len(logins) == 2, "one module run: one root document and one token"
    states = {t["guid"]: t["state"] for t in sim.state("cloudfoundry")["tasks"]}
    assert states[young] == "RUNNING" and states[foundation[1]["tasks"][0]["guid"]] == "RUNNING"

    seq = last_seq(sim)
    again = playbook(PLAYBOOK, extra_vars=extra, env=env)
    assert again.rc == 0 and again.task(CANCEL)["changed"] is False and posts(sim, seq) == []


NOT_DECIDED = [
    ({"cf_task_cancel_org": "nope", "cf_task_cancel_app": "billing-api"}, "org 'nope' was not found"),
    ({"cf_task_cancel_org": "acme", "cf_task_cancel_space": "qa"}, "space 'qa' was not found in org 'acme'"),
    ({"cf_task_cancel_space": "production", "cf_task_cancel_app": "ghost"},
     "app 'ghost' was not found in space 'production'"),
    ({"cf_task_cancel_app": "billing-api", "cf_task_cancel_names": ["db-migrate"]},
     "app 'billing-api' is in 2 spaces: 'production' (org 'acme'), 'staging' (org 'acme')"),
]


@pytest.fixture(scope="module")
def shared_run(simulator, tmp_path_factory):
    """One run of the playbook's play: a host for each name that does not decide (case0, case1, ...,
    over foundation), one for an app GUID that names nothing (unknown_app), and one for a task that
    finishes meanwhile (racy: app web in the default space, tasks named racy, nothing the other hosts
    select). Only racy sends cancels, for its own two tasks."""
    def seed(sim):
        return {"foundation": seed_foundation(sim),
                "racy": seed_app(sim, {"name": "racy", "succeed_after_lists": 1}, {"name": "racy"})}

    hosts = {"case%d" % i: extra for i, (extra, dummy) in enumerate(NOT_DECIDED)}
    hosts.update(unknown_app={"cf_task_cancel_app_guid": UNKNOWN}, racy={"cf_task_cancel_names": ["racy"]})
    return roleplay.run_batch(
        simulator, tmp_path_factory.mktemp("shared"), hosts, lambda sim: [roleplay.playbook_play(PLAYBOOK, "cases")], cf_env,
        seed=seed)


def racy_cancels(batch):
    return sorted(CANCEL_PATH % task["guid"] for task in batch.seeded["racy"]["tasks"])


@pytest.mark.parametrize("extra,msg", NOT_DECIDED)
def test_names_that_do_not_decide_fail_before_any_cancel_with_a_summary(shared_run, extra, msg):
    result = shared_run.case("case%d" % NOT_DECIDED.index((extra, msg)))
    assert result.rc != 0
    s = summary(result)
    assert s["matched"] == 0 and msg in s["msg"] and [f["guid"] for f in s["failed"]] == [None]
    assert msg in result.task(REPORT)["msg"][-1]
    # The run's cancels and task listings are the other hosts': racy's (by name, across apps; it
    # tries both its tasks) and unknown_app's (the app GUID no name resolves to). A name case adds none.
    assert sorted(cancels(shared_run.requests)) == racy_cancels(shared_run)
    assert sorted(r["path"] for r in shared_run.requests if r["path"].endswith("/tasks")) == sorted([
        "/cf/v3/tasks", "/cf/v3/apps/%s/tasks" % UNKNOWN]), "no task was even listed"


def test_two_hundred_tasks_by_names_take_one_login_three_lookups_one_listing_and_a_cancel_each(sim, playbook, env):
    # Before one module run did it all, the role made 408 requests here: two logins, and a read of every
    # task before its cancel.
    tasks = [{"name": "db-migrate", "age_seconds": 90 * 60} for dummy in range(200)]
    sim.seed(cloudfoundry={"apps": [{"name": "billing-api", "space_guid": PROD, "space_name": "production",
                                     "organization_guid": ORG, "organization_name": "acme", "tasks": tasks}]})
    extra = {"cf_task_cancel_org": "acme", "cf_task_cancel_space": "production", "cf_task_cancel_app": "billing-api",
             "cf_task_cancel_names": ["db-migrate"], "cf_task_cancel_older_than_minutes": 60}
    result = playbook(PLAYBOOK, extra_vars=extra, env=env)
    assert result.rc == 0, result
    assert len(summary(result)["canceled"]) == 200
    sent = sim.requests("cloudfoundry")
    assert len([r for r in sent if r["path"] in LOGIN_PATHS]) == 2
    assert len(lookups(sim)) == 3 and len([r for r in sent if r["path"].endswith("/tasks")]) == 1
    assert len(posts(sim)) == 200
    assert len(sent) == 206
