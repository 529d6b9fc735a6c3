# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: when each task started and ended, and how it went, as JSON in $JOBCTL_BENCH_RECORD."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Record task timings for tests/bench/bench.py
description:
  - Writes each task's name, start and end (epoch seconds), status and loop item counts to the file
    named by E(JOBCTL_BENCH_RECORD).
options: {}
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        # Epoch time, not a monotonic clock: the bench matches it against the simulator's request log.
        self.tasks.append({"task": task.get_name(), "start": time.time(), "end": None, "status": None})

    def _done(self, status, result):
        entry = self.tasks[-1]
        entry["end"] = time.time()
        entry["status"] = status
        res = result._result
        items = res.get("results") if isinstance(res.get("results"), list) else None
        entry["changed"] = bool(res.get("changed"))
        entry["msg"] = str(res.get("msg", ""))[:2000]
        if items is not None:
            entry["items"] = len(items)
            entry["items_changed"] = sum(1 for r in items if isinstance(r, dict) and r.get("changed"))
            entry["items_failed"] = sum(1 for r in items if isinstance(r, dict) and r.get("failed"))
            entry["items_skipped"] = sum(1 for r in items if isinstance(r, dict) and r.get("skipped"))
            failed = [r for r in items if isinstance(r, dict) and r.get("failed")]
            if failed and not entry["msg"]:
                entry["msg"] = str(failed[0].get("msg", ""))[:2000]
        for key in ("deleted_count",):
            if key in res:
                entry[key] = res[key]

    def v2_runner_on_ok(self, result):
        self._done("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done("failed", result)

    def v2_runner_on_skipped(self, result):
        self._done("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._done("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["JOBCTL_BENCH_RECORD"], "w") as handle:
            json.dump(self.tasks, handle, indent=1)
