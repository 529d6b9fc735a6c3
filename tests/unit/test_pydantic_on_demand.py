"""pydantic is imported where a run first reads an answer through a model, and nowhere before (issue 19).

Each check runs a Python of its own: in this one, other tests have imported pydantic long ago.
Importing the modules, checking their options and failing before any answer was read never import it;
a missing pydantic still fails every module before any request, with Ansible's missing-library message.
The real runs against the simulator are in tests/integration/test_pydantic_on_demand.py.
"""

import os
import subprocess
import sys

import pytest

from harness import COLLECTIONS, module_process
from registry import APIS, MODULES, module_files

# No server listens on port 1: a request fails at once, before any answer is read.
NOWHERE = "http://127.0.0.1:1"
VPS = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
BACKUP = "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"
GUID = "0a0a0a0a-0000-4000-8000-000000000000"
# Each API's mutating module with arguments that pass every check made before a request.
CANCELS = {
    "vps_active_job": {"vps_id": VPS, "job_type": "backup"},
    "vps_backup": {"vps_id": VPS, "backup_id": BACKUP},
    "cf_task": {"guid": GUID},
    "vsp_job": {"job_id": 7},
    "bigchange_job": {"job_id": 7, "reason": "not needed"},
}
MISSING = ("Failed to import the required Python library (pydantic (version 2))")


def python(code):
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(COLLECTIONS)),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def options(module, **args):
    """``args`` with the module's API credentials, every URL pointing at NOWHERE, and no retries."""
    given = APIS[MODULES[module].api].options(NOWHERE)
    given.update(args, retries=0)
    return given


def test_importing_every_module_imports_no_pydantic():
    modules = module_files()
    assert len(modules) == len(MODULES) >= 12, "every module file is imported here"
    code = "import sys\n%s\nprint('pydantic' in sys.modules, len(sys.modules))\n" % "\n".join(
        "import ansible_collections.jobctl.cloud.plugins.modules.%s" % m for m in modules)
    imported, count = python(code)
    assert imported == "False", "importing the modules imports pydantic"
    print("modules imported by importing all %d module files: %s" % (len(modules), count))


def test_a_payload_model_asked_for_by_name_imports_pydantic_then():
    code = ("import sys\n"
            "from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import models\n"
            "print('pydantic' in sys.modules)\n"
            "task = models.Task.model_validate({'guid': 'g', 'state': 'RUNNING', 'added': 1})\n"
            "print('pydantic' in sys.modules, task.raw() == {'guid': 'g', 'state': 'RUNNING', 'added': 1},\n"
            "      models.Task is models.Task, models.Task.__module__)\n")
    assert python(code) == ["False", "True", "True", "True",
                            "ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.payloads"]


def test_a_name_that_is_not_a_payload_model_is_an_attribute_error():
    code = ("from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import models\n"
            "import sys\n"
            "print(hasattr(models, 'Nothing'), hasattr(models, '__wrapped__'), 'pydantic' in sys.modules)\n")
    assert python(code) == ["False", "False", "False"]


@pytest.mark.parametrize("module", sorted(CANCELS))
def test_failing_on_an_option_imports_no_pydantic(module):
    result, imported, _proc = module_process(module, options(module, **dict(CANCELS[module], timeout=-1)))
    assert result.get("failed") and "timeout" in result["msg"], result
    assert imported["pydantic"] is False


@pytest.mark.parametrize("module", sorted(CANCELS))
def test_a_run_that_fails_at_its_first_request_imports_no_pydantic(module):
    result, imported, _proc = module_process(module, options(module, **CANCELS[module]))
    assert result.get("failed") and "127.0.0.1:1" in result["msg"], result
    assert imported["pydantic"] is False


@pytest.mark.parametrize("module", sorted(CANCELS))
def test_without_pydantic_every_module_fails_before_any_request_as_before(module):
    # None in sys.modules: an import of pydantic fails as if it were not installed.
    args = options(module, _ansible_tracebacks_for=["error"], **CANCELS[module])
    result, imported, _proc = module_process(module, args, prelude="import sys; sys.modules['pydantic'] = None")
    assert result.get("failed") and result["msg"].startswith(MISSING), result
    # The traceback of the import that failed, as Ansible shows it when asked to (-vvv).
    assert "ModuleNotFoundError" in result["exception"] and "pydantic" in result["exception"]
