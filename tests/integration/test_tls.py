"""TLS verification: every module of every API against the simulator in https mode.

The simulator's certificate is signed by a CA it makes at start, which nothing trusts by default.
So every module must refuse it (validate_certs defaults to true) after ONE handshake: a refused
certificate is permanent and is never retried. It must work once told to trust that CA with
``ca_path``, or with ``validate_certs: false``. Refused handshakes never reach the simulator's
request log, so they are counted by the simulator itself (``tls_refused`` in /_sim/health).

Verifying a certificate is the module's own client's work, so each module runs in this process
(tests/runner.py) against an https simulator this process serves; the modules and how to seed
their objects come from the registry (tests/registry.py), so a module added there is tried here.
Only the simulator's own command line is a subprocess (that is what it tests).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from registry import APIS, MODULES
from runner import run_module
from simulator.core import Simulator

TESTS = Path(__file__).resolve().parent.parent
# A handshake the server counts after the client hung up may be counted a moment late: this long
# after the expected count is reached, a retried handshake would have been counted too.
SETTLE = 0.3


@pytest.fixture(scope="module")
def https_simulator():
    sim = Simulator(tls=True).start()
    yield sim
    sim.stop()


class TlsControl:
    """The https simulator's control API, spoken by a client that trusts its CA."""

    def __init__(self, sim):
        self.url = sim.url
        self.ca_file = sim.ca_file
        self.http = requests.Session()

    def _call(self, method, path, **kwargs):
        # Per request: a session-wide verify loses to REQUESTS_CA_BUNDLE in the environment.
        response = self.http.request(method, self.url + "/_sim" + path, timeout=10, verify=self.ca_file, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self):
        self._call("POST", "/reset", json={"seed": "empty"})

    def seed(self, **apis):
        return self._call("POST", "/seed", json=apis)

    def state(self, api):
        return self._call("GET", "/state", params={"api": api})

    def requests(self, api=None):
        return self._call("GET", "/requests", params={"api": api} if api else {})["requests"]

    def refused(self, expected):
        """Refused handshakes. The server counts one just after the client has hung up, so give
        the count a moment (bounded) to reach ``expected`` before reading it."""
        deadline = time.monotonic() + 5
        while True:
            count = self._call("GET", "/health")["tls_refused"]
            if count >= expected or time.monotonic() > deadline:
                return count
            time.sleep(0.05)

    def refused_settled(self, expected):
        """The count once it reached ``expected`` and stayed there a moment (a retry would add to it)."""
        self.refused(expected)
        time.sleep(SETTLE)
        return self.refused(expected)


@pytest.fixture
def tls(https_simulator):
    control = TlsControl(https_simulator)
    control.reset()
    return control


def run_over_tls(tls, name, **http):
    """Seed the module's object on the https simulator, run the module with its API's credentials and ``http``."""
    module = MODULES[name]
    obj = module.seed(tls, 1)[0]
    options = dict(APIS[module.api].options(tls.url), **http)
    out = run_module(name, module.args(obj), defaults={APIS[module.api].group: options})
    return module, obj, out


def assert_no_secret_shown(out, module):
    text = json.dumps(out, ensure_ascii=False)
    for secret in module.secrets:
        assert secret not in text, (module.name, "a secret shows in the result")


def assert_worked(tls, module, obj, out):
    assert not out.get("failed"), (module.name, out.get("msg"))
    assert out["changed"] is module.changed, (module.name, out)
    assert module.check(out, obj) == [], module.check(out, obj)
    if module.changed:
        assert module.applied(tls.state(module.api), obj), "%s: the change is not in the API's state" % module.name
    assert_no_secret_shown(out, module)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_verification_is_on_by_default_and_a_refused_certificate_is_not_retried(tls, name):
    # Default retries (5), so a retried refusal would show as more than one handshake.
    module, obj, out = run_over_tls(tls, name)
    netloc = tls.url.split("://", 1)[1]
    assert out.get("failed") is True, (name, out)
    assert "the TLS certificate of %s was refused" % netloc in out["msg"], (name, out["msg"])
    assert "ca_path" in out["msg"] and "validate_certs" in out["msg"], out["msg"]
    assert "retries" not in out["msg"], out["msg"]
    assert out["changed"] is False, name
    assert tls.requests() == [], "no request may get through an untrusted certificate"
    assert tls.refused_settled(1) == 1, "one handshake per module: no retry"
    assert_no_secret_shown(out, module)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_ca_path_trusts_the_simulators_ca(tls, name):
    module, obj, out = run_over_tls(tls, name, ca_path=tls.ca_file)
    assert_worked(tls, module, obj, out)
    assert tls.refused_settled(0) == 0
    sent = tls.requests(module.api)
    assert sent, "the requests went through"
    # The credentials did travel (the simulator logs them redacted), so the secret check could have failed.
    carried = [r for r in sent if r["headers"].get("Authorization")]
    assert carried, "no request carried credentials"
    assert all(r["headers"]["Authorization"].endswith("<redacted>") for r in carried)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_validate_certs_false_talks_to_a_self_signed_server_with_one_warning(tls, name):
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        module, obj, out = run_over_tls(tls, name, validate_certs=False)
    assert_worked(tls, module, obj, out)
    assert len(tls.requests(module.api)) >= 1
    assert tls.refused_settled(0) == 0
    # One Ansible warning of the run, not urllib3's InsecureRequestWarning for every request (issue 21).
    assert [w for w in out.get("warnings", []) if "validate_certs is false" in w] == [
        "validate_certs is false: the TLS certificate of %s is not verified, so anyone on the way can read and "
        "change what is sent, credentials included. Trust its CA with ca_path instead." % tls.url.split("//")[1]]
    assert not [w for w in seen if "Unverified HTTPS request" in str(w.message)], [str(w.message) for w in seen]


@pytest.fixture(scope="module")
def other_ca():
    # Never started: only its CA is wanted, which did not sign our server. Held for the module's
    # tests: its certificates live in a directory that goes with it.
    other = Simulator(tls=True)
    yield other.ca_file
    del other


@pytest.mark.parametrize("name", sorted(MODULES))
def test_ca_path_to_another_ca_is_refused(tls, other_ca, name):
    module, obj, out = run_over_tls(tls, name, ca_path=other_ca)
    assert out.get("failed") is True, (name, out)
    assert "certificate" in out["msg"] and "was refused" in out["msg"], out["msg"]
    assert out["changed"] is False
    assert tls.refused_settled(1) == 1 and tls.requests() == []


FIRST_MODULE_OF = dict((api, min(n for n in MODULES if MODULES[n].api == api)) for api in APIS)


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_ca_path_that_names_no_file_fails_naming_it(tls, tmp_path, api):
    module, obj, out = run_over_tls(tls, FIRST_MODULE_OF[api], ca_path=str(tmp_path / "no-such-ca.pem"))
    assert out.get("failed") is True
    assert "MODULE FAILURE" not in out["msg"] and "exception" not in out, out["msg"]
    assert "ca_path" in out["msg"], out["msg"]
    assert out["changed"] is False and tls.requests() == []


def test_every_api_is_tried():
    assert set(MODULES[name].api for name in MODULES) == set(APIS)


def test_simulator_command_line_serves_https_and_writes_its_ca(tmp_path):
    port_file, ca_file = tmp_path / "port", tmp_path / "ca.pem"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--tls", "--port-file", str(port_file),
         "--ca-file", str(ca_file)],
        cwd=str(TESTS), env=dict(os.environ, PYTHONPATH=str(TESTS)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert port_file.exists(), proc.communicate(timeout=5)[0] if proc.poll() is not None else "no port file"
        url = "https://127.0.0.1:%d/_sim/health" % int(port_file.read_text())
        assert requests.get(url, timeout=5, verify=str(ca_file)).json()["ok"] is True
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(url, timeout=5)
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
