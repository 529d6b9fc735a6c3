"""rate_limit_max_wait: a run may wait out a long Retry-After instead of failing, bounded and told.

The simulator's clock is the collection's (tests/conftest.py ``sim``): a wait of an hour costs no
real time, and the simulator's rate-limit window moves on with it.
"""

import json

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils import base
from registry import APIS, MODULES

FIRST_MODULE_OF = dict((api, min(n for n in MODULES if MODULES[n].api == api)) for api in APIS)


def run_limited(sim, run, name, **http):
    module = MODULES[name]
    obj = module.seed(sim, 1)[0]
    sim.clear_requests()
    defaults = {APIS[module.api].group: dict(APIS[module.api].options(sim.url), **http)}
    return module, obj, run(name, module.args(obj), defaults=defaults)


@pytest.fixture
def told():
    lines = []
    previous = base.PROGRESS
    base.PROGRESS = lines.append
    yield lines
    base.PROGRESS = previous


@pytest.mark.parametrize("api", sorted(APIS))
def test_an_hour_long_retry_after_is_waited_out_when_rate_limit_max_wait_allows_it(sim, run, told, api):
    name = FIRST_MODULE_OF[api]
    module = MODULES[name]
    obj = module.seed(sim, 1)[0]
    sim.fault(api=api, kind="rate_limit", retry_after=3600, times=1)
    defaults = {APIS[api].group: dict(APIS[api].options(sim.url), rate_limit_max_wait=4000)}
    out = run(name, module.args(obj), defaults=defaults)
    assert not out.get("failed"), out.get("msg")
    assert module.check(out, obj) == []
    assert 3600 in sim.clock.slept, sim.clock.slept
    assert any("waiting 3600 seconds" in line and "rate_limit_max_wait allows 4000" in line for line in told), told
    warned = [w for w in out.get("warnings", []) if "rate limits" in w]
    assert len(warned) == 1 and "waited 3600 seconds in all" in warned[0], out.get("warnings")


@pytest.mark.parametrize("api", sorted(APIS))
def test_by_default_an_hour_long_retry_after_fails_at_once_naming_the_option(sim, run, api):
    name = FIRST_MODULE_OF[api]
    module = MODULES[name]
    obj = module.seed(sim, 1)[0]
    sim.fault(api=api, kind="rate_limit", retry_after=3600, times=1)
    out = run(name, module.args(obj), defaults={APIS[api].group: APIS[api].options(sim.url)})
    assert out.get("failed") is True
    assert "in 3600 seconds), longer than rate_limit_max_wait (60 seconds)" in out["msg"], out["msg"]
    assert "raise rate_limit_max_wait (at most 86400)" in out["msg"]
    assert 3600 not in sim.clock.slept, "no sleep"


def test_short_waits_are_neither_told_nor_warned(sim, run, told):
    sim.fault(api="hostup", kind="rate_limit", retry_after=2, times=2)
    module, obj, out = run_limited(sim, run, "vps_backup_info")
    assert not out.get("failed"), out["msg"]
    assert sim.clock.slept == [2, 2]
    assert told == [] and not [w for w in out.get("warnings", []) if "rate limits" in w]


@pytest.mark.parametrize("value", [-1, 86401])
def test_rate_limit_max_wait_out_of_bounds_fails_before_any_request(sim, run, value):
    module, obj, out = run_limited(sim, run, "vps_backup_info", rate_limit_max_wait=value)
    assert out.get("failed") is True
    assert "rate_limit_max_wait must be" in out["msg"] and str(value) in out["msg"], out["msg"]
    assert sim.requests() == []


def test_rate_limit_max_wait_zero_never_waits_for_a_retry_after(sim, run):
    sim.fault(api="hostup", kind="rate_limit", retry_after=1, times=1)
    module, obj, out = run_limited(sim, run, "vps_backup_info", rate_limit_max_wait=0)
    assert out.get("failed") is True and "rate_limit_max_wait (0 seconds)" in out["msg"], out["msg"]
    assert sim.clock.slept == []
    assert len(sim.requests("hostup")) == 1
    assert "hostup-test-key" not in json.dumps(out)
