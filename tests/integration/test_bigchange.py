"""BigChange modules against the simulator, run in this process (tests/runner.py).

Each scenario goes check mode -> real run -> idempotent re-run -> errors -> faults, and counts the
requests each step sent from the simulator's request log. Every module run starts with exactly one
token request (client credentials), so the log is split into runs at those. A play of several
tasks is as many module runs, one after the other; ansible-playbook runs only where the behaviour is
Ansible's own: what it prints at -vvv (with a secret from a lookup), and an ad-hoc ``ansible -m`` run.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT, ansible_env

# A client of its own: the simulator's default secret ("bigchange-secret") shares 9 characters with every
# path, and the modules mask any 8 characters of a secret in their messages.
CLIENT_ID = "ops-automation"
SECRET = "s3cr3t-7f9a2c4e1b"
TOKEN_PATH = "/bigchange/auth/tokens"
REASON = "Customer cancelled by phone"


@pytest.fixture
def creds(sim):
    sim.seed(bigchange={"clients": [{"client_id": CLIENT_ID, "client_secret": SECRET}]})
    return {"api_url": sim.url + "/bigchange/v1", "token_url": sim.url + TOKEN_PATH, "customer_id": 1001,
            "client_id": CLIENT_ID, "client_secret": SECRET, "retries": 2}


@pytest.fixture
def bigchange(creds):
    return {"group/jobctl.cloud.bigchange": creds}


@pytest.fixture
def cancel(run, bigchange):
    """One bigchange_job run with the play's module_defaults: cancel(job_id, reason=, check=, diff=, **args)."""

    def call(job_id, reason=REASON, check=False, diff=False, **extra):
        args = dict(job_id=job_id, reason=reason)
        args.update(extra)
        return run("bigchange_job", args, check=check, diff=diff, defaults=bigchange)

    return call


@pytest.fixture
def info(run, bigchange):
    """One bigchange_job_info run with the play's module_defaults: info(check=, **args)."""

    def call(check=False, **args):
        return run("bigchange_job_info", args, check=check, defaults=bigchange)

    return call


def seed_jobs(sim, *specs):
    return [j["id"] for j in sim.seed(bigchange={"jobs": list(specs)})["bigchange"]["jobs"]]


def jobs_state(sim):
    return {j["id"]: j for j in sim.state("bigchange")["jobs"]}


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def runs(sim, since=0):
    """The requests of each module run, split at its token request: [[(method, path, status), ...], ...]."""
    out = []
    for r in sim.requests("bigchange", since=since):
        path = r["path"].replace("/bigchange/v1", "", 1)
        if r["method"] == "POST" and r["path"] == TOKEN_PATH:
            out.append([])
        out[-1].append((r["method"], path, r["status"]))
    return out


def ok(out):
    """The result, asserted to be a success (a play's task that did not fail)."""
    assert not out.get("failed"), out
    return out


def failed(out):
    """The result, asserted to be a failure."""
    assert out.get("failed") is True, out
    return out


# Task builders for the play that stays an ansible-playbook run.
def cancel_task(job_id, name="cancel", reason=REASON, **extra):
    args = dict(job_id=job_id, reason=reason)
    args.update(extra)
    return {"name": name, "jobctl.cloud.bigchange_job": args, "register": "out"}


def tolerant(task):
    return dict(task, ignore_errors=True)


TOKEN = ("POST", TOKEN_PATH, 200)


def test_cancel_check_real_rerun(sim, cancel):
    job_id = seed_jobs(sim, {"status": "scheduled", "starts_in": 3600})[0]
    get, put = ("GET", "/jobs/%d" % job_id, 200), ("PUT", "/jobs/%d/cancel" % job_id, 204)

    out = ok(cancel(job_id, check=True, diff=True))
    assert out["changed"] is True and out["job"]["status"] == "cancelled" and out["job"]["id"] == job_id
    assert out["diff"] == {"before": {"id": job_id, "status": "scheduled"}, "after": {"id": job_id, "status": "cancelled"}}
    assert runs(sim) == [[TOKEN, get]], "check mode reads only"
    assert jobs_state(sim)[job_id]["status"] == "scheduled"

    seq = last_seq(sim)
    first = ok(cancel(job_id))
    again = ok(cancel(job_id))
    check_again = ok(cancel(job_id, check=True))
    assert first["changed"] is True and first["job"]["status"] == "cancelled"
    assert first["job"]["reference"] == "JOB-%d" % job_id, "the job is the API's own object"
    assert again["changed"] is False and again["job"]["status"] == "cancelled"
    assert check_again["changed"] is False
    assert runs(sim, seq) == [[TOKEN, get, put], [TOKEN, get], [TOKEN, get]]
    assert sim.requests("bigchange", since=seq)[2]["body"] == {"reason": REASON}
    state = jobs_state(sim)[job_id]
    assert state["status"] == "cancelled" and state["cancelReason"] == REASON


def test_a_job_that_starts_after_the_check_fails_clearly_and_is_left_alone(sim, cancel):
    job_id, suspended = seed_jobs(sim, {"status": "accepted", "starts_in": 600}, {"status": "suspended"})
    assert ok(cancel(job_id, check=True))["changed"] is True

    sim.advance(601)  # the driver starts the job
    seq = last_seq(sim)
    results = {"real": cancel(job_id), "check": cancel(job_id, check=True), "suspended": cancel(suspended)}
    for name, jid, status in (("real", job_id, "started"), ("check", job_id, "started"),
                              ("suspended", suspended, "suspended")):
        out = failed(results[name])
        assert out["changed"] is False
        assert out["msg"] == ("job %d cannot be cancelled: its status is %s, so the work is under way, and BigChange "
                              "does not allow cancelling a started or suspended job. The job was left as it is."
                              % (jid, status))
        assert out["job"]["status"] == status
    assert [[m for m, p, s in run] for run in runs(sim, seq)] == [["POST", "GET"]] * 3, "no cancel was sent"
    state = jobs_state(sim)
    assert state[job_id]["status"] == "started" and state[suspended]["status"] == "suspended"


def test_finished_and_cancelled_jobs_are_left_unchanged(sim, cancel):
    ids = seed_jobs(sim, {"status": "completedOk"}, {"status": "completedWithIssues"}, {"status": "cancelled"})
    for check in (True, False):
        seq = last_seq(sim)
        results = [ok(cancel(job_id, check=check, diff=True)) for job_id in ids]
        assert [(r["job"]["id"], r["changed"], r["job"]["status"]) for r in results] == [
            (ids[0], False, "completedOk"), (ids[1], False, "completedWithIssues"), (ids[2], False, "cancelled")]
        assert results[0]["diff"]["before"] == results[0]["diff"]["after"]
        assert len(runs(sim, seq)) == 3 and all(m != "PUT" for run in runs(sim, seq) for m, p, s in run)
    assert [j["status"] for j in jobs_state(sim).values()] == ["completedOk", "completedWithIssues", "cancelled"]


def test_every_not_started_status_is_cancelled(sim, cancel):
    statuses = ["new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay", "lateStart",
                "rescheduled"]
    ids = seed_jobs(sim, *[{"status": s, "starts_in": 7200} for s in statuses])
    assert [ok(cancel(job_id))["changed"] for job_id in ids] == [True] * len(ids)
    assert {j["status"] for j in jobs_state(sim).values()} == {"cancelled"}


def test_unknown_job_or_status_fails_and_info_still_reads(sim, cancel, info):
    odd = seed_jobs(sim, {"status": "awaitingParts", "undocumented": True})[0]
    out = failed(cancel(999999))
    unknown_info = ok(info(job_id=999999))
    odd_status = failed(cancel(odd))
    odd_info = ok(info(job_id=odd))
    assert out["changed"] is False
    assert out["msg"] == "BigChange API GET /bigchange/v1/jobs/999999 failed: HTTP 404 Not Found: Job 999999 was not found."
    assert out["problem"]["status"] == 404 and out["problem"]["instance"] == "/bigchange/v1/jobs/999999"
    assert unknown_info["jobs"] == [] and unknown_info["changed"] is False
    assert odd_status["msg"] == ("job %d cannot be cancelled: its status is 'awaitingParts', which this "
                                 "module does not know. The job was left as it is." % odd)
    assert odd_status["not_canceled"] == [{"job_id": odd, "status": "awaitingParts", "reason": odd_status["msg"]}]
    assert odd_info["jobs"][0]["status"] == "awaitingParts"
    assert "PUT" not in [r["method"] for r in sim.requests("bigchange")]
    assert jobs_state(sim)[odd]["status"] == "awaitingParts"


def test_refusal_422_is_shown_field_by_field(sim, cancel):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    out = failed(cancel(job_id, reason="x" * 501))
    assert out["changed"] is False
    assert out["msg"] == ("BigChange API PUT /bigchange/v1/jobs/%d/cancel failed: HTTP 422 Unprocessable Entity: One or "
                          "more validation errors occurred. (reason: The reason must be at most 500 characters long.)"
                          % job_id)
    assert out["problem"]["errors"] == [{"field": "reason", "title": None, "code": None,
                                         "detail": "The reason must be at most 500 characters long."}]
    # The refusal made the module look again: the job is still waiting, so the API's refusal stands.
    assert [m for m, p, s in runs(sim)[0]] == ["POST", "GET", "PUT", "GET"]
    assert jobs_state(sim)[job_id]["status"] == "scheduled"


@pytest.mark.parametrize("kind,status", [("drop", None), ("status", 502)])
def test_a_cancel_whose_answer_was_lost_is_settled_by_one_read_and_counts_once(sim, cancel, kind, status):
    job_id = seed_jobs(sim, {"status": "read"})[0]
    sim.fault(api="bigchange", method="PUT", kind=kind, status=status, when="after", times=1)
    out = ok(cancel(job_id))
    assert out["changed"] is True and out["job"]["status"] == "cancelled" and out["canceled"] == [job_id]
    lost = "the answer to a request was lost (BigChange API PUT /bigchange/v1/jobs/%d/cancel" % job_id
    assert len(out["warnings"]) == 1 and out["warnings"][0].startswith(lost)
    assert runs(sim) == [[TOKEN, ("GET", "/jobs/%d" % job_id, 200), ("PUT", "/jobs/%d/cancel" % job_id, status),
                          ("GET", "/jobs/%d" % job_id, 200)]], "settled by one read, never sent again"
    history = jobs_state(sim)[job_id]["statusHistory"]
    assert [h["status"] for h in history].count("cancelled") == 1


@pytest.mark.parametrize("fault", [{"kind": "restatus", "status": 200}, {"kind": "restatus", "status": 202},
                                   {"kind": "wrong_shape", "status": 200}], ids=["200-empty", "202-empty", "200-other"])
def test_a_cancel_answered_with_an_undocumented_2xx_is_settled_by_one_read(sim, cancel, fault):
    """Issue 21: the cancel acted and answered a 2xx other than the documented 204 (docs/outcomes.md,
    "Per API"): one read settles it, the run is a change, and the rerun leaves the job alone."""
    job_id = seed_jobs(sim, {"status": "read"})[0]
    sim.fault(api="bigchange", method="PUT", when="after", times=1, **fault)
    out = ok(cancel(job_id))
    assert out["changed"] is True and out["job"]["status"] == "cancelled" and out["canceled"] == [job_id]
    assert len(out["warnings"]) == 1 and "(HTTP %d) is not the documented 204" % fault["status"] in out["warnings"][0]
    assert runs(sim) == [[TOKEN, ("GET", "/jobs/%d" % job_id, 200), ("PUT", "/jobs/%d/cancel" % job_id, fault["status"]),
                          ("GET", "/jobs/%d" % job_id, 200)]], "settled by one read, never sent again"
    seq = last_seq(sim)
    again = ok(cancel(job_id))
    assert again["changed"] is False and again["canceled"] == []
    assert [m for m, p, s in runs(sim, seq)[0]] == ["POST", "GET"]


def test_a_2xx_that_did_not_cancel_is_never_reported_as_a_change(sim, cancel):
    job_id = seed_jobs(sim, {"status": "read"})[0]
    sim.fault(api="bigchange", method="PUT", kind="restatus", status=202, times=-1)
    out = failed(cancel(job_id))
    assert out["changed"] is False and out["canceled"] == []
    assert "(HTTP 202) is not the documented 204" in out["msg"]
    assert jobs_state(sim)[job_id]["status"] == "read"
    assert [m for m, p, s in runs(sim)[0]] == ["POST", "GET"] + ["PUT", "GET"] * 3


def test_rate_limited_twice_still_succeeds(sim, cancel):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", kind="rate_limit", retry_after=1, times=2)
    out = ok(cancel(job_id))
    assert out["changed"] is True
    assert [r["status"] for r in sim.requests("bigchange")] == [429, 429, 200, 200, 204]
    assert sim.clock.slept == [1, 1], "each Retry-After waited out (on the simulator's clock)"


def test_gateway_errors_on_the_token_and_the_read_are_retried(sim, info):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", method="POST", kind="html", status=503, times=1)
    sim.fault(api="bigchange", method="GET", kind="status", status=504, times=1)
    out = ok(info(job_id=job_id))
    assert [j["id"] for j in out["jobs"]] == [job_id]
    assert [r["status"] for r in sim.requests("bigchange")] == [503, 200, 504, 200]


def test_credentials_and_customer_fail_with_the_apis_words(sim, run, cancel, info, creds):
    job_id, odd = seed_jobs(sim, {"status": "scheduled"}, {"status": "scheduled"})
    sim.fault(api="bigchange", method="GET", path="/v1/jobs/%d$" % odd, kind="wrong_shape", times=1)
    no_customer = dict((k, v) for k, v in creds.items() if k != "customer_id")
    results = {
        "bad secret": failed(cancel(job_id, client_secret="not-it-123")),
        "bad token": failed(cancel(job_id, access_token="no-such-token-456")),
        "other customer": failed(cancel(job_id, customer_id=2002)),
        "odd answer": failed(info(job_id=odd)),
    }
    msgs = dict((name, out["msg"]) for name, out in results.items())
    assert msgs["bad secret"] == ("BigChange API POST /bigchange/auth/tokens failed: HTTP 401 Unauthorized: "
                                  "Client authentication failed.")
    assert msgs["bad token"] == ("BigChange API GET /bigchange/v1/jobs/%d failed: HTTP 401 Unauthorized: The access "
                                 "token is missing, invalid or has expired." % job_id)
    assert msgs["other customer"] == ("BigChange API GET /bigchange/v1/jobs/%d failed: HTTP 403 Forbidden: You do not "
                                      "have access to customer 2002." % job_id)
    assert "unexpected shape: id: Field required" in msgs["odd answer"]
    assert "Traceback" not in json.dumps(results)
    assert results["bad secret"]["problem"]["title"] == "Unauthorized"
    assert jobs_state(sim)[job_id]["status"] == "scheduled"

    seq = last_seq(sim)
    missing = failed(run("bigchange_job", {"job_id": job_id, "reason": "r"},
                         defaults={"group/jobctl.cloud.bigchange": no_customer}))
    assert missing["msg"] == ("customer_id is required: set the option customer_id or the environment variable "
                              "BIGCHANGE_CUSTOMER_ID")
    assert sim.requests(since=seq) == [], "nothing is sent without a Customer-Id"


BAD_INPUT = [
    ({"job_id": 0}, "job_id must be a BigChange job ID (a whole number of at least 1), got 0"),
    ({"job_id": -4}, "job_id must be a BigChange job ID"),
    ({"job_id": "12/../13"}, "argument 'job_id' is of type"),
    ({"reason": "   "}, "reason must not be empty"),
    ({"api_url": "ftp://127.0.0.1/v1"}, "api_url must be an absolute http"),
    ({"token_url": "/auth/tokens"}, "token_url must be an absolute http"),
    ({"client_id": None, "client_secret": None},
     "no credentials were given: set access_token (or the environment variable BIGCHANGE_ACCESS_TOKEN) for an "
     "access token, or client_id and client_secret (or the environment variables BIGCHANGE_CLIENT_ID and "
     "BIGCHANGE_CLIENT_SECRET) for an API client"),
    ({"client_secret": None}, "client_secret is not set: client_id needs it. Set client_secret (or the environment "
                              "variable BIGCHANGE_CLIENT_SECRET)"),
    ({"client_secret": "   "}, "client_secret is not set: client_id needs it."),
    ({"job_id": None, "job_ids": [480001, 0, -3]},
     "job_ids: not a BigChange job ID (a whole number of at least 1): 0, -3"),
    ({"job_ids": [480001]}, "parameters are mutually exclusive: job_id|job_ids"),
    ({"job_id": None}, "one of the following is required: job_id, job_ids"),
    ({"job_id": None, "job_ids": ["480001/.."]}, "Elements value for option 'job_ids' is of type"),
    ({"access_token": "tok\u2019en"}, "access_token holds a character an HTTP header cannot carry"),
]


@pytest.mark.parametrize("args,start", BAD_INPUT, ids=["bad %d" % n for n in range(len(BAD_INPUT))])
def test_bad_input_fails_before_any_request(sim, run, creds, args, start):
    # Every option in the task's own arguments, no module_defaults (None: the option is left out).
    task_args = dict(creds, job_id=480001, reason="r")
    task_args.update(args)
    task_args = dict((k, v) for k, v in task_args.items() if v is not None)
    msg = failed(run("bigchange_job", task_args, defaults={}))["msg"]
    assert msg.startswith(start), (args, msg)
    assert sim.requests() == []


def test_info_lists_every_page_with_filters(sim, info):
    ids = seed_jobs(sim, *[{"status": s, "resourceId": r} for s, r in (
        ("scheduled", 51), ("started", 51), ("scheduled", 52), ("scheduled", 51), ("new", 51), ("cancelled", 51))])
    week = {"created_from": "2000-01-01T00:00:00Z", "created_to": "2100-01-01T00:00:00+00:00"}
    listed = ok(info(check=True, page_size=2, **week))
    filtered = ok(info(check=True, job_ids=ids, statuses=["scheduled", "new"], resource_id=51, page_size=2))
    reference = ok(info(check=True, reference="JOB-%d" % ids[2]))
    no_status = ok(info(check=True, statuses=[], **week))
    no_ids = ok(info(check=True, job_ids=[]))
    both = failed(info(check=True, job_id=ids[0], statuses=["new"]))
    page_too_big = failed(info(check=True, page_size=1001, **week))
    assert [j["id"] for j in listed["jobs"]] == ids
    assert [j["id"] for j in filtered["jobs"]] == [ids[0], ids[3], ids[4]]
    assert [j["id"] for j in reference["jobs"]] == [ids[2]]
    assert no_status["jobs"] == [] and no_ids["jobs"] == []
    assert "mutually exclusive: job_id|statuses" in both["msg"]
    assert page_too_big["msg"] == "page_size must be between 1 and 1000, got 1001"
    all_run, filtered_run, reference_run = runs(sim)
    assert [p for m, p, s in all_run[1:]] == ["/jobs"] * 4, "6 jobs in pages of 2: 3 full pages and 1 empty"
    assert all_run[1] and sim.requests("bigchange")[1]["query"]["createdAtFrom"] == ["2000-01-01T00:00:00Z"]
    assert len(filtered_run) == 1 + 2 and len(reference_run) == 1 + 1
    assert sim.requests("bigchange")[-1]["query"] == {"reference": ["JOB-%d" % ids[2]], "pageNumber": ["1"],
                                                      "pageSize": ["1000"]}


NO_USABLE_FILTER = ("listing BigChange jobs needs job_ids or reference, or both ends of one date range (created_from "
                    "and created_to, start_from and start_to, or status_modified_from and status_modified_to): "
                    "BigChange refuses a list without one (statuses, contact_id and resource_id alone are not "
                    "enough). To read one job, give job_id.")


@pytest.mark.parametrize("args,msg", [
    ({}, NO_USABLE_FILTER),
    ({"statuses": ["scheduled"]}, NO_USABLE_FILTER),
    ({"contact_id": 3001, "resource_id": 51, "statuses": ["new"]}, NO_USABLE_FILTER),
    ({"created_from": "2026-12-01T00:00:00Z"},
     "created_from is set but created_to is not: BigChange filters by a date range only with both ends"),
    ({"job_ids": [1], "start_to": "2026-12-01T00:00:00Z"},
     "start_to is set but start_from is not: BigChange filters by a date range only with both ends"),
    ({"status_modified_from": "2026-12-01", "status_modified_to": "2026-12-02T00:00:00Z"},
     "status_modified_from must be an ISO 8601 date and time such as 2026-12-01T00:00:00Z, got '2026-12-01'"),
    ({"created_from": "2026-12-02T00:00:00Z", "created_to": "2026-12-01T23:00:00+02:00"},
     "created_from (2026-12-02T00:00:00Z) is later than created_to (2026-12-01T23:00:00+02:00): the range holds "
     "nothing"),
    ({"job_ids": [3, 0]}, "job_ids: not a BigChange job ID (a whole number of at least 1): 0"),
])
def test_info_refuses_a_list_the_api_would_refuse_before_any_request(sim, info, args, msg):
    assert failed(info(**args))["msg"] == msg
    assert sim.requests() == [], "not even a token request"


def test_info_with_120_job_ids_sends_3_list_requests(sim, info):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 130)
    wanted = ids[5:125]
    out = ok(info(job_ids=wanted + wanted[:7]))
    assert [j["id"] for j in out["jobs"]] == wanted
    lists = [r for r in sim.requests("bigchange") if r["path"] == "/bigchange/v1/jobs"]
    assert len(lists) == 3 and len(sim.requests("bigchange")) == 4, "one token request and 3 list requests"
    assert [len(r["query"]["id"]) for r in lists] == [50, 50, 20]
    assert [int(i) for r in lists for i in r["query"]["id"]] == wanted, "each ID once, as repeated keys"


def test_a_422_errors_map_is_shown_readably(sim, info):
    # As if BigChange lowered its cap: the module sends 3 statuses, the API takes 2.
    sim.seed(bigchange={"settings": {"max_filter_values": 2}})
    out = failed(info(reference="R", statuses=["new", "read", "sent"]))
    assert out["msg"] == ("BigChange API GET /bigchange/v1/jobs failed: HTTP 422 One or more validation errors "
                          "occurred.: A filter holds too many values. (status: The filter status takes at most 2 "
                          "values, got 3.)")
    assert out["problem"]["errors"] == [{"field": "status", "title": None, "code": None,
                                         "detail": "The filter status takes at most 2 values, got 3."}]


def test_access_token_sends_no_token_request(sim, cancel):
    sim.seed(bigchange={"access_tokens": [{"token": "preissued-token", "customers": [1001]}]})
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    out = ok(cancel(job_id, access_token="preissued-token"))
    assert out["changed"] is True
    assert [(r["method"], r["path"]) for r in sim.requests("bigchange")] == [
        ("GET", "/bigchange/v1/jobs/%d" % job_id), ("PUT", "/bigchange/v1/jobs/%d/cancel" % job_id)]


# An ad-hoc `ansible -m` run (key=value arguments, no play, credentials from the environment alone)
# is Ansible's way in: this stays a real `ansible` run.
def test_ad_hoc_with_credentials_from_the_environment(sim, creds):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    env = ansible_env({"BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + TOKEN_PATH,
                       "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": CLIENT_ID,
                       "BIGCHANGE_CLIENT_SECRET": SECRET})
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-m", "jobctl.cloud.bigchange_job",
                           "-a", "job_id=%d reason='Ad hoc cancel'" % job_id], env=env, capture_output=True, text=True,
                          timeout=120, cwd=str(ROOT), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CHANGED" in proc.stdout
    assert jobs_state(sim)[job_id]["cancelReason"] == "Ad hoc cancel"


# What Ansible prints at -vvv, and a secret reaching a task through a lookup, are Ansible's: this stays an
# ansible-playbook run.
