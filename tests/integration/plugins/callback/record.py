# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result of a run to the JSON file $JOBCTL_RECORD."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: record
type: aggregate
short_description: Record task results as JSON for the test suite
description:
  - Writes each task's name, host, status and result to the file named by E(JOBCTL_RECORD).
options: {}
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.results = []

    def _add(self, status, result):
        recorded = self._convert(result._result)
        # ansible-core 2.19 keeps the outcome out of the result dict; tests read it as they would a register.
        recorded.setdefault("failed", status in ("failed", "ignored"))
        self.results.append({
            "task": result._task.get_name(),
            "host": result._host.get_name(),
            "status": status,
            "result": recorded,
        })

    @staticmethod
    def _convert(value):
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._add("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        # A failure the task's ignore_errors held back (a role's acting task) is told from one that counts.
        self._add("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._add("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._add("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["JOBCTL_RECORD"], "w") as handle:
            json.dump(self.results, handle, indent=1)
