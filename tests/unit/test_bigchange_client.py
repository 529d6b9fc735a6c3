"""The BigChange API layer (auth, client, outcome rules, lists) over real HTTP to the simulator."""

import time

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import client as bc
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import models as bcm
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.module import date_time
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth, OAuthBearer, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.client import HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome

CLIENT_ID = "bigchange-client"
SECRET = "bigchange-secret"


def api(sim, customer="1001", secret=SECRET, token=None, retries=3, timeout=5):
    if token:
        auth = BearerAuth(token)
    else:
        auth = OAuthBearer(OAuthToken(sim.url + "/bigchange/auth/tokens", form={
            "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": secret}))
    headers = {"Customer-Id": customer} if customer is not None else {}
    return bc.BigChangeClient(HttpClient("BigChange API", sim.url + "/bigchange/v1", timeout=timeout, retries=retries,
                                         auth=auth, headers=headers))


def seed_jobs(sim, *specs):
    return [j["id"] for j in sim.seed(bigchange={"jobs": list(specs)})["bigchange"]["jobs"]]


def settings(sim, **values):
    sim.seed(bigchange={"settings": values})


def log(sim, since=0):
    return [(r["method"], r["path"].replace("/bigchange", "", 1), r["status"]) for r in sim.requests("bigchange", since)]


def api_log(sim):
    """The API requests (no token request) as (method, path, status, handled_status), in arrival order."""
    entries = sorted((r for r in sim.requests("bigchange") if "/auth/" not in r["path"]), key=lambda r: r["arrival"])
    return [(r["method"], r["path"].replace("/bigchange/v1", "", 1), r["status"], r["handled_status"]) for r in entries]


def status_of(sim, job_id):
    return next(j for j in sim.state("bigchange")["jobs"] if j["id"] == job_id)["status"]


# -- authentication -----------------------------------------------------------------------------

def test_one_token_for_many_requests_and_customer_id_on_each(sim):
    ids = seed_jobs(sim, {"status": "scheduled"}, {"status": "new"})
    client = api(sim)
    assert [client.job(i)["status"] for i in ids] == ["scheduled", "new"]
    assert client.job(ids[0])["id"] == ids[0]
    entries = sim.requests("bigchange")
    assert [(e["method"], e["path"]) for e in entries] == [
        ("POST", "/bigchange/auth/tokens")] + [("GET", "/bigchange/v1/jobs/%d" % i) for i in ids + ids[:1]]
    token_request = entries[0]
    assert token_request["body"] == {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                     "client_secret": "<redacted>"}
    assert token_request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in token_request["headers"]
    for entry in entries[1:]:
        assert entry["headers"]["Customer-Id"] == "1001"
        assert entry["headers"]["Authorization"] == "Bearer <redacted>"


def test_an_expired_token_is_renewed_once_after_the_401(sim, real_clock):
    job_id = seed_jobs(sim, {"status": "scheduled", "moves": False})[0]
    client = api(sim)
    client.job(job_id)
    sim.advance(3601)  # the simulated token expires; the client's own clock does not know
    assert client.job(job_id)["id"] == job_id
    assert log(sim) == [("POST", "/auth/tokens", 200), ("GET", "/v1/jobs/%d" % job_id, 200),
                        ("GET", "/v1/jobs/%d" % job_id, 401), ("POST", "/auth/tokens", 200),
                        ("GET", "/v1/jobs/%d" % job_id, 200)]
    assert client.http.auth.token.fetched == 2


@pytest.mark.parametrize("lifetime, grants", [(20, 3), (5, 11), (3600, 1)])
def test_a_short_lived_token_is_fetched_once_per_lifetime_not_once_per_request(sim, lifetime, grants):
    # Issue 21: a token living 30 s or less was fetched for every request (51 grants for 51 calls).
    # It is renewed a tenth of its lifetime (at most 30 s) before its end: never sent expired.
    settings(sim, token_lifetime=lifetime)
    job_id = seed_jobs(sim, {"status": "scheduled", "moves": False})[0]
    client = api(sim)
    for dummy in range(51):
        client.job(job_id)
        sim.clock.sleep(1)
    statuses = log(sim)
    assert statuses.count(("POST", "/auth/tokens", 200)) == grants == client.http.auth.token.fetched
    assert all(status == 200 for dummy, dummy, status in statuses), "no token was sent after its end"


def test_the_renewal_margin_scales_with_the_lifetime():
    from ansible_collections.jobctl.cloud.plugins.module_utils.auth import expiry_margin

    assert expiry_margin(3600) == 30 and expiry_margin(300) == 30
    assert expiry_margin(20) == 2 and expiry_margin(1) == 0.1 and expiry_margin(0) == 0


def test_access_token_sends_no_token_request(sim):
    sim.seed(bigchange={"access_tokens": [{"token": "given-token-1", "customers": [1001]}]})
    job_id = seed_jobs(sim, {"status": "accepted"})[0]
    assert api(sim, token="given-token-1").job(job_id)["status"] == "accepted"
    assert log(sim) == [("GET", "/v1/jobs/%d" % job_id, 200)]


@pytest.mark.parametrize("token_errors, words", [
    ("problem", "HTTP 401 Unauthorized: Client authentication failed."),
    ("oauth", "HTTP 401 invalid_client: Client authentication failed."),
])
def test_bad_client_secret_fails_with_the_token_endpoints_words_and_no_secret(sim, token_errors, words):
    # Problem Details as confirmed; OAuth 2.0 bodies as the older reading: the words are the API's either way.
    sim.seed(bigchange={"settings": {"token_errors": token_errors}})
    with pytest.raises(ApiError) as err:
        api(sim, secret="not-the-secret-42").job(1)
    assert err.value.status == 401
    assert err.value.msg == "BigChange API POST /bigchange/auth/tokens failed: " + words
    assert "not-the-secret-42" not in str(err.value.problem)
    assert len(sim.requests("bigchange")) == 1, "no API call without a token"


def test_unknown_access_token_is_the_apis_401_and_is_not_renewed(sim):
    with pytest.raises(ApiError) as err:
        api(sim, token="expired-or-wrong").job(1)
    assert err.value.status == 401
    assert "The access token is missing, invalid or has expired." in err.value.msg
    assert "expired-or-wrong" not in err.value.msg
    assert len(sim.requests("bigchange")) == 1


def test_token_request_is_retried_after_a_gateway_error(sim):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", path="/auth/tokens", kind="status", status=503, times=1)
    assert api(sim).job(job_id)["status"] == "scheduled"
    assert log(sim) == [("POST", "/auth/tokens", 503), ("POST", "/auth/tokens", 200),
                        ("GET", "/v1/jobs/%d" % job_id, 200)]


def test_token_answer_without_a_token_fails_readably(sim):
    sim.fault(api="bigchange", path="/auth/tokens", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        api(sim).job(1)
    assert "unexpected shape: access_token: Field required" in err.value.msg


def test_customer_the_client_may_not_act_for_is_403(sim):
    with pytest.raises(ApiError) as err:
        api(sim, customer="2002").job(1)
    assert err.value.status == 403
    assert err.value.msg.endswith("HTTP 403 Forbidden: You do not have access to customer 2002.")


def test_missing_customer_id_is_the_apis_400_naming_the_header(sim):
    with pytest.raises(ApiError) as err:
        api(sim, customer=None).job(1)
    assert err.value.status == 400
    assert "(Customer-Id: The Customer-Id header is required.)" in err.value.msg
    assert err.value.problem["errors"][0]["field"] == "Customer-Id"


# -- the cancel's outcome rules -------------------------------------------------------------------

def read_then_cancel(sim, client, job_id, reason="Customer away"):
    """As the module does it: read the job, then cancel it as read."""
    return client.cancel(job_id, reason, client.job(job_id))


def test_acted_sends_the_reason_and_the_job_is_cancelled(sim):
    job_id = seed_jobs(sim, {"status": "scheduled", "reference": None})[0]
    outcome = read_then_cancel(sim, api(sim), job_id)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert outcome.obj["status"] == "cancelled" and outcome.obj["id"] == job_id and outcome.obj["reference"] is None
    put = sim.requests("bigchange")[-1]
    assert (put["method"], put["path"], put["status"]) == ("PUT", "/bigchange/v1/jobs/%d/cancel" % job_id, 204)
    assert put["body"] == {"reason": "Customer away"}
    job = sim.state("bigchange")["jobs"][0]
    assert job["status"] == "cancelled" and job["cancelReason"] == "Customer away"


@pytest.mark.parametrize("answer", [422, 409])
def test_already_cancelled_by_someone_else_is_already(sim, answer):
    # Between this run's read and its cancel, another run cancels the job; BigChange refuses ours.
    settings(sim, second_cancel=answer)
    job_id = seed_jobs(sim, {"status": "read"})[0]
    client, other = api(sim), api(sim)
    job = client.job(job_id)
    assert read_then_cancel(sim, other, job_id).changed
    outcome = client.cancel(job_id, "mine", job)
    assert outcome.kind == Outcome.ALREADY and not outcome.changed and outcome.warning is None
    assert outcome.obj["status"] == "cancelled"
    assert api_log(sim)[-2:] == [("PUT", "/jobs/%d/cancel" % job_id, answer, answer),
                                 ("GET", "/jobs/%d" % job_id, 200, 200)]
    assert sim.state("bigchange")["jobs"][0]["cancelReason"] != "mine"


def test_when_a_second_cancel_is_answered_204_both_runs_act(sim):
    # INVENTED variant, documented in the module: nothing in a 204 tells the two runs apart.
    settings(sim, second_cancel=204)
    job_id = seed_jobs(sim, {"status": "read"})[0]
    client, other = api(sim), api(sim)
    job = client.job(job_id)
    assert read_then_cancel(sim, other, job_id).changed
    outcome = client.cancel(job_id, "mine", job)
    assert outcome.kind == Outcome.ACTED
    assert [e["event"] for e in sim.state("bigchange")["events"] if e["event"].startswith("job_")] == [
        "job_cancelled", "job_cancel_repeated"]


@pytest.mark.parametrize("refusal", [422, 409])
def test_a_job_that_completed_since_it_was_read_has_ended(sim, refusal):
    settings(sim, refusal_status=refusal)
    job_id = seed_jobs(sim, {"status": "onTheWay", "starts_in": 60, "duration": 60})[0]
    client = api(sim)
    job = client.job(job_id)
    sim.advance(200)  # it starts and completes
    outcome = client.cancel(job_id, "too late", job)
    assert outcome.kind == Outcome.ENDED and not outcome.changed and not outcome.refused
    assert outcome.obj["status"] == "completedOk"
    assert [m for m, p, s, h in api_log(sim)] == ["GET", "PUT", "GET"]


@pytest.mark.parametrize("refusal", [422, 409])
def test_a_job_that_started_since_it_was_read_is_refused_with_the_apis_words(sim, refusal):
    settings(sim, refusal_status=refusal)
    job_id = seed_jobs(sim, {"status": "accepted", "starts_in": 60})[0]
    client = api(sim)
    job = client.job(job_id)
    sim.advance(61)
    outcome = client.cancel(job_id, "too late", job)
    assert outcome.kind == Outcome.REFUSED and outcome.refused and not outcome.changed
    assert outcome.reason == ("its status is started, so the work is under way, and BigChange does not allow "
                              "cancelling a started or suspended job")
    assert outcome.error.status == refusal and outcome.obj["status"] == "started"
    assert status_of(sim, job_id) == "started"


def test_a_refusal_of_a_job_that_still_waits_is_the_apis_error(sim):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    with pytest.raises(ApiError) as err:
        read_then_cancel(sim, api(sim), job_id, reason="x" * 501)
    assert err.value.status == 422
    assert "(reason: The reason must be at most 500 characters long.)" in err.value.msg
    assert [m for m, p, s, h in api_log(sim)] == ["GET", "PUT", "GET"], "one read to explain the refusal"
    assert status_of(sim, job_id) == "scheduled"


def test_a_429_is_retried_without_a_settle_read(sim):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", method="PUT", kind="rate_limit", retry_after=1, times=1)
    outcome = read_then_cancel(sim, api(sim), job_id)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    assert api_log(sim) == [("GET", "/jobs/%d" % job_id, 200, 200),
                            ("PUT", "/jobs/%d/cancel" % job_id, 429, None),
                            ("PUT", "/jobs/%d/cancel" % job_id, 204, 204)]


@pytest.mark.parametrize("fault", [
    {"kind": "drop"}, {"kind": "status", "status": 502}, {"kind": "drop_mid_body"},
    {"kind": "slow", "delay": 2},
    # A 2xx other than the documented 204 without a body cannot be read as "cancelled" on its face.
    {"kind": "wrong_shape"}, {"kind": "empty"}, {"kind": "malformed"}])
def test_a_lost_answer_after_acting_is_settled_by_one_read_as_acted_with_a_warning(sim, fault):
    job_id = seed_jobs(sim, {"status": "sent"})[0]
    sim.fault(api="bigchange", method="PUT", when="after", times=1, **fault)
    outcome = read_then_cancel(sim, api(sim, timeout=1), job_id)
    assert outcome.kind == Outcome.ACTED and outcome.lost is not None
    assert outcome.warning.startswith("the answer to a request was lost (BigChange API PUT /bigchange/v1/jobs/%d/cancel"
                                      % job_id)
    assert outcome.obj["status"] == "cancelled"
    entries = api_log(sim)
    for dummy in range(50):
        # A slow answer is logged once it is sent, after the client stopped waiting for it.
        if any(e[0] == "PUT" for e in entries):
            break
        time.sleep(0.1)
        entries = api_log(sim)
    puts = [e for e in entries if e[0] == "PUT"]
    assert len(puts) == 1 and puts[0][3] == 204, "the PUT was handled once and never sent again"
    assert [m for m, p, s, h in entries] == ["GET", "PUT", "GET"], "a read settled it"
    history = sim.state("bigchange")["jobs"][0]["statusHistory"]
    assert [h["status"] for h in history].count("cancelled") == 1


@pytest.mark.parametrize("status", [503, 500])
def test_a_5xx_before_handling_is_read_then_resent(sim, status):
    job_id = seed_jobs(sim, {"status": "sent"})[0]
    sim.fault(api="bigchange", method="PUT", kind="status", status=status, times=1)
    outcome = read_then_cancel(sim, api(sim), job_id)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None, "this run's own 204 needs no excuse"
    assert api_log(sim) == [("GET", "/jobs/%d" % job_id, 200, 200),
                            ("PUT", "/jobs/%d/cancel" % job_id, status, None),
                            ("GET", "/jobs/%d" % job_id, 200, 200),
                            ("PUT", "/jobs/%d/cancel" % job_id, 204, 204)]


def test_a_lost_answer_and_a_job_that_completed_meanwhile_has_ended(sim):
    job_id = seed_jobs(sim, {"status": "onTheWay", "starts_in": 60, "duration": 60})[0]
    client = api(sim)
    job = client.job(job_id)
    sim.fault(api="bigchange", method="PUT", kind="drop", times=1)
    # The settle read finds the clock moved on: the job started and finished.
    sim.fault(api="bigchange", method="GET", kind="advance", delay=200, times=1)
    outcome = client.cancel(job_id, "late", job)
    assert outcome.kind == Outcome.ENDED and not outcome.changed and outcome.warning is None
    assert [m for m, p, s, h in api_log(sim)] == ["GET", "PUT", "GET"]


def test_a_lost_answer_and_a_job_that_started_meanwhile_is_refused(sim):
    job_id = seed_jobs(sim, {"status": "onTheWay", "starts_in": 60, "duration": 600})[0]
    client = api(sim)
    job = client.job(job_id)
    sim.fault(api="bigchange", method="PUT", kind="status", status=502, times=1)
    sim.fault(api="bigchange", method="GET", kind="advance", delay=61, times=1)
    outcome = client.cancel(job_id, "late", job)
    assert outcome.kind == Outcome.REFUSED and outcome.obj["status"] == "started"
    assert [m for m, p, s, h in api_log(sim)] == ["GET", "PUT", "GET"]


def test_answers_lost_every_time_fail_after_the_retries_with_a_read_before_each_resend(sim):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", method="PUT", kind="status", status=503, times=-1)
    client = api(sim, retries=2)
    with pytest.raises(ApiError) as err:
        read_then_cancel(sim, client, job_id)
    assert err.value.status == 503 and err.value.lost
    assert [m for m, p, s, h in api_log(sim)] == ["GET"] + ["PUT", "GET"] * 3
    assert status_of(sim, job_id) == "scheduled"


# -- lists ----------------------------------------------------------------------------------------

def list_requests(sim):
    return [r for r in sim.requests("bigchange") if r["path"] == "/bigchange/v1/jobs"]


def test_120_ids_are_read_in_3_batches_of_at_most_50_with_repeated_keys(sim):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 120)
    jobs = api(sim).jobs({}, ids=ids)
    assert [j["id"] for j in jobs] == ids
    requests = list_requests(sim)
    assert [len(r["query"]["id"]) for r in requests] == [50, 50, 20]
    assert [int(i) for r in requests for i in r["query"]["id"]] == ids
    assert all(r["query"]["pageSize"] == [str(bcm.MAX_PAGE_SIZE)] for r in requests)


def test_every_page_of_every_batch_is_read(sim):
    ids = seed_jobs(sim, *[{"status": "new"}] * 60)
    jobs = api(sim).jobs({}, ids=ids, page_size=20)
    assert [j["id"] for j in jobs] == ids
    # 50 IDs in pages of 20: 20, 20, 10 (short: the last); then 10 IDs: one short page.
    assert [(len(r["query"]["id"]), r["query"]["pageNumber"]) for r in list_requests(sim)] == [
        (50, ["1"]), (50, ["2"]), (50, ["3"]), (10, ["1"])]


def test_list_of_an_exact_multiple_needs_one_empty_page(sim):
    seed_jobs(sim, *[{"status": "new", "reference": "R"}] * 4)
    assert len(api(sim).jobs({"reference": "R"}, page_size=2)) == 4
    assert [r["status"] for r in list_requests(sim)] == [200, 200, 200]


def test_filters_are_sent_and_checked_again(sim):
    ids = seed_jobs(sim, {"status": "scheduled", "resourceId": 7}, {"status": "scheduled", "resourceId": 8},
                    {"status": "new", "resourceId": 7}, {"status": "accepted", "resourceId": 7, "reference": "R-1"})
    client = api(sim)
    got = client.jobs({"status": ["scheduled", "accepted"], "resourceId": 7}, ids=ids)
    assert [(j["status"], j["resourceId"]) for j in got] == [("scheduled", 7), ("accepted", 7)]
    query = list_requests(sim)[-1]["query"]
    assert query["status"] == ["scheduled", "accepted"] and query["resourceId"] == ["7"]
    assert [j["reference"] for j in client.jobs({"reference": "R-1"})] == ["R-1"]


def test_a_filter_the_api_ignores_cannot_widen_the_list(sim):
    settings(sim, ignore_filters=True)
    ids = seed_jobs(sim, {"status": "scheduled", "contactId": 1}, {"status": "started", "contactId": 1},
                    {"status": "scheduled", "contactId": 2}, *[{"status": "new"}] * 60)
    got = api(sim).jobs({"status": ["scheduled"], "contactId": 1}, ids=ids[:2] + ids[3:])
    assert [(j["status"], j["contactId"]) for j in got] == [("scheduled", 1)]
    got = api(sim).jobs({}, ids=ids[60:])
    assert [j["id"] for j in got] == ids[60:], "each batch read the whole list; only the IDs asked for are kept"


def test_an_api_that_ignores_page_number_fails_instead_of_looping(sim):
    settings(sim, ignore_page_number=True)
    seed_jobs(sim, *[{"status": "new", "reference": "R"}] * 3)
    with pytest.raises(ApiError) as err:
        api(sim).jobs({"reference": "R"}, page_size=2)
    assert "page 2 repeats jobs already listed" in err.value.msg
    assert len(sim.requests("bigchange")) == 3


def test_a_job_without_a_status_is_an_unexpected_shape(sim):
    sim.fault(api="bigchange", method="GET", path="/v1/jobs/", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        api(sim).job(480001)
    assert "has an unexpected shape: id: Field required" in err.value.msg


@pytest.mark.parametrize("ids,sizes", [(None, [None]), ([], []), ([1], [1]), (list(range(1, 51)), [50]),
                                       (list(range(1, 52)), [50, 1]), (list(range(1, 121)), [50, 50, 20])])
def test_query_batches(ids, sizes):
    batches = bc.query_batches({"status": ["new"]}, ids)
    assert [len(b["id"]) if "id" in b else None for b in batches] == sizes
    assert all(b["status"] == ["new"] for b in batches)
    if ids:
        assert [i for b in batches for i in b["id"]] == ids


@pytest.mark.parametrize("job,query,expected", [
    ({"id": 1, "status": "new", "contactId": 3}, {}, True),
    ({"id": 1, "status": "new", "contactId": 3}, {"status": ["new", "read"], "contactId": 3}, True),
    ({"id": 1, "status": "new", "contactId": 3}, {"status": ["read"]}, False),
    ({"id": 1, "status": "new", "contactId": 3}, {"contactId": 4}, False),
    ({"id": 1, "status": "new"}, {"resourceId": 4}, False),
    ({"id": 1, "status": "new", "reference": "a"}, {"reference": "A"}, False),
    ({"id": 1, "status": "new", "reference": None}, {"reference": "a"}, False),
    ({"id": 1, "status": "new"}, {"id": [2, 3]}, False),
    ({"id": 2, "status": "new"}, {"id": [2, 3], "createdAtFrom": "x", "pageNumber": 4}, True),
])
def test_matches(job, query, expected):
    assert bc.matches(job, query) is expected


# -- statuses and dates ---------------------------------------------------------------------------

def test_the_16_statuses():
    assert bcm.DOCUMENTED_STATUSES == ("new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused",
                                       "onTheWay", "started", "suspended", "completedOk", "completedWithIssues",
                                       "cancelled")
    assert bcm.INTERNAL_STATUSES == ("lateStart", "lateFinish", "rescheduled")
    groups = bcm.NOT_STARTED + bcm.UNDER_WAY + bcm.COMPLETED + (bcm.CANCELLED,)
    assert sorted(groups) == sorted(bcm.STATUSES) and len(set(bcm.STATUSES)) == 16


@pytest.mark.parametrize("status,kind", [(s, None) for s in ("new", "scheduled", "unscheduled", "sent", "read",
                                                             "accepted", "refused", "onTheWay", "lateStart",
                                                             "rescheduled")]
                         + [("cancelled", Outcome.ALREADY), ("completedOk", Outcome.ENDED),
                            ("completedWithIssues", Outcome.ENDED), ("started", Outcome.REFUSED),
                            ("suspended", Outcome.REFUSED), ("lateFinish", Outcome.REFUSED),
                            ("awaitingParts", Outcome.REFUSED), (None, Outcome.REFUSED)])
def test_settled(status, kind):
    job = {"id": 5, "status": status}
    outcome = bc.settled(job)
    assert (outcome.kind if outcome else None) == kind
    if outcome is not None:
        assert outcome.obj is job and outcome.reason
    if status == "awaitingParts":
        assert outcome.reason == "its status is 'awaitingParts', which this module does not know"


@pytest.mark.parametrize("value,iso", [
    ("2026-12-01T00:00:00Z", "2026-12-01T00:00:00+00:00"),
    ("2026-12-01T00:00:00.123+00:00", "2026-12-01T00:00:00.123000+00:00"),
    ("2026-12-01T08:00:00+01:00", "2026-12-01T08:00:00+01:00"),
    ("2026-12-01T00:00:00", "2026-12-01T00:00:00+00:00"),
    ("2026-12-01t00:00:00z", "2026-12-01T00:00:00+00:00"),
    ("2026-12-01", None), ("yesterday", None), ("2026-13-01T00:00:00Z", None), (" 2026-12-01T00:00:00Z", None),
    ("", None), (None, None), ("T", None),
])
def test_date_time(value, iso):
    moment = date_time(value)
    assert (moment.isoformat() if moment else None) == iso
