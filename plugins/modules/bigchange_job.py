#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bigchange_job
short_description: Cancel a BigChange job that has not started
version_added: 0.1.0
description:
  - Cancels a field-service job in BigChange, giving BigChange the reason.
  - Reads the job first (C(GET /v1/jobs/{jobId})) and acts on its status.
  - A job that is not started (V(new), V(scheduled), V(unscheduled), V(sent), V(read), V(accepted),
    V(refused) or V(onTheWay)) is cancelled and reported changed.
  - A job that is already V(cancelled), or completed (V(completedOk), V(completedWithIssues)), is left
    alone and reported unchanged, so a second run changes nothing.
  - A job that is V(started) or V(suspended) is under way and BigChange does not allow cancelling it;
    the module fails, says so, and leaves the job as it is. It fails in check mode too.
  - A job that does not exist, or that the customer cannot see, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The BigChange job ID (a whole number).
    type: int
    required: true
  reason:
    description:
      - Why the job is cancelled. BigChange keeps it with the job, where planners and the customer may read it.
    type: str
    required: true
  state:
    description:
      - V(canceled) makes sure the job will not be carried out.
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.bigchange
  - jobctl.cloud.http_options
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: Reads the job and predicts the cancel from its status; sends nothing that changes anything.
  diff_mode:
    support: full
    details: Shows the job's ID and status before and after.
notes:
  - >-
    B(Unconfirmed:) BigChange documents the cancel call but not its method and path. The module sends
    C(PUT /v1/jobs/{jobId}/cancel) (its sibling actions C(/start), C(/schedule) and C(/result) are PUT)
    with the reason in the body as C({"reason": "..."}); the name of that field is unconfirmed too.
  - Each run sends one token request (none with O(access_token)) and one read of the job, and one
    cancel when the job is to be cancelled. A second run sends the token request and the read alone.
  - A cancel whose answer is lost (a dropped connection, a gateway error) is sent again. When BigChange
    then refuses it because the job is cancelled already, the module reads the job once more and
    reports the cancel as done.
  - BigChange answers a cancel with no body, so the returned RV(job) is the job as read before the cancel,
    with the status V(cancelled). M(jobctl.cloud.bigchange_job_info) reads it as BigChange now holds it.
"""

EXAMPLES = r"""
- name: Cancel a job
  jobctl.cloud.bigchange_job:
    job_id: 480101
    reason: Customer cancelled the visit by phone
    customer_id: 1001
    client_id: "{{ bigchange_client_id }}"
    client_secret: "{{ bigchange_client_secret }}"

- name: Set the credentials once for every BigChange module in a play
  module_defaults:
    group/jobctl.cloud.bigchange:
      customer_id: 1001
      client_id: "{{ bigchange_client_id }}"
      client_secret: "{{ bigchange_client_secret }}"
  block:
    - name: See what would happen first
      jobctl.cloud.bigchange_job:
        job_id: 480101
        reason: Site closed for refurbishment
      check_mode: true
      register: preview

    - name: Cancel it
      jobctl.cloud.bigchange_job:
        job_id: 480101
        reason: Site closed for refurbishment
      when: preview is changed

- name: Cancel a list of jobs, reporting those that cannot be cancelled (the role loops this module)
  ansible.builtin.include_role:
    name: jobctl.cloud.bigchange_job_cancel
  vars:
    bigchange_job_cancel_job_ids: [480101, 480102, 480103]
    bigchange_job_cancel_reason: Contract ended
"""

RETURN = r"""
job:
  description:
    - The job as the API returned it, with BigChange's own key names.
    - After a cancel (in check mode, a predicted one), the job as read before it with C(status) V(cancelled).
    - Also returned when the module fails because the job has started, so the caller can see its status.
  returned: when the job was read
  type: dict
  sample:
    id: 480101
    reference: BC-SERV-0101
    description: Annual boiler service
    typeId: 12
    typeName: Service
    contactId: 3001
    contactName: Harbour View Flats
    resourceId: 51
    resourceName: Sam Patel
    status: cancelled
    plannedStartAt: "2026-11-22T14:45:00.000Z"
    plannedEndAt: "2026-11-22T15:45:00.000Z"
    actualStartAt: null
    actualEndAt: null
    createdAt: "2026-11-19T11:45:00.000Z"
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.bigchange import (
    CANCELLED,
    COMPLETED,
    NOT_STARTED,
    UNDER_WAY,
    BigChangeModule,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError


def main():
    module = BigChangeModule(dict(
        job_id=dict(type="int", required=True),
        reason=dict(type="str", required=True),
        state=dict(type="str", default="canceled", choices=["canceled"]),
    ))
    job_id = module.job_id()
    reason = module.params["reason"].strip()
    if not reason:
        module.fail("reason must not be empty: BigChange records why a job was cancelled")
    bigchange = module.client

    def refuse(job):
        module.fail("job %s cannot be cancelled: its status is %s, so the work is under way, and BigChange does not "
                    "allow cancelling a started or suspended job. The job was left as it is." % (job_id, job.status))

    def settle(job, changed):
        """Exit with the job as it now is, or fail when it cannot be cancelled."""
        module.result["job"] = job.raw()
        if job.status in UNDER_WAY:
            refuse(job)
        if job.status != CANCELLED and job.status not in COMPLETED and job.status not in NOT_STARTED:
            module.fail("job %s has the status %r, which this module does not know, so it was left as it is"
                        % (job_id, job.status))
        module.exit(changed=changed)

    def run():
        job = bigchange.job(job_id)
        if job.status not in NOT_STARTED:
            module.set_diff({"id": job_id, "status": job.status}, {"id": job_id, "status": job.status})
            settle(job, changed=False)
        module.set_diff({"id": job_id, "status": job.status}, {"id": job_id, "status": CANCELLED})
        module.result["job"] = dict(job.raw(), status=CANCELLED)
        if module.check_mode:
            module.exit(changed=True)
        try:
            bigchange.cancel(job_id, reason)
        except ApiError as error:
            if error.status not in (409, 422):
                raise
            # Refused: either our own earlier attempt went through and its answer was lost, or the job
            # moved on since it was read. Its status now tells which.
            now = bigchange.job(job_id)
            if now.status != CANCELLED and now.status not in UNDER_WAY and now.status not in COMPLETED:
                raise
            module.set_diff({"id": job_id, "status": job.status}, {"id": job_id, "status": now.status})
            settle(now, changed=now.status == CANCELLED and error.repeats > 0)
        module.exit(changed=True)

    module.run(run)


if __name__ == "__main__":
    main()
