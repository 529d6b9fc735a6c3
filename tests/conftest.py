"""Shared fixtures: the simulator and its clock, in-process module runs, and playbook runs (see harness.py).

* ``sim``: the session's in-process simulator, reset to empty for the test, whose clock is the
  collection's clock for the test (no test sleeps for a Retry-After, a backoff or a wait).
* ``run``: one module run in this process (tests/runner.py), with the simulator's credentials for
  its API unless the test gives ``defaults``.
* ``play`` / ``playbook``: real ``ansible-playbook`` runs, for what is Ansible's own behaviour.
"""

import json
import os
import sys
import uuid
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, SimClient, SimClock, run_playbook  # noqa: E402  (harness sets up sys.path)
from ansible_collections.jobctl.cloud.plugins.module_utils import clock  # noqa: E402
from registry import APIS, MODULES  # noqa: E402
from runner import run_module  # noqa: E402
from simulator.core import Simulator  # noqa: E402

# A developer's shell may hold real credentials (or `make sim`'s): no test may pick them up.
for _name in [n for n in os.environ if n.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_"))]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator(port=0).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator):
    """A simulator reset to empty state for this test; its clock is the collection's for the test."""
    client = SimClient(simulator)
    client.reset("empty")
    client.clock = SimClock(simulator)
    previous = clock.use(client.clock)
    yield client
    clock.use(previous)


@pytest.fixture
def real_clock(sim):
    """The real clock for the collection, while the simulator's may jump: the client cannot know of a jump."""
    previous = clock.use(clock.Clock())
    yield
    clock.use(previous)


@pytest.fixture
def run(sim):
    """Run a module here: run(module, args, check=, diff=, defaults=, env=, verbosity=) -> its result.

    Without ``defaults`` the module gets the simulator's credentials for its API, as module_defaults.
    """

    def call(module, args=None, check=False, diff=False, defaults=None, env=None, verbosity=0):
        if defaults is None:
            defaults = APIS[MODULES[module].api].defaults(sim)
        return run_module(module, args, check=check, diff=diff, verbosity=verbosity, defaults=defaults, env=env)

    return call


@pytest.fixture
def play(tmp_path):
    """Run tasks in a one-play playbook on localhost: play(tasks, check=..., diff=..., defaults=...)."""

    def run(tasks, check=False, diff=False, defaults=None, env=None, verbosity=0, play_vars=None):
        body = {"name": "test", "hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": tasks}
        if defaults:
            body["module_defaults"] = defaults
        if play_vars:
            body["vars"] = play_vars
        # A unique name: tests may run two plays at once (two runs racing for one job).
        playbook = tmp_path / ("play-%s.yml" % uuid.uuid4().hex)
        playbook.write_text(yaml.safe_dump([body], sort_keys=False))
        args = (["--check"] if check else []) + (["--diff"] if diff else []) + (["-" + "v" * verbosity] if verbosity else [])
        return run_playbook(playbook, args, env=env)

    return run


@pytest.fixture
def playbook(tmp_path):
    """Run a playbook file with extra vars and environment: playbook(path, extra_vars=, env=, check=, diff=)."""

    def run(path, extra_vars=None, env=None, check=False, diff=False, verbosity=0):
        args = ["--check"] if check else []
        args += ["--diff"] if diff else []
        args += ["-" + "v" * verbosity] if verbosity else []
        if extra_vars is not None:
            varfile = tmp_path / ("vars-%s.json" % uuid.uuid4().hex)
            varfile.write_text(json.dumps(extra_vars))
            args += ["-e", "@%s" % varfile]
        return run_playbook(ROOT / path, args, env=env)

    return run
