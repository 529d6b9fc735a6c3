#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bigchange_job
short_description: Cancel BigChange jobs that have not started
version_added: 0.1.0
description:
  - Cancels field-service jobs in BigChange, giving BigChange the reason, one job (O(job_id)) or a
    list (O(job_ids)) in one run.
  - Reads the jobs first and acts on their status. With O(job_id) the read is C(GET /v1/jobs/{jobId});
    with O(job_ids) it is C(GET /v1/jobs?id=...&id=...), at most 50 IDs a request (the API's limit),
    never one read per job.
  - A job that has not started is cancelled (C(PUT /v1/jobs/{jobId}/cancel)) and reported changed. Its
    status is one of V(new), V(scheduled), V(unscheduled), V(sent), V(read), V(accepted), V(refused),
    V(onTheWay), or the internal V(lateStart) or V(rescheduled) (see the notes).
  - A job that is already V(cancelled), or completed (V(completedOk), V(completedWithIssues)), is left
    alone and reported unchanged, so a second run changes nothing.
  - A job that is V(started), V(suspended) or V(lateFinish) is under way and BigChange does not allow
    cancelling it; it is left as it is and the module fails, saying so. It fails in check mode too.
  - >-
    With O(job_ids), every job is handled first (the cancels go out concurrently, four at a time);
    then the module fails once, naming each job that could not be cancelled and its status: one under
    way, one with a status the module does not know, one BigChange did not list (it does not exist, or
    the customer cannot see it), or one whose cancel failed.
  - With O(job_id), a job that does not exist, or that the customer cannot see, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The BigChange job ID (a whole number) of one job to cancel.
      - Exactly one of O(job_id) and O(job_ids) is required.
    type: int
  job_ids:
    description:
      - The IDs of several jobs to cancel in one run. Each is handled once, whatever the number of times it
        is listed. An empty list does nothing and sends nothing.
      - Every ID is checked before the first request.
    type: list
    elements: int
  reason:
    description:
      - >-
        Why the jobs are cancelled, sent as C({"reason": "..."}). BigChange keeps it with each job, where
        planners and the customer may read it. Must not be empty.
      - Whether BigChange limits its length is B(unconfirmed); a reason it refuses fails with its words.
    type: str
    required: true
  state:
    description:
      - V(canceled) makes sure the jobs will not be carried out.
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.bigchange
  - jobctl.cloud.http_options
attributes:
  check_mode:
    details: >-
      Reads the jobs and predicts each cancel from its status; sends nothing that changes anything. A
      job under way fails check mode as it would fail the real run.
  diff_mode:
    details: Shows each job's ID and status before and after.
notes:
  - >-
    The statuses V(lateStart), V(lateFinish) and V(rescheduled) are internal: BigChange lists them
    among its 16 statuses but does not describe them. The module reads them by their names against
    BigChange's rule that a started, suspended or completed job cannot be cancelled: V(lateStart) (the
    planned start has passed and nobody has started the job) and V(rescheduled) (moved to another time)
    have not started and are cancelled; V(lateFinish) (started, running past its planned end) is under
    way and is not. If BigChange refuses such a cancel, the module fails with BigChange's words and
    reports nothing changed.
  - >-
    B(Unconfirmed:) what BigChange answers to a cancel it will not make (a job already cancelled, one
    that has started, or one that has completed) is not documented. The module takes a 409 or a 422 as
    such a refusal and reads the job once to learn why: cancelled (another run, or a person, was first),
    completed, or under way. A refusal of a job that still waits (a reason BigChange will not take,
    say) fails with BigChange's words.
  - >-
    B(Unconfirmed:) if BigChange accepts a second cancel of a cancelled job with 204 (as it may), two
    runs that cancel the same job at the very same moment both see 204 and both report C(changed=true):
    nothing in BigChange's answers tells them apart. A run that reads the job after the other's cancel
    (any later run) sees it cancelled and reports no change.
  - >-
    BigChange answers a cancel with no body, so the returned jobs are as read before the cancel with
    the status V(cancelled) (or as read again when the outcome needed a read).
    M(jobctl.cloud.bigchange_job_info) reads them as BigChange now holds them.
  - >-
    Each run sends one token request (none with O(access_token)), the reads (one with O(job_id), one per
    50 jobs with O(job_ids)) and one cancel per job to cancel. A second run sends the token request and
    the reads alone.
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
        job_ids: [480101, 480102, 480103]
        reason: Site closed for refurbishment
      check_mode: true
      register: preview

    - name: Cancel them, one run and one token for the whole list
      jobctl.cloud.bigchange_job:
        job_ids: [480101, 480102, 480103]
        reason: Site closed for refurbishment
      when: preview is changed

- name: Cancel a list of jobs, with a summary of what was cancelled and what was left
  ansible.builtin.include_role:
    name: jobctl.cloud.bigchange_job_cancel
  vars:
    bigchange_job_cancel_job_ids: [480101, 480102, 480103]
    bigchange_job_cancel_reason: Contract ended
"""

RETURN = r"""
msg:
  description:
    - What the run did, in one line (in check mode, what a real run would do), naming the first few
      objects and counting the rest by reason; on failure, what went wrong.
  returned: always
  type: str
  sample: "canceled 1 of 2 BigChange jobs (480101); 1 already cancelled"
job:
  description:
    - With O(job_id), the job as after the run, as the API returns it with BigChange's own key names.
    - After a cancel (in check mode, a predicted one), the job as read before it with C(status) V(cancelled).
    - Also returned when the module fails because the job is under way, so the caller can see its status.
  returned: with O(job_id), when the job was read
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
    orderNumber: null
    status: cancelled
    plannedStartAt: "2026-11-22T14:45:00.000Z"
    plannedEndAt: "2026-11-22T15:45:00.000Z"
    actualStartAt: null
    actualEndAt: null
    createdAt: "2026-11-19T11:45:00.000Z"
    statusModifiedAt: "2026-11-19T11:45:00+00:00"
    internalComment: null
    resourcesComment: null
    contactComment: null
    officeNotes: null
jobs:
  description:
    - With O(job_ids), each job BigChange listed, as after the run (see RV(job)), in the order of O(job_ids).
    - A job BigChange did not list is left out (and named in RV(not_canceled)).
  returned: with O(job_ids)
  type: list
  elements: dict
  sample:
    - id: 480101
      reference: BC-SERV-0101
      status: cancelled
      plannedStartAt: "2026-11-22T14:45:00.000Z"
    - id: 480105
      reference: null
      status: started
      plannedStartAt: "2026-11-22T08:00:00.000Z"
canceled:
  description:
    - IDs of the jobs this run cancelled (in check mode, would cancel), in the order given.
  returned: when the jobs were read
  type: list
  elements: int
  sample: [480101]
not_canceled:
  description:
    - Each job that could not be cancelled, with its status as read (null when BigChange did not list it)
      and why. The module fails when this is not empty.
  returned: when the jobs were read
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's ID.
      type: int
    status:
      description: The job's status as read, or null.
      type: str
    reason:
      description: Why it could not be cancelled.
      type: str
  sample:
    - job_id: 480105
      status: started
      reason: >-
        job 480105 cannot be cancelled: its status is started, so the work is under way, and BigChange does
        not allow cancelling a started or suspended job. The job was left as it is.
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.client import settled
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.models import CANCELLED
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.module import BigChangeModule
from ansible_collections.jobctl.cloud.plugins.module_utils.base import NAMED_FAILURES, Item, Results
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import Outcome


class BigchangeJob(BigChangeModule):
    CHANGE = "cancel of job"
    ARGUMENT_SPEC = dict(
        job_id=dict(type="int"),
        job_ids=dict(type="list", elements="int"),
        reason=dict(type="str", required=True),
        state=dict(type="str", default="canceled", choices=["canceled"]),
    )
    CONSTRAINTS = dict(mutually_exclusive=[("job_id", "job_ids")], required_one_of=[("job_id", "job_ids")])

    def __init__(self):
        super(BigchangeJob, self).__init__()
        self.single = self.params["job_id"] is not None
        self.wanted = [self.job_id()] if self.single else self.job_ids()
        self.reason = self.params["reason"].strip()
        if not self.reason:
            self.fail("reason must not be empty: BigChange records why a job was cancelled")

    def select(self):
        """The jobs as BigChange holds them: by ID, or listed 50 IDs a request; nothing to read, no request."""
        if not self.wanted:
            return []
        if self.single:
            found = {self.wanted[0]: self.client.job(self.wanted[0])}
        else:
            found = dict((job["id"], job) for job in self.client.jobs({}, ids=self.wanted))
        return [Item(job_id, found.get(job_id)) for job_id in self.wanted]

    def decide(self, items):
        """Per job: the outcome its status settles, or still to cancel (in check mode, predicted cancelled)."""
        for item in items:
            if item.before is None:
                item.settle(Outcome(Outcome.REFUSED, None, "BigChange did not list it: it does not exist, or customer "
                                    "%s cannot see it" % self.params["customer_id"]))
                continue
            outcome = settled(item.before)
            if outcome is not None:
                item.settle(outcome)
            elif self.check_mode:
                item.predict(dict(item.before, status=CANCELLED))
        return items

    def act(self, items):
        """Cancel every job still to do, concurrently; a failed cancel stays with its job, the others go on."""
        self.client.cancel_jobs(items, self.reason)
        return items

    def report(self, items):
        results = Results(items)
        for warning in results.warnings():
            self.warn(warning)
        known = [item for item in items if item.before is not None]
        before = [{"id": item.id, "status": item.before["status"]} for item in known]
        after = [item.after for item in known]
        statuses = [{"id": job["id"], "status": job["status"]} for job in after]
        result = dict(changed=results.changed, canceled=[item.id for item in results.acted],
                      not_canceled=[self.not_canceled(item) for item in results.failed])
        if self.single:
            if known:
                result["job"] = after[0]
                result.update(self.diff(before[0], statuses[0]))
        else:
            result["jobs"] = after
            result.update(self.diff({"jobs": before}, {"jobs": statuses}))
        return result

    def summary(self, items):
        return Results(items).summary(("canceled", "cancel"), "BigChange job", self.check_mode,
                                      why=lambda item: "already %s" % item.after["status"])

    def not_canceled(self, item):
        if item.error is not None:
            job, reason = item.before, item.error.msg
        elif item.before is None:
            job, reason = None, "job %s was not found: %s" % (item.id, item.reason)
        else:
            job, reason = item.after, "job %s cannot be cancelled: %s. The job was left as it is." % (item.id, item.reason)
        return {"job_id": item.id, "status": job.get("status") if job else None, "reason": reason}

    @staticmethod
    def shown_status(failure):
        return "status %s" % failure["status"] if failure["status"] else "not listed"

    def failure(self, items):
        results = Results(items)
        if not results.failed:
            return None
        if self.single:
            return self.not_canceled(results.failed[0])["reason"], results.problem
        failures = [self.not_canceled(item) for item in results.failed[:NAMED_FAILURES]]
        named = results.named(lambda item: "%s (%s)" % (item.id, self.shown_status(self.not_canceled(item))), ", ")
        return ("could not cancel %d of %d BigChange jobs: %s. Each was left as it was; every other job was handled. %s"
                % (len(results.failed), len(items), named, " ".join(f["reason"] for f in failures)), results.problem)


def main():
    BigchangeJob().main()


if __name__ == "__main__":
    main()
