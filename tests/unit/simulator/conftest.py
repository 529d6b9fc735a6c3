"""Fixtures for the simulator's own tests: the session's in-process simulator (tests/conftest.py),
reset per test, as the object itself rather than its control client."""

import pytest
import requests


@pytest.fixture
def sim(simulator):
    """The session's simulator, reset to the empty seed (default keys only)."""
    simulator.reset("empty")
    return simulator


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


class Control:
    """Tiny client of the /_sim control API."""

    def __init__(self, sim, session):
        self.url = sim.url + "/_sim"
        self.s = session

    def _ok(self, resp):
        assert resp.status_code == 200, resp.text
        return resp.json()

    def get(self, path, **params):
        return self._ok(self.s.get(self.url + path, params=params))

    def post(self, path, body=None):
        return self._ok(self.s.post(self.url + path, json=body))

    def delete(self, path):
        return self._ok(self.s.delete(self.url + path))

    def fault(self, **rule):
        return self.post("/faults", rule)

    def seed(self, **apis):
        return self.post("/seed", apis)

    def requests(self, **params):
        return self.get("/requests", **params)["requests"]

    def advance(self, seconds):
        return self.post("/clock", {"advance": seconds})


@pytest.fixture
def control(sim, http):
    return Control(sim, http)


class HostUp:
    """Minimal HostUp client for the tests: base URL, bearer key, a requests session."""

    def __init__(self, sim, session, key="hostup-test-key"):
        self.base = sim.api_url("hostup")
        self.s = session
        self.key = key

    def request(self, method, path, key=None, **kw):
        headers = kw.pop("headers", {})
        use = self.key if key is None else key
        if use:
            headers.setdefault("Authorization", "Bearer %s" % use)
        return self.s.request(method, self.base + path, headers=headers, timeout=5, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def hostup(sim, http):
    return HostUp(sim, http)
