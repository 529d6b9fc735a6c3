"""The simulator core: control API, request log, faults, rate limits, clock, binding, HTTP details."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from simulator import Simulator
from simulator.core import API_CLASSES, Request, Response, load_apis

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = "hostup-test-key"


def _vps(control, **spec):
    return control.seed(hostup={"vps": [spec]})["hostup"]["vps"][0]


# ------------------------------------------------------------------------------------ binding

@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com", "::", ""])
def test_refuses_non_loopback_host(host):
    with pytest.raises(ValueError, match="loopback"):
        Simulator(host=host)


def test_localhost_and_other_loopback_addresses_are_fine():
    with Simulator(host="localhost") as sim:
        assert sim.url.startswith("http://127.0.0.1:")
        assert requests.get(sim.url + "/_sim/health", timeout=5).json()["ok"] is True
    with Simulator(host="127.0.0.2") as sim:
        assert requests.get(sim.url + "/_sim/health", timeout=5).status_code == 200


def test_unknown_seed_is_refused():
    with pytest.raises(ValueError):
        Simulator(seed="full")


# ------------------------------------------------------------------------------------ control API

def test_health_lists_apis(control):
    body = control.get("/health")
    assert body["ok"] is True
    assert body["apis"]["hostup"] == "/hostup/api/v2"


def test_registry_is_loaded():
    names = [cls.name for cls in load_apis()]
    assert "hostup" in names
    assert len(names) == len(set(names)) == len(API_CLASSES)


def test_unknown_control_endpoint_and_method(sim, http):
    r = http.get(sim.url + "/_sim/nope")
    assert r.status_code == 404 and "error" in r.json()
    r = http.put(sim.url + "/_sim/reset")
    assert r.status_code == 405
    r = http.post(sim.url + "/_sim/seed", data="{not json")
    assert r.status_code == 400


def test_seed_state_reset(control, hostup):
    created = control.seed(hostup={"vps": [{"name": "alpha", "backups": {"count": 3}}]})
    vps = created["hostup"]["vps"][0]
    assert vps["name"] == "alpha" and len(vps["backups"]) == 3
    state = control.get("/state", api="hostup")
    assert [v["name"] for v in state["vps"]] == ["alpha"]
    assert set(control.get("/state")) >= {"hostup"}
    hostup.get("/vps")
    assert control.requests()
    control.fault(kind="status", status=500)
    control.post("/rate_limit", {"api": "hostup", "per_second": 5})
    control.advance(100)

    control.post("/reset")
    assert control.get("/state", api="hostup")["vps"] == []
    assert control.requests() == []
    assert control.get("/faults")["faults"] == []
    assert control.get("/rate_limit")["rate_limits"] == {}
    assert control.get("/clock")["offset"] == 0
    keys = {k["key"] for k in control.get("/state", api="hostup")["api_keys"]}
    assert keys == {"hostup-test-key", "hostup-readonly-key"}


def test_seed_unknown_api_is_400(sim, http):
    r = http.post(sim.url + "/_sim/seed", json={"nope": {}})
    assert r.status_code == 400 and "nope" in r.json()["error"]


def test_state_unknown_api_is_404(sim, http):
    assert http.get(sim.url + "/_sim/state", params={"api": "nope"}).status_code == 404


def test_reset_demo_seed(control):
    control.post("/reset", {"seed": "demo"})
    state = control.get("/state", api="hostup")
    assert len(state["vps"]) == 3
    jobs = [j for v in state["vps"] for j in v["active_jobs"]]
    assert sorted(j["jobType"] for j in jobs) == ["backup", "restore"]
    for v in state["vps"]:
        assert 4 <= len(v["backups"]) <= 8
        assert {b["backupType"] for b in v["backups"]} == {"manual", "scheduled"}
    # stable IDs from one reset to the next
    ids = [v["id"] for v in state["vps"]]
    control.post("/reset", {"seed": "demo"})
    assert [v["id"] for v in control.get("/state", api="hostup")["vps"]] == ids


def test_clock_advance(control):
    before = control.get("/clock")["now"]
    after = control.advance(3600)["now"]
    assert 3600 <= after - before < 3610
    assert control.get("/clock")["offset"] == 3600


def test_clock_refuses_going_back(sim, http):
    assert http.post(sim.url + "/_sim/clock", json={"advance": -5}).status_code == 400


# ------------------------------------------------------------------------------------ routing

def test_unknown_prefix_is_404_and_logged(sim, http, control):
    r = http.get(sim.url + "/nothing/here")
    # No API's router sees it: the web server in front answers with its own page, in no API's error form.
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "text/html" and "<h1>404 Not Found</h1>" in r.text
    log = control.requests()
    assert log[-1]["api"] is None and log[-1]["path"] == "/nothing/here"


def test_control_api_is_not_logged(control):
    control.get("/health")
    control.get("/state")
    assert control.requests() == []


def test_keep_alive_and_content_length(sim):
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        for dummy in range(3):  # same connection, three requests
            conn.request("GET", "/hostup/api/v2/vps", headers={"Authorization": "Bearer " + KEY, "User-Agent": "t"})
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200
            assert int(resp.getheader("Content-Length")) == len(body)
            assert resp.getheader("Connection") != "close"
        conn.request("DELETE", "/hostup/api/v2/vps/x/backups/y", headers={"Authorization": "Bearer " + KEY, "User-Agent": "t"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 404
    finally:
        conn.close()


def test_chunked_request_body(sim, control):
    vps = _vps(control, active_jobs=[{"jobType": "backup"}])
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        conn.request("DELETE", "/hostup/api/v2/vps/%s/active-jobs" % vps["id"], body=iter([b'{"jobType"', b': "backup"}']),
                     headers={"Authorization": "Bearer " + KEY, "User-Agent": "t", "Content-Type": "application/json"},
                     encode_chunked=True)
        resp = conn.getresponse()
        assert json.loads(resp.read()) == {"cancelled": True, "reason": None}
    finally:
        conn.close()


def test_request_and_response_objects():
    from simulator.core import Headers, InvalidJSON
    headers = Headers([("content-type", "application/x-www-form-urlencoded"), ("Cookie", "a=1"), ("cookie", "b=2")])
    req = Request("POST", "/hostup/api/v2/vps", "x=1&x=2&y=", headers, b"password=s3&user=u", prefix="/hostup")
    assert req.path == "/api/v2/vps"
    assert req.query == {"x": ["1", "2"], "y": [""]}
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.cookies == {"a": "1", "b": "2"}
    assert req.form() == {"password": "s3", "user": "u"}
    with pytest.raises(InvalidJSON):
        req.json()
    assert Request("GET", "/", "", Headers(), b"", "").json() is None
    resp = Response.json(201, {"a": 1}, {"X-A": "b"})
    assert resp.status == 201 and resp.body == b'{"a": 1}' and resp.header("content-type") == "application/json"
    assert Response.empty(204).body == b""


# ------------------------------------------------------------------------------------ request log

def test_request_log_shape_and_since(control, hostup):
    hostup.get("/vps", params={"limit": "5"})
    hostup.delete("/vps/vps_x/active-jobs", json={"jobType": "backup"})
    log = control.requests(api="hostup")
    assert [e["seq"] for e in log] == [1, 2]
    first = log[0]
    assert first["api"] == "hostup" and first["method"] == "GET" and first["path"] == "/hostup/api/v2/vps"
    assert first["query"] == {"limit": ["5"]} and first["status"] == 200 and first["fault"] is None
    assert isinstance(first["time"], float)
    assert log[1]["body"] == {"jobType": "backup"} and log[1]["status"] == 404
    assert [e["seq"] for e in control.requests(since=1)] == [2]
    control.delete("/requests")
    assert control.requests() == []


def test_request_log_redacts_secrets(control, hostup, sim, http):
    secret_key = "sk-live-very-secret-0123456789"
    control.seed(hostup={"api_keys": [{"key": secret_key, "scopes": ["read:vm"]}]})
    hostup.get("/vps", key=secret_key, headers={"Cookie": "session=abc123secret", "X-XSRF-TOKEN": "xsrf-secret"})
    http.post(sim.url + "/hostup/api/v2/vps", headers={"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
              data={"grant_type": "password", "username": "u", "password": "pw-secret",
                    "client_secret": "cs-secret", "refresh_token": "rt-secret"})
    http.post(sim.url + "/hostup/api/v2/vps", headers={"Authorization": "justatoken"}, json={"password": "json-secret"})
    raw = json.dumps(control.requests())
    for secret in (secret_key, "abc123secret", "xsrf-secret", "dXNlcjpwYXNzd29yZA==", "pw-secret", "cs-secret",
                   "rt-secret", "json-secret", "justatoken"):
        assert secret not in raw
    log = control.requests()
    assert log[0]["headers"]["Authorization"] == "Bearer <redacted>"
    assert log[0]["headers"]["Cookie"] == "<redacted>"
    assert log[0]["headers"]["X-XSRF-TOKEN"] == "<redacted>"
    assert log[1]["headers"]["Authorization"] == "Basic <redacted>"
    assert log[1]["body"] == {"grant_type": "password", "username": "u", "password": "<redacted>",
                              "client_secret": "<redacted>", "refresh_token": "<redacted>"}
    assert log[2]["headers"]["Authorization"] == "<redacted>"
    assert log[2]["body"] == {"password": "<redacted>"}


# ------------------------------------------------------------------------------------ faults

def test_fault_status_with_retry_after(control, hostup):
    rule = control.fault(api="hostup", kind="status", status=503, retry_after=7)
    assert rule["id"] >= 1 and rule["times"] == 1
    r = hostup.get("/vps")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "7"
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "service_unavailable" and r.json()["status"] == 503
    assert hostup.get("/vps").status_code == 200  # times: 1 is used up
    log = control.requests()
    assert [(e["status"], e["fault"]) for e in log] == [(503, "status"), (200, None)]


def test_fault_rate_limit_kind(control, hostup):
    control.fault(kind="rate_limit", retry_after=3)
    r = hostup.get("/vps")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "3"
    assert r.json()["code"] == "rate_limit_exceeded"
    for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert h in r.headers
    assert r.headers["X-RateLimit-Remaining"] == "0"


def test_fault_matching_by_method_path_and_times(control, hostup):
    vps = _vps(control, backups={"count": 2})
    control.fault(api="hostup", method="DELETE", path=r"/backups/", kind="status", status=502, times=2)
    assert hostup.get("/vps/%s/backups" % vps["id"]).status_code == 200  # GET: no match
    bid = vps["backups"][0]["id"]
    assert hostup.delete("/vps/%s/backups/%s" % (vps["id"], bid)).status_code == 502
    assert hostup.delete("/vps/%s/backups/%s" % (vps["id"], bid)).status_code == 502
    assert hostup.delete("/vps/%s/backups/%s" % (vps["id"], bid)).status_code == 204
    rules = control.get("/faults")["faults"]
    assert rules[0]["times"] == 0 and rules[0]["hits"] == 2


def test_fault_forever_and_clear(control, hostup):
    control.fault(kind="status", status=500, times=-1)
    assert [hostup.get("/vps").status_code for dummy in range(4)] == [500] * 4
    control.delete("/faults")
    assert hostup.get("/vps").status_code == 200


def test_fault_for_another_api_does_not_match(sim, http, control, hostup):
    control.fault(api="hostup", kind="status", status=500, path="^/nothing")
    assert hostup.get("/vps").status_code == 200


def test_fault_first_matching_rule_wins(control, hostup):
    control.fault(kind="status", status=502)
    control.fault(kind="status", status=504)
    assert [hostup.get("/vps").status_code for dummy in range(3)] == [502, 504, 200]


def test_fault_invalid_rules(sim, http):
    for rule in ({"kind": "explode"}, {}, {"kind": "status", "when": "later"}, {"kind": "status", "api": "nope"},
                 {"kind": "status", "path": "("}, {"kind": "status", "times": 0}, {"kind": "status", "colour": 1}):
        assert http.post(sim.url + "/_sim/faults", json=rule).status_code == 400, rule


def test_fault_when_after_changes_state_but_loses_the_answer(control, hostup):
    vps = _vps(control, backups={"count": 2})
    bid = vps["backups"][0]["id"]
    control.fault(method="DELETE", kind="status", status=502, when="after")
    r = hostup.delete("/vps/%s/backups/%s" % (vps["id"], bid))
    assert r.status_code == 502
    state = control.get("/state", api="hostup")
    assert bid not in [b["id"] for b in state["vps"][0]["backups"]]  # it WAS deleted
    entry = control.requests()[-1]
    assert entry["fault"] == "status" and entry["status"] == 502 and entry["handled_status"] == 204
    # a retry now sees 404: the test proves the client must not count on repeating it
    assert hostup.delete("/vps/%s/backups/%s" % (vps["id"], bid)).status_code == 404


def test_fault_restatus_after_acts_and_answers_the_real_body_under_another_2xx(control, hostup):
    vps = _vps(control, active_jobs=[{"jobType": "backup"}])
    control.fault(kind="restatus", method="DELETE", status=202, when="after")
    r = hostup.delete("/vps/%s/active-jobs" % vps["id"], json={"jobType": "backup"})
    assert r.status_code == 202 and r.json()["cancelled"] is True
    entry = control.requests()[-1]
    assert entry["fault"] == "restatus" and entry["handled_status"] == 200 and entry["acted"]
    # before: that status, no body, nothing done
    vps = _vps(control, active_jobs=[{"jobType": "backup"}])
    control.fault(kind="restatus", method="DELETE", status=204)
    r = hostup.delete("/vps/%s/active-jobs" % vps["id"], json={"jobType": "backup"})
    assert r.status_code == 204 and r.content == b""
    assert not control.requests()[-1]["acted"]
    r = hostup.delete("/vps/%s/active-jobs" % vps["id"], json={"jobType": "backup"})
    assert r.json()["cancelled"] is True


def test_fault_slow(control, hostup):
    control.fault(kind="slow", delay=0.3)
    start = time.monotonic()
    r = hostup.get("/vps")
    assert r.status_code == 200 and r.json()["data"] == []
    assert time.monotonic() - start >= 0.3
    with pytest.raises(requests.exceptions.ReadTimeout):
        control.fault(kind="slow", delay=0.5)
        hostup.s.get(hostup.base + "/vps", headers={"Authorization": "Bearer " + KEY}, timeout=0.1)


def test_fault_drop(control, hostup):
    control.fault(kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        hostup.get("/vps")
    assert hostup.get("/vps").status_code == 200
    log = control.requests()
    assert log[0]["fault"] == "drop" and log[0]["status"] is None


def test_fault_drop_after_handling(control, hostup):
    vps = _vps(control, active_jobs=[{"jobType": "backup"}])
    control.fault(kind="drop", method="DELETE", when="after")
    with pytest.raises(requests.exceptions.ConnectionError):
        hostup.delete("/vps/%s/active-jobs" % vps["id"], json={"jobType": "backup"})
    r = hostup.delete("/vps/%s/active-jobs" % vps["id"], json={"jobType": "backup"})
    assert r.json() == {"cancelled": False, "reason": "No active backup job was found to cancel."}


def test_fault_drop_mid_body(control, hostup):
    _vps(control, name="a")
    control.fault(kind="drop_mid_body", when="after")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        hostup.get("/vps")
    control.fault(kind="drop_mid_body")  # before: a made-up body, cut
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        hostup.get("/vps")
    assert hostup.get("/vps").status_code == 200


def test_fault_drop_mid_body_raw(sim, control):
    control.fault(kind="drop_mid_body")
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        conn.request("GET", "/hostup/api/v2/vps", headers={"Authorization": "Bearer " + KEY, "User-Agent": "t"})
        resp = conn.getresponse()
        declared = int(resp.getheader("Content-Length"))
        with pytest.raises(http.client.IncompleteRead) as err:
            resp.read()
        assert 0 < len(err.value.partial) < declared
    finally:
        conn.close()


@pytest.mark.parametrize("when", ["before", "after"])
def test_fault_malformed(control, hostup, when):
    _vps(control, name="a")
    control.fault(kind="malformed", when=when)
    r = hostup.get("/vps")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.content
    with pytest.raises(ValueError):
        json.loads(r.text)


def test_fault_html(control, hostup):
    control.fault(kind="html")
    r = hostup.get("/vps")
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    assert "<center>nginx</center>" in r.text and "502 Bad Gateway" in r.text
    control.fault(kind="html", status=504)
    r = hostup.get("/vps")
    assert r.status_code == 504 and "504 Gateway Timeout" in r.text


def test_fault_empty(control, hostup):
    control.fault(kind="empty")
    r = hostup.get("/vps")
    assert r.status_code == 200 and r.content == b"" and r.headers["Content-Length"] == "0"
    assert r.headers["Content-Type"] == "application/json"
    control.fault(kind="empty", status=503)
    assert hostup.get("/vps").status_code == 503


def test_fault_wrong_shape(control, hostup):
    control.fault(kind="wrong_shape")
    r = hostup.get("/vps")
    assert r.status_code == 200 and r.json() == {"unexpected": True}


def test_fault_delay_applies_to_other_kinds(control, hostup):
    control.fault(kind="status", status=503, delay=0.2)
    start = time.monotonic()
    assert hostup.get("/vps").status_code == 503
    assert time.monotonic() - start >= 0.2


# ------------------------------------------------------------------------------------ rate limiting

def test_rate_limit_token_bucket(control, hostup):
    control.post("/rate_limit", {"api": "hostup", "per_second": 2})
    codes = [hostup.get("/vps") for dummy in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    ok, limited = codes[0], codes[2]
    assert ok.headers["X-RateLimit-Limit"] == "2"
    body = limited.json()
    assert body["code"] == "rate_limit_exceeded" and body["status"] == 429
    assert limited.headers["Content-Type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"].endswith("Z")
    assert control.requests()[-1]["rate_limited"] is True
    # the bucket refills with the simulated clock: no sleeping
    control.advance(1)
    assert hostup.get("/vps").status_code == 200


def test_rate_limit_retry_after_rounds_up(control, hostup):
    control.post("/rate_limit", {"api": "hostup", "per_second": 0.2})
    assert hostup.get("/vps").status_code == 200
    r = hostup.get("/vps")
    assert r.status_code == 429 and 4 <= int(r.headers["Retry-After"]) <= 5


def test_rate_limit_disable(control, hostup):
    control.post("/rate_limit", {"api": "hostup", "per_second": 1})
    hostup.get("/vps")
    assert hostup.get("/vps").status_code == 429
    control.post("/rate_limit", {"api": "hostup", "per_second": None})
    assert hostup.get("/vps").status_code == 200
    assert "X-RateLimit-Limit" not in hostup.get("/vps").headers


# ------------------------------------------------------------------------------------ command line

def test_command_line_port_file_and_sigterm(tmp_path):
    port_file = tmp_path / "port"
    env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "--port", "0", "--seed", "demo",
                             "--port-file", str(port_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        port = int(port_file.read_text())
        base = "http://127.0.0.1:%d" % port
        assert requests.get(base + "/_sim/health", timeout=5).json()["ok"] is True
        r = requests.get(base + "/hostup/api/v2/vps", headers={"Authorization": "Bearer " + KEY}, timeout=5)
        assert len(r.json()["data"]) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert b"/hostup/api/v2" in out
    assert err == b""  # quiet without --verbose


def test_command_line_refuses_public_host():
    env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    proc = subprocess.run([sys.executable, "-m", "simulator", "--host", "0.0.0.0", "--port", "0"],
                          env=env, capture_output=True, timeout=10, check=False)
    assert proc.returncode != 0 and b"loopback" in proc.stderr


def test_port_in_use_is_an_error(sim):
    with pytest.raises(OSError):
        Simulator(port=sim.port).start()


def test_stop_releases_port():
    sim = Simulator().start()
    port = sim.port
    sim.stop()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


def test_route_table_and_decorator_dispatch():
    """Plugins may declare routes as a table or with @route; 404/405 come from the plugin's error()."""
    from simulator.core import API, Headers, route

    class Toy(API):
        name, prefix, base = "toy", "/toy", "/v1"
        routes = [("GET", r"/things/(?P<thing_id>[^/]+)", "get_thing")]

        def get_thing(self, req, thing_id):
            return Response.json(200, {"id": thing_id})

        @route("PUT", r"/things/(?P<thing_id>[^/]+)/cancel")
        def cancel(self, req, thing_id):
            return Response.empty(204)

    toy = Toy(sim=None)

    def call(method, path):
        return toy.handle(Request(method, path, "", Headers(), b"", prefix="/toy"))

    assert json.loads(call("GET", "/toy/v1/things/a%2Fb").body) == {"id": "a/b"}
    assert call("HEAD", "/toy/v1/things/x").status == 200
    assert call("PUT", "/toy/v1/things/x/cancel").status == 204
    resp = call("POST", "/toy/v1/things/x/cancel")
    assert resp.status == 405 and resp.header("Allow") == "PUT"
    assert call("GET", "/toy/v2/things/x").status == 404
    assert call("GET", "/toy/v1/nothing").status == 404
