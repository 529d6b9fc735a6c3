#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_active_job_info
short_description: List the active backup and restore jobs of a HostUp VPS
version_added: 0.1.0
description:
  - Reads C(GET /vps/{id}/active-jobs) once and returns the jobs as the API lists them.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_id:
    description:
      - The public ID of the VPS, as returned by the API (C(vps_) and 26 characters).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.http_options
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
notes:
  - The schema of C(GET /vps/{id}/active-jobs) is not documented by HostUp. The module looks for the
    job list under C(data), C(jobs) or C(activeJobs) and returns each job unchanged.
"""

EXAMPLES = r"""
- name: List the active jobs of a VPS
  jobctl.cloud.vps_active_job_info:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
  register: jobs

- name: Show the running backup jobs
  ansible.builtin.debug:
    msg: "{{ jobs.active_jobs | selectattr('jobType', 'equalto', 'backup') | list }}"
"""

RETURN = r"""
active_jobs:
  description:
    - The VPS's active jobs, each as the API returns it. An empty list when nothing is running.
  returned: success
  type: list
  elements: dict
  sample:
    - id: job_01hxa3b4c5d6e7f8g9h0j1k2m3
      jobType: restore
      status: running
      progress: 10
      startedAt: "2026-11-22T03:00:00.000Z"
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.hostup import HostupModule


def main():
    module = HostupModule(dict(vps_id=dict(type="str", required=True)))
    vps_id = module.vps_id()
    module.run(lambda: module.exit(active_jobs=module.client.active_jobs(vps_id)))


if __name__ == "__main__":
    main()
