"""The shared HTTP client over real HTTP to the simulator: retries, Retry-After, errors."""

import socket
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.jobctl.cloud.plugins.module_utils import client as http
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError, BearerAuth, HttpClient

KEY = "hostup-test-key"


def client(sim, retries=5, timeout=5, token=KEY):
    return HttpClient("HostUp API", sim.hostup_url, timeout=timeout, retries=retries, auth=BearerAuth(token))


@pytest.fixture
def fast_backoff(monkeypatch):
    # The backoff schedule is not what these tests check; keep them quick.
    monkeypatch.setattr(http, "BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr(http, "BACKOFF_JITTER", 0.0)


def test_sends_user_agent_and_bearer_and_reuses_the_connection(sim):
    c = client(sim)
    for dummy in range(3):
        assert c.request("GET", "/vps").json()["data"] == []
    log = sim.requests("hostup")
    assert len(log) == 3
    assert log[0]["headers"]["User-Agent"] == "jobctl.cloud/%s" % http.COLLECTION_VERSION
    assert log[0]["headers"]["Authorization"].startswith("Bearer ")
    assert KEY not in str(log)


def test_version_matches_galaxy_yml():
    galaxy = Path(__file__).resolve().parents[2] / "galaxy.yml"
    assert yaml.safe_load(galaxy.read_text())["version"] == http.COLLECTION_VERSION


def test_429_with_retry_after_twice_still_succeeds(sim):
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=2)
    start = time.monotonic()
    reply = client(sim).request("GET", "/vps")
    elapsed = time.monotonic() - start
    assert reply.status == 200 and reply.retries == 2
    assert [r["status"] for r in sim.requests("hostup")] == [429, 429, 200]
    assert elapsed >= 1.9, "Retry-After: 1 must be honoured each time"


def test_retry_after_is_capped(sim, monkeypatch):
    monkeypatch.setattr(http, "RETRY_AFTER_CAP", 0.2)
    sim.fault(api="hostup", kind="rate_limit", retry_after=3600, times=1)
    start = time.monotonic()
    assert client(sim).request("GET", "/vps").status == 200
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_for_reads(sim, fast_backoff, status):
    sim.fault(api="hostup", kind="status", status=status, times=2)
    assert client(sim).request("GET", "/vps").status == 200
    assert [r["status"] for r in sim.requests("hostup")] == [status, status, 200]


def test_retries_run_out_and_the_failure_says_how_many(sim, fast_backoff):
    sim.fault(api="hostup", kind="status", status=503, times=-1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=2).request("GET", "/vps")
    assert len(sim.requests("hostup")) == 3
    assert err.value.status == 503
    assert "(after 2 retries)" in err.value.msg and "HTTP 503" in err.value.msg
    assert err.value.retries == 2


def test_500_is_not_retried(sim, fast_backoff):
    sim.fault(api="hostup", kind="status", status=500, times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps")
    assert len(sim.requests("hostup")) == 1
    assert err.value.problem["code"] == "internal_error"
    assert err.value.problem["request_id"].startswith("req_")


def test_unsafe_request_is_not_repeated_after_a_503(sim, fast_backoff):
    sim.seed(hostup={"vps": [{"name": "web-1", "active_jobs": [{"jobType": "backup", "duration": 600}]}]})
    vps_id = sim.state("hostup")["vps"][0]["id"]
    sim.fault(api="hostup", method="DELETE", kind="status", status=503, times=1)
    with pytest.raises(ApiError):
        client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"}, repeat_safe=False)
    assert len(sim.requests("hostup")) == 1


def test_unsafe_request_is_repeated_after_a_429(sim):
    sim.seed(hostup={"vps": [{"name": "web-1", "active_jobs": [{"jobType": "backup", "duration": 600}]}]})
    vps_id = sim.state("hostup")["vps"][0]["id"]
    sim.fault(api="hostup", method="DELETE", kind="rate_limit", retry_after=1, times=1)
    reply = client(sim).request("DELETE", "/vps/%s/active-jobs" % vps_id, body={"jobType": "backup"}, repeat_safe=False)
    assert reply.json() == {"cancelled": True, "reason": None}
    assert [r["status"] for r in sim.requests("hostup")] == [429, 200]


def test_dropped_connection_is_retried_for_reads_only(sim, fast_backoff):
    sim.fault(api="hostup", method="GET", kind="drop", times=1)
    assert client(sim).request("GET", "/vps").status == 200
    sim.clear_requests()
    sim.fault(api="hostup", method="POST", kind="drop", times=1, when="after")
    with pytest.raises(ApiError) as err:
        client(sim).request("POST", "/vps", body={}, repeat_safe=False)
    assert "could not talk to 127.0.0.1" in err.value.msg
    assert len(sim.requests("hostup")) == 1


def test_slow_answer_times_out(sim):
    sim.fault(api="hostup", kind="slow", delay=1.5, times=1)
    with pytest.raises(ApiError) as err:
        client(sim, retries=0, timeout=0.3).request("GET", "/vps")
    assert "timed out" in err.value.msg.lower() or "timeout" in err.value.msg.lower()


def test_malformed_json_fails_readably(sim):
    sim.fault(api="hostup", kind="malformed", times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps").json()
    assert "is not valid JSON" in err.value.msg


def test_html_error_page_becomes_text(sim, fast_backoff):
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


def test_connection_refused_is_clear_and_bounded():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    c = HttpClient("HostUp API", "http://127.0.0.1:%d/api" % port, retries=0, timeout=2)
    with pytest.raises(ApiError) as err:
        c.request("GET", "/vps")
    assert "could not talk to 127.0.0.1:%d" % port in err.value.msg
    assert "object at 0x" not in err.value.msg


@pytest.mark.parametrize("value,ok", [
    ("https://cloud.hostup.se/api/v2", True), ("http://127.0.0.1:8080/x", True),
    ("ftp://host/x", False), ("/relative/path", False), ("cloud.hostup.se/api", False),
    ("https://", False), ("javascript:alert(1)", False), ("https://host/x#frag", False)])
def test_url_check(value, ok):
    assert http.is_http_url(value) is ok


def test_path_segments_are_encoded():
    assert http.segment("a/../b?c#d") == "a%2F..%2Fb%3Fc%23d"


def test_repeats_count_only_retries_after_which_the_server_may_have_acted(sim, fast_backoff):
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=1)
    reply = client(sim).request("GET", "/vps")
    assert (reply.retries, reply.repeats) == (1, 0), "a 429 proves the server did nothing"
    sim.fault(api="hostup", kind="status", status=502, times=1)
    reply = client(sim).request("GET", "/vps")
    assert (reply.retries, reply.repeats) == (1, 1), "a 502 may come after the work was done"
    sim.fault(api="hostup", method="GET", kind="drop", when="after", times=1)
    reply = client(sim).request("GET", "/vps")
    assert (reply.retries, reply.repeats) == (1, 1), "a dropped answer may come after the work was done"


def test_repeats_reach_the_error(sim, fast_backoff):
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=1)
    sim.fault(api="hostup", kind="status", status=502, times=1)
    with pytest.raises(ApiError) as err:
        client(sim).request("GET", "/vps/vps_0000000000000000000000zzzz")
    assert err.value.status == 404 and (err.value.retries, err.value.repeats) == (2, 1)
