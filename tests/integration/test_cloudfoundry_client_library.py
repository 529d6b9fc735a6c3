"""A client no one here wrote checks the simulator (issue 12 item 5): the public ``cloudfoundry-client``
library (cloudfoundry-community/cf-python-client, a test-only dependency) logs in with the password
grant, lists tasks with filters across pages, cancels one, and lists orgs, spaces and apps.

What this proves: the simulator speaks Cloud Controller v3 and UAA as a real client expects them
(root document links, the cf client's HTTP Basic password grant, bearer tokens, pagination through
``pagination.next``, ``include``), so the modules' tests against it are tests against the real shapes.
"""

import pytest

cf_library = pytest.importorskip(
    "cloudfoundry_client.client",
    reason="the public cloudfoundry-client library is not installed (pip install -r requirements-dev.txt); "
           "it is the outside check of the Cloud Foundry simulator")

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
    client = cf_library.CloudFoundryClient(sim.url + "/cf")
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
