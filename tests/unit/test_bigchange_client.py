"""The BigChange API layer (auth, client, models) over real HTTP to the simulator."""

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils import bigchange as bc
from ansible_collections.jobctl.cloud.plugins.module_utils import client as http
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, BearerAuth, HttpClient

CLIENT_ID = "bigchange-client"
SECRET = "bigchange-secret"


@pytest.fixture
def fast_backoff(monkeypatch):
    # The backoff schedule is not what these tests check; keep them quick.
    monkeypatch.setattr(http, "BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr(http, "BACKOFF_JITTER", 0.0)


def api(sim, customer="1001", secret=SECRET, token=None, retries=3):
    auth = BearerAuth(token) if token else bc.ClientCredentials(sim.url + "/bigchange/auth/tokens", CLIENT_ID, secret)
    headers = {"Customer-Id": customer} if customer is not None else {}
    return bc.BigChangeClient(HttpClient("BigChange API", sim.url + "/bigchange/v1", timeout=5, retries=retries,
                                         auth=auth, headers=headers))


def seed_jobs(sim, *specs):
    return [j["id"] for j in sim.seed(bigchange={"jobs": list(specs)})["bigchange"]["jobs"]]


def log(sim, since=0):
    return [(r["method"], r["path"].replace("/bigchange", "", 1), r["status"]) for r in sim.requests("bigchange", since)]


def test_one_token_for_many_requests_and_customer_id_on_each(sim):
    ids = seed_jobs(sim, {"status": "scheduled"}, {"status": "new"})
    client = api(sim)
    assert [client.job(i).status for i in ids] == ["scheduled", "new"]
    assert client.job(ids[0]).id == ids[0]
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


def test_access_token_sends_no_token_request(sim):
    sim.seed(bigchange={"access_tokens": [{"token": "given-token-1", "customers": [1001]}]})
    job_id = seed_jobs(sim, {"status": "accepted"})[0]
    assert api(sim, token="given-token-1").job(job_id).status == "accepted"
    assert log(sim) == [("GET", "/v1/jobs/%d" % job_id, 200)]


def test_bad_client_secret_fails_with_the_oauth_words_and_no_secret(sim):
    with pytest.raises(ApiError) as err:
        api(sim, secret="not-the-secret-42").job(1)
    assert err.value.status == 401
    assert err.value.problem["code"] == "invalid_client"
    assert err.value.msg == ("BigChange API POST /bigchange/auth/tokens failed: "
                             "HTTP 401 invalid_client: Client authentication failed.")
    assert "not-the-secret-42" not in str(err.value.problem)
    assert len(sim.requests("bigchange")) == 1, "no API call without a token"


def test_unknown_access_token_is_the_apis_401(sim):
    with pytest.raises(ApiError) as err:
        api(sim, token="expired-or-wrong").job(1)
    assert err.value.status == 401
    assert "The access token is missing, invalid or has expired." in err.value.msg
    assert "expired-or-wrong" not in err.value.msg


def test_token_request_is_retried_after_a_gateway_error(sim, fast_backoff):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    sim.fault(api="bigchange", path="/auth/tokens", kind="status", status=503, times=1)
    assert api(sim).job(job_id).status == "scheduled"
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


def test_cancel_sends_the_reason_and_the_job_is_cancelled(sim):
    job_id = seed_jobs(sim, {"status": "scheduled"})[0]
    api(sim).cancel(job_id, "Customer away")
    put = sim.requests("bigchange")[-1]
    assert (put["method"], put["path"], put["status"]) == ("PUT", "/bigchange/v1/jobs/%d/cancel" % job_id, 204)
    assert put["body"] == {bc.CANCEL_REASON_FIELD: "Customer away"}
    job = sim.state("bigchange")["jobs"][0]
    assert job["status"] == "cancelled" and job["cancelReason"] == "Customer away"


def test_refused_cancel_shows_the_422_errors_field_by_field(sim):
    job_id = seed_jobs(sim, {"status": "started"})[0]
    with pytest.raises(ApiError) as err:
        api(sim).cancel(job_id, "too late")
    assert err.value.status == 422
    assert ("HTTP 422 Unprocessable Entity: The job cannot be cancelled. "
            "(status: A job with status 'started' cannot be cancelled.)") in err.value.msg
    assert sim.state("bigchange")["jobs"][0]["status"] == "started"


def test_list_reads_every_page_and_stops_at_a_short_one(sim):
    ids = seed_jobs(sim, *[{"status": "scheduled"}] * 5)
    jobs = api(sim).jobs({}, page_size=2)
    assert [j["id"] for j in jobs] == ids
    pages = [r["query"]["pageNumber"] for r in sim.requests("bigchange") if r["path"].endswith("/v1/jobs")]
    assert pages == [["1"], ["2"], ["3"]]


def test_list_of_an_exact_multiple_needs_one_empty_page(sim):
    seed_jobs(sim, *[{"status": "new"}] * 4)
    assert len(api(sim).jobs({}, page_size=2)) == 4
    assert [r["status"] for r in sim.requests("bigchange")][1:] == [200, 200, 200]


def test_filters_are_sent_and_checked_again(sim):
    seed_jobs(sim, {"status": "scheduled", "resourceId": 7}, {"status": "scheduled", "resourceId": 8},
              {"status": "new", "resourceId": 7}, {"status": "accepted", "resourceId": 7, "reference": "R-1"})
    client = api(sim)
    got = client.jobs({"statuses": ["scheduled", "accepted"], "resource_id": 7})
    assert [(j["status"], j["resourceId"]) for j in got] == [("scheduled", 7), ("accepted", 7)]
    query = sim.requests("bigchange")[-1]["query"]
    assert query["status"] == ["scheduled", "accepted"] and query["resourceId"] == ["7"]
    assert query["pageSize"] == [str(bc.MAX_PAGE_SIZE)]
    assert [j["reference"] for j in client.jobs({"reference": "R-1"})] == ["R-1"]


def test_a_filter_the_api_ignores_cannot_widen_the_list(sim):
    sim.seed(bigchange={"settings": {"ignore_filters": True}})
    seed_jobs(sim, {"status": "scheduled", "contactId": 1}, {"status": "started", "contactId": 1},
              {"status": "scheduled", "contactId": 2})
    got = api(sim).jobs({"statuses": ["scheduled"], "contact_id": 1})
    assert [(j["status"], j["contactId"]) for j in got] == [("scheduled", 1)]


def test_an_api_that_ignores_page_number_fails_instead_of_looping(sim):
    sim.seed(bigchange={"settings": {"ignore_page_number": True}})
    seed_jobs(sim, *[{"status": "new"}] * 3)
    with pytest.raises(ApiError) as err:
        api(sim).jobs({}, page_size=2)
    assert "page 2 repeats jobs already listed" in err.value.msg
    assert len(sim.requests("bigchange")) == 3


def test_a_job_without_a_status_is_an_unexpected_shape(sim):
    sim.fault(api="bigchange", method="GET", path="/v1/jobs/", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        api(sim).job(480001)
    assert "has an unexpected shape: id: Field required" in err.value.msg


@pytest.mark.parametrize("job,filters,expected", [
    ({"status": "new", "contactId": 3}, {}, True),
    ({"status": "new", "contactId": 3}, {"statuses": ["new", "read"], "contact_id": 3}, True),
    ({"status": "new", "contactId": 3}, {"statuses": ["read"]}, False),
    ({"status": "new", "contactId": 3}, {"contact_id": 4}, False),
    ({"status": "new"}, {"resource_id": 4}, False),
    ({"status": "new", "reference": "a"}, {"reference": "A"}, False),
])
def test_matches(job, filters, expected):
    assert bc.matches(job, filters) is expected


def test_statuses_cover_what_bigchange_documents():
    documented = {"new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay", "started",
                  "suspended", "completedOk", "completedWithIssues", "cancelled"}
    assert set(bc.STATUSES) == documented and len(bc.STATUSES) == len(documented)
