"""The simulated VSP One Object API and its Keycloak, against docs/api/vsp.md.

Each test names where the behaviour it checks comes from: DOCUMENTED (its sections "Seed" and
"Confirmed": the vendor's collection, Vert.x-Web's CSRF handler, the public client vsp1omapilib) or
INVENTED (its section "Invented"; see tests/simulator/vsp.py).
"""

import pytest
import requests

TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"
CLIENTS_PATH = "/vsp/ui/auth/admin/realms/vsp-object/clients"
LOGIN = {"grant_type": "password", "client_id": "vsp-object-external-client",
         "username": "vsp-admin", "password": "vsp-secret"}


class Vsp:
    """A bare client of the simulated API: a requests session that keeps the CSRF cookies."""

    def __init__(self, sim):
        self.sim = sim
        self.api = sim.url + "/vsp/mapi"
        self.s = requests.Session()
        self.token = None

    def login(self, **form):
        return self.s.post(self.sim.url + TOKEN_PATH, data=dict(LOGIN, **form), timeout=5)

    def authenticate(self):
        reply = self.login()
        assert reply.status_code == 200, reply.text
        self.token = reply.json()["access_token"]
        reply = self.csrf()
        assert reply.status_code == 200, reply.text
        return self

    @property
    def xsrf(self):
        """The XSRF-TOKEN cookie as the jar holds it now (the server may have rotated it)."""
        return self.s.cookies.get("XSRF-TOKEN")

    def csrf(self, token=None):
        headers = {"Authorization": "Bearer %s" % token} if token else {}
        return self.s.get(self.api + "/v1/csrf", headers=headers, timeout=5)

    def post(self, path, body, xsrf=None, token=None):
        headers = {"Authorization": "Bearer %s" % (token or self.token), "X-XSRF-TOKEN": xsrf or self.xsrf}
        return self.s.post(self.api + path, json=body, headers=headers, timeout=5)


@pytest.fixture
def vsp(sim):
    return Vsp(sim)


def seed_jobs(sim, *jobs, **settings):
    body = {"jobs": list(jobs)}
    if settings:
        body["settings"] = settings
    return sim.seed(vsp=body)["vsp"]["jobs"]


def assert_vsp_error(reply, status, code):
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


# ---------------------------------------------------------------------------------- Keycloak

def test_password_grant_gives_a_bearer_token(vsp):
    reply = vsp.login()
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert body["access_token"].startswith("vsp-at-") and "refresh_token" in body


@pytest.mark.parametrize("form,status,error", [
    ({"password": "wrong"}, 401, "invalid_grant"),
    ({"username": "nobody"}, 401, "invalid_grant"),
    ({"client_id": "other-client"}, 401, "invalid_client"),
    ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
])
def test_token_errors_are_oauth_errors(vsp, form, status, error):
    reply = vsp.login(**form)
    assert reply.status_code == status
    assert reply.json()["error"] == error and reply.json()["error_description"]


def test_confidential_client_needs_its_secret(sim, vsp):
    sim.seed(vsp={"clients": [{"client_id": "vsp-object-external-client", "secret": "s3cret"}]})
    assert vsp.login().json()["error"] == "unauthorized_client"
    assert vsp.login(client_secret="s3cret").status_code == 200


def test_unknown_realm_is_404(sim, vsp):
    reply = vsp.s.post(sim.url + "/vsp/ui/auth/realms/other/protocol/openid-connect/token", data=LOGIN, timeout=5)
    assert reply.status_code == 404 and reply.json()["error_description"] == "Realm does not exist"
    reply = vsp.s.get(sim.url + "/vsp/ui/auth/admin/realms/other/clients", timeout=5)
    assert reply.status_code == 404 and reply.json()["error_description"] == "Realm does not exist"


def test_keycloak_is_no_longer_under_the_old_path(sim, vsp):
    # DOCUMENTED (Confirmed): the real token endpoint is under /ui/auth; /auth is not Keycloak's.
    reply = vsp.s.post(sim.url + "/vsp/auth/realms/vsp-object/protocol/openid-connect/token", data=LOGIN, timeout=5)
    assert reply.status_code == 404 and sim.state("vsp")["counts"]["tokens_issued"] == 0


def admin_token(vsp):
    reply = vsp.login(client_id="admin-cli")
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def look_up(vsp, token, client_id=None):
    headers = {"Authorization": "Bearer %s" % token} if token else {}
    params = {"clientId": client_id} if client_id else {}
    return vsp.s.get(vsp.sim.url + CLIENTS_PATH, params=params, headers=headers, timeout=5)


def test_the_default_clients_and_their_secrets_are_looked_up_through_admin_cli(sim, vsp):
    # DOCUMENTED (Confirmed, vsp1omapilib): admin-cli is public; its token reads a client's secret,
    # as a list of client representations. INVENTED: the secrets and the ids.
    token = admin_token(vsp)
    reply = look_up(vsp, token, "vsp-object-client")
    assert reply.status_code == 200
    [client] = reply.json()
    assert client["clientId"] == "vsp-object-client" and client["publicClient"] is False
    assert client["secret"] == "vsp-object-client-secret" and len(client["id"]) == 36
    everything = {c["clientId"]: c for c in look_up(vsp, token).json()}
    assert set(everything) == {"admin-cli", "vsp-object-client", "s3catalog", "vsp-object-external-client"}
    assert {name for name, c in everything.items() if c["publicClient"]} == {"admin-cli", "vsp-object-external-client"}
    assert all(("secret" in c) != c["publicClient"] for c in everything.values()), "secrets of confidential ones only"
    assert everything["s3catalog"]["secret"] and everything["vsp-object-client"] == client
    assert look_up(vsp, token, "no-such-client").json() == []
    # The looked-up secret is what the confidential client's password grant needs.
    assert vsp.login(client_id="vsp-object-client").json()["error"] == "unauthorized_client"
    assert vsp.login(client_id="vsp-object-client", client_secret=client["secret"]).status_code == 200


def test_the_client_look_up_wants_a_valid_token_of_admin_cli(sim, vsp):
    # INVENTED: the refusals (401 without a valid token, 403 with another client's).
    reply = look_up(vsp, None, "vsp-object-client")
    assert reply.status_code == 401 and reply.json()["error"] == "invalid_token"
    assert look_up(vsp, "vsp-at-forged", "vsp-object-client").status_code == 401
    other = vsp.login().json()["access_token"]
    reply = look_up(vsp, other, "vsp-object-client")
    assert reply.status_code == 403 and reply.json()["error"] == "insufficient_scope" and "secret" not in reply.text
    token = admin_token(vsp)
    sim.advance(301)
    assert look_up(vsp, token, "vsp-object-client").status_code == 401, "admin-cli's token expires too"
    refused = vsp.s.post(sim.url + CLIENTS_PATH, headers={"Authorization": "Bearer %s" % token}, timeout=5)
    assert refused.status_code == 405


def test_a_token_of_any_client_of_the_realm_works_on_the_api(sim, vsp):
    # INVENTED: the API checks the user, not the client (vsp1omapilib uses vsp-object-client's token).
    seed_jobs(sim, {"id": 1})
    vsp.authenticate()
    for form in ({"client_id": "admin-cli"}, {"client_id": "vsp-object-client",
                                              "client_secret": "vsp-object-client-secret"}):
        token = vsp.login(**form).json()["access_token"]
        assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, token=token).status_code == 200


def test_the_password_is_redacted_in_the_request_log(sim, vsp):
    vsp.login()
    logged = sim.requests("vsp")[0]["body"]
    assert logged["password"] == "<redacted>" and logged["username"] == "vsp-admin"


# ---------------------------------------------------------------------------------- CSRF

def test_csrf_is_served_without_a_bearer_token_and_sets_both_cookies_for_the_whole_host(sim, vsp):
    # DOCUMENTED (Confirmed: the vendor's collection and vsp1omapilib fetch /csrf without a Bearer token).
    # INVENTED: Path=/ (Vert.x-Web's default).
    reply = vsp.csrf()
    assert reply.status_code == 200
    cookies = {c.name: c for c in vsp.s.cookies}
    assert set(cookies) == {"XSRF-TOKEN", "vertx-web.session"}
    assert {c.path for c in cookies.values()} == {"/"}
    assert sim.state("vsp")["counts"]["csrf_issued"] == 1


def test_csrf_can_be_made_to_want_a_bearer_token(sim, vsp):
    # The reference's older reading, behind a switch.
    sim.seed(vsp={"settings": {"csrf_requires_bearer": True}})
    assert_vsp_error(vsp.csrf(), 401, "UNAUTHORIZED")
    vsp.token = vsp.login().json()["access_token"]
    assert vsp.csrf(token=vsp.token).status_code == 200


def test_job_calls_need_token_cookies_and_matching_header(sim, vsp):
    # DOCUMENTED (Seed, Confirmed): Bearer token, X-XSRF-TOKEN and both cookies; a CSRF failure is
    # Vert.x-Web's 403, a missing or bad Bearer token the reference's 401.
    seed_jobs(sim, {"id": 1})
    vsp.authenticate()
    assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}).status_code == 200
    body = assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, xsrf="forged"), 403, "FORBIDDEN")
    assert "XSRF" in body["details"]
    assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, token="vsp-at-forged"), 401, "UNAUTHORIZED")
    # The header alone, without the session cookie, is not enough.
    bare = requests.post(vsp.api + "/v1/jobs/status", json={"jobId": {"id": 1}}, timeout=5,
                         headers={"Authorization": "Bearer %s" % vsp.token, "X-XSRF-TOKEN": vsp.xsrf})
    assert_vsp_error(bare, 403, "FORBIDDEN")
    assert sim.state("vsp")["counts"]["csrf_refused"] == 2


def test_a_csrf_failure_can_be_made_a_401(sim, vsp):
    seed_jobs(sim, {"id": 1}, csrf_failure_status=401)
    vsp.authenticate()
    assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, xsrf="forged"), 401, "UNAUTHORIZED")


def test_with_rotation_each_valid_post_rotates_the_xsrf_token_and_the_old_one_is_refused(sim, vsp):
    # DOCUMENTED (Confirmed: Vert.x-Web may set a new XSRF-TOKEN after each valid POST): the switch.
    seed_jobs(sim, {"id": 1}, csrf_rotation=True)
    vsp.authenticate()
    first = vsp.xsrf
    reply = vsp.post("/v1/jobs/status", {"jobId": {"id": 1}})
    assert reply.status_code == 200 and "XSRF-TOKEN=" in reply.headers["Set-Cookie"]
    second = vsp.xsrf
    assert second != first
    assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, xsrf=first), 403, "FORBIDDEN")
    # A refused POST rotates nothing; an error answer to a valid POST rotates too.
    assert vsp.xsrf == second
    not_found = vsp.post("/v1/jobs/status", {"jobId": {"id": 404}})
    assert not_found.status_code == 404 and vsp.xsrf != second
    assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}).status_code == 200
    counts = sim.state("vsp")["counts"]
    assert counts["csrf_rotated"] == 3 and counts["csrf_refused"] == 1 and counts["csrf_issued"] == 1
    assert len(sim.state("vsp")["issued"]["xsrf_tokens"]) == 4, "every token ever handed out is listed"


def test_by_default_one_token_serves_every_post(sim, vsp):
    # DOCUMENTED (Confirmed): real clients send one X-XSRF-TOKEN for every POST of a session.
    seed_jobs(sim, {"id": 1})
    assert sim.state("vsp")["settings"]["csrf_rotation"] is False
    vsp.authenticate()
    first = vsp.xsrf
    for dummy in range(3):
        reply = vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}, xsrf=first)
        assert reply.status_code == 200 and "Set-Cookie" not in reply.headers
    assert sim.state("vsp")["counts"]["csrf_rotated"] == 0


def test_csrf_and_token_expire_on_the_simulated_clock(sim, vsp):
    seed_jobs(sim, {"id": 1}, csrf_lifetime=10, token_lifetime=100)
    vsp.authenticate()
    sim.advance(11)
    body = assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}), 403, "FORBIDDEN")
    assert body["details"] == "The XSRF token has expired."
    vsp.csrf()
    assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}).status_code == 200
    sim.advance(100)
    assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}), 401, "UNAUTHORIZED")
    assert vsp.csrf().status_code == 200, "/csrf does not look at the Bearer token"
    assert sim.state("vsp")["counts"]["tokens_issued"] == 1 and sim.state("vsp")["counts"]["csrf_issued"] == 3


@pytest.mark.parametrize("rotation", [False, True])
def test_the_csrf_lifetime_is_vertx_webs_thirty_minutes_renewed_only_by_a_rotation(sim, vsp, rotation):
    seed_jobs(sim, {"id": 1}, token_lifetime=7200, csrf_rotation=rotation)
    vsp.authenticate()
    sim.advance(1700)
    assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}).status_code == 200
    sim.advance(1700)
    if not rotation:
        body = assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}), 403, "FORBIDDEN")
        assert body["details"] == "The XSRF token has expired.", "using a token does not renew it"
        return
    assert vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}).status_code == 200, "the rotated token is new"
    sim.advance(1801)
    assert_vsp_error(vsp.post("/v1/jobs/status", {"jobId": {"id": 1}}), 403, "FORBIDDEN")


def test_cookie_and_xsrf_header_are_redacted_in_the_request_log(sim, vsp):
    # With rotation, so that the log also holds an answer's Set-Cookie.
    seed_jobs(sim, {"id": 1}, csrf_rotation=True)
    vsp.authenticate()
    sent = vsp.xsrf
    vsp.post("/v1/jobs/status", {"jobId": {"id": 1}})
    entry = sim.requests("vsp")[-1]
    assert entry["headers"]["X-XSRF-TOKEN"] == "<redacted>" and entry["headers"]["Cookie"] == "<redacted>"
    assert entry["response_headers"]["Set-Cookie"] == "<redacted>"
    log = str(sim.requests("vsp"))
    assert sent not in log and vsp.xsrf not in log and vsp.token not in log


# ---------------------------------------------------------------------------------- jobs

def test_status_of_a_job_with_a_negative_id(sim, vsp):
    seed_jobs(sim, {"id": -2147483648, "jobState": "PROCESSING", "jobType": "LIFECYCLE_UPDATE",
                    "bucketName": "b1", "jobParams": {"rule": "expire-30d"}, "jobStats": {"processed": 5, "failed": 1}})
    vsp.authenticate()
    reply = vsp.post("/v1/jobs/status", {"jobId": {"id": -2147483648}})
    status = reply.json()["status"]
    assert status["jobId"] == {"id": -2147483648} and status["jobState"] == "PROCESSING"
    assert status["jobType"] == "LIFECYCLE_UPDATE" and status["bucketName"] == "b1"
    assert status["jobParams"] == {"rule": "expire-30d"} and status["jobStats"] == {"processed": 5, "failed": 1}
    # DOCUMENTED (Confirmed): epoch seconds, floats, in the vendor's samples.
    assert "completeTime" not in status and isinstance(status["startTime"], float)


def test_times_are_epoch_seconds_or_date_time_strings(sim, vsp):
    seed_jobs(sim, {"id": -769908758, "jobState": "COMPLETE", "startTime": 1752770711.809,
                    "completeTime": "2025-07-17T16:45:24.423Z"})
    vsp.authenticate()
    status = vsp.post("/v1/jobs/status", {"jobId": {"id": -769908758}}).json()["status"]
    assert status["startTime"] == 1752770711.809 and status["completeTime"] == 1752770724.423
    sim.seed(vsp={"settings": {"epoch_times": False}})
    status = vsp.post("/v1/jobs/status", {"jobId": {"id": -769908758}}).json()["status"]
    assert status["startTime"] == "2025-07-17T16:45:11Z" and status["completeTime"] == "2025-07-17T16:45:24Z"


@pytest.mark.parametrize("body,status,code", [
    ({"jobId": {"id": 404}}, 404, "NOT_FOUND"),
    ({"jobId": {"id": 2147483648}}, 400, "INVALID_REQUEST"),
    ({"jobId": {"id": "1"}}, 400, "INVALID_REQUEST"),
    ({"jobId": 1}, 400, "INVALID_REQUEST"),
    ({}, 400, "INVALID_REQUEST"),
])
def test_status_errors(sim, vsp, body, status, code):
    seed_jobs(sim, {"id": 1})
    vsp.authenticate()
    error = assert_vsp_error(vsp.post("/v1/jobs/status", body), status, code)
    if status == 404:
        assert error["message"] == "Job not found" and error["details"] == "No job with ID 404 exists."


def test_invalid_json_is_a_vsp_400(sim, vsp):
    vsp.authenticate()
    reply = vsp.s.post(vsp.api + "/v1/jobs/status", data=b"{nope", timeout=5,
                       headers={"Authorization": "Bearer %s" % vsp.token, "X-XSRF-TOKEN": vsp.xsrf,
                                "Content-Type": "application/json"})
    assert_vsp_error(reply, 400, "INVALID_REQUEST")


def test_cancel_a_running_job_once(sim, vsp):
    seed_jobs(sim, {"id": 7, "jobState": "EXECUTING"})
    vsp.authenticate()
    reply = vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}})
    assert reply.status_code == 200
    assert reply.json()["status"]["jobState"] == "CANCELLED" and "completeTime" in reply.json()["status"]
    again = assert_vsp_error(vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}}), 400, "INVALID_REQUEST")
    assert again["details"] == "Job 7 is CANCELLED and cannot be cancelled."
    assert [e["event"] for e in sim.state("vsp")["events"]] == ["job_cancel_requested"]
    # The log's ground truth: only the first cancel changed anything.
    assert [r["acted"] for r in sim.requests("vsp") if r["path"].endswith("/cancel")] == [True, False]


@pytest.mark.parametrize("variant,status,code", [("400", 400, "INVALID_REQUEST"), ("409", 409, "CONFLICT"),
                                                 ("200", 200, None)])
@pytest.mark.parametrize("state", ["COMPLETE", "FAILED", "CANCELLED"])
def test_the_answer_to_a_cancel_of_a_finished_job_is_switchable(sim, vsp, variant, status, code, state):
    # INVENTED: nothing documents it; each variant is one a server might plausibly give.
    seed_jobs(sim, {"id": 7, "jobState": state}, cancel_finished=variant)
    vsp.authenticate()
    before = vsp.post("/v1/jobs/status", {"jobId": {"id": 7}}).json()["status"]
    reply = vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}})
    if code is None:
        assert reply.status_code == 200 and reply.json() == {"status": before}, "the job unchanged"
    else:
        assert_vsp_error(reply, status, code)
    assert sim.state("vsp")["jobs"][0]["jobState"] == state and sim.state("vsp")["events"] == []


def test_a_job_seeded_to_refuse_its_cancel_keeps_running(sim, vsp):
    seed_jobs(sim, {"id": 7, "refuse_cancel": True})
    vsp.authenticate()
    body = assert_vsp_error(vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}}), 400, "INVALID_REQUEST")
    assert body["details"] == "Job 7 cannot be cancelled now."
    assert sim.state("vsp")["jobs"][0]["jobState"] == "EXECUTING"


def test_cancel_delay_keeps_the_running_state_until_it_passes(sim, vsp):
    seed_jobs(sim, {"id": 7, "jobState": "EXAMINING", "cancel_delay": 30})
    vsp.authenticate()
    assert vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}}).json()["status"]["jobState"] == "EXAMINING"
    assert_vsp_error(vsp.post("/v1/jobs/cancel", {"jobId": {"id": 7}}), 400, "INVALID_REQUEST")
    sim.advance(31)
    assert sim.state("vsp")["jobs"][0]["jobState"] == "CANCELLED"


def test_a_job_completes_on_the_clock(sim, vsp):
    seed_jobs(sim, {"id": 7, "complete_after": 20})
    sim.advance(21)
    assert sim.state("vsp")["jobs"][0]["jobState"] == "COMPLETE"


def test_list_pages_follow_page_tokens_to_the_end(sim, vsp):
    seed_jobs(sim, *[{"id": n, "bucketName": "b%d" % (n % 2), "userId": n % 3} for n in range(1, 26)])
    vsp.authenticate()
    first = vsp.post("/v1/jobs/list", {}).json()
    assert len(first["jobs"]) == 20 and first["pageToken"], "default page size"
    # DOCUMENTED (Confirmed): clients ask for 1000 and read one page.
    whole = vsp.post("/v1/jobs/list", {"pageSize": 1000}).json()
    assert [j["jobId"]["id"] for j in whole["jobs"]] == list(range(1, 26)) and "pageToken" not in whole
    # INVENTED: a smaller cap, for several pages.
    sim.seed(vsp={"settings": {"max_page_size": 10}})
    ids, token, pages = [], None, 0
    while True:
        body = {"pageSize": 50}
        if token:
            body["pageToken"] = token
        page = vsp.post("/v1/jobs/list", body).json()
        pages += 1
        ids += [j["jobId"]["id"] for j in page["jobs"]]
        token = page.get("pageToken")
        if not token or pages > 10:
            break
    assert ids == list(range(1, 26)) and pages == 3, "pages of max_page_size, the last without a token"
    by_bucket = vsp.post("/v1/jobs/list", {"bucketName": "b1"}).json()
    assert [j["jobId"]["id"] for j in by_bucket["jobs"]] == list(range(1, 26, 2))[:10] and by_bucket["pageToken"]
    by_user = vsp.post("/v1/jobs/list", {"userId": {"id": 2}}).json()
    assert [j["jobId"]["id"] for j in by_user["jobs"]] == [n for n in range(1, 26) if n % 3 == 2]
    # DOCUMENTED (Confirmed): an empty list may come without "jobs".
    assert vsp.post("/v1/jobs/list", {"bucketName": "nope"}).json() == {}
    sim.seed(vsp={"settings": {"omit_empty_jobs": False}})
    assert vsp.post("/v1/jobs/list", {"bucketName": "nope"}).json() == {"jobs": []}


def test_a_page_holds_at_most_max_page_size_jobs_by_default_1000(sim, vsp):
    seed_jobs(sim, *[{"id": n} for n in range(1, 1002)])
    vsp.authenticate()
    page = vsp.post("/v1/jobs/list", {"pageSize": 5000}).json()
    assert len(page["jobs"]) == 1000 and page["pageToken"]
    rest = vsp.post("/v1/jobs/list", {"pageSize": 5000, "pageToken": page["pageToken"]}).json()
    assert [j["jobId"]["id"] for j in rest["jobs"]] == [1001] and "pageToken" not in rest


@pytest.mark.parametrize("body", [{"pageToken": "not-a-token"}, {"pageSize": 0}, {"userId": 3}])
def test_list_rejects_bad_requests(sim, vsp, body):
    vsp.authenticate()
    assert_vsp_error(vsp.post("/v1/jobs/list", body), 400, "INVALID_REQUEST")


def test_create_starts_an_examining_job(sim, vsp):
    seed_jobs(sim, {"id": 9})
    vsp.authenticate()
    reply = vsp.post("/v1/jobs/create", {"jobType": "BATCH_REPLICATE", "bucketName": "b1",
                                         "jobParams": {"destination": "b2"}})
    assert reply.status_code == 201, "DOCUMENTED (Confirmed)"
    status = reply.json()["status"]
    assert status["jobId"] == {"id": 10} and status["jobState"] == "EXAMINING" and status["bucketName"] == "b1"
    assert_vsp_error(vsp.post("/v1/jobs/create", {"jobType": "NOPE", "bucketName": "b1"}), 400, "INVALID_REQUEST")


def test_seed_validation(sim):
    with pytest.raises(requests.HTTPError):
        sim.seed(vsp={"jobs": [{"jobState": "RUNNING"}]})
    with pytest.raises(requests.HTTPError):
        sim.seed(vsp={"settings": {"nope": 1}})
    for bad in ({"cancel_finished": "418"}, {"csrf_failure_status": 500}, {"csrf_rotation": "yes"}):
        with pytest.raises(requests.HTTPError):
            sim.seed(vsp={"settings": bad})
    assert sim.seed(vsp={"settings": {"cancel_finished": 409}})["vsp"]["settings"]["cancel_finished"] == "409"
    assert len(sim.seed(vsp={"jobs": {"count": 3, "bucketName": "many"}})["vsp"]["jobs"]) == 3


def test_demo_seed_has_running_finished_and_negative_jobs(sim):
    sim.reset("demo")
    jobs = sim.state("vsp")["jobs"]
    states = {j["jobState"] for j in jobs}
    assert {"EXECUTING", "COMPLETE", "FAILED"} <= states
    assert any(j["jobId"]["id"] < 0 for j in jobs)


def test_errors_from_faults_are_in_the_apis_format(sim, vsp):
    vsp.authenticate()
    sim.fault(api="vsp", path="/jobs/list", kind="status", status=503, retry_after=2, times=1)
    reply = vsp.post("/v1/jobs/list", {})
    assert_vsp_error(reply, 503, "SERVICE_UNAVAILABLE")
    assert reply.headers["Retry-After"] == "2"
    sim.fault(api="vsp", path="/token", kind="status", status=503, times=1)
    assert vsp.login().json()["error"] == "server_error"
