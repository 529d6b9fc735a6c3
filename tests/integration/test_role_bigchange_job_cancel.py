"""The bigchange_job_cancel role through playbooks/bigchange_job_cancel.yml, against the simulator.

The role must cancel exactly the jobs that have not started, leave every other job as it was, and
say so, in one module run (one token, one read per 50 jobs) whatever the number of jobs; these
tests read the simulator's state and request log after each run to prove it. The bad variables
and the empty list share one ansible-playbook run (one inventory host per case, see run_batch).
"""

import math

import pytest

import roleplay

PLAYBOOK = "playbooks/bigchange_job_cancel.yml"
SUMMARY_TASK = "Record what was cancelled and what was left as bigchange_job_cancel_summary"
CANCEL_TASK = "Cancel every job that has not started"
TOKEN_PATH = "/bigchange/auth/tokens"


def bigchange_env(url):
    return {"BIGCHANGE_API_URL": url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": url + TOKEN_PATH,
            "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
            "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"}


@pytest.fixture
def env(sim):
    return bigchange_env(sim.url)


def seed_jobs(sim, *statuses):
    jobs = [{"status": s, "starts_in": 7200} for s in statuses]
    return [j["id"] for j in sim.seed(bigchange={"jobs": jobs})["bigchange"]["jobs"]]


def statuses(sim):
    return {j["id"]: j["status"] for j in sim.state("bigchange")["jobs"]}


def summary(result):
    return result.task(SUMMARY_TASK)["ansible_facts"]["bigchange_job_cancel_summary"]


def report(result):
    return result.task("Report what was cancelled and what was left")["msg"]


def methods(sim, since=0):
    return [r["method"] for r in sorted(sim.requests("bigchange", since=since), key=lambda r: r["arrival"])]


def test_check_real_rerun(sim, playbook, env):
    ids = seed_jobs(sim, "scheduled", "accepted", "completedOk", "cancelled")
    extra = {"bigchange_job_cancel_job_ids": ids + [ids[0]], "bigchange_job_cancel_reason": "Depot flooded"}
    left = [{"job_id": ids[2], "status": "completedOk"}, {"job_id": ids[3], "status": "cancelled"}]

    check = playbook(PLAYBOOK, extra, env=env, check=True)
    assert check.rc == 0, check
    assert summary(check) == {"check_mode": True, "reason": "Depot flooded", "canceled": ids[:2], "left": left,
                              "failed": [], "cancelled": ids[:2]}, "cancelled: the deprecated name of canceled"
    assert report(check)[:2] == ["Check mode: nothing was cancelled; a real run would do what is listed.",
                                 "Would cancel: %d, %d (reason: Depot flooded)" % tuple(ids[:2])]
    assert statuses(sim) == dict(zip(ids, ["scheduled", "accepted", "completedOk", "cancelled"]))
    assert methods(sim) == ["POST", "GET"], "check mode reads only: one token, one read for the four jobs"
    assert sim.requests("bigchange")[-1]["query"]["id"] == [str(i) for i in ids], "each job asked for once"

    real = playbook(PLAYBOOK, extra, env=env)
    assert real.rc == 0, real
    assert summary(real) == dict(summary(check), check_mode=False), "check mode predicted the real run exactly"
    assert report(real) == ["Cancelled: %d, %d (reason: Depot flooded)" % tuple(ids[:2]),
                            "Left as it was: %d (completedOk, already completed, nothing left to stop)" % ids[2],
                            "Left as it was: %d (cancelled, already cancelled)" % ids[3]]
    assert real.status("Fail if any job could not be cancelled") == "skipped"
    state = {j["id"]: j for j in sim.state("bigchange")["jobs"]}
    assert [state[i]["status"] for i in ids] == ["cancelled", "cancelled", "completedOk", "cancelled"]
    assert [state[i]["cancelReason"] for i in ids] == ["Depot flooded", "Depot flooded", None, None]

    seq = sim.requests()[-1]["seq"]
    again = playbook(PLAYBOOK, extra, env=env)
    assert again.rc == 0, again
    assert again.task(CANCEL_TASK)["changed"] is False
    assert summary(again)["canceled"] == [] and [j["job_id"] for j in summary(again)["left"]] == ids
    assert methods(sim, seq) == ["POST", "GET"]


def test_jobs_under_way_are_left_and_named_once_at_the_end(sim, playbook, env):
    ids = seed_jobs(sim, "started", "scheduled", "suspended", "onTheWay")
    extra = {"bigchange_job_cancel_job_ids": ids + [999999]}
    for check in (True, False):
        seq = sim.requests()[-1]["seq"] if sim.requests() else 0
        result = playbook(PLAYBOOK, extra, env=env, check=check)
        assert result.rc != 0
        s = summary(result)
        assert s["canceled"] == [ids[1], ids[3]] and s["left"] == []
        assert [(f["job_id"], f["status"]) for f in s["failed"]] == [(ids[0], "started"), (ids[2], "suspended"),
                                                                     (999999, None)]
        assert "BigChange does not allow cancelling a started or suspended job" in s["failed"][0]["msg"]
        assert s["failed"][2]["msg"] == ("job 999999 was not found: BigChange did not list it: it does not exist, or "
                                         "customer 1001 cannot see it")
        assert result.task("Fail if any job could not be cancelled")["msg"] == (
            "Could not cancel 3 of 5 BigChange jobs: %d (status started), %d (status suspended), 999999 (status "
            "unknown). Each was left as it was; the summary above says why." % (ids[0], ids[2]))
        assert "Could not cancel %d: job %d cannot be cancelled" % (ids[0], ids[0]) in report(result)[-3]
        assert methods(sim, seq) == ["POST", "GET"] + ([] if check else ["PUT", "PUT"])
    assert statuses(sim) == dict(zip(ids, ["started", "cancelled", "suspended", "cancelled"]))
    assert sim.state("bigchange")["jobs"][1]["cancelReason"] == "Cancelled by automation"


def test_one_module_run_and_one_token_for_120_jobs(sim, playbook, env):
    ids = seed_jobs(sim, *(["scheduled"] * 118 + ["started", "completedOk"]))
    result = playbook(PLAYBOOK, {"bigchange_job_cancel_job_ids": ids, "bigchange_job_cancel_reason": "Depot closed"},
                      env=env)
    assert result.rc != 0, "the started job fails the role, at the end"
    s = summary(result)
    assert s["canceled"] == ids[:118] and s["left"] == [{"job_id": ids[119], "status": "completedOk"}]
    assert [(f["job_id"], f["status"]) for f in s["failed"]] == [(ids[118], "started")]
    assert len([r for r in result.results if r["task"].endswith(CANCEL_TASK)]) == 1, "one module run"
    sent = methods(sim)
    assert sent.count("POST") == 1 and sent.count("GET") == math.ceil(120 / 50) and sent.count("PUT") == 118
    assert list(statuses(sim).values()).count("cancelled") == 118


def test_credentials_from_module_defaults_and_nothing_secret_at_verbosity_3(sim, play):
    secret = "bc-role-secret-5f1e2d"
    sim.seed(bigchange={"clients": [{"client_id": "role-client", "client_secret": secret}]})
    ids = seed_jobs(sim, "scheduled", "started")
    defaults = {"group/jobctl.cloud.bigchange": {
        "api_url": sim.url + "/bigchange/v1", "token_url": sim.url + TOKEN_PATH, "customer_id": 1001,
        "client_id": "role-client", "client_secret": "{{ lookup('ansible.builtin.env', 'TEST_ROLE_SECRET') }}"}}
    tasks = [{"name": "Run the role", "ansible.builtin.include_role": {"name": "jobctl.cloud.bigchange_job_cancel"},
              "vars": {"bigchange_job_cancel_job_ids": ids, "bigchange_job_cancel_reason": "Van broke down"}}]
    result = play(tasks, defaults=defaults, env={"TEST_ROLE_SECRET": secret}, verbosity=3)
    assert result.rc != 0, "the started job fails the role"
    assert summary(result)["canceled"] == [ids[0]]
    assert statuses(sim) == {ids[0]: "cancelled", ids[1]: "started"}
    tokens = [t["token"] for t in sim.state("bigchange")["tokens"]]
    assert len(tokens) == 1, "one token for the role run"
    for value in [secret] + tokens:
        assert value not in result.stdout and value not in result.stderr and value not in str(result.results)


def test_bad_credentials_fail_every_job_and_change_nothing(sim, playbook, env):
    ids = seed_jobs(sim, "scheduled", "new")
    result = playbook(PLAYBOOK, {"bigchange_job_cancel_job_ids": ids}, env=dict(env, BIGCHANGE_CLIENT_SECRET="wrong"))
    assert result.rc != 0
    failed = summary(result)["failed"]
    assert [f["job_id"] for f in failed] == ids and {f["status"] for f in failed} == {None}
    assert "HTTP 401 Unauthorized: Client authentication failed." in failed[0]["msg"]
    assert methods(sim) == ["POST"], "one token request, refused; nothing else"
    assert statuses(sim) == {ids[0]: "scheduled", ids[1]: "new"}


UNKNOWN_VARIABLE_JOB = 480002
BAD_VARIABLES = [
    ({"bigchange_job_cancel_job_ids": ["abc"]}, "bigchange_job_cancel_job_ids"),
    ({}, "bigchange_job_cancel_job_ids"),
    ({"bigchange_job_cancel_job_ids": [480001, 0, -3]},
     "bigchange_job_cancel_job_ids: not a BigChange job ID (a whole number of at least 1): 0, -3."),
    ({"bigchange_job_cancel_job_ids": [480001], "bigchange_job_cancel_reason": "  "},
     "bigchange_job_cancel_reason must not be empty."),
    # On a job of its own (the cases share a run): the refused cases' job must stay untouched.
    ({"bigchange_job_cancel_job_ids": [UNKNOWN_VARIABLE_JOB], "bigchange_job_cancel_colour": "red"}, None),
]
# Where a refusal may come from: the role's argument spec validation, or its first task.
REFUSERS = ("Validating arguments against arg spec 'main'", "Check the job IDs and the reason before the first request")


@pytest.fixture(scope="module")
def shared_run(simulator, tmp_path_factory):
    """One run of the playbook's play over two scheduled jobs: a host for each set of variables
    (case0, case1, ...; the refused ones name job 480001, the unknown-variable one job 480002) and
    one for an empty list (empty). Only the unknown-variable case may send requests."""
    hosts = {"case%d" % i: extra for i, (extra, dummy) in enumerate(BAD_VARIABLES)}
    hosts["empty"] = {"bigchange_job_cancel_job_ids": []}
    jobs = [{"id": 480001, "status": "scheduled"}, {"id": UNKNOWN_VARIABLE_JOB, "status": "scheduled"}]
    return roleplay.run_batch(
        simulator, tmp_path_factory.mktemp("shared"), hosts, lambda sim: [roleplay.playbook_play(PLAYBOOK, "cases")],
        bigchange_env, seed=lambda sim: sim.seed(bigchange={"jobs": jobs}), keep=["bigchange"])


def only_the_unknown_variable_case_sent_requests(batch):
    """The run's requests are one role run's for job 480002 alone (one token, one read, one cancel):
    no other case sent any."""
    sent = [(r["method"], r["path"], r["query"].get("id")) for r in sorted(batch.requests, key=lambda r: r["arrival"])]
    assert sent == [("POST", TOKEN_PATH, None), ("GET", "/bigchange/v1/jobs", [str(UNKNOWN_VARIABLE_JOB)]),
                    ("PUT", "/bigchange/v1/jobs/%d/cancel" % UNKNOWN_VARIABLE_JOB, None)], sent


@pytest.mark.parametrize("extra,words", BAD_VARIABLES)
def test_bad_variables_fail_before_anything_runs(shared_run, extra, words):
    result = shared_run.case("case%d" % BAD_VARIABLES.index((extra, words)))
    jobs = {j["id"]: j["status"] for j in shared_run.state["bigchange"]["jobs"]}
    if words is None:
        # An unknown variable is not the role's to refuse (plays carry many); the known ones still work.
        assert result.rc == 0 and jobs[UNKNOWN_VARIABLE_JOB] == "cancelled"
        return
    assert result.rc != 0
    assert words in result.stdout
    failed = [r for r in result.results if r["status"] == "failed"]
    assert len(failed) == 1 and words in failed[0]["result"]["msg"], result.results
    assert any(name in failed[0]["task"] for name in REFUSERS), failed[0]["task"]
    only_the_unknown_variable_case_sent_requests(shared_run)
    assert jobs[480001] == "scheduled"


def test_empty_list_does_nothing(shared_run):
    result = shared_run.case("empty")
    assert result.rc == 0, result
    assert report(result) == ["No job IDs given: nothing to do."]
    assert summary(result)["canceled"] == []
    only_the_unknown_variable_case_sent_requests(shared_run)
