"""How a task runs: in the controller's worker when it runs on the controller, as a module process otherwise.

What tells the two apart from outside is the module payload: a module process is an AnsiballZ file
written to the remote temporary directory, and ``ANSIBLE_KEEP_REMOTE_FILES=1`` leaves it there. So
each case is a play of 20 tasks, each play with a remote temporary directory of its own, and the
payloads left are counted. The
results are the same either way (test_e2e.py compares them field by field); here every task must
have worked, whichever way it ran.
"""

import os
import stat
import sys

import yaml

from harness import ROOT, run_playbook
from registry import APIS

TASKS = 20
MODULE = "vps_active_job_info"


def payloads(directory):
    """The module payloads left under a remote temporary directory."""
    return sorted(name for dummy, dummy, files in os.walk(str(directory)) for name in files
                  if name.startswith("AnsiballZ_%s" % MODULE))


def play(sim, vps, name, remote_tmp, **extra):
    body = {"name": name, "hosts": "localhost", "gather_facts": False, "connection": "local",
            "module_defaults": APIS["hostup"].defaults(sim),
            "vars": dict({"ansible_remote_tmp": str(remote_tmp)}, **extra.pop("vars", {})),
            "tasks": [dict({"name": "%s %d" % (name, number), "jobctl.cloud." + MODULE: {"vps_id": vps}}, **extra)
                      for number in range(TASKS)]}
    return body


def fake_sudo(tmp_path):
    """A become program that runs what sudo would run, as the same user, and logs each command."""
    path = tmp_path / "sudo"
    mark = tmp_path / "sudo-used"
    path.write_text("#!/bin/sh\necho \"$*\" >> '%s'\nwhile [ $# -gt 0 ]; do case $1 in -u) shift 2; break;; *) shift;; esac; done\n"
                    "exec \"$@\"\n" % mark)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path, mark


def another_python(tmp_path):
    """The controller's Python under another name: a module process runs with it, a worker cannot."""
    path = tmp_path / "python-elsewhere"
    path.write_text("#!/bin/sh\nexec '%s' \"$@\"\n" % sys.executable)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_local_tasks_run_in_the_worker_and_every_other_case_as_a_module_process(sim, tmp_path):
    vps = sim.seed(hostup={"vps": [{"name": "in-process"}]})["hostup"]["vps"][0]["id"]
    sudo, mark = fake_sudo(tmp_path)
    cases = {
        "local": {},
        "switched off by a variable": {"vars": {"jobctl_cloud_in_process": False}},
        "become": {"become": True, "become_user": "nobody",
                   "vars": {"ansible_become_exe": str(sudo), "ansible_become_method": "sudo"}},
        # Fire and forget: the payload is what counts, and a poll would cost a second a task.
        "async": {"async": 60, "poll": 0},
        "another interpreter": {"vars": {"ansible_python_interpreter": str(another_python(tmp_path))}},
    }
    plays = [play(sim, vps, name, tmp_path / ("tmp-%d" % index), **dict(extra))
             for index, (name, extra) in enumerate(cases.items())]
    path = tmp_path / "cases.yml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    result = run_playbook(path, env={"ANSIBLE_KEEP_REMOTE_FILES": "1"}, timeout=600)
    assert result.rc == 0, result
    left = dict((name, len(payloads(tmp_path / ("tmp-%d" % index)))) for index, name in enumerate(cases))
    # A become to another user writes its payloads where that user can read them (a system temporary
    # directory): the become program's log counts them instead.
    left["become"] = sum("AnsiballZ_%s" % MODULE in line for line in mark.read_text().splitlines())
    assert left == {"local": 0, "switched off by a variable": TASKS, "become": TASKS, "async": TASKS,
                    "another interpreter": TASKS}
    for name in cases:
        for number in range(TASKS):
            got = result.task("%s %d" % (name, number))
            if name == "async":
                assert got.get("started") == 1 and got.get("ansible_job_id"), got
            else:
                assert not got.get("failed") and got["active_jobs"] == [], (name, number, got)


def test_the_environment_variable_switches_it_off_and_minus_vvv_tells_why(sim, tmp_path):
    vps = sim.seed(hostup={"vps": [{"name": "switched-off"}]})["hostup"]["vps"][0]["id"]
    path = tmp_path / "off.yml"
    path.write_text(yaml.safe_dump([play(sim, vps, "off", tmp_path / "tmp")], sort_keys=False))
    result = run_playbook(path, args=["-vvv"], env={"ANSIBLE_KEEP_REMOTE_FILES": "1",
                                                    "JOBCTL_CLOUD_IN_PROCESS": "false"}, timeout=600)
    assert result.rc == 0, result
    assert len(payloads(tmp_path / "tmp")) == TASKS
    assert "jobctl.cloud: running jobctl.cloud.%s as a module process: JOBCTL_CLOUD_IN_PROCESS is false" % MODULE \
        in result.stdout
    path.write_text(yaml.safe_dump([play(sim, vps, "on", tmp_path / "tmp-on")], sort_keys=False))
    result = run_playbook(path, args=["-vvv"], timeout=600)
    assert result.rc == 0, result
    assert payloads(tmp_path / "tmp-on") == []
    assert "jobctl.cloud: running jobctl.cloud.%s in the controller's process" % MODULE in result.stdout


def test_a_task_environment_reaches_the_module_in_the_worker_and_stays_with_its_task(sim, tmp_path):
    # Credentials from the task's environment keyword only: the worker's own environment gets them
    # for that task and no other (the next task, without them, fails naming the variable).
    vps = sim.seed(hostup={"vps": [{"name": "env"}]})["hostup"]["vps"][0]["id"]
    env = APIS["hostup"].env(sim.url)
    tasks = [{"name": "with", "jobctl.cloud." + MODULE: {"vps_id": vps}, "environment": env},
             {"name": "without", "jobctl.cloud." + MODULE: {"vps_id": vps}, "ignore_errors": True}]
    path = tmp_path / "env.yml"
    path.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "connection": "local",
                                     "tasks": tasks}], sort_keys=False))
    result = run_playbook(path)
    assert result.rc == 0, result
    assert result.task("with")["active_jobs"] == []
    assert result.task("without")["failed"] and "HOSTUP_API_KEY" in result.task("without")["msg"]


CRASHING_MODULE = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(secret=dict(type="str", no_log=True)))
    module.warn("about to fall over")
    raise ZeroDivisionError("the module fell over")


if __name__ == "__main__":
    main()
'''

CRASHING_ACTION = '''from ansible_collections.jobctl.cloud.plugins.plugin_utils.in_process import InProcessAction
from ansible_collections.testing.crash.plugins.modules import boom


class ActionModule(InProcessAction):
    MODULE = boom
'''


def test_a_module_that_crashes_reports_the_same_failure_either_way(tmp_path):
    # A module of a throwaway collection on the same helper: ours do not crash on purpose.
    collection = tmp_path / "collections" / "ansible_collections" / "testing" / "crash"
    for part, text in (("modules", CRASHING_MODULE), ("action", CRASHING_ACTION)):
        (collection / "plugins" / part).mkdir(parents=True)
        (collection / "plugins" / part / "boom.py").write_text(text)
    path = tmp_path / "crash.yml"
    path.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": [
        {"name": "boom", "testing.crash.boom": {"secret": "s3cr3t-value"}, "ignore_errors": True}]}]))
    env = {"ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (tmp_path / "collections", ROOT / ".build" / "collections")}
    here = run_playbook(path, env=env)
    there = run_playbook(path, env=dict(env, JOBCTL_CLOUD_IN_PROCESS="false"))
    assert here.rc == 0 and there.rc == 0, (here, there)
    one, other = here.task("boom"), there.task("boom")
    assert one["failed"] and other["failed"]
    assert one["msg"] == other["msg"]
    # ansible-core 2.19+ says it in msg; older cores give the traceback as module_stderr.
    assert "the module fell over" in one["msg"] + one.get("module_stderr", "")
    assert ("ZeroDivisionError" in one.get("module_stderr", "")) == ("ZeroDivisionError" in other.get("module_stderr", ""))
    assert "s3cr3t-value" not in here.stdout + here.stderr and "s3cr3t-value" not in str(one)


def test_a_long_wait_in_the_worker_shows_progress_at_minus_v(sim, tmp_path):
    # wait_timeout 60: a line every 6 s (a tenth of it); the job takes 8 s to stop after its cancel.
    vps = sim.seed(hostup={"vps": [{"name": "slow", "active_jobs": [
        {"jobType": "backup", "duration": 3600, "cancel_delay": 8}]}]})["hostup"]["vps"][0]["id"]
    path = tmp_path / "wait.yml"
    args = {"vps_id": vps, "job_type": "backup", "wait": True, "wait_timeout": 60, "wait_sleep": 1}
    task = {"name": "wait", "jobctl.cloud.vps_active_job": args}
    path.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "connection": "local",
                                     "module_defaults": APIS["hostup"].defaults(sim), "tasks": [task]}]))
    result = run_playbook(path, args=["-v"])
    assert result.rc == 0, result
    assert result.task("wait")["changed"] is True
    lines = [line for line in result.stdout.splitlines() if "still waiting for" in line]
    assert len(lines) == 1, result.stdout
    assert "jobctl.cloud.vps_active_job: still waiting for the backup job of %s to stop: 6 of at most 60 seconds" \
        % vps in lines[0]


def test_a_wait_tells_its_progress_to_whoever_listens_every_tenth_of_its_timeout(sim, run):
    from ansible_collections.jobctl.cloud.plugins.module_utils import base

    vps = sim.seed(hostup={"vps": [{"name": "slower", "active_jobs": [
        {"jobType": "backup", "duration": 3600, "cancel_delay": 100}]}]})["hostup"]["vps"][0]["id"]
    heard = []
    base.PROGRESS = heard.append
    try:
        out = run("vps_active_job", {"vps_id": vps, "job_type": "backup", "wait": True, "wait_timeout": 300,
                                     "wait_sleep": 5})
    finally:
        base.PROGRESS = None
    assert out["changed"] is True and not out.get("failed"), out
    assert [line.split(": ")[-1] for line in heard] == ["30 of at most 300 seconds", "60 of at most 300 seconds",
                                                        "90 of at most 300 seconds"]
