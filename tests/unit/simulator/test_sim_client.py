"""The control client users get with jobctl-cloud-sim (tests/simulator/client.py), against the
session's simulator: every method's route, PUT /_sim/state, and refusals as SimError."""

import socket

import pytest

from simulator.client import API_PATHS, SimClient, SimError

VSP_JOB = {"id": 301, "jobType": "BATCH_REPLICATE", "jobState": "EXECUTING", "bucketName": "b"}


@pytest.fixture
def client(sim):
    return SimClient(sim.url + "/")


def test_every_api_url_is_the_simulators(sim, client):
    assert sorted(API_PATHS) == sorted(sim.apis)
    for name in sim.apis:
        assert client.api_url(name) == sim.api_url(name)
    assert client.hostup_url == sim.api_url("hostup")
    assert client.health()["apis"] == {name: API_PATHS[name] for name in sim.apis}


def test_seed_state_and_reset(sim, client):
    assert client.reset("demo") == {"ok": True, "seed": "demo"}
    assert {j["jobId"]["id"] for j in client.state("vsp")["jobs"]} >= {101, -7}
    made = client.seed(vsp={"jobs": [VSP_JOB]})
    assert made["vsp"]["jobs"][0]["jobId"]["id"] == 301
    assert sorted(client.state()) == sorted(sim.apis)
    client.reset()
    assert client.state("vsp")["jobs"] == []


def test_set_state_replaces_one_apis_objects_and_keeps_the_rest(sim, client, hostup):
    client.reset("demo")
    bigchange_before = client.state("bigchange")
    client.fault(api="hostup", kind="status", status=503, times=-1)
    client.advance(60)
    assert hostup.get("/vps").status_code == 503

    client.set_state(vsp={"jobs": [VSP_JOB]})

    assert [j["jobId"]["id"] for j in client.state("vsp")["jobs"]] == [301], "the demo's VSP jobs are replaced"
    assert client.state("bigchange") == bigchange_before, "another API is left as it was"
    assert len(client.faults()) == 1 and client.get_clock()["offset"] == 60
    assert [e["status"] for e in client.requests()] == [503]
    # The accounts an API starts with are there again: the modules' default VSP client among them.
    clients = {c["client_id"] for c in sim.api("vsp").clients.values()}
    assert {"vsp-object-external-client", "admin-cli", "vsp-object-client"} <= clients


def test_faults_rate_limits_and_clock(client):
    rule = client.fault(api="vsp", path="/v1/jobs/cancel", kind="status", status=503, times=2)
    assert rule["id"] and rule["times"] == 2
    assert [f["id"] for f in client.faults()] == [rule["id"]]
    client.clear_faults()
    assert client.faults() == []
    assert client.rate_limit("hostup", 5, burst=2) == {"rate_limits": {"hostup": {"per_second": 5.0, "burst": 2.0}}}
    assert client.rate_limits() == {"hostup": {"per_second": 5.0, "burst": 2.0}}
    client.rate_limit("hostup", None)
    assert client.rate_limits() == {}
    before = client.get_clock()["now"]
    assert client.advance(3600)["offset"] == 3600
    assert client.get_clock()["now"] >= before + 3600


def test_the_log_through_the_client(sim, client, hostup):
    assert hostup.get("/vps").status_code == 200
    entries = client.requests("hostup")
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [("GET", "/hostup/api/v2/vps", 200)]
    assert entries[0]["headers"]["Authorization"] == "Bearer <redacted>"
    assert client.requests("hostup", since=entries[0]["seq"]) == []
    client.clear_requests()
    assert client.requests() == []


@pytest.mark.parametrize("call, status, words", [
    (lambda c: c.seed(nope={}), 400, "unknown API"),
    (lambda c: c.set_state(nope={}), 400, "unknown API"),
    (lambda c: c.fault(kind="nope"), 400, "kind must be one of"),
    (lambda c: c.state("nope"), 404, "unknown API"),
    (lambda c: c.advance(-1), 400, "only moves forward"),
    (lambda c: c.reset("nope"), 400, "seed must be one of"),
])
def test_a_refused_call_is_a_sim_error(client, call, status, words):
    with pytest.raises(SimError, match=words) as caught:
        call(client)
    assert caught.value.status == status and words in caught.value.answer["error"]


def test_a_proxy_in_the_environment_is_not_used(sim, monkeypatch):
    # A proxy that does not exist: a client that went through it would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert SimClient(sim.url).health()["ok"] is True


def test_wait_until_ready_gives_up_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(TimeoutError, match="no simulator answered at http://127.0.0.1:%d" % port):
            SimClient("http://127.0.0.1:%d" % port).wait_until_ready(timeout=0.3, interval=0.1)


def test_wait_until_ready_answers_the_health(sim):
    assert SimClient(sim.url).wait_until_ready()["ok"] is True
