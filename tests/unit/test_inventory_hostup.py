"""The rules of the jobctl.cloud.hostup inventory plugin that need no API: host names, groups, IDs, docs.

The plugin's requests, hosts, errors and output are tested in tests/integration/test_inventory_hostup.py:
run by Ansible's InventoryManager in the test process, and with real ansible-inventory and
ansible-playbook runs for what Ansible itself does around it (caching, compose, the CLI).
"""

import pytest
import yaml

from ansible_collections.jobctl.cloud.plugins.inventory import hostup
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.client import MAX_VPS_PAGES

WEB_1 = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
WEB_2 = "vps_01hxa3b4c5d6e7f8g9h0j1k2m4"
WEB_3 = "vps_01hxa3b4c5d6e7f8g9h0j1k2m5"


def vps(vps_id, name):
    return {"id": vps_id, "name": name}


def test_each_vps_is_the_host_of_its_name():
    named, warnings = hostup.host_names([vps(WEB_1, "web-1"), vps(WEB_2, "web-2")])
    assert [host for host, dummy in named] == ["web-1", "web-2"]
    assert [v["id"] for dummy, v in named] == [WEB_1, WEB_2]
    assert warnings == []


def hosts_of(named):
    return {v["id"]: host for host, v in named}


def test_a_later_vps_of_the_same_name_gets_its_id_appended_with_a_warning():
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "web"), vps(WEB_3, "web")])
    assert [host for host, dummy in named] == ["web", "web_" + WEB_2, "web_" + WEB_3]
    assert warnings == [
        "HostUp VPS %s (name 'web') is the host 'web_%s': 'web' is already the host of VPS %s" % (WEB_2, WEB_2, WEB_1),
        "HostUp VPS %s (name 'web') is the host 'web_%s': 'web' is already the host of VPS %s" % (WEB_3, WEB_3, WEB_1),
    ]


def test_names_are_given_in_ascending_id_order_whatever_order_the_api_lists():
    named, warnings = hostup.host_names([vps(WEB_3, "web"), vps(WEB_1, "web"), vps(WEB_2, "web")])
    assert [(host, v["id"]) for host, v in named] == [("web", WEB_1), ("web_" + WEB_2, WEB_2), ("web_" + WEB_3, WEB_3)]
    assert len(warnings) == 2


@pytest.mark.parametrize("name", [None, "", "   ", 42, {"first": "web"}])
def test_a_vps_without_a_usable_name_is_the_host_of_its_id(name):
    named, warnings = hostup.host_names([vps(WEB_1, name)])
    assert named[0][0] == WEB_1
    assert warnings == ["HostUp VPS %s (name %r) is the host '%s': it has no name" % (WEB_1, name, WEB_1)]


@pytest.mark.parametrize("name", ["web\n1", "web\x1b[2J", "web\u202e1", "web\t"])
def test_a_name_that_is_not_printable_is_not_used_and_shown_escaped(name):
    named, warnings = hostup.host_names([vps(WEB_1, name)])
    assert named[0][0] == WEB_1
    assert warnings == ["HostUp VPS %s (name %r) is the host '%s': its name holds characters that are not printable"
                        % (WEB_1, name, WEB_1)]
    assert warnings[0].isprintable()


def test_names_are_compared_exactly():
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "Web"), vps(WEB_3, "web ")])
    assert [host for host, dummy in named] == ["web", "Web", "web "]
    assert warnings == []


def test_the_crafted_trio_names_every_vps_and_never_fails():
    # VPS 2 is literally named as VPS 3's fallback: VPS 3 falls back to its ID.
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "web_" + WEB_3), vps(WEB_3, "web")])
    assert hosts_of(named) == {WEB_1: "web", WEB_2: "web_" + WEB_3, WEB_3: WEB_3}
    assert warnings == ["HostUp VPS %s (name 'web') is the host '%s': 'web' is already the host of VPS %s; "
                        "'web_%s' is already the host of VPS %s" % (WEB_3, WEB_3, WEB_1, WEB_3, WEB_2)]


@pytest.mark.parametrize("listed, expected", [
    # A name that is another VPS's ID is reserved, even for a VPS named before that one.
    ([vps(WEB_1, WEB_3), vps(WEB_3, None)], {WEB_1: "%s_%s" % (WEB_3, WEB_1), WEB_3: WEB_3}),
    # A VPS named after its own ID is the host of it.
    ([vps(WEB_1, WEB_1)], {WEB_1: WEB_1}),
    # The fallback of VPS 3 is the name of VPS 1, named first (lower ID).
    ([vps(WEB_1, "web_" + WEB_3), vps(WEB_2, "web"), vps(WEB_3, "web")],
     {WEB_1: "web_" + WEB_3, WEB_2: "web", WEB_3: WEB_3}),
])
def test_no_two_vps_ever_share_a_host(listed, expected):
    named, dummy = hostup.host_names(listed)
    assert hosts_of(named) == expected


@pytest.mark.parametrize("name, host, reason", [
    ("localhost", "localhost_" + WEB_1, "'localhost' names the controller"),
    ("LocalHost", "LocalHost_" + WEB_1, "'LocalHost' names the controller"),
    ("127.0.0.1", "127.0.0.1_" + WEB_1, "'127.0.0.1' names the controller"),
    ("::1", "::1_" + WEB_1, "'::1' names the controller"),
    ("all", "all_" + WEB_1, "'all' is a group name (all, ungrouped, hostup, hostup_*)"),
    ("ungrouped", "ungrouped_" + WEB_1, "'ungrouped' is a group name (all, ungrouped, hostup, hostup_*)"),
    ("hostup", WEB_1, "'hostup' is a group name (all, ungrouped, hostup, hostup_*); 'hostup_%s' is a group name "
                      "(all, ungrouped, hostup, hostup_*)" % WEB_1),
    # Reserved also while no VPS is stopped: --limit hostup_stopped never picks a running VPS so named.
    ("hostup_stopped", WEB_1, "'hostup_stopped' is a group name (all, ungrouped, hostup, hostup_*); "
                              "'hostup_stopped_%s' is a group name (all, ungrouped, hostup, hostup_*)" % WEB_1),
    ("databases", "databases_" + WEB_1, "'databases' is a group name"),
])
def test_reserved_names_fall_back_with_a_warning_naming_id_name_and_host(name, host, reason):
    named, warnings = hostup.host_names([vps(WEB_1, name)], groups={"databases"})
    assert named[0][0] == host
    assert warnings == ["HostUp VPS %s (name %r) is the host %r: %s" % (WEB_1, name, host, reason)]


def test_a_vps_whose_id_is_a_group_name_too_takes_the_next_free_number():
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, None)],
                                        groups={"web", "web_" + WEB_1, WEB_1, WEB_1 + "_2", WEB_2})
    assert hosts_of(named) == {WEB_1: WEB_1 + "_3", WEB_2: WEB_2 + "_2"}
    assert len(warnings) == 2


def test_warnings_show_long_names_cut():
    name = "w" * 5000
    named, warnings = hostup.host_names([vps(WEB_1, name), vps(WEB_2, name)])
    assert named[1][0] == "%s_%s" % (name, WEB_2), "the host name itself is the name"
    assert len(warnings) == 1 and len(warnings[0]) < 600, "each of the four names shown is cut"
    assert "'%s'... (5000 characters)" % ("w" * hostup.SHOWN_CHARS) in warnings[0]


@pytest.mark.parametrize("state, group", [
    ("running", "hostup_running"),
    ("stopped", "hostup_stopped"),
    ("shut off", "hostup_shut_off"),
    ("power-cycling", "hostup_power_cycling"),
    ("Running", "hostup_Running"),
    ("", None),
    (None, None),
    (1, None),
])
def test_the_power_state_group_is_sanitised_as_ansible_group_names_are(state, group):
    assert hostup.power_group({"powerState": state}) == group


@pytest.mark.parametrize("vps_id, usable", [
    (WEB_1, True),
    ("vps_01HXA3B4C5D6E7F8G9H0J1K2M3", False),
    ("vps_short", False),
    ("vps_01hxa3b4c5d6e7f8g9h0j1k2m3/..", False),
    ("../vps_01hxa3b4c5d6e7f8g9h0j1k2m3", False),
    ("", False),
    (None, False),
    (12345, False),
])
def test_only_ids_of_the_form_the_modules_accept_become_hosts(vps_id, usable):
    assert (hostup.vps_problem({"id": vps_id}) is None) is usable


def test_the_documentation_names_what_the_code_reads():
    doc = yaml.safe_load(hostup.DOCUMENTATION)
    options = doc["options"]
    assert set(options["filters"]["suboptions"]) == set(hostup.FILTERS)
    assert options["api_token"]["env"] == [{"name": "HOSTUP_API_KEY"}]
    assert options["api_url"]["env"] == [{"name": "HOSTUP_API_URL"}]
    assert options["api_url"]["default"] == hostup.DEFAULT_URL
    described = " ".join(doc["description"])
    for variable, field in hostup.HOST_VARS:
        assert "C(%s)" % variable in described and "C(%s)" % field in described
    notes = " ".join(doc["notes"])
    assert str(MAX_VPS_PAGES) in notes and str(hostup.MAX_HOSTS) in notes
    assert "C(localhost), C(127.0.0.1) and C(::1)" in described
    for example in hostup.EXAMPLES.split("\n---\n"):
        assert yaml.safe_load(example)["plugin"] == "jobctl.cloud.hostup"


@pytest.mark.parametrize("text, meant", [
    ("plugin: jobctl.cloud.hostup\n", True),
    ("---\nplugin: 'jobctl.cloud.hostup'  # the HostUp fleet\nfilters: {}\n", True),
    ('plugin: "jobctl.cloud.hostup"\n', True),
    ("# plugin: jobctl.cloud.hostup\nplugin: amazon.aws.aws_ec2\n", False),
    ("plugin: jobctl.cloud.hostup_other\n", False),
    ("all:\n  hosts:\n    web-1:\n      plugin: jobctl.cloud.hostup\n", False),
    ("", False),
])
def test_a_file_is_meant_for_the_plugin_when_its_plugin_line_names_it(tmp_path, text, meant):
    path = tmp_path / "fleet.yml"
    path.write_text(text)
    assert hostup.InventoryModule()._meant_for_this_plugin(str(path)) is meant


def test_a_file_too_large_or_not_a_file_is_not_looked_into(tmp_path, monkeypatch):
    path = tmp_path / "fleet.yml"
    path.write_text("plugin: jobctl.cloud.hostup\n")
    monkeypatch.setattr(hostup, "LOOKED_INTO_BYTES", 10)
    assert hostup.InventoryModule()._meant_for_this_plugin(str(path)) is False
    assert hostup.InventoryModule()._meant_for_this_plugin(str(tmp_path)) is False
    assert hostup.InventoryModule()._meant_for_this_plugin(str(tmp_path / "missing.yml")) is False
