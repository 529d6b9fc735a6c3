"""Benchmark of the jobctl.cloud modules against the bundled API simulator (``make bench``).

Measured side by side in one run, on this machine:

- requests: what each operation of tests/bench/operations.py sends in normal mode, check mode and
  the idempotent re-run, read from the simulator's request log, next to the least the API allows;
- per-task cost: a loop of the module against the same loop written with ``ansible.builtin.uri``
  (read, decide, act: two tasks per item), a single ``uri`` task per item, and ``ansible.builtin.ping``;
- start-up: importing requests, pydantic and our module_utils in fresh interpreters;
- scale: the vps_backup_prune role over many VPS against tests/bench/playbooks/prune_uri.yml;
- rate limits: the same prune while the simulator allows N requests per second.

Progress goes to stderr; the one table of results goes to stdout at the end (``--json`` also saves
every number). ``--quick`` is a smaller run for trying changes. See tests/bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
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

from operations import OPERATIONS  # noqa: E402
from simulator.core import Simulator  # noqa: E402

# The per-task loops take about 250 module runs per operation: one operation by default keeps
# `make bench` near ten minutes on an idle 2-core machine. Every module pays the same AnsiballZ and
# import costs; `--loops all` measures each operation that has a uri recipe.
DEFAULT_LOOPS = "cancel"
SECTIONS = ("startup", "requests", "loops", "scale", "rate")

# Targets from issue #8.
TARGET_VS_PAIR = 0.6
TARGET_VS_SINGLE = 1.3
TARGET_OWN_IMPORT_MS = 20.0
TARGET_PRUNE_S = 30.0
TARGET_PRUNE_SPEEDUP = 5.0
PRUNE_KEEP_LAST = 2
PRUNE_BACKUPS = 10
PRUNE_TASK = "Apply the retention policy to every VPS"

# Credentials of the simulator's default accounts, as tests/utils/with-simulator.sh exports them.
SIM_ENV = {
    "HOSTUP_API_URL": "{base}/hostup/api/v2", "HOSTUP_API_KEY": "hostup-test-key",
    "CF_API_URL": "{base}/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret",
    "VSP_API_URL": "{base}/vsp/mapi", "VSP_TOKEN_URL": "{base}/vsp/auth/realms/vsp-object/protocol/openid-connect/token",
    "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret",
    "BIGCHANGE_API_URL": "{base}/bigchange/v1", "BIGCHANGE_TOKEN_URL": "{base}/bigchange/auth/tokens",
    "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
    "BIGCHANGE_CLIENT_SECRET": "bigchange-secret",
}
# What the uri recipes see as ``bench_api``: read from the environment, so no secret is written to a file.
BENCH_API_VARS = {
    "hostup": {"url": "{{ lookup('ansible.builtin.env', 'HOSTUP_API_URL') }}",
               "key": "{{ lookup('ansible.builtin.env', 'HOSTUP_API_KEY') }}"},
}

STARTUP_SCRIPT = r"""
import importlib, json, sys, time
def clock():
    return time.perf_counter(), time.process_time()
marks = [clock()]
import ansible.module_utils.basic
marks.append(clock())
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
marks.append(clock())
from pydantic import BaseModel, ConfigDict, Field, ValidationError
class First(BaseModel):  # pydantic builds its schema machinery (and scans for plugins) on the first model
    x: int = 0
sys.path.insert(0, sys.argv[1])
import bench_prime  # AnsiballZ's zip is opened for ansible.module_utils.basic: do not charge its opening to ours
marks.append(clock())
importlib.import_module("ansible_collections.jobctl.cloud.plugins.module_utils." + sys.argv[2])
marks.append(clock())
print(json.dumps({"steps": [[b[0] - a[0], b[1] - a[1]] for a, b in zip(marks, marks[1:])],
                  "ours": sorted(m for m in sys.modules if m.startswith("ansible_collections.jobctl."))}))
"""
STARTUP_STEPS = ("ansible.module_utils.basic", "requests", "pydantic", "ours")


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
        return self.call("POST", "/reset", {"seed": "empty"})

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


class Ansible:
    def __init__(self, sim_url, workdir):
        self.workdir = Path(workdir)
        self.count = 0
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_", "ANSIBLE_", "PYTHONPATH"))}
        env.update({k: v.format(base=sim_url) for k, v in SIM_ENV.items()})
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

    def play(self, tasks, play_vars=None, name="bench"):
        body = {"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": dict(play_vars or {}), "tasks": tasks}
        return self.run(self.write([body]))

    def run(self, playbook, extra_vars=None, timeout=1800):
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
        proc = subprocess.run(args, env=dict(self.env, JOBCTL_BENCH_RECORD=str(record)), cwd=str(ROOT),
                              capture_output=True, text=True, timeout=timeout, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        tasks = json.loads(record.read_text()) if record.exists() else []
        return Run(proc, wall, cpu, tasks)


# ------------------------------------------------------------------------------------ the bench

class Bench:
    def __init__(self, opts, sim, workdir):
        self.opts = opts
        self.sim = sim
        self.ctl = Control(sim.url)
        self.ansible = Ansible(sim.url, workdir)
        self.workdir = Path(workdir)
        self.rows = []      # (area, what, measured, target, verdict)
        self.data = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "options": vars(opts)}
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
        if kind == "module":
            tasks = [{"name": "module: %s" % op.module, "jobctl.cloud.%s" % op.module: op.args,
                      "loop": "{{ bench_items }}"}]
        else:
            tasks = list(op.uri.get("prelude", [])) + list(op.uri[kind])
        self.ctl.take()
        run = self.ansible.play(tasks, vars_)
        sent = [e for e in self.ctl.take() if e["api"] == op.api]
        timed = [t["name"] for t in (op.uri[kind] if kind != "module" else tasks)]
        problems = []
        if run.rc != 0:
            problems.append("rc %s: %s" % (run.rc, (run.stderr or run.stdout)[-500:]))
        left = self.still_pending(op, items)
        if left:
            problems.append("%d of %d items not done" % (len(left), len(items)))
        base = self.empty_run_cpu()
        return {"wall": run.seconds(*timed), "cpu": max(0.0, run.cpu - base["cpu"]), "run_wall": run.wall, "requests": len(sent),
                "problems": problems}

    def ping_loop(self, count):
        run = self.ansible.play([{"name": "ping", "ansible.builtin.ping": None, "loop": "{{ range(%d) | list }}" % count}])
        base = self.empty_run_cpu()
        return {"wall": run.seconds("ping"), "cpu": max(0.0, run.cpu - base["cpu"]),
                "run_wall": run.wall, "requests": 0, "problems": [] if run.rc == 0 else ["rc %s" % run.rc]}

    def per_task_cost(self, ops):
        n, rounds = self.opts.loop_items, self.opts.rounds
        chosen = [op for op in ops if op.uri and ("all" in self.opts.loops or op.key in self.opts.loops)]
        if not chosen:
            return
        self.empty_run_cpu()
        self.data["loops"] = {"items": n, "rounds": rounds}
        # The machine may be shared: the loops run in rounds, in opposite order each round
        # (module, pair, single, ping, then back), so a load that drifts weighs on all alike.
        sizes = [n // rounds + (1 if i < n % rounds else 0) for i in range(rounds)]
        area = "per task (%d items%s)" % (n, ", %d rounds" % rounds if rounds > 1 else "")
        kinds = ("module", "pair", "single", "ping")
        for op in chosen:
            self.ctl.reset()
            results = dict((k, {"wall": 0.0, "cpu": 0.0, "run_wall": 0.0, "requests": 0, "problems": []}) for k in kinds)
            seeded = 0
            for index, size in enumerate(sizes):
                for kind in (kinds if index % 2 == 0 else kinds[::-1]):
                    log("per-task cost: %s, %s loop of %d items (round %d of %d)" % (op.key, kind, size, index + 1, rounds))
                    if kind == "ping":
                        one = self.ping_loop(size)
                    else:
                        one = self.loop_variant(op, kind, self.seed_units(op, size, start=seeded))
                        seeded += size
                    for key in ("wall", "cpu", "run_wall", "requests", "problems"):
                        results[kind][key] += one[key]
            self.data["loops"][op.key] = results
            labels = (("ping", "ansible.builtin.ping (the floor)"), ("module", "jobctl.cloud.%s" % op.module),
                      ("pair", "uri read + act (2 tasks)"), ("single", "uri act only (1 task)"))
            for kind, label in labels:
                r = results[kind]
                self.row(area, "%s: %s" % (op.key, label), "%.2f s wall, %.2f s CPU per item, %d requests" % (
                    r["wall"] / n, r["cpu"] / n, r["requests"]), "", "FAIL: " + "; ".join(r["problems"]) if r["problems"] else "")
            if any(r["problems"] for r in results.values()):
                continue
            mod = results["module"]

            def ratio(other):
                return mod["wall"] / other["wall"], mod["cpu"] / other["cpu"]

            vs_pair, vs_single, vs_ping = ratio(results["pair"]), ratio(results["single"]), ratio(results["ping"])
            self.row(area, "%s: module / uri pair" % op.key, "%.2fx wall, %.2fx CPU" % vs_pair,
                     "<= %.1fx" % TARGET_VS_PAIR, "yes" if max(vs_pair) <= TARGET_VS_PAIR else "no")
            self.row(area, "%s: module / uri single" % op.key, "%.2fx wall, %.2fx CPU" % vs_single,
                     "<= %.1fx (aim 1.0x)" % TARGET_VS_SINGLE, "yes" if max(vs_single) <= TARGET_VS_SINGLE else "no")
            self.row(area, "%s: module / ping" % op.key, "%.2fx wall, %.2fx CPU" % vs_ping, "", "")

    # -- start-up -----------------------------------------------------------------------------------
    def startup(self):
        reps = self.opts.reps
        tree = self.workdir / "startup"
        src = tree / "src"
        pkg = src / "ansible_collections" / "jobctl" / "cloud" / "plugins" / "module_utils"
        pkg.mkdir(parents=True)
        for level in (src / "ansible_collections", pkg.parent.parent.parent, pkg.parent.parent, pkg.parent, pkg):
            (level / "__init__.py").write_text("")
        (src / "bench_prime.py").write_text("")
        for path in (ROOT / "plugins" / "module_utils").glob("*.py"):
            shutil.copy(path, pkg / path.name)
        # AnsiballZ runs a module from a zip on sys.path: zipimport compiles every .py at each run and
        # never caches bytecode. The same tree with warm __pycache__ shows what compiling costs.
        payload = tree / "payload.zip"
        with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(src.rglob("*.py")):
                zf.write(path, path.relative_to(src).as_posix())
        script = tree / "measure.py"
        script.write_text(STARTUP_SCRIPT)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
        apis = [name for name in ("hostup", "cloudfoundry", "vsp", "bigchange") if (pkg / ("%s.py" % name)).exists()]
        subprocess.run([sys.executable, str(script), str(src), "hostup"], env=env, capture_output=True, check=True)
        quiet = dict(env, PYTHONDONTWRITEBYTECODE="1")

        def fresh(args):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable] + args, env=quiet, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode != 0:
                raise RuntimeError("start-up measurement failed: %s" % proc.stderr[-2000:])
            return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout

        log("start-up: %d fresh interpreters per measurement" % reps)
        samples = {"interpreter": []}
        loaded = {}
        plans = [("zip", api, payload) for api in apis] + [("pyc", "hostup", src)]
        for dummy in range(reps):
            wall, cpu, dummy_out = fresh(["-c", "pass"])
            samples["interpreter"].append((wall, cpu))
            for mode, api, where in plans:
                wall, cpu, out = fresh([str(script), str(where), api])
                out = json.loads(out)
                loaded[api] = out["ours"]
                for step, (w, c) in zip(STARTUP_STEPS, out["steps"]):
                    key = step if step != "ours" else "ours %s (%s)" % (api, mode)
                    samples.setdefault(key, []).append((w, c))
        med = {k: (median([w for w, c in v]) * 1000, median([c for w, c in v]) * 1000) for k, v in samples.items()}
        self.data["startup_ms"] = {k: {"wall": w, "cpu": c, "samples": samples[k]} for k, (w, c) in med.items()}
        label = {"interpreter": "python -c pass (process start, for scale)",
                 "ansible.module_utils.basic": "ansible.module_utils.basic (every module, uri too)",
                 "requests": "requests + urllib3 Retry", "pydantic": "pydantic + its first model"}
        for key in ("interpreter", "ansible.module_utils.basic", "requests", "pydantic"):
            w, c = med[key]
            self.row("start-up (median of %d)" % reps, label[key], "%.0f ms wall, %.0f ms CPU" % (w, c), "", "")
        for mode, api, where in plans:
            w, c = med["ours %s (%s)" % (api, mode)]
            how = "from a zip, as AnsiballZ runs it" if mode == "zip" else "bytecode cached (not what AnsiballZ does)"
            what = "our module_utils for %s, %s" % (api, how)
            self.row("start-up (median of %d)" % reps, what, "%.0f ms wall, %.0f ms CPU" % (w, c),
                     "< %.0f ms" % TARGET_OWN_IMPORT_MS if mode == "zip" else "",
                     ("yes" if c < TARGET_OWN_IMPORT_MS else "no") if mode == "zip" else "")
        # CPython 3.11's zipimport compiles a module's source twice: once for the spec's filename, once
        # to run it (python/cpython#141276). Compiling once is measured here, in this process.
        compile_ms = self.compile_ms(src, loaded.get("hostup", []), reps)
        self.data["compile_ms"] = compile_ms
        total = sum(compile_ms.values())
        self.row("start-up (median of %d)" % reps, "of which compiling hostup's %d files once (zipimport does it twice)"
                 % len(compile_ms), "%.1f ms CPU (%s)" % (total, ", ".join(
                     "%s %.1f" % (name, ms) for name, ms in sorted(compile_ms.items(), key=lambda i: -i[1]))), "", "")
        self.data["importtime"] = self.importtime(src, env)

    @staticmethod
    def compile_ms(src, modules, reps):
        out = {}
        for name in modules:
            path = src.joinpath(*name.split("."))
            path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
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

    def importtime(self, src, env):
        """Self time of each of our modules (python -X importtime, bytecode cached), biggest first."""
        code = ("import ansible.module_utils.basic, requests\n"
                "from pydantic import BaseModel\n"
                "class First(BaseModel):\n    x: int = 0\n"
                "import sys; sys.path.insert(0, %r)\n"
                "import ansible_collections.jobctl.cloud.plugins.module_utils.hostup\n" % str(src))
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True,
                              check=False)
        rows = []
        for line in proc.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and "jobctl" in parts[2]:
                rows.append({"module": parts[2], "self_us": int(parts[0].split()[-1]), "cumulative_us": int(parts[1])})
        rows.sort(key=lambda r: -r["self_us"])
        for r in rows[:6]:
            log("importtime (bytecode cached): %6.1f ms self  %s" % (r["self_us"] / 1000.0, r["module"]))
        return rows

    # -- scale and rate limits ---------------------------------------------------------------------
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
        problems = [] if run.rc == 0 else ["rc %s: %s" % (run.rc, run.stdout[-800:])]
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
        problems = ([] if run.rc == 0 else ["rc %s: %s" % (run.rc, run.stdout[-800:])]) + self.fleet_problems(fleet)
        uri = {"vps": uri_count, "wall": run.wall, "cpu": run.cpu, "requests": len(entries), "problems": problems}
        # Every item of a uri loop is its own module process: the cost beyond the playbook's start
        # grows with the number of items, so a slice scales linearly to the whole fleet.
        fixed = self.empty_run_cpu()["wall"]
        uri["wall_full"] = fixed + (run.wall - fixed) * count / uri_count
        uri["requests_full"] = len(entries) * count // uri_count
        self.data["scale"] = {"vps": count, "role": role, "uri": uri}
        area = "scale: %d VPS x %d backups, keep %d" % (count, PRUNE_BACKUPS, PRUNE_KEEP_LAST)
        self.row(area, "vps_backup_prune role (whole ansible-playbook run)",
                 "%.1f s wall (module task %.1f s), %d requests" % (role["wall"], role["task"], role["requests"]),
                 "< %.0f s" % TARGET_PRUNE_S,
                 "FAIL: " + "; ".join(role["problems"]) if role["problems"] else
                 ("yes" if role["wall"] < TARGET_PRUNE_S else "no"))
        measured = "%.1f s wall, %d requests" % (run.wall, len(entries))
        if uri_count != count:
            measured = "%.0f s wall, %d requests (scaled from %d VPS: %s)" % (
                uri["wall_full"], uri["requests_full"], uri_count, measured)
        self.row(area, "uri-based equivalent (prune_uri.yml)", measured, "",
                 "FAIL: " + "; ".join(problems) if problems else "")
        speedup = uri["wall_full"] / role["wall"]
        uri["speedup"] = speedup
        self.row(area, "speed-up of the role over uri", "%.1fx" % speedup, ">= %.0fx" % TARGET_PRUNE_SPEEDUP,
                 "yes" if speedup >= TARGET_PRUNE_SPEEDUP else "no")

    def rate_limited(self):
        count, rate = self.opts.vps, self.opts.rate
        log("rate limit: the same prune at %s requests/s (429 + Retry-After)" % rate)
        fleet = self.seed_fleet(count)
        self.ctl.rate_limit("hostup", rate)
        try:
            result = self.prune_role(fleet)
        finally:
            self.ctl.rate_limit("hostup", None)
        floor = result["accepted"] / float(rate)
        result.update(rate=rate, floor=floor, ratio_task=result["task"] / floor, ratio_wall=result["wall"] / floor)
        self.data["rate_limit"] = result
        area = "rate limit: %s req/s, %d VPS" % (rate, count)
        self.row(area, "prune: failures", "%d" % len(result["problems"]), "0",
                 "yes" if not result["problems"] else "FAIL: " + "; ".join(result["problems"]))
        self.row(area, "prune: requests accepted / refused with 429",
                 "%d / %d" % (result["accepted"], result["refused"]), "", "")
        self.row(area, "prune: time / floor (requests / N = %.1f s)" % floor,
                 "module task %.1f s = %.2fx; whole run %.1f s = %.2fx" % (
                     result["task"], result["ratio_task"], result["wall"], result["ratio_wall"]), "close to 1x", "")

    # -- output ---------------------------------------------------------------------------------------
    def table(self):
        head = ("area", "what", "measured", "target / least", "met")
        widths = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(5)]
        lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in [head] + self.rows]
        lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run: 10-item loops, 20 VPS, 3 repetitions")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset of %(default)s")
    parser.add_argument("--loops", default=DEFAULT_LOOPS, help="comma-separated operation keys for the per-task "
                        "loops, or 'all' for every operation with a uri recipe (default %(default)s)")
    parser.add_argument("--loop-items", type=int, help="items per loop (default 50, quick 10)")
    parser.add_argument("--rounds", type=int, default=2, help="split each loop into this many playbook runs, "
                        "interleaved in alternating order (default %(default)s)")
    parser.add_argument("--vps", type=int, help="VPS in the scale and rate-limit runs (default 100, quick 20)")
    parser.add_argument("--uri-vps", type=int, help="VPS the uri-based prune really runs on; the rest is scaled "
                        "linearly (default 10; --full runs it on all)")
    parser.add_argument("--full", action="store_true", help="run the uri-based prune on the whole fleet")
    parser.add_argument("--rate", type=float, help="requests per second the rate-limited run allows (default 50, quick 20)")
    parser.add_argument("--reps", type=int, help="fresh interpreters per start-up measurement (default 7, quick 3)")
    parser.add_argument("--json", help="also write every measurement to this file")
    opts = parser.parse_args(argv)
    quick = opts.quick
    opts.loop_items = opts.loop_items or (10 if quick else 50)
    opts.vps = opts.vps or (20 if quick else 100)
    opts.uri_vps = opts.uri_vps or 10
    opts.rate = opts.rate or (20.0 if quick else 50.0)
    opts.reps = opts.reps or (3 if quick else 7)
    opts.sections = [s.strip() for s in opts.sections.split(",") if s.strip()]
    opts.loops = [s.strip() for s in opts.loops.split(",") if s.strip()]
    for name in ("loop_items", "rounds", "vps", "uri_vps", "rate", "reps"):
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
                    "loops": lambda: bench.per_task_cost(ops), "scale": bench.scale, "rate": bench.rate_limited}
        for name in SECTIONS:
            if name not in opts.sections:
                continue
            try:
                sections[name]()
            except Exception as exc:  # one broken section must not cost the others' numbers
                log("section %s failed: %s: %s" % (name, type(exc).__name__, exc))
                bench.row(name, "section", "did not finish", "", "FAIL: %s: %s" % (type(exc).__name__, str(exc)[:300]))
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
