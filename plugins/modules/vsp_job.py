#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vsp_job
short_description: Cancel a Hitachi VSP One Object job
version_added: 0.1.0
description:
  - Cancels a job of Hitachi Virtual Storage Platform One Object (replication, lifecycle update,
    reconciliation) through the management API.
  - Reads the job's status with C(POST /v1/jobs/status) first. A job that is C(EXAMINING),
    C(PROCESSING) or C(EXECUTING) is cancelled with C(POST /v1/jobs/cancel) and reported changed.
    A job that is C(COMPLETE), C(FAILED) or C(CANCELLED) is left alone and reported unchanged.
  - A job that does not exist is a failure, with the API's own message.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The ID of the job, the C(jobId.id) of the API's job objects.
      - A 32-bit integer; negative IDs are valid.
    type: int
    required: true
  state:
    description:
      - V(canceled) makes sure the job is no longer running.
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.vsp
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: Reads the job's status and predicts the cancel; sends no cancel.
  diff_mode:
    support: full
    details: Shows the job's status before and after (in check mode, the predicted C(CANCELLED) state).
notes:
  - With O(wait=true) the module polls C(POST /v1/jobs/status) until the job has left the running
    states. It does not poll when the cancel's answer already shows the job stopped.
  - The documents list no "cancelling" state. Should the API report C(CANCELING) or C(CANCELLING),
    the job is left alone and reported unchanged, and O(wait=true) waits for it to end. A state the
    module does not know is a failure; nothing is cancelled.
  - If the API still reported a running state after accepting a cancel, a re-run before the job has
    stopped would send the cancel again and report a change; O(wait=true) avoids that.
  - When the answer to a cancel is lost and the repeated cancel is refused, the module reads the
    job's status once more and counts a job that is now C(CANCELLED) as cancelled by this run.
"""

EXAMPLES = r"""
- name: Cancel a replication job
  jobctl.cloud.vsp_job:
    job_id: 4211
    api_url: https://admin.eu-1.cluster.example.com/mapi
    token_url: https://admin.gms.cluster.example.com/ui/auth/realms/vsp-object/protocol/openid-connect/token
    username: "{{ vsp_username }}"
    password: "{{ vsp_password }}"

- name: Cancel a job and wait until it has stopped
  jobctl.cloud.vsp_job:
    job_id: -17
    wait: true
    wait_timeout: 600

- name: Set the credentials once for every VSP module in a play
  module_defaults:
    group/jobctl.cloud.vsp:
      api_url: https://admin.eu-1.cluster.example.com/mapi
      access_token: "{{ vsp_access_token }}"
  block:
    - name: Cancel several jobs
      jobctl.cloud.vsp_job:
        job_id: "{{ item }}"
      loop: [4211, 4212, 4213]
"""

RETURN = r"""
job:
  description:
    - The job's status object as the API returned it last, with the API's own keys.
    - After a cancel, the cancel's answer (or the last status read when O(wait=true)); when nothing
      was sent, the status as read. In check mode, always the status as read.
  returned: success
  type: dict
  sample:
    jobId:
      id: 4211
    jobState: CANCELLED
    jobType: BATCH_REPLICATE
    startTime: "2026-11-22T01:00:00Z"
    completeTime: "2026-11-22T03:02:11Z"
    jobParams:
      destination: backups-us
    jobStats:
      processed: 18250
      failed: 3
    bucketName: backups-eu
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.base import wait_argument_spec
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.vsp import (
    RUNNING_STATES,
    STOPPING_STATES,
    TERMINAL_STATES,
    VspModule,
)


def main():
    spec = dict(
        job_id=dict(type="int", required=True),
        state=dict(type="str", default="canceled", choices=["canceled"]),
    )
    spec.update(wait_argument_spec())
    module = VspModule(spec)
    job_id = module.int32("job_id")
    vsp = module.client

    def cancel():
        try:
            return vsp.cancel(job_id)
        except ApiError as error:
            # The cancel is never sent twice. It may have acted before its answer was lost (a 5xx,
            # a dropped connection): one status read, which is safe to repeat, settles it.
            try:
                now = vsp.status(job_id)
            except ApiError:
                raise error
            if now.job_state != "CANCELLED":
                raise error
            return now

    def stopped():
        status = vsp.status(job_id)
        return status.job_state not in RUNNING_STATES | STOPPING_STATES, status

    def run():
        before = vsp.status(job_id)
        state = before.job_state
        if state not in RUNNING_STATES | TERMINAL_STATES | STOPPING_STATES:
            module.fail("job %d is in state %s, which this module does not know; it was left alone"
                        % (job_id, state), job=before.raw())
        running = state in RUNNING_STATES
        module.result["job"] = before.raw()
        job = before
        if running and not module.check_mode:
            job = cancel()
            module.result["job"] = job.raw()
        # Set only now: a cancel that failed changed nothing. A wait that times out still reports it.
        module.result["changed"] = running
        # Also waits for a job that was already stopping before this run.
        if module.params["wait"] and not module.check_mode and job.job_state in RUNNING_STATES | STOPPING_STATES:
            module.result["job"] = module.wait_for(stopped, "job %d to stop" % job_id).raw()
        after = module.result["job"]
        if running and module.check_mode:
            after = dict(after, jobState="CANCELLED")
        module.set_diff({"job": before.raw()}, {"job": after})
        module.exit()

    module.run(run)


if __name__ == "__main__":
    main()
