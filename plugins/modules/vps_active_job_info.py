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
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options: {}
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.hostup.vps_id
  - jobctl.cloud.http_options
notes:
  - >-
    UNCONFIRMED: the answer of C(GET /vps/{id}/active-jobs) is not documented by HostUp and no
    public client of the API exists. The module looks for the job list under C(data), C(jobs) or
    C(activeJobs) (or one level down under C(data), or a bare list) and returns each job unchanged,
    with the API's own keys (its type may be under C(jobType) or C(type), its state under
    C(status) or C(state)). An answer with no list in any of these places fails, saying so.
seealso:
  - module: jobctl.cloud.vps_active_job
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

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule


class VpsActiveJobInfo(HostupModule):
    ARGUMENT_SPEC = dict(vps_id=dict(type="str", required=True))

    def __init__(self):
        super(VpsActiveJobInfo, self).__init__()
        self.vps = self.vps_id()

    def select(self):
        return self.client.active_jobs(self.vps)

    def report(self, items):
        return {"changed": False, "active_jobs": items}


def main():
    VpsActiveJobInfo().main()


if __name__ == "__main__":
    main()
