"""The connectivity options as every module of every API declares, reads and documents them."""

from pathlib import Path

import pytest
import yaml

from ansible_collections.jobctl.cloud.plugins.module_utils.options import proxy_password, proxy_problem
from registry import MODULES
from runner import argument_spec

ROOT = Path(__file__).resolve().parents[2]
PREFIX = {"hostup": "HOSTUP", "cloudfoundry": "CF", "vsp": "VSP", "bigchange": "BIGCHANGE"}
TLS_OPTIONS = {"ca_path": "CA_PATH", "client_cert": "CLIENT_CERT", "client_key": "CLIENT_KEY"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_reads_its_apis_tls_variables_and_takes_the_proxy_and_rate_limit_options(name):
    spec = argument_spec(name)
    prefix = PREFIX[MODULES[name].api]
    for option, suffix in TLS_OPTIONS.items():
        assert spec[option]["fallback"][1] == ["%s_%s" % (prefix, suffix)], (name, option)
    for option in ("proxy", "no_proxy"):
        assert option in spec and not spec[option].get("fallback"), "the standard proxy variables apply instead"
    assert spec["rate_limit_max_wait"]["default"] == 60


@pytest.mark.parametrize("api", sorted(PREFIX))
def test_each_apis_doc_fragment_names_its_tls_variables(api):
    path = ROOT / "plugins" / "doc_fragments" / ("%s.py" % api)
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our own doc fragment
    options = yaml.safe_load(namespace["ModuleDocFragment"].DOCUMENTATION)["options"]
    for option, suffix in TLS_OPTIONS.items():
        assert "E(%s_%s)" % (PREFIX[api], suffix) in " ".join(options[option]["description"]), (api, option)


@pytest.mark.parametrize("value,ok", [
    ("http://proxy.example.com:3128", True), ("https://proxy.example.com", True), ("http://u:p%40ss@10.0.0.1:8080/", True),
    ("http://[::1]:3128", True), ("socks5://proxy:1080", False), ("proxy.example.com:3128", False),
    ("http://proxy:3128/path", False), ("http://proxy:3128?x=1", False), ("http://proxy:port", False),
    (" http://proxy:3128", False), ("", False), ("http://", False)])
def test_proxy_check(value, ok):
    problem = proxy_problem(value)
    assert (problem is None) is ok, (value, problem)
    if problem:
        assert problem.startswith("proxy ") and "p%40ss" not in problem


def test_a_proxy_password_is_known_as_given_and_decoded():
    assert proxy_password("http://alice:p%40ss@proxy:3128") == ["p%40ss", "p@ss"]
    assert proxy_password("http://proxy:3128") == [] and proxy_password("http://alice@proxy:3128") == []
