"""vps_info against the simulator: the VPS of an account by name and address, every page, read only.

Runs are module runs in this process (tests/runner.py), but for one ad-hoc ``ansible -m`` run, the
way a user finds an ID, with the key from the environment alone.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT, Scripted, ansible_env

KEY = "hostup-test-key"
KEYS = ["id", "name", "primary_ip", "power_state", "service_status"]


@pytest.fixture
def hostup(sim):
    return {"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": KEY, "retries": 1}}


@pytest.fixture
def mod(run, hostup):
    def call(args=None, **kwargs):
        kwargs.setdefault("defaults", hostup)
        return run("vps_info", args or {}, **kwargs)

    return call


def seed(sim, *specs):
    return sim.seed(hostup={"vps": list(specs)})["hostup"]["vps"]


def lists(sim, since=0):
    """The query of every GET /vps since ``since``; no other request may have been sent."""
    log = sim.requests("hostup", since=since)
    assert all(r["method"] == "GET" and r["path"].endswith("/api/v2/vps") for r in log), log
    return [dict((k, v[0] if len(v) == 1 else v) for k, v in r["query"].items()) for r in log]


def ok(out):
    assert not out.get("failed"), out
    assert out["changed"] is False, out
    return out


def test_lists_every_vps_with_its_id_name_address_and_states(sim, mod):
    made = seed(sim, {"name": "web-1", "primaryIp": "198.51.100.1"},
                {"name": "db-1", "primaryIp": "198.51.100.2", "powerState": "stopped", "serviceStatus": "suspended"})
    out = ok(mod())
    assert out["vps"] == [
        {"id": made[0]["id"], "name": "web-1", "primary_ip": "198.51.100.1", "power_state": "running",
         "service_status": "active"},
        {"id": made[1]["id"], "name": "db-1", "primary_ip": "198.51.100.2", "power_state": "stopped",
         "service_status": "suspended"},
    ]
    # Only these keys: the API's other fields (billing, resources, ...) are not returned.
    assert all(sorted(v) == sorted(KEYS) for v in out["vps"])
    assert lists(sim) == [{"limit": "100"}]


def test_a_field_the_api_left_out_is_null(sim, mod):
    made = seed(sim, {"name": "web-1"})[0]
    # The simulator always sends the fields; a VPS without an address is one whose primaryIp is null.
    sim.seed(hostup={"vps": [{"id": made["id"], "primaryIp": None}]})
    out = ok(mod())
    assert out["vps"][0]["primary_ip"] is None and out["vps"][0]["id"] == made["id"]


def test_the_filters_are_sent_as_the_inventory_sends_them(sim, mod):
    seed(sim, {"name": "web-1", "primaryIp": "198.51.100.1"}, {"name": "web-2", "primaryIp": "198.51.100.2"},
         {"name": "db-1", "primaryIp": "198.51.100.3"})
    out = ok(mod({"name": "web"}))
    assert [v["name"] for v in out["vps"]] == ["web-1", "web-2"]
    since = sim.requests()[-1]["seq"]
    out = ok(mod({"primary_ip": "198.51.100.2"}))
    assert [v["name"] for v in out["vps"]] == ["web-2"]
    since2 = sim.requests()[-1]["seq"]
    out = ok(mod({"name": "web", "primary_ip": "198.51.100.3"}))
    assert out["vps"] == []
    log = lists(sim)
    assert log[0] == {"limit": "100", "name": "web"}
    assert lists(sim, since)[0] == {"limit": "100", "primaryIp": "198.51.100.2"}
    assert lists(sim, since2) == [{"limit": "100", "name": "web", "primaryIp": "198.51.100.3"}]


def test_an_empty_filter_is_no_filter(sim, mod):
    seed(sim, {"name": "web-1"}, {"name": "db-1"})
    out = ok(mod({"name": "", "primary_ip": ""}))
    assert [v["name"] for v in out["vps"]] == ["web-1", "db-1"]
    assert lists(sim) == [{"limit": "100"}]


def test_a_filter_matching_nothing_lists_nothing_and_is_no_failure(sim, mod):
    seed(sim, {"name": "web-1", "primaryIp": "198.51.100.1"})
    out = ok(mod({"name": "no-such-vps"}))
    assert out["vps"] == [] and not out.get("warnings")
    out = ok(mod({"primary_ip": "192.0.2.99"}))
    assert out["vps"] == []


def test_an_account_without_vps_lists_nothing(sim, mod):
    out = ok(mod())
    assert out["vps"] == []
    assert lists(sim) == [{"limit": "100"}]


def test_every_page_is_read_with_the_cursor_the_api_gave(sim, mod):
    made = seed(sim, *[{"name": "fleet-%03d" % n} for n in range(230)])
    out = ok(mod())
    assert [v["id"] for v in out["vps"]] == [v["id"] for v in made]
    assert len(set(v["id"] for v in out["vps"])) == 230
    log = lists(sim)
    assert len(log) == 3
    assert "cursor" not in log[0] and log[1]["cursor"] and log[2]["cursor"] and log[1]["cursor"] != log[2]["cursor"]
    assert all(q["limit"] == "100" for q in log)


def test_paging_keeps_the_filter_on_every_page(sim, mod):
    seed(sim, *[{"name": "web-%03d" % n} for n in range(150)] + [{"name": "db-%03d" % n} for n in range(60)])
    out = ok(mod({"name": "web"}))
    assert len(out["vps"]) == 150 and all(v["name"].startswith("web-") for v in out["vps"])
    log = lists(sim)
    assert len(log) == 2 and all(q["name"] == "web" for q in log)


def test_check_mode_reads_the_same_and_sends_only_reads(sim, mod):
    seed(sim, {"name": "web-1"}, {"name": "web-2"})
    real = ok(mod({"name": "web"}))
    checked = ok(mod({"name": "web"}, check=True))
    assert checked["vps"] == real["vps"] and len(real["vps"]) == 2
    lists(sim)  # every request was a GET /vps


def test_a_missing_api_key_names_the_option_and_hostup_api_key(sim, run):
    out = run("vps_info", {}, defaults={"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url}})
    assert out.get("failed"), out
    assert "api_token" in out["msg"] and "HOSTUP_API_KEY" in out["msg"], out["msg"]
    assert sim.requests() == []


def test_a_whitespace_api_key_counts_as_missing(sim, run):
    out = run("vps_info", {}, defaults={"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": "  "}})
    assert out.get("failed") and "HOSTUP_API_KEY" in out["msg"], out
    assert sim.requests() == []


def test_a_wrong_api_key_fails_with_the_apis_words(sim, run):
    out = run("vps_info", {}, defaults={"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": "nope"}})
    assert out.get("failed") and "401" in out["msg"], out
    assert "nope" not in json.dumps({k: v for k, v in out.items() if k != "invocation"})


def test_more_vps_than_the_bound_fail_naming_it(sim, mod, monkeypatch):
    # The bound is the inventory's (100000 VPS); a smaller one here, so few VPS reach it.
    code = sys.modules["ansible_collections.jobctl.cloud.plugins.modules.vps_info"]
    monkeypatch.setattr(code, "MAX_VPS", 150)
    seed(sim, *[{"name": "fleet-%03d" % n} for n in range(230)])
    out = mod()
    assert out.get("failed"), out
    assert "more than 150 VPS" in out["msg"] and "Narrow the listing with name or primary_ip" in out["msg"], out["msg"]
    assert len(lists(sim)) == 2


def test_the_module_is_in_the_hostup_action_group(sim, run):
    # module_defaults through group/jobctl.cloud.hostup give it the credentials (the run fixture's way).
    seed(sim, {"name": "web-1"})
    out = ok(run("vps_info", {"name": "web-1"}))
    assert [v["name"] for v in out["vps"]] == ["web-1"]


# An ad-hoc `ansible -m` run with the key from the environment alone: how a user finds an ID.
def test_ad_hoc_finds_the_id_of_a_name(sim):
    made = seed(sim, {"name": "web-1", "primaryIp": "198.51.100.1"}, {"name": "db-1"})
    env = ansible_env({"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": KEY})
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-m", "jobctl.cloud.vps_info",
                           "-a", "name=web-1"], env=env, capture_output=True, text=True, timeout=120, cwd=str(ROOT),
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout and made[0]["id"] in proc.stdout and made[1]["id"] not in proc.stdout
    assert '"primary_ip": "198.51.100.1"' in proc.stdout


def test_ad_hoc_without_a_key_says_to_set_hostup_api_key(sim):
    env = ansible_env({"HOSTUP_API_URL": sim.hostup_url})
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-m", "jobctl.cloud.vps_info"],
                          env=env, capture_output=True, text=True, timeout=120, cwd=str(ROOT), check=False)
    assert proc.returncode != 0
    assert "FAILED" in proc.stdout and "HOSTUP_API_KEY" in proc.stdout, proc.stdout + proc.stderr


def listed(n):
    return {"id": "vps_%026d" % n, "name": "vm-%d" % n, "primaryIp": "192.0.2.%d" % n,
            "serviceStatus": "active", "powerState": "running"}


def test_a_vps_listed_again_on_a_later_page_is_listed_once(run):
    # The list changed between two pages (one VPS came before the cursor): the API gives vm-1 twice.
    def pages(number, query):
        if number == 1:
            return {"data": [listed(1)], "hasMore": True, "nextCursor": "c2"}
        return {"data": [listed(1), listed(2)], "hasMore": False, "nextCursor": None}

    with Scripted(pages) as server:
        out = ok(run("vps_info", {"api_url": server.url, "api_token": KEY, "retries": 0}))
    assert [v["name"] for v in out["vps"]] == ["vm-1", "vm-2"]
    assert [path for path, dummy in server.requests] == ["/api/v2/vps", "/api/v2/vps"]
