"""The Cloud Foundry client, UAA authentication, models and the cancel's outcome rules, over real HTTP
to the simulator (no mock of our own code)."""

import base64
import re
import time

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import auth as cf_auth
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import client as cf_client
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import models as cf_models
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.auth import password_grant
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.client import CloudFoundryClient
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import GivenToken
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import Outcome

UNKNOWN = "0a0a0a0a-0000-4000-8000-000000000000"


def password_auth(username="admin", password="admin-secret", secrets=None):
    params = {"username": username, "password": password}
    return cf_auth.bearer(cf_auth.Password().token(params, secrets.append if secrets is not None else None))


def client_auth(client_id, client_secret):
    params = {"client_id": client_id, "client_secret": client_secret}
    return cf_auth.bearer(cf_auth.ClientCredentials().token(params, None))


def token_auth(token):
    return cf_auth.bearer(GivenToken().token({"access_token": token}, None))


def connect(sim, auth=None, retries=2, headers=None, url=None, **kwargs):
    http = HttpClient("Cloud Foundry API", url or sim.url + "/cf", timeout=5, retries=retries,
                      auth=auth or password_auth(), headers=headers, **kwargs)
    return CloudFoundryClient(http)


def seed_tasks(sim, *tasks, **app):
    app.setdefault("name", "web")
    return sim.seed(cloudfoundry={"apps": [dict(app, tasks=list(tasks))]})["cloudfoundry"]["apps"][0]


def calls(sim):
    return [(r["method"], r["path"][len("/cf"):]) for r in sim.requests("cloudfoundry")]


def log_of(sim, since_path="/v3/"):
    """(method, path, status, handled_status) of each API request, in the order they arrived."""
    entries = sorted(sim.requests("cloudfoundry"), key=lambda r: r["arrival"])
    return [(r["method"], r["path"][len("/cf"):], r["status"], r["handled_status"]) for r in entries
            if r["path"].startswith("/cf" + since_path)]


def sim_token(sim):
    """A real token from the simulator, got by a client of its own; the request log is cleared after."""
    auth = password_auth()
    connect(sim, auth=auth).tasks()
    sim.clear_requests()
    return auth.token.token


def state_of(sim, guid):
    return next(t for t in sim.state("cloudfoundry")["tasks"] if t["guid"] == guid)


def cancels_received(sim, guid):
    return [e["state"] for e in sim.state("cloudfoundry")["events"] if e["event"] == "cancel_received" and e["guid"] == guid]


# -- UAA ---------------------------------------------------------------------------------------

def test_password_grant_discovers_login_and_logs_in_once(sim):
    app = seed_tasks(sim, {"name": "a"}, {"name": "b"})
    secrets = []
    auth = password_auth(secrets=secrets)
    cf = connect(sim, auth=auth)
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
    assert auth.token.fetched == 1


def test_password_grant_sends_the_cf_client_with_an_empty_secret():
    form, headers = password_grant("admin", "pw")
    assert base64.b64decode(headers["Authorization"].split()[1]) == b"cf:"
    assert form == {"grant_type": "password", "username": "admin", "password": "pw"}


def test_falls_back_to_links_uaa(sim):
    sim.seed(cloudfoundry={"settings": {"login_link": False}})
    cf = connect(sim)
    assert cf.tasks() == []
    assert calls(sim)[:2] == [("GET", "/"), ("POST", "/uaa/oauth/token")]


def test_client_credentials_grant_sends_the_client_in_the_form(sim):
    auth = client_auth("jobctl-client", "jobctl-client-secret")
    assert connect(sim, auth=auth).tasks() == []
    token_request = sim.requests("cloudfoundry")[1]
    assert token_request["body"] == {"grant_type": "client_credentials", "client_id": "jobctl-client",
                                     "client_secret": "<redacted>"}
    assert "Authorization" not in token_request["headers"]
    assert sim.state("cloudfoundry")["events"][0]["principal"] == "jobctl-client"


def test_given_access_token_skips_discovery_and_login(sim):
    cf = connect(sim, auth=token_auth(sim_token(sim)))
    assert cf.tasks() == []
    assert calls(sim) == [("GET", "/v3/tasks")]


def test_invalid_token_mid_run_is_renewed_once_and_the_request_repeated(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.seed(cloudfoundry={"settings": {"token_uses": 1}})
    auth = password_auth()
    cf = connect(sim, auth=auth)
    assert cf.task(guid).state == "RUNNING"
    outcome = cf.cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.obj.state == "CANCELING" and outcome.warning is None
    assert calls(sim) == [("GET", "/"), ("POST", "/login/oauth/token"), ("GET", "/v3/tasks/%s" % guid),
                          ("POST", "/v3/tasks/%s/actions/cancel" % guid), ("POST", "/login/oauth/token"),
                          ("POST", "/v3/tasks/%s/actions/cancel" % guid)]
    assert [r["status"] for r in sim.requests("cloudfoundry")][-3:] == [401, 200, 202]
    assert cancels_received(sim, guid) == ["RUNNING"], "the refused cancel was not processed"
    assert auth.token.fetched == 2 and calls(sim).count(("GET", "/")) == 1, "the root document is read once"


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
    auth = token_auth(sim_token(sim))
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
        connect(sim, auth=password_auth(password="not-the-password")).tasks()
    assert err.value.msg.startswith("Cloud Foundry API POST /cf/login/oauth/token failed: HTTP 401 unauthorized: "
                                    "Bad credentials [request ID ")
    assert "not-the-password" not in str(err.value.problem)


def test_root_document_without_token_links_fails_readably(sim):
    sim.fault(api="cloudfoundry", path="/cf/$", kind="wrong_shape", times=1)
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert "unexpected shape: links: Field required" in err.value.msg
    assert not err.value.lost


def test_root_document_not_json_fails_readably(sim):
    sim.fault(api="cloudfoundry", path="/cf/$", kind="html", status=200, times=1)
    with pytest.raises(ApiError) as err:
        connect(sim).tasks()
    assert "is not valid JSON" in err.value.msg


def test_token_request_is_retried_after_a_503(sim):
    sim.fault(api="cloudfoundry", path="/oauth/token", kind="status", status=503, times=1)
    assert connect(sim).tasks() == []
    assert [r["status"] for r in sim.requests("cloudfoundry")][:3] == [200, 503, 200]


# A root document is an answer from the network: its token link is checked before a credential goes there.
HOSTILE_LINKS = [
    ("http://admin:S3cretPW@{host}/cf/login", "must not carry user info", "S3cretPW"),
    ("http://{host}/cf/login?sig=abc123", "must not carry a query", "abc123"),
    ("http://{host}/cf/login#f7x9q", "must not carry a fragment", "f7x9q"),
    ("ftp://{host}/cf/login", "must be an absolute http:// or https:// URL", "ftp:"),
    ("/cf/login", "must be an absolute http:// or https:// URL", "/cf/login"),
]


@pytest.mark.parametrize("href,words,hidden", HOSTILE_LINKS)
def test_a_hostile_token_link_fails_before_any_credential_is_sent(sim, href, words, hidden):
    host = sim.url.split("://", 1)[1]
    sim.seed(cloudfoundry={"settings": {"login_href": href.format(host=host)}})
    with pytest.raises(ApiError) as err:
        connect(sim, auth=password_auth(password="pw-never-sent")).tasks()
    assert "the token URL the root document gives in links.login " + words in err.value.msg
    assert "No credential was sent" in err.value.msg
    assert hidden not in err.value.msg, "the URL is never quoted"
    assert calls(sim) == [("GET", "/")], "no token request, no API request"
    assert not err.value.lost


def test_a_bad_login_link_is_not_replaced_by_the_uaa_link(sim):
    sim.seed(cloudfoundry={"settings": {"login_href": "http://u:p@127.0.0.1:1/login"}})
    with pytest.raises(ApiError):
        connect(sim).tasks()
    assert ("POST", "/uaa/oauth/token") not in calls(sim)


@pytest.fixture(scope="module")
def tls_sim():
    from simulator.core import Simulator
    sim = Simulator(tls=True).start()
    yield sim
    sim.stop()


def test_an_http_token_link_is_refused_when_api_url_is_https(tls_sim):
    import requests

    def control(method, path, **kwargs):
        # verify per request: a session-wide verify loses to REQUESTS_CA_BUNDLE in the environment.
        reply = requests.request(method, tls_sim.url + "/_sim" + path, timeout=10, verify=tls_sim.ca_file, **kwargs)
        reply.raise_for_status()
        return reply.json()

    control("POST", "/reset", json={"seed": "empty"})
    host = tls_sim.url.split("://", 1)[1]
    control("POST", "/seed", json={"cloudfoundry": {"settings": {"login_href": "http://%s/cf/login" % host}}})
    cf = connect(None, url=tls_sim.url + "/cf", ca_path=tls_sim.ca_file)
    with pytest.raises(ApiError) as err:
        cf.tasks()
    assert "links.login is http:// while api_url is https://" in err.value.msg
    sent = control("GET", "/requests", params={"api": "cloudfoundry"})["requests"]
    assert [(r["method"], r["path"]) for r in sent] == [("GET", "/cf/")]
    # The same simulator's own https link is used as it is.
    control("POST", "/seed", json={"cloudfoundry": {"settings": {"login_href": None}}})
    assert connect(None, url=tls_sim.url + "/cf", ca_path=tls_sim.ca_file).tasks() == []


# -- lists -------------------------------------------------------------------------------------

def test_every_page_is_read(sim, monkeypatch):
    seed_tasks(sim, *[{"name": "t%d" % n} for n in range(5)])
    monkeypatch.setattr(cf_client, "PER_PAGE", 2)
    tasks = connect(sim).tasks(names=["t0", "t1", "t2", "t3", "t4"], states=["RUNNING"])
    assert [t.name for t in tasks] == ["t0", "t1", "t2", "t3", "t4"]
    pages = [r["query"] for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"]
    assert [q["page"] for q in pages[1:]] == [["2"], ["3"]]
    assert pages[0] == {"names": ["t0,t1,t2,t3,t4"], "states": ["RUNNING"], "per_page": ["2"]}
    assert all(q["names"] == ["t0,t1,t2,t3,t4"] for q in pages), "every page keeps the filters"


def test_default_page_size_is_the_apis_maximum(sim):
    connect(sim).tasks()
    assert sim.requests("cloudfoundry")[-1]["query"]["per_page"] == ["5000"]


def test_names_are_matched_as_the_api_matches_them(sim):
    seed_tasks(sim, {"name": "DB-Migrate"}, {"name": "db-migrate"}, {"name": "other"})
    assert [t.name for t in connect(sim).tasks(names=["db-MIGRATE"])] == ["DB-Migrate", "db-migrate"]


def test_order_by_is_passed_to_the_api(sim):
    seed_tasks(sim, {"name": "old", "age_seconds": 300}, {"name": "new", "age_seconds": 10})
    cf = connect(sim)
    assert [t.name for t in cf.tasks(order_by="-created_at")] == ["new", "old"]
    assert [t.name for t in cf.tasks(order_by="created_at")] == ["old", "new"]


def test_next_page_on_another_host_is_refused(sim, monkeypatch):
    seed_tasks(sim, {"name": "a"}, {"name": "b"})
    monkeypatch.setattr(cf_client, "PER_PAGE", 1)
    # The simulator builds its links from the Host header, as Cloud Controller builds them from its
    # configured external domain: this makes it hand out links to a host the client was not given.
    cf = connect(sim, auth=token_auth(sim_token(sim)), headers={"Host": "api.elsewhere.example"})
    with pytest.raises(ApiError) as err:
        cf.tasks()
    assert "the next page is on another host (api.elsewhere.example)" in err.value.msg
    assert len([r for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"]) == 1


def test_next_page_link_with_user_info_is_refused_without_quoting_it(sim, monkeypatch):
    seed_tasks(sim, {"name": "a"}, {"name": "b"})
    monkeypatch.setattr(cf_client, "PER_PAGE", 1)
    host = sim.url.split("://", 1)[1]
    cf = connect(sim, auth=token_auth(sim_token(sim)), headers={"Host": "thief:pw@" + host})
    with pytest.raises(ApiError) as err:
        cf.tasks()
    assert "the next page's link is not a plain http(s) URL" in err.value.msg
    assert "thief" not in err.value.msg and "pw@" not in err.value.msg
    assert len([r for r in sim.requests("cloudfoundry") if r["path"] == "/cf/v3/tasks"]) == 1


def test_app_tasks_with_sequence_ids(sim):
    app = seed_tasks(sim, {"name": "a"}, {"name": "b"}, {"name": "c"})
    tasks = connect(sim).tasks(app["guid"], sequence_ids=[2])
    assert [t.name for t in tasks] == ["b"]
    assert calls(sim)[-1] == ("GET", "/v3/apps/%s/tasks" % app["guid"])


def test_unknown_app_is_resource_not_found(sim):
    with pytest.raises(ApiError) as err:
        connect(sim).tasks(UNKNOWN)
    assert err.value.status == 404 and err.value.problem["code"] == "10010"


def test_find_task_is_none_for_an_unknown_guid(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    cf = connect(sim)
    assert cf.find_task(UNKNOWN) is None
    assert cf.find_task(guid).guid == guid


def test_path_segments_are_encoded(sim):
    with pytest.raises(ApiError):
        connect(sim).task("a/../b")
    assert calls(sim)[-1] == ("GET", "/v3/tasks/a%2F..%2Fb")


def test_orgs_spaces_and_apps_by_name_with_what_they_include(sim):
    org = "0000000a-0000-4000-8000-00000000000a"
    sim.seed(cloudfoundry={"apps": [
        {"name": "web", "space_guid": "aaaaaaaa-0000-4000-8000-000000000001", "space_name": "prod",
         "organization_guid": org, "organization_name": "Acme"},
        {"name": "web", "space_guid": "bbbbbbbb-0000-4000-8000-000000000002", "space_name": "staging",
         "organization_guid": org}]})
    cf = connect(sim)
    orgs, dummy = cf.organizations(names=["acme"])
    assert [(o.guid, o.name) for o in orgs] == [(org, "Acme")], "matched case-insensitively"
    spaces, included = cf.spaces(names=["prod"], include="organization")
    assert [s.parent("organization") for s in spaces] == [org]
    assert [o.name for o in included.organizations] == ["Acme"]
    apps, included = cf.apps(names=["WEB"], organization_guids=[org], include="space.organization")
    assert [a.parent("space") for a in apps] == ["aaaaaaaa-0000-4000-8000-000000000001",
                                                 "bbbbbbbb-0000-4000-8000-000000000002"]
    assert sorted(s.name for s in included.spaces) == ["prod", "staging"]
    assert [r["query"] for r in sim.requests("cloudfoundry")][-3:] == [
        {"names": ["acme"], "per_page": ["5000"]},
        {"names": ["prod"], "include": ["organization"], "per_page": ["5000"]},
        {"names": ["WEB"], "organization_guids": [org], "include": ["space.organization"], "per_page": ["5000"]}]


# -- the cancel: what each answer means ---------------------------------------------------------

def test_a_running_task_is_cancelled_by_one_post(sim):
    guid = seed_tasks(sim, {"name": "running"})["tasks"][0]["guid"]
    outcome = connect(sim).cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.changed and outcome.warning is None
    assert outcome.obj.state == "CANCELING"
    assert outcome.obj.raw()["links"]["self"]["href"].endswith(guid), "the API's own object, every field kept"
    assert log_of(sim) == [("POST", "/v3/tasks/%s/actions/cancel" % guid, 202, 202)]


@pytest.mark.parametrize("seeded,kind,reason", [
    ({"state": "SUCCEEDED"}, Outcome.ENDED, "already SUCCEEDED"),
    ({"state": "FAILED"}, Outcome.ENDED, "already FAILED"),
    ({"state": "FAILED", "failure_reason": "task was cancelled"}, Outcome.ALREADY, "already canceled"),
])
def test_a_task_finished_before_the_cancel_is_read_once_and_unchanged(sim, seeded, kind, reason):
    guid = seed_tasks(sim, dict(seeded, name="done"))["tasks"][0]["guid"]
    outcome = connect(sim).cancel(guid)
    assert (outcome.kind, outcome.changed, outcome.reason) == (kind, False, reason)
    assert outcome.obj.state == seeded["state"] and outcome.obj.guid == guid
    assert log_of(sim) == [("POST", "/v3/tasks/%s/actions/cancel" % guid, 422, 422),
                           ("GET", "/v3/tasks/%s" % guid, 200, 200)]


def test_a_cancel_of_a_canceling_task_is_accepted_and_the_answer_cannot_say_so(sim):
    # Documented: Cloud Controller accepts it with the same 202. The client reports what the API says;
    # the module never sends it, because it reads the task first and leaves CANCELING ones alone.
    guid = seed_tasks(sim, {"name": "stopping", "state": "CANCELING"})["tasks"][0]["guid"]
    outcome = connect(sim).cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.obj.state == "CANCELING"
    assert cancels_received(sim, guid) == ["CANCELING"]


def test_a_429_is_retried_without_a_settling_read(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="rate_limit", retry_after=1, times=2)
    outcome = connect(sim, retries=3).cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None
    cancel = "/v3/tasks/%s/actions/cancel" % guid
    assert log_of(sim) == [("POST", cancel, 429, None), ("POST", cancel, 429, None), ("POST", cancel, 202, 202)]


def test_a_task_that_finished_during_a_429_wait_is_not_counted_as_cancelled(sim):
    # Issue 11: a cancel retried after a 429 was reported as this run's cancel when it met a 422.
    guid = seed_tasks(sim, {"name": "a", "duration": 1})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="rate_limit", retry_after=2, times=1)
    outcome = connect(sim).cancel(guid)
    assert (outcome.kind, outcome.changed, outcome.obj.state) == (Outcome.ENDED, False, "SUCCEEDED")
    assert [(m, s) for m, p, s, h in log_of(sim)] == [("POST", 429), ("POST", 422), ("GET", 200)]


@pytest.mark.parametrize("fault", [
    {"kind": "status", "status": 502, "when": "after"},
    {"kind": "status", "status": 503, "when": "after"},
    {"kind": "drop", "when": "after"},
    {"kind": "drop_mid_body", "when": "after"},
    {"kind": "malformed", "when": "after"},
    {"kind": "empty", "when": "after"},
    {"kind": "wrong_shape", "when": "after"},
    {"kind": "slow", "delay": 2, "when": "after"},
])
def test_a_cancel_whose_answer_was_lost_after_acting_is_ours_with_a_warning(sim, fault):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", times=1, **fault)
    cf = connect(sim)
    cf.task(guid)
    if fault["kind"] == "slow":
        cf.http.timeout = 1
    outcome = cf.cancel(guid)
    if fault["kind"] == "slow":
        # The late answer is logged when it is finally written, after the client gave up on it.
        for dummy in range(50):
            if len(sim.requests("cloudfoundry")) == 5:
                break
            time.sleep(0.1)
    assert outcome.kind == Outcome.ACTED and outcome.changed
    assert outcome.obj.state == "CANCELING" and outcome.lost is not None
    assert outcome.warning.startswith("the answer to a request was lost")
    cancel = "/v3/tasks/%s/actions/cancel" % guid
    log = log_of(sim)
    # Handled once, then settled by one read: never sent blind a second time.
    assert [(m, p, h) for m, p, s, h in log[1:]] == [("POST", cancel, 202), ("GET", "/v3/tasks/%s" % guid, 200)]
    assert cancels_received(sim, guid) == ["RUNNING"]


def test_a_lost_answer_settled_after_the_task_became_failed_is_still_ours(sim):
    sim.seed(cloudfoundry={"settings": {"cancel_delay": 0}})
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=502, when="after")
    outcome = connect(sim).cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.warning
    assert outcome.obj.state == "FAILED" and outcome.obj.result.failure_reason == "task was cancelled"
    assert [(m, s, h) for m, p, s, h in log_of(sim)] == [("POST", 502, 202), ("GET", 200, 200)]


def test_a_503_before_handling_is_settled_by_a_read_and_sent_again(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=503, times=1)
    outcome = connect(sim).cancel(guid)
    assert outcome.kind == Outcome.ACTED and outcome.warning is None, "the second cancel made the change itself"
    cancel = "/v3/tasks/%s/actions/cancel" % guid
    assert log_of(sim) == [("POST", cancel, 503, None), ("GET", "/v3/tasks/%s" % guid, 200, 200),
                           ("POST", cancel, 202, 202)]
    assert cancels_received(sim, guid) == ["RUNNING"]


def test_a_lost_answer_on_a_task_that_ended_meanwhile_is_ended(sim):
    guid = seed_tasks(sim, {"name": "a", "duration": 100})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=503, times=1)
    # The clock jumps before the settling read: the task succeeded on its own meanwhile.
    sim.fault(api="cloudfoundry", method="GET", path="/v3/tasks/%s$" % guid, kind="advance", delay=200, times=1)
    outcome = connect(sim).cancel(guid)
    assert (outcome.kind, outcome.changed, outcome.obj.state) == (Outcome.ENDED, False, "SUCCEEDED")
    assert [m for m, p, s, h in log_of(sim)] == ["POST", "GET"], "nothing left to cancel: not sent again"


def test_lost_answers_are_resent_only_within_retries(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    sim.fault(api="cloudfoundry", method="POST", path="/actions/cancel", kind="status", status=503, times=-1)
    with pytest.raises(ApiError) as err:
        connect(sim, retries=2).cancel(guid)
    assert "HTTP 503" in err.value.msg and err.value.lost
    assert [m for m, p, s, h in log_of(sim)] == ["POST", "GET"] * 3
    assert state_of(sim, guid)["state"] == "RUNNING"


@pytest.mark.parametrize("guid,words", [("..", "'..' is not a valid ID"), ("a/b", "'a/b' is not a valid ID")])
def test_a_guid_that_would_leave_its_path_segment_is_never_sent(sim, guid, words):
    outcome = connect(sim).cancel(guid)
    assert outcome.refused and words in outcome.reason and outcome.obj is None
    assert sim.requests("cloudfoundry") == []


def test_unknown_task_and_read_only_user_fail_with_the_apis_words(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    with pytest.raises(ApiError) as err:
        connect(sim).cancel(UNKNOWN)
    assert err.value.problem["title"] == "CF-ResourceNotFound" and not err.value.lost
    with pytest.raises(ApiError) as err:
        connect(sim, auth=password_auth("auditor", "auditor-secret")).cancel(guid)
    assert err.value.problem["code"] == "10003"
    assert state_of(sim, guid)["state"] == "RUNNING"


# -- rate limits --------------------------------------------------------------------------------

def developer(sim, limit):
    sim.seed(cloudfoundry={"users": [{"username": "dev", "password": "dev-pw", "role": "developer"}],
                           "settings": {"rate_limit_general": limit}})
    return password_auth("dev", "dev-pw")


def test_the_hour_long_rate_limit_fails_at_once_saying_when_it_resets(sim):
    guid = seed_tasks(sim, {"name": "a"})["tasks"][0]["guid"]
    cf = connect(sim, auth=developer(sim, 1))
    assert cf.task(guid).state == "RUNNING", "the window's one request"
    start = time.monotonic()
    with pytest.raises(ApiError) as err:
        cf.cancel(guid)
    assert time.monotonic() - start < 5, "no sleep"
    assert err.value.status == 429 and err.value.problem["title"] == "CF-RateLimitExceeded" and not err.value.lost
    seconds = int(re.search(r"\(in (\d+) seconds\)", err.value.msg).group(1))
    assert 3590 <= seconds <= 3600
    assert "rate limited: the API allows no more requests until " in err.value.msg
    assert re.search(r"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", err.value.msg)
    refused = sim.requests("cloudfoundry")[-1]
    assert refused["status"] == 429 and refused["handled_status"] == 429
    assert int(refused["response_headers"]["Retry-After"]) == seconds
    assert state_of(sim, guid)["state"] == "RUNNING" and cancels_received(sim, guid) == []


def test_older_releases_epoch_retry_after_also_fails_at_once(sim):
    sim.seed(cloudfoundry={"settings": {"rate_limit_retry_after": "epoch"}})
    cf = connect(sim, auth=developer(sim, 1))
    cf.tasks()
    start = time.monotonic()
    with pytest.raises(ApiError) as err:
        cf.tasks()
    assert time.monotonic() - start < 5
    assert err.value.status == 429 and "rate limited" in err.value.msg


def test_rate_limit_body_sent_as_text_plain_is_read(sim):
    sim.fault(api="cloudfoundry", path="/v3/", kind="rate_limit", retry_after=1, times=-1)
    with pytest.raises(ApiError) as err:
        connect(sim, retries=0).tasks()
    assert err.value.status == 429
    assert err.value.problem["title"] == "CF-RateLimitExceeded" and err.value.problem["code"] == "10013"
    assert err.value.problem["request_id"]


# -- models ---------------------------------------------------------------------------------------

def test_task_model_keeps_unknown_fields():
    task = cf_models.Task.model_validate({"guid": "g", "state": "RUNNING", "new_field": {"x": 1}})
    assert task.raw() == {"guid": "g", "state": "RUNNING", "new_field": {"x": 1}}


@pytest.mark.parametrize("state,reason,cancelled", [
    ("FAILED", "task was cancelled", True), ("FAILED", "Task was cancelled ", True),
    ("FAILED", "APP/TASK/x: Exited with status 1", False), ("FAILED", None, False),
    ("SUCCEEDED", "task was cancelled", False), ("CANCELING", None, False)])
def test_was_cancelled(state, reason, cancelled):
    task = cf_models.Task.model_validate({"guid": "g", "state": state, "result": {"failure_reason": reason}})
    assert cf_models.was_cancelled(task) is cancelled


def test_same_origin_ignores_spelled_out_default_ports_and_case():
    origin = cf_client._origin
    assert origin("https://API.example.com/v3/tasks?page=2") == origin("https://api.example.com:443/cf")
    assert origin("http://127.0.0.1:8080/a") != origin("http://127.0.0.1:8081/a")
    assert origin("http://api.example.com/a") != origin("https://api.example.com/a")


# -- every listed task is checked against what was asked (issue 21) --------------------------------------

def listed_task(**fields):
    task = dict({"guid": "t-1", "state": "RUNNING", "name": "Migrate", "sequence_id": 7,
                 "created_at": "2026-12-01T10:00:00Z", "relationships": {"app": {"data": {"guid": "app-1"}}},
                 "metadata": {"labels": {"team": "billing", "kind": "batch"}}}, **fields)
    return cf_models.Task.model_validate(task)


@pytest.mark.parametrize("filters,app_guid,place,why", [
    ({"names": ["migrate"]}, None, None, None),
    ({"names": "other,MIGRATE"}, None, None, None),
    ({"names": ["migrate-2"]}, None, None, "its name is 'Migrate'"),
    ({"states": ["PENDING"]}, None, None, "its state is RUNNING"),
    ({"sequence_ids": [7]}, None, None, None),
    ({"sequence_ids": [8]}, None, None, "its sequence_id is 7"),
    ({}, "app-1", None, None),
    ({}, "app-2", None, "its app is app-1, not app-2"),
    ({"app_guids": ["app-2"]}, None, None, "its app is app-1"),
    ({"space_guids": ["s-1"]}, None, ("s-1", "o-1"), None),
    ({"space_guids": ["s-2"]}, None, ("s-1", "o-1"), "in space s-1"),
    ({"organization_guids": ["o-1"]}, None, None, "in org (unknown)"),
    ({"label_selector": "team=billing"}, None, None, None),
    ({"label_selector": "team!=billing"}, None, None, "do not satisfy"),
    ({"label_selector": "team in (ops, billing),kind"}, None, None, None),
    ({"label_selector": "team notin (ops,billing)"}, None, None, "do not satisfy"),
    ({"label_selector": "!kind"}, None, None, "do not satisfy"),
    ({"label_selector": "example.com/owner!=x,!colour"}, None, None, None),
    ({"created_ats[lt]": "2026-12-01T11:00:00Z"}, None, None, None),
    ({"created_ats[lt]": "2026-12-01T09:00:00Z"}, None, None, "it was created at 2026-12-01T10:00:00Z"),
    ({"created_ats[gte]": "2026-12-01T10:00:00Z"}, None, None, None),
    ({"order_by": "-created_at", "per_page": 5000}, None, None, None),
    ({"updated_ats[lt]": "2026-12-01T09:00:00Z"}, None, None, "cannot be checked"),
])
def test_a_listed_task_is_checked_against_every_filter_sent(filters, app_guid, place, why):
    found = cf_client.mismatch(listed_task(), filters, app_guid, place)
    assert (found is None) if why is None else (why in found), found


def test_a_task_without_its_app_relationship_is_matched_by_its_app_link():
    task = listed_task(relationships=None, links={"app": {"href": "https://api.example.local/v3/apps/app-9"}})
    assert cf_client.task_app(task) == "app-9"
    assert cf_client.mismatch(task, {}, "app-9") is None
    assert "its app is None" in cf_client.mismatch(listed_task(relationships=None), {}, "app-9")


@pytest.mark.parametrize("selector", ["team=", "k in (a,b", "a b", "k=(v)", "=v"])
def test_a_selector_that_cannot_be_read_is_refused(selector):
    if selector == "team=":
        assert cf_models.label_selector(selector)({"team": ""}) is True, "an empty value is a value"
        return
    with pytest.raises(ValueError):
        cf_models.label_selector(selector)
