# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the job has really stopped, not only until the API accepted the cancel request.
      - Also waits for a job that was already stopping before this run.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait when O(wait=true). The module fails when the job has not stopped by then
        (and still reports the cancel it made as a change).
      - At most 604800 (7 days).
    type: int
    default: 300
  wait_sleep:
    description:
      - Seconds between two status reads when O(wait=true).
      - A finite number greater than 0 and at most 3600.
    type: float
    default: 2
"""
