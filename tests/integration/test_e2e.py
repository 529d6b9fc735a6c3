"""Every registered module end to end through ansible-playbook, and the in-process runner held to it.

The rest of the suite runs modules in-process (tests/runner.py), which is only as good as its
likeness to what Ansible does. Here each module of the registry runs as Ansible runs it (a module
process started by ansible-playbook, credentials from its API's module_defaults group): check mode,
then for real, then again (idempotent), on an object seeded for it. The same three steps then run
in-process on an identical object, and the two must agree on every result key and on ``changed``,
``failed`` and the warnings. One play per API keeps the cost at four ansible-playbook starts.
"""

import pytest

from registry import APIS, MODULES
from runner import run_module

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


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_module_of_an_api_end_to_end_and_in_process_alike(sim, play, api):
    modules = [m for m in MODULES.values() if m.api == api]
    objects = {m.name: m.seed(sim, 2) for m in modules}
    tasks = [t for m in modules for t in tasks_for(m, objects[m.name][0])]
    played = play(tasks, defaults=APIS[api].defaults(sim))
    assert played.rc == 0, played
    defaults = APIS[api].defaults(sim)
    for module in modules:
        through_ansible = [played.task("%s %s" % (module.name, step)) for step, mode in STEPS]
        assert [r["changed"] for r in through_ansible] == expected_changes(module), (module.name, through_ansible)
        assert not any(r.get("failed") for r in through_ansible), (module.name, through_ansible)
        assert module.check(through_ansible[1], objects[module.name][0]) == [], module.name
        # The same steps in-process, on the identical second object.
        obj = objects[module.name][1]
        in_process = [run_module(module.name, module.args(obj), defaults=defaults, **mode) for step, mode in STEPS]
        assert [comparable(r) for r in in_process] == [comparable(r) for r in through_ansible], module.name
        if module.changed:
            assert module.applied(sim.state(api), objects[module.name][0]) and module.applied(sim.state(api), obj)


def test_every_registered_module_is_played_here():
    assert {m.api for m in MODULES.values()} == set(APIS)
