"""Shared fixtures: the simulator, its control client, and playbook runs (see harness.py)."""

import json
import sys
import uuid
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, SimClient, run_playbook  # noqa: E402  (harness puts the simulator on sys.path)
from simulator.core import Simulator  # noqa: E402


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator(port=0).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator):
    """A simulator reset to empty state for this test."""
    client = SimClient(simulator)
    client.reset("empty")
    return client


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
