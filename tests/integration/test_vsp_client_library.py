"""A client no one here wrote checks the simulator (issue 18): the public ``vsp1omapilib`` (PyPI
``ifc1bzncvyvo`` 0.6.6, by a Hitachi engineer, a test-only dependency) logs in with its own defaults,
lists, reads, cancels and creates jobs in one session, outlives its token and reads an error answer,
against the simulator in its default mode (no setting seeded).

What this proves: the simulator's defaults are what a real client meets (docs/api/vsp.md, section
"Confirmed"): Keycloak under ``/ui/auth`` with the admin look-up of a client's secret through
``admin-cli``, ``/csrf`` on both hosts, one X-XSRF-TOKEN for every POST of a session, a page of 1000
jobs, 201 for a created job. And why ``csrf_rotation`` is off by default: with it, this client's
second POST is refused.

vsp1omapilib builds its URLs from ``https://admin.gms.<gms_fqdn>`` (Keycloak and its ``/csrf``) and
``https://admin.<region>.<gms_fqdn>`` (the management API). Here, in this process, each of its httpx
clients gets a transport that sends a new request to the simulator, ``http://127.0.0.1:PORT/vsp<path>``,
with the original's headers (its Host too, so the log tells the two hosts apart); the original
request is left as it was, so httpx's cookie jar keeps matching the real host names.
"""

import httpx
import pytest
from vsp1omapilib import Authentication, Client
from vsp1omapilib.exceptions import Vsp1oMapiException

from simulator.vsp import DEFAULT_CLIENTS

GMS_FQDN = "cluster.example.test"
REGION = "eu-1"
GMS_HOST = "admin.gms." + GMS_FQDN
REGION_HOST = "admin.%s.%s" % (REGION, GMS_FQDN)
TOKEN = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
CLIENTS = "/vsp/ui/auth/admin/realms/vsp-object/clients"
CSRF = "/vsp/mapi/v1/csrf"
SECRETS = {client["client_id"]: client["secret"] for client in DEFAULT_CLIENTS}

# The library's own TLS context (unused here: the transport speaks plain HTTP to the simulator).
pytestmark = pytest.mark.filterwarnings("ignore:ssl.PROTOCOL_TLS is deprecated:DeprecationWarning")


class ToSimulator(httpx.HTTPTransport):
    """Sends each request to the simulator at ``base`` instead of the host it names."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def handle_request(self, request):
        forwarded = httpx.Request(request.method, self.base + request.url.raw_path.decode("ascii"),
                                  headers=request.headers, content=request.read())
        return super().handle_request(forwarded)


@pytest.fixture
def login(sim, monkeypatch):
    """login() -> a vsp1omapilib Client logged in with the library's defaults, its hosts the simulator."""
    base = sim.url + "/vsp"

    class Routed(httpx.Client):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, transport=ToSimulator(base), **kwargs)

    monkeypatch.setattr("vsp1omapilib.client.helpers.authentication.httpx.Client", Routed)
    clients = []

    def call():
        clients.append(Client(Authentication(gms_fqdn=GMS_FQDN, region=REGION, username="vsp-admin",
                                             password="vsp-secret")))
        return clients[-1]

    yield call
    for client in clients:
        client.close()


def host(entry):
    return next(value for key, value in entry["headers"].items() if key.lower() == "host")


def log(sim, since=0):
    """(method, path, host, status) of every VSP request."""
    return [(r["method"], r["path"], host(r), r["status"]) for r in sim.requests("vsp", since=since)]


def last_seq(sim):
    return sim.requests()[-1]["seq"]


LOGIN = [("POST", TOKEN, GMS_HOST, 200), ("GET", CLIENTS, GMS_HOST, 200), ("GET", CLIENTS, GMS_HOST, 200),
         ("POST", TOKEN, GMS_HOST, 200), ("GET", CSRF, REGION_HOST, 200), ("GET", CSRF, GMS_HOST, 200)]


def test_the_library_logs_in_with_its_defaults(sim, login):
    client = login()
    assert log(sim) == LOGIN
    admin, look_up, s3catalog, token = sim.requests("vsp")[:4]
    assert admin["body"] == {"username": "vsp-admin", "password": "<redacted>", "grant_type": "password",
                             "client_id": "admin-cli"}, "admin-cli is public: no secret"
    assert look_up["query"] == {"clientId": ["vsp-object-client"]} and s3catalog["query"] == {"clientId": ["s3catalog"]}
    assert look_up["headers"]["Authorization"] == "Bearer <redacted>"
    # The password grant of vsp-object-client passed with the secret the look-up gave (the simulator
    # checks it), and the library kept both secrets it looked up.
    assert token["body"]["client_id"] == "vsp-object-client" and token["body"]["client_secret"] == "<redacted>"
    assert client.authentication.client_secret == SECRETS["vsp-object-client"]
    assert client.session.gets3catalog() == ("s3catalog", SECRETS["s3catalog"])
    assert "Authorization" not in sim.requests("vsp")[4]["headers"], "/csrf is fetched without a Bearer token"
    assert sim.state("vsp")["counts"] == {"tokens_issued": 2, "csrf_issued": 2, "csrf_rotated": 0,
                                          "csrf_refused": 0}


def test_one_session_lists_reads_cancels_and_creates_jobs_with_one_xsrf_token(sim, login):
    sim.seed(vsp={"jobs": {"count": 150, "bucketName": "b1"}})
    client = login()
    seq = last_seq(sim)

    listing = client.mapi_job_list()
    assert [j["jobId"]["id"] for j in listing["jobs"]] == list(range(1, 151)) and "pageToken" not in listing, \
        "one page of more than 100 jobs: the library reads no other"
    status = client.mapi_job_status(id=7)
    assert status["status"]["jobId"] == {"id": 7} and status["status"]["jobState"] == "EXECUTING"
    cancelled = client.mapi_job_cancel(id=7)
    assert cancelled["status"]["jobState"] == "CANCELLED"
    again = client.mapi_job_list(bucket="b1")
    assert next(j for j in again["jobs"] if j["jobId"]["id"] == 7)["jobState"] == "CANCELLED"
    assert {j["jobState"] for j in again["jobs"] if j["jobId"]["id"] != 7} == {"EXECUTING"}
    created = client.mapi_job_create(bucket="b1", jobtype="BATCH_REPLICATE",
                                     jobparams={"replicationFilter": "INCOMPLETE"})
    assert created["status"]["jobId"] == {"id": 151} and created["status"]["jobState"] == "EXAMINING"

    sent = sim.requests("vsp", since=seq)
    assert [(r["method"], r["path"][len("/vsp/mapi"):], host(r), r["status"]) for r in sent] == [
        ("POST", "/v1/jobs/list", REGION_HOST, 200), ("POST", "/v1/jobs/status", REGION_HOST, 200),
        ("POST", "/v1/jobs/cancel", REGION_HOST, 200), ("POST", "/v1/jobs/list", REGION_HOST, 200),
        ("POST", "/v1/jobs/create", REGION_HOST, 201)]
    assert [r["body"] for r in sent if r["path"].endswith("/list")] == [{"pageSize": 1000},
                                                                        {"pageSize": 1000, "bucketName": "b1"}]
    # Five POSTs, one X-XSRF-TOKEN: the one the region's /csrf gave, never rotated nor refused.
    state = sim.state("vsp")
    assert client.vsp1oregion.headers["X-XSRF-TOKEN"] in state["issued"]["xsrf_tokens"]
    assert state["counts"] == {"tokens_issued": 2, "csrf_issued": 2, "csrf_rotated": 0, "csrf_refused": 0}
    assert [(e["event"], e["jobId"]) for e in state["events"]] == [("job_cancel_requested", 7), ("job_created", 151)]
    assert next(j for j in state["jobs"] if j["jobId"]["id"] == 151)["jobParams"] == {"replicationFilter": "INCOMPLETE"}


def test_an_expired_token_fails_with_http_401_and_a_new_login_works(sim, login):
    sim.seed(vsp={"jobs": [{"id": 1}]})
    client = login()
    assert client.mapi_job_status(id=1)["status"]["jobId"] == {"id": 1}
    sim.advance(301)  # the simulator's access tokens live 300 s
    with pytest.raises(Vsp1oMapiException) as error:
        client.mapi_job_status(id=1)
    assert "http 401" in str(error.value) and "The access token has expired." in str(error.value)
    seq = last_seq(sim)
    renewed = login()
    assert renewed.mapi_job_status(id=1)["status"]["jobState"] == "EXECUTING"
    assert log(sim, seq) == LOGIN + [("POST", "/vsp/mapi/v1/jobs/status", REGION_HOST, 200)]
    assert sim.state("vsp")["counts"]["tokens_issued"] == 4


def test_an_error_answer_reaches_the_library_as_the_api_wrote_it(sim, login):
    sim.seed(vsp={"jobs": [{"id": 1}]})
    client = login()
    with pytest.raises(Vsp1oMapiException) as error:
        client.mapi_job_status(id=4242)
    text = str(error.value)
    assert 'failed to get the status of job "4242" - http 404, ' in text
    assert '"code": "NOT_FOUND", "message": "Job not found", "details": "No job with ID 4242 exists."' in text
    assert client.mapi_job_status(id=1)["status"]["jobId"] == {"id": 1}, "the session outlives an error answer"


def test_with_rotation_on_the_librarys_second_post_is_refused(sim, login):
    """Why ``csrf_rotation`` is off by default: this client, like the vendor's collection, keeps the
    first XSRF token for the whole session; a server that rotates it refuses the second POST."""
    sim.seed(vsp={"jobs": [{"id": 1}], "settings": {"csrf_rotation": True}})
    client = login()
    assert client.mapi_job_status(id=1)["status"]["jobId"] == {"id": 1}
    with pytest.raises(Vsp1oMapiException) as error:
        client.mapi_job_status(id=1)
    assert "http 403" in str(error.value) and "XSRF token" in str(error.value)
    statuses = [r["status"] for r in sim.requests("vsp") if r["path"].endswith("/jobs/status")]
    assert statuses == [200, 403]
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_rotated"] == 1 and counts["csrf_refused"] == 1


@pytest.mark.parametrize("rotation", [False, True], ids=["default", "rotation"])
def test_the_modules_work_in_both_modes(sim, run, rotation):
    body = {"jobs": [{"id": 1}, {"id": 2}, {"id": 3, "jobState": "COMPLETE"}]}
    if rotation:
        body["settings"] = {"csrf_rotation": True}
    sim.seed(vsp=body)
    out = run("vsp_job", {"job_ids": [1, 2, 3]})
    assert not out.get("failed"), out
    assert out["changed"] is True and out["canceled"] == [1, 2]
    listing = run("vsp_job_info", {})
    assert [j["jobState"] for j in listing["jobs"]] == ["CANCELLED", "CANCELLED", "COMPLETE"]
    posts = [r for r in sim.requests("vsp") if r["method"] == "POST" and "/mapi/" in r["path"]]
    assert {r["status"] for r in posts} == {200} and len(posts) == 3 + 2 + 1
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_refused"] == 0 and counts["csrf_rotated"] == (len(posts) if rotation else 0)
