"""The jobctl.cloud.hostup inventory plugin and playbooks/hostup_fleet.yml.

Two kinds of test, against the simulator (HostUp's ``GET /vps`` with ``limit``, ``cursor``,
``name``, ``primaryIp``), reading what was sent from its request log; the few answers the
simulator never gives (a cursor repeated, a list that never ends) come from a small scripted
server on loopback:

* The plugin's own behaviour (its option checks before any request, what it sends to ``GET /vps``
  and how it pages, its errors in the API's words and without secrets, the hosts, variables and
  groups it makes of the VPS, names it must not merge, values it must not let be templated) is
  tested in this process (the ``parse`` fixture): the real plugin, loaded by Ansible's plugin
  loader and run by Ansible's ``InventoryManager`` as ``ansible-inventory`` runs it (the ``auto``
  plugin picks it by the file's ``plugin`` key), with everything Ansible printed captured.
* What is Ansible's own behaviour around the plugin (``ansible-inventory``'s output and exit
  code, ``unparsed_is_failed``, a cache plugin across runs and ``--flush-cache``, ``compose``,
  ``groups`` and ``keyed_groups`` with ``strict``, what the CLI prints of a failure at full
  verbosity, the fleet playbook with forks, the AWX page's source) is tested with real
  ``ansible-inventory`` and ``ansible-playbook`` runs from the venv.
"""

import json
import math
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
import requests
import yaml

from harness import COLLECTIONS, LINK, ROOT, Scripted, ansible_env, awx_credential_types, awx_inject
from proxy import LoopbackProxy
from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from simulator.core import Simulator

KEY = "hostup-test-key"
BIN = Path(sys.executable).parent
FLEET = LINK / "playbooks" / "hostup_fleet.yml"
DEMO = LINK / "playbooks" / "inventory" / "demo.hostup.yml"
VARS = ("hostup_id", "hostup_name", "hostup_primary_ip", "hostup_service_status", "hostup_power_state",
        "hostup_operating_system")
# The fields of a VPS in the simulator's GET /vps (those HostUp documents).
LISTED_FIELDS = ("id", "name", "primaryIp", "serviceStatus", "powerState", "operatingSystem", "billing", "resources")
# The environment variables the plugin reads: set per test, never inherited from the one before.
PLUGIN_ENV = ("HOSTUP_API_KEY", "HOSTUP_API_URL", "HOSTUP_CA_PATH", "HOSTUP_CLIENT_CERT", "HOSTUP_CLIENT_KEY",
              "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")


# -- helpers -----------------------------------------------------------------------------------

def plain(value):
    """A value of ``ansible-inventory --list`` without its ``{"__ansible_unsafe": ...}`` wrappers (ansible-core 2.19)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def said(output, text):
    """Whether ``output`` holds ``text``, however Ansible wrapped its lines (older releases wrap warnings)."""
    return "".join(text.split()) in "".join(output.split())


class Listing:
    """One ``ansible-inventory --list`` run: its exit code, output, and the inventory it printed."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        try:
            self.data = plain(json.loads(proc.stdout)) if proc.returncode == 0 else None
        except ValueError:
            self.data = None

    @property
    def output(self):
        return self.stdout + self.stderr

    def says(self, text):
        return said(self.output, text)

    @property
    def hostvars(self):
        return self.data["_meta"]["hostvars"]

    def hosts(self, group):
        return self.data.get(group, {}).get("hosts", [])

    def __repr__(self):
        return "Listing(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.stdout, self.stderr)


def config(tmp_path, name="fleet.hostup.yml", **options):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({"plugin": "jobctl.cloud.hostup"}, **options), sort_keys=False))
    return path


def env_for(sim, key=KEY, **extra):
    """The environment of an ``ansible-inventory``/``ansible-playbook`` run against ``sim``."""
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": key,
           # A source that fails is fatal, so that rc tells a listing from a failure (AWX does the same).
           "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true",
           # -v output goes to stderr, so stdout stays the JSON inventory.
           "ANSIBLE_VERBOSE_TO_STDERR": "true"}
    env.update(extra)
    return env


def hostup_env(sim, key=KEY, **extra):
    """The environment variables of an in-process parse against ``sim`` (see ``parse``)."""
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": key}
    env.update(extra)
    return env


def listing(path, env, *args, verbosity=0):
    command = [str(BIN / "ansible-inventory"), "-i", str(path), "--list"] + list(args)
    if verbosity:
        command.append("-" + "v" * verbosity)
    proc = subprocess.run(command, env=ansible_env(env), capture_output=True, text=True, timeout=300, cwd=str(ROOT),
                          check=False)
    return Listing(proc)


def seed(sim, *specs, **settings):
    """Seed VPS from ``specs`` (dicts of VPS fields); return the VPS as the API lists them."""
    body = {"vps": list(specs)}
    if settings:
        body["settings"] = settings
    return sim.seed(hostup=body)["hostup"]["vps"]


def vps_gets(sim, since=0):
    entries = sim.requests("hostup", since=since)
    assert all(e["method"] == "GET" and e["path"] == "/hostup/api/v2/vps" for e in entries), \
        [(e["method"], e["path"]) for e in entries]
    return entries


def last_seq(sim):
    log = sim.requests()
    return log[-1]["seq"] if log else 0


# -- the plugin in this process ------------------------------------------------------------------

COLLECTION_PACKAGE = "ansible_collections.jobctl.cloud"
MODULE_UTILS = COLLECTION_PACKAGE + ".plugins.module_utils"


def _plainly_imported():
    """The collection's modules in sys.modules that Ansible's collection loader must import itself.

    The tests import the collection as plain Python packages (harness.py; tests/unit imports the
    plugin), without what Ansible's loader gives them: the collection's meta/runtime.yml, a file for
    each plugin package. Everything but module_utils, whose modules must stay the ones already
    imported (the clock that the sim fixture sets is module_utils.clock).
    """
    return {name: module for name, module in sys.modules.items()
            if (name == COLLECTION_PACKAGE or name.startswith(COLLECTION_PACKAGE + "."))
            and not (name == MODULE_UTILS or name.startswith(MODULE_UTILS + "."))}


@pytest.fixture(scope="module")
def ansible_plugins():
    """Ansible's plugin loader, set up in this process as ``CLI.run`` sets it up, with this collection first.

    What this changes in the process (the collection finder, the collection's modules in
    sys.modules) is put back as it was after this file's tests.
    """
    from ansible.plugins.loader import init_plugin_loader, inventory_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    installed = AnsibleCollectionConfig.collection_finder is None
    if installed:
        init_plugin_loader([str(COLLECTIONS)])
    plain = _plainly_imported()
    for name in plain:
        del sys.modules[name]
    try:
        plugin = inventory_loader.get("jobctl.cloud.hostup")
        assert plugin is not None, "Ansible does not find jobctl.cloud.hostup in %s" % COLLECTIONS
        # The plugin Ansible runs is the collection under test (a mutant's copy with JOBCTL_COLLECTIONS) ...
        loaded = Path(sys.modules[type(plugin).__module__].__file__).resolve()
        assert loaded == (LINK / "plugins" / "inventory" / "hostup.py").resolve(), loaded
        # ... and its HTTP client is the one whose clock the sim fixture sets: a Retry-After costs no real time.
        assert sys.modules[MODULE_UTILS + ".client"].clock is clock
        yield inventory_loader
    finally:
        for name in _plainly_imported():
            del sys.modules[name]
        sys.modules.update(plain)
        if COLLECTION_PACKAGE in plain:
            setattr(sys.modules["ansible_collections.jobctl"], "cloud", plain[COLLECTION_PACKAGE])
        if installed:
            _AnsibleCollectionFinder._remove()


class Parsed:
    """An inventory source parsed in this process as ``ansible-inventory`` parses it, a failed source being fatal.

    ``rc`` is what ``ansible-inventory`` would exit with (0: the inventory; 1: the source failed).
    ``output`` is everything Ansible printed (the plugin's warnings and -v lines, the failure it
    reported for the source) and the error it raised.
    """

    def __init__(self, loader, manager, error, failures, printed):
        self.loader = loader
        self.manager = manager
        self.error = error
        self.failures = failures
        self.rc = 0 if error is None else 1
        self.output = printed + ("" if error is None else "\n%s" % error)

    def says(self, text):
        return said(self.output, text)

    def shows(self, secret):
        """Whether ``secret`` is anywhere in what was printed or raised.

        Beyond ``output``: the message, arguments and traceback of each exception the source failed
        with, and of every exception it was raised from or while handling (even those Python's own
        traceback leaves out).
        """
        texts = [self.output]
        pending = list(self.failures) + [self.error]
        seen = set()
        while pending:
            exc = pending.pop()
            if exc is None or id(exc) in seen:
                continue
            seen.add(id(exc))
            texts += [str(exc), repr(exc.args), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
            pending += [exc.__cause__, exc.__context__]
        return any(said(text, secret) for text in texts)

    @property
    def hostvars(self):
        """Each host's variables, as the inventory holds them."""
        return {name: host.vars for name, host in self.manager.hosts.items()}

    def hosts(self, group):
        """The hosts directly in ``group`` (as ``ansible-inventory --list`` gives them), or []."""
        found = self.manager.groups.get(group)
        return [host.name for host in found.hosts] if found else []

    def children(self, group):
        return [child.name for child in self.manager.groups[group].child_groups]

    def __repr__(self):
        return "Parsed(rc=%s)\nOUTPUT:\n%s\nFAILURES:\n%s" % (self.rc, self.output, "".join(
            "".join(traceback.format_exception(type(e), e, e.__traceback__)) for e in self.failures))


@pytest.fixture
def parse(ansible_plugins, monkeypatch, capsys):
    """Parse an inventory source here: parse(path, env, *extra_vars, verbosity=0) -> Parsed.

    What ``ansible-inventory -i path -e extra_var... -v...`` with ``ANSIBLE_INVENTORY_UNPARSED_FAILED=true``
    does up to printing: ``InventoryManager`` over the source, the plugin loaded through Ansible's
    loader and given the extra vars; its warnings and -v lines go to Ansible's Display, captured.
    ``env`` is the plugin's environment for this parse (HOSTUP_API_KEY and HOSTUP_API_URL are unset
    unless it sets them); every change is undone after the test.
    """
    import ansible.constants as C
    from ansible import context
    from ansible.errors import AnsibleError
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.utils.context_objects import CLIArgs
    from ansible.utils.display import Display
    from ansible.utils.vars import load_extra_vars

    display = Display()
    monkeypatch.setattr(C, "INVENTORY_UNPARSED_IS_FAILED", True)
    # Each failure of a source is shown with Display.error_as_warning: kept, to look into what it was raised from.
    failures = []
    show_failure = Display.error_as_warning

    def recorded(self, msg, exception, **kwargs):
        failures.append(exception)
        return show_failure(self, msg, exception, **kwargs)

    monkeypatch.setattr(Display, "error_as_warning", recorded)
    # load_extra_vars keeps the first non-empty extra vars it read for the rest of the process.
    missing = object()
    kept_extra_vars = load_extra_vars.__dict__.pop("extra_vars", missing)

    def run(path, env, *extra_vars, verbosity=0):
        for name in PLUGIN_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(context, "CLIARGS", CLIArgs({"extra_vars": tuple(extra_vars), "verbosity": verbosity}))
        monkeypatch.setattr(display, "verbosity", verbosity)
        # Display shows a warning once per process: this parse's warnings are shown whatever came before.
        monkeypatch.setattr(display, "_warns", set())
        del failures[:]
        capsys.readouterr()
        loader = DataLoader()
        manager = error = None
        try:
            manager = InventoryManager(loader=loader, sources=[str(path)], cache=True)
        except AnsibleError as exc:
            error = exc
        finally:
            load_extra_vars.__dict__.pop("extra_vars", None)
        printed = capsys.readouterr()
        return Parsed(loader, manager, error, list(failures), printed.out + printed.err)

    yield run
    load_extra_vars.__dict__.pop("extra_vars", None)
    if kept_extra_vars is not missing:
        load_extra_vars.extra_vars = kept_extra_vars


# -- listing ----------------------------------------------------------------------------------

def test_lists_every_vps_across_pages_with_its_variables_and_groups(sim, tmp_path, parse):
    specs = []
    for n in range(250):
        spec = {"name": "node-%03d" % n, "primaryIp": "198.51.%d.%d" % (n // 200, n % 200 + 1)}
        if n % 10 == 3:
            spec["powerState"] = "stopped"
        if n == 7:
            spec.update(serviceStatus="suspended", operatingSystem={"id": "debian-12", "name": "Debian 12",
                                                                    "family": {"name": "debian"}})
        specs.append(spec)
    listed = {v["name"]: v for v in seed(sim, *specs)}

    result = parse(config(tmp_path), hostup_env(sim))

    assert result.rc == 0, result
    assert sorted(result.hosts("hostup")) == sorted(listed)
    assert sorted(result.hosts("hostup_stopped")) == sorted(n for n, v in listed.items() if v["powerState"] == "stopped")
    assert sorted(result.hosts("hostup_running")) == sorted(n for n, v in listed.items() if v["powerState"] == "running")
    assert len(result.hosts("hostup_stopped")) == 25
    for name, vps in listed.items():
        hostvars = result.hostvars[name]
        assert {k: hostvars[k] for k in VARS} == {
            "hostup_id": vps["id"], "hostup_name": name, "hostup_primary_ip": vps["primaryIp"],
            "hostup_service_status": vps["serviceStatus"], "hostup_power_state": vps["powerState"],
            "hostup_operating_system": vps["operatingSystem"]}, name
        assert hostvars["ansible_host"] == vps["primaryIp"]
    # An object stays an object, nested ones too.
    assert result.hostvars["node-007"]["hostup_operating_system"]["family"] == {"name": "debian"}
    assert result.hostvars["node-007"]["hostup_service_status"] == "suspended"
    # hostup_raw is the API's object, every field of it; nothing else of it is copied into other variables.
    for name, vps in listed.items():
        assert result.hostvars[name]["hostup_raw"] == {k: vps[k] for k in LISTED_FIELDS}, name
    assert not any(k.startswith("hostup_") and k not in VARS + ("hostup_raw",) for k in result.hostvars["node-000"])

    gets = vps_gets(sim)
    assert len(gets) == math.ceil(250 / 100) == 3
    assert [g["query"].get("limit") for g in gets] == [["100"]] * 3
    assert "cursor" not in gets[0]["query"]
    cursors = [g["query"]["cursor"][0] for g in gets[1:]]
    assert len(set(cursors)) == 2
    assert all(g["headers"]["Authorization"] == "Bearer <redacted>" for g in gets)


def test_an_empty_account_is_an_empty_hostup_group(sim, tmp_path, parse):
    result = parse(config(tmp_path), hostup_env(sim))
    assert result.rc == 0, result
    assert "hostup" in result.children("all")
    assert result.hosts("hostup") == []
    assert len(vps_gets(sim)) == 1


def test_the_demo_inventory_file_lists_the_demo_fleet(sim, parse):
    sim.reset("demo")
    result = parse(DEMO, hostup_env(sim))
    assert result.rc == 0, result
    assert sorted(result.hosts("hostup")) == ["ci-runner-01", "db-primary-sto1", "web-prod-sto1"]
    assert result.hosts("hostup_os_debian_12") == ["db-primary-sto1"]
    assert result.hostvars["web-prod-sto1"]["ansible_host"] == "185.20.36.14"


def test_filters_are_sent_to_the_api(sim, tmp_path, parse):
    seed(sim, {"name": "web-1", "primaryIp": "192.0.2.1"}, {"name": "web-2", "primaryIp": "192.0.2.2"},
         {"name": "db-1", "primaryIp": "192.0.2.3"})

    by_name = parse(config(tmp_path, filters={"name": "web"}), hostup_env(sim))
    assert by_name.rc == 0, by_name
    assert sorted(by_name.hosts("hostup")) == ["web-1", "web-2"]
    assert vps_gets(sim)[-1]["query"] == {"limit": ["100"], "name": ["web"]}

    seq = last_seq(sim)
    by_ip = parse(config(tmp_path, filters={"primary_ip": "192.0.2.3", "name": None}), hostup_env(sim))
    assert by_ip.rc == 0, by_ip
    assert by_ip.hosts("hostup") == ["db-1"]
    assert [g["query"] for g in vps_gets(sim, seq)] == [{"limit": ["100"], "primaryIp": ["192.0.2.3"]}]

    # A template in a filter is evaluated with the extra vars.
    seq = last_seq(sim)
    templated = parse(config(tmp_path, filters={"name": "{{ fleet_prefix }}-2"}), hostup_env(sim), "fleet_prefix=web")
    assert templated.rc == 0, templated
    assert templated.hosts("hostup") == ["web-2"]
    assert [g["query"]["name"] for g in vps_gets(sim, seq)] == [["web-2"]]


def test_an_unknown_filter_fails_before_any_request(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    result = parse(config(tmp_path, filters={"name": "web", "status": "running"}), hostup_env(sim))
    assert result.rc != 0
    assert result.says("filters: unknown filter(s) status (known: name, primary_ip)")
    assert sim.requests("hostup") == []


# -- what is wrong with the file, said ----------------------------------------------------------------

# Ansible itself ignores a key that is no option: a `filter:` typo would list every VPS.
@pytest.mark.parametrize("options, message", [
    ({"filter": {"name": "web"}}, "unknown option 'filter' (did you mean 'filters'?)"),
    ({"api_key": "x"}, "unknown option 'api_key' (did you mean 'api_token'?)"),
    ({"keyed_group": []}, "unknown option 'keyed_group' (did you mean 'keyed_groups'?)"),
    ({"zzz_unrelated": 1},
     "unknown option 'zzz_unrelated' (not an option of jobctl.cloud.hostup: see ansible-doc -t inventory jobctl.cloud.hostup)"),
    ({"filter": {"name": "web"}, "stric": True},
     "unknown options 'filter' (did you mean 'filters'?), 'stric' (did you mean 'strict'?)"),
])
def test_an_unknown_option_fails_naming_it_and_the_nearest_option(sim, tmp_path, parse, options, message):
    seed(sim, {"name": "web-1"}, {"name": "db-1"})
    result = parse(config(tmp_path, **options), hostup_env(sim))
    assert result.rc != 0
    assert result.says(message), result
    assert sim.requests("hostup") == []


def test_every_documented_option_is_accepted(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    # Options of the plugin and of its doc fragments (constructed, inventory_cache, http_options).
    result = parse(config(tmp_path, filters={"name": "web"}, strict=False, compose={}, groups={}, keyed_groups=[],
                          leading_separator=True, use_extra_vars=False, cache=False, timeout=10, retries=1,
                          validate_certs=True, cache_timeout=60, cache_prefix="jobctl_"), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"]


def test_ansible_inventory_says_which_option_is_unknown(sim, tmp_path):
    seed(sim, {"name": "web-1"}, {"name": "db-1"})
    result = listing(config(tmp_path, filter={"name": "web"}), env_for(sim))
    assert result.rc != 0, result
    assert result.says("unknown option 'filter' (did you mean 'filters'?)"), result
    assert sim.requests("hostup") == []
    # Ansible's default (a failed source is a warning): still said, and no VPS is listed.
    result = listing(config(tmp_path, filter={"name": "web"}), env_for(sim, ANSIBLE_INVENTORY_UNPARSED_FAILED="false"))
    assert result.rc == 0, result
    assert result.says("unknown option 'filter' (did you mean 'filters'?)"), result
    assert "hostup" not in result.data


NAME_RULE = "inventory file names for jobctl.cloud.hostup must end in hostup.yml or hostup.yaml"


@pytest.mark.parametrize("name, renamed", [("fleet.yml", "fleet.hostup.yml"), ("fleet.yaml", "fleet.hostup.yaml"),
                                           ("hostup-fleet.yml", "hostup-fleet.hostup.yml")])
def test_a_file_for_the_plugin_with_a_name_it_does_not_read_is_refused_with_the_reason(
        sim, tmp_path, parse, name, renamed):
    seed(sim, {"name": "web-1"})
    path = config(tmp_path, name=name)
    result = parse(path, hostup_env(sim))
    assert result.rc != 0
    assert result.says("%s says plugin: jobctl.cloud.hostup but is not read: %s (rename it, for example to %s)"
                       % (path, NAME_RULE, renamed)), result
    assert sim.requests("hostup") == []
    # Renamed so, it is read.
    renamed_path = path.rename(tmp_path / renamed)
    result = parse(renamed_path, hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"] and not result.says(NAME_RULE)


def test_another_plugins_file_gets_no_word_about_hostup_names(sim, tmp_path, parse):
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": {"web-1": {"note": "plugin: jobctl.cloud.hostup is not this"}}}}))
    result = parse(path, hostup_env(sim))
    assert result.rc == 0, result
    assert not result.says(NAME_RULE) and not result.says("jobctl.cloud.hostup but is not read")


def test_ansible_inventory_says_why_a_file_name_is_refused(sim, tmp_path):
    seed(sim, {"name": "web-1"})
    path = config(tmp_path, name="fleet.yml")
    result = listing(path, env_for(sim, ANSIBLE_INVENTORY_UNPARSED_FAILED="false"))
    assert result.says(NAME_RULE), result
    assert result.says("rename it, for example to fleet.hostup.yml"), result
    assert sim.requests("hostup") == []


def test_a_rate_limited_page_is_retried(sim, tmp_path, parse):
    seed(sim, *({"name": "vm-%d" % n} for n in range(150)))
    sim.fault(kind="rate_limit", api="hostup", path="/vps$", retry_after="1", times=1)

    result = parse(config(tmp_path), hostup_env(sim))

    assert result.rc == 0, result
    assert len(result.hosts("hostup")) == 150
    assert [g["status"] for g in vps_gets(sim)] == [429, 200, 200]
    # The retry waited for the Retry-After (on the simulator's clock: no real second passed).
    assert sim.clock.slept and sim.clock.slept[0] >= 1, sim.clock.slept


@pytest.mark.parametrize("verbosity", [0, 3, 5])
def test_a_bad_key_fails_with_the_status_and_never_shows_the_key(sim, tmp_path, parse, verbosity):
    key = "wrong-hostup-key-4f1b9c2e7a"
    seed(sim, {"name": "web-1"})

    result = parse(config(tmp_path), hostup_env(sim, key=key), verbosity=verbosity)

    assert result.rc != 0
    assert result.says("HostUp API GET /hostup/api/v2/vps failed: HTTP 401 Unauthorized: The API key is invalid or "
                       "has been revoked.")
    assert not result.shows(key)
    assert len(vps_gets(sim)) == 1, "a refused key is not retried"


def test_a_key_without_the_read_scope_fails_with_the_api_words(sim, tmp_path, parse):
    key = "hostup-backup-only-key-5e0d"
    sim.seed(hostup={"api_keys": [{"key": key, "scopes": ["backup:vm"]}]})
    result = parse(config(tmp_path), hostup_env(sim, key=key))
    assert result.rc != 0
    assert result.says("HTTP 403 Forbidden: The API key lacks the required scope `read:vm`.")
    assert not result.shows(key)


def test_a_server_quoting_the_key_back_never_gets_it_shown(sim, tmp_path, parse):
    key = "hostup-echoed-key-77c1e0b9"
    sim.seed(hostup={"api_keys": [{"key": key}]})
    sim.fault(kind="echo", api="hostup", status=400, times=-1)
    result = parse(config(tmp_path), hostup_env(sim, key=key), verbosity=4)
    assert result.rc != 0
    assert result.says("HTTP 400") and result.says("Refused: Authorization")
    assert not result.shows(key)


def test_a_key_in_the_file_may_be_a_template_of_an_extra_var(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    env = hostup_env(sim)
    del env["HOSTUP_API_KEY"]
    result = parse(config(tmp_path, api_token="{{ vault_hostup_key }}"), env, "vault_hostup_key=%s" % KEY)
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"]


@pytest.mark.parametrize("options, env, message, hidden", [
    ({"api_url": "http://user:pa55word@127.0.0.1:9/api/v2"}, {}, "api_url must not carry user info", "pa55word"),
    ({"api_url": "ftp://127.0.0.1/api"}, {}, "api_url must be an absolute http:// or https:// URL", "ftp://"),
    ({"api_token": "key with-a-space-81c2"}, {}, "api_token holds a character an HTTP header cannot carry",
     "with-a-space-81c2"),
    ({"api_token": "k\u00e9y-typographic-9d3e"}, {}, "api_token holds a character an HTTP header cannot carry",
     "typographic-9d3e"),
    ({}, {"HOSTUP_API_KEY": ""}, "api_token is required: set the option api_token or the environment variable "
                                 "HOSTUP_API_KEY", None),
    ({"api_token": "   "}, {}, "api_token is required: set the option api_token or the environment variable "
     "HOSTUP_API_KEY", None),
    ({"timeout": 0}, {}, "timeout must be greater than 0, got 0", None),
    ({"retries": -1}, {}, "retries must be at least 0", None),
])
def test_bad_options_fail_before_any_request(sim, tmp_path, parse, options, env, message, hidden):
    result = parse(config(tmp_path, **options), hostup_env(sim, **env))
    assert result.rc != 0
    assert result.says(message)
    if hidden:
        assert not result.shows(hidden)
    assert sim.requests() == []


def test_same_names_are_never_merged_and_unusable_ids_are_left_out(sim, tmp_path, parse):
    first, second, nameless, dashed = seed(sim, {"name": "web"}, {"name": "web"}, {"name": ""}, {"name": "web-x"})
    # Seeded at one simulated instant, the two IDs differ in their random part only: the lower is named first.
    first, second = sorted([first, second], key=lambda vps: vps["id"])
    seed(sim, {"id": "not-a-vps-id", "name": "odd"}, {"id": "vps_../../admin", "name": "sneaky"})

    result = parse(config(tmp_path), hostup_env(sim))

    assert result.rc == 0, result
    renamed = "web_%s" % second["id"]
    assert sorted(result.hosts("hostup")) == sorted(["web", renamed, nameless["id"], "web-x"])
    assert result.hostvars["web"]["hostup_id"] == first["id"]
    assert result.hostvars[renamed]["hostup_id"] == second["id"]
    assert result.hostvars[renamed]["hostup_name"] == "web", "hostup_name is the API's name"
    assert result.hostvars[nameless["id"]]["hostup_name"] == ""
    assert dashed["id"] == result.hostvars["web-x"]["hostup_id"]
    assert result.says("HostUp VPS %s (name 'web') is the host '%s': 'web' is already the host of VPS %s"
                       % (second["id"], renamed, first["id"]))
    assert result.says("HostUp VPS %s (name '') is the host '%s': it has no name" % (nameless["id"], nameless["id"]))
    assert result.says("a VPS (name 'odd') is left out: its ID 'not-a-vps-id' is not a valid ID")
    assert result.says("a VPS (name 'sneaky') is left out")
    assert "odd" not in result.hostvars and "sneaky" not in result.hostvars


# -- host names (issue 21): names from the API that would be reserved names, groups or other hosts --

def hostile_fleet():
    """The VPS of issue 21 by ID (ascending in this order), each at a loopback address of its own.

    ``localhost``, groups' names, and a trio (``web``, ``web_<ID of the third>``, ``web``) that made
    the source fail with no host at all.
    """
    ids = ["vps_%026d" % n for n in range(1, 9)]
    names = ["localhost", "hostup", "all", "ungrouped", "hostup_running", "web", "web_" + ids[7], "web"]
    specs = [{"id": vps_id, "name": name, "primaryIp": "127.0.0.%d" % (n + 2)}
             for n, (vps_id, name) in enumerate(zip(ids, names))]
    hosts = {ids[0]: "localhost_" + ids[0], ids[1]: ids[1], ids[2]: "all_" + ids[2], ids[3]: "ungrouped_" + ids[3],
             ids[4]: ids[4], ids[5]: "web", ids[6]: "web_" + ids[7], ids[7]: ids[7]}
    warnings = [
        "HostUp VPS %s (name 'localhost') is the host 'localhost_%s': 'localhost' names the controller" % (ids[0], ids[0]),
        "HostUp VPS %s (name 'hostup') is the host '%s': 'hostup' is a group name (all, ungrouped, hostup, hostup_*); "
        "'hostup_%s' is a group name (all, ungrouped, hostup, hostup_*)" % (ids[1], ids[1], ids[1]),
        "HostUp VPS %s (name 'all') is the host 'all_%s': 'all' is a group name (all, ungrouped, hostup, hostup_*)"
        % (ids[2], ids[2]),
        "HostUp VPS %s (name 'ungrouped') is the host 'ungrouped_%s': 'ungrouped' is a group name (all, ungrouped, "
        "hostup, hostup_*)" % (ids[3], ids[3]),
        "HostUp VPS %s (name 'hostup_running') is the host '%s': 'hostup_running' is a group name (all, ungrouped, "
        "hostup, hostup_*); 'hostup_running_%s' is a group name (all, ungrouped, hostup, hostup_*)" % (ids[4], ids[4], ids[4]),
        "HostUp VPS %s (name 'web') is the host '%s': 'web' is already the host of VPS %s; 'web_%s' is already the "
        "host of VPS %s" % (ids[7], ids[7], ids[5], ids[7], ids[6]),
    ]
    return specs, hosts, warnings


def test_names_that_are_reserved_or_taken_fall_back_and_never_fail_the_source(sim, tmp_path, parse):
    specs, hosts, warnings = hostile_fleet()
    # Listed in another order than their IDs': names are given in ascending ID order all the same.
    seed(sim, *reversed(specs))

    result = parse(config(tmp_path), hostup_env(sim))

    assert result.rc == 0, result
    assert {v["hostup_id"]: name for name, v in result.hostvars.items()} == hosts
    assert sorted(result.hosts("hostup")) == sorted(hosts.values())
    assert sorted(result.hosts("hostup_running")) == sorted(hosts.values())
    for group in ("all", "ungrouped", "hostup", "hostup_running"):
        assert result.children(group) == [] or group == "all", (group, result.children(group))
    assert sorted(result.children("all")) == ["hostup", "hostup_running", "ungrouped"]
    # localhost is Ansible's implicit one, the controller, not a VPS.
    assert "localhost" not in result.manager.hosts
    localhost = result.manager.get_host("localhost")
    assert localhost.implicit and "hostup_id" not in localhost.vars
    for spec in specs:
        variables = result.hostvars[hosts[spec["id"]]]
        assert variables["ansible_host"] == spec["primaryIp"], "hosts stay the VPS"
        assert variables["hostup_name"] == spec["name"]
        assert "ansible_connection" not in variables
    for warning in warnings:
        assert result.says(warning), warning
    assert result.output.count("[WARNING]: HostUp VPS") == len(warnings), result.output


def test_a_name_with_control_characters_is_not_a_host_and_is_shown_escaped(sim, tmp_path, parse):
    evil, = seed(sim, {"name": "web\x1b[2J\nok: [db]"})
    result = parse(config(tmp_path), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == [evil["id"]]
    assert result.says("HostUp VPS %s (name 'web\\x1b[2J\\nok: [db]') is the host '%s': its name holds characters "
                       "that are not printable" % (evil["id"], evil["id"]))
    assert "\x1b" not in result.output


def test_composed_and_keyed_group_names_are_reserved_too(sim, tmp_path, parse):
    db, web, other = seed(sim, {"name": "databases"}, {"name": "os_ubuntu_24_04"}, {"name": "web"})
    path = config(tmp_path, groups={"databases": "true"},
                  keyed_groups=[{"key": "hostup_operating_system.id", "prefix": "os"}])

    result = parse(path, hostup_env(sim))

    assert result.rc == 0, result
    assert sorted(result.hosts("databases")) == sorted(["databases_" + db["id"], "os_ubuntu_24_04_" + web["id"], "web"])
    assert sorted(result.hosts("os_ubuntu_24_04")) == sorted(result.hosts("databases"))
    assert result.children("databases") == [] and result.children("os_ubuntu_24_04") == []
    assert result.says("HostUp VPS %s (name 'databases') is the host 'databases_%s': 'databases' is a group name"
                       % (db["id"], db["id"]))
    assert result.says("HostUp VPS %s (name 'os_ubuntu_24_04') is the host 'os_ubuntu_24_04_%s': 'os_ubuntu_24_04' is "
                       "a group name" % (web["id"], web["id"]))


def test_a_keyed_group_made_of_the_host_name_is_not_made_rather_than_nest_or_fail(sim, tmp_path, parse):
    web, db = seed(sim, {"name": "web"}, {"name": "db"})
    # Each host would be the group of its own name, whatever name it is given.
    path = config(tmp_path, leading_separator=False, keyed_groups=[{"key": "inventory_hostname"}],
                  groups={"everything": "true"})

    result = parse(path, hostup_env(sim))

    assert result.rc == 0, result
    hosts = sorted(result.hosts("hostup"))
    assert len(hosts) == 2 and sorted(v["hostup_id"] for v in result.hostvars.values()) == sorted([web["id"], db["id"]])
    assert sorted(result.hosts("everything")) == hosts and result.children("everything") == []
    for host in hosts:
        assert host not in result.manager.groups
        assert result.says("HostUp inventory: the group %r (groups, keyed_groups) is not made: a host has that name" % host)


# -- hostname and hostup_raw (issue 22) ----------------------------------------------------------

def test_hostname_names_hosts_from_their_variables_and_hostup_raw(sim, tmp_path, parse):
    web, db = seed(sim, {"name": "web", "primaryIp": "198.51.100.7", "resources": {"cpuCores": 4}},
                   {"name": "db", "primaryIp": "198.51.100.8", "resources": {"cpuCores": 16}})
    path = config(tmp_path, hostname="hostup_name ~ '-' ~ hostup_raw.resources.cpuCores ~ 'cpu.example.net'",
                  compose={"fqdn": "inventory_hostname"})

    result = parse(path, hostup_env(sim))

    assert result.rc == 0, result
    assert sorted(result.hosts("hostup")) == ["db-16cpu.example.net", "web-4cpu.example.net"]
    named = result.hostvars["web-4cpu.example.net"]
    assert named["hostup_id"] == web["id"] and named["hostup_name"] == "web"
    assert named["ansible_host"] == "198.51.100.7", "a host named otherwise is still the VPS"
    assert result.hostvars["db-16cpu.example.net"]["hostup_id"] == db["id"]
    assert "[WARNING]" not in result.output, result.output


def test_hostname_may_give_a_number(sim, tmp_path, parse):
    vps_1, = seed(sim, {"name": "web", "resources": {"cpuCores": 4, "memoryMb": 2048, "diskGb": 40}})
    result = parse(config(tmp_path, hostname="hostup_raw.resources.diskGb"), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["40"]
    assert result.hostvars["40"]["hostup_id"] == vps_1["id"]


def test_a_hostname_giving_a_reserved_or_taken_name_falls_back_with_a_warning(sim, tmp_path, parse):
    # IDs in ascending order: names are given in that order.
    first, second, third = seed(sim, *({"id": "vps_%026d" % n, "name": name} for n, name in enumerate("abc", 1)))
    # The first is asked to be localhost (the controller), the other two the same name.
    path = config(tmp_path, hostname="'localhost' if hostup_name == 'a' else 'web'")

    result = parse(path, hostup_env(sim))

    assert result.rc == 0, result
    hosts = {v["hostup_id"]: name for name, v in result.hostvars.items()}
    assert hosts == {first["id"]: "localhost_" + first["id"], second["id"]: "web", third["id"]: "web_" + third["id"]}
    assert "localhost" not in result.manager.hosts, "the controller stays Ansible's implicit localhost"
    assert result.says("HostUp VPS %s (name 'a', hostname 'localhost') is the host 'localhost_%s': 'localhost' names "
                       "the controller" % (first["id"], first["id"]))
    assert result.says("HostUp VPS %s (name 'c', hostname 'web') is the host 'web_%s': 'web' is already the host of "
                       "VPS %s" % (third["id"], third["id"], second["id"]))
    assert result.output.count("[WARNING]: HostUp VPS") == 2, result.output


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("hostname, reason", [
    ("hostup_raw.no_such_field.x", "hostname failed ("),
    ("hostup_raw.missing | default('')", "hostname gave an empty name"),
    ("hostup_raw.resources", "hostname gave {"),
    ("undefined_filter_input | no_such_filter", "hostname failed ("),
])
def test_a_hostname_that_fails_or_gives_no_name_leaves_the_vps_name_with_a_warning(
        sim, tmp_path, parse, strict, hostname, reason):
    web, = seed(sim, {"name": "web"})
    result = parse(config(tmp_path, hostname=hostname, strict=strict), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web"]
    assert result.hostvars["web"]["hostup_id"] == web["id"]
    assert result.says("HostUp VPS %s (name 'web') is the host 'web': %s" % (web["id"], reason)), result.output


def test_a_hostname_that_fails_falls_back_as_a_vps_name_does(sim, tmp_path, parse):
    """The VPS name it falls back to is then refused like any other: here it is a reserved name."""
    vps_1, = seed(sim, {"name": "localhost"})
    result = parse(config(tmp_path, hostname="hostup_raw.nothing.here"), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["localhost_" + vps_1["id"]]
    assert result.says("HostUp VPS %s (name 'localhost') is the host 'localhost_%s': hostname failed ("
                       % (vps_1["id"], vps_1["id"]))
    assert result.says("; 'localhost' names the controller")


def test_hostup_raw_holds_every_field_the_api_gave(tmp_path, parse):
    """Fields HostUp does not document today (a region, say) reach hostup_raw too, and keyed_groups can use them."""
    listed = [dict(vps(1, "web"), region="se-sto-1", tags=["prod", "{{ 6 * 7 }}"]),
              dict(vps(2, "db"), region="se-got-1")]
    with Scripted(lambda number, query: {"data": listed, "hasMore": False, "nextCursor": None}) as server:
        path = config(tmp_path, keyed_groups=[{"key": "hostup_raw.region", "prefix": "region"}],
                      hostname="hostup_name ~ '.' ~ hostup_raw.region")
        result = parse(path, scripted_env(server))
    assert result.rc == 0, result
    assert result.hostvars["web.se-sto-1"]["hostup_raw"] == listed[0]
    assert result.hostvars["db.se-got-1"]["hostup_raw"] == listed[1]
    assert result.hosts("region_se_sto_1") == ["web.se-sto-1"]
    assert result.hosts("region_se_got_1") == ["db.se-got-1"]


def test_an_answer_of_the_wrong_shape_fails_readably(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    sim.fault(kind="wrong_shape", api="hostup", path="/vps$", times=1)
    result = parse(config(tmp_path), hostup_env(sim))
    assert result.rc != 0
    assert result.says("HostUp API GET /hostup/api/v2/vps failed: the answer (HTTP 200) has an unexpected shape: data:")


def test_values_from_the_api_are_never_evaluated_as_templates(sim, tmp_path, parse):
    from ansible.template import Templar, trust_as_template
    from ansible.vars.manager import VariableManager

    marker = tmp_path / "evaluated"
    seed(sim, {"name": "evil-{{ 6 * 7 }}", "serviceStatus": "{{ lookup('pipe', 'touch %s') }}" % marker,
               "operatingSystem": {"id": "{% raw %}x{% endraw %}", "name": "{{ 6 * 7 }}"}})

    result = parse(config(tmp_path), hostup_env(sim))

    assert result.rc == 0, result
    assert result.hosts("hostup") == ["evil-{{ 6 * 7 }}"]
    # What a task of a play on `hostup` shows with debug: its msg (trusted, as a playbook's text is)
    # templated with the variables Ansible gives the task for the host.
    host = result.manager.get_host("evil-{{ 6 * 7 }}")
    variables = VariableManager(loader=result.loader, inventory=result.manager).get_vars(host=host)
    shown = Templar(loader=result.loader, variables=variables).template(trust_as_template(
        "{{ inventory_hostname }}|{{ hostup_service_status }}|{{ hostup_operating_system.name }}"))
    assert shown == "evil-{{ 6 * 7 }}|{{ lookup('pipe', 'touch %s') }}|{{ 6 * 7 }}" % marker
    assert not marker.exists()


def test_tls_is_verified_and_ca_path_and_validate_certs_are_honoured(tmp_path, parse):
    import warnings

    with Simulator(tls=True) as sim, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        control = sim.url + "/_sim"
        requests.post(control + "/seed", json={"hostup": {"vps": [{"name": "web-1"}]}}, timeout=10,
                      verify=sim.ca_file).raise_for_status()
        env = {"HOSTUP_API_URL": sim.api_url("hostup"), "HOSTUP_API_KEY": KEY}

        refused = parse(config(tmp_path), env)
        trusted = parse(config(tmp_path, name="trusted.hostup.yml", ca_path=sim.ca_file), env)
        unverified = parse(config(tmp_path, name="unverified.hostup.yml", validate_certs=False), env)
        log = requests.get(control + "/requests", timeout=10, verify=sim.ca_file).json()["requests"]

    assert refused.rc != 0
    assert refused.says("the TLS certificate of 127.0.0.1:%d was refused" % sim.port)
    assert refused.says("Trust the CA that signed it with ca_path")
    assert trusted.rc == 0, trusted
    assert trusted.hosts("hostup") == ["web-1"]
    assert unverified.rc == 0, unverified
    assert unverified.hosts("hostup") == ["web-1"]
    # validate_certs=false: one Ansible warning, not urllib3's InsecureRequestWarning per request (issue 21).
    assert unverified.output.count("validate_certs is false: the TLS certificate of 127.0.0.1:%d is not verified"
                                   % sim.port) == 1, unverified.output
    assert not [w for w in seen if "Unverified HTTPS request" in str(w.message)]
    assert "InsecureRequestWarning" not in unverified.output
    # The refused handshake never reached the API: only the two listings did.
    assert [(r["method"], r["path"]) for r in log] == [("GET", "/hostup/api/v2/vps")] * 2


# -- answers the simulator never gives: a scripted server -------------------------------------------

def vps(n, name=None):
    return {"id": "vps_%026d" % n, "name": name or "vm-%d" % n, "primaryIp": "192.0.2.%d" % (n % 250 + 1),
            "serviceStatus": "active", "powerState": "running", "operatingSystem": None}


def scripted_env(server):
    return {"HOSTUP_API_URL": server.url, "HOSTUP_API_KEY": KEY}


def test_an_empty_api_url_variable_means_the_default_url(tmp_path, parse):
    """AWX injects an empty API URL field as HOSTUP_API_URL="": the default URL, not a bad one.

    The request is sent through this server as an HTTPS proxy, which refuses the tunnel: the test
    sees where the plugin went without anything leaving the machine.
    """
    with Scripted(lambda number, query: {}) as server:
        env = dict(scripted_env(server), HOSTUP_API_URL="", HTTPS_PROXY=server.base, https_proxy=server.base,
                   NO_PROXY="", no_proxy="")
        result = parse(config(tmp_path, retries=0), env)
    assert result.rc != 0
    assert server.tunnels == ["cloud.hostup.se:443"]
    assert result.says("HostUp API GET /api/v2/vps failed")
    assert not result.says("api_url must")


# -- connectivity: proxy, client certificates, rate-limit waits --------------------------------------

PROXY_PASSWORD = "inv-pr0xy-S3cret"


def test_the_proxy_option_carries_the_listing_and_wins_over_the_environment(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    with LoopbackProxy() as proxy:
        env = hostup_env(sim, HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
        result = parse(config(tmp_path, proxy=proxy.url), env)
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"]
    assert [m for m, url in proxy.forwarded] == ["GET"] and proxy.forwarded[0][1].startswith(sim.hostup_url + "/vps")


def test_a_proxy_that_refuses_is_named_and_its_password_never_shows(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    with LoopbackProxy(auth="alice:" + PROXY_PASSWORD) as proxy:
        url = "http://alice:wrong-%s@127.0.0.1:%d" % (PROXY_PASSWORD, proxy.port)
        result = parse(config(tmp_path, proxy=url, no_proxy="example.com"), hostup_env(sim), verbosity=3)
    assert result.rc != 0
    assert result.says("the proxy http://127.0.0.1:%d (from the proxy option) refused the request: HTTP 407"
                       % proxy.port), result
    assert not result.shows(PROXY_PASSWORD), result
    assert sim.requests("hostup") == []


def test_no_proxy_option_lists_directly(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    result = parse(config(tmp_path, proxy="http://127.0.0.1:9", no_proxy=["127.0.0.1"]), hostup_env(sim))
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"]


def test_tls_files_come_from_the_hostup_variables_and_are_checked_before_any_request(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    result = parse(config(tmp_path), hostup_env(sim, HOSTUP_CLIENT_CERT=str(tmp_path / "gone.pem")))
    assert result.rc != 0
    assert result.says("client_cert %s does not exist" % (tmp_path / "gone.pem")), result
    result = parse(config(tmp_path), hostup_env(sim, HOSTUP_CA_PATH=str(tmp_path / "gone-ca.pem")))
    assert result.rc != 0 and result.says("ca_path %s does not exist" % (tmp_path / "gone-ca.pem")), result
    assert sim.requests("hostup") == []


def test_a_long_retry_after_is_waited_out_when_rate_limit_max_wait_allows_it(sim, tmp_path, parse):
    seed(sim, {"name": "web-1"})
    sim.fault(api="hostup", kind="rate_limit", retry_after=3600, times=1)
    result = parse(config(tmp_path, rate_limit_max_wait=4000), hostup_env(sim), verbosity=1)
    assert result.rc == 0, result
    assert result.hosts("hostup") == ["web-1"]
    assert 3600 in sim.clock.slept
    assert result.says("rate limited by the HostUp API: waiting 3600 seconds"), result
    assert result.says("waited 3600 seconds in all for the API's rate limits"), result
    sim.fault(api="hostup", kind="rate_limit", retry_after=3600, times=1)
    result = parse(config(tmp_path), hostup_env(sim))
    assert result.rc != 0 and result.says("longer than rate_limit_max_wait (60 seconds)"), result


def test_the_cursor_is_a_query_parameter_and_a_vps_listed_twice_is_one_host(tmp_path, parse):
    # A cursor holding what would change a path if it were put in one.
    cursor = "../../admin/x?y=1&z=#frag /"

    def pages(number, query):
        if number == 1:
            return {"data": [vps(1)], "hasMore": True, "nextCursor": cursor}
        return {"data": [vps(1), vps(2)], "hasMore": False, "nextCursor": None}

    with Scripted(pages) as server:
        result = parse(config(tmp_path), scripted_env(server))
    assert result.rc == 0, result
    assert sorted(result.hosts("hostup")) == ["vm-1", "vm-2"]
    assert [path for path, dummy in server.requests] == ["/api/v2/vps", "/api/v2/vps"]
    assert server.requests[1][1] == {"limit": ["100"], "cursor": [cursor]}


@pytest.mark.parametrize("page, message", [
    ({"data": [], "hasMore": True, "nextCursor": "same"},
     "the API gave the same next page twice; stopped after 1 VPS rather than read for ever"),
    ({"data": [], "hasMore": True, "nextCursor": None},
     "page 2 says hasMore but gives no nextCursor: the rest of the list cannot be read"),
])
def test_a_list_that_would_never_end_fails_readably(tmp_path, parse, page, message):
    def pages(number, query):
        if number == 1:
            return {"data": [vps(1)], "hasMore": True, "nextCursor": "same"}
        return page

    with Scripted(pages) as server:
        result = parse(config(tmp_path), scripted_env(server))
    assert result.rc != 0
    assert result.says("HostUp API GET /") and result.says(message)
    assert len(server.requests) == 2


def test_the_page_loop_is_bounded(tmp_path, parse):
    def pages(number, query):
        return {"data": [vps(number)], "hasMore": True, "nextCursor": "cursor-%d" % number}

    with Scripted(pages) as server:
        result = parse(config(tmp_path), scripted_env(server))
    assert result.rc != 0
    assert result.says("more than 1000 pages of VPS; stopped after 1000 VPS. Narrow the inventory with filters")
    assert len(server.requests) == 1000


def test_a_page_larger_than_asked_fails_naming_the_bound_and_reads_no_further(tmp_path, parse):
    def pages(number, query):
        return {"data": [vps(n) for n in range(1, 102)], "hasMore": True, "nextCursor": "next"}

    with Scripted(pages) as server:
        result = parse(config(tmp_path), scripted_env(server))
    assert result.rc != 0
    assert result.says("HostUp API GET /api/v2/vps failed: page 1 holds 101 VPS, more than the 100 asked for: "
                       "stopped reading (at most 100000 VPS are read)")
    assert len(server.requests) == 1


@pytest.mark.parametrize("cap, listed, message", [
    (200, 200, None),
    (200, 201, "the API lists more than 200 VPS, the most that are read: stopped after 2 pages (200 VPS)"),
    (250, 300, "the API lists more than 250 VPS, the most that are read: stopped after 3 pages (300 VPS)"),
])
def test_more_vps_than_the_cap_fail_naming_it(tmp_path, parse, monkeypatch, cap, listed, message):
    from ansible.plugins.loader import inventory_loader

    # The module Ansible's loader runs (the cap itself, 100000 VPS, is checked in tests/unit).
    monkeypatch.setattr(sys.modules[type(inventory_loader.get("jobctl.cloud.hostup")).__module__], "MAX_HOSTS", cap)

    def pages(number, query):
        first = (number - 1) * 100 + 1
        last = min(first + 100, listed + 1)
        more = last <= listed
        return {"data": [vps(n) for n in range(first, last)], "hasMore": more,
                "nextCursor": "cursor-%d" % number if more else None}

    with Scripted(pages) as server:
        result = parse(config(tmp_path), scripted_env(server))
    if message is None:
        assert result.rc == 0, result
        assert len(result.hosts("hostup")) == listed
        assert len(server.requests) == 2
    else:
        assert result.rc != 0
        assert result.says("HostUp API GET /api/v2/vps failed: " + message + ". Narrow the inventory with filters")
        pages_read = int(re.search(r"after (\d+) pages", message).group(1))
        assert len(server.requests) == pages_read, "nothing is read after the page that reached the cap"


# -- Ansible's own behaviour around the plugin: real ansible-inventory runs --------------------------

def test_compose_groups_and_keyed_groups(sim, tmp_path):
    seed(sim, {"name": "db-1", "operatingSystem": {"id": "debian-12", "name": "Debian 12"}},
         {"name": "web-1", "operatingSystem": {"id": "ubuntu-24.04", "name": "Ubuntu 24.04 LTS"}},
         {"name": "web-2", "powerState": "stopped", "operatingSystem": {"id": "ubuntu-24.04", "name": "Ubuntu 24.04 LTS"}})
    path = config(
        tmp_path,
        compose={"ansible_user": "'admin'", "os_name": "hostup_operating_system.name",
                 "ansible_host": "hostup_name ~ '.example.net'"},
        groups={"databases": "hostup_name.startswith('db')", "down": "hostup_power_state != 'running'"},
        keyed_groups=[{"key": "hostup_operating_system.id", "prefix": "os"}, {"key": "hostup_service_status"}],
    )

    result = listing(path, env_for(sim))

    assert result.rc == 0, result
    assert result.hostvars["db-1"]["ansible_user"] == "admin"
    assert result.hostvars["web-1"]["os_name"] == "Ubuntu 24.04 LTS"
    # compose runs after the plugin's own variables: it may replace ansible_host.
    assert result.hostvars["web-2"]["ansible_host"] == "web-2.example.net"
    assert result.hosts("databases") == ["db-1"]
    assert result.hosts("down") == ["web-2"]
    assert sorted(result.hosts("os_ubuntu_24_04")) == ["web-1", "web-2"]
    assert result.hosts("os_debian_12") == ["db-1"]
    assert sorted(result.hosts("_active")) == ["db-1", "web-1", "web-2"]
    assert result.hosts("hostup_stopped") == ["web-2"]


def test_ansible_inventory_lists_hostup_raw_and_groups_keyed_on_it(sim, tmp_path):
    seed(sim, {"name": "web-1", "billing": {"cycle": "monthly", "price": 149.0, "currency": "SEK"}},
         {"name": "web-2", "billing": {"cycle": "yearly", "price": 1490.0, "currency": "SEK"}})
    path = config(tmp_path, keyed_groups=[{"key": "hostup_raw.billing.cycle", "prefix": "billing"}],
                  compose={"cores": "hostup_raw.resources.cpuCores"},
                  hostname="hostup_name ~ '.vps.example.net'")

    result = listing(path, env_for(sim))

    assert result.rc == 0, result
    raw = result.hostvars["web-1.vps.example.net"]["hostup_raw"]
    assert sorted(raw) == sorted(LISTED_FIELDS)
    assert raw["billing"] == {"cycle": "monthly", "price": 149.0, "currency": "SEK"}
    assert result.hostvars["web-1.vps.example.net"]["cores"] == raw["resources"]["cpuCores"]
    assert result.hosts("billing_monthly") == ["web-1.vps.example.net"]
    assert result.hosts("billing_yearly") == ["web-2.vps.example.net"]


@pytest.mark.parametrize("strict", [False, True])
def test_strict_decides_whether_a_broken_expression_fails(sim, tmp_path, strict):
    seed(sim, {"name": "web-1"})
    path = config(tmp_path, strict=strict, compose={"broken": "hostup_no_such_variable.attribute"},
                  keyed_groups=[{"key": "hostup_no_such_variable", "prefix": "x"}])

    result = listing(path, env_for(sim))

    if strict:
        assert result.rc != 0
        assert result.says("Could not set broken for host web-1")
    else:
        assert result.rc == 0, result
        assert result.hosts("hostup") == ["web-1"]
        assert "broken" not in result.hostvars["web-1"]
        assert not any(group.startswith("x_") for group in result.data)


def test_cache_serves_the_second_run_without_a_request(sim, tmp_path):
    seed(sim, {"name": "web-1"}, {"name": "web-2"})
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "cache_timeout": 3600}
    path = config(tmp_path, **cache)

    first = listing(path, env_for(sim))
    assert first.rc == 0, first
    assert len(vps_gets(sim)) == 1
    assert list((tmp_path / "cache").iterdir()), "the jsonfile cache holds the list"
    assert KEY not in "".join(p.read_text() for p in (tmp_path / "cache").iterdir()), "the key is never cached"

    seed(sim, {"name": "web-3"})
    seq = last_seq(sim)
    second = listing(path, env_for(sim))
    assert second.rc == 0, second
    assert sim.requests("hostup", since=seq) == [], "the second run is served from the cache"
    assert second.data == first.data, "a cached run builds the same inventory"

    # The same file with other filters lists other VPS: not from the cache of the first.
    assert config(tmp_path, filters={"name": "web-3"}, **cache) == path
    filtered = listing(path, env_for(sim))
    assert filtered.rc == 0, filtered
    assert filtered.hosts("hostup") == ["web-3"]
    assert len(vps_gets(sim, seq)) == 1
    config(tmp_path, **cache)

    # --flush-cache reads the API again and refreshes the cache (through ansible-playbook, which
    # has the flag in every supported release; ansible-inventory has it from 2.17).
    seq = last_seq(sim)
    noop = tmp_path / "noop.yml"
    noop.write_text(yaml.safe_dump([{"name": "noop", "hosts": "hostup", "gather_facts": False, "tasks": []}]))
    flushed = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(path), str(noop), "--flush-cache",
                              "--list-hosts"], env=ansible_env(env_for(sim)), capture_output=True, text=True,
                             timeout=300, cwd=str(ROOT), check=False)
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert "web-3" in flushed.stdout
    assert len(vps_gets(sim, seq)) == 1

    seq = last_seq(sim)
    again = listing(path, env_for(sim))
    assert sorted(again.hosts("hostup")) == ["web-1", "web-2", "web-3"], "--flush-cache refreshed the cache"
    assert sim.requests("hostup", since=seq) == []


def test_a_bad_key_without_unparsed_failed_is_a_warning_and_an_empty_inventory(sim, tmp_path):
    """Ansible's default for a failed source: the message is still the API's, and no host is listed."""
    key = "wrong-hostup-key-91aa03c5d2"
    seed(sim, {"name": "web-1"})
    result = listing(config(tmp_path), env_for(sim, key=key, ANSIBLE_INVENTORY_UNPARSED_FAILED="false"))
    assert result.rc == 0, result
    assert result.says("HTTP 401 Unauthorized")
    assert "hostup" not in result.data
    assert not result.says(key)


def test_ansible_inventory_never_shows_the_key_of_a_failed_source_at_full_verbosity(sim, tmp_path):
    """What ansible-inventory prints of a failed source itself (its warning, its error, their
    tracebacks, everything at -vvvvv), when the server quotes the key back."""
    key = "hostup-echoed-key-3a9f62d0c4"
    sim.seed(hostup={"api_keys": [{"key": key}]})
    sim.fault(kind="echo", api="hostup", status=400, times=-1)
    result = listing(config(tmp_path), env_for(sim, key=key, ANSIBLE_DISPLAY_TRACEBACK="always"), verbosity=5)
    assert result.rc != 0
    assert result.says("HTTP 400") and result.says("Refused: Authorization")
    assert not result.says(key)


# -- the fleet playbook ------------------------------------------------------------------------

def fleet(tmp_path, inventory, env, *args):
    """Run playbooks/hostup_fleet.yml over ``inventory``; (process, recorded results)."""
    record = tmp_path / ("record-%d.json" % len(list(tmp_path.glob("record-*.json"))))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(FLEET)] + list(args),
                          env=ansible_env(dict(env, JOBCTL_RECORD=str(record))), capture_output=True, text=True,
                          timeout=600, cwd=str(ROOT), check=False)
    results = json.loads(record.read_text()) if record.exists() else []
    return proc, results


def jobs_and_backups(sim):
    state = sim.state("hostup")["vps"]
    return ({v["name"]: sorted((j["jobType"], j["status"]) for j in v["active_jobs"]) for v in state},
            {v["name"]: [b["id"] for b in v["backups"]] for v in state})


def test_fleet_playbook_cancels_and_prunes_per_host_with_forks(sim, tmp_path):
    delay = 2.0
    listed = seed(sim, *({"name": "vm-%d" % n, "backups": {"count": 4},
                          "active_jobs": [{"jobType": "backup", "duration": 3600}]} for n in range(3)),
                  cancel_delay=3600)
    newest = {v["name"]: [b["id"] for b in v["backups"][:2]] for v in listed}
    # The first cancel of each VPS is answered late: with forks, they are in flight together.
    sim.fault(kind="slow", api="hostup", method="DELETE", path="/active-jobs$", delay=delay, times=3)
    inventory = config(tmp_path)
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"vps_backup_prune_keep_last": 2}))
    env = env_for(sim)

    check, dummy = fleet(tmp_path, inventory, env, "--forks", "3", "-e", "@%s" % extra, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    jobs, backups = jobs_and_backups(sim)
    assert all(j == [("backup", "running")] for j in jobs.values()), "check mode changes nothing"
    assert all(len(b) == 4 for b in backups.values())

    seq = last_seq(sim)
    proc, results = fleet(tmp_path, inventory, env, "--forks", "3", "-e", "@%s" % extra)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    jobs, backups = jobs_and_backups(sim)
    assert jobs == {"vm-%d" % n: [("backup", "cancelling")] for n in range(3)}, "every job cancelled"
    assert backups == newest, "every VPS keeps its newest two backups"
    cancelled = {r["host"] for r in results if r["task"].endswith("Cancel the active jobs of type backup, restore")
                 and r["status"] == "ok" and r["result"].get("changed")}
    assert cancelled == {"vm-%d" % n for n in range(3)}, "one host per VPS"

    sent = sim.requests("hostup", since=seq)
    deletes = [r for r in sent if r["method"] == "DELETE" and r["path"].endswith("/active-jobs")]
    assert sorted((r["path"].split("/")[5], r["body"]["jobType"]) for r in deletes) == sorted(
        (v["id"], t) for v in listed for t in ("backup", "restore")), "each VPS once per job type"
    slowed = sorted(r["time"] for r in deletes if r["fault"] == "slow")
    assert len(slowed) == 3
    # Each slowed cancel took `delay` seconds: two of them ending less than `delay` apart were in
    # flight at the same time, which only forks make possible.
    assert min(b - a for a, b in zip(slowed, slowed[1:])) < delay, slowed

    again, dummy = fleet(tmp_path, inventory, env, "--forks", "3", "-e", "@%s" % extra)
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.findall(r"changed=(\d+)", again.stdout) == ["0"] * 4, "a re-run changes nothing"


def test_fleet_playbook_tags_and_guards(sim, tmp_path):
    listed = seed(sim, {"name": "vm-0", "backups": {"count": 3}, "active_jobs": [{"jobType": "backup", "duration": 3600}]},
                  cancel_delay=3600)
    inventory = config(tmp_path)
    env = env_for(sim)

    no_policy, dummy = fleet(tmp_path, inventory, env)
    assert no_policy.returncode != 0
    assert said(no_policy.stdout, "Pruning needs a policy")
    assert [r["method"] for r in sim.requests("hostup")] == ["GET"], "only the inventory's list was read"

    cancel_only, dummy = fleet(tmp_path, inventory, env, "--tags", "cancel")
    assert cancel_only.returncode == 0, cancel_only.stdout + cancel_only.stderr
    jobs, backups = jobs_and_backups(sim)
    assert jobs == {"vm-0": [("backup", "cancelling")]}
    assert len(backups["vm-0"]) == 3, "--tags cancel prunes nothing"

    by_hand, dummy = fleet(tmp_path, inventory, env, "-e", "hostup_fleet_prune=false", "-e",
                           '{"vps_job_cancel_vps_ids": ["%s"]}' % listed[0]["id"])
    assert by_hand.returncode != 0
    assert said(by_hand.stdout, "do not set vps_job_cancel_vps_ids")

    empty, dummy = fleet(tmp_path, config(tmp_path, filters={"name": "nothing-matches"}), env,
                         "-e", "hostup_fleet_prune=false")
    assert empty.returncode != 0
    assert said(empty.stdout, "The HostUp inventory holds no VPS")
    allowed, dummy = fleet(tmp_path, config(tmp_path, filters={"name": "nothing-matches"}), env,
                           "-e", "hostup_fleet_prune=false", "-e", "hostup_fleet_allow_empty=true")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def ssh_recorder(tmp_path):
    """A directory with an ``ssh`` (and ``scp``, ``sftp``) that records each call in ``ssh-calls`` and fails."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    calls = tmp_path / "ssh-calls"
    for name in ("ssh", "scp", "sftp"):
        tool = bin_dir / name
        tool.write_text("#!/bin/sh\necho \"%s $*\" >> '%s'\nexit 255\n" % (name, calls))
        tool.chmod(0o755)
    return bin_dir, calls


def test_fleet_playbook_runs_every_api_call_on_the_controller_whatever_the_vps_are_named(sim, tmp_path):
    """Issue 21: a VPS named localhost (and a group's name) over hosts whose inventory says SSH.

    Three of the hostile fleet (localhost, hostup_running, web): every name of it is checked in-process
    above; here, what Ansible does with such hosts, each VPS costing its module processes."""
    specs, hosts, warnings = hostile_fleet()
    specs = [specs[0], specs[4], specs[5]]
    hosts = {spec["id"]: hosts[spec["id"]] for spec in specs}
    warnings = [warnings[0], warnings[4]]
    seed(sim, *(dict(spec, backups={"count": 2}, active_jobs=[{"jobType": "backup", "duration": 3600}])
                for spec in specs), cancel_delay=3600)
    bin_dir, calls = ssh_recorder(tmp_path)
    fake_ssh = str(bin_dir / "ssh")
    # Everything an inventory could say to log in to the VPS, which users' own plays rely on.
    inventory = config(tmp_path, compose={
        "ansible_connection": "'ssh'", "ansible_become": "true", "ansible_user": "'admin'",
        "ansible_python_interpreter": "'/nonexistent/python3'", "ansible_ssh_executable": "'%s'" % fake_ssh})
    env = env_for(sim, ANSIBLE_SSH_EXECUTABLE=fake_ssh,
                  PATH=os.pathsep.join([str(bin_dir), str(BIN), os.environ.get("PATH", "")]))
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"vps_backup_prune_keep_last": 1}))
    seq = last_seq(sim)

    # No -vvv: the fake ssh, first on PATH and the SSH executable of every host, records any connection.
    proc, results = fleet(tmp_path, inventory, env, "--forks", "2", "-e", "@%s" % extra)

    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert not calls.exists(), calls.read_text()
    assert "/nonexistent/python3" not in output, "no module ran with the inventory's interpreter"
    for warning in warnings:
        assert said(output, warning), warning
    # The checks ran on Ansible's own localhost, each VPS's work on its host.
    assert {r["host"] for r in results if r["task"].startswith("Refuse")} == {"localhost"}
    for task in ("Cancel the active jobs of type backup, restore", "Apply the retention policy to every VPS"):
        acting = {r["host"] for r in results if r["task"].endswith(task) and r["status"] == "ok"}
        assert acting == set(hosts.values()), (task, sorted(acting), sorted({r["task"] for r in results}))
    # Every API call of the playbook reached the simulator: each VPS's cancels, backup list and deletion.
    sent = sim.requests("hostup", since=seq)
    by_vps = {}
    for request in sent:
        parts = request["path"].split("/")
        if len(parts) > 5:
            by_vps.setdefault(parts[5], []).append((request["method"], "/".join(parts[6:7])))
    assert sorted(by_vps) == sorted(hosts), sorted(by_vps)
    for vps_id, made in by_vps.items():
        assert made.count(("DELETE", "active-jobs")) == 2, (vps_id, made)
        assert ("GET", "backups") in made and ("DELETE", "backups") in made, (vps_id, made)
    jobs, backups = jobs_and_backups(sim)
    assert all(j == [("backup", "cancelling")] for j in jobs.values()), jobs
    assert all(len(b) == 1 for b in backups.values()), backups


def test_fleet_playbook_with_a_bad_key_fails_and_touches_nothing(sim, tmp_path):
    key = "wrong-hostup-key-0b7d55e1"
    seed(sim, {"name": "vm-0", "active_jobs": [{"jobType": "backup", "duration": 3600}]})
    # Ansible's default: a failed inventory source is only a warning; the playbook's guard fails the run.
    env = env_for(sim, key=key, ANSIBLE_INVENTORY_UNPARSED_FAILED="false")
    proc, dummy = fleet(tmp_path, config(tmp_path), env, "-e", "hostup_fleet_prune=false", "-vvv")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert said(output, "HTTP 401 Unauthorized")
    assert said(output, "No HostUp inventory was loaded")
    assert not said(output, key)
    assert jobs_and_backups(sim)[0] == {"vm-0": [("backup", "running")]}


# -- docs/awx.md: the inventory source and job template it describes --------------------------------

def awx_section(title):
    page = (ROOT / "docs" / "awx.md").read_text()
    section = page.split("\n## " + title, 1)[1].split("\n## ", 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, flags=re.S)]


def test_the_awx_page_fleet_source_and_playbook_work_with_its_hostup_credential(sim, tmp_path):
    key = "awx-fleet-hostup-key-2c9e41d7"
    sim.seed(hostup={"api_keys": [{"key": key, "scopes": ["read:vm", "backup:vm"]}]})
    seed(sim, {"name": "prod-web-1", "active_jobs": [{"jobType": "backup", "duration": 3600}]},
         {"name": "staging-web-1", "active_jobs": [{"jobType": "backup", "duration": 3600}]}, cancel_delay=3600)
    source, wrapper = awx_section("A HostUp fleet")
    inventory = tmp_path / "inventory" / "fleet.hostup.yml"
    inventory.parent.mkdir()
    inventory.write_text(yaml.safe_dump(source))
    playbook = tmp_path / "hostup_fleet.yml"
    playbook.write_text(yaml.safe_dump(wrapper))
    # The HostUp credential of playbooks/awx_setup.yml, injected as AWX injects it.
    env = awx_inject(awx_credential_types()["hostup"], tmp_path, api_token=key, api_url=sim.hostup_url)
    env.update(ANSIBLE_INVENTORY_UNPARSED_FAILED="True", ANSIBLE_VERBOSE_TO_STDERR="True")

    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "--forks", "20",
                           "-e", "hostup_fleet_prune=false", "-vvv"],
                          env=ansible_env(dict(env, JOBCTL_RECORD=str(tmp_path / "record.json"))),
                          capture_output=True, text=True, timeout=300, cwd=str(ROOT), check=False)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not said(proc.stdout + proc.stderr, key)
    jobs, dummy = jobs_and_backups(sim)
    assert jobs == {"prod-web-1": [("backup", "cancelling")], "staging-web-1": [("backup", "running")]}, \
        "the page's filter selects the prod VPS only"
