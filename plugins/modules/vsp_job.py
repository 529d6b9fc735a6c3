#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vsp_job
short_description: Cancel Hitachi VSP One Object jobs
version_added: 0.1.0
description:
  - Cancels jobs of Hitachi Virtual Storage Platform One Object (replication, lifecycle update,
    reconciliation) through the management API, one job with O(job_id) or a list with O(job_ids)
    in one run (one Keycloak token, one CSRF session).
  - Reads each job's status with C(POST /v1/jobs/status) first. A job that is C(EXAMINING),
    C(PROCESSING) or C(EXECUTING) is cancelled with C(POST /v1/jobs/cancel) and reported changed.
    A job that is C(COMPLETE), C(FAILED) or C(CANCELLED) is left alone and reported unchanged, so a
    re-run sends no cancel.
  - A job the API refuses to cancel, a job that does not exist and a job in a state the module does
    not know make the module fail, naming each job, its state and the API's words. With O(job_ids)
    every other job is handled first and the module fails once, at the end.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The ID of the job, the C(jobId.id) of the API's job objects.
      - A 32-bit integer; negative IDs are valid (real systems hand them out).
      - Exactly one of O(job_id) and O(job_ids) is required.
    type: int
  job_ids:
    description:
      - The IDs of several jobs to cancel in one run (32-bit integers; duplicates are handled once).
      - Every ID is checked before the first request. An empty list sends no request.
      - The result is then RV(jobs) instead of RV(job).
    type: list
    elements: int
  state:
    description:
      - V(canceled) makes sure the jobs are no longer running.
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.vsp
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  check_mode:
    details: Reads each job's status and predicts the cancels; sends no cancel. A job that does not
      exist, or is in a state the module does not know, fails check mode too. A refusal that only
      the cancel itself would reveal cannot be predicted.
  diff_mode:
    details: Shows the jobs' status before and after (in check mode, the predicted C(CANCELLED) state).
notes:
  - >-
    A cancel is decided as follows. HTTP 200 - cancelled by this run (changed), whatever state the
    answer shows unless it is C(COMPLETE) or C(FAILED). A refusal (HTTP 400 or 409) is explained by
    one status read - C(CANCELLED) means another run or a person cancelled it first (unchanged, no
    failure); C(COMPLETE) or C(FAILED) means it ended on its own just before the cancel arrived
    (unchanged, no failure, also with O(wait=true)); a job still running means the API really
    refused (a failure with the API's words). HTTP 404 means the job no longer exists (a failure).
  - >-
    INVENTED - what VSP answers to a cancel of a job that is no longer running is not documented.
    The module handles a 400 (the only client error the reference lists), a 409, and a 200 that shows
    the job unchanged. With that last answer two runs racing for one job cannot be told apart - both
    would report a change; with 400 or 409 exactly one does. A re-run never meets it, since it
    reads the status first and sends no cancel to a job that is not running.
  - >-
    UNCONFIRMED - the documents list no "cancelling" state. Should the API report C(CANCELING) or
    C(CANCELLING), the job is left alone and reported unchanged, and O(wait=true) waits for it to end.
  - >-
    When the answer to a cancel is lost and the status read shows the job still running, the cancel
    is sent again. If VSP keeps a cancelled job in its running state for a while and refuses the
    second cancel, the module fails saying so; run it again once the job has stopped.
  - >-
    With O(wait=true) the module polls C(POST /v1/jobs/status) until every cancelled job (and every
    job that was stopping before the run) has left the running states, or O(wait_timeout) (for all
    of them together) has passed. It does not poll a job whose cancel answer already shows it stopped.
  - >-
    With O(job_ids) the jobs are handled one after the other, not concurrently. Every job call is a
    C(POST), and the server may answer each with a new C(XSRF-TOKEN) that replaces the one before,
    so two calls in flight at once would race for the token.
  - >-
    A failure of one job's requests (an HTTP 500 that outlasted the retries) is that job's failure:
    every other job is still read and cancelled, and the module fails at the end naming the first
    five failed jobs and counting the rest (RV(not_canceled) lists every one). A failure that is
    not about one job (the API or Keycloak cannot be reached, credentials refused, a wait that timed
    out) stops new requests at once; the result still tells what was cancelled so far, and lists the
    jobs not reached as not attempted.
  - >-
    SIGTERM or SIGINT while the module cancels or waits (a kill, AWX's cancel) starts no new cancel;
    the one under way is settled and the module fails with what it did. Each cancel is logged as it
    happens through Ansible's module logging (see docs/outcomes.md, A kill, and the record of each change).
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
    job_id: -769908758
    wait: true
    wait_timeout: 600

- name: Set the credentials once for every VSP module in a play
  module_defaults:
    group/jobctl.cloud.vsp:
      api_url: https://admin.eu-1.cluster.example.com/mapi
      access_token: "{{ vsp_access_token }}"
  block:
    - name: Cancel several jobs in one run (one token, one CSRF session)
      jobctl.cloud.vsp_job:
        job_ids: [4211, 4212, -17]
      register: cancelled

    - name: Show what was cancelled
      ansible.builtin.debug:
        msg: "Cancelled {{ cancelled.canceled }}"
"""

RETURN = r"""
msg:
  description:
    - What the run did, in one line (in check mode, what a real run would do), naming the first few
      objects and counting the rest by reason; on failure, what went wrong.
  returned: always
  type: str
  sample: "canceled 2 of 3 VSP jobs (4211, -17); 1 already COMPLETE"
job:
  description:
    - With O(job_id), the job's status object as the API showed it last, with the API's own keys.
    - After a cancel, the cancel's answer (or the last status read when O(wait=true)); when nothing
      was sent, the status as read. In check mode, the state a real run would leave (C(CANCELLED) for
      a job to be cancelled).
    - C(startTime) and C(completeTime) are passed on as the API gives them, epoch seconds (as in
      the vendor's samples) or date-time strings (as in the reference).
  returned: success, with O(job_id)
  type: dict
  sample:
    jobId:
      id: -769908758
    jobState: CANCELLED
    jobType: BATCH_REPLICATE
    startTime: 1752770711.809
    completeTime: 1752770724.423
    jobParams:
      destination: backups-us
    jobStats:
      processed: 18250
      failed: 3
    bucketName: backups-eu
jobs:
  description:
    - With O(job_ids), each job's status object as the API showed it last (as RV(job) above), in
      the order of O(job_ids); in check mode, as a real run would leave it. A job that does not exist is left out (and named in the failure).
  returned: with O(job_ids)
  type: list
  elements: dict
  sample:
    - jobId:
        id: 4211
      jobState: CANCELLED
      jobType: BATCH_REPLICATE
      startTime: 1752770711.809
      completeTime: 1752770724.423
      bucketName: backups-eu
    - jobId:
        id: 4212
      jobState: COMPLETE
      jobType: LIFECYCLE_UPDATE
      startTime: 1752770000.5
      completeTime: 1752770600.25
      bucketName: backups-eu
canceled:
  description:
    - The IDs of the jobs this run cancelled (in check mode, would cancel), in the order of O(job_ids);
      with O(job_id), that job's ID or an empty list.
  returned: when the jobs were read
  type: list
  elements: int
  sample: [4211]
not_canceled:
  description:
    - The jobs that could not be cancelled (with O(job_id) too), each with its state as last read
      (null when the job does not exist) and why. The module fails when this list is not empty.
  returned: when the jobs were read
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's ID.
      type: int
    state:
      description: The job's state as last read, or null when the job does not exist.
      type: str
    reason:
      description: Why the job could not be cancelled, with the API's own words when it gave them.
      type: str
  sample:
    - job_id: 4213
      state: EXECUTING
      reason: "the API refused the cancel and the job is still EXECUTING: VSP One Object API POST
        /mapi/v1/jobs/cancel failed: HTTP 400 Invalid request: ..."
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.client import settled
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import CANCELLED, RUNNING_STATES, STOPPING_STATES
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.module import VspModule
from ansible_collections.jobctl.cloud.plugins.module_utils.base import WAITED, Item, Results, first_few
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each
from ansible_collections.jobctl.cloud.plugins.module_utils.options import wait_argument_spec

STILL_GOING = RUNNING_STATES | STOPPING_STATES


class VspJob(VspModule):
    CHANGE = "cancel of job"
    ARGUMENT_SPEC = dict(
        job_id=dict(type="int"),
        job_ids=dict(type="list", elements="int"),
        state=dict(type="str", default="canceled", choices=["canceled"]),
        **wait_argument_spec()
    )
    CONSTRAINTS = dict(mutually_exclusive=[("job_id", "job_ids")], required_one_of=[("job_id", "job_ids")])

    def __init__(self):
        super(VspJob, self).__init__()
        self.bulk = self.params["job_ids"] is not None
        self.job_ids = self.ids("job_ids", self.int32) if self.bulk else [self.int32("job_id")]

    def select(self):
        """Each job's status, read once: what every decision rests on. An unknown job, or one whose read
        failed, is its item's failure; the others go on."""
        def read(item):
            job, missing = self.client.find(item.id)
            if job is None:
                item.error = missing
            else:
                item.before = item.after = job

        return each([Item(job_id) for job_id in self.job_ids], read)

    def decide(self, items):
        """Running jobs are to be cancelled; the rest are left alone (a state not known is refused)."""
        for item in items:
            if item.before is None:
                continue
            outcome = settled(item.before) if item.before.job_state not in RUNNING_STATES else None
            if outcome is not None:
                item.settle(outcome)
            elif self.check_mode:
                item.predict()
        return items

    def act(self, items):
        """One cancel per running job, one after the other; the client decides each outcome."""
        self.client.cancel_jobs(items)
        return items

    def wait(self, items):
        """Poll until every job cancelled by this run, or stopping before it, has left the running states."""
        pending = [item for item in items if item.after is not None and not item.failed
                   and item.after.job_state in STILL_GOING
                   and (item.changed or item.before.job_state in STOPPING_STATES)]
        if not pending:
            return WAITED

        def stopped():
            still = []
            for item in pending:
                job, dummy = self.client.find(item.id)
                if job is not None:
                    item.after = job
                if job is not None and job.job_state in STILL_GOING:
                    still.append(item)
            pending[:] = still
            return not pending

        return self.wait_for(stopped, "%s %s to stop" % ("job" if len(pending) == 1 else "jobs",
                                                         first_few(pending, lambda item: str(item.id), ", ")))

    def report(self, items):
        results = Results(items)
        for warning in results.warnings((lambda item: "job %s" % item.id) if self.bulk else None):
            self.warn(warning)
        known = [item for item in items if item.after is not None]
        before = [item.before.raw() for item in known]
        after = [self.shown(item) for item in known]
        result = dict(changed=results.changed, canceled=[item.id for item in results.acted],
                      not_canceled=[{"job_id": item.id, "state": item.after.job_state if item.after is not None else None,
                                     "reason": item.reason} for item in results.failed])
        if self.bulk:
            result["jobs"] = after
            result.update(self.diff({"jobs": before}, {"jobs": after}))
        elif known:
            result["job"] = after[0]
            result.update(self.diff({"job": before[0]}, {"job": after[0]}))
        return result

    def summary(self, items):
        return Results(items).summary(("canceled", "cancel"), "VSP job", self.check_mode,
                                      why=lambda item: "already %s" % item.after.job_state)

    def failure(self, items):
        failed = Results(items).failed
        if not failed:
            return None
        problem = Results(items).problem
        if not self.bulk:
            return "job %s could not be cancelled: %s" % (failed[0].id, failed[0].reason), problem
        return "could not cancel %d of %d VSP jobs (the others were handled): %s" % (
            len(failed), len(items), Results(items).named(
                lambda item: "job %s%s: %s" % (
                    item.id, " (%s)" % item.after.job_state if item.after is not None else "", item.reason))), problem

    def shown(self, item):
        """The job as the run leaves it: in check mode, a job to be cancelled as CANCELLED."""
        job = item.after.raw()
        if self.check_mode and item.changed:
            job = dict(job, jobState=CANCELLED)
        return job


def main():
    VspJob().main()


if __name__ == "__main__":
    main()
