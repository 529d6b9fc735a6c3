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


def test_a_later_vps_of_the_same_name_gets_its_id_appended_with_a_warning():
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "web"), vps(WEB_3, "web")])
    assert [host for host, dummy in named] == ["web", "web_" + WEB_2, "web_" + WEB_3]
    assert len(warnings) == 2
    assert warnings[0] == ("HostUp VPS %s and %s are both named 'web': %s is the host 'web', %s is the host 'web_%s'"
                           % (WEB_1, WEB_2, WEB_1, WEB_2, WEB_2))


@pytest.mark.parametrize("name", [None, "", "   ", 42, {"first": "web"}])
def test_a_vps_without_a_usable_name_is_the_host_of_its_id(name):
    named, warnings = hostup.host_names([vps(WEB_1, name)])
    assert named[0][0] == WEB_1
    assert warnings == ["HostUp VPS %s has no name: it is the host %s" % (WEB_1, WEB_1)]


def test_names_are_compared_exactly():
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "Web"), vps(WEB_3, "web ")])
    assert [host for host, dummy in named] == ["web", "Web", "web "]
    assert warnings == []


def test_a_renamed_host_never_takes_another_vps_name():
    # VPS 3 is literally named as VPS 2's renamed host: it gets its own ID appended in turn.
    named, warnings = hostup.host_names([vps(WEB_1, "web"), vps(WEB_2, "web"), vps(WEB_3, "web_" + WEB_2)])
    assert [host for host, dummy in named] == ["web", "web_" + WEB_2, "web_%s_%s" % (WEB_2, WEB_3)]
    assert warnings[1] == ("HostUp VPS %s is named 'web_%s', which is already the host of VPS %s: it is the host "
                           "'web_%s_%s'" % (WEB_3, WEB_2, WEB_2, WEB_2, WEB_3))


@pytest.mark.parametrize("listed, vps_id, host, holder", [
    # The name VPS 2 would be renamed to is already another VPS's name.
    ([vps(WEB_3, "web_" + WEB_2), vps(WEB_1, "web"), vps(WEB_2, "web")], WEB_2, "web_" + WEB_2, WEB_3),
    # A VPS without a name would be named after its ID, which is another VPS's name.
    ([vps(WEB_3, WEB_1), vps(WEB_1, None)], WEB_1, WEB_1, WEB_3),
])
def test_a_host_name_that_cannot_be_made_unique_fails_rather_than_merge_two_vps(listed, vps_id, host, holder):
    with pytest.raises(ValueError) as failure:
        hostup.host_names(listed)
    assert str(failure.value) == ("HostUp VPS %s cannot have a host name of its own: %r is already the host of VPS %s"
                                  % (vps_id, host, holder))


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
    assert str(MAX_VPS_PAGES) in " ".join(doc["notes"])
    for example in hostup.EXAMPLES.split("\n---\n"):
        assert yaml.safe_load(example)["plugin"] == "jobctl.cloud.hostup"
