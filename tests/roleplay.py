"""Many cases of one role in ONE ansible-playbook run: one inventory host per case.

Every ``ansible-playbook`` run costs about 2 s of start-up before its first task, so a role test
that runs the playbook once per case pays that again and again. ``run_cases`` runs the cases of a
role playbook side by side in a single run::

    batch = roleplay.run_cases("playbooks/vps_job_cancel.yml", {
        "missing_ids": {},
        "bad_type": {"vps_job_cancel_vps_ids": [...], "vps_job_cancel_job_types": ["snapshot"]},
    }, workdir, env={"HOSTUP_API_URL": ..., "HOSTUP_API_KEY": ...})
    case = batch.host("bad_type")
    assert not case.ok                                     # this case failed, as rc != 0 said alone
    assert "must be one or more of" in case.failure()["msg"]

How the run is built
--------------------
* An inventory (YAML, so each variable keeps its JSON type, as ``-e @vars.json`` did) with one host
  per case in the group ``roleplay_cases``; every host is ``ansible_connection: local`` with this
  Python as its interpreter, and carries its case's variables as host variables.
* The play is the playbook file's own single play with its ``hosts`` replaced by that group; every
  other keyword (``connection``, ``gather_facts``, ``roles``, ``module_defaults``...) is kept, so the
  role goes through the same argument_specs validation and the same tasks as the playbook file.
* ONE play for all cases, not one play per case: ansible-playbook ends the whole run after a play in
  which every host failed, so a refused case alone in its play would stop every later case's play.
  In one play a failed host only leaves that play; the other hosts go on (up to ``forks`` at once,
  Ansible's default 5, so cases also run side by side).
* A last play on the same group with one ``debug`` task (no module process): a host reaches it
  exactly when it came through the role without an un-ignored failure and was not unreachable, i.e.
  when a run of that case alone would have ended with rc 0. ``HostResult.ok`` says so. (If every
  case failed, ansible-playbook stops before that play: no host reaches it, which is right too.)

What a batch changes, so do NOT batch cases whose test is about it
-----------------------------------------------------------------
* Variables are inventory host variables, not extra vars. For a playbook whose play sets no
  variables and a role without ``vars/``, they override the role's defaults just as ``-e`` does
  (``run_cases`` refuses a play with ``vars``/``vars_files``/``vars_prompt``); a test about extra-var
  precedence needs the real ``-e`` run.
* Check mode, diff mode, verbosity (``args``) and the environment (credentials) are the run's: the
  same for every case. ``ansible_check_mode`` only follows ``--check``, so check-mode cases need a
  batch of their own run with ``--check``.
* Cases run side by side and share one simulator: give each case its own objects (its own VPS, job,
  app...), and read each case's requests by its own IDs. Order between cases is not defined; each
  case's own requests keep their order.
* ``stdout`` is the whole run's: assert on the host's recorded results (a task's ``msg`` is what the
  default callback prints) before looking for words in the shared stdout.

Using it from a test module
---------------------------
Run the batch once in a module-scoped fixture and let each (parametrized) test assert on its own
host, keeping its test ID. The ``sim`` fixture is per test and resets the simulator, so the fixture
takes the session's ``simulator``, makes its own ``harness.SimClient``, resets and seeds it, and keeps
what the tests need (``requests()``, ``state()``) right after the run::

    @pytest.fixture(scope="module")
    def refused(simulator, tmp_path_factory):
        sim = SimClient(simulator)
        sim.reset("empty")
        batch = roleplay.run_cases(PLAYBOOK, {"bad%d" % i: case[0] for i, case in enumerate(BAD)},
                                   tmp_path_factory.mktemp("refused"), env=...)
        return batch, sim.requests()

Where a test asserted "nothing was sent", batch only cases that all send nothing and keep asserting
that the whole run sent nothing. Under ``pytest -n 2 --dist loadfile`` (make test) a file's tests
share one worker, so the batch runs once; under ``--dist load`` it runs once per worker that gets one
of its tests, which stays correct.
"""

import re
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import yaml

from harness import ROOT, PlayResult, SimClient, run_playbook

GROUP = "roleplay_cases"
MARKER = "roleplay: the host came through the play"


class HostResult:
    """One case's part of a batch: its recorded results (as PlayResult has them) and whether it came through."""

    def __init__(self, batch, host):
        self.batch = batch
        self.host = host
        mine = [r for r in batch.results if r["host"] == host]
        self.ok = any(r["task"] == MARKER for r in mine)
        self.results = [r for r in mine if r["task"] != MARKER]
        # The whole run's output, for words that must also reach the screen; a host's own words are
        # in its results.
        self.stdout = batch.stdout
        self.stderr = batch.stderr

    def _named(self, name):
        # Tasks of a role are recorded as "<role> : <task name>".
        return [r for r in self.results if r["task"] == name or r["task"].endswith(" : " + name)]

    def task(self, name):
        """The result of this host's last task called ``name`` (fails naming what ran when there is none)."""
        matches = self._named(name)
        assert matches, "no result for task %r on %s in %s\n%r" % (
            name, self.host, [r["task"] for r in self.results], self.batch)
        return matches[-1]["result"]

    def status(self, name):
        return self._named(name)[-1]["status"]

    def failure(self):
        """The result of the task that failed this host (its last failed one)."""
        failed = [r for r in self.results if r["status"] in ("failed", "unreachable")]
        assert failed, "%s has no failed task: %s\n%r" % (self.host, [r["task"] for r in self.results], self.batch)
        return failed[-1]["result"]

    def __repr__(self):
        return "HostResult(%s, ok=%s) of %r" % (self.host, self.ok, self.batch)


class BatchResult:
    """The whole run (rc, stdout, stderr, every recorded result); ``host(case)`` is one case's part."""

    def __init__(self, play_result, cases):
        self.rc = play_result.rc
        self.stdout = play_result.stdout
        self.stderr = play_result.stderr
        self.results = play_result.results
        self.cases = list(cases)

    def host(self, case):
        assert case in self.cases, "no case %r in this batch: %s" % (case, self.cases)
        return HostResult(self, case)

    def __repr__(self):
        return "BatchResult(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.stdout, self.stderr)


def batch_playbook(playbook):
    """The batch's playbook (a list of plays) for the playbook file ``playbook`` (relative to the repository root)."""
    plays = yaml.safe_load((ROOT / playbook).read_text())
    assert isinstance(plays, list) and len(plays) == 1, "%s: roleplay batches a playbook of exactly one play" % playbook
    play = dict(plays[0])
    assert "hosts" in play, "%s: its one entry is not a play" % playbook
    for keyword in ("vars", "vars_files", "vars_prompt"):
        # Host variables lose to play variables; a batch would not apply the cases' variables as -e did.
        assert keyword not in play, "%s: a play with %s cannot be batched with host variables" % (playbook, keyword)
    for role in play.get("roles", []):
        name = role if isinstance(role, str) else role.get("role", role.get("name", ""))
        if name.startswith("jobctl.cloud."):
            # A role's vars/ beat host variables (but not -e): batched cases would not set what they name.
            assert not (ROOT / "roles" / name.split(".")[-1] / "vars").exists(), "%s has vars/: not batchable" % name
    play["hosts"] = GROUP
    marker = {"name": "roleplay: did each case come through", "hosts": GROUP, "gather_facts": False,
              "tasks": [{"name": MARKER, "ansible.builtin.debug": {"msg": "came through"}}]}
    return [play, marker]


def inventory(cases):
    hosts = {}
    for name, variables in cases.items():
        host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        host.update(variables)
        hosts[name] = host
    return {"all": {"children": {GROUP: {"hosts": hosts}}}}


def run_cases(playbook, cases, workdir, args=(), env=None):
    """Run every case of ``cases`` ({host name: the variables a run would have given with -e}) through the
    one play of ``playbook`` in ONE ansible-playbook run; ``args`` (--check, -vvv...) and ``env`` hold for
    all. Returns a BatchResult; ``.host(name)`` is a case's part.

    Host names must be valid inventory host names (letters, digits, "_", "-"), and not "localhost".
    """
    assert cases, "no cases to run"
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex
    book = workdir / ("roleplay-%s.yml" % tag)
    hosts = workdir / ("roleplay-%s.inventory.yml" % tag)
    book.write_text(yaml.safe_dump(batch_playbook(playbook), sort_keys=False))
    hosts.write_text(yaml.safe_dump(inventory(cases), sort_keys=False))
    return BatchResult(run_playbook(book, ["-i", str(hosts)] + list(args), env=env), cases)


# -- Several plays of cases, the simulator seeded and read around the run -----------------------------
#
# ``run_batch`` is the same idea for tests that need more than the playbook's play as it is: plays
# built by the test (the playbook's play with ``module_defaults`` added, a second play), the
# simulator reset and seeded for the batch, and what it logged kept for the tests. A host's pass or
# failure is read from its line of the play recap.


def playbook_play(playbook, hosts, **changes):
    """The play of ``playbook`` (it has one) on ``hosts`` instead of localhost, with ``changes``."""
    plays = yaml.safe_load((ROOT / playbook).read_text())
    assert len(plays) == 1, "%s has one play" % playbook
    return dict(plays[0], hosts=hosts, **changes)


def run_batch(simulator, workdir, hosts, plays, env=None, seed=None, keep=()):
    """Run ``plays(sim)`` once over the inventory group ``cases``: ``hosts`` ({host: its variables}).

    A case is a host: its variables are host variables, which beat the role's defaults as extra
    vars do, and which the argument spec validation and the role's tasks read the same way. Every
    host has a local connection and this Python. A host that fails stops only itself, but a play
    whose hosts have all failed ends the playbook (ansible-playbook's rule): cases that fail share
    a play with others, or their play comes last. The simulator is reset, ``seed(sim)`` seeds it
    (what it returns is kept as ``seeded``), and ``env(url)`` is the run's environment. The batch
    keeps the simulator's request log, and the state of the APIs in ``keep``, after the run.
    """
    sim = SimClient(simulator)
    sim.reset("empty")
    seeded = seed(sim) if seed else None
    inventory = dict((name, dict(variables, ansible_connection="local", ansible_python_interpreter=sys.executable))
                     for name, variables in hosts.items())
    (workdir / "inventory.yml").write_text(yaml.safe_dump({"all": {"children": {"cases": {"hosts": inventory}}}}))
    (workdir / "batch.yml").write_text(yaml.safe_dump(plays(sim), sort_keys=False))
    result = run_playbook(workdir / "batch.yml", ["-i", str(workdir / "inventory.yml")],
                          env=env(simulator.url) if env else None)
    return Batch({"rc": result.rc, "stdout": result.stdout, "stderr": result.stderr, "results": result.results,
                  "requests": sim.requests(), "state": dict((api, sim.state(api)) for api in keep),
                  "seeded": seeded})


class Batch:
    """What one batched run did (rc, stdout, results, requests, state, seeded), and each host's part."""

    def __init__(self, data):
        self.__dict__.update(data)

    def case(self, host):
        """``host``'s part of the run, as a PlayResult of a run of its own: its results, the output
        lines that name it, and the rc a run of its own would have ended with (from its recap line)."""
        recap = re.search(r"^%s\s+:.*\bunreachable=(\d+)\s+failed=(\d+)" % re.escape(host), self.stdout, re.M)
        assert recap, "%s is not in the recap: it did not run\n%s" % (host, self.stdout)
        lines = [line for line in self.stdout.splitlines() if "[%s]" % host in line]
        proc = SimpleNamespace(returncode=2 if int(recap.group(1)) or int(recap.group(2)) else 0,
                               stdout="\n".join(lines), stderr=self.stderr)
        return PlayResult(proc, [r for r in self.results if r["host"] == host])
