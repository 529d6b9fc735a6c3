"""bigchange_job with job_ids (issue 13), and two runs racing for one job (issue 11), run in this process
(tests/runner.py) against the simulator: request budgets read from the simulator's log, outcomes from its state.

Two checks need a Python of their own, and have one: the peak memory of one module process over 500
jobs, and what importing the modules builds (nothing imported before them may hide it).
"""

import json
import math
import os
import subprocess
import sys
import time

import pytest

from harness import COLLECTIONS, ROOT, concurrently

CLIENT_ID = "ops-automation"
# Shares no 8 characters with the paths the messages quote (the modules mask any 8 of a secret's).
SECRET = "s3cr3t-7f9a2c4e1b"
TOKEN_PATH = "/bigchange/auth/tokens"
REFUSED = ("cannot be cancelled: its status is %s, so the work is under way, and BigChange does not allow "
           "cancelling a started or suspended job. The job was left as it is.")


@pytest.fixture
def creds(sim):
    sim.seed(bigchange={"clients": [{"client_id": CLIENT_ID, "client_secret": SECRET}]})
    return {"api_url": sim.url + "/bigchange/v1", "token_url": sim.url + TOKEN_PATH, "customer_id": 1001,
            "client_id": CLIENT_ID, "client_secret": SECRET, "retries": 2}


@pytest.fixture
def bigchange(creds):
    return {"group/jobctl.cloud.bigchange": creds}


def seed_jobs(sim, *specs):
    return [j["id"] for j in sim.seed(bigchange={"jobs": list(specs)})["bigchange"]["jobs"]]


def statuses(sim):
    return dict((j["id"], j["status"]) for j in sim.state("bigchange")["jobs"])


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


def sent(sim, since=0):
    """(method, path below /bigchange) of each request, in arrival order."""
    entries = sorted(sim.requests("bigchange", since=since), key=lambda r: r["arrival"])
    return [(r["method"], r["path"].replace("/bigchange", "", 1)) for r in entries]


@pytest.fixture
def cancel(run, bigchange):
    """One bigchange_job run with the play's module_defaults: cancel(job_ids, reason=, check=, diff=, **args)."""

    def call(job_ids, reason="Depot flooded", check=False, diff=False, **extra):
        return run("bigchange_job", dict(job_ids=job_ids, reason=reason, **extra), check=check, diff=diff,
                   defaults=bigchange)

    return call


def ok(out):
    """The result, asserted to be a success (a play's task that did not fail)."""
    assert not out.get("failed"), out
    return out


def fault_hits(sim, rule_id):
    """How many requests a fault rule has met so far (counted as they arrive, before any delay)."""
    return next(r["hits"] for r in sim._call("GET", "/faults")["faults"] if r["id"] == rule_id)


def test_check_diff_real_and_rerun_cover_the_whole_list(sim, cancel):
    ids = seed_jobs(sim, {"status": "scheduled"}, {"status": "new"}, {"status": "cancelled"},
                    {"status": "completedOk"}, {"status": "rescheduled"})
    asked = ids + [ids[0], ids[1]]
    predicted = [(ids[0], "cancelled"), (ids[1], "cancelled"), (ids[2], "cancelled"), (ids[3], "completedOk"),
                 (ids[4], "cancelled")]

    out = ok(cancel(asked, check=True, diff=True))
    assert out["changed"] is True
    assert out["canceled"] == [ids[0], ids[1], ids[4]] and out["not_canceled"] == []
    assert [(j["id"], j["status"]) for j in out["jobs"]] == predicted
    assert out["diff"] == {"before": {"jobs": [{"id": i, "status": s} for i, s in zip(ids, [
        "scheduled", "new", "cancelled", "completedOk", "rescheduled"])]},
        "after": {"jobs": [{"id": i, "status": s} for i, s in predicted]}}
    assert sent(sim) == [("POST", "/auth/tokens"), ("GET", "/v1/jobs")], "check mode reads only, once"
    assert sim.requests("bigchange")[-1]["query"]["id"] == [str(i) for i in ids], "each ID once"

    seq = last_seq(sim)
    first = ok(cancel(asked, diff=True))
    again = ok(cancel(asked, diff=True))
    assert first["changed"] is True
    assert (first["canceled"], first["jobs"], first["diff"]) == (out["canceled"], out["jobs"], out["diff"]), \
        "check mode predicted the real run exactly"
    assert again["changed"] is False and again["canceled"] == [] and again["not_canceled"] == []
    assert [(j["id"], j["status"]) for j in again["jobs"]] == predicted
    puts = sorted(p for m, p in sent(sim, seq) if m == "PUT")
    assert puts == sorted("/v1/jobs/%d/cancel" % i for i in (ids[0], ids[1], ids[4]))
    assert [m for m, p in sent(sim, seq)].count("GET") == 2 and len(sent(sim, seq)) == 2 + 3 + 2, \
        "the re-run sent a token request and one read alone"
    assert statuses(sim) == dict(predicted)
    reasons = dict((j["id"], j["cancelReason"]) for j in sim.state("bigchange")["jobs"])
    assert [reasons[i] for i in (ids[0], ids[1], ids[4])] == ["Depot flooded"] * 3


def test_jobs_that_cannot_be_cancelled_fail_once_at_the_end_after_the_others_were_cancelled(sim, cancel):
    ids = seed_jobs(sim, {"status": "started"}, {"status": "scheduled"}, {"status": "suspended"},
                    {"status": "lateFinish"}, {"status": "onTheWay"}, {"status": "awaitingParts", "undocumented": True},
                    {"status": "lateStart"})
    asked = ids + [999999]
    expected_not_canceled = [
        {"job_id": ids[0], "status": "started", "reason": "job %d " % ids[0] + REFUSED % "started"},
        {"job_id": ids[2], "status": "suspended", "reason": "job %d " % ids[2] + REFUSED % "suspended"},
        {"job_id": ids[3], "status": "lateFinish", "reason": "job %d " % ids[3] + REFUSED % "lateFinish"},
        {"job_id": ids[5], "status": "awaitingParts",
         "reason": "job %d cannot be cancelled: its status is 'awaitingParts', which this module does not know. The "
                   "job was left as it is." % ids[5]},
        {"job_id": 999999, "status": None,
         "reason": "job 999999 was not found: BigChange did not list it: it does not exist, or customer 1001 cannot "
                   "see it"},
    ]
    msg = ("could not cancel 5 of 8 BigChange jobs: %d (status started), %d (status suspended), %d (status "
           "lateFinish), %d (status awaitingParts), 999999 (not listed). Each was left as it was; every other job "
           "was handled. " % (ids[0], ids[2], ids[3], ids[5])) + " ".join(f["reason"] for f in expected_not_canceled)
    for check in (True, False):
        out = cancel(asked, check=check)
        assert out.get("failed") is True, "check mode fails as the real run does"
        assert out["msg"] == msg
        assert out["not_canceled"] == expected_not_canceled
        assert out["changed"] is True and out["canceled"] == [ids[1], ids[4], ids[6]]
        assert [j["id"] for j in out["jobs"]] == ids, "the job BigChange did not list is left out"
        assert "problem" not in out, "no request failed: nothing of the API's to show"
    assert statuses(sim) == dict(zip(ids, ["started", "cancelled", "suspended", "lateFinish", "cancelled",
                                           "awaitingParts", "cancelled"]))
    cancelled = sorted("/v1/jobs/%d/cancel" % i for i in (ids[1], ids[4], ids[6]))
    assert sorted(p for m, p in sent(sim) if m == "PUT") == cancelled


def test_one_token_and_at_most_one_read_per_50_jobs_and_cancels_four_at_a_time(sim, cancel):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 120)
    # Each cancel is handled half a second late, so the log shows how many were in flight at once.
    sim.fault(api="bigchange", method="PUT", kind="slow", delay=0.5, times=12)
    out = cancel(ids)
    assert not out.get("failed"), out.get("msg")
    assert out["changed"] is True and out["canceled"] == ids and len(out["jobs"]) == 120
    requests = sent(sim)
    assert requests.count(("POST", "/auth/tokens")) == 1
    assert requests.count(("GET", "/v1/jobs")) == math.ceil(120 / 50) == 3
    assert sorted(p for m, p in requests if m == "PUT") == sorted("/v1/jobs/%d/cancel" % i for i in ids)
    assert len(requests) == 1 + 3 + 120, "no read of a single job"
    assert set(statuses(sim).values()) == {"cancelled"}
    slow = [r for r in sim.requests("bigchange") if r["fault"] == "slow"]
    spans = [(r["time"] - 0.5, r["time"]) for r in slow]
    in_flight = max(sum(1 for a, b in spans if a <= start < b) for start, dummy in spans)
    assert 2 <= in_flight <= 4, "cancels go out concurrently, at most four at a time (%d)" % in_flight


def test_a_lost_answer_in_a_list_is_settled_by_reading_that_job(sim, cancel):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 3)
    sim.fault(api="bigchange", method="PUT", path="/jobs/%d/cancel$" % ids[1], kind="drop", when="after")
    out = ok(cancel(ids))
    assert out["canceled"] == ids
    assert len(out["warnings"]) == 1 and "/jobs/%d/cancel" % ids[1] in out["warnings"][0]
    assert sent(sim).count(("GET", "/v1/jobs/%d" % ids[1])) == 1, "one read of that job settled it"
    assert sent(sim).count(("PUT", "/v1/jobs/%d/cancel" % ids[1])) == 1, "never sent again"
    assert set(statuses(sim).values()) == {"cancelled"}


def test_a_cancel_that_fails_is_named_at_the_end_with_the_apis_words(sim, cancel):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 3)
    sim.fault(api="bigchange", method="PUT", path="/jobs/%d/cancel$" % ids[0], kind="status", status=403, times=1)
    out = cancel(ids)
    assert out.get("failed") is True and out["changed"] is True and out["canceled"] == ids[1:]
    words = ("BigChange API PUT /bigchange/v1/jobs/%d/cancel failed: HTTP 403 Forbidden: You are not allowed to do "
             "this." % ids[0])
    assert out["not_canceled"] == [{"job_id": ids[0], "status": "scheduled", "reason": words}]
    assert out["msg"].startswith("could not cancel 1 of 3 BigChange jobs: %d (status scheduled)." % ids[0])
    assert out["msg"].endswith(words)
    assert out["problem"]["status"] == 403
    assert statuses(sim) == dict(zip(ids, ["scheduled", "cancelled", "cancelled"]))


def test_a_failed_list_read_cancels_nothing(sim, cancel):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 60)
    sim.fault(api="bigchange", method="GET", kind="status", status=500, times=-1)
    out = cancel(ids)
    assert out.get("failed") is True and out["changed"] is False
    assert out["msg"].startswith("BigChange API GET /bigchange/v1/jobs failed: HTTP 500")
    assert [m for m, p in sent(sim)] == ["POST", "GET"], "a 500 on a read is not retried; nothing was sent after it"
    assert set(statuses(sim).values()) == {"scheduled"}


def test_an_empty_list_sends_nothing(sim, cancel):
    out = ok(cancel([]))
    assert out["changed"] is False and out["jobs"] == [] and out["canceled"] == [] and out["not_canceled"] == []
    assert sim.requests() == []


# -- memory and start-up ----------------------------------------------------------------------------

# Run as Ansible runs a module file, then write the process's own peak RSS. VmHWM belongs to the
# address space exec made: wait4's ru_maxrss would also count the pytest worker that forked it
# (Linux keeps the high-water mark across exec, and a long-lived worker can be 300 MB by then).
PEAK_RSS_WRAPPER = """
import atexit, runpy, sys
def peak(path=sys.argv[1]):
    with open("/proc/self/status") as status, open(path, "w") as out:
        out.write([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
atexit.register(peak)
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_500_jobs_in_one_run_stay_well_under_150_mb(sim, creds, tmp_path):
    ids = seed_jobs(sim, *[{"status": "scheduled", "reference": None, "description": "x" * 200}] * 500)
    args = dict(creds, job_ids=ids, reason="Depot closed")
    path = tmp_path / "args.json"
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    peak_file = tmp_path / "peak_kb"
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS_WRAPPER, str(peak_file),
                           str(ROOT / "plugins" / "modules" / "bigchange_job.py"), str(path)],
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(COLLECTIONS)), timeout=300,
                          check=False)
    result = json.loads(proc.stdout.decode())
    assert proc.returncode == 0 and not result.get("failed"), (result.get("msg"), proc.stderr.decode()[-2000:])
    assert result["changed"] is True and len(result["canceled"]) == 500
    peak_mb = int(peak_file.read_text()) / 1024.0
    print("peak RSS of one bigchange_job run over 500 jobs: %.1f MB" % peak_mb)
    assert 10 < peak_mb < 150
    requests = sent(sim)
    assert requests.count(("POST", "/auth/tokens")) == 1 and requests.count(("GET", "/v1/jobs")) == 10
    assert set(statuses(sim).values()) == {"cancelled"}


def test_importing_the_modules_builds_nothing_the_run_does_not_use():
    # A fresh Python: in this one, earlier runs built the models and imported concurrent.futures.
    code = (
        "import sys\n"
        "import ansible_collections.jobctl.cloud.plugins.modules.bigchange_job\n"
        "import ansible_collections.jobctl.cloud.plugins.modules.bigchange_job_info\n"
        "from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import models\n"
        "print(models.Job.__pydantic_complete__, models.JobPage.__pydantic_complete__,\n"
        "      'concurrent.futures' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(COLLECTIONS)),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False", "False"], \
        "models are built on first use, the thread pool only for a list of cancels"


# -- two runs racing for one job ------------------------------------------------------------------

@pytest.mark.parametrize("second_cancel", [422, 409, 204])
def test_two_runs_racing_for_one_job(sim, run, bigchange, second_cancel):
    # INVENTED: what BigChange answers to the loser's cancel; each plausible answer is tried.
    sim.seed(bigchange={"settings": {"second_cancel": second_cancel}})
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    # Both cancels are handled 2 s after they arrive; the second run starts once the first one's
    # cancel has arrived, so both runs read the job before either cancel acts.
    rule = sim.fault(api="bigchange", method="PUT", kind="slow", delay=2, times=2)

    def race(name):
        return run("bigchange_job", {"job_id": job_id, "reason": "race %s" % name}, defaults=bigchange)

    def second():
        deadline = time.monotonic() + 30
        while fault_hits(sim, rule["id"]) < 1:
            assert time.monotonic() < deadline, "the first run's cancel never arrived"
            time.sleep(0.02)
        return race("b")

    outs = dict(zip(("a", "b"), concurrently(lambda: race("a"), second, timeout=120)))
    log = sim.requests("bigchange")
    reads = sorted((r for r in log if r["method"] == "GET"), key=lambda r: r["arrival"])
    puts = [r for r in log if r["method"] == "PUT"]
    assert len(puts) == 2 and max(r["time"] for r in reads[:2]) < min(r["time"] for r in puts), \
        "both runs read before either cancel acted"
    # The loser alone read again, to learn why it was refused.
    assert len(reads) == (2 if second_cancel == 204 else 3)
    assert sorted(r["handled_status"] for r in puts) == sorted([204, second_cancel])
    assert not any(out.get("failed") for out in outs.values()), "neither run fails: %s" % outs
    assert all(out["job"]["status"] == "cancelled" for out in outs.values())
    changed = sorted(out["changed"] for out in outs.values())
    if second_cancel == 204:
        # Documented in the module: a second 204 cannot be told from a first; both runs claim the change.
        assert changed == [True, True]
    else:
        assert changed == [False, True], "exactly one run reports the change"
        loser = next(out for out in outs.values() if not out["changed"])
        assert "warnings" not in loser or not loser["warnings"]
    state = sim.state("bigchange")["jobs"][0]
    assert [h["status"] for h in state["statusHistory"]].count("cancelled") == 1


def test_600_failures_make_a_msg_that_names_five_and_counts_the_rest(sim, cancel):
    # Started jobs are refused before anything is sent: 600 failures, 12 list reads, no cancel.
    ids = seed_jobs(sim, *[{"status": "started"}] * 600)
    out = cancel(ids)
    assert out.get("failed") is True and out["changed"] is False
    assert [f["job_id"] for f in out["not_canceled"]] == ids, "the result lists every failure"
    msg = out["msg"]
    assert msg.startswith("could not cancel 600 of 600 BigChange jobs: %s, ... and 595 more (the result lists them "
                          "all). Each was left as it was" % ", ".join("%d (status started)" % i for i in ids[:5]))
    assert len(msg) < 3000, len(msg)
    assert msg.count(REFUSED % "started") == 5
