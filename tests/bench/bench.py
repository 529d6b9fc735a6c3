"""Benchmark of the jobctl.cloud modules against the bundled API simulator (``make bench``).

Measured side by side in one run, on this machine:

- start-up: one module process (its AnsiballZ file run alone) against one ``uri`` and one ``ping``
  process, and where the difference goes: importing requests and pydantic, pydantic's first
  validation, our own code compiled from the AnsiballZ zip;
- requests: what each operation of tests/bench/operations.py sends in normal mode, check mode and
  the idempotent re-run, read from the simulator's request log, next to the least the API allows;
- per-task cost: a loop of the module against the same loop written with ``ansible.builtin.uri``
  (read, decide, act), a single ``uri`` task per item, and ``ansible.builtin.ping``;
- scale: the vps_backup_prune role over many VPS against tests/bench/playbooks/prune_uri.yml;
- roles: the vsp_job_cancel, bigchange_job_cancel and cf_task_cancel roles over hundreds of jobs
  against the same cancels written with ``uri`` (tests/bench/playbooks/*_uri.yml);
- rate limits: the prune and the three roles while the simulator allows N requests per second;
- bulk: one vsp_job and one bigchange_job module run over thousands of jobs (5000 by default): the
  cost per job must not grow with the list (issue 21: VSP's grew with its square);
- memory: the peak RSS of one bigchange_job module process cancelling 500 jobs.

Progress goes to stderr; the one table of results goes to stdout at the end (``--json`` also saves
every number). ``--quick`` is a smaller run for trying changes. See tests/bench/README.md.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COLLECTIONS = ROOT / ".build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "jobctl" / "cloud"
BIN = Path(sys.executable).parent

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from operations import OPERATIONS, ROLE_RUNS  # noqa: E402
from registry import APIS, MODULES, environment  # noqa: E402
from simulator.core import Simulator  # noqa: E402

# The per-task loops of every API with a uri recipe, 20 items each: about 600 module runs, which keeps
# `make bench` near ten minutes on an idle 2-core machine. `--loops all --loop-items 50` is the long run.
DEFAULT_LOOPS = "cancel,delete,cf_cancel,vsp_cancel,bc_cancel"
SECTIONS = ("startup", "requests", "loops", "scale", "roles", "rate", "bulk", "memory")

# Targets of issue #13: per task in CPU (HostUp cancel and delete rows), roles at scale, rate limits, memory.
TARGET_VS_PAIR = 0.5
TARGET_VS_SINGLE = 1.0
TARGETED_LOOPS = ("cancel", "delete")
# Issue 19: per task, in the controller's process against ping, as a module process against one uri task.
TARGET_IN_PROCESS_VS_PING = 0.5
TARGET_PROCESS_VS_URI = 1.0
TARGET_ROLE_SPEEDUP = 20.0
TARGET_RATE_RATIO = 1.2
TARGET_RSS_MB = 150.0
# Issue 21: one bulk run over thousands of VSP jobs costs the same order per job as BigChange's (VSP
# sends two requests per job, BigChange one and a read per 50).
TARGET_BULK_RATIO = 3.0
# Targets of issue #8, still standing: our own imports, the prune at scale.
TARGET_OWN_IMPORT_MS = 20.0
TARGET_PRUNE_S = 30.0
TARGET_PRUNE_SPEEDUP = 5.0
PRUNE_KEEP_LAST = 2
PRUNE_BACKUPS = 10
PRUNE_TASK = "Apply the retention policy to every VPS"


def _env(name):
    return "{{ lookup('ansible.builtin.env', '%s') }}" % name


# What the uri recipes see as ``bench_api``: read from the environment, so no secret is written to a file.
BENCH_API_VARS = {
    "hostup": {"url": _env("HOSTUP_API_URL"), "key": _env("HOSTUP_API_KEY")},
    "cloudfoundry": {"url": _env("CF_API_URL"), "username": _env("CF_USERNAME"), "password": _env("CF_PASSWORD")},
    "vsp": {"url": _env("VSP_API_URL"), "token_url": _env("VSP_TOKEN_URL"), "username": _env("VSP_USERNAME"),
            "password": _env("VSP_PASSWORD")},
    "bigchange": {"url": _env("BIGCHANGE_API_URL"), "token_url": _env("BIGCHANGE_TOKEN_URL"),
                  "customer": _env("BIGCHANGE_CUSTOMER_ID"), "client_id": _env("BIGCHANGE_CLIENT_ID"),
                  "client_secret": _env("BIGCHANGE_CLIENT_SECRET")},
}

# Run in a fresh interpreter with an AnsiballZ payload zip first on sys.path, as AnsiballZ runs a
# module: every step's CPU and wall time. Nothing from the zip is ever cached as bytecode.
STARTUP_SCRIPT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
steps = json.loads(sys.argv[2])
out = []
for name, code in steps:
    wall, cpu = time.perf_counter(), time.process_time()
    exec(code)
    out.append([name, time.perf_counter() - wall, time.process_time() - cpu])
print(json.dumps(out))
"""
BASIC_STEP = ("ansible.module_utils.basic", "import ansible.module_utils.basic")
REQUESTS_STEP = ("requests", "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3.util.retry import Retry")
# A model class loads pydantic.fields (and annotated_types, pydantic.types) whatever its fields.
PYDANTIC_STEP = ("pydantic", "from pydantic import BaseModel, ConfigDict, Field\n"
                             "class First(BaseModel):\n    model_config = ConfigDict(defer_build=True)\n    x: int = 0")
# pydantic scans every installed distribution's entry points for plugins before its first validator.
PLUGIN_STEP = ("plugin scan", "try:\n    from pydantic.plugin._loader import get_plugins\nexcept ImportError:\n"
                              "    pass\nelse:\n    get_plugins()")
VALIDATE_STEP = ("first validation", "First.model_validate({'x': 1})")
# The module whose payload shows our module_utils for each API: its first mutating module in the registry.
API_MODULES = dict((api, next(m.name for m in MODULES.values() if m.api == api and m.mutating)) for api in APIS)
PROCESS_NAMES = ("ping", "uri", "vps_active_job")


def log(text):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), text))
    sys.stderr.flush()


def median(values):
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------------- simulator

class Control:
    """The simulator's control API (/_sim), over HTTP like any client."""

    def __init__(self, url):
        self.url = url
        self.seq = 0

    def call(self, method, path, body=None, params=""):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_sim" + path + params, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")

    def reset(self):
        self.seq = 0
        answer = self.call("POST", "/reset", {"seed": "empty"})
        # The VSP uri recipes and docs/benchmark.md's VSP rows are for a server that sets a new XSRF
        # token after each POST: the simulator's switch, no longer its default.
        self.call("POST", "/seed", {"vsp": {"settings": {"csrf_rotation": True}}})
        return answer

    def seed(self, api, body):
        return self.call("POST", "/seed", {api: body})[api]

    def state(self, api):
        return self.call("GET", "/state", params="?api=" + api)

    def rate_limit(self, api, per_second):
        return self.call("POST", "/rate_limit", {"api": api, "per_second": per_second})

    def take(self):
        """The request log entries since the last take()."""
        entries = self.call("GET", "/requests", params="?since=%d" % self.seq)["requests"]
        if entries:
            self.seq = entries[-1]["seq"]
        return entries


# --------------------------------------------------------------------------------------- ansible

class Run:
    def __init__(self, proc, wall, cpu, tasks):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.wall = wall
        self.cpu = cpu
        self.tasks = tasks

    def task(self, name):
        found = [t for t in self.tasks if t["task"] == name or t["task"].endswith(" : " + name)]
        if not found:
            raise RuntimeError("no task %r in this run (rc %s):\n%s\n%s"
                               % (name, self.rc, self.stdout[-3000:], self.stderr[-3000:]))
        return found[-1]

    def seconds(self, *names):
        """Wall time of these tasks together; NaN when one of them did not run to its end."""
        try:
            return sum(self.task(n)["end"] - self.task(n)["start"] for n in names)
        except (RuntimeError, TypeError):
            return float("nan")

    def failure(self):
        """Why the run failed, or None."""
        if self.rc == 0:
            return None
        failed = [t for t in self.tasks if t.get("status") == "failed"]
        msg = failed[-1]["msg"] if failed and failed[-1].get("msg") else (self.stderr or self.stdout)[-800:]
        return "rc %s: %s" % (self.rc, msg[:800])


class Ansible:
    def __init__(self, sim_url, workdir):
        self.workdir = Path(workdir)
        self.count = 0
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_", "ANSIBLE_", "PYTHONPATH"))}
        env.update(environment(sim_url))
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        })
        self.env = env

    def write(self, plays):
        self.count += 1
        path = self.workdir / ("play-%d.yml" % self.count)
        path.write_text(yaml.safe_dump(plays, sort_keys=False))
        return path

    def play(self, tasks, play_vars=None, name="bench", env=None):
        body = {"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": dict(play_vars or {}), "tasks": tasks}
        return self.run(self.write([body]), env=env)

    def run(self, playbook, extra_vars=None, env=None, timeout=1800):
        record = self.workdir / ("record-%d.json" % self.count)
        self.count += 1
        args = [str(BIN / "ansible-playbook"), "-i", "localhost,", str(playbook)]
        if extra_vars is not None:
            varfile = self.workdir / ("vars-%d.json" % self.count)
            varfile.write_text(json.dumps(extra_vars))
            args += ["-e", "@%s" % varfile]
        if record.exists():
            record.unlink()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(args, env=dict(self.env, JOBCTL_BENCH_RECORD=str(record), **(env or {})), cwd=str(ROOT),
                              capture_output=True, text=True, timeout=timeout, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        tasks = json.loads(record.read_text()) if record.exists() else []
        return Run(proc, wall, cpu, tasks)


def fresh_process(args, env):
    """Wall and CPU time of one fresh process, and its output; raises when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or '"failed": true' in proc.stdout:
        raise RuntimeError("%s failed: %s %s" % (os.path.basename(args[-1]), proc.stdout[-1500:], proc.stderr[-1500:]))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout


def payload_zip(ansiballz, dest):
    """The module's payload zip from an AnsiballZ file, as the wrapper writes it before it imports from it."""
    import base64

    data = re.search(r"zip_data='([^']+)'", Path(ansiballz).read_text()).group(1)
    Path(dest).write_bytes(base64.b64decode(data))
    return dest


# Runs the module process for the memory rows: the interpreter Ansible starts, it starts the real one
# and records the rusage of that process alone (os.wait4), where getrusage(RUSAGE_CHILDREN) of the
# whole ansible-playbook run would report the largest of all its processes (the controller's).
RSS_WRAPPER = r"""#!%(python)s
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(%(python)r, [%(python)r] + sys.argv[1:])
dummy, status, usage = os.wait4(pid, 0)
with open(os.environ["JOBCTL_BENCH_RSS"], "a") as out:
    out.write(json.dumps({"module": os.path.basename(sys.argv[-1]), "maxrss_kb": usage.ru_maxrss,
                          "cpu": usage.ru_utime + usage.ru_stime, "wall": time.perf_counter() - start}) + "\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


# ------------------------------------------------------------------------------------ the bench

class Bench:
    def __init__(self, opts, sim, workdir):
        self.opts = opts
        self.sim = sim
        self.ctl = Control(sim.url)
        self.ansible = Ansible(sim.url, workdir)
        self.workdir = Path(workdir)
        self.rows = []      # (area, what, measured, target, verdict)
        self.data = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "options": vars(opts),
                     "load_average": {}}
        self.available = {}
        self.baseline = None

    def row(self, area, what, measured, target="", verdict=""):
        self.rows.append((area, what, measured, target, verdict))

    # -- which operations can run ----------------------------------------------------------
    def check_available(self):
        apis = set(self.sim.apis)
        for op in OPERATIONS:
            if op.api not in apis:
                self.available[op.key] = "the %s simulator is not there yet" % op.api
            elif not (ROOT / "plugins" / "modules" / ("%s.py" % op.module)).exists():
                self.available[op.key] = "module %s is not there yet" % op.module
            else:
                self.available[op.key] = None
        return [op for op in OPERATIONS if self.available[op.key] is None]

    def seed_units(self, op, count, start=0):
        return [op.item(self.ctl.seed(op.api, op.unit(start + i))) for i in range(count)]

    def still_pending(self, op, items):
        if op.pending is None:
            return []
        state = self.ctl.state(op.api)
        return [item for item in items if op.pending(state, item)]

    def empty_run_cpu(self):
        """CPU and wall of a playbook that runs nothing: what every run pays before its first task."""
        if self.baseline is None:
            runs = [self.ansible.play([{"name": "nothing", "ansible.builtin.meta": "noop"}]) for dummy in range(2)]
            self.baseline = {"cpu": min(r.cpu for r in runs), "wall": min(r.wall for r in runs)}
            self.data["empty_playbook"] = self.baseline
        return self.baseline

    # -- requests per operation ---------------------------------------------------------------
    def requests_per_operation(self, ops):
        log("requests: %d operations, check mode -> normal -> re-run, in one playbook" % len(ops))
        for op in OPERATIONS:
            if self.available[op.key]:
                self.row("requests (normal/check/re-run)", op.title, "skipped", "least " + "/".join(map(str, op.least)),
                         self.available[op.key])
        self.ctl.reset()
        items = {op.key: self.seed_units(op, 1)[0] for op in ops}
        tasks = []
        for op in ops:
            for phase in ("check", "normal", "rerun"):
                task = {"name": "%s %s" % (op.key, phase), "jobctl.cloud.%s" % op.module: op.args,
                        "loop": [items[op.key]], "ignore_errors": True}
                if phase == "check":
                    task["check_mode"] = True
                tasks.append(task)
        self.ctl.take()
        run = self.ansible.play(tasks)
        entries = self.ctl.take()
        results = {}
        for op in ops:
            counts, problems = [], []
            for phase in ("normal", "check", "rerun"):
                try:
                    task = run.task("%s %s" % (op.key, phase))
                except RuntimeError:
                    problems.append("%s did not run" % phase)
                    counts.append(None)
                    continue
                sent = [e for e in entries if e["api"] == op.api and task["start"] <= e["time"] <= task["end"]]
                counts.append(len(sent))
                expect_changed = op.changes and phase != "rerun"
                if task["status"] != "ok":
                    problems.append("%s failed: %s" % (phase, task.get("msg", "")[:300]))
                elif task.get("items_changed", 0) != (1 if expect_changed else 0):
                    problems.append("%s reported changed=%s" % (phase, not expect_changed))
            if self.still_pending(op, [items[op.key]]):
                problems.append("the work was not done")
            results[op.key] = {"measured": counts, "least": list(op.least), "why_least": op.note, "problems": problems}
            shown = "/".join("-" if c is None else str(c) for c in counts)
            least = "/".join(str(c) for c in op.least)
            over = [c for c, floor in zip(counts, op.least) if c is not None and c > floor]
            verdict = "FAIL: " + "; ".join(problems) if problems else ("over" if over else "yes")
            self.row("requests (normal/check/re-run)", op.title, shown, "least " + least, verdict)
        self.data["requests"] = results

    # -- per-task cost ----------------------------------------------------------------------------
    def loop_variant(self, op, kind, items):
        vars_ = {"bench_items": items}
        if op.api in BENCH_API_VARS:
            vars_["bench_api"] = BENCH_API_VARS[op.api]
        if kind in ("module", "process"):
            tasks = [{"name": "module: %s" % op.module, "jobctl.cloud.%s" % op.module: op.args,
                      "loop": "{{ bench_items }}"}]
            # In the controller's worker (the default for these local tasks), or as a module process.
            vars_["jobctl_cloud_in_process"] = kind == "module"
        elif kind == "prelude":
            tasks = list(op.uri["prelude"])
        else:
            tasks = list(op.uri.get("prelude", [])) + list(op.uri[kind])
        self.ctl.take()
        run = self.ansible.play(tasks, vars_)
        sent = [e for e in self.ctl.take() if e["api"] == op.api]
        timed = [t["name"] for t in (op.uri[kind] if kind not in ("module", "process", "prelude") else tasks)]
        problems = [] if run.rc == 0 else [run.failure()]
        left = self.still_pending(op, items) if kind != "prelude" else []
        if left:
            problems.append("%d of %d items not done" % (len(left), len(items)))
        base = self.empty_run_cpu()
        return {"wall": run.seconds(*timed), "cpu": max(0.0, run.cpu - base["cpu"]), "run_wall": run.wall,
                "requests": len(sent), "problems": problems}

    def ping_loop(self, count):
        run = self.ansible.play([{"name": "ping", "ansible.builtin.ping": None, "loop": "{{ range(%d) | list }}" % count}])
        base = self.empty_run_cpu()
        return {"wall": run.seconds("ping"), "cpu": max(0.0, run.cpu - base["cpu"]),
                "run_wall": run.wall, "requests": 0, "problems": [] if run.rc == 0 else [run.failure()]}

    def per_task_cost(self, ops):
        n, rounds = self.opts.loop_items, self.opts.rounds
        chosen = [op for op in ops if op.uri and ("all" in self.opts.loops or op.key in self.opts.loops)]
        if not chosen:
            return
        self.empty_run_cpu()
        self.data["loops"] = {"items": n, "rounds": rounds}
        # The machine may be shared: the loops run in rounds, in opposite order each round
        # (module, process, pair, single, ping, then back), so a load that drifts weighs on all alike.
        sizes = [n // rounds + (1 if i < n % rounds else 0) for i in range(rounds)]
        area = "per task (%d items%s)" % (n, ", %d rounds" % rounds if rounds > 1 else "")
        self.data["loops"]["how"] = ("CPU: the ansible-playbook process tree less an empty playbook's, and for uri "
                                     "less the login prelude run alone; wall: the loop tasks' time; both per item")
        kinds = ("module", "process", "pair", "single", "ping")
        for op in chosen:
            self.ctl.reset()
            results = dict((k, {"wall": 0.0, "cpu": 0.0, "run_wall": 0.0, "requests": 0, "problems": []}) for k in kinds)
            # A uri user logs in once per playbook (the recipe's prelude): what the prelude costs alone
            # is taken off each uri run, so that a uri item pays only for its own requests.
            prelude = {"cpu": 0.0, "requests": 0}
            if op.uri.get("prelude"):
                log("per-task cost: %s, the uri prelude alone (%d tasks)" % (op.key, len(op.uri["prelude"])))
                prelude = self.loop_variant(op, "prelude", [])
                if prelude["problems"]:
                    results["pair"]["problems"] += ["prelude: " + p for p in prelude["problems"]]
            seeded = 0
            for index, size in enumerate(sizes):
                for kind in (kinds if index % 2 == 0 else kinds[::-1]):
                    log("per-task cost: %s, %s loop of %d items (round %d of %d)" % (op.key, kind, size, index + 1, rounds))
                    if kind == "ping":
                        one = self.ping_loop(size)
                    else:
                        one = self.loop_variant(op, kind, self.seed_units(op, size, start=seeded))
                        seeded += size
                        if kind in ("pair", "single"):
                            one["cpu"] = max(0.0, one["cpu"] - prelude["cpu"])
                            one["requests"] -= prelude["requests"]
                            one["login_requests"] = prelude["requests"]
                    for key in ("wall", "cpu", "run_wall", "requests", "problems"):
                        results[kind][key] += one[key]
                    results[kind]["login_requests"] = results[kind].get("login_requests", 0) + one.get("login_requests", 0)
            results["prelude"] = prelude
            self.data["loops"][op.key] = results
            labels = (("ping", "ansible.builtin.ping (the floor)"),
                      ("module", "jobctl.cloud.%s in the controller's process" % op.module),
                      ("process", "jobctl.cloud.%s as a module process" % op.module),
                      ("pair", "uri read + act (%d tasks)" % len(op.uri["pair"])),
                      ("single", "uri act only (%d task%s)" % (len(op.uri["single"]), "s" if len(op.uri["single"]) > 1 else "")))
            for kind, label in labels:
                r = results[kind]
                login = " (+ %d to log in, once per playbook)" % r["login_requests"] if r.get("login_requests") else ""
                self.row(area, "%s: %s" % (op.key, label), "%.3f s CPU, %.3f s wall per item; %d requests%s" % (
                    r["cpu"] / n, r["wall"] / n, r["requests"], login), "",
                    "FAIL: " + "; ".join(r["problems"]) if r["problems"] else "")
            if any(r["problems"] for r in results.values() if isinstance(r, dict) and "problems" in r):
                continue
            mod = results["module"]

            def ratio(other, mine=mod):
                return mine["cpu"] / other["cpu"], mine["wall"] / other["wall"]

            # Issue 19: a task in the controller's process at most half a ping; as a process, at most one uri task.
            in_ping, proc_uri = ratio(results["ping"]), ratio(results["single"], results["process"])
            self.row(area, "%s: in-process / ping" % op.key, "%.2fx CPU, %.2fx wall" % in_ping,
                     "<= %.1fx CPU" % TARGET_IN_PROCESS_VS_PING,
                     "yes" if in_ping[0] <= TARGET_IN_PROCESS_VS_PING else "no")
            self.row(area, "%s: process / uri single" % op.key, "%.2fx CPU, %.2fx wall" % proc_uri,
                     "<= %.1fx CPU" % TARGET_PROCESS_VS_URI, "yes" if proc_uri[0] <= TARGET_PROCESS_VS_URI else "no")

            targeted = op.key in TARGETED_LOOPS
            vs_pair, vs_single = ratio(results["pair"]), ratio(results["single"])
            self.row(area, "%s: module / uri pair" % op.key, "%.2fx CPU, %.2fx wall" % vs_pair,
                     "<= %.1fx CPU" % TARGET_VS_PAIR if targeted else "",
                     ("yes" if vs_pair[0] <= TARGET_VS_PAIR else "no") if targeted else "")
            self.row(area, "%s: module / uri single" % op.key, "%.2fx CPU, %.2fx wall" % vs_single,
                     "<= %.1fx CPU" % TARGET_VS_SINGLE if targeted else "",
                     ("yes" if vs_single[0] <= TARGET_VS_SINGLE else "no") if targeted else "")

    # -- start-up -----------------------------------------------------------------------------------
    def keep_payloads(self):
        """Run each module once with ANSIBLE_KEEP_REMOTE_FILES and return the AnsiballZ file of each.

        An AnsiballZ file is the whole module process: run again, it imports and acts as it did
        under Ansible (its arguments are in it; credentials come from the environment).
        """
        self.ctl.reset()
        vps = self.ctl.seed("hostup", {"vps": [{"name": "startup", "active_jobs": [{"jobType": "backup",
                                                                                    "duration": 10 ** 7}]}]})
        vps_id = vps["vps"][0]["id"]
        tasks = [
            {"name": "keep vps_active_job", "jobctl.cloud.vps_active_job": {"vps_id": vps_id, "job_type": "backup"}},
            # The same DELETE as the module's (a re-run answers "nothing to cancel", as the module's re-runs do).
            {"name": "keep uri", "ansible.builtin.uri": {
                "url": "{{ bench_api.url }}/vps/%s/active-jobs" % vps_id, "method": "DELETE", "body_format": "json",
                "body": {"jobType": "backup"}, "headers": {"Authorization": "Bearer {{ bench_api.key }}"}},
             "no_log": True},
            {"name": "keep ping", "ansible.builtin.ping": None},
        ]
        ids = {}
        if "cloudfoundry" in self.sim.apis:
            ids["cf_task"] = self.ctl.seed("cloudfoundry", {"apps": [{"name": "startup", "tasks": [{}]}]})["apps"][0]["tasks"][0]["guid"]
            tasks.append({"name": "keep cf_task", "jobctl.cloud.cf_task": {"guid": ids["cf_task"]}})
        if "vsp" in self.sim.apis:
            ids["vsp_job"] = self.ctl.seed("vsp", {"jobs": [{"jobState": "EXECUTING"}]})["jobs"][0]["jobId"]["id"]
            tasks.append({"name": "keep vsp_job", "jobctl.cloud.vsp_job": {"job_id": ids["vsp_job"]}})
        if "bigchange" in self.sim.apis:
            ids["bigchange_job"] = self.ctl.seed("bigchange", {"jobs": [{"status": "scheduled", "moves": False}]})["jobs"][0]["id"]
            tasks.append({"name": "keep bigchange_job",
                          "jobctl.cloud.bigchange_job": {"job_id": ids["bigchange_job"], "reason": "benchmark"}})
        for task in tasks:
            task["ignore_errors"] = True
        remote = self.workdir / "remote_tmp"
        # As module processes: in-process, a module leaves no AnsiballZ file.
        run = self.ansible.play(tasks, {"bench_api": BENCH_API_VARS["hostup"], "jobctl_cloud_in_process": False},
                                env={"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote)})
        kept = {}
        for path in glob.glob(str(remote / "ansible-tmp-*" / "AnsiballZ_*.py")):
            kept[os.path.basename(path)[len("AnsiballZ_"):-3]] = path
        missing = [name for name in PROCESS_NAMES if name not in kept]
        if missing:
            raise RuntimeError("no AnsiballZ file kept for %s: %s" % (", ".join(missing), run.failure()))
        return kept

    def startup(self):
        reps = self.opts.reps
        kept = self.keep_payloads()
        env = self.ansible.env
        quiet = dict(env, PYTHONDONTWRITEBYTECODE="1")
        area = "start-up (median of %d fresh processes)" % reps
        samples = {}

        def sample(key, wall, cpu):
            samples.setdefault(key, []).append((wall, cpu))

        # 1. Whole module processes, each its AnsiballZ file run alone, interleaved.
        log("start-up: %d runs of each AnsiballZ file (%s)" % (reps, ", ".join(PROCESS_NAMES)))
        for rep in range(reps):
            wall, cpu, dummy = fresh_process([sys.executable, "-c", "pass"], quiet)
            sample("interpreter", wall, cpu)
            for name in (PROCESS_NAMES if rep % 2 == 0 else PROCESS_NAMES[::-1]):
                wall, cpu, dummy = fresh_process([sys.executable, kept[name]], env)
                sample("process " + name, wall, cpu)

        # 2. Where the time goes: the imports, step by step, from each payload zip.
        script = self.workdir / "startup.py"
        script.write_text(STARTUP_SCRIPT)
        plans = {"ping": [BASIC_STEP, ("the module", "import ansible.modules.ping")],
                 "uri": [BASIC_STEP, ("ansible.module_utils.urls", "import ansible.module_utils.urls"),
                         ("the module", "import ansible.modules.uri")]}
        for api, module in API_MODULES.items():
            if module in kept:
                plans[module] = [BASIC_STEP, REQUESTS_STEP, PYDANTIC_STEP, PLUGIN_STEP, VALIDATE_STEP,
                                 ("ours", "import ansible_collections.jobctl.cloud.plugins.modules.%s" % module)]
        zips = {name: payload_zip(kept[name], self.workdir / ("%s.zip" % name)) for name in plans}
        # The same code of ours with warm bytecode, which AnsiballZ never has.
        cached = self.workdir / "cached"
        with zipfile.ZipFile(zips["vps_active_job"]) as zf:
            zf.extractall(cached)
        plans["cached"] = plans["vps_active_job"]
        zips["cached"] = cached
        warm_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        warm = [sys.executable, str(script), str(cached), json.dumps(plans["cached"])]
        subprocess.run(warm, env=warm_env, capture_output=True, check=True)
        log("start-up: %d fresh interpreters per import plan (%s)" % (reps, ", ".join(plans)))
        for rep in range(reps):
            for name, steps in plans.items():
                wall, cpu, out = fresh_process([sys.executable, str(script), str(zips[name]), json.dumps(steps)],
                                               warm_env if name == "cached" else quiet)
                for step, step_wall, step_cpu in json.loads(out):
                    sample("%s: %s" % (name, step), step_wall, step_cpu)
        med = {k: (median([w for w, c in v]) * 1000, median([c for w, c in v]) * 1000) for k, v in samples.items()}
        self.data["startup_ms"] = {k: {"wall": w, "cpu": c, "samples": samples[k]} for k, (w, c) in med.items()}

        def shown(key):
            w, c = med[key]
            return "%.1f ms CPU, %.1f ms wall" % (c, w)

        self.row(area, "python -c pass (process start, for scale)", shown("interpreter"))
        self.row(area, "process: ansible.builtin.ping (AnsiballZ file run alone)", shown("process ping"))
        self.row(area, "process: ansible.builtin.uri, one DELETE", shown("process uri"))
        self.row(area, "process: jobctl.cloud.vps_active_job, the same DELETE", shown("process vps_active_job"))
        gap = med["process vps_active_job"][1] - med["process uri"][1]
        self.row(area, "process: vps_active_job minus uri", "%+.0f ms CPU per module run" % gap, "", "")
        # The same imports for every module that has them: shown once, from vps_active_job's payload.
        self.row(area, "import from the payload zip: ansible.module_utils.basic (every module)",
                 shown("vps_active_job: ansible.module_utils.basic"))
        self.row(area, "import: ansible.module_utils.urls (uri only)", shown("uri: ansible.module_utils.urls"))
        self.row(area, "import: requests + urllib3 Retry (ours only)", shown("vps_active_job: requests"))
        self.row(area, "import: pydantic + a first model class (ours only)", shown("vps_active_job: pydantic"))
        self.row(area, "pydantic's plugin scan, before its first validator (%d distributions installed)"
                 % installed_distributions(), shown("vps_active_job: plugin scan"))
        self.row(area, "pydantic's first validation (builds its schema machinery)",
                 shown("vps_active_job: first validation"))
        for api, module in API_MODULES.items():
            if module in plans:
                key = "%s: ours" % module
                self.row(area, "import: our module_utils for %s + module %s, from the zip" % (api, module), shown(key),
                         "< %.0f ms CPU" % TARGET_OWN_IMPORT_MS, "yes" if med[key][1] < TARGET_OWN_IMPORT_MS else "no")
        self.row(area, "import: the same for hostup with bytecode cached (not what AnsiballZ does)", shown("cached: ours"))
        # CPython 3.11's zipimport compiles a module's source twice: once for the spec's filename, once
        # to run it (python/cpython#141276). Compiling once is measured here, in this process.
        compile_ms = self.compile_ms(cached, reps)
        self.data["compile_ms"] = compile_ms
        self.row(area, "of which compiling our %d files in vps_active_job's payload once (zipimport does it twice)" % len(compile_ms),
                 "%.1f ms CPU (%s)" % (sum(compile_ms.values()), ", ".join(
                     "%s %.1f" % (name, ms) for name, ms in sorted(compile_ms.items(), key=lambda i: -i[1]))), "", "")

    @staticmethod
    def compile_ms(tree, reps):
        """CPU time to compile each of our files in a payload once, median of ``reps``."""
        out = {}
        ours = Path(tree) / "ansible_collections" / "jobctl" / "cloud" / "plugins"
        for path in sorted(ours.rglob("*.py")):
            text = path.read_text()
            if not text.strip():
                continue
            times = []
            for dummy in range(reps):
                start = time.process_time()
                compile(text, str(path), "exec", dont_inherit=True)
                times.append(time.process_time() - start)
            out[path.name] = median(times) * 1000
        return out

    # -- scale and rate limits: the prune ------------------------------------------------------------
    def seed_fleet(self, count):
        self.ctl.reset()
        created = self.ctl.seed("hostup", {"vps": [{"name": "fleet-%d" % i, "backups": {"count": PRUNE_BACKUPS}}
                                                   for i in range(count)]})
        fleet = {v["id"]: {b["id"] for b in sorted(v["backups"], key=lambda b: b["createdAt"],
                                                   reverse=True)[:PRUNE_KEEP_LAST]}
                 for v in created["vps"]}
        self.ctl.take()
        return fleet

    def fleet_problems(self, fleet):
        state = self.ctl.state("hostup")
        wrong = [v["id"] for v in state["vps"] if v["id"] in fleet and {b["id"] for b in v["backups"]} != fleet[v["id"]]]
        return ["%d of %d VPS do not hold exactly their newest %d backups" % (len(wrong), len(fleet), PRUNE_KEEP_LAST)] \
            if wrong else []

    def prune_role(self, fleet):
        extra = {"vps_backup_prune_vps_ids": list(fleet), "vps_backup_prune_keep_last": PRUNE_KEEP_LAST}
        run = self.ansible.run(ROOT / "playbooks" / "vps_backup_prune.yml", extra)
        entries = [e for e in self.ctl.take() if e["api"] == "hostup"]
        problems = [] if run.rc == 0 else [run.failure()]
        problems += self.fleet_problems(fleet)
        return {"wall": run.wall, "task": run.seconds(PRUNE_TASK), "cpu": run.cpu, "requests": len(entries),
                "refused": sum(1 for e in entries if e["rate_limited"]),
                "accepted": sum(1 for e in entries if not e["rate_limited"]), "problems": problems}

    def scale(self):
        count = self.opts.vps
        log("scale: vps_backup_prune role over %d VPS x %d backups, keep_last %d" % (count, PRUNE_BACKUPS, PRUNE_KEEP_LAST))
        role = self.prune_role(self.seed_fleet(count))
        uri_count = count if self.opts.full else min(count, self.opts.uri_vps)
        log("scale: uri-based prune (tests/bench/playbooks/prune_uri.yml) over %d VPS" % uri_count)
        fleet = self.seed_fleet(uri_count)
        run = self.ansible.run(HERE / "playbooks" / "prune_uri.yml",
                               {"prune_vps_ids": list(fleet), "prune_keep_last": PRUNE_KEEP_LAST})
        entries = [e for e in self.ctl.take() if e["api"] == "hostup"]
        problems = ([] if run.rc == 0 else [run.failure()]) + self.fleet_problems(fleet)
        uri = {"vps": uri_count, "wall": run.wall, "cpu": run.cpu, "requests": len(entries), "problems": problems}
        # Every item of a uri loop is its own module process: the cost beyond the playbook's start
        # grows with the number of items, so a slice scales linearly to the whole fleet.
        fixed = self.empty_run_cpu()
        uri["wall_full"] = fixed["wall"] + (run.wall - fixed["wall"]) * count / uri_count
        uri["cpu_full"] = fixed["cpu"] + (run.cpu - fixed["cpu"]) * count / uri_count
        uri["requests_full"] = len(entries) * count // uri_count
        self.data["scale"] = {"vps": count, "role": role, "uri": uri}
        area = "scale: %d VPS x %d backups, keep %d" % (count, PRUNE_BACKUPS, PRUNE_KEEP_LAST)
        self.row(area, "vps_backup_prune role (whole ansible-playbook run)",
                 "%.1f s CPU, %.1f s wall (module task %.1f s), %d requests" % (
                     role["cpu"], role["wall"], role["task"], role["requests"]),
                 "< %.0f s wall" % TARGET_PRUNE_S,
                 "FAIL: " + "; ".join(role["problems"]) if role["problems"] else
                 ("yes" if role["wall"] < TARGET_PRUNE_S else "no"))
        measured = "%.1f s CPU, %.1f s wall, %d requests" % (run.cpu, run.wall, len(entries))
        if uri_count != count:
            measured = "%.0f s CPU, %.0f s wall, %d requests (scaled from %d VPS: %s)" % (
                uri["cpu_full"], uri["wall_full"], uri["requests_full"], uri_count, measured)
        self.row(area, "uri-based equivalent (prune_uri.yml)", measured, "",
                 "FAIL: " + "; ".join(problems) if problems else "")
        speedup = uri["wall_full"] / role["wall"]
        uri["speedup"] = speedup
        uri["speedup_cpu"] = uri["cpu_full"] / role["cpu"]
        self.row(area, "speed-up of the role over uri", "%.1fx CPU, %.1fx wall" % (uri["speedup_cpu"], speedup),
                 ">= %.0fx wall" % TARGET_PRUNE_SPEEDUP, "yes" if speedup >= TARGET_PRUNE_SPEEDUP else "no")

    def rate_limited_prune(self):
        count, rate = self.opts.vps, self.opts.rate
        log("rate limit: the prune of %d VPS at %s requests/s (429 + Retry-After)" % (count, rate))
        fleet = self.seed_fleet(count)
        self.ctl.rate_limit("hostup", rate)
        try:
            result = self.prune_role(fleet)
        finally:
            self.ctl.rate_limit("hostup", None)
        floor = result["accepted"] / float(rate)
        result.update(rate=rate, floor=floor, ratio_task=result["task"] / floor, ratio_wall=result["wall"] / floor)
        self.data.setdefault("rate_limit", {})["prune"] = result
        area = "rate limit: %s req/s" % rate
        self.row(area, "vps_backup_prune, %d VPS: failures" % count, "%d" % len(result["problems"]), "0",
                 "yes" if not result["problems"] else "FAIL: " + "; ".join(result["problems"]))
        self.row(area, "vps_backup_prune: time / floor (%d accepted / N = %.1f s; %d refused with 429)"
                 % (result["accepted"], floor, result["refused"]),
                 "module task %.1f s = %.2fx; whole run %.1f s = %.2fx" % (
                     result["task"], result["ratio_task"], result["wall"], result["ratio_wall"]), "close to 1x", "")

    # -- roles at scale -----------------------------------------------------------------------------
    def role_count(self, role):
        return {"vsp": self.opts.vsp_jobs, "bigchange": self.opts.bc_jobs, "cloudfoundry": self.opts.cf_tasks}[role.key]

    def role_available(self, role):
        if role.api not in self.sim.apis:
            return "the %s simulator is not there yet" % role.api
        if not (ROOT / "playbooks" / ("%s.yml" % role.role)).exists():
            return "playbooks/%s.yml is not there yet" % role.role
        return None

    def seed_role(self, role, count):
        self.ctl.reset()
        ids = role.ids(self.ctl.seed(role.api, role.seed(count)))
        self.ctl.take()
        return ids

    def run_role(self, role, ids):
        """One run of the role's playbook over ``ids``: times, requests, token requests, what was left."""
        run = self.ansible.run(ROOT / "playbooks" / ("%s.yml" % role.role), role.role_vars(ids))
        entries = [e for e in self.ctl.take() if e["api"] == role.api]
        left = role.left(self.ctl.state(role.api), ids)
        problems = [] if run.rc == 0 else [run.failure()]
        if left:
            problems.append("%d of %d jobs not cancelled" % (len(left), len(ids)))
        tasks = [run.task(name) for name in role.tasks if any(t["task"].endswith(name) for t in run.tasks)]
        accepted = [e for e in entries if not e["rate_limited"]]
        return {"jobs": len(ids), "wall": run.wall, "cpu": run.cpu, "task": run.seconds(*role.tasks),
                "module_runs": len(tasks), "requests": len(entries), "accepted": len(accepted),
                "refused": len(entries) - len(accepted),
                "tokens": sum(1 for e in accepted if e["path"].endswith(role.token_path)),
                "problems": problems}

    def run_uri(self, role, count):
        ids = self.seed_role(role, count)
        run = self.ansible.run(HERE / "playbooks" / role.uri, role.uri_vars(ids))
        entries = [e for e in self.ctl.take() if e["api"] == role.api]
        left = role.left(self.ctl.state(role.api), ids)
        problems = [] if run.rc == 0 else [run.failure()]
        if left:
            problems.append("%d of %d jobs not cancelled" % (len(left), len(ids)))
        return {"jobs": count, "wall": run.wall, "cpu": run.cpu, "requests": len(entries), "problems": problems}

    def roles(self):
        for role in ROLE_RUNS:
            why = self.role_available(role)
            count = self.role_count(role)
            area = "roles: %s, %d jobs" % (role.role, count)
            if why:
                self.row(area, "role run", "skipped", "", why)
                continue
            log("roles: %s over %d jobs" % (role.role, count))
            result = self.run_role(role, self.seed_role(role, count))
            # The uri loop costs the same for every job: it runs on two slices and the line through
            # them gives its cost for all (--full runs it on every job instead).
            small = [count] if self.opts.full else sorted({max(1, min(count, self.opts.uri_jobs) // 2),
                                                           min(count, self.opts.uri_jobs)})
            uri_runs = []
            for n in small:
                log("roles: %s, the uri playbook over %d jobs" % (role.uri, n))
                uri_runs.append(self.run_uri(role, n))
            uri = dict(uri_runs[-1])
            if len(uri_runs) == 2:
                a, b = uri_runs
                for key in ("wall", "cpu", "requests"):
                    per_job = (b[key] - a[key]) / float(b["jobs"] - a["jobs"])
                    uri[key] = b[key] + per_job * (count - b["jobs"])
                uri["problems"] = a["problems"] + b["problems"]
            uri.update(jobs=count, measured=uri_runs)
            result.update(uri=uri, speedup=uri["wall"] / result["wall"], speedup_cpu=uri["cpu"] / result["cpu"],
                          least=role.least(count))
            self.data.setdefault("roles", {})[role.key] = result
            self.row(area, "%s role (whole ansible-playbook run)" % role.role,
                     "%.1f s CPU, %.1f s wall (module tasks %.1f s), %d requests" % (
                         result["cpu"], result["wall"], result["task"], result["requests"]),
                     "least %d requests" % result["least"],
                     "FAIL: " + "; ".join(result["problems"]) if result["problems"] else
                     ("over" if result["requests"] > result["least"] else "yes"))
            self.row(area, "token requests in the role run", "%d, in %d module run%s" % (
                result["tokens"], result["module_runs"], "s" if result["module_runs"] != 1 else ""),
                "1 per module run", "yes" if result["tokens"] <= result["module_runs"] else "no")
            if len(uri_runs) == 2:
                how = " (extrapolated from runs on %s jobs: %s)" % (
                    " and ".join(str(r["jobs"]) for r in uri_runs),
                    "; ".join("%.1f s CPU, %.1f s wall" % (r["cpu"], r["wall"]) for r in uri_runs))
            else:
                how = ""
            self.row(area, "uri loop doing the same (tests/bench/playbooks/%s)" % role.uri,
                     "%.0f s CPU, %.0f s wall, %d requests%s" % (uri["cpu"], uri["wall"], uri["requests"], how), "",
                     "FAIL: " + "; ".join(uri["problems"]) if uri["problems"] else "")
            # Judged on CPU: the extrapolated wall time of the uri loop multiplies any stall of a shared
            # machine during its two short runs by (count - slice) / (slice difference).
            self.row(area, "speed-up of the role over the uri loop",
                     "%.1fx CPU, %.1fx wall" % (result["speedup_cpu"], result["speedup"]),
                     ">= %.0fx CPU" % TARGET_ROLE_SPEEDUP, "yes" if result["speedup_cpu"] >= TARGET_ROLE_SPEEDUP else "no")

    def rate_limited_roles(self):
        rate = self.opts.rate
        area = "rate limit: %s req/s" % rate
        for role in ROLE_RUNS:
            if self.role_available(role):
                continue
            count = self.role_count(role)
            log("rate limit: %s over %d jobs at %s requests/s" % (role.role, count, rate))
            ids = self.seed_role(role, count)
            self.ctl.rate_limit(role.api, rate)
            try:
                result = self.run_role(role, ids)
            finally:
                self.ctl.rate_limit(role.api, None)
            floor = result["accepted"] / float(rate)
            result.update(rate=rate, floor=floor, ratio_task=result["task"] / floor, ratio_wall=result["wall"] / floor)
            self.data.setdefault("rate_limit", {})[role.key] = result
            self.row(area, "%s, %d jobs: failures" % (role.role, count), "%d" % len(result["problems"]), "0",
                     "yes" if not result["problems"] else "FAIL: " + "; ".join(result["problems"]))
            self.row(area, "%s: time / floor (%d accepted / N = %.1f s; %d refused with 429)" % (
                role.role, result["accepted"], floor, result["refused"]),
                "module tasks %.1f s = %.2fx; whole run %.1f s = %.2fx" % (
                    result["task"], result["ratio_task"], result["wall"], result["ratio_wall"]),
                "<= %.1fx (module tasks)" % TARGET_RATE_RATIO, "yes" if result["ratio_task"] <= TARGET_RATE_RATIO else "no")

    def rate_limited(self):
        self.rate_limited_prune()
        self.rate_limited_roles()

    # -- memory -------------------------------------------------------------------------------------
    # -- one module run over thousands of jobs ----------------------------------------------------
    def bulk(self):
        count = self.opts.bulk_jobs
        area = "bulk: one module run over %d jobs" % count
        measured = {}
        for api, module, args in (("vsp", "vsp_job", {}), ("bigchange", "bigchange_job", {"reason": "benchmark"})):
            self.ctl.reset()
            if api == "vsp":
                seeded = self.ctl.seed("vsp", {"jobs": [{"id": 100000 + n} for n in range(count)]})["jobs"]
                ids = [j["jobId"]["id"] for j in seeded]
            else:
                seeded = self.ctl.seed("bigchange", {"jobs": [{"status": "scheduled", "moves": False}] * count})["jobs"]
                ids = [j["id"] for j in seeded]
            self.ctl.take()
            log("bulk: %s over %d jobs in one run" % (module, count))
            run = self.ansible.play([{"name": "measured", "jobctl.cloud.%s" % module: dict(args, job_ids=ids)}])
            entries = [e for e in self.ctl.take() if e["api"] == api]
            problems = [] if run.rc == 0 else [run.failure()]
            state = self.ctl.state(api)["jobs"]
            left = [j for j in state if (j.get("jobState") or j.get("status")) not in ("CANCELLED", "cancelled")]
            if left:
                problems.append("%d of %d jobs not cancelled" % (len(left), count))
            task = run.seconds("measured")
            measured[api] = {"jobs": count, "cpu": run.cpu, "wall": run.wall, "task": task,
                             "requests": len(entries), "problems": problems}
            self.row(area, "jobctl.cloud.%s, job_ids of %d" % (module, count),
                     "%.1f s CPU, %.1f s wall (module task %.1f s, %.2f ms per job), %d requests" % (
                         run.cpu, run.wall, task, 1000.0 * task / count, len(entries)),
                     "", "FAIL: " + "; ".join(problems) if problems else "")
        vsp, bigchange = measured["vsp"], measured["bigchange"]
        ratio = vsp["task"] / bigchange["task"] if bigchange["task"] else float("nan")
        self.row(area, "vsp_job / bigchange_job, module task per job", "%.2fx" % ratio,
                 "<= %.0fx" % TARGET_BULK_RATIO, "yes" if ratio <= TARGET_BULK_RATIO else "no")
        self.data["bulk"] = measured

    def memory(self):
        count = self.opts.memory_jobs
        wrapper = self.workdir / "rss_python.py"
        wrapper.write_text(RSS_WRAPPER % {"python": sys.executable})
        wrapper.chmod(0o755)
        record = self.workdir / "rss.jsonl"
        area = "memory: one module process"
        measured = {}
        for label, jobs in (("ping", 0), ("1 job", 1), ("%d jobs" % count, count)):
            self.ctl.reset()
            ids = [j["id"] for j in self.ctl.seed("bigchange", {"jobs": [{"status": "scheduled", "moves": False}
                                                                         for dummy in range(jobs)]})["jobs"]]
            self.ctl.take()
            if jobs:
                task = {"name": "measured", "jobctl.cloud.bigchange_job": {"job_ids": ids, "reason": "benchmark"}}
            else:
                task = {"name": "measured", "ansible.builtin.ping": None}
            task["vars"] = {"ansible_python_interpreter": str(wrapper)}
            if record.exists():
                record.unlink()
            log("memory: %s under %s" % (label, wrapper.name))
            run = self.ansible.play([task], env={"JOBCTL_BENCH_RSS": str(record)})
            entries = [e for e in self.ctl.take() if e["api"] == "bigchange"]
            problems = [] if run.rc == 0 else [run.failure()]
            if jobs:
                left = [j["id"] for j in self.ctl.state("bigchange")["jobs"] if j["status"] != "cancelled"]
                if left:
                    problems.append("%d of %d jobs not cancelled" % (len(left), jobs))
            usage = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
            usage = usage[-1] if usage else {"maxrss_kb": float("nan"), "cpu": float("nan"), "wall": float("nan")}
            measured[label] = dict(usage, requests=len(entries), problems=problems, jobs=jobs)
            mb = usage["maxrss_kb"] / 1024.0
            what = "ansible.builtin.ping (the floor)" if not jobs else "jobctl.cloud.bigchange_job, job_ids of %d" % jobs
            self.row(area, "%s: peak RSS" % what, "%.0f MB (%.2f s CPU, %.2f s wall, %d requests)" % (
                mb, usage["cpu"], usage["wall"], len(entries)),
                "< %.0f MB" % TARGET_RSS_MB if jobs == count else "",
                "FAIL: " + "; ".join(problems) if problems else
                (("yes" if mb < TARGET_RSS_MB else "no") if jobs == count else ""))
        self.data["memory"] = measured

    # -- output ---------------------------------------------------------------------------------------
    def table(self):
        head = ("area", "what", "measured", "target", "met")
        widths = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(5)]
        lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in [head] + self.rows]
        lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines)


def installed_distributions():
    try:
        from importlib.metadata import distributions
    except ImportError:
        return 0
    return sum(1 for dummy in distributions())


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run: 6-item loops, 20 VPS, fewer jobs, "
                        "3 repetitions")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset of %(default)s")
    parser.add_argument("--loops", default=DEFAULT_LOOPS, help="comma-separated operation keys for the per-task "
                        "loops, or 'all' for every operation with a uri recipe (default %(default)s)")
    parser.add_argument("--loop-items", type=int, help="items per loop (default 20, quick 6)")
    parser.add_argument("--rounds", type=int, default=2, help="split each loop into this many playbook runs, "
                        "interleaved in alternating order (default %(default)s)")
    parser.add_argument("--vps", type=int, help="VPS in the prune's scale and rate-limit runs (default 100, quick 20)")
    parser.add_argument("--uri-vps", type=int, help="VPS the uri-based prune really runs on; the rest is scaled "
                        "linearly (default 10; --full runs it on all)")
    parser.add_argument("--vsp-jobs", type=int, help="VSP jobs the vsp_job_cancel role cancels (default 200, quick 40)")
    parser.add_argument("--bc-jobs", type=int, help="BigChange jobs the bigchange_job_cancel role cancels "
                        "(default 500, quick 100)")
    parser.add_argument("--cf-tasks", type=int, help="Cloud Foundry tasks the cf_task_cancel role cancels "
                        "(default 200, quick 40)")
    parser.add_argument("--uri-jobs", type=int, help="jobs the uri loops of the role rows really run on (and half "
                        "as many); the line through both gives the whole count (default 20, quick 10; --full: all)")
    parser.add_argument("--memory-jobs", type=int, default=500, help="jobs of the bigchange_job run whose peak RSS "
                        "is measured (default %(default)s)")
    parser.add_argument("--bulk-jobs", type=int, help="jobs of the one vsp_job and one bigchange_job run of the "
                        "bulk section (default 5000, quick 1000)")
    parser.add_argument("--full", action="store_true", help="run every uri loop on the whole count (slow: about "
                        "2000 more module runs)")
    parser.add_argument("--rate", type=float, help="requests per second the rate-limited runs allow (default 50, quick 20)")
    parser.add_argument("--reps", type=int, help="fresh processes per start-up measurement (default 7, quick 3)")
    parser.add_argument("--json", help="also write every measurement to this file")
    opts = parser.parse_args(argv)
    quick = opts.quick
    opts.loop_items = opts.loop_items or (6 if quick else 20)
    opts.vps = opts.vps or (20 if quick else 100)
    opts.uri_vps = opts.uri_vps or 10
    opts.vsp_jobs = opts.vsp_jobs or (40 if quick else 200)
    opts.bc_jobs = opts.bc_jobs or (100 if quick else 500)
    opts.cf_tasks = opts.cf_tasks or (40 if quick else 200)
    opts.uri_jobs = opts.uri_jobs or (10 if quick else 20)
    opts.rate = opts.rate or (20.0 if quick else 50.0)
    opts.reps = opts.reps or (3 if quick else 7)
    opts.bulk_jobs = opts.bulk_jobs or (1000 if quick else 5000)
    opts.sections = [s.strip() for s in opts.sections.split(",") if s.strip()]
    opts.loops = [s.strip() for s in opts.loops.split(",") if s.strip()]
    for name in ("loop_items", "rounds", "vps", "uri_vps", "vsp_jobs", "bc_jobs", "cf_tasks", "uri_jobs",
                 "memory_jobs", "rate", "reps", "bulk_jobs"):
        if getattr(opts, name) <= 0:
            parser.error("--%s must be greater than 0" % name.replace("_", "-"))
    opts.rounds = min(opts.rounds, opts.loop_items)
    unknown = set(opts.sections) - set(SECTIONS)
    if unknown:
        parser.error("unknown section(s): %s" % ", ".join(sorted(unknown)))
    return opts


def main(argv=None):
    opts = parse_args(argv)
    if not LINK.exists():
        LINK.parent.mkdir(parents=True, exist_ok=True)
        LINK.symlink_to(ROOT)
    started = time.perf_counter()
    load_before = os.getloadavg()
    workdir = tempfile.mkdtemp(prefix="jobctl-bench-")
    sim = Simulator(port=0).start()
    try:
        bench = Bench(opts, sim, workdir)
        ops = bench.check_available()
        for op in OPERATIONS:
            if bench.available[op.key]:
                log("skipped %s: %s" % (op.key, bench.available[op.key]))
        sections = {"startup": bench.startup, "requests": lambda: bench.requests_per_operation(ops),
                    "loops": lambda: bench.per_task_cost(ops), "scale": bench.scale, "roles": bench.roles,
                    "rate": bench.rate_limited, "bulk": bench.bulk, "memory": bench.memory}
        for name in SECTIONS:
            if name not in opts.sections:
                continue
            bench.data["load_average"][name] = os.getloadavg()[0]
            section_start = time.perf_counter()
            try:
                sections[name]()
            except Exception as exc:  # one broken section must not cost the others' numbers
                log("section %s failed: %s: %s" % (name, type(exc).__name__, exc))
                bench.row(name, "section", "did not finish", "", "FAIL: %s: %s" % (type(exc).__name__, str(exc)[:300]))
            bench.data.setdefault("section_s", {})[name] = time.perf_counter() - section_start
    finally:
        sim.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    # CPU time of the bench, the simulator and every playbook: unlike the elapsed time, it does not
    # grow when other work shares the machine, so it tells whether the run fits its budget.
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    bench.data.update(elapsed_s=elapsed, cpu_s=cpu, machine={
        "cpus": os.cpu_count(), "python": platform.python_version(), "ansible_core": ansible_version(),
        "load_average_before": load_before, "load_average_after": load_after})
    if opts.json:
        Path(opts.json).write_text(json.dumps(bench.data, indent=1, default=str))
    header = "jobctl.cloud benchmark%s, %s: %d CPUs, Python %s, ansible-core %s; took %.0f s (%.0f s of CPU); " \
        "load average %.1f before, %.1f after"
    print(header % (" --quick" if opts.quick else "", bench.data["date"], os.cpu_count(), platform.python_version(),
                    ansible_version(), elapsed, cpu, load_before[0], load_after[0]))
    print("load average (1 min) as each section started: %s" % ", ".join(
        "%s %.1f" % (name, load) for name, load in bench.data["load_average"].items()))
    print()
    print(bench.table())
    return 1 if any(str(r[4]).startswith("FAIL") for r in bench.rows) else 0


def ansible_version():
    try:
        from ansible.release import __version__
    except ImportError:
        return "unknown"
    return __version__


if __name__ == "__main__":
    sys.exit(main())
