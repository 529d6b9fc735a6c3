"""The VSP One Object client: its Keycloak/CSRF authentication, the cancel's outcome rules and the models,
over real HTTP to the simulator (faithful settings unless a test says otherwise)."""

import threading

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import models as vsp_utils
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.auth import VspAuth
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import client as vsp_client
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.client import VspClient

TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
FORM = {"grant_type": "password", "client_id": "vsp-object-external-client",
        "username": "vsp-admin", "password": "vsp-secret"}


def make(sim, retries=2, access_token=None, on_secret=None, **form):
    if access_token:
        token = OAuthToken(token=access_token)
    else:
        token = OAuthToken(sim.url + TOKEN_PATH, dict(FORM, **form), on_secret=on_secret)
    auth = VspAuth(token, on_secret=on_secret)
    return VspClient(HttpClient("VSP One Object API", sim.url + "/vsp/mapi", timeout=5, retries=retries, auth=auth))


def calls(sim, since=0):
    """(method, path below /vsp, status) of every VSP request, in the order they were answered."""
    return [(r["method"], r["path"][len("/vsp"):], r["status"]) for r in sim.requests("vsp", since=since)]


def by_arrival(sim):
    return sorted(sim.requests("vsp"), key=lambda r: r["arrival"])


TOKEN = ("POST", "/ui/auth/realms/vsp-object/protocol/openid-connect/token", 200)
CSRF = ("GET", "/mapi/v1/csrf", 200)
STATUS = ("POST", "/mapi/v1/jobs/status", 200)
CANCEL = ("POST", "/mapi/v1/jobs/cancel", 200)


def seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs) or [{"id": 1}]}
    if settings:
        body["settings"] = settings
    return sim.seed(vsp=body)["vsp"]["jobs"]


def counts(sim):
    return sim.state("vsp")["counts"]


def job_state(sim, job_id):
    return next(j["jobState"] for j in sim.state("vsp")["jobs"] if j["jobId"]["id"] == job_id)


# -- Keycloak and CSRF ------------------------------------------------------------------------------

@pytest.mark.parametrize("rotation", [False, True])
def test_one_token_and_one_csrf_fetch_then_only_job_calls_each_with_the_current_token(sim, rotation):
    seed(sim, {"id": 1}, {"id": 2}, csrf_rotation=rotation)
    vsp = make(sim)
    assert vsp.status(1).job_id.id == 1
    assert vsp.status(2).job_state == "EXECUTING"
    assert vsp.status(1).job_id.id == 1
    assert calls(sim) == [TOKEN, CSRF, STATUS, STATUS, STATUS]
    # With rotation every POST got a new XSRF-TOKEN cookie and only that one passes next; without, the
    # first serves them all. Either way none was refused.
    assert counts(sim) == {"tokens_issued": 1, "csrf_issued": 1, "csrf_rotated": 3 if rotation else 0,
                           "csrf_refused": 0}
    log = sim.requests("vsp")
    assert log[0]["body"] == dict(FORM, password="<redacted>")
    assert log[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in log[1]["headers"], "/csrf is fetched without the Bearer token"
    assert log[2]["body"] == {"jobId": {"id": 1}}
    assert {"Authorization", "X-XSRF-TOKEN", "Cookie"} <= set(log[2]["headers"])


def test_calls_from_several_threads_are_serialised_so_no_rotated_token_is_refused(sim):
    seed(sim, *[{"id": n} for n in range(1, 9)], csrf_rotation=True)
    vsp = make(sim)
    errors = []

    def read(job_id):
        try:
            for dummy in range(3):
                assert vsp.status(job_id).job_id.id == job_id
        except Exception as error:  # noqa: BLE001 - any failure is the test's finding
            errors.append(error)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert counts(sim) == {"tokens_issued": 1, "csrf_issued": 1, "csrf_rotated": 24, "csrf_refused": 0}


def test_a_given_access_token_skips_keycloak(sim):
    seed(sim)
    make(sim).status(1)
    issued = sim.state("vsp")["issued"]["access_tokens"][0]
    seq = sim.requests("vsp")[-1]["seq"]
    assert make(sim, access_token=issued).status(1).job_id.id == 1
    assert calls(sim, seq) == [CSRF, STATUS]


def test_client_secret_is_sent_for_a_confidential_client(sim):
    seed(sim)
    sim.seed(vsp={"clients": [{"client_id": "confidential", "secret": "cs-123"}]})
    assert make(sim, client_id="confidential", client_secret="cs-123").status(1).job_id.id == 1
    assert sim.requests("vsp")[0]["body"]["client_secret"] == "<redacted>"
    with pytest.raises(ApiError) as err:
        make(sim, client_id="confidential", client_secret="wrong").status(1)
    assert err.value.status == 401 and err.value.problem["code"] == "unauthorized_client"
    assert "wrong" not in err.value.msg


def test_wrong_password_fails_with_keycloaks_words(sim):
    seed(sim)
    with pytest.raises(ApiError) as err:
        make(sim, password="not-the-password").status(1)
    assert "HTTP 401 invalid_grant: Invalid user credentials" in err.value.msg
    assert "not-the-password" not in err.value.msg
    assert calls(sim) == [TOKEN[:2] + (401,)], "no CSRF fetch and no job call without a token"


@pytest.mark.parametrize("refusal", [403, 401])
def test_an_expired_csrf_token_is_fetched_again_once_and_the_call_repeated(sim, refusal):
    # 403 is Vert.x-Web's answer to a CSRF failure; 401 is the reference's reading. Both are survived alike.
    seed(sim, {"id": 1}, csrf_lifetime=30, csrf_failure_status=refusal)
    vsp = make(sim)
    vsp.status(1)
    sim.advance(31)
    assert vsp.status(1).job_id.id == 1
    renewal = [TOKEN] if refusal == 401 else []
    assert calls(sim) == [TOKEN, CSRF, STATUS, STATUS[:2] + (refusal,)] + renewal + [CSRF, STATUS]
    assert counts(sim)["csrf_issued"] == 2 and counts(sim)["csrf_refused"] == 1


def test_an_expired_keycloak_token_is_renewed_with_the_csrf_token_after_a_401(sim, real_clock):
    seed(sim, {"id": 1}, token_lifetime=60)
    vsp = make(sim)
    vsp.status(1)
    sim.advance(61)
    assert vsp.status(1).job_id.id == 1
    assert calls(sim) == [TOKEN, CSRF, STATUS, STATUS[:2] + (401,), TOKEN, CSRF, STATUS]
    log = sim.requests("vsp")
    assert "Authorization" not in log[5]["headers"], "the renewed CSRF fetch sends no Bearer token either"


def test_an_expired_given_token_fails_with_the_apis_words_after_one_more_try(sim):
    seed(sim)
    with pytest.raises(ApiError) as err:
        make(sim, access_token="vsp-at-expired").status(1)
    assert err.value.status == 401 and err.value.problem["code"] == "UNAUTHORIZED"
    assert "HTTP 401 Access was denied due to invalid credentials." in err.value.msg
    assert "vsp-at-expired" not in err.value.msg
    # A given token cannot be renewed; the CSRF pair is, once, and the call is tried once more.
    assert calls(sim) == [CSRF, STATUS[:2] + (401,), CSRF, STATUS[:2] + (401,)]


@pytest.mark.parametrize("refusal", [403, 401])
def test_a_refusal_that_persists_is_renewed_once_then_fails(sim, refusal):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/status", kind="status", status=refusal, times=-1)
    with pytest.raises(ApiError) as err:
        make(sim).status(1)
    assert err.value.status == refusal and not err.value.lost
    renewal = [TOKEN] if refusal == 401 else []
    assert calls(sim) == [TOKEN, CSRF, STATUS[:2] + (refusal,)] + renewal + [CSRF, STATUS[:2] + (refusal,)]


def test_a_csrf_answer_without_the_cookie_fails_readably(sim):
    seed(sim)
    sim.fault(api="vsp", path="/v1/csrf", kind="empty", times=1)
    with pytest.raises(ApiError) as err:
        make(sim).status(1)
    assert "set no XSRF-TOKEN cookie" in err.value.msg and "GET /vsp/mapi/v1/csrf" in err.value.msg


def test_a_server_that_wanted_a_bearer_token_on_csrf_would_refuse_it(sim):
    # The reference's older reading, as a switch: the client follows the vendor and sends none.
    seed(sim, csrf_requires_bearer=True)
    with pytest.raises(ApiError) as err:
        make(sim).status(1)
    assert err.value.status == 401 and "GET /vsp/mapi/v1/csrf" in err.value.msg
    assert "Authorization" not in sim.requests("vsp")[1]["headers"]


def test_reads_are_retried_on_gateway_errors(sim):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/status", kind="status", status=503, times=2)
    assert make(sim).status(1).job_id.id == 1
    assert [c[2] for c in calls(sim)] == [200, 200, 503, 503, 200]


def test_a_status_answer_about_another_job_is_not_trusted(sim):
    seed(sim, {"id": 1})
    vsp = make(sim)

    class Reply:  # what the API might send back about the wrong job; the check itself is the real one
        status = 200

        @staticmethod
        def model(model):
            return model.model_validate({"status": {"jobId": {"id": 2}, "jobState": "EXECUTING"}})

    with pytest.raises(ApiError) as err:
        vsp._job_of(Reply(), vsp_utils.STATUS_PATH, 1)
    assert "is about job 2, not job 1" in err.value.msg and err.value.lost


@pytest.mark.parametrize("rotation", [False, True])
def test_fetched_secrets_are_handed_to_the_mask(sim, rotation):
    seed(sim, csrf_rotation=rotation)
    secrets = []
    vsp = make(sim, on_secret=secrets.append)
    vsp.status(1)
    vsp.status(1)
    issued = sim.state("vsp")["issued"]
    # The token, the session cookie and every XSRF token that was sent (with rotation, the rotated one
    # too; the last rotated token was never sent, so never learnt).
    xsrf = [s for s in secrets if s in issued["xsrf_tokens"]]
    assert len(issued["xsrf_tokens"]) == (3 if rotation else 1)
    assert len(xsrf) == (2 if rotation else 1) == len(set(xsrf))
    assert sorted(secrets) == sorted(issued["access_tokens"] + issued["sessions"] + xsrf)


# -- the cancel's outcome ---------------------------------------------------------------------------

def cancels(sim):
    return [r for r in by_arrival(sim) if r["path"].endswith("/jobs/cancel")]


def test_acted_a_running_job_is_cancelled_once(sim):
    seed(sim, {"id": -3, "jobState": "EXAMINING", "jobType": "METRIC_RECONCILIATION"})
    outcome = make(sim).cancel(-3)
    assert outcome.kind == Outcome.ACTED and outcome.changed and outcome.warning is None
    assert outcome.obj.job_state == "CANCELLED" and outcome.obj.job_type == "METRIC_RECONCILIATION"
    assert calls(sim) == [TOKEN, CSRF, CANCEL]
    assert sim.requests("vsp")[-1]["body"] == {"jobId": {"id": -3}}


def test_acted_a_cancel_accepted_while_the_job_still_runs(sim):
    seed(sim, {"id": 4, "cancel_delay": 30})
    outcome = make(sim).cancel(4)
    assert outcome.kind == Outcome.ACTED and outcome.obj.job_state == "EXECUTING"


@pytest.mark.parametrize("variant", ["400", "409"])
def test_already_a_job_another_run_cancelled_is_read_and_left(sim, variant):
    seed(sim, {"id": 5, "jobState": "CANCELLED"}, cancel_finished=variant)
    outcome = make(sim).cancel(5)
    assert outcome.kind == Outcome.ALREADY and not outcome.changed and not outcome.refused
    assert outcome.reason == "already CANCELLED" and outcome.obj.job_state == "CANCELLED"
    assert calls(sim) == [TOKEN, CSRF, CANCEL[:2] + (int(variant),), STATUS]


def test_with_the_200_variant_a_cancelled_job_cannot_be_told_from_one_this_run_cancelled(sim):
    # INVENTED answer: a 200 that shows the job unchanged. It looks exactly like this run's cancel,
    # which is why the module reads the status first and sends no cancel to a job not running.
    seed(sim, {"id": 5, "jobState": "CANCELLED"}, cancel_finished="200")
    outcome = make(sim).cancel(5)
    assert outcome.kind == Outcome.ACTED and outcome.obj.job_state == "CANCELLED"
    assert calls(sim) == [TOKEN, CSRF, CANCEL]


@pytest.mark.parametrize("variant", ["400", "409", "200"])
@pytest.mark.parametrize("state", ["COMPLETE", "FAILED"])
def test_ended_a_job_that_finished_before_the_cancel_came(sim, variant, state):
    seed(sim, {"id": 6, "jobState": state}, cancel_finished=variant)
    outcome = make(sim).cancel(6)
    assert outcome.kind == Outcome.ENDED and not outcome.changed and not outcome.refused
    assert outcome.reason == "already %s" % state and outcome.obj.job_state == state
    settle = [] if variant == "200" else [STATUS]
    assert calls(sim)[2:] == [CANCEL[:2] + (int(variant),)] + settle


def test_refused_a_running_job_the_api_will_not_cancel(sim):
    seed(sim, {"id": 7})
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=400, times=1)
    outcome = make(sim).cancel(7)
    assert outcome.kind == Outcome.REFUSED and outcome.refused and not outcome.changed
    assert outcome.reason.startswith("the API refused the cancel and the job is still EXECUTING: ")
    assert "HTTP 400 Invalid request" in outcome.reason and "earlier attempt" not in outcome.reason
    assert outcome.error.problem["code"] == "INVALID_REQUEST"
    assert calls(sim)[2:] == [CANCEL[:2] + (400,), STATUS]
    assert job_state(sim, 7) == "EXECUTING"


def test_refused_a_job_that_vanished_before_the_cancel(sim):
    seed(sim, {"id": 8})
    outcome = make(sim).cancel(404)
    assert outcome.kind == Outcome.REFUSED and "HTTP 404 Job not found: No job with ID 404 exists." in outcome.reason
    assert outcome.obj is None and outcome.error.status == 404
    assert calls(sim)[2:] == [CANCEL[:2] + (404,)], "no status read: the API said why"


def test_a_429_is_waited_out_and_never_settled_by_a_read(sim):
    seed(sim, {"id": 9})
    sim.fault(api="vsp", path="/jobs/cancel", kind="rate_limit", retry_after=1, times=1)
    outcome = make(sim).cancel(9)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert calls(sim)[2:] == [CANCEL[:2] + (429,), CANCEL]


@pytest.mark.parametrize("fault", [
    {"kind": "status", "status": 502, "when": "after"},
    {"kind": "drop", "when": "after"},
    {"kind": "malformed", "when": "after"},
])
def test_a_lost_answer_after_acting_is_settled_by_one_read_and_the_cancel_is_not_resent(sim, fault):
    seed(sim, {"id": 10})
    sim.fault(api="vsp", path="/jobs/cancel", times=1, **fault)
    outcome = make(sim).cancel(10)
    assert outcome.kind == Outcome.ACTED and outcome.lost is not None
    assert outcome.warning.startswith("the answer to a request was lost (")
    log = by_arrival(sim)
    sent = cancels(sim)
    assert len(sent) == 1 and sent[0]["handled_status"] == 200, "handled once, and only once"
    reads = [r for r in log if r["path"].endswith("/jobs/status") and r["arrival"] > sent[0]["arrival"]]
    assert reads and reads[-1]["status"] == 200, "a status read after the cancel settled it"
    assert job_state(sim, 10) == "CANCELLED"


def test_a_503_before_the_api_handled_the_cancel_is_settled_by_a_read_then_resent(sim):
    seed(sim, {"id": 11})
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=503, times=1)
    outcome = make(sim).cancel(11)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None, "this run's second attempt made the change"
    log = [(r["path"][len("/vsp/mapi"):], r["status"], r["handled_status"]) for r in by_arrival(sim)[2:]]
    assert log == [("/v1/jobs/cancel", 503, None), ("/v1/jobs/status", 200, 200), ("/v1/jobs/cancel", 200, 200)]


def test_a_lost_answer_when_the_job_ended_meanwhile_is_ended(sim):
    seed(sim, {"id": 12, "complete_after": 5})
    sim.fault(api="vsp", path="/jobs/cancel", kind="drop", times=1)
    # The job completes between the lost cancel and the read that settles it.
    sim.fault(api="vsp", path="/jobs/status", kind="advance", delay=10, times=1)
    outcome = make(sim).cancel(12)
    assert outcome.kind == Outcome.ENDED and outcome.obj.job_state == "COMPLETE" and outcome.warning is None
    assert [r["handled_status"] for r in cancels(sim)] == [None], "not sent again to a job that ended"


def test_a_lost_answer_then_a_refusal_while_the_job_still_runs_says_the_first_cancel_may_still_act(
        sim):
    seed(sim, {"id": 13, "cancel_delay": 600})
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=502, when="after", times=1)
    outcome = make(sim).cancel(13)
    assert outcome.kind == Outcome.REFUSED
    assert "the answer to an earlier attempt of this run was lost" in outcome.reason
    assert [r["status"] for r in cancels(sim)] == [502, 400]


def test_two_clients_one_job_exactly_one_acted(sim):
    seed(sim, {"id": 14})
    first, second = make(sim), make(sim)
    assert first.status(14).job_state == second.status(14).job_state == "EXECUTING"
    outcomes = [first.cancel(14), second.cancel(14)]
    assert [o.kind for o in outcomes] == [Outcome.ACTED, Outcome.ALREADY]
    assert [e["event"] for e in sim.state("vsp")["events"]] == ["job_cancel_requested"]


# -- lists and models --------------------------------------------------------------------------------

def test_raw_is_the_apis_own_object_with_epoch_times_as_given(sim):
    jobs = seed(sim, {"id": -769908758, "jobState": "COMPLETE", "jobParams": {"destination": "b2"},
                      "jobStats": {"processed": 3, "failed": 0}, "startTime": 1752770711.809,
                      "completeTime": 1752770724.423})
    job = make(sim).status(-769908758)
    assert job.raw() == jobs[0]
    assert job.start_time == 1752770711.809 and job.complete_time == 1752770724.423
    assert isinstance(job.raw()["startTime"], float)


def test_date_time_strings_pass_through_too(sim):
    seed(sim, {"id": 2, "jobState": "FAILED", "startTime": "2026-11-22T01:00:00Z",
               "completeTime": "2026-11-22T03:02:11Z"}, epoch_times=False)
    raw = make(sim).status(2).raw()
    assert raw["startTime"] == "2026-11-22T01:00:00Z" and raw["completeTime"] == "2026-11-22T03:02:11Z"


def test_thirty_pages_come_back_whole(sim):
    seed(sim, *[{"id": n - 75, "bucketName": "b1"} for n in range(150)], max_page_size=5)
    jobs = make(sim).list_jobs(bucket_name="b1")
    assert [j.job_id.id for j in jobs] == [n - 75 for n in range(150)]
    lists = [r for r in sim.requests("vsp") if r["path"].endswith("/jobs/list")]
    assert len(lists) == 30
    assert lists[0]["body"] == {"pageSize": vsp_utils.LIST_PAGE_SIZE, "bucketName": "b1"}
    assert vsp_utils.LIST_PAGE_SIZE == 1000, "the vendor's page size"
    assert all(r["body"]["pageToken"] for r in lists[1:])


def test_a_list_without_jobs_is_empty(sim):
    seed(sim, {"id": 1, "bucketName": "b1"})
    assert make(sim).list_jobs(bucket_name="nothing-here") == []
    assert sim.requests("vsp")[-1]["status"] == 200


def test_list_filters_are_sent_to_the_api(sim):
    seed(sim, {"id": 1, "userId": 4}, {"id": 2, "userId": 5})
    assert [j.job_id.id for j in make(sim).list_jobs(user_id=5)] == [2]
    assert sim.requests("vsp")[-1]["body"] == {"pageSize": vsp_utils.LIST_PAGE_SIZE, "userId": {"id": 5}}


def test_an_endless_list_stops_at_the_page_bound(sim, monkeypatch):
    monkeypatch.setattr(vsp_client, "MAX_PAGES", 3)
    seed(sim, *[{"id": n} for n in range(1, 11)], max_page_size=2)
    with pytest.raises(ApiError) as err:
        make(sim).list_jobs()
    assert "more than 3 pages of jobs; stopped after 6 jobs" in err.value.msg


@pytest.mark.parametrize("kind,words", [("wrong_shape", "unexpected shape: jobs: missing"),
                                        ("empty", "unexpected shape"), ("malformed", "not valid JSON")])
def test_a_list_of_the_wrong_shape_fails_instead_of_reading_as_empty(sim, kind, words):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/list", kind=kind, when="after", times=3)
    with pytest.raises(ApiError) as err:
        make(sim, retries=0).list_jobs()
    assert words in err.value.msg
