"""The vsp_job_cancel role, through playbooks/vsp_job_cancel.yml and ansible-playbook, against the simulator.

check mode -> real run -> idempotent re-run, then refusals before any request, then failures that
must not stop the other jobs. One vsp_job run per role run (issue 13): one Keycloak token and one
CSRF session whatever the number of jobs (by filter, vsp_job_info's run adds one of each). Cases
that need no request log of their own share ansible-playbook runs (one inventory host per case, see
run_batch): the refusals, three cases with credentials from the environment, and three with
credentials from module_defaults.
"""


import re

import pytest

import roleplay

PLAYBOOK = "playbooks/vsp_job_cancel.yml"
TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
SUMMARY_TASK = "Record what was cancelled as vsp_job_cancel_summary"
CANCEL = ("POST", "/vsp/mapi/v1/jobs/cancel")
LIST = ("POST", "/vsp/mapi/v1/jobs/list")
STATUS = ("POST", "/vsp/mapi/v1/jobs/status")
TOKEN = ("POST", TOKEN_PATH)
CSRF = ("GET", "/vsp/mapi/v1/csrf")
FINAL = "Fail naming every job that could not be cancelled"


def vsp_env(url):
    return {"VSP_API_URL": url + "/vsp/mapi", "VSP_TOKEN_URL": url + TOKEN_PATH,
            "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret"}


@pytest.fixture
def env(sim):
    return vsp_env(sim.url)


def seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs)}
    if settings:
        body["settings"] = settings
    sim.seed(vsp=body)


def summary(result):
    return result.task(SUMMARY_TASK)["ansible_facts"]["vsp_job_cancel_summary"]


def report(result):
    return result.task("Report which jobs were cancelled and which were left")["msg"]


def sent(sim, call, since=0):
    return [r for r in sim.requests("vsp", since=since) if (r["method"], r["path"]) == call]


def states(sim):
    return job_states(sim.state("vsp"))


def job_states(vsp_state, ids=None):
    """Each job's state, of every job or of those in ``ids`` (a batched run's, where other cases have theirs)."""
    return {j["jobId"]["id"]: j["jobState"] for j in vsp_state["jobs"] if ids is None or j["jobId"]["id"] in ids}


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def changed_tasks(result):
    return [r["task"] for r in result.results if r["result"].get("changed")]


def calls(sim, since=0):
    return [(r["method"], r["path"]) for r in sim.requests("vsp", since=since)]


def test_cancel_by_ids_check_real_rerun(sim, playbook, env):
    seed(sim, {"id": 1, "jobState": "EXECUTING", "bucketName": "b1"},
         {"id": -2, "jobState": "PROCESSING", "jobType": "LIFECYCLE_UPDATE", "bucketName": "b2"},
         {"id": 3, "jobState": "COMPLETE"})
    ids = {"vsp_job_cancel_job_ids": [1, -2, 3, 1]}

    check = playbook(PLAYBOOK, ids, env=env, check=True)
    assert check.rc == 0, check
    s = summary(check)
    assert s["check_mode"] is True and s["selected_by"] == "job_ids"
    # Check mode shows the state a real run would leave.
    assert [(j["job_id"], j["state"]) for j in s["canceled"]] == [(1, "CANCELLED"), (-2, "CANCELLED")]
    assert [(j["job_id"], j["reason"]) for j in s["left"]] == [(3, "already COMPLETE")]
    assert s["failed"] == []
    assert report(check)[0] == "Check mode: nothing was cancelled; a real run would cancel what is listed."
    assert re.fullmatch(r"Would cancel job 1 \(BATCH_REPLICATE on b1, started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\), "
                        r"leaving it CANCELLED", report(check)[1]), report(check)
    assert sent(sim, CANCEL) == [] and states(sim) == {1: "EXECUTING", -2: "PROCESSING", 3: "COMPLETE"}

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, ids, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert [(j["job_id"], j["state"]) for j in s["canceled"]] == [(1, "CANCELLED"), (-2, "CANCELLED")]
    assert [j["job_id"] for j in s["left"]] == [3]
    assert any(re.fullmatch(r"Cancelled job -2 \(LIFECYCLE_UPDATE on b2, started \S+Z\), now CANCELLED", line)
               for line in report(real)), report(real)
    assert "Left job 3 (BATCH_REPLICATE on bucket-1) alone: already COMPLETE" in report(real)
    assert sorted(r["body"]["jobId"]["id"] for r in sent(sim, CANCEL, seq)) == [-2, 1], "duplicates handled once"
    assert calls(sim, seq) == [TOKEN, CSRF] + [STATUS] * 3 + [CANCEL] * 2, "one module run for every job"
    assert states(sim) == {1: "CANCELLED", -2: "CANCELLED", 3: "COMPLETE"}

    seq = last_seq(sim)
    again = playbook(PLAYBOOK, ids, env=env)
    assert again.rc == 0, again
    assert changed_tasks(again) == [], "a second run changes nothing"
    assert summary(again)["canceled"] == [] and len(summary(again)["left"]) == 3
    assert sent(sim, CANCEL, seq) == []


def test_cancel_by_type_and_bucket(sim, playbook, env):
    seed(sim, {"id": 1, "jobType": "BATCH_REPLICATE", "bucketName": "b1"},
         {"id": 2, "jobType": "LIFECYCLE_UPDATE", "bucketName": "b1"},
         {"id": 3, "jobType": "BATCH_REPLICATE", "bucketName": "b2"},
         {"id": 4, "jobType": "BATCH_REPLICATE", "bucketName": "b1", "jobState": "FAILED"},
         {"id": 5, "jobType": "BATCH_REPLICATE", "bucketName": "b1", "jobState": "EXAMINING"})
    selection = {"vsp_job_cancel_job_types": ["BATCH_REPLICATE"], "vsp_job_cancel_bucket_name": "b1"}

    check = playbook(PLAYBOOK, selection, env=env, check=True)
    assert [j["job_id"] for j in summary(check)["canceled"]] == [1, 5] and sent(sim, CANCEL) == []

    seq = last_seq(sim)
    real = playbook(PLAYBOOK, selection, env=env)
    assert real.rc == 0, real
    s = summary(real)
    assert s["selected_by"] == "filter" and [j["job_id"] for j in s["canceled"]] == [1, 5]
    assert states(sim) == {1: "CANCELLED", 2: "EXECUTING", 3: "EXECUTING", 4: "FAILED", 5: "CANCELLED"}
    lists = sent(sim, LIST)
    assert len(lists) == 2 and lists[0]["body"]["bucketName"] == "b1"
    # By filter, two module runs: the list (vsp_job_info), then one vsp_job run for both jobs.
    assert calls(sim, seq) == [TOKEN, CSRF, LIST, TOKEN, CSRF, STATUS, STATUS, CANCEL, CANCEL]

    again = playbook(PLAYBOOK, selection, env=env)
    assert changed_tasks(again) == [] and report(again) == ["No job selected: nothing to do."]


@pytest.fixture(scope="module")
def env_run(simulator, tmp_path_factory):
    """One run of the playbook's play, credentials from the environment, three cases on jobs of their own:
    unknown_job (5, 404, 6), list_fails (the jobs of bucket b1, job 1, with every list answered 500;
    the others select by ID and never list) and wait (8 and 9, each EXECUTING a while after its cancel:
    only a wait sees them CANCELLED). The play has a short wait_sleep: the role passes none, and vsp_job
    polls every 2 s by default, in real time (an ansible-playbook run does not use the simulator's clock)."""
    def seed_and_fault(sim):
        seed(sim, {"id": 5}, {"id": 6}, {"id": 1, "bucketName": "b1"}, {"id": 8, "cancel_delay": 0.5},
             {"id": 9, "cancel_delay": 0.75})
        sim.fault(api="vsp", path="/jobs/list", kind="status", status=500, times=-1)

    hosts = {"unknown_job": {"vsp_job_cancel_job_ids": [5, 404, 6]}, "list_fails": {"vsp_job_cancel_bucket_name": "b1"},
             "wait": {"vsp_job_cancel_job_ids": [8, 9], "vsp_job_cancel_wait": True}}
    play = roleplay.playbook_play(PLAYBOOK, "cases", module_defaults={"jobctl.cloud.vsp_job": {"wait_sleep": 0.1}})
    return roleplay.run_batch(
        simulator, tmp_path_factory.mktemp("env"), hosts, lambda sim: [play], vsp_env, seed=seed_and_fault,
        keep=["vsp"])


def test_an_unknown_job_does_not_stop_the_others(env_run):
    result = env_run.case("unknown_job")
    assert result.rc != 0
    assert job_states(env_run.state["vsp"], (5, 6)) == {5: "CANCELLED", 6: "CANCELLED"}
    s = summary(result)
    assert [j["job_id"] for j in s["canceled"]] == [5, 6] and [j["job_id"] for j in s["failed"]] == [404]
    assert s["error"] == ""
    msg = result.task(FINAL)["msg"]
    assert msg == ("Could not cancel 1 VSP job(s): job 404: VSP One Object API POST /vsp/mapi/v1/jobs/status "
                   "failed: HTTP 404 Job not found: No job with ID 404 exists. [code NOT_FOUND]")


def test_a_list_that_fails_cancels_nothing(env_run):
    result = env_run.case("list_fails")
    assert result.rc != 0
    msg = result.task(FINAL)["msg"]
    assert msg.startswith("Could not list the VSP jobs, so none was cancelled: ") and "HTTP 500" in msg
    # The run's cancels are the other cases' own, each once: this case sent none.
    cancels = [r for r in env_run.requests if (r["method"], r["path"]) == CANCEL]
    assert sorted(r["body"]["jobId"]["id"] for r in cancels) == [5, 6, 8, 9]
    assert job_states(env_run.state["vsp"], (1,)) == {1: "EXECUTING"}


def test_wait_until_each_job_has_stopped(env_run):
    result = env_run.case("wait")
    assert result.rc == 0, result
    assert [j["state"] for j in summary(result)["canceled"]] == ["CANCELLED", "CANCELLED"]
    polls = [r for r in env_run.requests if (r["method"], r["path"]) == STATUS and r["body"]["jobId"]["id"] in (8, 9)]
    assert len(polls) >= 4, "polled after the cancels"


def test_a_wait_that_times_out_fails_after_the_summary(defaults_run):
    result = defaults_run.case("timeout")
    assert result.rc != 0
    s = summary(result)
    assert [j["job_id"] for j in s["canceled"]] == [8] and s["failed"] == []
    assert "timed out after 1 seconds waiting for job 8 to stop" in s["error"]
    assert result.task(FINAL)["msg"].startswith("The VSP job cancel failed: timed out after 1 seconds")


def test_a_run_that_fails_before_handling_the_jobs_names_each_of_them(sim, play):
    seed(sim, {"id": 1}, {"id": 2})
    sim.fault(api="vsp", path="/jobs/status", kind="status", status=500, times=-1)
    result = play([{"name": "run the role", "ansible.builtin.include_role": {"name": "jobctl.cloud.vsp_job_cancel"}}],
                  defaults=module_defaults(sim, retries=0), play_vars={"vsp_job_cancel_job_ids": [1, 2]})
    assert result.rc != 0
    s = summary(result)
    # Each job's read failed on its own (a 5xx is about that job): each is named with the API's words.
    words = "VSP One Object API POST /vsp/mapi/v1/jobs/status failed: HTTP 500 Internal server error"
    assert s["canceled"] == [] and [j["job_id"] for j in s["failed"]] == [1, 2]
    assert all(j["msg"].startswith(words) for j in s["failed"]), s["failed"]
    assert result.task(FINAL)["msg"].startswith("Could not cancel 2 VSP job(s): job 1: " + words)
    assert sent(sim, CANCEL) == [] and states(sim) == {1: "EXECUTING", 2: "EXECUTING"}


def test_a_bulk_cancel_of_forty_jobs_costs_one_token_and_one_csrf_fetch(sim, playbook, env):
    # With rotation on (the simulator's default is one XSRF token for the session): the harder case.
    seed(sim, *[{"id": 1000 + n, "jobState": "EXECUTING" if n % 4 else "COMPLETE"} for n in range(40)],
         csrf_rotation=True)
    ids = list(range(1000, 1040))
    result = playbook(PLAYBOOK, {"vsp_job_cancel_job_ids": ids}, env=env)
    assert result.rc == 0, result
    s = summary(result)
    assert [j["job_id"] for j in s["canceled"]] == [i for i in ids if i % 4]
    assert [j["job_id"] for j in s["left"]] == [i for i in ids if not i % 4]
    assert calls(sim) == [TOKEN, CSRF] + [STATUS] * 40 + [CANCEL] * 30
    counts = sim.state("vsp")["counts"]
    assert counts["tokens_issued"] == 1 and counts["csrf_issued"] == 1
    assert counts["csrf_rotated"] == 70 and counts["csrf_refused"] == 0, "each POST carried the rotated token"
    assert set(states(sim).values()) == {"CANCELLED", "COMPLETE"}


def test_the_final_failure_names_every_job_that_could_not_be_cancelled_while_the_others_were(sim, playbook, env):
    seed(sim, {"id": 1}, {"id": 2, "refuse_cancel": True}, {"id": 3, "jobState": "FAILED"}, {"id": 4},
         {"id": 5, "refuse_cancel": True, "jobState": "PROCESSING"}, {"id": 6})
    result = playbook(PLAYBOOK, {"vsp_job_cancel_job_ids": [1, 2, 404, 3, 4, 5, 6]}, env=env)
    assert result.rc != 0
    assert states(sim) == {1: "CANCELLED", 2: "EXECUTING", 3: "FAILED", 4: "CANCELLED", 5: "PROCESSING",
                           6: "CANCELLED"}
    s = summary(result)
    assert [j["job_id"] for j in s["canceled"]] == [1, 4, 6] and [j["job_id"] for j in s["left"]] == [3]
    assert [(j["job_id"], j["state"]) for j in s["failed"]] == [(2, "EXECUTING"), (404, None), (5, "PROCESSING")]
    msg = result.task(FINAL)["msg"]
    assert msg.startswith("Could not cancel 3 VSP job(s): job 2 (EXECUTING): the API refused the cancel and the job "
                          "is still EXECUTING: ")
    assert "; job 404: VSP One Object API POST /vsp/mapi/v1/jobs/status failed: HTTP 404 Job not found" in msg
    assert "; job 5 (PROCESSING): the API refused the cancel and the job is still PROCESSING: " in msg
    assert "Job 5 cannot be cancelled now." in msg
    assert any(re.fullmatch(r"Cancelled job 6 \(BATCH_REPLICATE on bucket-1, started \S+Z\), now CANCELLED", line)
               for line in report(result)), report(result)
    assert calls(sim)[:2] == [TOKEN, CSRF] and calls(sim).count(TOKEN) == 1 and calls(sim).count(CSRF) == 1


BAD_VARIABLES = [
    ({"vsp_job_cancel_job_ids": [1], "vsp_job_cancel_bucket_name": "b1"}, "not both"),
    ({}, "Nothing selected"),
    ({"vsp_job_cancel_job_ids": [1, 2147483648]}, "not a 32-bit job ID: 2147483648"),
    ({"vsp_job_cancel_job_types": ["BACKUP"]}, "Got no match for: BACKUP"),
    ({"vsp_job_cancel_job_ids": ["one"]}, "vsp_job_cancel_job_ids"),
]
# Where a refusal may come from: the role's argument spec validation, or its first task.
REFUSERS = ("Validating arguments against arg spec 'main'", "Check the selection before the first request")


@pytest.fixture(scope="module")
def refusals(simulator, tmp_path_factory):
    """Every bad set of variables in one run of the playbook's play, a host each (case0, case1, ...)."""
    hosts = {"case%d" % i: variables for i, (variables, dummy) in enumerate(BAD_VARIABLES)}
    return roleplay.run_batch(simulator, tmp_path_factory.mktemp("refusals"), hosts, lambda sim: [roleplay.playbook_play(PLAYBOOK, "cases")], vsp_env)


@pytest.mark.parametrize("variables,words", BAD_VARIABLES)
def test_bad_variables_fail_before_any_request(refusals, variables, words):
    result = refusals.case("case%d" % BAD_VARIABLES.index((variables, words)))
    assert result.rc != 0
    failed = [r for r in result.results if r["status"] == "failed"]
    assert failed and words in failed[0]["result"]["msg"], failed
    assert len(failed) == 1 and any(name in failed[0]["task"] for name in REFUSERS), failed
    assert refusals.requests == [], "no case of the run sent a request"


def module_defaults(sim, **extra):
    return {"group/jobctl.cloud.vsp": dict({"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + TOKEN_PATH,
                                            "username": "vsp-admin", "password": "vsp-secret"}, **extra)}


@pytest.fixture(scope="module")
def defaults_run(simulator, tmp_path_factory):
    """One run of plays that include the role, credentials from module_defaults alone (none in the
    environment), cases on jobs of their own. First play: credentials (job 11) and timeout (job 8,
    which stays EXECUTING an hour after its cancel, waited for 1 s). Second play, after it (a play
    whose hosts all fail would end the run, and timeout fails): two_runs (jobs 1 in b1 and 2 in b2,
    every list answered 500; the first play's cases select by ID and never list)."""
    def seed_and_fault(sim):
        seed(sim, {"id": 11}, {"id": 8, "cancel_delay": 3600}, {"id": 1, "bucketName": "b1"},
             {"id": 2, "bucketName": "b2"})
        sim.fault(api="vsp", path="/jobs/list", kind="status", status=500, times=-1)

    def plays(sim):
        role = {"name": "jobctl.cloud.vsp_job_cancel"}
        base = {"name": "test", "gather_facts": False, "connection": "local"}
        return [
            dict(base, hosts="credentials,timeout", module_defaults=module_defaults(sim),
                 tasks=[{"name": "run the role", "ansible.builtin.include_role": role}]),
            # The second run fails to list: its summary must not show what the first run cancelled.
            dict(base, hosts="two_runs", module_defaults=module_defaults(sim, retries=0), tasks=[
                {"name": "by id", "ansible.builtin.include_role": role, "vars": {"vsp_job_cancel_job_ids": [2]}},
                {"name": "second", "block": [{"name": "by filter", "ansible.builtin.include_role": role,
                                              "vars": {"vsp_job_cancel_bucket_name": "b1"}}],
                 "rescue": [{"name": "carry on", "ansible.builtin.debug": {"msg": "the second run failed, as it should"}}]},
            ]),
        ]

    hosts = {"credentials": {"vsp_job_cancel_job_ids": [11]},
             "timeout": {"vsp_job_cancel_job_ids": [8], "vsp_job_cancel_wait": True, "vsp_job_cancel_wait_timeout": 1},
             "two_runs": {}}
    return roleplay.run_batch(simulator, tmp_path_factory.mktemp("defaults"), hosts, plays, seed=seed_and_fault, keep=["vsp"])


def test_credentials_from_module_defaults(defaults_run):
    result = defaults_run.case("credentials")
    assert result.rc == 0, result
    assert job_states(defaults_run.state["vsp"], (11,)) == {11: "CANCELLED"}


def test_two_runs_of_the_role_in_one_play_keep_their_summaries_apart(defaults_run):
    result = defaults_run.case("two_runs")
    assert result.rc == 0, result
    summaries = [r["result"]["ansible_facts"]["vsp_job_cancel_summary"] for r in result.results
                 if r["task"].endswith(SUMMARY_TASK)]
    assert [j["job_id"] for j in summaries[0]["canceled"]] == [2] and summaries[0]["list_error"] == ""
    assert summaries[1]["selected_by"] == "filter" and "HTTP 500" in summaries[1]["list_error"]
    assert summaries[1]["canceled"] == [] and summaries[1]["failed"] == [] and summaries[1]["left"] == []
    finals = [r for r in result.results if r["task"].endswith(FINAL)]
    assert [r["status"] for r in finals] == ["skipped", "failed"]
    assert job_states(defaults_run.state["vsp"], (1, 2)) == {1: "EXECUTING", 2: "CANCELLED"}
