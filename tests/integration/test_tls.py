"""TLS verification, run by ansible-playbook against the simulator in https mode.

The simulator's certificate is signed by a CA it makes at start, which nothing trusts by default.
So every module must refuse it (validate_certs defaults to true) after ONE handshake: a refused
certificate is permanent and is never retried. It must work once told to trust that CA with
``ca_path``, or with ``validate_certs: false``. Refused handshakes never reach the simulator's
request log, so they are counted by the simulator itself (``tls_refused`` in /_sim/health).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from simulator.core import Simulator

KEY = "hostup-test-key"
TESTS = Path(__file__).resolve().parent.parent


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
        deadline = time.monotonic() + 2
        while True:
            count = self._call("GET", "/health")["tls_refused"]
            if count >= expected or time.monotonic() > deadline:
                return count
            time.sleep(0.05)

    def api_url(self, name):
        return self.url + self._call("GET", "/health")["apis"][name]


@pytest.fixture
def tls(https_simulator):
    control = TlsControl(https_simulator)
    control.reset()
    return control


# One task per module, each needing the fewest requests that show it can talk to the API.
def hostup_tasks(tls):
    vps = tls.seed(hostup={"vps": [{"name": "web-1", "active_jobs": [{"jobType": "backup", "duration": 600}],
                                    "backups": {"count": 2}}]})["hostup"]["vps"][0]
    vid, backup = vps["id"], vps["backups"][0]["id"]
    return [
        ("vps_active_job_info", {"vps_id": vid}),
        ("vps_active_job", {"vps_id": vid, "job_type": "backup"}),
        ("vps_backup_info", {"vps_id": vid}),
        ("vps_backup", {"vps_id": vid, "backup_id": backup, "state": "absent"}),
        ("vps_backup_retention", {"vps_ids": [vid], "keep_last": 1}),
    ]


def hostup_defaults(tls, key=KEY, **http):
    options = {"api_url": tls.api_url("hostup"), "api_token": key}
    options.update(http)
    return {"group/jobctl.cloud.hostup": options}


def as_play(module_args):
    return [{"name": module, "jobctl.cloud.%s" % module: args, "ignore_errors": True}
            for module, args in module_args]


def assert_secret_not_shown(run, secret):
    assert secret not in run.stdout and secret not in run.stderr
    assert secret not in str(run.results)


def test_verification_is_on_by_default_and_a_refused_certificate_is_not_retried(tls, play):
    secret = "hostup-tls-secret-refused-5d81c0a7"
    tls.seed(hostup={"api_keys": [{"key": secret, "scopes": ["read:vm", "backup:vm"]}]})
    modules = hostup_tasks(tls)
    # Default retries (5), so a retried refusal would show as more than one handshake per module.
    result = play(as_play(modules), defaults=hostup_defaults(tls, key=secret), verbosity=3)
    netloc = tls.url.split("://", 1)[1]
    for module, dummy in modules:
        out = result.task(module)
        assert result.status(module) == "failed", (module, out)
        assert "the TLS certificate of %s was refused" % netloc in out["msg"], (module, out["msg"])
        assert "ca_path" in out["msg"] and "validate_certs" in out["msg"], out["msg"]
        assert "retries" not in out["msg"], out["msg"]
        assert out["changed"] is False, module
    assert tls.requests() == [], "no request may get through an untrusted certificate"
    assert tls.refused(len(modules)) == len(modules), "one handshake per module: no retry"
    assert_secret_not_shown(result, secret)


def test_ca_path_trusts_the_simulators_ca(tls, play):
    secret = "hostup-tls-secret-trusted-93be4f12"
    tls.seed(hostup={"api_keys": [{"key": secret, "scopes": ["read:vm", "backup:vm"]}]})
    modules = hostup_tasks(tls)
    result = play(as_play(modules), defaults=hostup_defaults(tls, key=secret, ca_path=tls.ca_file), verbosity=3)
    for module, dummy in modules:
        assert result.status(module) == "ok", (module, result.task(module))
    assert result.task("vps_active_job")["changed"] is True
    assert len(tls.state("hostup")["vps"][0]["backups"]) == 1, "the backup was deleted over TLS"
    assert tls.refused(0) == 0
    # The key did travel (the simulator logs it redacted), so the check below could have failed.
    assert all(r["headers"].get("Authorization") == "Bearer <redacted>" for r in tls.requests("hostup"))
    assert_secret_not_shown(result, secret)


def test_validate_certs_false_talks_to_a_self_signed_server(tls, play):
    modules = hostup_tasks(tls)
    result = play(as_play(modules), defaults=hostup_defaults(tls, validate_certs=False))
    for module, dummy in modules:
        assert result.status(module) == "ok", (module, result.task(module))
    assert result.task("vps_active_job")["changed"] is True
    assert result.task("vps_backup")["changed"] is True
    assert len(tls.requests("hostup")) >= len(modules)
    assert tls.refused(0) == 0


def test_ca_path_to_another_ca_is_refused(tls, play):
    other = Simulator(tls=True)  # never started: only its CA is wanted, which did not sign our server
    modules = hostup_tasks(tls)[:1]
    result = play(as_play(modules), defaults=hostup_defaults(tls, ca_path=other.ca_file))
    out = result.task(modules[0][0])
    assert result.status(modules[0][0]) == "failed"
    assert "certificate" in out["msg"] and "was refused" in out["msg"], out["msg"]
    assert tls.refused(1) == 1 and tls.requests() == []


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


# The other APIs: the same client, reached through their own sign-in first (Cloud Foundry's GET /,
# the VSP and BigChange token requests), so the first request of each module is refused.
OTHER_APIS = {
    "cloudfoundry": (
        lambda url: {"api_url": url + "/cf", "username": "admin", "password": "admin-secret"},
        [("cf_task_info", {"names": ["nightly"]}), ("cf_task", {"guid": "6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f"})],
    ),
    "vsp": (
        lambda url: {"api_url": url + "/vsp/mapi", "username": "vsp-admin", "password": "vsp-secret",
                     "token_url": url + "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"},
        [("vsp_job_info", {"job_id": 4242}), ("vsp_job", {"job_id": 4242})],
    ),
    "bigchange": (
        lambda url: {"api_url": url + "/bigchange/v1", "token_url": url + "/bigchange/auth/tokens",
                     "customer_id": 1001, "client_id": "bigchange-client", "client_secret": "bigchange-secret"},
        [("bigchange_job_info", {"job_id": 987654}), ("bigchange_job", {"job_id": 987654, "reason": "TLS test"})],
    ),
}


@pytest.mark.parametrize("api", sorted(OTHER_APIS))
def test_other_apis_refuse_an_untrusted_certificate_once(tls, play, api):
    options, modules = OTHER_APIS[api]
    result = play(as_play(modules), defaults={"group/jobctl.cloud.%s" % api: options(tls.url)})
    for module, dummy in modules:
        out = result.task(module)
        assert result.status(module) == "failed", (module, out)
        assert "certificate" in out["msg"] and "was refused" in out["msg"], (module, out["msg"])
        assert "retries" not in out["msg"], out["msg"]
    assert tls.requests() == []
    assert tls.refused(len(modules)) == len(modules), "one handshake per module: no retry"


@pytest.mark.parametrize("api", ["cloudfoundry", "vsp", "bigchange"])
def test_other_apis_trust_ca_path(tls, play, api):
    options, modules = OTHER_APIS[api]
    info, args = modules[0]
    defaults = {"group/jobctl.cloud.%s" % api: dict(options(tls.url), ca_path=tls.ca_file)}
    result = play(as_play([(info, args)]), defaults=defaults)
    assert result.status(info) == "ok", result.task(info)["msg"]
    assert result.task(info)["changed"] is False
    assert tls.requests(api), "the requests went through"
    assert tls.refused(0) == 0
