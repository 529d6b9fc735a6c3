#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_active_job
short_description: Cancel the active backup or restore job of a HostUp VPS
version_added: 0.1.0
description:
  - Cancels the running backup or restore job of a HostUp VPS.
  - HostUp cancels by job type, not by job ID, so the module sends one C(DELETE /vps/{id}/active-jobs)
    and the API's answer says whether anything was cancelled. A VPS with no such job is left alone
    and reported unchanged.
  - The job list is read first only when check mode, diff mode or O(wait) needs it.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_id:
    description:
      - The public ID of the VPS, as returned by the API (C(vps_) and 26 characters).
    type: str
    required: true
  job_type:
    description:
      - Which job to cancel.
    type: str
    required: true
    choices: [backup, restore]
  state:
    description:
      - V(canceled) makes sure no job of O(job_type) is running.
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: Reads the job list and predicts the cancel; sends nothing that changes anything.
  diff_mode:
    support: full
    details: Shows the active jobs before and after.
notes:
  - The schema of C(GET /vps/{id}/active-jobs) is not documented by HostUp. The module looks for the
    job list under C(data), C(jobs) or C(activeJobs) and for each job's type under C(jobType) or C(type).
    Check mode predicts a cancel when a job of O(job_type) is listed and not already stopping.
  - Cancelling a restore stops a destructive operation part way; the VPS may need a new restore.
"""

EXAMPLES = r"""
- name: Cancel the running backup of a VPS
  jobctl.cloud.vps_active_job:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
    job_type: backup
    api_token: "{{ hostup_api_key }}"

- name: Cancel a restore and wait until it has really stopped
  jobctl.cloud.vps_active_job:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
    job_type: restore
    wait: true
    wait_timeout: 600

- name: Set the key once for every HostUp module in a play
  module_defaults:
    group/jobctl.cloud.hostup:
      api_token: "{{ hostup_api_key }}"
  block:
    - name: Cancel the backups of several VPS
      jobctl.cloud.vps_active_job:
        vps_id: "{{ item }}"
        job_type: backup
      loop: "{{ vps_ids }}"
"""

RETURN = r"""
canceled:
  description:
    - Whether a job was cancelled (in check mode, whether one would be).
    - This is the API's C(cancelled) answer.
  returned: success
  type: bool
  sample: true
reason:
  description:
    - The API's reason when nothing was cancelled, else null.
  returned: success
  type: str
  sample: No active backup job was found to cancel.
active_jobs:
  description:
    - The VPS's active jobs as the API lists them, read after waiting when O(wait=true),
      else before the cancel.
    - Returned only when the module read them (check mode, diff mode or O(wait=true)).
  returned: when read
  type: list
  elements: dict
  sample:
    - id: job_01hxa3b4c5d6e7f8g9h0j1k2m3
      jobType: backup
      status: running
      progress: 42
      startedAt: "2026-11-22T03:00:00.000Z"
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.base import wait_argument_spec
from ansible_collections.jobctl.cloud.plugins.module_utils.hostup import (
    JOB_TYPES,
    STOPPING_STATES,
    HostupModule,
    job_status_of,
    job_type_of,
)


def of_type(jobs, job_type):
    return [job for job in jobs if job_type_of(job) == job_type]


def main():
    spec = dict(
        vps_id=dict(type="str", required=True),
        job_type=dict(type="str", required=True, choices=list(JOB_TYPES)),
        state=dict(type="str", default="canceled", choices=["canceled"]),
    )
    spec.update(wait_argument_spec())
    module = HostupModule(spec)
    vps_id = module.vps_id()
    job_type = module.params["job_type"]
    hostup = module.client

    def run():
        before = None
        if module.check_mode or module.diff_mode or module.params["wait"]:
            before = hostup.active_jobs(vps_id)
        if module.check_mode:
            running = [j for j in of_type(before, job_type) if job_status_of(j) not in STOPPING_STATES]
            canceled = bool(running)
            reason = None if canceled else "No active %s job was found to cancel." % job_type
        else:
            answer = hostup.cancel_active_job(vps_id, job_type)
            canceled, reason = answer.cancelled, answer.reason
        module.result.update(changed=canceled, canceled=canceled, reason=reason)
        listed = before
        # Nothing was listed and nothing cancelled: polling could only confirm what was just read.
        if module.params["wait"] and not module.check_mode and (canceled or of_type(before, job_type)):
            def stopped():
                jobs = hostup.active_jobs(vps_id)
                return not of_type(jobs, job_type), jobs
            listed = module.wait_for(stopped, "the %s job of %s to stop" % (job_type, vps_id))
        if before is not None:
            module.result["active_jobs"] = listed
            after = listed if listed is not before else [j for j in before if not (canceled and job_type_of(j) == job_type)]
            module.set_diff({"active_jobs": before}, {"active_jobs": after})
        module.exit()

    module.run(run)


if __name__ == "__main__":
    main()
