"""The shared HTTP client over real HTTP to the simulator: retries, Retry-After, errors."""

import re
import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

import pytest
import yaml

from ansible_collections.jobctl.cloud.plugins.module_utils import client as http
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth
from ansible_collections.jobctl.cloud.plugins.module_utils.client import HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome, Secrets

KEY = "hostup-test-key"


def client(sim, retries=5, timeout=5, token=KEY):
    return HttpClient("HostUp API", sim.hostup_url, timeout=timeout, retries=retries, auth=BearerAuth(token))


def test_sends_user_agent_and_bearer_and_reuses_the_connection(sim):
    c = client(sim)
    for dummy in range(3):
        assert c.request("GET", "/vps").json()["data"] == []
    log = sim.requests("hostup")
    assert len(log) == 3
    assert log[0]["headers"]["User-Agent"] == http.USER_AGENT
    assert log[0]["headers"]["Authorization"].startswith("Bearer ")
    assert KEY not in str(log)


def test_the_collection_version_has_one_source():
    # galaxy.yml alone holds the version: no module_utils file repeats it.
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    for path in (ROOT / "plugins").rglob("*.py"):
        assert '"%s"' % version not in path.read_text(), path


def test_429_with_retry_after_twice_still_succeeds(sim):
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=2)
    reply = client(sim).request("GET", "/vps")
    assert reply.status == 200 and reply.retries == 2
    assert [r["status"] for r in sim.requests("hostup")] == [429, 429, 200]
    assert sim.clock.slept == [1, 1], "Retry-After: 1 must be honoured each time"


@pytest.mark.parametrize("text", ["garbage", "-5", "1.5", "soon", "", "Wed, 32 Foo 2026"])
def test_an_unreadable_retry_after_means_the_usual_backoff(sim, text):
    sim.fault(api="hostup", kind="rate_limit", retry_after=text, times=1)
    reply = client(sim).request("GET", "/vps")
    assert reply.status == 200 and reply.retries == 1
    assert [r["status"] for r in sim.requests("hostup")] == [429, 200]


@pytest.mark.parametrize("value,seconds", [("0", 0), ("7", 7), (" 12 ", 12), ("-5", None), ("1.5", None),
                                           ("soon", None), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0),
                                           ("2000000300", 300)])
def test_retry_after_parsing(value, seconds):
    assert http.parse_retry_after(value, now=2000000000) == seconds


NOW = 2000000000  # 2033-05-18T03:33:20Z


@pytest.mark.parametrize("value,seconds", [("2000000090", 90), ("30", 30), ("2033-05-18T03:34:50Z", 90),
                                           ("2033-05-18T03:34:50.000+00:00", 90), ("2033-05-18T03:34:50", 90),
                                           ("2000-01-01T00:00:00Z", 0), ("garbage", None), ("", None), (None, None)])
def test_rate_limit_reset_is_read_as_epoch_delay_or_iso(value, seconds):
    result = http.parse_reset(value, now=NOW)
    assert result == (None if seconds is None else pytest.approx(seconds))


def test_a_429_without_a_readable_retry_after_waits_for_the_reset():
    headers = {"Retry-After": "soon", "X-RateLimit-Reset": "2033-05-18T04:33:20Z"}
    assert http.asked_wait(429, headers, now=NOW) == pytest.approx(3600)
    # Cloud Foundry sends X-RateLimit-Reset on every answer: on a 503 it says nothing about waiting.
    assert http.asked_wait(503, {"X-RateLimit-Reset": "2000003600"}, now=NOW) is None
    assert http.asked_wait(502, {"Retry-After": "5"}, now=NOW) is None


def test_a_wait_longer_than_a_minute_fails_at_once_saying_when_the_limit_resets(sim):
    sim.fault(api="hostup", kind="rate_limit", retry_after=3540, times=1)
    start = time.monotonic()
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps")
    assert time.monotonic() - start < 5, "no sleep"
    assert "rate limited" in err.value.msg and "in 3540 seconds" in err.value.msg
    assert "longer than rate_limit_max_wait (60 seconds)" in err.value.msg, "names the option that would allow it"
    assert re.search(r"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", err.value.msg)
    assert err.value.status == 429 and not err.value.lost
    assert len(sim.requests("hostup")) == 1


def test_rate_limit_max_wait_lets_a_client_wait_out_a_long_retry_after_and_tells_it(sim):
    told = []
    c = HttpClient("HostUp API", sim.hostup_url, retries=5, auth=BearerAuth(KEY), rate_limit_max_wait=4000,
                   progress=told.append)
    sim.fault(api="hostup", kind="rate_limit", retry_after=3600, times=1)
    assert c.request("DELETE", "/vps/x/backups/y", ok=(200, 204, 404)).status in (200, 204, 404)
    assert sim.clock.slept == [3600], "a 429 refused the change: it is sent again after the wait"
    assert c.rate_limit_waited == 3600
    assert len(told) == 1 and "rate limited by the HostUp API: waiting 3600 seconds, until " in told[0], told


def test_a_rate_limit_bucket_an_hour_long_fails_at_once(sim):
    sim.rate_limit("hostup", 1 / 3600.0)
    c = client(sim)
    assert c.request("GET", "/vps").status == 200, "the bucket's one request"
    start = time.monotonic()
    with pytest.raises(ApiError) as err:
        c.request("GET", "/vps")
    assert time.monotonic() - start < 5
    assert "rate limited" in err.value.msg and "run it again after that" in err.value.msg


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_for_reads(sim, status):
    sim.fault(api="hostup", kind="status", status=status, times=2)
    assert client(sim).request("GET", "/vps").status == 200
    assert [r["status"] for r in sim.requests("hostup")] == [status, status, 200]


def test_retries_run_out_and_the_failure_says_how_many(sim):
    sim.fault(api="hostup", kind="status", status=503, times=-1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=2).request("GET", "/vps")
    assert len(sim.requests("hostup")) == 3
    assert err.value.status == 503
    assert "(after 2 retries)" in err.value.msg and "HTTP 503" in err.value.msg
    assert err.value.retries == 2


def test_500_is_not_retried(sim):
    sim.fault(api="hostup", kind="status", status=500, times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps")
    assert len(sim.requests("hostup")) == 1
    assert err.value.problem["code"] == "internal_error"
    assert err.value.problem["request_id"].startswith("req_")


def seeded_vps(sim):
    sim.seed(hostup={"vps": [{"name": "web-1", "active_jobs": [{"jobType": "backup", "duration": 600}]}]})
    return sim.state("hostup")["vps"][0]["id"]


def test_a_request_that_changes_something_is_not_repeated_after_a_503_and_the_error_says_lost(sim):
    vps_id = seeded_vps(sim)
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"})
    assert len(sim.requests("hostup")) == 1
    assert err.value.lost, "a 5xx may have come after the work was done"


def test_a_request_that_changes_something_is_repeated_after_a_429(sim):
    vps_id = seeded_vps(sim)
    sim.fault(api="hostup", method="DELETE", kind="rate_limit", retry_after=1, times=1)
    reply = client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"})
    assert reply.json() == {"cancelled": True, "reason": None}
    assert [r["status"] for r in sim.requests("hostup")] == [429, 200]


def test_dropped_connection_is_retried_for_reads_only(sim):
    sim.fault(api="hostup", method="GET", kind="drop", times=1)
    assert client(sim).request("GET", "/vps").status == 200
    sim.clear_requests()
    sim.fault(api="hostup", method="POST", kind="drop", times=1, when="after")
    with pytest.raises(ApiError) as err:
        client(sim).request("POST", "/vps", body={})
    assert "closed before an answer came" in err.value.msg and "127.0.0.1" in err.value.msg
    assert err.value.lost
    assert len(sim.requests("hostup")) == 1


def test_an_answer_cut_off_is_retried_for_reads(sim):
    sim.fault(api="hostup", method="GET", kind="drop_mid_body", when="after", times=1)
    reply = client(sim).request("GET", "/vps")
    assert reply.json()["data"] == [] and reply.retries == 1
    assert [r["fault"] for r in sim.requests("hostup")] == ["drop_mid_body", None]


def test_an_answer_cut_off_is_lost_for_a_request_that_changes_something(sim):
    vps_id = seeded_vps(sim)
    sim.fault(api="hostup", method="DELETE", kind="drop_mid_body", when="after", times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"})
    assert err.value.lost and "cut off" in err.value.msg
    assert len(sim.requests("hostup")) == 1


def test_cut_off_answers_use_the_same_retry_budget(sim):
    sim.fault(api="hostup", method="GET", kind="drop_mid_body", when="after", times=-1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=2).request("GET", "/vps")
    assert len(sim.requests("hostup")) == 3
    assert "(after 2 retries)" in err.value.msg


def test_an_unreadable_2xx_is_lost(sim):
    vps_id = seeded_vps(sim)
    sim.fault(api="hostup", method="DELETE", kind="malformed", when="after", times=1)
    reply = client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"})
    with pytest.raises(ApiError) as err:
        reply.json()
    assert err.value.lost and "not valid JSON" in err.value.msg


def test_a_2xx_other_than_the_documented_one_is_lost_for_a_change_and_a_failure_for_a_read(sim):
    """Issue 21 (docs/outcomes.md, "A lost answer is settled, never guessed"): the server may have acted."""
    vps_id = seeded_vps(sim)
    sim.fault(api="hostup", method="DELETE", kind="empty", status=204, when="after", times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"}, ok=(200,))
    assert err.value.lost and err.value.status == 204
    assert "the answer (HTTP 204) is not the documented 200" in err.value.msg
    assert len(sim.requests("hostup")) == 1, "never sent again blind"
    sim.fault(api="hostup", method="GET", kind="restatus", status=203, times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps", ok=(200,))
    assert not err.value.lost and err.value.status == 203


def test_a_refusal_is_not_lost(sim):
    with pytest.raises(ApiError) as err:
        client(sim).request("DELETE", "/vps/vps_0000000000000000000000zzzz/active-jobs", body={"jobType": "backup"})
    assert err.value.status == 404 and not err.value.lost


def test_slow_answer_times_out(sim):
    sim.fault(api="hostup", kind="slow", delay=1.5, times=1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=0, timeout=0.3).request("GET", "/vps")
    assert "timed out" in err.value.msg.lower() or "timeout" in err.value.msg.lower()


def test_a_server_that_drips_its_answer_is_cut_off_when_the_timeout_runs_out(sim):
    # A byte every 0.3 s: each read comes well within the socket's timeout, the whole answer never
    # does. The request ends by itself, at timeout (issue 21: 126 s for timeout=3).
    sim.fault(api="hostup", kind="drip", delay=0.3, times=1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=0, timeout=1).request("GET", "/vps")
    assert "took longer than timeout (1 seconds) allows" in err.value.msg
    got, declared = map(int, re.search(r"had sent (\d+) of (\d+) bytes", err.value.msg).groups())
    assert got < declared and declared >= 10
    assert err.value.lost
    assert len(sim.requests("hostup")) == 1


def test_a_server_that_drips_its_status_line_and_headers_is_cut_off_at_the_timeout(sim):
    # Before the fix each byte of the head came within the socket's timeout: the answer's head took
    # ~50 s, then its body was "overdue". Now the head itself is bounded by timeout.
    sim.fault(api="hostup", kind="drip_head", delay=0.3, times=1)
    started = time.monotonic()
    with pytest.raises(ApiError) as err:
        client(sim, retries=0, timeout=1).request("GET", "/vps")
    assert "no answer within 1 seconds (timeout)" in err.value.msg
    assert err.value.lost
    assert time.monotonic() - started < 20, "bounded by timeout, not by the server's pace"
    assert len(sim.requests("hostup")) == 1


@pytest.mark.parametrize("kind, words", [
    ("drip", "took longer than timeout"),            # the body a byte at a time
    ("drip_head", "no answer within 1 seconds"),     # the status line and headers too
])
def test_a_dripped_answer_is_read_again_for_a_read_and_lost_for_a_change(sim, kind, words):
    sim.fault(api="hostup", kind=kind, delay=0.3, times=1)
    reply = client(sim, retries=1, timeout=1).request("GET", "/vps")
    assert reply.status == 200 and reply.retries == 1
    assert len(sim.requests("hostup")) == 2
    sim.clear_requests()
    sim.fault(api="hostup", kind=kind, delay=0.3, times=1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=3, timeout=1).request("DELETE", "/vps/vps_0000000000000000000000zzzz/active-jobs",
                                                  body={"jobType": "backup"}, ok=(404,))
    assert err.value.lost and words in err.value.msg
    assert len(sim.requests("hostup")) == 1


def test_malformed_json_fails_readably(sim):
    sim.fault(api="hostup", kind="malformed", times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps").json()
    assert "is not valid JSON" in err.value.msg


def test_html_error_page_becomes_text(sim):
    sim.fault(api="hostup", kind="html", status=502, times=-1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=1).request("GET", "/vps")
    assert "HTTP 502" in err.value.msg and "<" not in err.value.msg


def test_unauthorized_is_the_apis_own_words(sim):
    with pytest.raises(ApiError) as err:
        client(sim, token="wrong").request("GET", "/vps")
    assert err.value.status == 401
    assert err.value.problem["code"] == "unauthorized"
    assert "wrong" not in err.value.msg


def test_connection_refused_is_clear_bounded_and_not_lost():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    c = HttpClient("HostUp API", "http://127.0.0.1:%d/api" % port, retries=0, timeout=2)
    with pytest.raises(ApiError) as err:
        c.request("DELETE", "/vps")
    assert "could not connect to 127.0.0.1:%d" % port in err.value.msg
    assert "object at 0x" not in err.value.msg
    assert not err.value.lost, "nothing was sent"


@pytest.mark.parametrize("value,ok", [
    ("https://cloud.hostup.se/api/v2", True), ("http://127.0.0.1:8080/x", True), ("http://[::1]:8080/x", True),
    ("ftp://host/x", False), ("/relative/path", False), ("cloud.hostup.se/api", False),
    ("https://", False), ("javascript:alert(1)", False), ("https://host/x#frag", False), ("https://host/x#", False),
    ("https://admin:S3cretPW@host/x", False), ("https://token@host/x", False), ("https://host/x?sig=abc", False),
    (" https://host/x", False), ("https://host/x ", False), ("https://host/x\n", False), ("https://ho st/x", False),
    ("https://host:99999999/x", False), ("https://host:port/x", False), (None, False), ("", False)])
def test_url_check(value, ok):
    assert http.is_http_url(value) is ok


def test_url_problems_never_quote_the_url():
    for value in ("https://admin:S3cretPW@host/x", "https://host/x?sig=S3cretPW", "https://host/x#S3cretPW",
                  " https://S3cretPW/", "S3cretPW"):
        problem = http.url_problem(value)
        assert problem and "S3cretPW" not in problem


def test_a_next_page_link_may_carry_a_query():
    assert http.is_http_url("https://api.example.com/v3/tasks?page=2&per_page=50", allow_query=True)


def test_path_segments_are_encoded():
    assert http.segment("a/../b?c#d") == "a%2F..%2Fb%3Fc%23d"


def test_no_credentials_are_taken_from_netrc(sim, tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    c = HttpClient("HostUp API", sim.hostup_url, retries=0)
    with pytest.raises(ApiError):
        c.request("GET", "/vps")
    assert "Authorization" not in sim.requests("hostup")[0]["headers"]


def test_an_error_body_echoing_the_key_is_shown_without_it(sim):
    secrets = Secrets()
    secrets.add(KEY)
    sim.fault(api="hostup", kind="echo", status=401, times=1)
    c = HttpClient("HostUp API", sim.hostup_url, retries=0, auth=BearerAuth(KEY), secrets=secrets)
    with pytest.raises(ApiError) as err:
        c.request("GET", "/vps")
    assert "Refused: Authorization" in err.value.msg
    assert KEY not in err.value.msg and KEY not in str(err.value.problem)
    assert "hostup-t" not in err.value.msg, "no part of it either"


def test_mutate_settles_a_lost_answer_by_one_read_and_never_resends_blind(sim):
    vps_id = seeded_vps(sim)
    c = client(sim)
    path = "/vps/%s/active-jobs" % vps_id
    sends, reads = [], []

    def send():
        sends.append(1)
        c.request("DELETE", path, body={"jobType": "backup"})
        return Outcome(Outcome.ACTED)

    def read_back():
        reads.append(1)
        jobs = c.request("GET", path).json()["data"]
        return None if any(j["status"] == "running" for j in jobs) else Outcome(Outcome.ALREADY)

    sim.fault(api="hostup", method="DELETE", kind="status", status=502, when="after", times=1)
    outcome = c.mutate(send, read_back)
    assert outcome.changed and outcome.lost is not None and "lost" in outcome.warning
    assert (len(sends), len(reads)) == (1, 1)
    log = sorted(sim.requests("hostup"), key=lambda e: e["arrival"])
    assert [(e["method"], e["handled_status"]) for e in log] == [("DELETE", 200), ("GET", 200)]


def test_mutate_resends_when_the_read_shows_the_work_still_to_do(sim):
    vps_id = seeded_vps(sim)
    c = client(sim)
    path = "/vps/%s/active-jobs" % vps_id

    def send():
        c.request("DELETE", path, body={"jobType": "backup"})
        return Outcome(Outcome.ACTED)

    def read_back():
        jobs = c.request("GET", path).json()["data"]
        return None if any(j["status"] == "running" for j in jobs) else Outcome(Outcome.ALREADY)

    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=1)
    outcome = c.mutate(send, read_back)
    assert outcome.changed and outcome.warning is None, "the second attempt made the change itself"
    log = sorted(sim.requests("hostup"), key=lambda e: e["arrival"])
    assert [(e["method"], e["handled_status"]) for e in log] == [("DELETE", None), ("GET", 200), ("DELETE", 200)]


def test_mutate_gives_up_after_the_retries(sim):
    vps_id = seeded_vps(sim)
    c = client(sim, retries=2)
    path = "/vps/%s/active-jobs" % vps_id
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=-1)
    with pytest.raises(ApiError) as err:
        c.mutate(lambda: c.request("DELETE", path, body={"jobType": "backup"}) and Outcome(Outcome.ACTED),
                 lambda: None)
    assert err.value.status == 503
    assert [e["method"] for e in sim.requests("hostup")] == ["DELETE"] * 3


# -- redirects (issue 21) -------------------------------------------------------------------------

def test_a_redirect_names_its_location_and_the_option_and_is_not_followed(sim):
    sim.fault(api="hostup", kind="status", status=301, times=1,
              headers={"Location": "https://admin:pw-S3cret@new.example.com:8443/api/v3?sig=S3cret#frag"})
    with pytest.raises(ApiError) as err:
        client(sim, retries=2).request("GET", "/vps")
    assert err.value.msg == ("HostUp API GET /hostup/api/v2/vps failed: HTTP 301 Moved Permanently: redirected to "
                             "https://new.example.com:8443/api/v3: redirects are not followed; set api_url to the new "
                             "address")
    assert err.value.status == 301 and not err.value.lost
    assert len(sim.requests()) == 1, "not followed, not retried"


@pytest.mark.parametrize("location, shown", [
    ("/hostup/api/v3/vps", "redirected to http://127.0.0.1:{port}/hostup/api/v3/vps"),
    ("", "a redirect without a usable Location"),
    ("javascript:alert(1)", "a redirect without a usable Location"),
    ("https://evil.example/\x1b[31mred", "a redirect without a usable Location"),
    ("https://new.example/" + "a" * 5000, "redirected to https://new.example/" + "a" * 177 + "..."),
])
def test_a_redirects_location_is_untrusted_text(sim, location, shown):
    sim.fault(api="hostup", kind="status", status=308, times=1, headers={"Location": location})
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps")
    port = sim.url.rsplit(":", 1)[1]
    assert "HTTP 308 Permanent Redirect: " + shown.format(port=port) + ": redirects are not followed" in err.value.msg
    assert len(err.value.msg) < 400


def test_a_moved_token_endpoint_names_token_url(sim):
    from ansible_collections.jobctl.cloud.plugins.module_utils.auth import OAuthBearer, OAuthToken

    sim.fault(api="bigchange", kind="status", status=302, path="/auth/", times=1,
              headers={"Location": "https://login.example.com/oauth/token"})
    token = OAuthToken(sim.url + "/bigchange/auth/tokens", form={"grant_type": "client_credentials"})
    http_client = HttpClient("BigChange API", sim.url + "/bigchange/v1", retries=0, auth=OAuthBearer(token))
    with pytest.raises(ApiError) as err:
        http_client.request("GET", "/jobs/1")
    assert ("HTTP 302 Found: redirected to https://login.example.com/oauth/token: redirects are not followed; "
            "set token_url to the new address") in err.value.msg


@pytest.mark.parametrize("validate_certs", [True, False])
def test_https_to_a_plain_http_server_says_the_server_does_not_speak_tls(sim, validate_certs):
    url = sim.hostup_url.replace("http://", "https://")
    with pytest.raises(ApiError) as err:
        http_client = HttpClient("HostUp API", url, retries=2, validate_certs=validate_certs, auth=BearerAuth(KEY))
        http_client.request("GET", "/vps")
    assert "the server does not speak TLS: check http:// vs https:// (api_url)" in err.value.msg, err.value.msg
    assert "ca_path" not in err.value.msg and "validate_certs" not in err.value.msg
    assert not err.value.lost
