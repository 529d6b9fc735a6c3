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

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from harness import SimClient
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


class TlsControl(SimClient):
    """The https simulator's control API (the tests' SimClient trusts its CA, and presents the client
    certificate a simulator that requires one accepts), and its count of refused handshakes."""

    def refused(self, expected):
        """Refused handshakes. The server counts one just after the client has hung up, so give
        the count a moment (bounded) to reach ``expected`` before reading it."""
        deadline = time.monotonic() + 5
        while True:
            count = self.health()["tls_refused"]
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


# -- client certificates (mutual TLS) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def mtls_simulator():
    sim = Simulator(tls=True, client_certs=True).start()
    yield sim
    sim.stop()


@pytest.fixture
def mtls(mtls_simulator):
    control = TlsControl(mtls_simulator)
    control.reset()
    return control


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_client_certificate_the_server_trusts_is_accepted(mtls, name):
    certs = mtls.client_certs
    module, obj, out = run_over_tls(mtls, name, ca_path=mtls.ca_file, client_cert=certs["cert"],
                                    client_key=certs["key"])
    assert_worked(mtls, module, obj, out)
    assert mtls.refused_settled(0) == 0
    assert mtls.requests(module.api), "the requests went through"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_without_a_client_certificate_the_refusal_says_one_is_required_after_one_handshake(mtls, name):
    module, obj, out = run_over_tls(mtls, name, ca_path=mtls.ca_file)
    assert out.get("failed") is True, (name, out)
    prefix = module.api.upper() if module.api != "cloudfoundry" else "CF"
    assert "refused the TLS handshake: it requires a client certificate" in out["msg"], out["msg"]
    assert "client_cert (or %s_CLIENT_CERT) and client_key (or %s_CLIENT_KEY)" % (prefix, prefix) in out["msg"], \
        out["msg"]
    assert "retries" not in out["msg"], out["msg"]
    assert out["changed"] is False
    assert mtls.requests() == []
    assert mtls.refused_settled(1) == 1, "one handshake per module: a refusal is not retried"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_client_certificate_of_another_ca_is_refused_naming_it(mtls, name):
    certs = mtls.client_certs
    module, obj, out = run_over_tls(mtls, name, ca_path=mtls.ca_file, client_cert=certs["wrong_cert"],
                                    client_key=certs["wrong_key"])
    assert out.get("failed") is True, (name, out)
    assert "refused the client certificate %s" % certs["wrong_cert"] in out["msg"], out["msg"]
    assert "unknown ca" in out["msg"].lower(), out["msg"]
    assert mtls.requests() == [] and mtls.refused_settled(1) == 1
    assert_no_secret_shown(out, module)


ENV_PREFIX = {"hostup": "HOSTUP", "cloudfoundry": "CF", "vsp": "VSP", "bigchange": "BIGCHANGE"}


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_tls_files_come_from_the_apis_environment_variables(mtls, api):
    prefix = ENV_PREFIX[api]
    module = MODULES[FIRST_MODULE_OF[api]]
    obj = module.seed(mtls, 1)[0]
    env = {prefix + "_CA_PATH": mtls.ca_file, prefix + "_CLIENT_CERT": mtls.client_certs["cert"],
           prefix + "_CLIENT_KEY": mtls.client_certs["key"]}
    out = run_module(module.name, module.args(obj), defaults={APIS[api].group: APIS[api].options(mtls.url)}, env=env)
    assert_worked(mtls, module, obj, out)


def test_a_client_certificate_file_that_also_holds_its_key_is_enough(mtls, tmp_path):
    both = tmp_path / "both.pem"
    both.write_bytes(Path(mtls.client_certs["cert"]).read_bytes() + Path(mtls.client_certs["key"]).read_bytes())
    module, obj, out = run_over_tls(mtls, "vps_backup_info", ca_path=mtls.ca_file, client_cert=str(both))
    assert_worked(mtls, module, obj, out)


def _encrypted_copy(key_file, path):
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(Path(key_file).read_bytes(), None)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"key-passphrase")))
    return str(path)


def test_tls_files_that_cannot_be_used_fail_before_any_request_naming_the_option(mtls, tmp_path):
    certs = mtls.client_certs
    cases = [
        (dict(client_cert=str(tmp_path / "none.pem"), client_key=certs["key"]), "client_cert %s does not exist"
         % (tmp_path / "none.pem")),
        (dict(client_cert=certs["cert"], client_key=str(tmp_path / "none.pem")), "client_key %s does not exist"
         % (tmp_path / "none.pem")),
        (dict(client_key=certs["key"]), "client_key is set without client_cert"),
        (dict(client_cert=certs["cert"]), "client_cert %s holds no private key" % certs["cert"]),
        (dict(client_cert=certs["key"], client_key=certs["key"]), "client_cert %s holds no PEM certificate"
         % certs["key"]),
        (dict(client_cert=certs["cert"], client_key=certs["wrong_key"]), "client_key %s is not the private key of "
         "client_cert" % certs["wrong_key"]),
        (dict(client_cert=certs["cert"], client_key=_encrypted_copy(certs["key"], tmp_path / "enc.pem")),
         "is an encrypted private key, which the collection cannot use"),
        (dict(client_cert=str(tmp_path)), "client_cert %s is not a file" % tmp_path),
    ]
    key_text = Path(certs["key"]).read_text()
    for options, expected in cases:
        module, obj, out = run_over_tls(mtls, "vps_backup_info", ca_path=mtls.ca_file, **options)
        assert out.get("failed") is True, (options, out)
        assert expected in out["msg"], (options, out["msg"])
        assert "MODULE FAILURE" not in out["msg"] and "exception" not in out, out
        assert key_text.splitlines()[1] not in json.dumps(out), "the key's content shows"
    assert mtls.requests() == [] and mtls.refused_settled(0) == 0


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_client_cert_that_names_no_file_fails_naming_the_option_for_every_api(mtls, tmp_path, api):
    module, obj, out = run_over_tls(mtls, FIRST_MODULE_OF[api], ca_path=mtls.ca_file,
                                    client_cert=str(tmp_path / "gone.pem"))
    assert out.get("failed") is True and "client_cert" in out["msg"], out
    assert mtls.requests() == []


def test_every_api_is_tried():
    assert set(MODULES[name].api for name in MODULES) == set(APIS)


@contextlib.contextmanager
def command_line(tmp_path, *args):
    """``python -m simulator --port 0 --tls --port-file ... --ca-file ... ARGS``, until the block ends:
    yields its health URL and the CA file; the process must then stop cleanly on SIGTERM."""
    port_file, ca_file = tmp_path / "port", tmp_path / "ca.pem"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--tls", "--port-file", str(port_file),
         "--ca-file", str(ca_file)] + list(args),
        cwd=str(TESTS), env=dict(os.environ, PYTHONPATH=str(TESTS)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert port_file.exists(), proc.communicate(timeout=5)[0] if proc.poll() is not None else "no port file"
        yield "https://127.0.0.1:%d/_sim/health" % int(port_file.read_text()), str(ca_file)
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0


def test_simulator_command_line_serves_https_and_writes_its_ca(tmp_path):
    with command_line(tmp_path) as (url, ca_file):
        assert requests.get(url, timeout=5, verify=ca_file).json()["ok"] is True
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(url, timeout=5)


def test_simulator_command_line_requires_client_certificates_and_writes_them(tmp_path):
    certs = tmp_path / "client"
    with command_line(tmp_path, "--client-certs", str(certs)) as (url, ca_file):
        good = (str(certs / "client.pem"), str(certs / "client-key.pem"))
        assert requests.get(url, timeout=5, verify=ca_file, cert=good).json()["ok"] is True
        assert oct((certs / "client-key.pem").stat().st_mode & 0o777) == "0o600"
        for cert in (None, (str(certs / "wrong.pem"), str(certs / "wrong-key.pem"))):
            with pytest.raises(requests.exceptions.SSLError):
                requests.get(url, timeout=5, verify=ca_file, cert=cert)
