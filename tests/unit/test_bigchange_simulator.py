"""The simulated BigChange API against shared/api/README.md and the bigchange-cancel-job.txt seed."""

import pytest
import requests

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


class BigChange:
    """A bare HTTP client of the simulated API: token, Customer-Id, nothing clever."""

    def __init__(self, sim):
        self.sim = sim
        self.base = sim.url + "/bigchange/v1"
        self.token_url = sim.url + "/bigchange/auth/tokens"
        self.s = requests.Session()

    def token(self, client_id="bigchange-client", secret="bigchange-secret", **extra):
        form = dict({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}, **extra)
        return self.s.post(self.token_url, data=form, timeout=5)

    def call(self, method, path, token=None, customer="1001", **kw):
        headers = kw.pop("headers", {})
        if token is None:
            token = self.token().json()["access_token"]
        if token:
            headers["Authorization"] = "Bearer %s" % token
        if customer is not None:
            headers["Customer-Id"] = customer
        return self.s.request(method, self.base + path, headers=headers, timeout=5, **kw)


@pytest.fixture
def bc(sim):
    return BigChange(sim)


def seed(sim, *jobs):
    return sim.seed(bigchange={"jobs": list(jobs)})["bigchange"]["jobs"]


def problem(resp, status):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"
    body = resp.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert body["instance"] == resp.request.path_url.split("?")[0]
    return body


# ------------------------------------------------------------------------------- token endpoint

def test_token_for_the_default_client(bc):
    resp = bc.token()
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and len(body["access_token"]) > 20
    assert body["scope"] == "jobs:read jobs:write"


@pytest.mark.parametrize("kwargs,status,error", [
    ({"secret": "wrong"}, 401, "invalid_client"),
    ({"client_id": "nobody"}, 401, "invalid_client"),
    ({"secret": ""}, 401, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
])
def test_token_refusals_are_oauth_errors(bc, kwargs, status, error):
    resp = bc.token(**kwargs)
    assert resp.status_code == status
    assert resp.json()["error"] == error and resp.json()["error_description"]


def test_token_request_must_be_form_encoded(bc):
    resp = bc.s.post(bc.token_url, json={"grant_type": "client_credentials", "client_id": "bigchange-client",
                                         "client_secret": "bigchange-secret"}, timeout=5)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_a_fault_on_the_token_endpoint_speaks_oauth(sim, bc):
    sim.fault(api="bigchange", path="/auth/tokens", kind="status", status=503, times=1)
    resp = bc.token()
    assert resp.status_code == 503 and resp.json()["error"] == "server_error"


def test_client_secret_and_tokens_are_redacted_in_the_log(sim, bc):
    token = bc.token().json()["access_token"]
    bc.call("GET", "/jobs", token=token)
    entries = sim.requests("bigchange")
    assert entries[0]["body"]["client_secret"] == "<redacted>"
    assert "bigchange-secret" not in str(entries) and token not in str(entries)


# ------------------------------------------------------------------------------- auth and Customer-Id

def test_missing_wrong_and_expired_tokens_are_401(sim, bc):
    assert problem(bc.call("GET", "/jobs", token=""), 401)["title"] == "Unauthorized"
    resp = bc.call("GET", "/jobs", token="nope")
    problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    token = bc.token().json()["access_token"]
    assert bc.call("GET", "/jobs", token=token).status_code == 200
    sim.advance(3601)
    problem(bc.call("GET", "/jobs", token=token), 401)


def test_customer_id_is_required_numeric_and_must_be_the_clients(bc):
    body = problem(bc.call("GET", "/jobs", customer=None), 400)
    assert body["errors"] == {"Customer-Id": ["The Customer-Id header is required."]}
    assert "Customer-Id" in problem(bc.call("GET", "/jobs", customer="abc"), 400)["errors"]
    assert problem(bc.call("GET", "/jobs", customer="2002"), 403)["detail"] == "You do not have access to customer 2002."
    assert problem(bc.call("GET", "/jobs", customer="777"), 403)["detail"] == "You do not have access to customer 777."


def test_another_customers_job_is_not_found(sim, bc):
    sim.seed(bigchange={"clients": [{"client_id": "both", "client_secret": "s", "customers": [1001, 2002]}]})
    job = seed(sim, {"customerId": 2002, "status": "scheduled"})[0]
    problem(bc.call("GET", "/jobs/%d" % job["id"]), 404)
    token = bc.token("both", "s").json()["access_token"]
    assert bc.call("GET", "/jobs/%d" % job["id"], token=token, customer="2002").json()["id"] == job["id"]


def test_read_only_client_cannot_cancel(sim, bc):
    job = seed(sim, {"status": "scheduled"})[0]
    token = bc.token("bigchange-readonly", "bigchange-readonly-secret").json()["access_token"]
    assert bc.call("GET", "/jobs/%d" % job["id"], token=token).status_code == 200
    body = problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], token=token, json={"reason": "x"}), 403)
    assert "jobs:write" in body["detail"]
    assert sim.state("bigchange")["jobs"][0]["status"] == "scheduled"


# ------------------------------------------------------------------------------- jobs

def test_job_fields_and_bad_ids(sim, bc):
    job = seed(sim, {"status": "scheduled", "reference": "R-9", "resourceId": 5})[0]
    got = bc.call("GET", "/jobs/%d" % job["id"]).json()
    assert got == job
    assert {"id", "status", "reference", "contactId", "resourceId", "plannedStartAt", "createdAt"} <= set(got)
    assert got["resourceId"] == 5 and got["reference"] == "R-9"
    problem(bc.call("GET", "/jobs/999999"), 404)
    assert "jobId" in problem(bc.call("GET", "/jobs/abc"), 400)["errors"]
    assert "jobId" in problem(bc.call("GET", "/jobs/0"), 400)["errors"]


def test_statuses_move_with_the_clock(sim, bc):
    moving, frozen, new = seed(sim, {"status": "scheduled", "starts_in": 60, "duration": 600},
                               {"status": "accepted", "starts_in": 60, "moves": False},
                               {"status": "new"})

    def status(job):
        return bc.call("GET", "/jobs/%d" % job["id"]).json()["status"]

    assert status(moving) == "scheduled"
    sim.advance(61)
    assert (status(moving), status(frozen), status(new)) == ("started", "accepted", "new")
    started = bc.call("GET", "/jobs/%d" % moving["id"]).json()
    assert started["actualStartAt"] == started["plannedStartAt"]
    sim.advance(600)
    assert status(moving) == "completedOk"
    history = bc.call("GET", "/jobs/%d/statusHistory" % moving["id"]).json()["items"]
    assert [h["status"] for h in history] == ["new", "scheduled", "started", "completedOk"]


def test_cancel_then_cancel_again(sim, bc):
    job = seed(sim, {"status": "onTheWay", "starts_in": 600})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "Customer not home"})
    assert resp.status_code == 204 and resp.content == b""
    state = sim.state("bigchange")["jobs"][0]
    assert state["status"] == "cancelled" and state["cancelReason"] == "Customer not home"
    assert state["statusHistory"][-1]["comment"] == "Customer not home"
    again = problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "again"}), 422)
    assert again["errors"] == {"status": ["A job with status 'cancelled' cannot be cancelled."]}
    sim.advance(700)
    assert sim.state("bigchange")["jobs"][0]["status"] == "cancelled", "a cancelled job never starts"


@pytest.mark.parametrize("status", ["started", "suspended", "completedOk", "completedWithIssues"])
def test_cancel_is_refused_once_work_has_begun(sim, bc, status):
    job = seed(sim, {"status": status})[0]
    body = problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x"}), 422)
    assert body["errors"]["status"] == ["A job with status '%s' cannot be cancelled." % status]
    assert sim.state("bigchange")["jobs"][0]["status"] == status


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": 5}, None])
def test_cancel_needs_a_reason(sim, bc, body):
    job = seed(sim, {"status": "scheduled"})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json=body)
    assert problem(resp, 422)["errors"] == {"reason": ["A reason for the cancellation is required."]}


def test_cancel_reason_has_a_length_limit(sim, bc):
    job = seed(sim, {"status": "scheduled"})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x" * 501})
    assert problem(resp, 422)["errors"] == {"reason": ["The reason must be at most 500 characters long."]}
    assert bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x" * 500}).status_code == 204


def test_cancel_with_a_body_that_is_not_json_is_400(sim, bc):
    job = seed(sim, {"status": "scheduled"})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], data=b"{nope", headers={"Content-Type": "application/json"})
    problem(resp, 400)


def test_cancel_of_an_unknown_job_is_404(bc):
    problem(bc.call("PUT", "/jobs/123456/cancel", json={"reason": "x"}), 404)


def test_list_pages_and_filters(sim, bc):
    jobs = seed(sim, *[{"status": s, "resourceId": 1 + i % 2} for i, s in enumerate(
        ["new", "scheduled", "scheduled", "started", "cancelled"])])
    ids = [j["id"] for j in jobs]

    def listed(**params):
        resp = bc.call("GET", "/jobs", params=params)
        assert resp.status_code == 200, resp.text
        assert set(resp.json()) == {"items"}
        return [j["id"] for j in resp.json()["items"]]

    assert listed() == ids
    assert listed(pageSize=2) == ids[:2] and listed(pageSize=2, pageNumber=3) == ids[4:]
    assert listed(pageSize=2, pageNumber=4) == []
    assert listed(status="scheduled") == ids[1:3]
    assert listed(status=["scheduled", "cancelled"]) == listed(status="scheduled,cancelled") == ids[1:3] + ids[4:]
    assert listed(resourceId=2) == [ids[1], ids[3]]
    assert listed(reference="JOB-%d" % ids[2]) == [ids[2]]
    assert "pageSize" in problem(bc.call("GET", "/jobs", params={"pageSize": 1001}), 400)["errors"]
    assert "pageNumber" in problem(bc.call("GET", "/jobs", params={"pageNumber": 0}), 400)["errors"]
    assert "status" in problem(bc.call("GET", "/jobs", params={"status": "Scheduled"}), 400)["errors"]


def test_misbehaving_list_settings(sim, bc):
    seed(sim, {"status": "new"}, {"status": "scheduled"}, {"status": "scheduled"})
    sim.seed(bigchange={"settings": {"ignore_filters": True, "ignore_page_number": True}})
    resp = bc.call("GET", "/jobs", params={"status": "new", "pageSize": 2, "pageNumber": 2})
    assert [j["status"] for j in resp.json()["items"]] == ["new", "scheduled"]


def test_unknown_route_and_method(bc):
    problem(bc.call("GET", "/nothing"), 404)
    resp = bc.call("DELETE", "/jobs/1")
    problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_bad_seeds_are_refused(sim):
    for body in ({"jobs": [{"status": "running"}]}, {"nope": 1}, {"settings": {"nope": 1}},
                 {"clients": [{"client_id": "x", "scopes": ["jobs:delete"]}]}):
        with pytest.raises(requests.HTTPError):
            sim.seed(bigchange=body)


def test_demo_seed(sim):
    sim.reset("demo")
    jobs = {j["id"]: j["status"] for j in sim.state("bigchange")["jobs"]}
    assert {"scheduled", "started", "suspended", "completedOk", "cancelled", "new"} <= set(jobs.values())
    assert jobs[480101] == "scheduled" and jobs[480105] == "started"
