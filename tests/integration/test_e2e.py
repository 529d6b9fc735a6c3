"""Every registered module end to end through ansible-playbook, both ways a task runs, and the test runner held to them.

Each module of the registry runs as Ansible runs it (credentials from its API's module_defaults
group): check mode, then for real, then again (idempotent), on an object seeded for it. It runs
so twice, on identical objects: in the controller's process (the action plugins' default for a
local task) and as a module process (``JOBCTL_CLOUD_IN_PROCESS=false``); the two runs' results must
be equal field by field, but for the objects' own IDs and the API's request IDs. The rest of the
suite runs modules in the test process (tests/runner.py), which is only as good as its likeness to
what Ansible does: the same three steps run there too and must agree on every result key and on
``changed``, ``failed`` and the warnings. One ansible-playbook run holds a play per API (its
start-up is paid once); each API's test reads its own play.
"""

import json
import re

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


def leaves(obj):
    """The IDs of a seeded object (its values, strings and numbers, however nested)."""
    if isinstance(obj, dict):
        return [leaf for value in obj.values() for leaf in leaves(value)]
    if isinstance(obj, (list, tuple)):
        return [leaf for value in obj for leaf in leaves(value)]
    return [obj]


def same_but_ids(result, obj):
    """A task's result as JSON text with its object's IDs, other GUIDs the simulator made around them
    (a CF task's droplet) and the API's request IDs replaced, so two runs on identical objects compare equal."""
    text = json.dumps(result, sort_keys=True)
    # Each ID by its place in the object (identical objects have their IDs in the same places); a
    # number stays a number, so the text stays JSON.
    places = {}
    for place, leaf in enumerate(leaves(obj)):
        places.setdefault(str(leaf), place)
    for leaf in sorted(places, key=len, reverse=True):
        stand_in = str(9000000 + places[leaf]) if leaf.isdigit() else "<id%d>" % places[leaf]
        text = re.sub(r"(?<![0-9A-Za-z_])%s(?![0-9A-Za-z_])" % re.escape(leaf), stand_in, text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<guid>", text)
    return re.sub(r"req_[0-9a-z]+", "<request>", text)


def differences(one, other, path="result"):
    """Where two results differ, each as "path: one != other"."""
    if isinstance(one, dict) and isinstance(other, dict):
        return [d for key in sorted(set(one) | set(other))
                for d in differences(one.get(key, "<absent>"), other.get(key, "<absent>"), "%s.%s" % (path, key))]
    if isinstance(one, list) and isinstance(other, list) and len(one) == len(other):
        return [d for i, (a, b) in enumerate(zip(one, other)) for d in differences(a, b, "%s[%d]" % (path, i))]
    if one == other or (volatile(one) and volatile(other)) or path.endswith(VOLATILE_KEYS):
        return []
    return ["%s: %r != %r" % (path, one, other)]


# A HostUp job's progress grows with time; the simulator derives a backup's size from its ID and its
# displayId from its creation time (to the minute: two seeds a minute apart differ in it).
VOLATILE_KEYS = (".progress", ".sizeGb", ".displayId")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def volatile(value):
    """What two identical objects seeded a few seconds apart may differ in: times (ISO 8601, or epoch
    seconds as VSP gives them)."""
    if isinstance(value, float) and value > 1e9:
        return True
    return isinstance(value, str) and bool(TIME.match(value))


@pytest.fixture(scope="module")
def runs(simulator, tmp_path_factory):
    """Every module through ansible-playbook (one run, a play per API), then in-process; what each did."""
    sim = SimClient(simulator)
    sim.reset("empty")
    objects = dict((name, module.seed(sim, 2)) for name, module in MODULES.items())

    def play(chosen, env=None):
        plays = []
        for api in sorted(APIS):
            tasks = [t for name, m in sorted(MODULES.items()) if m.api == api for t in tasks_for(m, chosen[name])]
            plays.append({"name": api, "hosts": "localhost", "gather_facts": False, "connection": "local",
                          "module_defaults": APIS[api].defaults(sim), "tasks": tasks})
        path = tmp_path_factory.mktemp("e2e") / "e2e.yml"
        path.write_text(yaml.safe_dump(plays, sort_keys=False))
        return run_playbook(path, env=env)

    played = play(dict((name, objs[0]) for name, objs in objects.items()))
    previous = clock.use(SimClock(simulator))
    try:
        in_process = dict((name, [run_module(name, module.args(objects[name][1]), defaults=APIS[module.api].defaults(sim),
                                             **mode) for step, mode in STEPS])
                          for name, module in MODULES.items())
    finally:
        clock.use(previous)
    states = dict((api, sim.state(api)) for api in APIS)
    # The identical objects again, from an empty simulator (the same names), for the module processes.
    sim.reset("empty")
    again = dict((name, module.seed(sim, 1)[0]) for name, module in MODULES.items())
    as_process = play(again, env={"JOBCTL_CLOUD_IN_PROCESS": "false"})
    return played, in_process, objects, states, (as_process, again)


@pytest.mark.parametrize("api", sorted(APIS))
def test_every_module_of_an_api_end_to_end_and_in_process_alike(runs, api):
    played, in_process, objects, states, (as_process, again) = runs
    assert played.rc == 0, played
    assert as_process.rc == 0, as_process
    modules = [m for m in MODULES.values() if m.api == api]
    assert modules
    for module in modules:
        through_ansible = [played.task("%s %s" % (module.name, step)) for step, mode in STEPS]
        assert [r["changed"] for r in through_ansible] == expected_changes(module), (module.name, through_ansible)
        assert not any(r.get("failed") for r in through_ansible), (module.name, through_ansible)
        assert module.check(through_ansible[1], objects[module.name][0]) == [], module.name
        # The same steps as module processes, on an identical object: the same results.
        as_processes = [as_process.task("%s %s" % (module.name, step)) for step, mode in STEPS]
        for step, here, there in zip(STEPS, through_ansible, as_processes):
            assert differences(json.loads(same_but_ids(here, objects[module.name][0])),
                               json.loads(same_but_ids(there, again[module.name]))) == [], (module.name, step[0])
        # The same steps in the test process (tests/runner.py), on the identical second object.
        assert [comparable(r) for r in in_process[module.name]] == [comparable(r) for r in through_ansible], \
            module.name
        if module.changed:
            for obj in objects[module.name]:
                assert module.applied(states[api], obj), (module.name, obj)


def test_every_registered_module_is_played_here():
    assert {m.api for m in MODULES.values()} == set(APIS)
