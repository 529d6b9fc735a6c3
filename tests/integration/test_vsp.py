"""VSP One Object modules against the simulator, run in this process (tests/runner.py).

Each scenario goes check mode -> real run -> idempotent re-run -> errors -> faults, and counts the
requests each step sent from the simulator's request log. A play of several tasks is as many
module runs, one after the other. The key scenarios run twice: against the simulator's default, one
XSRF token for the whole session as real clients meet it, and with ``csrf_rotation`` on, where each
POST brings a new token and only that one passes next (docs/api/vsp.md, "Confirmed"). The
simulator's clock is the modules' (a Retry-After costs no real time); ansible-playbook runs only
where the behaviour is Ansible's own: what it prints at -vvv, and an ad-hoc ``ansible -m`` run.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from harness import concurrently

ROOT = Path(__file__).resolve().parents[2]
TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
TOKEN = ("POST", "/ui/auth/realms/vsp-object/protocol/openid-connect/token")
CSRF = ("GET", "/mapi/v1/csrf")
STATUS = ("POST", "/mapi/v1/jobs/status")
CANCEL = ("POST", "/mapi/v1/jobs/cancel")
LIST = ("POST", "/mapi/v1/jobs/list")
# The modules send the jar's current XSRF token and survive a rotation: both settings, for the key tests.
ROTATION = pytest.mark.parametrize("rotation", [False, True], ids=["one-xsrf-token", "rotation"])


def urls(sim):
    return {"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + TOKEN_PATH}


@pytest.fixture
def vsp(sim):
    return {"group/jobctl.cloud.vsp": dict(urls(sim), username="vsp-admin", password="vsp-secret", retries=2)}


@pytest.fixture
def job(run, vsp):
    """One vsp_job run with the play's module_defaults (``vsp``, read at each call): job(check=, diff=, **args)."""

    def call(check=False, diff=False, **args):
        return run("vsp_job", args, check=check, diff=diff, defaults=vsp)

    return call


@pytest.fixture
def info(run, vsp):
    """One vsp_job_info run with the play's module_defaults: info(check=, **args)."""

    def call(check=False, **args):
        return run("vsp_job_info", args, check=check, defaults=vsp)

    return call


def seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs)}
    if settings:
        body["settings"] = settings
    return sim.seed(vsp=body)["vsp"]["jobs"]


def calls(sim, since=0):
    return [(r["method"], r["path"][len("/vsp"):]) for r in sim.requests("vsp", since=since)]


def statuses(sim, since=0):
    return [(r["method"], r["path"][len("/vsp"):], r["status"]) for r in sim.requests("vsp", since=since)]


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def job_state(sim, job_id):
    return next(j["jobState"] for j in sim.state("vsp")["jobs"] if j["jobId"]["id"] == job_id)


def ok(out):
    """The result, asserted to be a success (a play's task that did not fail)."""
    assert not out.get("failed"), out
    return out


def fault_hits(sim, rule_id):
    """How many requests a fault rule has met so far (counted as they arrive, before any delay)."""
    return next(r["hits"] for r in sim._call("GET", "/faults")["faults"] if r["id"] == rule_id)


# Task builders for the plays that stay ansible-playbook runs.
def cancel_task(job_id, **extra):
    return [{"name": "cancel", "jobctl.cloud.vsp_job": dict(job_id=job_id, **extra), "register": "out"}]


def info_task(**args):
    return [{"name": "info", "jobctl.cloud.vsp_job_info": args}]


# -- vsp_job ---------------------------------------------------------------------------------

def rotated(sim, rotation):
    """What a run with ``rotation`` must leave: every POST's token rotated (or none), none refused."""
    posts = sum(1 for r in sim.requests("vsp") if r["method"] == "POST" and "/mapi/" in r["path"])
    counts = sim.state("vsp")["counts"]
    return counts["csrf_rotated"] == (posts if rotation else 0) and counts["csrf_refused"] == 0


@ROTATION
def test_cancel_executing_job_check_real_rerun(sim, job, rotation):
    seed(sim, {"id": -42, "jobState": "EXECUTING", "bucketName": "b1"}, csrf_rotation=rotation)

    out = ok(job(job_id=-42, check=True))
    # Check mode shows the state a real run would leave; the job itself is untouched.
    assert out["changed"] is True and out["job"]["jobState"] == "CANCELLED"
    assert calls(sim) == [TOKEN, CSRF, STATUS], "check mode reads only"
    assert job_state(sim, -42) == "EXECUTING"

    seq = last_seq(sim)
    real = ok(job(job_id=-42))
    assert real["changed"] is True and real["job"]["jobState"] == "CANCELLED"
    assert real["job"]["jobId"] == {"id": -42} and real["job"]["bucketName"] == "b1"
    assert calls(sim, seq) == [TOKEN, CSRF, STATUS, CANCEL]
    assert sim.requests("vsp", since=seq)[-1]["body"] == {"jobId": {"id": -42}}
    assert job_state(sim, -42) == "CANCELLED"

    seq = last_seq(sim)
    again = ok(job(job_id=-42))
    assert again["changed"] is False and again["job"]["jobState"] == "CANCELLED"
    assert calls(sim, seq) == [TOKEN, CSRF, STATUS], "a re-run reads and sends nothing else"

    again_check = ok(job(job_id=-42, check=True))
    assert again_check["changed"] is False
    assert rotated(sim, rotation)


def test_every_running_state_is_cancelled_and_every_finished_one_left_alone(sim, job):
    states = ["EXAMINING", "PROCESSING", "EXECUTING", "COMPLETE", "FAILED", "CANCELLED"]
    seed(sim, *[{"id": n, "jobState": state} for n, state in enumerate(states)])
    check = [ok(job(job_id=n, check=True)) for n in range(len(states))]
    assert [out["changed"] for out in check] == [True] * 3 + [False] * 3
    assert CANCEL not in calls(sim)
    real = [ok(job(job_id=n)) for n in range(len(states))]
    assert [out["changed"] for out in real] == [True] * 3 + [False] * 3
    after = ["CANCELLED"] * 3 + ["COMPLETE", "FAILED", "CANCELLED"]
    assert [out["job"]["jobState"] for out in real] == after
    assert [job_state(sim, n) for n in range(6)] == after
    assert sorted(r["body"]["jobId"]["id"] for r in sim.requests("vsp") if r["path"].endswith("/cancel")) == [0, 1, 2]


def test_diff_shows_the_state_before_and_after(sim, job):
    seed(sim, {"id": 4, "jobState": "PROCESSING"})
    predicted = ok(job(job_id=4, check=True, diff=True))
    assert predicted["diff"]["before"]["job"]["jobState"] == "PROCESSING"
    assert predicted["diff"]["after"]["job"]["jobState"] == "CANCELLED"
    real = ok(job(job_id=4, diff=True))
    assert real["diff"]["before"]["job"]["jobState"] == "PROCESSING"
    assert real["diff"]["after"]["job"] == real["job"] and real["job"]["jobState"] == "CANCELLED"


def test_an_unknown_job_fails_with_the_apis_message(sim, job):
    out = job(job_id=4242)
    assert out.get("failed") is True
    assert out["msg"] == ("job 4242 could not be cancelled: VSP One Object API POST /vsp/mapi/v1/jobs/status failed: "
                          "HTTP 404 Job not found: No job with ID 4242 exists. [code NOT_FOUND]")
    assert out["problem"]["code"] == "NOT_FOUND" and out["problem"]["status"] == 404
    assert out["changed"] is False


@ROTATION
def test_wait_polls_until_the_job_has_stopped(sim, job, rotation):
    seed(sim, {"id": 6, "cancel_delay": 1.0}, csrf_rotation=rotation)
    out = ok(job(job_id=6, wait=True, wait_sleep=0.3, wait_timeout=30))
    assert out["changed"] is True and out["job"]["jobState"] == "CANCELLED"
    sent = calls(sim)
    assert sent[:4] == [TOKEN, CSRF, STATUS, CANCEL] and set(sent[4:]) == {STATUS} and len(sent) >= 5
    assert rotated(sim, rotation)


def test_wait_needs_no_poll_when_the_cancel_already_stopped_the_job(sim, job):
    seed(sim, {"id": 6})
    out = ok(job(job_id=6, wait=True))
    assert out["changed"] is True and calls(sim) == [TOKEN, CSRF, STATUS, CANCEL]


def test_wait_timeout_fails_clearly_and_still_reports_the_cancel(sim, job):
    seed(sim, {"id": 6, "cancel_delay": 3600})
    out = job(job_id=6, wait=True, wait_sleep=0.2, wait_timeout=1)
    assert out.get("failed") is True
    assert "timed out after 1 seconds waiting for job 6 to stop" in out["msg"]
    assert out["changed"] is True, "the cancel was sent: the failure must not hide it"
    assert set(calls(sim)[4:]) == {STATUS}, "it polled the job while it waited"


@ROTATION
def test_csrf_token_expiring_in_the_middle_of_a_run_is_renewed(sim, job, rotation):
    # The CSRF token lives 0.8 s of simulated time (with rotation, renewed by each POST); the polls come
    # 1 s apart, so each finds it expired (Vert.x-Web's 403). The job takes 2 s to stop.
    seed(sim, {"id": 11, "cancel_delay": 2.0}, csrf_lifetime=0.8, csrf_rotation=rotation)
    out = ok(job(job_id=11, wait=True, wait_sleep=1.0, wait_timeout=30))
    assert out["job"]["jobState"] == "CANCELLED"
    log = statuses(sim)
    refused = [i for i, call in enumerate(log) if call[2] == 403]
    assert refused, "the CSRF token must have expired during the wait"
    assert not [call for call in log if call[2] not in (200, 403)]
    for i in refused:
        # Each refusal: one new CSRF token, then the same call again, accepted.
        assert log[i + 1] == CSRF + (200,) and log[i + 2] == log[i][:2] + (200,)
    assert sum(1 for call in log if call[:2] == TOKEN) == 1
    assert sim.state("vsp")["counts"]["csrf_issued"] == 1 + len(refused)


@ROTATION
@pytest.mark.parametrize("refusal,renewal", [(403, [CSRF]), (401, [TOKEN, CSRF])])
def test_a_refused_cancel_is_repeated_with_a_new_csrf_token(sim, job, refusal, renewal, rotation):
    # A call refused by the CSRF check (403) or the token check (401) was not processed: renewed, then sent again.
    seed(sim, {"id": 12}, csrf_rotation=rotation)
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=refusal, times=1)
    out = ok(job(job_id=12))
    assert out["changed"] is True and "warnings" not in out
    assert statuses(sim) == [TOKEN + (200,), CSRF + (200,), STATUS + (200,), CANCEL + (refusal,)] + \
        [call + (200,) for call in renewal] + [CANCEL + (200,)]
    assert job_state(sim, 12) == "CANCELLED"


def test_a_lost_cancel_answer_with_rotation_is_still_a_change_with_a_warning(sim, job):
    """The cancel acted, its answer was lost; it is not sent again, and one status read settles it.

    With rotation, the lost answer also carried the rotated XSRF-TOKEN cookie, so the read meets a 403
    first and fetches a new CSRF token: that is the one extra /csrf a 403 costs.
    """
    seed(sim, {"id": 13}, csrf_rotation=True)
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=502, when="after", times=1)
    out = ok(job(job_id=13))
    assert out["changed"] is True and out["job"]["jobState"] == "CANCELLED"
    assert any("the answer to a request was lost" in w and "HTTP 502" in w for w in out["warnings"]), out
    assert statuses(sim)[2:] == [STATUS + (200,), CANCEL + (502,), STATUS + (403,), CSRF + (200,), STATUS + (200,)]
    assert [r["handled_status"] for r in sim.requests("vsp") if r["path"].endswith("/cancel")] == [200]


def test_a_lost_cancel_answer_by_default_costs_one_read(sim, job):
    seed(sim, {"id": 13})
    sim.fault(api="vsp", path="/jobs/cancel", kind="drop", when="after", times=1)
    out = ok(job(job_id=13))
    assert out["changed"] is True and out["warnings"]
    assert statuses(sim)[2:] == [STATUS + (200,), CANCEL[:2] + (None,), STATUS + (200,)]


@pytest.mark.parametrize("fault", [{"kind": "restatus", "status": 202}, {"kind": "empty", "status": 204},
                                   {"kind": "wrong_shape", "status": 200}], ids=["202-job", "204-empty", "200-other"])
def test_a_2xx_other_than_the_documented_cancel_answer_is_settled_by_one_read(sim, job, fault):
    """Issue 21: the cancel acted and answered a 2xx VSP does not document (docs/outcomes.md, "Per API"):
    one status read settles it, the run is a change, and the rerun finds nothing to do."""
    seed(sim, {"id": 15})
    sim.fault(api="vsp", path="/jobs/cancel", when="after", times=1, **fault)
    out = ok(job(job_id=15))
    assert out["changed"] is True and out["job"]["jobState"] == "CANCELLED"
    assert any("the answer to a request was lost" in w and "(HTTP %d)" % fault["status"] in w
               for w in out["warnings"]), out
    assert statuses(sim)[2:] == [STATUS + (200,), CANCEL + (fault["status"],), STATUS + (200,)], "one read, no resend"
    seq = last_seq(sim)
    again = ok(job(job_id=15))
    assert again["changed"] is False and CANCEL not in calls(sim, seq)


def test_a_2xx_that_did_not_cancel_is_never_reported_as_a_change(sim, job):
    """A 202 after which the status read shows the job still running: the cancel is sent again (the
    lost-answer rule); when every answer is such a 202, the run fails unchanged, naming the answer."""
    seed(sim, {"id": 16})
    sim.fault(api="vsp", path="/jobs/cancel", kind="restatus", status=202, times=-1)
    out = job(job_id=16)
    assert out.get("failed") is True and out["changed"] is False, out
    assert "(HTTP 202) is not the documented 200" in out["msg"]
    assert job_state(sim, 16) == "EXECUTING"
    assert calls(sim)[2:] == [STATUS] + [CANCEL, STATUS] * 3, "each 202 settled by a read before the next cancel"


def test_a_refused_cancel_fails_with_the_apis_words_and_the_state(sim, job):
    seed(sim, {"id": 14, "refuse_cancel": True})
    out = job(job_id=14)
    assert out.get("failed") is True and out["changed"] is False
    assert out["msg"].startswith("job 14 could not be cancelled: the API refused the cancel and the job is still "
                                 "EXECUTING: VSP One Object API POST /vsp/mapi/v1/jobs/cancel failed: HTTP 400 ")
    assert "Job 14 cannot be cancelled now." in out["msg"] and out["problem"]["code"] == "INVALID_REQUEST"
    assert out["job"]["jobState"] == "EXECUTING" and job_state(sim, 14) == "EXECUTING"
    assert calls(sim)[2:] == [STATUS, CANCEL, STATUS]


@pytest.mark.parametrize("variant", ["400", "409", "200"])
def test_a_job_that_finished_just_before_the_cancel_came_is_ok_and_unchanged_even_with_wait(sim, job, variant):
    # The job completes 5 s (simulated) after the read; the clock jumps 10 s as the cancel arrives.
    seed(sim, {"id": 15, "complete_after": 5}, cancel_finished=variant)
    sim.fault(api="vsp", path="/jobs/cancel", kind="advance", delay=10, times=1)
    out = ok(job(job_id=15, wait=True, wait_sleep=0.2, wait_timeout=5))
    assert out["changed"] is False and out["job"]["jobState"] == "COMPLETE" and "warnings" not in out
    settle = [] if variant == "200" else [STATUS]
    assert calls(sim)[2:] == [STATUS, CANCEL] + settle, "no poll: the job has stopped"
    assert sim.state("vsp")["events"][-1]["event"] == "job_completed"


@pytest.mark.parametrize("variant", ["400", "409", "200"])
def test_two_runs_racing_for_one_job(sim, job, variant):
    """Both runs read the job running (their reads are held 2 s), then both cancel it.

    The second run starts once the first one's read has arrived, so both reads come before either
    cancel. With 400 or 409 the loser reads the job CANCELLED: exactly one run reports changed,
    neither fails. With the (INVENTED) 200 answer that shows the job unchanged, no answer tells the
    runs apart: both report changed, as the module documents.
    """
    seed(sim, {"id": 16}, cancel_finished=variant)
    rule = sim.fault(api="vsp", path="/jobs/status", kind="slow", delay=2, when="after", times=2)

    def second():
        deadline = time.monotonic() + 30
        while fault_hits(sim, rule["id"]) < 1:
            assert time.monotonic() < deadline, "the first run's read never arrived"
            time.sleep(0.02)
        return job(job_id=16)

    results = dict(zip(("a", "b"), concurrently(lambda: job(job_id=16), second, timeout=120)))
    log = sorted(sim.requests("vsp"), key=lambda r: r["arrival"])
    reads = [r["arrival"] for r in log if r["path"].endswith("/status")]
    sent = [r for r in log if r["path"].endswith("/cancel")]
    assert len(reads) >= 2 and len(sent) == 2 and max(reads[:2]) < min(r["arrival"] for r in sent), \
        "both runs read the job running before either cancel arrived: a real race"
    assert not any(r.get("failed") for r in results.values()), results
    changed = sorted(r["changed"] for r in results.values())
    assert changed == ([True, True] if variant == "200" else [False, True])
    assert [r["job"]["jobState"] for r in results.values()] == ["CANCELLED", "CANCELLED"]
    assert [e["event"] for e in sim.state("vsp")["events"]] == ["job_cancel_requested"]


def test_rate_limited_twice_still_succeeds(sim, job):
    seed(sim, {"id": 15})
    sim.fault(api="vsp", path="/jobs/status", kind="rate_limit", retry_after=1, times=2)
    out = ok(job(job_id=15))
    assert out["changed"] is True
    assert [s for m, p, s in statuses(sim) if (m, p) == STATUS] == [429, 429, 200]
    assert sim.clock.slept == [1, 1], "each Retry-After waited out (on the simulator's clock)"


def test_an_unknown_state_is_refused_and_nothing_is_cancelled(sim, job):
    seed(sim, {"id": 16})
    sim.fault(api="vsp", path="/jobs/status", kind="wrong_shape", times=1)
    out = job(job_id=16)
    assert out.get("failed") is True
    assert "unexpected shape" in out["msg"] and "Traceback" not in json.dumps(out)
    assert CANCEL not in calls(sim) and job_state(sim, 16) == "EXECUTING"


# -- credentials and input checks -----------------------------------------------------------

def fetch_token(sim):
    """A token fetched apart from the modules, as an AWX credential or an earlier task would."""
    return requests.post(sim.url + TOKEN_PATH, timeout=30, data={
        "grant_type": "password", "client_id": "vsp-object-external-client",
        "username": "vsp-admin", "password": "vsp-secret"}).json()["access_token"]


def test_access_token_from_the_environment_skips_keycloak(sim, run):
    seed(sim, {"id": 20})
    token = fetch_token(sim)
    seq = last_seq(sim)
    # As an AWX credential injects it: every variable, the blank fields as empty strings.
    env = {"VSP_API_URL": sim.url + "/vsp/mapi", "VSP_ACCESS_TOKEN": token, "VSP_TOKEN_URL": "",
           "VSP_USERNAME": "", "VSP_PASSWORD": "", "VSP_CLIENT_ID": "", "VSP_CLIENT_SECRET": ""}
    out = ok(run("vsp_job", {"job_id": 20}, defaults={}, env=env))
    assert out["changed"] is True
    assert calls(sim, seq) == [CSRF, STATUS, CANCEL]


def test_wrong_password_fails_with_keycloaks_words(sim, job, vsp):
    seed(sim, {"id": 21})
    vsp["group/jobctl.cloud.vsp"]["password"] = "not-it"
    out = job(job_id=21)
    assert out.get("failed") is True and "HTTP 401 invalid_grant: Invalid user credentials" in out["msg"]
    assert calls(sim) == [TOKEN]


def test_missing_credentials_fail_before_any_request(sim, run):
    defaults = {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "username": "vsp-admin"}}
    out = run("vsp_job", {"job_id": 1}, defaults=defaults)
    assert out.get("failed") is True
    assert out["msg"] == ("token_url and password are not set: username needs them. Set token_url and password "
                          "(or the environment variables VSP_TOKEN_URL and VSP_PASSWORD)")
    assert sim.requests() == []


@pytest.mark.parametrize("args,option", [
    ({"job_id": 2147483648}, "job_id"),
    ({"job_id": -2147483649}, "job_id"),
    ({"job_id": 1, "api_url": "ftp://127.0.0.1/vsp/mapi"}, "api_url"),
    ({"job_id": 1, "token_url": "/relative/token"}, "token_url"),
])
def test_bad_input_fails_before_any_request(sim, job, args, option):
    out = job(**args)
    assert out.get("failed") is True
    assert out["msg"].startswith(option), out["msg"]
    assert sim.requests() == []


# What Ansible prints at -vvv around three module runs is Ansible's: this stays an ansible-playbook run.
# An ad-hoc `ansible -m` run (key=value arguments, no play, credentials from the environment alone)
# is Ansible's way in: this stays a real `ansible` run.
def test_works_ad_hoc_with_environment_credentials(sim):
    seed(sim, {"id": 40})
    env = {k: v for k, v in os.environ.items() if not k.startswith("VSP_")}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_LOCALHOST_WARNING": "false",
                "VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + TOKEN_PATH,
                "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret"})
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-i", "localhost,",
                           "-c", "local", "-m", "jobctl.cloud.vsp_job", "-a", "job_id=40"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CHANGED" in proc.stdout and job_state(sim, 40) == "CANCELLED"


# -- vsp_job_info ----------------------------------------------------------------------------

def test_info_of_one_job(sim, info):
    jobs = seed(sim, {"id": -5, "jobState": "PROCESSING", "jobParams": {"a": "b"}})
    one = ok(info(job_id=-5))
    assert one["changed"] is False and one["jobs"] == jobs
    assert calls(sim) == [TOKEN, CSRF, STATUS]
    unknown = ok(info(job_id=777))
    other_state = ok(info(job_id=-5, job_states=["EXECUTING"]))
    same_state = ok(info(job_id=-5, job_states=["PROCESSING"]))
    assert unknown["jobs"] == [] and other_state["jobs"] == []
    assert same_state["jobs"] == jobs


@ROTATION
def test_a_thirty_page_job_list_comes_back_whole(sim, info, rotation):
    # A page holds at most 5 jobs here (the default, 1000, is what the module asks for).
    seed(sim, *[{"id": n, "bucketName": "big"} for n in range(1, 151)], max_page_size=5, csrf_rotation=rotation)
    out = ok(info(check=True))
    assert [j["jobId"]["id"] for j in out["jobs"]] == list(range(1, 151))
    sent = calls(sim)
    assert sent[:2] == [TOKEN, CSRF] and sent[2:] == [LIST] * 30
    assert rotated(sim, rotation)


def test_a_list_of_a_thousand_jobs_is_one_page_by_default(sim, info):
    seed(sim, *[{"id": n} for n in range(1, 1001)])
    out = ok(info())
    assert len(out["jobs"]) == 1000 and calls(sim) == [TOKEN, CSRF, LIST]
    assert sim.requests("vsp")[-1]["body"] == {"pageSize": 1000}


def test_info_filters(sim, info):
    seed(sim,
         {"id": 1, "bucketName": "b1", "jobType": "BATCH_REPLICATE", "jobState": "EXECUTING", "userId": 7},
         {"id": 2, "bucketName": "b1", "jobType": "LIFECYCLE_UPDATE", "jobState": "EXECUTING", "userId": 7},
         {"id": 3, "bucketName": "b1", "jobType": "BATCH_REPLICATE", "jobState": "COMPLETE", "userId": 8},
         {"id": 4, "bucketName": "b2", "jobType": "BATCH_REPLICATE", "jobState": "EXECUTING", "userId": 7})
    filters = {
        "bucket": {"bucket_name": "b1"},
        "user": {"user_id": 7},
        "all three": {"bucket_name": "b1", "job_types": ["BATCH_REPLICATE"], "job_states": ["EXECUTING"]},
        "none": {"bucket_name": "nothing-here"},
    }
    results = dict((name, ok(info(**args))) for name, args in filters.items())

    def ids(name):
        return [j["jobId"]["id"] for j in results[name]["jobs"]]

    assert ids("bucket") == [1, 2, 3] and ids("user") == [1, 2, 4] and ids("all three") == [1] and ids("none") == []
    bodies = [r["body"] for r in sim.requests("vsp") if r["path"].endswith("/jobs/list")]
    assert [b.get("bucketName") for b in bodies] == ["b1", None, "b1", "nothing-here"]
    assert bodies[1]["userId"] == {"id": 7}


def test_info_refuses_job_id_with_list_filters(sim, info):
    out = info(job_id=1, bucket_name="b1")
    assert out.get("failed") is True
    assert "mutually exclusive" in out["msg"] and sim.requests() == []


# -- vsp_job with job_ids: one token, one CSRF session, one run ------------------------------------

@ROTATION
def test_bulk_cancel_check_real_rerun(sim, job, rotation):
    seed(sim, {"id": 1, "jobState": "EXECUTING", "bucketName": "b1"}, {"id": -2, "jobState": "PROCESSING"},
         {"id": 3, "jobState": "COMPLETE"}, {"id": 4, "jobState": "CANCELLED"}, {"id": 5, "jobState": "EXAMINING"},
         csrf_rotation=rotation)
    ids = [1, -2, 3, 4, 5, 1]

    out = ok(job(job_ids=ids, check=True, diff=True))
    assert out["changed"] is True and out["canceled"] == [1, -2, 5] and out["not_canceled"] == []
    assert [(j["jobId"]["id"], j["jobState"]) for j in out["jobs"]] == [
        (1, "CANCELLED"), (-2, "CANCELLED"), (3, "COMPLETE"), (4, "CANCELLED"), (5, "CANCELLED")]
    assert [j["jobState"] for j in out["diff"]["after"]["jobs"]] == ["CANCELLED"] * 2 + ["COMPLETE"] + ["CANCELLED"] * 2
    assert [j["jobState"] for j in out["diff"]["before"]["jobs"]] == [
        "EXECUTING", "PROCESSING", "COMPLETE", "CANCELLED", "EXAMINING"]
    assert calls(sim) == [TOKEN, CSRF] + [STATUS] * 5, "check mode reads each job once, duplicates once"

    seq = last_seq(sim)
    out = ok(job(job_ids=ids, diff=True))
    assert out["changed"] is True and out["canceled"] == [1, -2, 5]
    assert [(j["jobId"]["id"], j["jobState"]) for j in out["jobs"]] == [
        (1, "CANCELLED"), (-2, "CANCELLED"), (3, "COMPLETE"), (4, "CANCELLED"), (5, "CANCELLED")]
    assert out["diff"]["after"]["jobs"] == out["jobs"]
    assert calls(sim, seq) == [TOKEN, CSRF] + [STATUS] * 5 + [CANCEL] * 3
    assert [r["body"]["jobId"]["id"] for r in sim.requests("vsp", since=seq) if r["path"].endswith("/cancel")] == [1, -2, 5]
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_refused"] == 0 and counts["csrf_rotated"] == (5 + 5 + 3 if rotation else 0)

    seq = last_seq(sim)
    out = ok(job(job_ids=ids))
    assert out["changed"] is False and out["canceled"] == []
    assert calls(sim, seq) == [TOKEN, CSRF] + [STATUS] * 5, "a re-run reads and sends no cancel"


def test_bulk_fails_once_at_the_end_naming_each_job_that_could_not_be_cancelled(sim, job):
    seed(sim, {"id": 1}, {"id": 2, "refuse_cancel": True}, {"id": 3}, {"id": 4, "jobState": "FAILED"})
    out = job(job_ids=[404, 1, 2, 3, 4])
    assert out.get("failed") is True
    assert out["changed"] is True and out["canceled"] == [1, 3]
    assert {j: job_state(sim, j) for j in (1, 2, 3, 4)} == {1: "CANCELLED", 2: "EXECUTING", 3: "CANCELLED", 4: "FAILED"}
    assert [(p["job_id"], p["state"]) for p in out["not_canceled"]] == [(404, None), (2, "EXECUTING")]
    msg = out["msg"]
    assert msg.startswith("could not cancel 2 of 5 VSP jobs (the others were handled): job 404: VSP One Object API "
                          "POST /vsp/mapi/v1/jobs/status failed: HTTP 404 Job not found: No job with ID 404 exists.")
    assert "; job 2 (EXECUTING): the API refused the cancel and the job is still EXECUTING: " in msg
    assert "Job 2 cannot be cancelled now." in msg
    assert out["problem"]["code"] == "NOT_FOUND"
    # Every job was read, every running one tried, and only then the module failed.
    assert calls(sim) == [TOKEN, CSRF] + [STATUS] * 5 + [CANCEL, CANCEL, STATUS, CANCEL]
    assert [j["jobId"]["id"] for j in out["jobs"]] == [1, 2, 3, 4]


def test_bulk_check_mode_fails_on_an_unknown_job_too(sim, job):
    seed(sim, {"id": 1})
    out = job(job_ids=[1, 404], check=True)
    assert out.get("failed") is True and out["canceled"] == [1] and [p["job_id"] for p in out["not_canceled"]] == [404]
    assert CANCEL not in calls(sim) and job_state(sim, 1) == "EXECUTING"


def test_bulk_with_wait_waits_for_every_cancelled_job(sim, job):
    seed(sim, {"id": 1, "cancel_delay": 0.6}, {"id": 2, "cancel_delay": 1.2}, {"id": 3},
         {"id": 4, "jobState": "COMPLETE"})
    out = ok(job(job_ids=[1, 2, 3, 4], wait=True, wait_sleep=0.3, wait_timeout=30))
    assert [j["jobState"] for j in out["jobs"]] == ["CANCELLED", "CANCELLED", "CANCELLED", "COMPLETE"]
    polled = [r["body"]["jobId"]["id"] for r in sim.requests("vsp")[2 + 4 + 3:]]
    assert polled and set(polled) <= {1, 2}, "only the jobs still stopping are polled"
    assert polled.count(2) >= 2 and polled.count(2) >= polled.count(1)


def test_bulk_wait_timeout_names_the_jobs_and_still_reports_the_cancels(sim, job):
    seed(sim, {"id": 1, "cancel_delay": 3600}, {"id": 2})
    out = job(job_ids=[1, 2], wait=True, wait_sleep=0.2, wait_timeout=1)
    assert out.get("failed") is True and "timed out after 1 seconds waiting for job 1 to stop" in out["msg"]
    assert out["changed"] is True and out["canceled"] == [1, 2]


def test_an_empty_list_sends_nothing(sim, job):
    out = ok(job(job_ids=[]))
    assert out["changed"] is False and out["jobs"] == [] and out["canceled"] == []
    assert sim.requests() == []


@pytest.mark.parametrize("args,words", [
    ({"job_ids": [1, 2147483648]}, "job_ids 2147483648 is out of range"),
    ({"job_ids": [1], "job_id": 1}, "mutually exclusive"),
    ({}, "one of the following is required: job_id, job_ids"),
])
def test_bulk_bad_input_fails_before_any_request(sim, job, args, words):
    out = job(**args)
    assert out.get("failed") is True
    assert words in out["msg"], out["msg"]
    assert sim.requests() == []


# -- issue 12, Done when: token rotation on, one token request; a 403 survived with one extra /csrf ----

def test_two_cancels_and_a_list_with_token_rotation_on_need_one_token_request(sim, run):
    """One token for the whole play (fetched once, given to every run as access_token, as AWX would)."""
    seed(sim, {"id": 1, "bucketName": "b1"}, {"id": 2, "bucketName": "b1"},
         {"id": 3, "bucketName": "b1", "jobState": "COMPLETE"}, csrf_rotation=True)
    defaults = {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "access_token": fetch_token(sim)}}
    first = ok(run("vsp_job", {"job_id": 1}, defaults=defaults))
    second = ok(run("vsp_job", {"job_id": 2}, defaults=defaults))
    listing = ok(run("vsp_job_info", {"bucket_name": "b1"}, defaults=defaults))
    assert first["changed"] and second["changed"]
    assert [j["jobState"] for j in listing["jobs"]] == ["CANCELLED", "CANCELLED", "COMPLETE"]
    sent = calls(sim)
    assert sent.count(TOKEN) == 1
    assert sent[1:] == [CSRF, STATUS, CANCEL, CSRF, STATUS, CANCEL, CSRF, LIST]
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_rotated"] == 5 and counts["csrf_refused"] == 0, "every POST carried the rotated token"


def test_two_cancels_and_a_list_with_token_rotation_on_one_token_per_module_run(sim, job, info):
    seed(sim, {"id": 1, "bucketName": "b1"}, {"id": 2, "bucketName": "b1"}, csrf_rotation=True)
    assert ok(job(job_ids=[1, 2]))["canceled"] == [1, 2]
    ok(info(bucket_name="b1"))
    assert calls(sim) == [TOKEN, CSRF, STATUS, STATUS, CANCEL, CANCEL, TOKEN, CSRF, LIST]
    assert sim.state("vsp")["counts"]["csrf_refused"] == 0


@ROTATION
def test_a_403_csrf_refusal_is_survived_with_one_extra_csrf_fetch(sim, job, rotation):
    # The CSRF token expires (Vert.x-Web: after 30 minutes) between the read and the cancel.
    seed(sim, {"id": 1}, token_lifetime=7200, csrf_rotation=rotation)
    sim.fault(api="vsp", path="/jobs/cancel", kind="advance", delay=1801, times=1)
    out = ok(job(job_id=1))
    assert out["changed"] is True and out["job"]["jobState"] == "CANCELLED"
    assert statuses(sim) == [TOKEN + (200,), CSRF + (200,), STATUS + (200,), CANCEL + (403,), CSRF + (200,),
                             CANCEL + (200,)]
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_issued"] == 2 and counts["csrf_refused"] == 1 and counts["tokens_issued"] == 1


# -- each other behaviour of the simulator, one at a time (a rotation, the older reading): nothing fails ------

@pytest.mark.parametrize("setting", [{"csrf_rotation": True}, {"csrf_failure_status": 401},
                                     {"omit_empty_jobs": False}, {"epoch_times": False},
                                     {"cancel_finished": "409"}, {"cancel_finished": "200"}])
def test_each_fidelity_switch_alone_changes_nothing_for_the_modules(sim, job, info, setting):
    seed(sim, {"id": 1, "bucketName": "b1"}, {"id": 2, "bucketName": "b1", "jobState": "COMPLETE"},
         {"id": 3, "bucketName": "b1", "complete_after": 5}, csrf_lifetime=600, **setting)
    # Job 3 completes as its cancel arrives; the CSRF token expires meanwhile too.
    sim.fault(api="vsp", path="/jobs/cancel", kind="advance", delay=601, times=1)
    out = ok(job(job_ids=[3, 1, 2]))
    listed = ok(info(bucket_name="b1"))["jobs"]
    empty = ok(info(bucket_name="nothing-here"))
    assert out["canceled"] == [1] and out["changed"] is True and out["not_canceled"] == []
    assert [j["jobState"] for j in out["jobs"]] == ["COMPLETE", "CANCELLED", "COMPLETE"]
    assert [j["jobState"] for j in listed] == ["CANCELLED", "COMPLETE", "COMPLETE"]
    assert empty["jobs"] == []
    assert isinstance(listed[0]["startTime"], str if setting == {"epoch_times": False} else float)


# -- bulk that never gives up early, and kills (issue 21) -------------------------------------------

def cancels(sim, since=0):
    """The job ID of each cancel the simulator received, in arrival order."""
    entries = sorted(sim.requests("vsp", since=since), key=lambda r: r["arrival"])
    return [r["body"]["jobId"]["id"] for r in entries if r["path"].endswith("/jobs/cancel")]


def test_bulk_a_job_whose_cancel_keeps_failing_is_named_and_the_later_jobs_are_still_cancelled(sim, job):
    seed(sim, *[{"id": i} for i in range(1, 6)])
    # Job 3's cancel answers 500 however often it is sent: an error about that job, not about the run.
    sim.fault(api="vsp", method="POST", path="/jobs/cancel$", body=r'"id": 3\}', kind="status", status=500, times=-1)
    out = job(job_ids=[1, 2, 3, 4, 5])
    assert out.get("failed") is True and out["changed"] is True
    assert out["canceled"] == [1, 2, 4, 5]
    assert [(p["job_id"], p["state"]) for p in out["not_canceled"]] == [(3, "EXECUTING")]
    assert "HTTP 500" in out["not_canceled"][0]["reason"]
    assert out["msg"].startswith("could not cancel 1 of 5 VSP jobs (the others were handled): job 3 (EXECUTING): "
                                 "VSP One Object API POST /vsp/mapi/v1/jobs/cancel failed: HTTP 500")
    assert {j: job_state(sim, j) for j in range(1, 6)} == {
        1: "CANCELLED", 2: "CANCELLED", 3: "EXECUTING", 4: "CANCELLED", 5: "CANCELLED"}
    sent = cancels(sim)
    assert sent[:2] == [1, 2] and set(sent[2:-2]) == {3} and sent[-2:] == [4, 5], "4 and 5 tried after job 3"


def test_bulk_a_failed_status_read_is_that_jobs_failure_only(sim, job):
    seed(sim, *[{"id": i} for i in range(1, 4)])
    sim.fault(api="vsp", method="POST", path="/jobs/status$", body=r'"id": 2\}', kind="status", status=500, times=-1)
    out = job(job_ids=[1, 2, 3])
    assert out.get("failed") is True and out["changed"] is True and out["canceled"] == [1, 3]
    assert [p["job_id"] for p in out["not_canceled"]] == [2] and job_state(sim, 2) == "EXECUTING"


def test_bulk_msg_names_five_failures_and_counts_the_rest(sim, job):
    seed(sim, *[{"id": i, "refuse_cancel": True} for i in range(1, 13)], {"id": 13})
    out = job(job_ids=list(range(1, 14)))
    assert out.get("failed") is True and out["changed"] is True and out["canceled"] == [13]
    assert [p["job_id"] for p in out["not_canceled"]] == list(range(1, 13)), "the result lists every failure"
    msg = out["msg"]
    assert msg.startswith("could not cancel 12 of 13 VSP jobs (the others were handled): job 1 (EXECUTING): ")
    assert [n for n in range(1, 13) if "job %d (EXECUTING)" % n in msg] == [1, 2, 3, 4, 5]
    assert msg.endswith("; ... and 7 more (the result lists them all)")


def test_bulk_credentials_refused_midway_stop_new_cancels_and_name_the_jobs_not_attempted(sim, job):
    seed(sim, *[{"id": i} for i in range(1, 5)])
    sim.fault(api="vsp", method="POST", path="/jobs/cancel$", kind="status", status=401, times=-1)
    out = job(job_ids=[1, 2, 3, 4])
    assert out.get("failed") is True and out["changed"] is False
    assert "HTTP 401" in out["msg"]
    assert set(cancels(sim)) == {1}, "no job after the first was tried: every call would be refused"
    assert [p["job_id"] for p in out["not_canceled"]] == [1, 2, 3, 4]
    assert all(p["reason"].startswith("not attempted: ") for p in out["not_canceled"][1:])


def test_every_change_is_logged_as_it_happens_ids_and_outcomes_only(sim, job, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule

    lines = []
    monkeypatch.setattr(AnsibleModule, "log", lambda self, msg, log_args=None: lines.append(msg))
    seed(sim, {"id": 1}, {"id": 2, "refuse_cancel": True}, {"id": 3, "jobState": "COMPLETE"})
    job(job_ids=[1, 2, 3])
    ours = [line for line in lines if line.startswith("cancel of job")]
    assert ours == ["cancel of job 1: sending", "cancel of job 1: acted, changed",
                    "cancel of job 2: sending", "cancel of job 2: refused"]
    assert not any("vsp-secret" in line for line in lines)


def test_a_stop_between_jobs_in_process_starts_no_new_cancel_and_reports_what_was_done(sim, job, monkeypatch):
    # The signal handler's effect, without a signal (this is the test process): the watch says stop
    # once the second cancel is over.
    from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule

    record = JobctlModule.record

    def stop_after_two(self, item, done):
        record(self, item, done)
        if done is not None and item.id == 2:
            self._watch.stop("the module received SIGTERM")

    monkeypatch.setattr(JobctlModule, "record", stop_after_two)
    seed(sim, *[{"id": i} for i in range(1, 6)])
    out = job(job_ids=[1, 2, 3, 4, 5], wait=True)
    assert out.get("failed") is True and out["changed"] is True and out["canceled"] == [1, 2]
    assert out["msg"].startswith("the module received SIGTERM: it started no new change after it")
    assert [p["job_id"] for p in out["not_canceled"]] == [3, 4, 5]
    assert cancels(sim) == [1, 2]


def test_sigterm_to_a_module_process_settles_the_cancel_in_flight_and_reports_what_it_did(sim, tmp_path):
    ids = list(range(1, 41))
    seed(sim, *[{"id": i} for i in ids])
    # Every cancel is handled 0.5 s late: the run is mid-list, a cancel in flight, when the signal comes.
    sim.fault(api="vsp", method="POST", path="/jobs/cancel$", kind="slow", delay=0.5, times=-1)
    args = dict(urls(sim), username="vsp-admin", password="vsp-secret", job_ids=ids)
    path = tmp_path / "args.json"
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    from harness import COLLECTIONS

    with open(tmp_path / "stderr", "w+b") as errfile:
        proc = subprocess.Popen([sys.executable, str(ROOT / "plugins" / "modules" / "vsp_job.py"), str(path)],
                                stdout=subprocess.PIPE, stderr=errfile, env=dict(os.environ, PYTHONPATH=str(COLLECTIONS)))
        try:
            for dummy in range(600):
                if len(cancels(sim)) >= 3:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("no three cancels within 30 s")
            proc.send_signal(15)
            time.sleep(0.1)
            with sim.simulator.lock:
                arrived = sim.simulator._arrivals
            out = proc.stdout.read()
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        errfile.seek(0)
        err = errfile.read().decode()
    assert proc.returncode == 1, (proc.returncode, out, err[-2000:])
    result = json.loads(out.decode())
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("the module received SIGTERM: it started no new change after it")
    cancelled = [j["jobId"]["id"] for j in sim.state("vsp")["jobs"] if j["jobState"] == "CANCELLED"]
    assert result["canceled"] == cancelled and 3 <= len(cancelled) < len(ids)
    assert [p["job_id"] for p in result["not_canceled"]] == [i for i in ids if i not in cancelled]
    late = [r for r in sim.requests("vsp") if r["path"].endswith("/jobs/cancel") and r["arrival"] > arrived]
    assert late == [], "no cancel started after the signal"
