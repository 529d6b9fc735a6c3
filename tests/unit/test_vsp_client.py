"""The VSP One Object client, its Keycloak/CSRF authentication and models, over real HTTP to the simulator."""

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils import client as http
from ansible_collections.jobctl.cloud.plugins.module_utils import vsp as vsp_utils
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.vsp import VspAuth, VspClient

TOKEN_PATH = "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"
FORM = {"grant_type": "password", "client_id": "vsp-object-external-client",
        "username": "vsp-admin", "password": "vsp-secret"}


def make(sim, retries=2, access_token=None, **form):
    if access_token:
        auth = VspAuth(access_token=access_token)
    else:
        auth = VspAuth(token_url=sim.url + TOKEN_PATH, form=dict(FORM, **form))
    return VspClient(HttpClient("VSP One Object API", sim.url + "/vsp/mapi", timeout=5, retries=retries, auth=auth))


def calls(sim, since=0):
    """(method, path below /vsp, status) of every VSP request."""
    return [(r["method"], r["path"][len("/vsp"):], r["status"]) for r in sim.requests("vsp", since=since)]


TOKEN = ("POST", "/auth/realms/vsp-object/protocol/openid-connect/token", 200)
CSRF = ("GET", "/mapi/v1/csrf", 200)
STATUS = ("POST", "/mapi/v1/jobs/status", 200)


def seed(sim, *jobs, **settings):
    body = {"jobs": list(jobs) or [{"id": 1}]}
    if settings:
        body["settings"] = settings
    return sim.seed(vsp=body)["vsp"]["jobs"]


@pytest.fixture
def fast_backoff(monkeypatch):
    monkeypatch.setattr(http, "BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr(http, "BACKOFF_JITTER", 0.0)


def test_one_token_and_one_csrf_fetch_then_only_job_calls(sim):
    seed(sim, {"id": 1}, {"id": 2})
    vsp = make(sim)
    assert vsp.status(1).job_id.id == 1
    assert vsp.status(2).job_state == "EXECUTING"
    assert calls(sim) == [TOKEN, CSRF, STATUS, STATUS]
    log = sim.requests("vsp")
    assert log[0]["body"] == dict(FORM, password="<redacted>")
    assert log[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert log[1]["headers"]["Authorization"] == "Bearer <redacted>"
    assert log[2]["body"] == {"jobId": {"id": 1}}
    assert {"Authorization", "X-XSRF-TOKEN", "Cookie"} <= set(log[2]["headers"])


def test_a_given_access_token_skips_keycloak(sim):
    seed(sim)
    token = make(sim)
    token.status(1)
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
    assert [c[0:2] for c in calls(sim)] == [TOKEN[:2]], "no job call without a token"


def test_expired_csrf_token_is_fetched_again_once_and_the_call_repeated(sim):
    seed(sim, {"id": 1}, csrf_lifetime=30)
    vsp = make(sim)
    vsp.status(1)
    sim.advance(31)
    assert vsp.status(1).job_id.id == 1
    assert calls(sim) == [TOKEN, CSRF, STATUS, ("POST", "/mapi/v1/jobs/status", 401), CSRF, STATUS]
    assert sim.state("vsp")["counts"] == {"tokens_issued": 1, "csrf_issued": 2}


def test_expired_keycloak_token_is_renewed_after_the_csrf_fetch_is_refused(sim):
    seed(sim, {"id": 1}, csrf_lifetime=30, token_lifetime=60)
    vsp = make(sim)
    vsp.status(1)
    sim.advance(61)
    assert vsp.status(1).job_id.id == 1
    assert calls(sim) == [TOKEN, CSRF, STATUS, ("POST", "/mapi/v1/jobs/status", 401),
                          ("GET", "/mapi/v1/csrf", 401), TOKEN, CSRF, STATUS]


def test_an_expired_given_token_fails_with_the_apis_words(sim):
    seed(sim)
    with pytest.raises(ApiError) as err:
        make(sim, access_token="vsp-at-expired").status(1)
    assert err.value.status == 401 and err.value.problem["code"] == "UNAUTHORIZED"
    assert "HTTP 401 Access was denied due to invalid credentials." in err.value.msg
    assert "vsp-at-expired" not in err.value.msg
    assert calls(sim) == [("GET", "/mapi/v1/csrf", 401)]


def test_a_401_that_persists_is_renewed_once_then_fails(sim):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/status", kind="status", status=401, times=-1)
    with pytest.raises(ApiError) as err:
        make(sim).status(1)
    assert err.value.status == 401
    assert calls(sim) == [TOKEN, CSRF, ("POST", "/mapi/v1/jobs/status", 401), CSRF,
                          ("POST", "/mapi/v1/jobs/status", 401)]


def test_a_csrf_answer_without_the_cookie_fails_readably(sim):
    seed(sim)
    sim.fault(api="vsp", path="/v1/csrf", kind="empty", times=1)
    with pytest.raises(ApiError) as err:
        make(sim).status(1)
    assert "set no XSRF-TOKEN cookie" in err.value.msg and "GET /vsp/mapi/v1/csrf" in err.value.msg


def test_reads_are_retried_on_gateway_errors(sim, fast_backoff):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/status", kind="status", status=503, times=2)
    assert make(sim).status(1).job_id.id == 1
    assert [c[2] for c in calls(sim)] == [200, 200, 503, 503, 200]


def test_cancel_is_not_repeated_after_a_lost_answer(sim, fast_backoff):
    seed(sim, {"id": 5, "jobState": "PROCESSING"})
    vsp = make(sim)
    sim.fault(api="vsp", path="/jobs/cancel", kind="status", status=502, when="after", times=1)
    with pytest.raises(ApiError) as err:
        vsp.cancel(5)
    # The cancel acted and its answer was lost: nothing documents a second cancel as safe, so none is sent.
    assert err.value.status == 502 and err.value.retries == 0
    assert [c[2] for c in calls(sim)][-1:] == [502]
    assert len([c for c in calls(sim) if "/jobs/cancel" in c[1]]) == 1
    assert sim.state("vsp")["jobs"][0]["jobState"] == "CANCELLED"


def test_cancel_answers_the_cancelled_status(sim):
    seed(sim, {"id": -3, "jobState": "EXAMINING", "jobType": "METRIC_RECONCILIATION"})
    job = make(sim).cancel(-3)
    assert job.job_state == "CANCELLED" and job.job_type == "METRIC_RECONCILIATION"
    assert sim.requests("vsp")[-1]["body"] == {"jobId": {"id": -3}}


def test_raw_is_the_apis_own_object(sim):
    jobs = seed(sim, {"id": 8, "jobParams": {"destination": "b2"}, "jobStats": {"processed": 3, "failed": 0}})
    assert make(sim).status(8).raw() == jobs[0]


def test_thirty_pages_come_back_whole(sim):
    seed(sim, *[{"id": n - 75, "bucketName": "b1"} for n in range(150)], max_page_size=5)
    jobs = make(sim).list_jobs(bucket_name="b1")
    assert [j.job_id.id for j in jobs] == [n - 75 for n in range(150)]
    lists = [r for r in sim.requests("vsp") if r["path"].endswith("/jobs/list")]
    assert len(lists) == 30
    assert lists[0]["body"] == {"pageSize": vsp_utils.LIST_PAGE_SIZE, "bucketName": "b1"}
    assert all(r["body"]["pageToken"] for r in lists[1:])


def test_list_filters_are_sent_to_the_api(sim):
    seed(sim, {"id": 1, "userId": 4}, {"id": 2, "userId": 5})
    assert [j.job_id.id for j in make(sim).list_jobs(user_id=5)] == [2]
    assert sim.requests("vsp")[-1]["body"] == {"pageSize": vsp_utils.LIST_PAGE_SIZE, "userId": {"id": 5}}


def test_an_endless_list_stops_at_the_page_bound(sim, monkeypatch):
    monkeypatch.setattr(vsp_utils, "MAX_PAGES", 3)
    seed(sim, *[{"id": n} for n in range(1, 11)], max_page_size=2)
    with pytest.raises(ApiError) as err:
        make(sim).list_jobs()
    assert "more than 3 pages of jobs; stopped after 6 jobs" in err.value.msg


def test_a_list_of_the_wrong_shape_fails_instead_of_reading_as_empty(sim):
    seed(sim)
    sim.fault(api="vsp", path="/jobs/list", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        make(sim).list_jobs()
    assert "unexpected shape: jobs" in err.value.msg


def test_fetched_secrets_are_handed_to_the_mask(sim):
    seed(sim)
    secrets = []
    auth = VspAuth(token_url=sim.url + TOKEN_PATH, form=FORM, on_secret=secrets.append)
    VspClient(HttpClient("VSP One Object API", sim.url + "/vsp/mapi", auth=auth)).status(1)
    issued = sim.state("vsp")["issued"]
    assert secrets == issued["access_tokens"] + issued["xsrf_tokens"]
