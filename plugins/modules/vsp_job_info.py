#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vsp_job_info
short_description: Read the status of Hitachi VSP One Object jobs
version_added: 0.1.0
description:
  - With O(job_id), reads one job's status with C(POST /v1/jobs/status). A job that does not exist
    gives an empty list.
  - Without it, lists jobs with C(POST /v1/jobs/list), optionally only those of O(bucket_name) or
    O(user_id), and follows C(pageToken) until the last page, so the list is whole however long.
  - O(job_states) and O(job_types) then keep only the jobs in those states or of those types.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The ID of one job (a 32-bit integer; negative IDs are valid).
      - Mutually exclusive with O(bucket_name) and O(user_id).
    type: int
  bucket_name:
    description:
      - List only the jobs that operate on this bucket (the API filters).
    type: str
  user_id:
    description:
      - List only the jobs of the user with this ID (the API filters, with C(userId.id)).
    type: int
  job_states:
    description:
      - Keep only jobs in these states. The API cannot filter by state, so the module does, after
        reading every page.
    type: list
    elements: str
    choices: [EXAMINING, PROCESSING, EXECUTING, COMPLETE, FAILED, CANCELLED]
  job_types:
    description:
      - Keep only jobs of these types. The API cannot filter by type, so the module does, after
        reading every page.
    type: list
    elements: str
    choices: [BATCH_REPLICATE, LIFECYCLE_UPDATE, METRIC_RECONCILIATION, TRIGGER_RECONCILIATION]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.vsp
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
  - The module asks for pages of 100 jobs. The largest page size the API allows is not documented;
    a server that allows fewer answers with more pages, which the module follows just the same.
  - The vendor's own collection reads only the first page of the list; this module reads them all.
"""

EXAMPLES = r"""
- name: Read the status of one job
  jobctl.cloud.vsp_job_info:
    job_id: 4211
  register: one

- name: List the running replication jobs of a bucket
  jobctl.cloud.vsp_job_info:
    bucket_name: backups-eu
    job_types: [BATCH_REPLICATE]
    job_states: [EXAMINING, PROCESSING, EXECUTING]
  register: running

- name: Cancel them
  jobctl.cloud.vsp_job:
    job_id: "{{ item.jobId.id }}"
  loop: "{{ running.jobs }}"
  loop_control:
    label: "{{ item.jobId.id }} {{ item.jobType }}"
"""

RETURN = r"""
jobs:
  description:
    - The selected jobs, each the API's job status object with the API's own keys, in the API's
      order. An empty list when nothing matches, an unknown O(job_id) included.
  returned: success
  type: list
  elements: dict
  sample:
    - jobId:
        id: 4211
      jobState: EXECUTING
      jobType: BATCH_REPLICATE
      startTime: "2026-11-22T01:00:00Z"
      jobParams:
        destination: backups-us
      jobStats:
        processed: 18250
        failed: 3
      bucketName: backups-eu
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.vsp import JOB_STATES, JOB_TYPES, VspModule


def main():
    module = VspModule(
        dict(
            job_id=dict(type="int"),
            bucket_name=dict(type="str"),
            user_id=dict(type="int"),
            job_states=dict(type="list", elements="str", choices=list(JOB_STATES)),
            job_types=dict(type="list", elements="str", choices=list(JOB_TYPES)),
        ),
        mutually_exclusive=[("job_id", "bucket_name"), ("job_id", "user_id")],
    )
    p = module.params
    job_id = module.int32("job_id")
    user_id = module.int32("user_id")
    vsp = module.client

    def run():
        if job_id is not None:
            try:
                jobs = [vsp.status(job_id)]
            except ApiError as error:
                if error.status != 404:
                    raise
                jobs = []
        else:
            jobs = vsp.list_jobs(bucket_name=p["bucket_name"], user_id=user_id)
        if p["job_states"] is not None:
            jobs = [j for j in jobs if j.job_state in p["job_states"]]
        if p["job_types"] is not None:
            jobs = [j for j in jobs if j.job_type in p["job_types"]]
        module.exit(jobs=[j.raw() for j in jobs])

    module.run(run)


if __name__ == "__main__":
    main()
