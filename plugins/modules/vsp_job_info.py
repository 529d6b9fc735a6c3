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
  - O(job_states), O(job_types) and O(older_than_minutes) then keep only the jobs in those states, of
    those types, or started long enough ago.
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
  older_than_minutes:
    description:
      - Keep only jobs that started more than this many minutes ago (C(startTime), in either of its
        forms, epoch seconds or a date-time string; a time without an offset is read as UTC).
      - A job whose C(startTime) is missing or cannot be read is left out (its age is not known), and a
        warning names it.
      - The API cannot filter by age, so the module does, after reading every page.
    type: float
    version_added: 0.2.0
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.vsp
  - jobctl.cloud.http_options
notes:
  - The module asks for pages of 1000 jobs, the page size the vendor's own collection uses.
    UNCONFIRMED - the largest page size the API allows is not documented; a server that allows fewer
    answers with more pages, which the module follows just the same.
  - A list answer without C(jobs) means no jobs (the vendor's collection reads it so); an answer that
    has neither C(jobs) nor only a C(pageToken) is a failure, not an empty list.
  - C(startTime) and C(completeTime) are returned as the API gives them, epoch seconds (floats, as
    in the vendor's samples) or date-time strings (as in the reference).
  - The vendor's own collection reads only the first page of the list; this module reads them all.
seealso:
  - module: jobctl.cloud.vsp_job
"""

EXAMPLES = r"""
- name: Read the status of one job
  jobctl.cloud.vsp_job_info:
    job_id: -769908758
  register: one

- name: List the running replication jobs of a bucket
  jobctl.cloud.vsp_job_info:
    bucket_name: backups-eu
    job_types: [BATCH_REPLICATE]
    job_states: [EXAMINING, PROCESSING, EXECUTING]
  register: running

- name: Cancel them in one run
  jobctl.cloud.vsp_job:
    job_ids: "{{ running.jobs | map(attribute='jobId.id') | list }}"

- name: List the jobs still running after two hours
  jobctl.cloud.vsp_job_info:
    job_states: [EXAMINING, PROCESSING, EXECUTING]
    older_than_minutes: 120
  register: stuck
"""

RETURN = r"""
jobs:
  description:
    - The selected jobs, each the API's job status object with the API's own keys, in the API's
      order. An empty list when nothing matches, an unknown O(job_id) included.
    - C(startTime) and C(completeTime) are as the API gives them (epoch seconds or date-time strings).
  returned: success
  type: list
  elements: dict
  sample:
    - jobId:
        id: -769908758
      jobState: EXECUTING
      jobType: BATCH_REPLICATE
      startTime: 1752770711.809
      jobParams:
        destination: backups-us
      jobStats:
        processed: 18250
        failed: 3
      bucketName: backups-eu
"""

from datetime import datetime, timedelta, timezone

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import JOB_STATES, JOB_TYPES, started_at
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.module import VspModule
from ansible_collections.jobctl.cloud.plugins.module_utils.base import first_few
from ansible_collections.jobctl.cloud.plugins.module_utils.options import MAX_AGE_MINUTES, number_problem


class VspJobInfo(VspModule):
    ARGUMENT_SPEC = dict(
        job_id=dict(type="int"),
        bucket_name=dict(type="str"),
        user_id=dict(type="int"),
        job_states=dict(type="list", elements="str", choices=list(JOB_STATES)),
        job_types=dict(type="list", elements="str", choices=list(JOB_TYPES)),
        older_than_minutes=dict(type="float"),
    )
    CONSTRAINTS = dict(mutually_exclusive=[("job_id", "bucket_name"), ("job_id", "user_id")])

    def __init__(self):
        super(VspJobInfo, self).__init__()
        self.job_id = self.int32("job_id")
        self.user_id = self.int32("user_id")
        problem = number_problem("older_than_minutes", self.params["older_than_minutes"], low=0, high=MAX_AGE_MINUTES)
        if problem:
            self.fail(problem)

    def select(self):
        """One job's status, or every page of the list the API filters."""
        if self.job_id is not None:
            job, dummy = self.client.find(self.job_id)
            return [] if job is None else [job]
        return self.client.list_jobs(bucket_name=self.params["bucket_name"], user_id=self.user_id)

    def decide(self, items):
        """The filters the API cannot apply itself."""
        states, types = self.params["job_states"], self.params["job_types"]
        jobs = [job for job in items
                if (states is None or job.job_state in states) and (types is None or job.job_type in types)]
        return self.old_enough(jobs)

    def old_enough(self, jobs):
        """The jobs that started before now - older_than_minutes; a job of unknown age is left out, with a warning."""
        minutes = self.params["older_than_minutes"]
        if minutes is None:
            return jobs
        before = datetime.fromtimestamp(clock.CLOCK.time(), timezone.utc) - timedelta(minutes=minutes)
        kept, unknown = [], []
        for job in jobs:
            started = started_at(job.start_time)
            if started is None:
                unknown.append(job)
            elif started < before:
                kept.append(job)
        if unknown:
            self.warn("older_than_minutes: %d job(s) left out because their startTime is missing or cannot be read "
                      "(their age is not known): %s" % (len(unknown), first_few(unknown, lambda job: str(job.job_id.id), ", ")))
        return kept

    def report(self, items):
        return {"changed": False, "jobs": [job.raw() for job in items]}


def main():
    VspJobInfo().main()


if __name__ == "__main__":
    main()
