"""A client no one here wrote checks the simulator (issues 12 and 18): the public ``cloudfoundry-client``
library (cloudfoundry-community/cf-python-client, pinned in requirements-dev.txt) logs in with the
password grant, lists tasks with filters across pages, cancels one, lists orgs, spaces and apps, works
through one session of several calls, renews its token when it expires, and parses the errors.

What this proves: the simulator speaks Cloud Controller v3 and UAA as a real client expects them
(root document links, the cf client's HTTP Basic password grant, bearer tokens, pagination through
``pagination.next``, ``include``, the 401 CF-InvalidAuthToken that makes it renew with the refresh
token grant, the ``errors[]`` body), so the modules' tests against it are tests against the real shapes.
The library is a test dependency like pytest: without it this file fails, it is not skipped.

How the library renews (cloudfoundry_client/client.py and oauth2_client/credentials_manager.py,
1.40.4): it checks no expiry itself (``expires_in`` is never read; our tokens are opaque anyway). Any
answer 401 whose ``errors[]`` has code 1000 CF-InvalidAuthToken makes it post ``grant_type=refresh_token``
to the token endpoint it logged in at, then repeat the request once with the new token. So moving the
simulator's clock past the token's lifetime is all it takes, and no test here needs the collection's clock.
"""

from http import HTTPStatus

import pytest
from cloudfoundry_client.client import CloudFoundryClient
from cloudfoundry_client.errors import InvalidStatusCode
from oauth2_client.credentials_manager import OAuthError

ORG = "0000000a-0000-4000-8000-00000000000a"
PROD, STAGING = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"


@pytest.fixture
def foundation(sim):
    nightly = [{"name": "nightly", "age_seconds": 600 - n} for n in range(5)]
    apps = sim.seed(cloudfoundry={"apps": [
        {"name": "billing-api", "space_guid": PROD, "space_name": "production", "organization_guid": ORG,
         "organization_name": "acme", "tasks": nightly + [{"name": "nightly", "state": "SUCCEEDED"},
                                                          {"name": "report"}]},
        {"name": "billing-api", "space_guid": STAGING, "space_name": "staging", "organization_guid": ORG,
         "tasks": [{"name": "NIGHTLY"}]},
    ]})["cloudfoundry"]["apps"]
    return apps


@pytest.fixture
def client(sim):
    client = CloudFoundryClient(sim.url + "/cf")
    client.init_with_user_credentials("admin", "admin-secret")
    return client


def requests_to(sim, path):
    return [r for r in sim.requests("cloudfoundry") if r["path"] == path]


def test_the_library_logs_in_through_the_discovered_uaa_link(sim, client):
    assert client.info.authorization_endpoint == sim.url + "/cf/login"
    token_request = requests_to(sim, "/cf/login/oauth/token")
    assert len(token_request) == 1 and token_request[0]["status"] == 200
    assert token_request[0]["body"]["grant_type"] == "password"
    assert token_request[0]["headers"]["Authorization"] == "Basic <redacted>", "the cf client with an empty secret"


def test_the_library_lists_tasks_with_filters_across_pages(sim, client, foundation):
    tasks = list(client.v3.tasks.list(names=["nightly"], states=["RUNNING"], space_guids=[PROD],
                                      order_by="created_at", per_page=2))
    assert [t["guid"] for t in tasks] == [t["guid"] for t in foundation[0]["tasks"][:5]]
    assert {t["state"] for t in tasks} == {"RUNNING"}
    pages = requests_to(sim, "/cf/v3/tasks")
    assert [r["query"].get("page") for r in pages] == [None, ["2"], ["3"]], "three pages, through pagination.next"
    assert all(r["query"]["names"] == ["nightly"] and r["query"]["states"] == ["RUNNING"] for r in pages)
    everywhere = list(client.v3.tasks.list(names=["nightly"], states=["RUNNING"]))
    assert len(everywhere) == 6, "names match case-insensitively: staging's NIGHTLY too"


def test_the_library_cancels_a_task(sim, client, foundation):
    guid = foundation[0]["tasks"][0]["guid"]
    answer = client.v3.tasks.cancel(guid)
    assert answer["guid"] == guid and answer["state"] == "CANCELING"
    again = client.v3.tasks.get(guid)
    assert again["state"] == "CANCELING" and again["result"] == {"failure_reason": None}
    cancel = requests_to(sim, "/cf/v3/tasks/%s/actions/cancel" % guid)
    assert [(r["method"], r["status"]) for r in cancel] == [("POST", 202)]
    assert next(t for t in sim.state("cloudfoundry")["tasks"] if t["guid"] == guid)["state"] == "CANCELING"


def test_the_library_lists_orgs_spaces_and_apps(sim, client, foundation):
    orgs = list(client.v3.organizations.list(names=["ACME"]))
    assert [(o["guid"], o["name"]) for o in orgs] == [(ORG, "acme")]
    spaces = list(client.v3.spaces.list(names=["production"], organization_guids=[ORG]))
    assert [(s["guid"], s["name"]) for s in spaces] == [(PROD, "production")]
    assert spaces[0]["relationships"]["organization"]["data"]["guid"] == ORG
    apps = list(client.v3.apps.list(names=["billing-api"], include="space", per_page=1))
    assert sorted(a["relationships"]["space"]["data"]["guid"] for a in apps) == [PROD, STAGING]
    assert sorted(a.space()["name"] for a in apps) == ["production", "staging"], "the included spaces, joined"
    prod_app = next(a for a in apps if a["relationships"]["space"]["data"]["guid"] == PROD)
    assert len(list(prod_app.tasks())) == 7, "an app's tasks through its own tasks link"
    assert client.v3.apps.get(prod_app["guid"])["name"] == "billing-api"


def test_one_session_lists_gets_cancels_and_lists_again(sim, client, foundation):
    """Several calls on one login: the task moves RUNNING -> CANCELING -> FAILED under the library's eyes."""
    guid = foundation[0]["tasks"][-1]["guid"]  # "report", the one RUNNING task of that name
    running = list(client.v3.tasks.list(names=["report"], states=["RUNNING"]))
    assert [t["guid"] for t in running] == [guid]
    assert client.v3.tasks.get(guid)["state"] == "RUNNING"
    assert client.v3.tasks.cancel(guid)["state"] == "CANCELING"
    assert [(t["guid"], t["state"]) for t in client.v3.tasks.list(names=["report"])] == [(guid, "CANCELING")]
    sim.advance(31)  # past the default cancel_delay (30 s), well within the token's lifetime
    ended = list(client.v3.tasks.list(names=["report"], states=["FAILED"]))
    assert [(t["guid"], t["result"]["failure_reason"]) for t in ended] == [(guid, "task was cancelled")]
    calls = [(r["method"], r["path"], r["status"]) for r in sim.requests("cloudfoundry")]
    assert calls[:2] == [("GET", "/cf/", 200), ("POST", "/cf/login/oauth/token", 200)]
    assert calls[2:] == [("GET", "/cf/v3/tasks", 200), ("GET", "/cf/v3/tasks/" + guid, 200),
                         ("POST", "/cf/v3/tasks/%s/actions/cancel" % guid, 202),
                         ("GET", "/cf/v3/tasks", 200), ("GET", "/cf/v3/tasks", 200)], "one login for the session"


def test_an_expired_token_is_renewed_with_the_refresh_token_grant(sim, client, foundation):
    guid = foundation[0]["tasks"][0]["guid"]
    assert client.v3.tasks.get(guid)["state"] == "RUNNING"
    since = sim.requests("cloudfoundry")[-1]["seq"]
    lifetime = sim.state("cloudfoundry")["settings"]["token_lifetime"]
    sim.advance(lifetime + 1)
    assert client.v3.tasks.get(guid)["guid"] == guid, "the call that met the expired token succeeds"
    log = sim.requests("cloudfoundry", since=since)
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/cf/v3/tasks/" + guid, 401),
        ("POST", "/cf/login/oauth/token", 200),
        ("GET", "/cf/v3/tasks/" + guid, 200)], "the 401, one renewal, the retried call"
    renewal = log[1]
    assert renewal["body"]["grant_type"] == "refresh_token" and renewal["body"]["refresh_token"] == "<redacted>"
    assert renewal["headers"]["Authorization"] == "Basic <redacted>", "the cf client, as for the password grant"
    assert [(t["grant"], t["expired"]) for t in sim.state("cloudfoundry")["tokens"]] == [
        ("password", True), ("refresh_token", False)]
    # The renewed session goes on with the new token: no second renewal.
    client.v3.tasks.cancel(guid)
    assert [(r["path"], r["status"]) for r in sim.requests("cloudfoundry", since=log[-1]["seq"])] == [
        ("/cf/v3/tasks/%s/actions/cancel" % guid, 202)]


def test_a_revoked_refresh_token_ends_the_session_with_uaas_error(sim, client, foundation):
    guid = foundation[0]["tasks"][0]["guid"]
    since = sim.requests("cloudfoundry")[-1]["seq"]
    sim.seed(cloudfoundry={"revoke_tokens": True})
    with pytest.raises(OAuthError) as caught:
        client.v3.tasks.get(guid)
    assert (caught.value.status_code, caught.value.error) == (HTTPStatus.UNAUTHORIZED, "invalid_token")
    assert [(r["path"], r["status"]) for r in sim.requests("cloudfoundry", since=since)] == [
        ("/cf/v3/tasks/" + guid, 401), ("/cf/login/oauth/token", 401)], "one renewal tried, no retry"
    assert client.refresh_token is None, "the library drops the refresh token UAA refused"


def test_the_library_parses_cloud_controller_errors(sim, client, foundation):
    succeeded = next(t for t in foundation[0]["tasks"] if t["state"] == "SUCCEEDED")["guid"]
    with pytest.raises(InvalidStatusCode) as caught:
        client.v3.tasks.cancel(succeeded)
    error = caught.value
    assert error.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert error.body == {"errors": [{"code": 10008, "title": "CF-UnprocessableEntity",
                                      "detail": "Task state is SUCCEEDED and therefore cannot be canceled"}]}
    answer = sim.requests("cloudfoundry")[-1]
    assert error.request_id == answer["response_headers"]["X-Vcap-Request-Id"], "read from the answer's header"
    with pytest.raises(InvalidStatusCode) as caught:
        client.v3.tasks.get("00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == HTTPStatus.NOT_FOUND
    assert [(e["code"], e["title"]) for e in caught.value.body["errors"]] == [(10010, "CF-ResourceNotFound")]
    assert next(t for t in sim.state("cloudfoundry")["tasks"] if t["guid"] == succeeded)["state"] == "SUCCEEDED"
