"""The simulated Cloud Foundry API (Cloud Controller v3 tasks + UAA) against docs/api/cloudfoundry.md
(its Seed and Confirmed sections)."""

import re

import pytest
import requests

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TASK_KEYS = {"guid", "sequence_id", "name", "command", "state", "memory_in_mb", "disk_in_mb", "result",
             "droplet_guid", "relationships", "metadata", "created_at", "updated_at", "links"}


class CF:
    """A bare client of the simulated API: the base URL and a token per user."""

    def __init__(self, sim):
        self.sim = sim
        self.base = sim.url + "/cf"
        self.http = requests.Session()

    def token(self, username="admin", password="admin-secret", server="login"):
        reply = self.http.post("%s/%s/oauth/token" % (self.base, server), auth=("cf", ""), timeout=5,
                               data={"grant_type": "password", "username": username, "password": password})
        assert reply.status_code == 200, reply.text
        return reply.json()["access_token"]

    def request(self, method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        if token is not None:
            headers["Authorization"] = "bearer %s" % token
        return self.http.request(method, path if path.startswith("http") else self.base + path,
                                 headers=headers, timeout=5, **kw)


@pytest.fixture
def cf(sim):
    return CF(sim)


@pytest.fixture
def admin(cf):
    return cf.token()


def seed_app(sim, tasks, **app):
    app.setdefault("name", "web")
    return sim.seed(cloudfoundry={"apps": [dict(app, tasks=tasks)]})["cloudfoundry"]["apps"][0]


def assert_cf_error(reply, status, code, title, content_type="application/json"):
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith(content_type)
    assert GUID.match(reply.headers["X-Vcap-Request-Id"])
    error = reply.json()["errors"][0]
    assert (error["code"], error["title"]) == (code, title)
    return error["detail"]


# ------------------------------------------------------------------------------------ root and UAA

def test_root_document_needs_no_auth_and_links_back_into_the_simulator(cf):
    reply = cf.request("GET", "/")
    links = reply.json()["links"]
    assert reply.status_code == 200
    assert links["login"]["href"] == cf.base + "/login"
    assert links["uaa"]["href"] == cf.base + "/uaa"
    assert links["cloud_controller_v3"]["href"] == cf.base + "/v3"
    assert links["self"]["href"] == cf.base


def test_root_document_without_login_link(sim, cf):
    sim.seed(cloudfoundry={"settings": {"login_link": False}})
    links = cf.request("GET", "/").json()["links"]
    assert "login" not in links and links["uaa"]["href"] == cf.base + "/uaa"


@pytest.mark.parametrize("server", ["login", "uaa"])
def test_password_grant_through_the_cf_client(cf, sim, server):
    reply = cf.http.post("%s/%s/oauth/token" % (cf.base, server), auth=("cf", ""),
                         data={"grant_type": "password", "username": "admin", "password": "admin-secret"})
    body = reply.json()
    assert reply.status_code == 200 and body["token_type"] == "bearer"
    assert body["expires_in"] > 0 and body["refresh_token"]
    assert reply.headers["Cache-Control"] == "no-store"
    assert cf.request("GET", "/v3/tasks", token=body["access_token"]).status_code == 200
    assert sim.state("cloudfoundry")["events"][-1] == dict(
        sim.state("cloudfoundry")["events"][-1], event="token_issued", grant="password", server=server)


@pytest.mark.parametrize("data,auth,status,error", [
    ({"grant_type": "password", "username": "admin", "password": "wrong"}, ("cf", ""), 401, "unauthorized"),
    ({"grant_type": "password", "username": "nobody", "password": "x"}, ("cf", ""), 401, "unauthorized"),
    ({"grant_type": "password", "username": "admin", "password": "admin-secret"}, ("cf", "x"), 401, "unauthorized"),
    ({"grant_type": "password", "username": "admin", "password": "admin-secret"},
     ("jobctl-client", "jobctl-client-secret"), 401, "invalid_client"),
    ({"grant_type": "client_credentials"}, ("cf", ""), 401, "invalid_client"),
    ({"grant_type": "authorization_code"}, ("cf", ""), 400, "unsupported_grant_type"),
    ({}, ("cf", ""), 400, "invalid_request"),
])
def test_token_errors_are_oauth_errors(cf, data, auth, status, error):
    reply = cf.http.post(cf.base + "/uaa/oauth/token", auth=auth, data=data)
    assert reply.status_code == status
    assert reply.json()["error"] == error and reply.json()["error_description"]


def test_client_credentials_grant_with_the_client_in_the_form_or_in_basic(cf):
    form = {"grant_type": "client_credentials", "client_id": "jobctl-client", "client_secret": "jobctl-client-secret"}
    reply = cf.http.post(cf.base + "/uaa/oauth/token", data=form)
    assert reply.status_code == 200 and "refresh_token" not in reply.json()
    basic = cf.http.post(cf.base + "/uaa/oauth/token", data={"grant_type": "client_credentials"},
                         auth=("jobctl-client", "jobctl-client-secret"))
    assert basic.status_code == 200
    wrong = cf.http.post(cf.base + "/uaa/oauth/token", data=dict(form, client_secret="nope"))
    assert wrong.status_code == 401


def test_token_request_must_be_form_encoded(cf):
    reply = cf.http.post(cf.base + "/uaa/oauth/token", auth=("cf", ""),
                         json={"grant_type": "password", "username": "admin", "password": "admin-secret"})
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_request"


# ------------------------------------------------------------------------------------ tokens

def test_missing_and_unknown_tokens(cf):
    assert_cf_error(cf.request("GET", "/v3/tasks"), 401, 10002, "CF-NotAuthenticated")
    assert_cf_error(cf.request("GET", "/v3/tasks", token="nope"), 401, 1000, "CF-InvalidAuthToken")
    basic = cf.request("GET", "/v3/tasks", headers={"Authorization": "Basic YWRtaW46YWRtaW4tc2VjcmV0"})
    assert_cf_error(basic, 401, 10002, "CF-NotAuthenticated")


def test_tokens_expire_on_the_simulated_clock(sim, cf):
    sim.seed(cloudfoundry={"settings": {"token_lifetime": 60}})
    token = cf.token()
    assert cf.request("GET", "/v3/tasks", token=token).status_code == 200
    sim.advance(61)
    assert_cf_error(cf.request("GET", "/v3/tasks", token=token), 401, 1000, "CF-InvalidAuthToken")
    assert sim.state("cloudfoundry")["tokens"][0]["expired"] is True


def test_token_uses_and_revocation(sim, cf):
    sim.seed(cloudfoundry={"settings": {"token_uses": 2}})
    token = cf.token()
    assert [cf.request("GET", "/v3/tasks", token=token).status_code for dummy in range(3)] == [200, 200, 401]
    sim.seed(cloudfoundry={"settings": {"token_uses": None}})
    fresh = cf.token()
    assert cf.request("GET", "/v3/tasks", token=fresh).status_code == 200
    assert sim.seed(cloudfoundry={"revoke_tokens": True})["cloudfoundry"]["revoked_tokens"] == 2
    assert_cf_error(cf.request("GET", "/v3/tasks", token=fresh), 401, 1000, "CF-InvalidAuthToken")
    assert cf.request("GET", "/v3/tasks", token=cf.token()).status_code == 200


def test_state_never_shows_token_values(sim, cf):
    token = cf.token()
    assert token not in str(sim.state("cloudfoundry"))


# DOCUMENTED: the refresh_token grant (docs/api/cloudfoundry.md Confirmed; cloudfoundry/uaa UaaTokenServices).

def password_grant(cf):
    reply = cf.http.post(cf.base + "/login/oauth/token", auth=("cf", ""), timeout=5,
                         data={"grant_type": "password", "username": "admin", "password": "admin-secret"})
    assert reply.status_code == 200
    return reply.json()


def refresh(cf, refresh_token, auth=("cf", ""), **form):
    data = dict({"grant_type": "refresh_token", "refresh_token": refresh_token}, **form)
    return cf.http.post(cf.base + "/uaa/oauth/token", auth=auth, data=data, timeout=5)


@pytest.mark.parametrize("auth,form", [
    (("cf", ""), {}),                   # what cloudfoundry-client sends: HTTP Basic "cf:"
    (None, {"client_id": "cf"}),        # a public client in the form, no secret
], ids=["basic", "form"])
def test_refresh_token_grant_renews_the_same_users_token(sim, cf, auth, form):
    sim.seed(cloudfoundry={"settings": {"token_lifetime": 60}})
    first = password_grant(cf)
    sim.advance(61)
    assert cf.request("GET", "/v3/tasks", token=first["access_token"]).status_code == 401
    reply = refresh(cf, first["refresh_token"], auth=auth, **form)
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert body["access_token"] != first["access_token"], "a new access token"
    assert body["refresh_token"] == first["refresh_token"], "the same refresh token, still valid"
    assert cf.request("GET", "/v3/tasks", token=body["access_token"]).status_code == 200
    assert refresh(cf, first["refresh_token"], auth=auth, **form).status_code == 200, "it can be used again"
    state = sim.state("cloudfoundry")
    assert [(t["principal"], t["grant"]) for t in state["tokens"]] == [
        ("admin", "password"), ("admin", "refresh_token"), ("admin", "refresh_token")]
    assert [(t["principal"], t["client_id"], t["revoked"]) for t in state["refresh_tokens"]] == [("admin", "cf", False)]


def test_only_a_client_allowed_the_refresh_grant_gets_a_refresh_token(sim, cf):
    sim.seed(cloudfoundry={"clients": [{"client_id": "no-refresh", "client_secret": "", "grants": ["password"]}]})
    reply = cf.http.post(cf.base + "/uaa/oauth/token", auth=("no-refresh", ""), timeout=5,
                         data={"grant_type": "password", "username": "admin", "password": "admin-secret"})
    assert reply.status_code == 200 and "refresh_token" not in reply.json()
    assert sim.state("cloudfoundry")["refresh_tokens"] == []


def assert_oauth_error(reply, status, error):
    assert reply.status_code == status
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    if status == 401:
        assert 'error="%s"' % error in reply.headers["WWW-Authenticate"]
    return body["error_description"]


def test_refresh_grant_refusals(sim, cf):
    sim.seed(cloudfoundry={"clients": [
        {"client_id": "other-cli", "client_secret": "", "grants": ["password", "refresh_token"]}]})
    issued = password_grant(cf)["refresh_token"]
    # UAA cannot find an opaque token it never issued (an empty one neither), and needs one.
    gone = "The token expired, was revoked, or the token ID is incorrect."
    assert assert_oauth_error(refresh(cf, "cfsim-unknown-r"), 401, "invalid_token") == gone
    assert assert_oauth_error(refresh(cf, ""), 401, "invalid_token") == gone
    missing = cf.http.post(cf.base + "/uaa/oauth/token", auth=("cf", ""), data={"grant_type": "refresh_token"},
                           timeout=5)
    assert assert_oauth_error(missing, 401, "invalid_token") == "Invalid refresh token (empty token)"
    # Another client may use the grant, but not with a token issued to cf.
    detail = assert_oauth_error(refresh(cf, issued, auth=("other-cli", "")), 400, "invalid_grant")
    assert detail == "Wrong client for this refresh token: cf"
    # A client not allowed the grant is refused before its token is looked at.
    assert_oauth_error(refresh(cf, issued, auth=("jobctl-client", "jobctl-client-secret")), 401, "invalid_client")
    assert_oauth_error(refresh(cf, issued, auth=("cf", "wrong")), 401, "unauthorized")
    assert refresh(cf, issued).status_code == 200, "none of the refusals spent the token"
    sim.seed(cloudfoundry={"revoke_tokens": True})
    assert assert_oauth_error(refresh(cf, issued), 401, "invalid_token") == gone
    assert sim.state("cloudfoundry")["refresh_tokens"][0]["revoked"] is True
    assert [e["grant"] for e in sim.state("cloudfoundry")["events"] if e["event"] == "token_issued"] == [
        "password", "refresh_token"], "no refusal issued a token"


def test_refresh_tokens_expire_on_the_simulated_clock(sim, cf):
    sim.seed(cloudfoundry={"settings": {"refresh_token_lifetime": 3600}})
    issued = password_grant(cf)["refresh_token"]
    sim.advance(3599)
    assert refresh(cf, issued).status_code == 200
    sim.advance(1)
    assert_oauth_error(refresh(cf, issued), 401, "invalid_token")
    assert sim.state("cloudfoundry")["refresh_tokens"][0]["expired"] is True


# ------------------------------------------------------------------------------------ tasks

def test_task_object_has_the_documented_shape(cf, sim, admin):
    app = seed_app(sim, [{"name": "migrate", "command": "bin/migrate", "labels": {"team": "a"}}])
    task = app["tasks"][0]
    body = cf.request("GET", "/v3/tasks/%s" % task["guid"], token=admin).json()
    assert TASK_KEYS <= set(body)
    assert GUID.match(body["guid"]) and body["sequence_id"] == 1 and body["state"] == "RUNNING"
    assert TIMESTAMP.match(body["created_at"]) and TIMESTAMP.match(body["updated_at"])
    assert body["relationships"]["app"]["data"]["guid"] == app["guid"]
    assert body["metadata"] == {"labels": {"team": "a"}, "annotations": {}}
    assert body["links"]["self"]["href"] == "%s/v3/tasks/%s" % (cf.base, task["guid"])
    assert body["links"]["cancel"] == {"href": "%s/v3/tasks/%s/actions/cancel" % (cf.base, task["guid"]), "method": "POST"}
    assert body["result"] == {"failure_reason": None}


def test_unknown_task_and_route(cf, admin):
    detail = assert_cf_error(cf.request("GET", "/v3/tasks/nope", token=admin), 404, 10010, "CF-ResourceNotFound")
    assert detail == "Task not found"
    assert_cf_error(cf.request("GET", "/v3/nothing", token=admin), 404, 10000, "CF-NotFound")


def test_cancel_moves_a_task_to_canceling_then_failed(cf, sim, admin):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 5}})
    guid = seed_app(sim, [{"name": "long"}])["tasks"][0]["guid"]
    first = cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin)
    assert first.status_code == 202 and first.json()["state"] == "CANCELING"
    again = cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin)
    assert again.status_code == 202 and again.json()["state"] == "CANCELING", "a repeated cancel is accepted"
    assert [e["event"] for e in sim.state("cloudfoundry")["events"] if e["event"].startswith("task_")] == [
        "task_cancel_requested"]
    sim.advance(5)
    body = cf.request("GET", "/v3/tasks/%s" % guid, token=admin).json()
    assert body["state"] == "FAILED" and body["result"]["failure_reason"] == "task was cancelled"
    detail = assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin),
                             422, 10008, "CF-UnprocessableEntity")
    assert detail == "Task state is FAILED and therefore cannot be canceled"


def test_cancel_a_succeeded_task_is_422(cf, sim, admin):
    guid = seed_app(sim, [{"state": "SUCCEEDED"}])["tasks"][0]["guid"]
    detail = assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin),
                             422, 10008, "CF-UnprocessableEntity")
    assert detail == "Task state is SUCCEEDED and therefore cannot be canceled"


def test_tasks_run_and_finish_on_the_simulated_clock(cf, sim, admin):
    app = seed_app(sim, [{"name": "queued", "state": "PENDING", "start_after": 10, "duration": 30},
                         {"name": "stuck", "state": "PENDING"}])

    def states():
        return [t["state"] for t in sim.state("cloudfoundry")["tasks"]]

    assert states() == ["PENDING", "PENDING"]
    sim.advance(10)
    assert states() == ["RUNNING", "PENDING"]
    sim.advance(20)
    assert states() == ["SUCCEEDED", "PENDING"]
    assert cf.request("GET", "/v3/tasks/%s" % app["tasks"][0]["guid"], token=admin).json()["state"] == "SUCCEEDED"


def test_roles_and_spaces(cf, sim):
    space_a, space_b = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
    in_a = seed_app(sim, [{"name": "a"}], space_guid=space_a)["tasks"][0]["guid"]
    in_b = seed_app(sim, [{"name": "b"}], name="other", space_guid=space_b)["tasks"][0]["guid"]
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer", "spaces": [space_a]}]})
    dev = cf.token("dev", "dev-pw")
    assert [t["guid"] for t in cf.request("GET", "/v3/tasks", token=dev).json()["resources"]] == [in_a]
    assert_cf_error(cf.request("GET", "/v3/tasks/%s" % in_b, token=dev), 404, 10010, "CF-ResourceNotFound")
    assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % in_b, token=dev), 404, 10010, "CF-ResourceNotFound")
    assert cf.request("POST", "/v3/tasks/%s/actions/cancel" % in_a, token=dev).status_code == 202

    auditor = cf.token("auditor", "auditor-secret")
    seen = cf.request("GET", "/v3/tasks/%s" % in_b, token=auditor).json()
    assert seen["state"] == "RUNNING" and "command" not in seen
    assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % in_b, token=auditor), 403, 10003, "CF-NotAuthorized")
    assert sim.state("cloudfoundry")["tasks"][1]["state"] == "RUNNING"


# ------------------------------------------------------------------------------------ lists

def names(reply):
    assert reply.status_code == 200, reply.text
    return [t["name"] for t in reply.json()["resources"]]


@pytest.fixture
def listing(sim):
    web = seed_app(sim, [
        {"name": "migrate", "state": "RUNNING", "age_seconds": 300, "labels": {"team": "a", "kind": "db"}},
        {"name": "report", "state": "PENDING", "age_seconds": 200, "labels": {"team": "a"}},
        {"name": "report", "state": "SUCCEEDED", "age_seconds": 100, "labels": {"team": "b"}},
    ], name="web", space_guid="aaaaaaaa-0000-4000-8000-000000000001", organization_guid="0000000a-0000-4000-8000-00000000000a")
    worker = seed_app(sim, [{"name": "report", "state": "FAILED", "age_seconds": 50}], name="worker",
                      space_guid="bbbbbbbb-0000-4000-8000-000000000002", organization_guid="0000000b-0000-4000-8000-00000000000b")
    return web, worker


@pytest.mark.parametrize("query,expected", [
    ("", ["migrate", "report", "report", "report"]),
    ("names=report", ["report", "report", "report"]),
    ("names=migrate,report&states=RUNNING,PENDING", ["migrate", "report"]),
    ("space_guids=bbbbbbbb-0000-4000-8000-000000000002", ["report"]),
    ("organization_guids=0000000a-0000-4000-8000-00000000000a", ["migrate", "report", "report"]),
    ("label_selector=team=a", ["migrate", "report"]),
    ("label_selector=team!=a", ["report", "report"]),
    ("label_selector=team in (b,c)", ["report"]),
    ("label_selector=team notin (a),kind", []),
    ("label_selector=kind", ["migrate"]),
    ("label_selector=!kind", ["report", "report", "report"]),
    ("order_by=-created_at&states=FAILED,SUCCEEDED", ["report", "report"]),
])
def test_list_filters(cf, admin, listing, query, expected):
    assert names(cf.request("GET", "/v3/tasks?" + query, token=admin)) == expected


def test_list_by_guids_and_app_guids(cf, admin, listing):
    web, worker = listing
    guid = worker["tasks"][0]["guid"]
    assert names(cf.request("GET", "/v3/tasks", token=admin, params={"guids": guid})) == ["report"]
    assert len(names(cf.request("GET", "/v3/tasks", token=admin, params={"app_guids": web["guid"]}))) == 3


def test_app_tasks_and_sequence_ids(cf, admin, listing):
    web = listing[0]
    reply = cf.request("GET", "/v3/apps/%s/tasks" % web["guid"], token=admin, params={"sequence_ids": "2,3"})
    assert [t["sequence_id"] for t in reply.json()["resources"]] == [2, 3]
    detail = assert_cf_error(cf.request("GET", "/v3/apps/nope/tasks", token=admin), 404, 10010, "CF-ResourceNotFound")
    assert detail == "App not found"
    refused = cf.request("GET", "/v3/apps/%s/tasks" % web["guid"], token=admin, params={"space_guids": "x"})
    assert "Unknown query parameter(s): 'space_guids'" in assert_cf_error(refused, 400, 10005, "CF-BadQueryParameter")


def test_pagination_follows_next_links_to_the_end(cf, admin, listing):
    first = cf.request("GET", "/v3/tasks?names=report&per_page=2", token=admin).json()
    pagination = first["pagination"]
    assert (pagination["total_results"], pagination["total_pages"]) == (3, 2)
    assert pagination["previous"] is None
    assert pagination["next"]["href"] == cf.base + "/v3/tasks?names=report&page=2&per_page=2"
    assert pagination["last"]["href"] == pagination["next"]["href"]
    second = cf.request("GET", pagination["next"]["href"], token=admin).json()
    assert second["pagination"]["next"] is None
    assert second["pagination"]["previous"]["href"] == cf.base + "/v3/tasks?names=report&page=1&per_page=2"
    assert len(first["resources"]) + len(second["resources"]) == 3


def test_empty_list(cf, admin):
    body = cf.request("GET", "/v3/tasks", token=admin).json()
    assert body["resources"] == [] and body["pagination"]["total_results"] == 0
    assert body["pagination"]["next"] is None and body["pagination"]["total_pages"] == 1


@pytest.mark.parametrize("query,words", [
    ("per_page=0", "Per page must be between 1 and 5000"),
    ("per_page=5001", "Per page must be between 1 and 5000"),
    ("page=0", "Page must be greater than 0"),
    ("states=DONE", "States has invalid values"),
    ("nope=1", "Unknown query parameter(s): 'nope'"),
    ("order_by=name", "Order by can only be"),
    ("label_selector=a in b", "Invalid label_selector value"),
])
def test_bad_query_parameters(cf, admin, query, words):
    detail = assert_cf_error(cf.request("GET", "/v3/tasks?" + query, token=admin), 400, 10005, "CF-BadQueryParameter")
    assert detail.startswith("The query parameter is invalid: ") and words in detail


def test_per_page_5000_is_allowed(cf, admin):
    assert cf.request("GET", "/v3/tasks?per_page=5000", token=admin).status_code == 200


# ------------------------------------------------------------------------------------ faults, rate limits, seeds

def test_rate_limit_is_json_labelled_text_plain_with_epoch_reset(cf, sim, admin):
    sim.fault(api="cloudfoundry", kind="rate_limit", retry_after=7, times=1)
    reply = cf.request("GET", "/v3/tasks", token=admin)
    assert_cf_error(reply, 429, 10013, "CF-RateLimitExceeded", content_type="text/plain")
    assert reply.headers["Retry-After"] == "7"
    assert reply.headers["X-RateLimit-Remaining"] == "0"
    assert re.match(r"^\d{10}$", reply.headers["X-RateLimit-Reset"])


def test_configured_rate_limit_adds_headers_to_every_answer(cf, sim, admin):
    sim.rate_limit("cloudfoundry", 1000)
    reply = cf.request("GET", "/v3/tasks", token=admin)
    assert reply.status_code == 200 and int(reply.headers["X-RateLimit-Limit"]) >= 1


def test_faults_on_the_token_endpoint_answer_in_oauth_format(cf, sim):
    sim.fault(api="cloudfoundry", path="/oauth/token", kind="status", status=503, times=1)
    reply = cf.http.post(cf.base + "/uaa/oauth/token", auth=("cf", ""), data={"grant_type": "password"})
    assert reply.status_code == 503 and reply.json()["error"] == "server_error"


def test_seed_validation(sim):
    for body in ({"nope": 1}, {"apps": [{"tasks": [{"state": "DONE"}]}]}, {"tasks": [{"app_guid": "missing"}]},
                 {"settings": {"nope": 1}}, {"users": [{"username": "x", "password": "y", "role": "root"}]}):
        with pytest.raises(requests.HTTPError) as err:
            sim.seed(cloudfoundry=body)
        assert err.value.response.status_code == 400


def test_seed_tasks_for_an_existing_app_continue_its_sequence(sim):
    app = seed_app(sim, [{"name": "one"}])
    created = sim.seed(cloudfoundry={"tasks": [{"app_guid": app["guid"], "name": "two", "state": "CANCELING"}]})
    task = created["cloudfoundry"]["tasks"][0]
    assert (task["sequence_id"], task["state"]) == (2, "CANCELING")


def test_demo_seed_is_stable_and_has_every_state(sim):
    sim.reset("demo")
    tasks = sim.state("cloudfoundry")["tasks"]
    assert {t["state"] for t in tasks} == {"PENDING", "RUNNING", "CANCELING", "SUCCEEDED", "FAILED"}
    guids = [t["guid"] for t in tasks]
    sim.reset("demo")
    assert [t["guid"] for t in sim.state("cloudfoundry")["tasks"]] == guids


def test_a_task_can_finish_right_after_it_was_read(cf, sim, admin):
    guid = seed_app(sim, [{"name": "racy", "succeed_after_reads": 1}])["tasks"][0]["guid"]
    assert cf.request("GET", "/v3/tasks/%s" % guid, token=admin).json()["state"] == "RUNNING"
    assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin), 422, 10008, "CF-UnprocessableEntity")
    assert cf.request("GET", "/v3/tasks/%s" % guid, token=admin).json()["state"] == "SUCCEEDED"


@pytest.mark.parametrize("path", ["/v3/tasks?names=racy", "/v3/apps/{app}/tasks"])
def test_a_task_can_finish_right_after_it_was_listed(cf, sim, admin, path):
    app = seed_app(sim, [{"name": "racy", "succeed_after_lists": 1}])
    guid = app["tasks"][0]["guid"]
    listed = cf.request("GET", path.format(app=app["guid"]), token=admin).json()["resources"]
    assert [(t["guid"], t["state"]) for t in listed] == [(guid, "RUNNING")]
    assert_cf_error(cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin), 422, 10008, "CF-UnprocessableEntity")
    assert cf.request("GET", "/v3/tasks/%s" % guid, token=admin).json()["state"] == "SUCCEEDED"


# ------------------------------------------------------------------------------------ names, orgs, spaces, apps
# DOCUMENTED: names match case-insensitively (docs/api/cloudfoundry.md Confirmed; cloud_controller_ng db/migrations
# declare the name columns of organizations, spaces, apps and tasks case_insensitive).

ORG_A, ORG_B = "0000000a-0000-4000-8000-00000000000a", "0000000b-0000-4000-8000-00000000000b"
SPACE_A, SPACE_B = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"


@pytest.fixture
def foundation(sim):
    """Two orgs, a 'prod' space in each, an app 'web' in both spaces and 'Worker' in the first."""
    apps = sim.seed(cloudfoundry={"apps": [
        {"name": "web", "space_guid": SPACE_A, "space_name": "prod", "organization_guid": ORG_A,
         "organization_name": "Acme", "tasks": [{"name": "DB-Migrate"}, {"name": "report"}]},
        {"name": "Worker", "space_guid": SPACE_A, "tasks": [{"name": "db-migrate"}]},
        {"name": "web", "space_guid": SPACE_B, "space_name": "prod", "organization_guid": ORG_B,
         "organization_name": "Beta", "tasks": [{"name": "db-migrate", "state": "SUCCEEDED"}]},
    ]})["cloudfoundry"]["apps"]
    return apps


def resources(reply):
    assert reply.status_code == 200, reply.text
    return reply.json()["resources"]


def test_task_names_match_case_insensitively_and_can_be_switched_off(cf, sim, admin, foundation):
    assert names(cf.request("GET", "/v3/tasks?names=db-MIGRATE", token=admin)) == ["DB-Migrate", "db-migrate", "db-migrate"]
    sim.seed(cloudfoundry={"settings": {"names_case_insensitive": False}})
    assert names(cf.request("GET", "/v3/tasks?names=db-migrate", token=admin)) == ["db-migrate", "db-migrate"]


def test_ignore_filters_lists_everything_or_ignores_only_the_filters_named(cf, sim, admin, foundation):
    """INVENTED (docs/api/cloudfoundry.md, Invented): a server that does not know a filter ignores it."""
    everything = names(cf.request("GET", "/v3/tasks", token=admin))
    orgs = len(resources(cf.request("GET", "/v3/organizations", token=admin)))
    sim.seed(cloudfoundry={"settings": {"ignore_filters": True}})
    assert names(cf.request("GET", "/v3/tasks?names=db-migrate&states=FAILED&label_selector=x", token=admin)) \
        == everything
    assert len(resources(cf.request("GET", "/v3/organizations?names=nothing", token=admin))) == orgs
    sim.seed(cloudfoundry={"settings": {"ignore_filters": ["states"]}})
    assert sorted(names(cf.request("GET", "/v3/tasks?names=db-migrate&states=FAILED", token=admin))) == \
        ["DB-Migrate", "db-migrate", "db-migrate"]
    assert cf.request("GET", "/v3/tasks?colour=red", token=admin).status_code == 400, "unknown parameters still 400"


@pytest.mark.parametrize("path,expected", [
    ("/v3/organizations?names=ACME", ["Acme"]),
    ("/v3/organizations?names=acme,beta&order_by=-name", ["Beta", "Acme"]),
    ("/v3/organizations?guids=%s" % ORG_B, ["Beta"]),
    ("/v3/spaces?names=PROD", ["prod", "prod"]),
    ("/v3/spaces?names=prod&organization_guids=%s" % ORG_B, ["prod"]),
    ("/v3/apps?names=WEB", ["web", "web"]),
    ("/v3/apps?names=web&space_guids=%s" % SPACE_A, ["web"]),
    ("/v3/apps?names=worker&organization_guids=%s" % ORG_A, ["Worker"]),
    ("/v3/apps?space_guids=%s&order_by=name" % SPACE_A, ["web", "Worker"]),
    ("/v3/apps?names=nothing", []),
])
def test_orgs_spaces_and_apps_are_listed_with_the_real_filters(cf, admin, foundation, path, expected):
    assert [r["name"] for r in resources(cf.request("GET", path, token=admin))] == expected


def test_named_resources_have_the_documented_shape(cf, admin, foundation):
    org = resources(cf.request("GET", "/v3/organizations?names=acme", token=admin))[0]
    assert (org["guid"], org["suspended"]) == (ORG_A, False) and org["links"]["self"]["href"].endswith(ORG_A)
    space = resources(cf.request("GET", "/v3/spaces?organization_guids=" + ORG_A, token=admin))[0]
    assert space["relationships"]["organization"]["data"]["guid"] == ORG_A
    app = resources(cf.request("GET", "/v3/apps?names=worker", token=admin))[0]
    assert app["relationships"]["space"]["data"]["guid"] == SPACE_A and app["state"] == "STARTED"
    assert app["links"]["tasks"]["href"] == "%s/v3/apps/%s/tasks" % (cf.base, app["guid"])
    assert TIMESTAMP.match(app["created_at"])
    for kind, guid in (("organizations", ORG_A), ("spaces", SPACE_A), ("apps", app["guid"])):
        assert cf.request("GET", "/v3/%s/%s" % (kind, guid), token=admin).json()["guid"] == guid
    assert_cf_error(cf.request("GET", "/v3/apps/" + GUID_UNKNOWN, token=admin), 404, 10010, "CF-ResourceNotFound")


GUID_UNKNOWN = "0a0a0a0a-0000-4000-8000-000000000000"


def test_include_adds_the_related_spaces_and_orgs(cf, admin, foundation):
    body = cf.request("GET", "/v3/apps?names=web&include=space.organization", token=admin).json()
    assert sorted(s["guid"] for s in body["included"]["spaces"]) == [SPACE_A, SPACE_B]
    assert sorted(o["name"] for o in body["included"]["organizations"]) == ["Acme", "Beta"]
    only_spaces = cf.request("GET", "/v3/apps?names=web&include=space", token=admin).json()["included"]
    assert set(only_spaces) == {"spaces"}
    spaces = cf.request("GET", "/v3/spaces?names=prod&include=organization", token=admin).json()
    assert sorted(o["name"] for o in spaces["included"]["organizations"]) == ["Acme", "Beta"]
    assert "included" not in cf.request("GET", "/v3/apps?names=web", token=admin).json()
    detail = assert_cf_error(cf.request("GET", "/v3/apps?include=droplet", token=admin), 400, 10005, "CF-BadQueryParameter")
    assert "Invalid included resource: 'droplet'" in detail
    both = cf.request("GET", "/v3/apps?names=web&include=space,space.organization", token=admin).json()["included"]
    assert sorted(both) == ["organizations", "spaces"] and len(both["spaces"]) == 2
    # What Cloud Controller does not accept, the simulator refuses as it does.
    for path in ("/v3/apps?include=org", "/v3/spaces?include=org"):
        assert "Invalid included resource: 'org'" in assert_cf_error(cf.request("GET", path, token=admin), 400, 10005,
                                                                     "CF-BadQueryParameter")


@pytest.mark.parametrize("path,words", [
    ("/v3/organizations?space_guids=x", "Unknown query parameter(s): 'space_guids'"),
    ("/v3/spaces?app_guids=x", "Unknown query parameter(s): 'app_guids'"),
    ("/v3/apps?states=RUNNING", "Unknown query parameter(s): 'states'"),
    ("/v3/tasks?sequence_ids=1", "Unknown query parameter(s): 'sequence_ids'"),
    ("/v3/tasks?order_by=name", "Order by can only be: 'created_at', 'updated_at'"),
    ("/v3/tasks?created_ats[between]=2026-01-01T00:00:00Z", "Invalid created_ats operator"),
])
def test_what_each_list_does_not_know_answers_400(cf, admin, foundation, path, words):
    detail = assert_cf_error(cf.request("GET", path, token=admin), 400, 10005, "CF-BadQueryParameter")
    assert words in detail


def test_created_ats_and_updated_ats_filter_by_time(cf, sim, admin):
    seed_app(sim, [{"name": "old", "created_at": "2026-01-01T00:00:00Z"},
                   {"name": "new", "created_at": "2026-06-01T00:00:00Z"}])
    assert names(cf.request("GET", "/v3/tasks?created_ats[lt]=2026-03-01T00:00:00Z", token=admin)) == ["old"]
    assert names(cf.request("GET", "/v3/tasks?created_ats[gte]=2026-06-01T00:00:00Z", token=admin)) == ["new"]
    assert names(cf.request("GET", "/v3/tasks?created_ats=2026-06-01T00:00:00Z,2020-01-01T00:00:00Z",
                            token=admin)) == ["new"]
    assert len(names(cf.request("GET", "/v3/tasks?updated_ats[gt]=2000-01-01T00:00:00Z", token=admin))) == 2


def test_a_developer_sees_the_orgs_spaces_and_apps_of_its_spaces(cf, sim, foundation):
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer", "spaces": [SPACE_B]}]})
    dev = cf.token("dev", "dev-pw")
    assert [o["name"] for o in resources(cf.request("GET", "/v3/organizations", token=dev))] == ["Beta"]
    assert [s["guid"] for s in resources(cf.request("GET", "/v3/spaces?names=prod", token=dev))] == [SPACE_B]
    assert [a["relationships"]["space"]["data"]["guid"] for a in
            resources(cf.request("GET", "/v3/apps?names=web", token=dev))] == [SPACE_B]


def test_named_lists_are_paginated_like_tasks(cf, admin, foundation):
    first = cf.request("GET", "/v3/apps?per_page=2", token=admin).json()
    assert first["pagination"]["total_results"] == 3 and len(first["resources"]) == 2
    second = cf.request("GET", first["pagination"]["next"]["href"], token=admin).json()
    assert len(second["resources"]) == 1 and second["pagination"]["next"] is None


def test_seeded_orgs_and_spaces(sim, cf, admin):
    created = sim.seed(cloudfoundry={"orgs": [{"guid": ORG_B, "name": "beta"}],
                                     "spaces": [{"guid": SPACE_B, "name": "qa", "organization_guid": ORG_B}]})
    assert created["cloudfoundry"]["spaces"][0]["organization_guid"] == ORG_B
    assert [s["name"] for s in resources(cf.request("GET", "/v3/spaces?organization_guids=" + ORG_B, token=admin))] == ["qa"]
    with pytest.raises(requests.HTTPError):
        sim.seed(cloudfoundry={"spaces": [{"name": "x", "organization_guid": "missing"}]})


# ------------------------------------------------------------------------------------ the rate limiter
# DOCUMENTED: cloud_controller_ng middleware/base_rate_limiter.rb and config/cloud_controller.yml.

def developer_token(cf, sim, **settings):
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer"}],
                           "settings": settings})
    return cf.token("dev", "dev-pw")


def test_the_rate_limit_window_is_an_hour_and_resets_in_epoch_seconds(cf, sim):
    token = developer_token(cf, sim, rate_limit_general=2)
    first = cf.request("GET", "/v3/tasks", token=token)
    assert first.status_code == 200
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("2", "1")
    reset = int(first.headers["X-RateLimit-Reset"])
    assert abs(reset - (sim.advance(0)["now"] + 3600)) <= 2, "epoch seconds, an hour ahead"
    assert cf.request("GET", "/v3/tasks", token=token).status_code == 200
    refused = cf.request("GET", "/v3/tasks", token=token)
    assert_cf_error(refused, 429, 10013, "CF-RateLimitExceeded", content_type="text/plain")
    assert 3590 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["X-RateLimit-Remaining"] == "0" and int(refused.headers["X-RateLimit-Reset"]) == reset
    sim.advance(3601)
    assert cf.request("GET", "/v3/tasks", token=cf.token("dev", "dev-pw")).status_code == 200, "a new window"


def test_what_the_rate_limiter_does_not_count(cf, sim, admin):
    token = developer_token(cf, sim, rate_limit_general=1)
    assert cf.request("GET", "/v3/tasks", token=token).status_code == 200
    assert cf.request("GET", "/", token=token).status_code == 200, "the root document is not counted"
    assert cf.token("dev", "dev-pw"), "nor UAA"
    assert cf.request("GET", "/v3/tasks", token=token).status_code == 429
    for dummy in range(3):
        reply = cf.request("GET", "/v3/tasks", token=admin)
        assert reply.status_code == 200 and "X-RateLimit-Limit" not in reply.headers, "admins are exempt by default"
    sim.seed(cloudfoundry={"settings": {"rate_limit_admin": 1}})
    assert cf.request("GET", "/v3/tasks", token=admin).status_code == 200
    assert cf.request("GET", "/v3/tasks", token=admin).status_code == 429


def test_older_releases_sent_retry_after_as_epoch_seconds(cf, sim):
    token = developer_token(cf, sim, rate_limit_general=0, rate_limit_retry_after="epoch")
    refused = cf.request("GET", "/v3/tasks", token=token)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"]
    assert int(refused.headers["Retry-After"]) > 10 ** 9


def test_the_rate_limiter_is_off_by_default(cf, sim):
    token = developer_token(cf, sim)
    assert all(cf.request("GET", "/v3/tasks", token=token).status_code == 200 for dummy in range(5))


def test_each_handled_cancel_is_recorded_with_the_state_it_found(cf, sim, admin):
    guid = seed_app(sim, [{"name": "long"}])["tasks"][0]["guid"]
    for dummy in range(2):
        assert cf.request("POST", "/v3/tasks/%s/actions/cancel" % guid, token=admin).status_code == 202
    assert [e["state"] for e in sim.state("cloudfoundry")["events"] if e["event"] == "cancel_received"] == [
        "RUNNING", "CANCELING"]
