"""The simulated BigChange API against docs/api/bigchange.md (its sections "Seed" and "Confirmed", cited
below as seed and Confirmed) and the public client's API_analysis.md. Each behaviour is marked DOCUMENTED
(with its source) or INVENTED, as in tests/simulator/bigchange.py."""

import datetime
from enum import Enum
from typing import List, Optional

import pytest
import requests
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

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


TOKEN_REFUSALS = [
    ({"secret": "wrong"}, 401, "invalid_client", "Client authentication failed."),
    ({"client_id": "nobody"}, 401, "invalid_client", "Client authentication failed."),
    ({"secret": ""}, 401, "invalid_client", "Client authentication failed."),
    ({"grant_type": "password"}, 400, "unsupported_grant_type", "Only the client_credentials grant is supported."),
]


@pytest.mark.parametrize("kwargs,status,error,detail", TOKEN_REFUSALS)
def test_token_refusals_are_problem_details(bc, kwargs, status, error, detail):
    # DOCUMENTED (docs/api/bigchange.md, Confirmed): token errors are RFC 7807 bodies.
    resp = bc.token(**kwargs)
    assert resp.status_code == status and resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and body["title"] and body["detail"] == detail
    assert body["instance"] == "/bigchange/auth/tokens" and "error" not in body


@pytest.mark.parametrize("kwargs,status,error,detail", TOKEN_REFUSALS)
def test_token_refusals_as_oauth_errors_are_a_setting(sim, bc, kwargs, status, error, detail):
    sim.seed(bigchange={"settings": {"token_errors": "oauth"}})
    resp = bc.token(**kwargs)
    assert resp.status_code == status
    assert resp.json() == {"error": error, "error_description": detail}


def test_token_request_must_be_form_encoded(bc):
    resp = bc.s.post(bc.token_url, json={"grant_type": "client_credentials", "client_id": "bigchange-client",
                                         "client_secret": "bigchange-secret"}, timeout=5)
    assert resp.status_code == 400 and resp.json()["detail"] == "The token request must be form-encoded."


def test_a_fault_on_the_token_endpoint_speaks_the_token_endpoints_error_format(sim, bc):
    sim.fault(api="bigchange", path="/auth/tokens", kind="status", status=503, times=2)
    resp = bc.token()
    assert resp.status_code == 503 and resp.json()["status"] == 503
    sim.seed(bigchange={"settings": {"token_errors": "oauth"}})
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
    assert bc.call("GET", "/jobs", token=token, params={"reference": "R"}).status_code == 200
    sim.advance(3601)
    problem(bc.call("GET", "/jobs", token=token, params={"reference": "R"}), 401)


def test_customer_id_is_required_numeric_and_must_be_the_clients(bc):
    # DOCUMENTED: the Customer-Id header (Confirmed). INVENTED: the 400 and 403 answers.
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
    assert {"id", "status", "reference", "contactId", "resourceId", "plannedStartAt", "createdAt",
            "statusModifiedAt"} <= set(got)
    assert got["resourceId"] == 5 and got["reference"] == "R-9"
    problem(bc.call("GET", "/jobs/999999"), 404)
    assert "jobId" in problem(bc.call("GET", "/jobs/abc"), 400)["errors"]
    assert "jobId" in problem(bc.call("GET", "/jobs/0"), 400)["errors"]


# ------------------------------------------------------------------------------- what real clients require

class PublicJobStatus(str, Enum):
    NEW = "new"
    SCHEDULED = "scheduled"
    UNSCHEDULED = "unscheduled"
    SENT = "sent"
    READ = "read"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    ON_THE_WAY = "onTheWay"
    STARTED = "started"
    SUSPENDED = "suspended"
    COMPLETED_OK = "completedOk"
    COMPLETED_WITH_ISSUES = "completedWithIssues"
    CANCELLED = "cancelled"
    LATE_START = "lateStart"
    LATE_FINISH = "lateFinish"
    RESCHEDULED = "rescheduled"


class PublicJob(BaseModel):
    """The required fields of the public client's ``Job`` (Ecaco/BigChangePythonAPI,
    src/bigchange/api_resources/jobs.py, its pydantic models validated against the live API; cited in
    docs/api/bigchange.md, Confirmed): a job that client rejects is one no real BigChange sends, so a
    simulator that drops one of these fails here. Its optional fields are left out (that client ignores
    what it does not name)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    id: int
    type_id: int
    type_name: str
    contact_id: int
    contact_name: str
    contact_address: str
    status: PublicJobStatus
    planned_duration: int
    description: str
    created_at: datetime.datetime
    is_confirmed: bool
    is_financially_complete: bool
    is_actioned: bool
    reference: Optional[str] = None
    planned_start_at: Optional[datetime.datetime] = None
    status_modified_at: Optional[datetime.datetime] = None


class PublicJobList(BaseModel):
    """The public client's ``JobListResponse``: the page fields it requires beside the items."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    items: List[PublicJob]
    page_number: int
    page_item_count: int


LIVE_REQUIRED = ("contactAddress", "plannedDuration", "isConfirmed", "isFinanciallyComplete", "isActioned")


def test_jobs_carry_the_fields_live_jobs_carry(sim, bc):
    # DOCUMENTED (Confirmed, the public client's Job): the five fields and their types. INVENTED: the values.
    waiting, new, paid = seed(sim, {"status": "scheduled", "starts_in": 3600, "duration": 5400}, {"status": "new"},
                              {"status": "completedOk", "contactAddress": "1 Quay St", "plannedDuration": 45,
                               "isConfirmed": False, "isFinanciallyComplete": True, "isActioned": True})
    got = [bc.call("GET", "/jobs/%d" % job["id"]).json() for job in (waiting, new, paid)]
    assert [[g[k] for k in LIVE_REQUIRED] for g in got] == [
        ["Unit 4, Avonmouth Way, Bristol BS11 9HX", 90, True, False, False],
        ["Unit 4, Avonmouth Way, Bristol BS11 9HX", 60, False, False, False],
        ["1 Quay St", 45, False, True, True]]
    listed_jobs = bc.call("GET", "/jobs", params={"id": [j["id"] for j in (waiting, new, paid)]}).json()["items"]
    assert listed_jobs == got, "the list and the single read give the same job"


def test_jobs_validate_against_the_public_clients_model(sim, bc):
    sim.reset("demo")
    job_ids = [j["id"] for j in sim.state("bigchange")["jobs"]]
    seed(sim, {"status": "lateStart", "reference": None}, {"status": "unscheduled"})
    page = PublicJobList.model_validate(bc.call("GET", "/jobs", params={
        "createdAtFrom": "2000-01-01T00:00:00Z", "createdAtTo": "2100-01-01T00:00:00Z"}).json())
    assert len(page.items) == len(job_ids) + 2 == page.page_item_count
    assert page.items[0].contact_address == "2 Harbour View, Bristol BS1 5TY"
    for job_id in job_ids:
        assert PublicJob.model_validate(bc.call("GET", "/jobs/%d" % job_id).json()).id == job_id
    # The model holds the simulator to every one of the five: without any of them the job is refused.
    job = bc.call("GET", "/jobs/%d" % job_ids[0]).json()
    for key in LIVE_REQUIRED:
        with pytest.raises(ValidationError, match=key):
            PublicJob.model_validate({k: v for k, v in job.items() if k != key})


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


def test_cancel_then_cancel_again_is_a_422_by_default(sim, bc):
    # DOCUMENTED: 204 on success (seed, Confirmed). INVENTED: the 422 naming ``status`` for the second one.
    job = seed(sim, {"status": "onTheWay", "starts_in": 600})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "Customer not home"})
    assert resp.status_code == 204 and resp.content == b""
    state = sim.state("bigchange")["jobs"][0]
    assert state["status"] == "cancelled" and state["cancelReason"] == "Customer not home"
    assert state["statusHistory"][-1]["comment"] == "Customer not home"
    assert sim.requests("bigchange")[-1]["acted"] is True
    again = problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "again"}), 422)
    assert again["errors"] == {"status": ["A job with status 'cancelled' cannot be cancelled."]}
    assert sim.requests("bigchange")[-1]["acted"] is False
    sim.advance(700)
    assert sim.state("bigchange")["jobs"][0]["status"] == "cancelled", "a cancelled job never starts"


@pytest.mark.parametrize("answer", [409, 204])
def test_the_answer_to_a_second_cancel_is_switchable(sim, bc, answer):
    # INVENTED: what BigChange answers to a cancel of a cancelled job is not documented.
    sim.seed(bigchange={"settings": {"second_cancel": answer}})
    job = seed(sim, {"status": "scheduled"})[0]
    assert bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "first"}).status_code == 204
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "second"})
    if answer == 409:
        assert problem(resp, 409)["detail"] == "The job is already cancelled."
    else:
        assert resp.status_code == 204 and resp.content == b""
    assert sim.requests("bigchange")[-1]["acted"] is False
    state = sim.state("bigchange")
    assert state["jobs"][0]["cancelReason"] == "first", "the second cancel changed nothing"
    assert [h["status"] for h in state["jobs"][0]["statusHistory"]].count("cancelled") == 1
    assert [e["event"] for e in state["events"] if e["event"] != "token_issued"] == [
        "job_cancelled", "job_cancel_repeated"]
    assert state["events"][-1]["answer"] == answer


def test_settings_are_checked(sim):
    for settings in ({"second_cancel": 200}, {"refusal_status": 400}, {"timestamps": "local"}):
        with pytest.raises(requests.HTTPError):
            sim.seed(bigchange={"settings": settings})


@pytest.mark.parametrize("status", ["started", "suspended", "lateFinish", "completedOk", "completedWithIssues"])
@pytest.mark.parametrize("refusal", [422, 409])
def test_cancel_is_refused_once_work_has_begun(sim, bc, status, refusal):
    # DOCUMENTED: started, suspended and completed jobs cannot be cancelled (seed). INVENTED: lateFinish
    # counts as started; the 422 body and the 409 alternative.
    sim.seed(bigchange={"settings": {"refusal_status": refusal}})
    job = seed(sim, {"status": status})[0]
    body = problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x"}), refusal)
    message = "A job with status '%s' cannot be cancelled." % status
    if refusal == 422:
        assert body["errors"]["status"] == [message]
    else:
        assert body["detail"] == message and "errors" not in body
    assert sim.state("bigchange")["jobs"][0]["status"] == status


@pytest.mark.parametrize("status", ["lateStart", "rescheduled"])
def test_internal_statuses_not_yet_started_can_be_cancelled(sim, bc, status):
    # INVENTED: how BigChange treats its internal statuses is not documented.
    job = seed(sim, {"status": status})[0]
    assert bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x"}).status_code == 204
    assert sim.state("bigchange")["jobs"][0]["status"] == "cancelled"


def test_a_late_start_stays_late_and_a_rescheduled_job_starts_on_time(sim, bc):
    late, moved = seed(sim, {"status": "lateStart"}, {"status": "rescheduled", "starts_in": 60})
    sim.advance(61)
    got = dict((j["id"], j["status"]) for j in sim.state("bigchange")["jobs"])
    assert got == {late["id"]: "lateStart", moved["id"]: "started"}


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  "}, {"reason": 5}, None])
def test_cancel_needs_a_reason(sim, bc, body):
    # DOCUMENTED: the body carries a textual reason (seed, Confirmed). INVENTED: the 422 for a missing one.
    job = seed(sim, {"status": "scheduled"})[0]
    resp = bc.call("PUT", "/jobs/%d/cancel" % job["id"], json=body)
    assert problem(resp, 422)["errors"] == {"reason": ["A reason for the cancellation is required."]}


def test_cancel_reason_has_a_length_limit(sim, bc):
    # INVENTED: nothing documents a limit; 500 characters is the simulator's, so modules are tested against one.
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


def listed(bc, **params):
    resp = bc.call("GET", "/jobs", params=params)
    assert resp.status_code == 200, resp.text
    return [j["id"] for j in resp.json()["items"]]


RANGE = {"createdAtFrom": "2000-01-01T00:00:00Z", "createdAtTo": "2100-01-01T00:00:00Z"}


def test_list_pages_and_filters(sim, bc):
    jobs = seed(sim, *[{"status": s, "resourceId": 1 + i % 2} for i, s in enumerate(
        ["new", "scheduled", "scheduled", "started", "cancelled"])])
    ids = [j["id"] for j in jobs]
    assert listed(bc, **RANGE) == ids
    assert listed(bc, pageSize=2, **RANGE) == ids[:2] and listed(bc, pageSize=2, pageNumber=3, **RANGE) == ids[4:]
    assert listed(bc, pageSize=2, pageNumber=4, **RANGE) == []
    assert listed(bc, id=ids[1:4]) == ids[1:4]
    assert listed(bc, status="scheduled", **RANGE) == ids[1:3]
    assert listed(bc, status=["scheduled", "cancelled"], **RANGE) == listed(bc, status="scheduled,cancelled", **RANGE) \
        == ids[1:3] + ids[4:]
    assert listed(bc, resourceId=2, **RANGE) == [ids[1], ids[3]]
    assert listed(bc, reference="JOB-%d" % ids[2]) == [ids[2]]
    assert listed(bc, reference=["JOB-%d" % ids[2], "JOB-%d" % ids[0]]) == [ids[0], ids[2]]
    assert "pageSize" in problem(bc.call("GET", "/jobs", params=dict(RANGE, pageSize=1001)), 400)["errors"]
    assert "pageNumber" in problem(bc.call("GET", "/jobs", params=dict(RANGE, pageNumber=0)), 400)["errors"]
    assert "status" in problem(bc.call("GET", "/jobs", params=dict(RANGE, status="Scheduled")), 400)["errors"]
    assert "createdAtTo" in problem(bc.call("GET", "/jobs", params=dict(RANGE, createdAtTo="soon")), 400)["errors"]


def test_the_page_envelope(sim, bc):
    # DOCUMENTED (Confirmed, API_analysis.md section 5): {items, pageNumber, pageSize, pageItemCount}.
    ids = [j["id"] for j in seed(sim, *[{"status": "new"}] * 3)]
    body = bc.call("GET", "/jobs", params={"id": ids, "pageSize": 2, "pageNumber": 2}).json()
    assert set(body) == {"items", "pageNumber", "pageSize", "pageItemCount"}
    assert (body["pageNumber"], body["pageSize"], body["pageItemCount"]) == (2, 2, 1)
    assert [j["id"] for j in body["items"]] == ids[2:]
    sim.seed(bigchange={"settings": {"page_envelope": False}})
    assert set(bc.call("GET", "/jobs", params={"id": ids}).json()) == {"items"}


NO_FILTER = {"title": "One or more validation errors occurred.", "status": 422, "errors": {"queryParams": [
    "No filter or date range provided. At least one of the filters [Id, Reference] must be set, or at least one of "
    "the date ranges [(CreatedAtFrom and CreatedAtTo), (StartAtFrom and StartAtTo), (StatusModifiedAtFrom and "
    "StatusModifiedAtTo)] must be provided"]}}


@pytest.mark.parametrize("params", [
    {}, {"status": "scheduled"}, {"contactId": 3001}, {"resourceId": 51},
    {"createdAtFrom": "2000-01-01T00:00:00Z"}, {"startAtTo": "2100-01-01T00:00:00Z"},
    {"createdAtFrom": "2000-01-01T00:00:00Z", "startAtTo": "2100-01-01T00:00:00Z"},
])
def test_a_list_without_a_usable_filter_is_the_live_apis_422(sim, bc, params):
    # DOCUMENTED (Confirmed, API_analysis.md section 1): the exact body.
    seed(sim, {"status": "scheduled"})
    resp = bc.call("GET", "/jobs", params=params)
    assert resp.status_code == 422 and resp.headers["Content-Type"] == "application/problem+json"
    assert resp.json() == NO_FILTER


@pytest.mark.parametrize("params", [
    {"id": "480001"}, {"reference": "JOB-480001"}, RANGE,
    {"startAtFrom": "2000-01-01T00:00:00+00:00", "startAtTo": "2100-01-01T00:00:00+00:00"},
    {"statusModifiedAtFrom": "2000-01-01T00:00:00Z", "statusModifiedAtTo": "2100-01-01T00:00:00Z"},
])
def test_each_usable_filter_is_enough(sim, bc, params):
    job = seed(sim, {"status": "scheduled"})[0]
    assert job["id"] == 480001
    assert listed(bc, **params) == [job["id"]]


@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda name: name[:1].upper() + name[1:]],
                         ids=["lower", "upper", "Pascal"])
def test_query_names_bind_in_any_casing(sim, bc, spelling):
    # DOCUMENTED (Confirmed): a live client sends StartAtFrom/StartAtTo, and the live API takes them
    # (ASP.NET binds query names case-insensitively). Every parameter the list reads, in camelCase and
    # spelled otherwise, gives the same answer.
    jobs = seed(sim, *[{"status": s, "starts_in": 3600 * (i + 1), "resourceId": 51 + i % 2,
                        "reference": "CASE-%d" % i} for i, s in enumerate(["scheduled", "accepted", "scheduled",
                                                                           "scheduled", "new"])])
    ids = [j["id"] for j in jobs]
    start = {"startAtFrom": "2000-01-01T00:00:00Z", "startAtTo": "2100-01-01T00:00:00Z"}
    cases = [
        dict(start, pageSize=2, pageNumber=2),
        dict(start, status=["scheduled", "accepted"], resourceId=51),
        {"id": ids[:3], "contactId": 3001},
        {"reference": ["CASE-4", "CASE-0"]},
        {"createdAtFrom": "2000-01-01T00:00:00Z", "createdAtTo": "2100-01-01T00:00:00Z", "pageSize": 4},
        {"statusModifiedAtFrom": "2000-01-01T00:00:00Z", "statusModifiedAtTo": "2100-01-01T00:00:00Z",
         "status": "new"},
    ]
    expected = [ids[2:4], [ids[0], ids[2]], ids[:3], [ids[0], ids[4]], ids[:4], [ids[4]]]
    for params, want in zip(cases, expected):
        camel = bc.call("GET", "/jobs", params=params)
        other = bc.call("GET", "/jobs", params=dict((spelling(k), v) for k, v in params.items()))
        assert other.status_code == camel.status_code == 200, other.text
        assert [j["id"] for j in other.json()["items"]] == [j["id"] for j in camel.json()["items"]] == want, params
        assert other.json() == camel.json()
    history = bc.call("GET", "/jobs/%d/statusHistory" % ids[0], params={spelling("pageSize"): 1,
                                                                        spelling("direction"): "descending"})
    assert [h["status"] for h in history.json()["items"]] == ["scheduled"] and history.json()["pageSize"] == 1
    # A bad value is refused under the name the API knows, whatever spelling carried it.
    body = problem(bc.call("GET", "/jobs", params=dict(start, **{spelling("pageSize"): 1001})), 400)
    assert list(body["errors"]) == ["pageSize"]
    # The log keeps the names as they were sent.
    assert spelling("pageSize") in sim.requests("bigchange")[-1]["query"]


def test_the_spellings_of_one_name_are_one_parameter(sim, bc):
    # As ASP.NET's query collection holds them: the values of every spelling, together.
    jobs = seed(sim, {"status": "new"}, {"status": "new"}, {"status": "new"})
    assert listed(bc, **{"id": jobs[0]["id"], "ID": jobs[2]["id"]}) == [jobs[0]["id"], jobs[2]["id"]]
    values = {"id": [jobs[0]["id"]] * 30, "Id": [jobs[0]["id"]] * 21}
    assert problem(bc.call("GET", "/jobs", params=values), 422)["errors"] == {
        "id": ["The filter id takes at most 50 values, got 51."]}


@pytest.mark.parametrize("params", [
    {"StartAtFrom": "2000-01-01T00:00:00Z"},
    {"Start_At_From": "2000-01-01T00:00:00Z", "Start_At_To": "2100-01-01T00:00:00Z"},
    {"plannedAtFrom": "2000-01-01T00:00:00Z", "plannedAtTo": "2100-01-01T00:00:00Z", "Status": "scheduled"},
])
def test_unknown_names_still_do_not_filter(sim, bc, params):
    # Only the casing of a name is free: a name the API does not know filters nothing, so the list
    # still lacks a filter, and the 422 still names the parameters in PascalCase as the live one does.
    seed(sim, {"status": "scheduled"})
    resp = bc.call("GET", "/jobs", params=params)
    assert resp.status_code == 422 and resp.json() == NO_FILTER


def test_the_filter_rule_can_be_switched_off(sim, bc):
    jobs = seed(sim, {"status": "new"}, {"status": "scheduled"})
    sim.seed(bigchange={"settings": {"require_filter": False}})
    assert listed(bc) == [j["id"] for j in jobs]


def test_date_ranges_select_by_creation_start_and_status_change(sim, bc):
    old, new = seed(sim, {"status": "scheduled", "createdAt": "2026-01-10T10:00:00Z", "starts_in": 86400},
                    {"status": "scheduled", "createdAt": "2026-03-10T10:00:00Z", "starts_in": 3 * 86400})
    assert listed(bc, createdAtFrom="2026-01-01T00:00:00Z", createdAtTo="2026-02-01T00:00:00Z") == [old["id"]]
    assert listed(bc, createdAtFrom="2026-03-10T10:00:00+00:00", createdAtTo="2026-03-10T10:00:00Z") == [new["id"]]
    tomorrow = next(j for j in sim.state("bigchange")["jobs"] if j["id"] == old["id"])["plannedStartAt"]
    day_after = (datetime.datetime.fromisoformat(tomorrow.replace("Z", "+00:00")) + datetime.timedelta(days=1)).isoformat()
    assert listed(bc, startAtFrom=tomorrow, startAtTo=day_after) == [old["id"]]
    sim.advance(60)
    assert bc.call("PUT", "/jobs/%d/cancel" % new["id"], json={"reason": "x"}).status_code == 204
    changed = next(j for j in sim.state("bigchange")["jobs"] if j["id"] == new["id"])["statusModifiedAt"]
    assert listed(bc, statusModifiedAtFrom=changed, statusModifiedAtTo="2100-01-01T00:00:00Z") == [new["id"]]


@pytest.mark.parametrize("name", ["id", "reference", "status", "contactId", "resourceId"])
def test_an_array_filter_takes_at_most_50_values(sim, bc, name):
    # DOCUMENTED (Confirmed, API_analysis.md section 5): the cap. INVENTED: the wording of the 422.
    job = seed(sim, {"status": "scheduled"})[0]
    values = {"id": [job["id"]] + list(range(1, 50)),
              "reference": ["JOB-%d" % job["id"]] + ["R%d" % i for i in range(49)],
              "status": ["scheduled"] * 50, "contactId": [3001] * 50, "resourceId": [51] * 50}[name]
    base = {} if name in ("id", "reference") else {"id": job["id"]}
    assert listed(bc, **dict(base, **{name: values})) == [job["id"]]
    body = problem(bc.call("GET", "/jobs", params=dict(base, **{name: values + values[:1]})), 422)
    assert body["errors"] == {name: ["The filter %s takes at most 50 values, got 51." % name]}
    sim.seed(bigchange={"settings": {"max_filter_values": None}})
    assert listed(bc, **dict(base, **{name: values + values[:1]})) == [job["id"]]


def test_strings_documented_as_non_nullable_come_back_null(sim, bc):
    # DOCUMENTED (API_analysis.md section 2): null, not "" and not a missing key.
    job = seed(sim, {"status": "new", "reference": None})[0]
    got = bc.call("GET", "/jobs/%d" % job["id"]).json()
    for key in ("reference", "internalComment", "resourcesComment", "contactComment", "officeNotes"):
        assert key in got and got[key] is None, key
    sim.seed(bigchange={"settings": {"null_strings": False}})
    got = bc.call("GET", "/jobs/%d" % job["id"]).json()
    assert [got[k] for k in ("reference", "internalComment", "officeNotes")] == ["", "", ""]
    assert got["resourceName"] is None, "a field documented as nullable stays null"


def test_timestamps_come_in_both_spellings(sim, bc):
    # DOCUMENTED (API_analysis.md section 5): ...Z and ...+00:00.
    job = seed(sim, {"status": "scheduled", "createdAt": "2026-11-19T11:45:00Z",
                     "plannedStartAt": "2026-11-22T14:45:00Z"})[0]
    got = bc.call("GET", "/jobs", params={"id": job["id"]}).json()["items"][0]
    assert got["createdAt"] == "2026-11-19T11:45:00.000Z" and got["plannedStartAt"] == "2026-11-22T14:45:00.000Z"
    assert got["statusModifiedAt"].endswith("+00:00")
    for style, ending in (("z", "Z"), ("offset", "+00:00")):
        sim.seed(bigchange={"settings": {"timestamps": style}})
        got = bc.call("GET", "/jobs/%d" % job["id"]).json()
        assert all(got[k].endswith(ending) for k in ("createdAt", "plannedStartAt", "statusModifiedAt")), got


def test_misbehaving_list_settings(sim, bc):
    jobs = seed(sim, {"status": "new"}, {"status": "scheduled"}, {"status": "scheduled"})
    sim.seed(bigchange={"settings": {"ignore_filters": True, "ignore_page_number": True}})
    resp = bc.call("GET", "/jobs", params={"id": jobs[0]["id"], "status": "new", "pageSize": 2, "pageNumber": 2})
    assert [j["status"] for j in resp.json()["items"]] == ["new", "scheduled"]


def test_unknown_route_and_method(bc):
    problem(bc.call("GET", "/nothing"), 404)
    resp = bc.call("DELETE", "/jobs/1")
    problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_an_undocumented_status_needs_saying_so(sim, bc):
    job = seed(sim, {"status": "awaitingParts", "undocumented": True})[0]
    assert bc.call("GET", "/jobs/%d" % job["id"]).json()["status"] == "awaitingParts"
    assert problem(bc.call("PUT", "/jobs/%d/cancel" % job["id"], json={"reason": "x"}), 422)["errors"] == {
        "status": ["A job with status 'awaitingParts' cannot be cancelled."]}


def test_bad_seeds_are_refused(sim):
    for body in ({"jobs": [{"status": "running"}]}, {"nope": 1}, {"settings": {"nope": 1}},
                 {"clients": [{"client_id": "x", "scopes": ["jobs:delete"]}]}):
        with pytest.raises(requests.HTTPError):
            sim.seed(bigchange=body)


def test_demo_seed(sim):
    sim.reset("demo")
    jobs = {j["id"]: j for j in sim.state("bigchange")["jobs"]}
    assert {"scheduled", "started", "suspended", "completedOk", "cancelled", "new"} <= {j["status"] for j in jobs.values()}
    assert jobs[480101]["status"] == "scheduled" and jobs[480105]["status"] == "started"
    assert jobs[480109]["reference"] is None, "as live data shows: null in a string documented as non-nullable"
