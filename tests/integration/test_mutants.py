"""Deliberate mutants of the collection, each of which the suite must catch (issue #11).

A test suite that passes whatever the code does proves nothing. Each mutant below is a small,
realistic bug; the tests named beside it run against a copy of the collection with that bug in it
(``JOBCTL_COLLECTIONS``, see harness.py) and must fail. The replaced text must appear exactly once,
so a mutant cannot silently stop applying when the code changes.
"""

import os
import shutil
import subprocess
import sys
from collections import namedtuple

import pytest

from harness import ROOT

Mutant = namedtuple("Mutant", "name path old new tests")

MUTANTS = [
    Mutant("resend-blind",  # a call that is not safe to repeat is sent again without reading first
           "plugins/module_utils/client.py", "            outcome = read_back()\n",
           "            outcome = None\n",
           ["tests/integration/test_faults.py", "-k", "vps_active_job and cancel"]),
    Mutant("transport-retries-mutations",  # the transport repeats a DELETE/PUT after a 5xx on its own
           "plugins/module_utils/client.py", 'REPEAT_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))',
           'REPEAT_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "DELETE", "PUT"))',
           ["tests/integration/test_faults.py", "-k", "vps_backup and delete"]),
    Mutant("changed-whatever-the-outcome",  # a cancel that found nothing to cancel still says changed
           "plugins/modules/vps_active_job.py", "        canceled = item.changed\n",
           "        canceled = item.outcome is not None\n",
           ["tests/integration/test_hostup.py"]),
    Mutant("failure-forced-unchanged",  # every failure reports changed: false
           "plugins/module_utils/base.py", '        result.setdefault("changed", False)\n',
           '        result["changed"] = False\n',
           ["tests/integration/test_faults.py::test_a_wait_that_times_out_after_the_cancel_still_reports_the_cancel"]),
    Mutant("active-jobs-keys-strict",  # only the documented-by-example keys of the unconfirmed schema
           "plugins/module_utils/_hostup/models.py",
           'ACTIVE_JOBS_LIST_KEYS = ("data", "jobs", "activeJobs")\nACTIVE_JOB_TYPE_KEYS = ("jobType", "type")',
           'ACTIVE_JOBS_LIST_KEYS = ("data",)\nACTIVE_JOB_TYPE_KEYS = ("jobType",)',
           ["tests/integration/test_hostup.py"]),
    Mutant("bulk-gives-up-early",  # any error of one item's call ends the run (VSP before issue 21)
           "plugins/module_utils/client.py", "def each(items, call, parallel=1, fatal=not_about_item):",
           "def each(items, call, parallel=1, fatal=lambda error: True):",
           ["tests/integration/test_vsp.py", "-k", "bulk_a_job_whose_cancel_keeps_failing"]),
    Mutant("msg-unbounded",  # every failure in msg, however many
           "plugins/module_utils/base.py", "NAMED_FAILURES = 5\n", "NAMED_FAILURES = 10 ** 6\n",
           ["tests/integration/test_bigchange_bulk.py", "-k", "600_failures"]),
    Mutant("pydantic-at-import",  # a module's import loads the payload models, and pydantic with them
           "plugins/module_utils/_vsp/models.py", "def job_body(job_id):\n",
           "from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.payloads import JobPage  # noqa\n\n\n"
           "def job_body(job_id):\n",
           ["tests/unit/test_pydantic_on_demand.py", "-k", "importing_every_module"]),
    Mutant("stop-ignored",  # a SIGTERM does not stop the bulk loop
           "plugins/module_utils/client.py", "        if watch is not None and watch.reason is not None:\n",
           "        if False:\n",
           ["tests/integration/test_vsp.py", "-k", "stop_between_jobs_in_process"]),
]

# What a copy of the collection needs: what Ansible loads from it.
CONTENT = ("plugins", "roles", "playbooks", "meta", "galaxy.yml")


def mutated_copy(tmp_path, mutant):
    dest = tmp_path / "collections" / "ansible_collections" / "jobctl" / "cloud"
    dest.mkdir(parents=True)
    for name in CONTENT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / name)
    target = dest / mutant.path
    text = target.read_text()
    assert text.count(mutant.old) == 1, "mutant %s no longer applies to %s: update it" % (mutant.name, mutant.path)
    target.write_text(text.replace(mutant.old, mutant.new))
    return tmp_path / "collections"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_suite_catches_the_mutant(tmp_path, mutant):
    collections = mutated_copy(tmp_path, mutant)
    env = dict(os.environ, JOBCTL_COLLECTIONS=str(collections))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist"] + mutant.tests,
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=900, check=False)
    # 1: tests ran and failed. Anything else (no tests collected, an internal error) proves nothing.
    assert proc.returncode == 1, "the suite did not catch mutant %s (exit %d):\n%s" % (
        mutant.name, proc.returncode, proc.stdout[-3000:])
