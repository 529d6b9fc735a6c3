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
  - HostUp cancels by job type, not by job ID, so in a normal run the module sends one
    C(DELETE /vps/{id}/active-jobs) and the API's answer (C(cancelled)) says whether anything was
    cancelled. A VPS with no such job is left alone and reported unchanged.
  - The job list (C(GET /vps/{id}/active-jobs)) is read first only when check mode, diff mode or
    O(wait) needs it. Then no C(DELETE) is sent at all when no job of O(job_type) is listed, or only
    one that is already stopping.
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
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
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.hostup.vps_id
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  check_mode:
    details: Reads the job list and predicts the cancel; sends nothing that changes anything.
  diff_mode:
    details: Reads the job list first and shows the active jobs before and after.
notes:
  - >-
    UNCONFIRMED: the answer of C(GET /vps/{id}/active-jobs) is not documented by HostUp and no
    public client of the API exists. The module looks for the job list under C(data), C(jobs) or
    C(activeJobs) (or one level down under C(data), or a bare list), for each job's type under
    C(jobType) or C(type), and for its state under C(status) or C(state). A job whose state is
    C(cancelling), C(canceling), C(cancelled), C(canceled), C(completed) or C(failed) is taken as
    already stopping. Check mode predicts a cancel when a job of O(job_type) is listed in any other
    state.
  - >-
    A cancel whose answer was lost is settled by reading the job list once: no job of O(job_type)
    left that a cancel would act on means the cancel is in place (C(changed=true) with a warning);
    otherwise the C(DELETE) is sent again. It is never sent again without that read, because a
    second C(DELETE) would answer "nothing to cancel" and hide the change.
  - >-
    O(wait=true) polls the job list until no job of O(job_type) is listed, or only in a finished
    state (C(cancelled), C(canceled), C(completed), C(failed)). It also waits for a job that was
    already stopping before this run.
  - Cancelling a restore stops a destructive operation part way; the VPS may need a new restore.
  - The role C(jobctl.cloud.vps_job_cancel) runs this module over a list of VPS and job types, with a summary.
seealso:
  - module: jobctl.cloud.vps_active_job_info
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
msg:
  description:
    - What the run did, in one line (in check mode, what a real run would do), naming the first few
      objects and counting the rest by reason; on failure, what went wrong.
  returned: always
  type: str
  sample: "canceled the backup job of VPS vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
canceled:
  description:
    - Whether this run cancelled a job (in check mode, whether it would).
    - In a normal run this is the API's C(cancelled) answer; after a lost answer, what the job list showed.
  returned: success
  type: bool
  sample: true
reason:
  description:
    - Why nothing was cancelled (the API's C(reason) when it gave one), else null.
  returned: success
  type: str
  sample: No active backup job was found to cancel.
active_jobs:
  description:
    - The VPS's active jobs, each as the API lists it; read after waiting when O(wait=true), else
      before the cancel.
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

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import (
    JOB_TYPES,
    cancellable,
    of_type,
    unfinished,
)
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule
from ansible_collections.jobctl.cloud.plugins.module_utils.base import WAITED, Item, Results
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils.options import wait_argument_spec

NOTHING = "No active %s job was found to cancel."


class VpsActiveJob(HostupModule):
    ARGUMENT_SPEC = dict(
        vps_id=dict(type="str", required=True),
        job_type=dict(type="str", required=True, choices=list(JOB_TYPES)),
        state=dict(type="str", default="canceled", choices=["canceled"]),
        **wait_argument_spec()
    )
    CHANGE = "cancel"

    def label(self, item):
        return "of the %s job of VPS %s" % (item.id, self.vps)

    def __init__(self):
        super(VpsActiveJob, self).__init__()
        self.vps = self.vps_id()
        self.job_type = self.params["job_type"]
        self.after = None  # the active jobs as the wait last read them

    def select(self):
        """The job type's Item, with the active jobs only when check mode, diff mode or wait needs them:
        else one DELETE says it all."""
        read = self.check_mode or self.diff_mode or self.params["wait"]
        return [Item(self.job_type, self.client.active_jobs(self.vps) if read else None)]

    def decide(self, items):
        """Send the cancel always when nothing was read; else only for a job still running."""
        for item in items:
            if item.before is not None and not cancellable(item.before, self.job_type):
                item.settle(Outcome(Outcome.ALREADY, reason=NOTHING % self.job_type))
            elif self.check_mode:
                item.predict()
        return items

    def act(self, items):
        """One DELETE; the client decides the outcome (and settles a lost answer).

        Through the bulk loop, though it is one call: the change is logged as it happens, and a SIGTERM
        that came first stops it. Its error ends the run, as a request that failed does."""
        todo = [item for item in items if item.todo]
        each(todo, lambda item: item.settle(self.client.cancel_active_job(self.vps, self.job_type)))
        for item in todo:
            if item.error is not None:
                raise item.error
        return items

    def wait(self, items):
        """Poll until no job of the type is left unfinished, when one was cancelled or listed (perhaps stopping)."""
        item = items[0]
        if not (item.changed or unfinished(item.before or [], self.job_type)):
            return WAITED

        def stopped():
            self.after = self.client.active_jobs(self.vps)
            return not unfinished(self.after, self.job_type)

        return self.wait_for(stopped, "the %s job of %s to stop" % (self.job_type, self.vps))

    def report(self, items):
        item = items[0]
        for warning in Results(items).warnings():
            self.warn(warning)
        canceled = item.changed
        reason = None
        if not canceled:
            reason = item.outcome.reason if item.outcome is not None and item.outcome.reason else NOTHING % self.job_type
        result = dict(changed=canceled, canceled=canceled, reason=reason)
        if item.before is not None:
            result["active_jobs"] = item.before if self.after is None else self.after
            predicted = [j for j in item.before if not (canceled and j in of_type(item.before, self.job_type))]
            result.update(self.diff({"active_jobs": item.before},
                                    {"active_jobs": predicted if self.after is None else self.after}))
        return result

    def summary(self, items):
        item = items[0]
        if item.changed:
            return "%s the %s job of VPS %s" % ("would cancel" if self.check_mode else "canceled", self.job_type, self.vps)
        reason = item.outcome.reason if item.outcome is not None and item.outcome.reason else NOTHING % self.job_type
        return "nothing to cancel on VPS %s: %s" % (self.vps, reason)


def main():
    VpsActiveJob().main()


if __name__ == "__main__":
    main()
