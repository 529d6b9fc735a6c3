"""The Cloud Foundry client, UAA authentication and models, over real HTTP to the simulator."""

import base64

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils import client as http_client
from ansible_collections.jobctl.cloud.plugins.module_utils import cloudfoundry
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.cloudfoundry import (
    CloudFoundryClient,
    UaaAuth,
    client_credentials_grant,
    password_grant,
)


@pytest.fixture
def fast_backoff(monkeypatch):
    # The backoff schedule is not what these tests check; keep them quick.
    monkeypatch.setattr(http_client, "BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr(http_client, "BACKOFF_JITTER", 0.0)


def connect(sim, auth=None, retries=2, headers=None, **grant):
    if auth is None:
        auth = UaaAuth(grant=password_grant(grant.get("username", "admin"), grant.get("password", "admin-secret")))
    http = HttpClient("Cloud Foundry API", sim.url + "/cf", timeout=5, retries=retries, auth=auth, headers=headers)
    return CloudFoundryClient(http)


def seed_tasks(sim, *tasks, **app):
    app.setdefault("name", "web")
    return sim.seed(cloudfoundry={"apps": [dict(app, tasks=list(tasks))]})["cloudfoundry"]["apps"][0]


def calls(sim):
    return [(r["method"], r["path"][len("/cf"):]) for r in sim.requests("cloudfoundry")]


def test_password_grant_discovers_login_and_logs_in_once(sim):
    app = seed_tasks(sim, {"name": "a"}, {"name": "b"})
    secrets = []
    cf = connect(sim, auth=UaaAuth(grant=password_grant("admin", "admin-secret"), on_secret=secrets.append))
    for task in app["tasks"]:
        assert cf.task(task["guid"]).state == "RUNNING"
    assert calls(sim) == [("GET", "/"), ("POST", "/login/oauth/token")] + [
        ("GET", "/v3/tasks/%s" % t["guid"]) for t in app["tasks"]]
    log = sim.requests("cloudfoundry")
    assert "Authorization" not in log[0]["headers"], "the root document is read without credentials"
    token_request = log[1]
    assert token_request["body"] == {"grant_type": "password", "username": "admin", "password": "<redacted>"}
    assert token_request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert token_request["headers"]["Authorization"] == "Basic <redacted>"
    assert log[2]["headers"]["Authorization"] == "bearer <redacted>"
    assert len(secrets) == 1 and secrets[0].startswith("cfsim-"), "the fetched token is handed over for masking"


def test_password_grant_sends_the_cf_client_with_an_empty_secret():
    form, headers = password_grant("admin", "pw")
    assert base64.b64decode(headers["Authorization"].split()[1]) == b"cf:"
    assert form == {"grant_type": "password", "username": "admin", "password": "pw"}


def test_falls_back_to_links_uaa(sim):
    sim.seed(cloudfoundry={"settings": {"login_link": False}})
    cf = connect(sim)
    assert cf.tasks() == []
    assert ("POST", "/uaa/oauth/token") in calls(sim)


def test_client_credentials_grant_sends_the_client_in_the_form(sim):
    auth = UaaAuth(grant=client_credentials_grant("jobctl-client", "jobctl-client-secret"))
    assert connect(sim, auth=auth).tasks() == []
    token_request = sim.requests("cloudfoundry")[1]
    assert token_request["body"] == {"grant_type": "client_credentials", "client_id": "jobctl-client",
                                     "client_secret": "<redacted>"}
    assert "Authorization" not in token_request["headers"]
    assert sim.state("cloudfoundry")["events"][0]["principal"] == "jobctl-client"


def sim_token(sim):
    """A real token from the simulator, got by a client of its own; the request log is cleared after."""
    auth = UaaAuth(grant=password_grant("admin", "admin-secret"))
    connect(sim, auth=auth).tasks()
    sim.clear_requests()
    return auth.token


def test_given_access_token_skips_discovery_and_login(sim):
    cf = connect(sim, auth=UaaAuth(access_token=sim_token(sim)))
    assert cf.tasks() == []
    assert calls(sim) == [("GET", "/v3/tasks")]


def test_invalid_token_mid_run_is_renewed_once_and_the_request_repeated(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.seed(cloudfoundry={"settings": {"token_uses": 1}})
    cf = connect(sim)
    assert cf.task(guid).state == "RUNNING"
    task, retries = cf.cancel(guid)
    assert task.state == "CANCELING" and retries == 0
    assert calls(sim) == [("GET", "/"), ("POST", "/login/oauth/token"), ("GET", "/v3/tasks/%s" % guid),
                          ("POST", "/v3/tasks/%s/actions/cancel" % guid), ("POST", "/login/oauth/token"),
                          ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [401, 200, 202]
    assert [e["event"] for e in sim.state("cloudfoundry")["events"]].count("task_cancel_requested") == 1


def test_revoked_token_is_renewed(sim):
    cf = connect(sim)
    cf.tasks()
    sim.seed(cloudfoundry={"revoke_tokens": True})
    assert cf.tasks() == []
    assert [m for m, p in calls(sim)].count("POST") == 2


def test_a_token_refused_right_after_renewal_fails_without_looping(sim):
    sim.seed(cloudfoundry={"settings": {"token_uses": 0}})
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert err.value.status == 401 and err.value.problem["title"] == "CF-InvalidAuthToken"
    assert "HTTP 401 CF-InvalidAuthToken: Invalid Auth Token [code 1000" in err.value.msg
    assert len(calls(sim)) == 5, "root, token, refused, token, refused: one renewal per request"


def test_given_access_token_is_not_renewed(sim):
    auth = UaaAuth(access_token=sim_token(sim))
    sim.seed(cloudfoundry={"revoke_tokens": True})
    with pytest.raises(ApiError) as err:
        connect(sim, auth=auth).tasks()
    assert err.value.problem["code"] == "1000"
    assert calls(sim) == [("GET", "/v3/tasks")]


def test_other_401s_are_not_renewed(sim):
    sim.fault(api="cloudfoundry", path="/v3/", kind="status", status=401, times=1)
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert err.value.problem["title"] == "CF-NotAuthenticated"
    assert [m for m, p in calls(sim)] == ["GET", "POST", "GET"]


def test_bad_password_fails_with_uaas_words_and_without_the_password(sim):
    with pytest.raises(ApiError) as err:
        connect(sim, password="not-the-password").tasks()
    assert err.value.msg.startswith("Cloud Foundry API POST /cf/login/oauth/token failed: HTTP 401 unauthorized: "
                                    "Bad credentials [request ID ")
    assert "not-the-password" not in str(err.value.problem)


def test_root_document_without_token_links_fails_readably(sim):
    sim.fault(api="cloudfoundry", path="/cf/$", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert "unexpected shape: links: Field required" in err.value.msg


def test_root_document_not_json_fails_readably(sim):
    sim.fault(api="cloudfoundry", path="/cf/$", kind="html", status=200, times=1)
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert "is not valid JSON" in err.value.msg


def test_token_request_is_retried_after_a_503(sim, fast_backoff):
    sim.fault(api="cloudfoundry", path="/oauth/token", kind="status", status=503, times=1)
    assert connect(sim).tasks() == []
    assert [r["status"] for r in sim.requests("cloudfoundry")][:3] == [200, 503, 200]


def test_every_page_is_read(sim, monkeypatch):
    seed_tasks(sim, *[{"name": "t%d" % n} for n in range(5)])
    monkeypatch.setattr(cloudfoundry, "PER_PAGE", 2)
    tasks = connect(sim).tasks(names=["t0", "t1", "t2", "t3", "t4"], states=["RUNNING"])
    assert [t.name for t in tasks] == ["t0", "t1", "t2", "t3", "t4"]
    pages = [r["query"] for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"]
    assert [q["page"] for q in pages[1:]] == [["2"], ["3"]]
    assert pages[0] == {"names": ["t0,t1,t2,t3,t4"], "states": ["RUNNING"], "per_page": ["2"]}
    assert all(q["names"] == ["t0,t1,t2,t3,t4"] for q in pages), "every page keeps the filters"


def test_default_page_size_is_the_apis_maximum(sim):
    connect(sim).tasks()
    assert sim.requests("cloudfoundry")[-1]["query"]["per_page"] == ["5000"]


def test_next_page_on_another_host_is_refused(sim, monkeypatch):
    seed_tasks(sim, {"name": "a"}, {"name": "b"})
    monkeypatch.setattr(cloudfoundry, "PER_PAGE", 1)
    # The simulator builds its links from the Host header, as Cloud Controller builds them from its
    # configured external domain: this makes it hand out links to a host the client was not given.
    cf = connect(sim, auth=UaaAuth(access_token=sim_token(sim)), headers={"Host": "api.elsewhere.example"})
    with pytest.raises(ApiError) as err:
        cf.tasks()
    assert "the next page is on another host (api.elsewhere.example)" in err.value.msg
    assert len([r for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"]) == 1


def test_app_tasks_with_sequence_ids(sim):
    app = seed_tasks(sim, {"name": "a"}, {"name": "b"}, {"name": "c"})
    tasks = connect(sim).tasks(app["guid"], sequence_ids=[2])
    assert [t.name for t in tasks] == ["b"]
    assert calls(sim)[-1] == ("GET", "/v3/apps/%s/tasks" % app["guid"])


def test_unknown_app_is_resource_not_found(sim):
    with pytest.raises(ApiError) as err:
        connect(sim).tasks("0a0a0a0a-0000-4000-8000-000000000000")
    assert err.value.status == 404 and err.value.problem["code"] == "10010"


def test_path_segments_are_encoded(sim):
    with pytest.raises(ApiError):
        connect(sim).task("a/../b")
    assert calls(sim)[-1] == ("GET", "/v3/tasks/a%2F..%2Fb")


def test_cancel_answers(sim):
    app = seed_tasks(sim, {"name": "running"}, {"name": "done", "state": "SUCCEEDED"})
    running, done = (t["guid"] for t in app["tasks"])
    cf = connect(sim)
    task, retries = cf.cancel(running)
    assert (task.state, retries) == ("CANCELING", 0)
    assert task.raw()["links"]["self"]["href"].endswith(running), "the API's own object, every field kept"
    assert cf.cancel(done) == (None, 0), "a task that already finished is not a failure"
    with pytest.raises(ApiError) as err:
        cf.cancel("0a0a0a0a-0000-4000-8000-000000000000")
    assert err.value.problem["title"] == "CF-ResourceNotFound"


def test_cancel_is_retried_like_a_read(sim, fast_backoff):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=502, when="after", times=1)
    task, retries = connect(sim).cancel(guid)
    assert (task.state, retries) == ("CANCELING", 1)
    assert [r["status"] for r in sim.requests("cloudfoundry")][-2:] == [502, 202]


def test_rate_limit_body_sent_as_text_plain_is_read(sim):
    sim.fault(api="cloudfoundry", path="/v3/", kind="rate_limit", retry_after=1, times=-1)
    with pytest.raises(ApiError) as err:
        connect(sim, retries=0).tasks()
    assert err.value.status == 429
    assert err.value.problem["title"] == "CF-RateLimitExceeded" and err.value.problem["code"] == "10013"
    assert err.value.problem["request_id"]


def test_task_model_keeps_unknown_fields():
    task = cloudfoundry.Task.model_validate({"guid": "g", "state": "RUNNING", "new_field": {"x": 1}})
    assert task.raw() == {"guid": "g", "state": "RUNNING", "new_field": {"x": 1}}


def test_same_origin_ignores_spelled_out_default_ports_and_case():
    origin = cloudfoundry._origin
    assert origin("https://API.example.com/v3/tasks?page=2") == origin("https://api.example.com:443/cf")
    assert origin("http://127.0.0.1:8080/a") != origin("http://127.0.0.1:8081/a")
    assert origin("http://api.example.com/a") != origin("https://api.example.com/a")
