"""Proxies: the ``proxy`` and ``no_proxy`` options and the HTTPS_PROXY/HTTP_PROXY/NO_PROXY variables.

Each module runs in this process (tests/runner.py) against the simulator, through a proxy of the
tests' own on loopback (tests/proxy.py), which counts what it forwarded (plain http), the tunnels
it opened (CONNECT, for https) and the requests it refused (407). Nothing is mocked: the requests
really go through it.
"""

import json

import pytest

from harness import SimClient
from proxy import LoopbackProxy, dead_port
from registry import APIS, MODULES
from runner import run_module
from simulator.core import Simulator

# The environment a developer's shell may hold, cleared for every run (each test sets what it needs).
NO_PROXY_ENV = {name: None for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                                        "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD")}
FIRST_MODULE_OF = dict((api, min(n for n in MODULES if MODULES[n].api == api)) for api in APIS)
PASSWORD = "pr0xy-S3cret"


@pytest.fixture
def proxy():
    with LoopbackProxy() as server:
        yield server


@pytest.fixture
def auth_proxy():
    with LoopbackProxy(auth="alice:" + PASSWORD) as server:
        yield server


def run_through(sim, name, env=None, **http):
    """Seed the module's object, run the module with its API's simulator credentials plus ``http``."""
    module = MODULES[name]
    obj = module.seed(sim, 1)[0]
    options = dict(APIS[module.api].options(sim.url), **http)
    out = run_module(name, module.args(obj), defaults={APIS[module.api].group: options},
                     env=dict(NO_PROXY_ENV, **(env or {})))
    return module, obj, out


def assert_worked(sim, module, obj, out):
    assert not out.get("failed"), (module.name, out.get("msg"))
    assert out["changed"] is module.changed, (module.name, out)
    assert module.check(out, obj) == [], module.check(out, obj)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_goes_through_the_proxy_option(sim, proxy, name):
    module, obj, out = run_through(sim, name, proxy=proxy.url)
    assert_worked(sim, module, obj, out)
    sent = sim.requests(module.api)
    assert sent, "the simulator saw the requests"
    assert len(proxy.forwarded) == len(sent), "every request went through the proxy: %s" % proxy.forwarded
    assert all(url.startswith(sim.url + "/") for dummy, url in proxy.forwarded)


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_proxy_option_wins_over_the_environment(sim, proxy, api):
    dead = "http://127.0.0.1:%d" % dead_port()
    module, obj, out = run_through(sim, FIRST_MODULE_OF[api], proxy=proxy.url,
                                   env={"HTTP_PROXY": dead, "http_proxy": dead, "NO_PROXY": "127.0.0.1"})
    assert_worked(sim, module, obj, out)
    assert proxy.forwarded, "NO_PROXY of the environment does not apply when the proxy option is set"


def test_http_proxy_of_the_environment_is_used_when_the_option_is_not_set(sim, proxy):
    module, obj, out = run_through(sim, "vps_backup_info", env={"HTTP_PROXY": proxy.url})
    assert_worked(sim, module, obj, out)
    assert [m for m, dummy in proxy.forwarded] == ["GET"]


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_dead_proxy_of_the_environment_is_named_with_its_variable(sim, variable):
    port = dead_port()
    module, obj, out = run_through(sim, "vps_backup_info", env={variable: "http://127.0.0.1:%d" % port}, retries=1)
    assert out.get("failed") is True
    netloc = sim.url.split("://", 1)[1]
    assert ("could not connect to the proxy http://127.0.0.1:%d (from %s) on the way to %s:" % (port, variable, netloc)
            in out["msg"]), out["msg"]
    assert "HTTPConnection(" not in out["msg"] and "object at 0x" not in out["msg"], out["msg"]
    assert "after 1 retries" in out["msg"]
    assert sim.requests() == []


def test_a_dead_proxy_option_is_named_as_the_option(sim):
    port = dead_port()
    module, obj, out = run_through(sim, "vps_backup_info", proxy="http://127.0.0.1:%d" % port, retries=0)
    assert out.get("failed") is True
    assert "could not connect to the proxy http://127.0.0.1:%d (from the proxy option)" % port in out["msg"], out["msg"]


@pytest.mark.parametrize("api", sorted(APIS))
def test_no_proxy_option_goes_direct(sim, api):
    dead = "http://127.0.0.1:%d" % dead_port()
    module, obj, out = run_through(sim, FIRST_MODULE_OF[api], proxy=dead, no_proxy=["example.com", "127.0.0.1"])
    assert_worked(sim, module, obj, out)


def test_no_proxy_option_overrides_no_proxy_of_the_environment(sim, proxy):
    # The environment says "direct"; the option (which names another host) replaces it, so the proxy is used.
    module, obj, out = run_through(sim, "vps_backup_info", no_proxy="example.com",
                                   env={"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
    assert_worked(sim, module, obj, out)
    assert len(proxy.forwarded) == 1
    # And the environment's NO_PROXY alone keeps the request direct.
    proxy.forwarded.clear()
    module, obj, out = run_through(sim, "vps_backup_info", env={"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert_worked(sim, module, obj, out)
    assert proxy.forwarded == []


@pytest.mark.parametrize("name", [FIRST_MODULE_OF[api] for api in sorted(APIS)])
def test_a_proxy_that_refuses_says_407_and_never_shows_its_password(sim, auth_proxy, name):
    module, obj, out = run_through(sim, name, proxy=auth_proxy.url_with("alice:wrong-" + PASSWORD))
    assert out.get("failed") is True
    assert ("the proxy http://127.0.0.1:%d (from the proxy option) refused the request: HTTP 407 Proxy Authentication "
            "Required: check the proxy's credentials" % auth_proxy.port) in out["msg"], out["msg"]
    assert len(auth_proxy.refused) == 1, "a refusal by the proxy is not retried"
    assert sim.requests() == []
    text = json.dumps(out)
    assert "wrong-" + PASSWORD not in text and PASSWORD not in text, "the proxy password shows"
    assert out["invocation"]["module_args"]["proxy"] != auth_proxy.url_with("alice:wrong-" + PASSWORD)


def test_a_proxy_with_credentials_in_its_url_is_given_them(sim, auth_proxy):
    module, obj, out = run_through(sim, "vps_backup_info", proxy=auth_proxy.url_with("alice:" + PASSWORD))
    assert_worked(sim, module, obj, out)
    assert auth_proxy.credentials == ["alice:" + PASSWORD] and auth_proxy.refused == []
    assert PASSWORD not in json.dumps(out)


def test_a_bad_proxy_option_fails_before_any_request_without_showing_it(sim):
    for value in ("socks5://alice:%s@127.0.0.1:1080" % PASSWORD, "http://alice:%s@127.0.0.1:3128/path" % PASSWORD,
                  "127.0.0.1:3128", " http://127.0.0.1:3128"):
        module, obj, out = run_through(sim, "vps_backup_info", proxy=value)
        assert out.get("failed") is True and "proxy" in out["msg"], (value, out)
        assert "MODULE FAILURE" not in out["msg"]
        assert PASSWORD not in json.dumps(out), value
    assert sim.requests() == []


# -- https through a proxy: CONNECT tunnels ------------------------------------------------------

@pytest.fixture(scope="module")
def https_sim():
    sim = Simulator(tls=True).start()
    yield sim
    sim.stop()


@pytest.fixture
def https(https_sim):
    control = SimClient(https_sim)
    control.reset()
    return control


@pytest.mark.parametrize("api", sorted(APIS))
def test_https_goes_through_a_connect_tunnel(https, proxy, api):
    module, obj, out = run_through(https, FIRST_MODULE_OF[api], proxy=proxy.url, ca_path=https.ca_file)
    assert_worked(https, module, obj, out)
    assert proxy.tunnels and set(proxy.tunnels) == {https.url.split("://", 1)[1]}, proxy.tunnels
    assert proxy.forwarded == []


def test_https_proxy_variable_is_named_when_the_tunnel_is_refused(https, auth_proxy):
    module, obj, out = run_through(https, "vps_backup_info", ca_path=https.ca_file,
                                   env={"HTTPS_PROXY": auth_proxy.url_with("alice:nope")})
    assert out.get("failed") is True
    assert ("the proxy http://127.0.0.1:%d (from HTTPS_PROXY) refused the request: HTTP 407" % auth_proxy.port
            in out["msg"]), out["msg"]
    assert len(auth_proxy.refused) == 1 and https.requests() == []
    assert "nope" not in json.dumps(out)


def test_a_certificate_refused_through_a_proxy_names_the_proxy(https, proxy):
    module, obj, out = run_through(https, "vps_backup_info", proxy=proxy.url)
    assert out.get("failed") is True
    assert "was refused" in out["msg"] and "through the proxy http://127.0.0.1:%d (from the proxy option)" % proxy.port \
        in out["msg"], out["msg"]


def test_the_proxy_password_never_shows_at_vvv(play, auth_proxy, simulator):
    url = auth_proxy.url_with("alice:wrong-" + PASSWORD)
    defaults = {APIS["hostup"].group: APIS["hostup"].options(simulator.url)}
    env = {name: "" for name in NO_PROXY_ENV if name != "REQUEST_METHOD"}
    result = play([{"jobctl.cloud.vps_backup_info": {"vps_id": "vps_" + "a" * 26, "proxy": url},
                    "ignore_errors": True}], defaults=defaults, verbosity=3, env=env)
    assert "refused the request: HTTP 407" in result.stdout, result.stdout[-3000:]
    assert PASSWORD not in result.stdout + result.stderr
