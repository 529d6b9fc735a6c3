"""Every registered module end to end through ansible-playbook, and the in-process runner held to it.

The rest of the suite runs modules in-process (tests/runner.py), which is only as good as its
likeness to what Ansible does. Here each module of the registry runs as Ansible runs it (a module
process started by ansible-playbook, credentials from its API's module_defaults group): check mode,
then for real, then again (idempotent), on an object seeded for it. The same three steps then run
in-process on an identical object, and the two must agree on every result key and on ``changed``,
``failed`` and the warnings. One ansible-playbook run holds a play per API (its start-up is paid
once); each API's test reads its own play.
"""

import pytest
import yaml

from harness import SimClient, SimClock, run_playbook
from registry import APIS, MODULES
from runner import run_module

from ansible_collections.jobctl.cloud.plugins.module_utils import clock

STEPS = (("check", {"check": True}), ("real", {}), ("again", {}))
# Keys Ansible's task executor adds around a module's own result, which an in-process run has not.
ANSIBLE_KEYS = {"_ansible_no_log", "_ansible_verbose_always", "_ansible_verbose_override", "changed", "failed",
                "invocation", "warnings", "deprecations", "diff"}


def tasks_for(module, obj):
    """The three steps of one module on one object, as tasks of a play."""
    tasks = []
    for step, mode in STEPS:
        task = {"name": "%s %s" % (module.name, step), "jobctl.cloud." + module.name: module.args(obj)}
        if mode.get("check"):
            task["check_mode"] = True
        tasks.append(task)
    return tasks


def expected_changes(module):
    """``changed`` of each step: a mutating module predicts, makes, then finds nothing to do."""
    return [module.changed, module.changed, False]


def comparable(result):
    return {"keys": sorted(set(result) - ANSIBLE_KEYS), "changed": bool(result.get("changed")),
            "failed": bool(result.get("failed")), "warnings": len(result.get("warnings") or [])}


@pytest.fixture(scope="module")
def runs(simulator, tmp_path_factory):
    """Every module through ansible-playbook (one run, a play per API), then in-process; what each did."""
    sim = SimClient(simulator)
    sim.reset("empty")
    objects = dict((name, module.seed(sim, 2)) for name, module in MODULES.items())
    plays = []
    for api in sorted(APIS):
        tasks = [t for name, m in sorted(MODULES.items()) if m.api == api for t in tasks_for(m, objects[name][0])]
        plays.append({"name": api, "hosts": "localhost", "gather_facts": False, "connection": "local",
                      "module_defaults": APIS[api].defaults(sim), "tasks": tasks})
    path = tmp_path_factory.mktemp("e2e") / "e2e.yml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    played = run_playbook(path)
    previous = clock.use(SimClock(simulator))
    try:
        in_process = dict((name, [run_module(name, module.args(objects[name][1]), defaults=APIS[module.api].defaults(sim),
                                             **mode) for step, mode in STEPS])
                          for name, module in MODULES.items())
    finally:
        clock.use(previous)
    return played, in_process, objects, dict((api, sim.state(api)) for api in APIS)


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_module_of_an_api_end_to_end_and_in_process_alike(runs, api):
    played, in_process, objects, states = runs
    assert played.rc == 0, played
    modules = [m for m in MODULES.values() if m.api == api]
    assert modules
    for module in modules:
        through_ansible = [played.task("%s %s" % (module.name, step)) for step, mode in STEPS]
        assert [r["changed"] for r in through_ansible] == expected_changes(module), (module.name, through_ansible)
        assert not any(r.get("failed") for r in through_ansible), (module.name, through_ansible)
        assert module.check(through_ansible[1], objects[module.name][0]) == [], module.name
        # The same steps in-process, on the identical second object.
        assert [comparable(r) for r in in_process[module.name]] == [comparable(r) for r in through_ansible], \
            module.name
        if module.changed:
            for obj in objects[module.name]:
                assert module.applied(states[api], obj), (module.name, obj)


def test_every_registered_module_is_played_here():
    assert {m.api for m in MODULES.values()} == set(APIS)
