"""Run a playbook with ansible-runner and check the artifacts it leaves, as AWX would read them.

Usage: check_runner_artifacts.py --run PRIVATE_DATA_DIR PLAYBOOK
       check_runner_artifacts.py ARTIFACT_DIR            (check an existing run only)

Checks: status "successful", rc 0, a playbook_on_stats event with no failed or unreachable host,
no failed task event, at least one jobctl.cloud module task that ran, and no secret from the
environment (the variables an AWX credential type injects) in the job's output or events.
Exits non-zero, naming every problem, when a check fails.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

IDENT = "gate"
# Environment variables whose values are secrets (see docs/awx.md): none may reach an artifact.
SECRET_VARIABLE = re.compile(r"^(HOSTUP|CF|VSP|BIGCHANGE)_\w*(KEY|PASSWORD|SECRET|TOKEN)$")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def events(artifacts):
    found = []
    for path in sorted(glob.glob(os.path.join(artifacts, "job_events", "*.json"))):
        with open(path, encoding="utf-8") as handle:
            found.append(json.load(handle))
    return sorted(found, key=lambda e: e.get("counter", 0))


def check(artifacts):
    problems = []
    status_file, rc_file = os.path.join(artifacts, "status"), os.path.join(artifacts, "rc")
    status = read(status_file).strip() if os.path.exists(status_file) else None
    rc = read(rc_file).strip() if os.path.exists(rc_file) else None
    if status != "successful":
        problems.append("status is %r, not 'successful'" % status)
    if rc != "0":
        problems.append("rc is %r, not '0'" % rc)

    run = events(artifacts)
    stats = [e for e in run if e.get("event") == "playbook_on_stats"]
    if len(stats) != 1:
        problems.append("%d playbook_on_stats events, not 1" % len(stats))
    else:
        data = stats[0].get("event_data", {})
        for key in ("failures", "dark"):
            if data.get(key):
                problems.append("playbook_on_stats reports %s: %s" % (key, data[key]))
        if not data.get("ok"):
            problems.append("playbook_on_stats reports no host ok")
    failed = [e for e in run if e.get("event") in ("runner_on_failed", "runner_item_on_failed", "runner_on_unreachable")
              and not e.get("event_data", {}).get("ignore_errors")]
    for event in failed:
        problems.append("task %r: %s" % (event["event_data"].get("task"), event["event"]))
    ours = [e for e in run if e.get("event") == "runner_on_ok"
            and str(e.get("event_data", {}).get("task_action", "")).startswith("jobctl.cloud.")]
    if not ours:
        problems.append("no jobctl.cloud module task ran")

    # What AWX shows and stores of a job: its output and its events. (runner's own `command` file
    # records the whole environment it was given, credentials included, by design.)
    secrets = {name: value for name, value in os.environ.items() if SECRET_VARIABLE.match(name) and len(value) >= 6}
    shown = [os.path.join(artifacts, "stdout")] + glob.glob(os.path.join(artifacts, "job_events", "*.json"))
    for path in shown:
        if os.path.isfile(path):
            text = read(path)
            for name, value in secrets.items():
                if value in text:
                    problems.append("the value of %s appears in %s" % (name, os.path.relpath(path, artifacts)))

    tasks = sorted({e["event_data"]["task_action"] for e in ours})
    summary = "%s events, %d jobctl.cloud task results (%s), %d secrets checked" % (
        len(run), len(ours), ", ".join(tasks), len(secrets))
    return problems, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run PLAYBOOK with ansible-runner first")
    parser.add_argument("path", help="private data dir (with --run) or artifact dir")
    parser.add_argument("playbook", nargs="?", help="playbook in the private data dir's project/")
    args = parser.parse_args(argv)
    artifacts = args.path
    if args.run:
        if not args.playbook:
            parser.error("--run needs PLAYBOOK")
        runner = os.path.join(os.path.dirname(sys.executable), "ansible-runner")
        subprocess.run([runner, "run", args.path, "-p", args.playbook, "--ident", IDENT], check=False)
        artifacts = os.path.join(args.path, "artifacts", IDENT)
    problems, summary = check(artifacts)
    for problem in problems:
        print("FAILED: %s" % problem, file=sys.stderr)
    if problems:
        return 1
    print("ansible-runner artifacts ok: status successful, rc 0, %s" % summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
