"""Each API's cancel (HostUp's delete too) run for real against the simulator, in a process of its own,
which reports whether pydantic got imported (issue 19).

pydantic is imported where a run first reads an answer through a model. Every real cancel does: a
token grant's answer (Cloud Foundry, VSP, BigChange, and Cloud Foundry's root document), HostUp's
``{cancelled, reason}`` answer to the DELETE, HostUp's backup list, the job or task read before or
after a cancel. HostUp's active jobs are not modelled (their schema is undocumented: they are
found wherever the API put them), nor are the APIs' error answers: a HostUp cancel in check mode,
vps_active_job_info and a cancel the API refuses never import it.
tests/unit/test_pydantic_on_demand.py covers imports, option checks and runs that fail at their first request.
"""

import pytest

from harness import module_process
from registry import APIS, MODULES, UNKNOWN_VPS

MISSING = "Failed to import the required Python library (pydantic (version 2))"
# The models it reads before pydantic could be left out (the first one a real run meets).
FIRST_MODEL = {
    "vps_active_job": "CancelResult: the DELETE's answer",
    "vps_backup": "BackupList: the backups listed before the deletes",
    "cf_task": "Root: the root document, for the UAA URL",
    "vsp_job": "TokenReply: Keycloak's token",
    "bigchange_job": "TokenReply: BigChange's token",
}


def seeded(sim, module, **extra):
    row = MODULES[module]
    obj = row.seed(sim, 1)[0]
    args = dict(row.args(obj), **APIS[row.api].options(sim.url))
    args.update(extra)
    return row, obj, args


@pytest.mark.parametrize("module", sorted(FIRST_MODEL))
def test_a_real_cancel_imports_pydantic_at_its_first_modelled_answer(sim, module):
    row, obj, args = seeded(sim, module)
    result, imported, _proc = module_process(module, args)
    assert not result.get("failed") and result["changed"] is True, result
    assert row.applied(sim.state(row.api), obj)
    assert imported["pydantic"] is True, "the run reads %s" % FIRST_MODEL[module]


@pytest.mark.parametrize("module, extra, changed", [
    ("vps_active_job", {"_ansible_check_mode": True}, True),
    ("vps_active_job_info", {}, False),
    ("vps_active_job", {"vps_id": UNKNOWN_VPS}, None),
], ids=["cancel in check mode", "active jobs read", "cancel refused with the API's 404"])
def test_a_hostup_run_that_reads_no_modelled_answer_never_imports_pydantic(sim, module, extra, changed):
    row, obj, args = seeded(sim, module, **extra)
    result, imported, _proc = module_process(module, args)
    if changed is None:
        assert result.get("failed") and "HTTP 404" in result["msg"], result
    else:
        assert not result.get("failed") and result["changed"] is changed, result
    assert not MODULES["vps_active_job"].applied(sim.state("hostup"), obj)
    assert imported["pydantic"] is False


def test_a_pydantic_found_but_not_importable_fails_as_a_missing_one_before_any_change(sim):
    # pydantic and pydantic_core are on the path (the check before the run passes), but pydantic_core's
    # compiled part cannot be imported: found wanting where the first model is needed, the backup list.
    row, obj, args = seeded(sim, "vps_backup")
    result, _imported, _proc = module_process("vps_backup", args,
                                              prelude="import sys; sys.modules['pydantic_core._pydantic_core'] = None")
    assert result.get("failed") and result["msg"].startswith(MISSING), result
    assert [r["method"] for r in sim.requests("hostup")] == ["GET"]
    assert not row.applied(sim.state("hostup"), obj)
