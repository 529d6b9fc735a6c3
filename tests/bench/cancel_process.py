"""What one module process costs on each API's cancel (or delete) path, and whether it imported pydantic.

Each case runs its module file as Ansible runs a module, in a fresh interpreter (``python module.py
args.json``), against the bundled simulator started here; the simulator is reset and seeded before
every run, outside the timing. CPU is the child's own (user + system, from ``RUSAGE_CHILDREN``), wall
time is from start to exit. Several copies of the collection can be compared side by side (``--collections
name=PATH``, each a directory holding ``ansible_collections``): their runs are interleaved, so a
load that comes and goes on a shared machine weighs on each alike.

    .venv/bin/python tests/bench/cancel_process.py --reps 10
    .venv/bin/python tests/bench/cancel_process.py --reps 10 --collections before=/tmp/base/.build/collections \\
        --collections after=.build/collections

The module files are run from the checkout, so their bytecode is cached after the first (untimed)
run of each case; under Ansible they run from the AnsiballZ zip and are compiled each time, the
same for every copy compared (tests/bench/bench.py --sections startup measures that).
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import SimClient, module_process  # noqa: E402
from registry import APIS, MODULES  # noqa: E402
from simulator.core import Simulator  # noqa: E402


def case(module, check=False, args=None):
    """``(label, module, make(sim) -> args)``: a seeded object's arguments, or fixed ones (no seed)."""
    row = MODULES[module]

    def make(sim):
        given = dict(args) if args is not None else row.args(row.seed(sim, 1)[0])
        given.update(APIS[row.api].options(sim.url))
        if check:
            given["_ansible_check_mode"] = True
        return given

    label = "%s %s" % (module, "check mode" if check else ("early failure" if args is not None else "run"))
    return label, module, make


CASES = (
    case("vps_active_job"),
    case("vps_active_job", check=True),
    case("vps_backup"),
    case("cf_task"),
    case("vsp_job"),
    case("bigchange_job"),
    # Refused before any request: an ID of the wrong form.
    case("vps_active_job", args={"vps_id": "not-a-vps", "job_type": "backup"}),
)


def quartiles(values):
    if len(values) < 2:
        return ""
    low, _median, high = statistics.quantiles(values, n=4)
    return "%.0f-%.0f" % (1000 * low, 1000 * high)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--collections", action="append", default=[],
                        help="name=PATH of a directory holding ansible_collections (default: this checkout's)")
    parser.add_argument("--cases", default="", help="comma-separated labels (default: every case)")
    parser.add_argument("--json", help="also write every sample here")
    options = parser.parse_args()
    copies = [c.split("=", 1) for c in options.collections] or [["this", str(ROOT / ".build" / "collections")]]
    cases = [c for c in CASES if not options.cases or c[0] in options.cases.split(",")]

    for name in [n for n in os.environ if n.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_"))]:
        del os.environ[name]
    sim = Simulator(port=0).start()
    control = SimClient(sim)
    samples = {}
    try:
        for rep in range(options.reps + 1):
            for label, module, make in cases:
                # Alternate the order of the copies from one round to the next.
                for name, path in (copies if rep % 2 == 0 else list(reversed(copies))):
                    control.reset("empty")
                    args = make(control)
                    # The child is reaped before module_process returns: its CPU is what RUSAGE_CHILDREN gained.
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    start = time.perf_counter()
                    result, imported, proc = module_process(module, args, collections=path)
                    wall = time.perf_counter() - start
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    if bool(result.get("failed")) != ("early failure" in label):
                        raise SystemExit("%s (%s) did not run as expected: %s %s" % (
                            label, name, result.get("msg"), proc.stderr[-2000:]))
                    if rep == 0:
                        continue  # warm-up: bytecode caches, page cache
                    empty = {"wall": [], "cpu": [], "pydantic": set(), "modules": set()}
                    entry = samples.setdefault(label, {}).setdefault(name, empty)
                    entry["wall"].append(wall)
                    entry["cpu"].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
                    entry["pydantic"].add(imported["pydantic"])
                    entry["modules"].add(imported["modules"])
            sys.stderr.write("round %d of %d done\n" % (rep, options.reps))
    finally:
        sim.stop()

    print("median of %d fresh processes per row (ms); load average at the end: %s"
          % (options.reps, " ".join("%.2f" % v for v in os.getloadavg())))
    print("%-30s %-7s %6s %-11s %6s %-11s %8s %7s" % ("case", "copy", "CPU", "(quartiles)", "wall", "(quartiles)",
                                                      "pydantic", "modules"))
    for label, _module, _make in cases:
        for name, _path in copies:
            entry = samples[label][name]
            print("%-30s %-7s %6.0f %-11s %6.0f %-11s %8s %7s" % (
                label, name, 1000 * statistics.median(entry["cpu"]), quartiles(entry["cpu"]),
                1000 * statistics.median(entry["wall"]), quartiles(entry["wall"]),
                "/".join(sorted(str(v).lower() for v in entry["pydantic"])),
                "/".join(str(v) for v in sorted(entry["modules"]))))
    if options.json:
        with open(options.json, "w") as out:
            json.dump({label: {name: dict(e, pydantic=sorted(e["pydantic"]), modules=sorted(e["modules"]))
                               for name, e in by_copy.items()} for label, by_copy in samples.items()}, out, indent=1)


if __name__ == "__main__":
    main()
