#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cf_task
short_description: Cancel Cloud Foundry tasks
version_added: 0.1.0
description:
  - Cancels Cloud Foundry tasks (one-off processes run with C(cf run-task)) through the Cloud Controller v3 API.
  - Selects one task by O(guid), several by O(guids), or the tasks of one app, named by O(app) (with
    O(space) and O(org) where the name alone is ambiguous) or by O(app_guid), together with either
    O(name) (every C(PENDING), C(RUNNING) or C(CANCELING) task of that name) or O(sequence_id) (the
    task with that number, whatever its state). O(app) with O(sequence_id) is what
    C(cf terminate-task APP SEQUENCE_ID) does in the targeted org and space.
  - Reads the selected tasks first. A task that is C(PENDING) or C(RUNNING) is cancelled with
    C(POST /v3/tasks/{guid}/actions/cancel) and reported changed. A task that is C(CANCELING),
    C(SUCCEEDED) or C(FAILED) is left alone and reported unchanged, with its state in RV(tasks).
  - By O(guid), a run sends one read and at most one cancel (plus, when it logs in, one read of the
    root document and one token request). Each of O(org), O(space) and O(app) costs one list request
    (C(GET /v3/organizations?names=), C(GET /v3/spaces?names=), C(GET /v3/apps?names=)).
  - A name that matches nothing, an app name found in several spaces without O(space) (or a space name
    in several orgs without O(org)) fails before anything is cancelled, naming what it found.
  - A task that finished before the cancel arrived (Cloud Controller answers HTTP 422
    C(CF-UnprocessableEntity)) is read once more and reported unchanged, as it is, not as a failure.
  - A task or app that does not exist, or that the credentials cannot see, is a failure with the
    API's C(CF-ResourceNotFound); nothing is cancelled then.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  guid:
    description:
      - The GUID of one task.
      - Mutually exclusive with O(guids), O(app_guid) and O(app).
    type: str
  guids:
    description:
      - The GUIDs of several tasks, for example from M(jobctl.cloud.cf_task_info).
      - Every task is read before any is cancelled, so one unknown GUID fails the run before anything changes.
      - An empty list selects nothing and sends no request.
      - Mutually exclusive with O(guid), O(app_guid) and O(app).
    type: list
    elements: str
  app_guid:
    description:
      - The GUID of the app whose tasks to cancel, together with O(name) or O(sequence_id).
      - Mutually exclusive with O(guid), O(guids) and O(app).
    type: str
  app:
    description:
      - The name of the app whose tasks to cancel, together with O(name) or O(sequence_id), as C(cf tasks)
        and C(cf terminate-task) take it.
      - Cloud Controller matches app names case-insensitively.
      - When the name is used in several spaces the credentials can see, set O(space) (and O(org)).
      - Mutually exclusive with O(guid), O(guids) and O(app_guid).
    type: str
  space:
    description:
      - The name of the space of O(app) (what C(cf target -s) sets). Only with O(app).
    type: str
  org:
    description:
      - The name of the org of O(app) (what C(cf target -o) sets). Only with O(app).
    type: str
  name:
    description:
      - With O(app) or O(app_guid), select every task of the app with this name that is C(PENDING),
        C(RUNNING) or C(CANCELING).
      - Cloud Controller matches task names case-insensitively, so V(db-migrate) also selects C(DB-Migrate).
      - Every task the API lists is checked against what was asked (app, name as Cloud Controller compares
        it, states, sequence_id) before it can be cancelled. One that does not match (a server that ignores
        a filter) is left alone, with a warning naming it.
      - Finished tasks of that name are not selected, so they do not appear in RV(tasks).
      - Mutually exclusive with O(sequence_id).
    type: str
  sequence_id:
    description:
      - With O(app) or O(app_guid), select the app's task with this sequence number (C(cf tasks) shows it as C(id)).
      - An app without such a task is a failure.
      - Mutually exclusive with O(name).
    type: int
  state:
    description:
      - V(canceled) makes sure the selected tasks are no longer C(PENDING) or C(RUNNING).
    type: str
    default: canceled
    choices: [canceled]
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.cloudfoundry
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  check_mode:
    details: >-
      Looks up the names and reads the selected tasks, and reports as cancelled those that are
      C(PENDING) or C(RUNNING); sends no cancel.
  diff_mode:
    details: >-
      Shows each selected task's GUID, name and state before and after (in check mode, the
      predicted C(CANCELING)).
notes:
  - Cloud Foundry moves a cancelled task to C(CANCELING) and, once Diego has stopped it, to C(FAILED)
    with the failure reason C(task was cancelled). With O(wait=true) the module polls
    C(GET /v3/tasks/{guid}) until every selected task is C(FAILED) or C(SUCCEEDED), including tasks
    that were already C(CANCELING) before the run.
  - >-
    How each cancel ends: HTTP 202 is this run's cancel. HTTP 422 (the task was C(SUCCEEDED) or
    C(FAILED) when the cancel arrived) is read once: a task C(FAILED) as cancelled was cancelled by
    someone else first, any other finished task ended on its own; both are unchanged. A lost answer
    is settled by one read of the task: C(CANCELING), or C(FAILED) as cancelled, is this run's
    cancel (with a warning); C(PENDING) or C(RUNNING) gets the cancel again.
  - >-
    A limit of the API, not of the module: Cloud Controller accepts a cancel of a task that is already
    C(CANCELING) and answers it exactly like the first one (HTTP 202, the task C(CANCELING)). Two runs
    that both read the task C(RUNNING) and both send their cancel before either is handled therefore
    both report C(changed=true); nothing in the API's answer could tell them apart. A run that reads
    the task after another run's cancel was handled finds it C(CANCELING), leaves it alone and
    reports C(changed=false).
  - Cloud Foundry's list filters are comma-separated, so a O(name), O(app), O(space) or O(org) holding
    a comma is refused.
  - Cancelling requires the Space Developer role (or admin) in the task's space; a read-only role gets
    HTTP 403 C(CF-NotAuthorized). When some cancels fail, the module fails after trying them all, and
    the result still says which were cancelled.
  - >-
    UNCONFIRMED: that Diego's failure reason for a cancelled task reaches Cloud Controller as
    C(task was cancelled) on every foundation (it is what cloudfoundry/bbs records); a foundation that
    shows another reason makes a task someone else cancelled look as if it ended on its own, which
    is reported unchanged all the same.
seealso:
  - module: jobctl.cloud.cf_task_info
"""

EXAMPLES = r"""
- name: Cancel one task
  jobctl.cloud.cf_task:
    guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
    api_url: https://api.sys.example.com
    username: "{{ cf_username }}"
    password: "{{ cf_password }}"

- name: Cancel task 42 of billing-api in acme/production, as cf terminate-task billing-api 42 would
  jobctl.cloud.cf_task:
    org: acme
    space: production
    app: billing-api
    sequence_id: 42

- name: Cancel every running db-migrate task of an app and wait until they have stopped
  jobctl.cloud.cf_task:
    app_guid: 0d5a1c88-3f0e-4d4b-9a53-5b6c7d8e9f01
    name: db-migrate
    wait: true
    wait_timeout: 600

- name: Cancel task number 42 of an app, logged in as a UAA client
  jobctl.cloud.cf_task:
    app_guid: 0d5a1c88-3f0e-4d4b-9a53-5b6c7d8e9f01
    sequence_id: 42
    client_id: pipeline-bot
    client_secret: "{{ cf_client_secret }}"

- name: Set the credentials once for every Cloud Foundry module in a play
  module_defaults:
    group/jobctl.cloud.cloudfoundry:
      api_url: https://api.sys.example.com
      access_token: "{{ cf_access_token }}"
  block:
    - name: List the running tasks of a space
      jobctl.cloud.cf_task_info:
        org: acme
        space: production
        states: [RUNNING]
      register: running

    - name: Cancel those started more than an hour ago
      jobctl.cloud.cf_task:
        guids: "{{ running.tasks | selectattr('created_at', 'lt', cutoff) | map(attribute='guid') | list }}"
      vars:
        cutoff: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now().timestamp() - 3600, utc=true) }}"
"""

RETURN = r"""
tasks:
  description:
    - The selected tasks, each as the API returns it, as it is after the run.
    - A task this run cancelled is C(CANCELING) (the cancel's answer), or C(FAILED) after O(wait=true).
    - A task that finished before its cancel arrived is shown as read after the API's refusal.
    - In check mode, the tasks as they were read.
  returned: success
  type: list
  elements: dict
  sample:
    - guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
      sequence_id: 3
      name: db-migrate
      command: bin/rake db:migrate
      user: vcap
      state: CANCELING
      memory_in_mb: 512
      disk_in_mb: 1024
      log_rate_limit_in_bytes_per_second: -1
      result:
        failure_reason: null
      droplet_guid: 740ebd2b-162b-469a-bd72-3edb96fabd9a
      relationships:
        app:
          data:
            guid: 0d5a1c88-3f0e-4d4b-9a53-5b6c7d8e9f01
      metadata:
        labels:
          team: billing
        annotations: {}
      created_at: "2026-11-22T02:14:07Z"
      updated_at: "2026-11-22T03:00:12Z"
      links:
        self:
          href: https://api.sys.example.com/v3/tasks/6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
        app:
          href: https://api.sys.example.com/v3/apps/0d5a1c88-3f0e-4d4b-9a53-5b6c7d8e9f01
        cancel:
          href: https://api.sys.example.com/v3/tasks/6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f/actions/cancel
          method: POST
        droplet:
          href: https://api.sys.example.com/v3/droplets/740ebd2b-162b-469a-bd72-3edb96fabd9a
canceled:
  description:
    - The GUIDs of the tasks this run cancelled (in check mode, would cancel).
  returned: always
  type: list
  elements: str
  sample: [6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f]
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.client import settled
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import ACTIVE_STATES, FINISHED_STATES, STATES
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.module import CloudFoundryModule
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.selection import (
    EXCLUSIVE,
    NARROWING,
    SELECTION_SPEC,
    Selection,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.base import WAITED, Item, Results, first_few
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import SelectionError
from ansible_collections.jobctl.cloud.plugins.module_utils.options import id_problem, wait_argument_spec

# What says which of the tasks in scope to cancel (besides guid and guids).
WHICH = ("name", "sequence_id", "names", "states", "label_selector", "older_than_minutes")
BY_GUID = ("guid", "guids")


def brief(tasks):
    return [{"guid": t.guid, "name": t.name, "state": t.state} for t in tasks]


class CfTask(CloudFoundryModule):
    CHANGE = "cancel of task"
    ARGUMENT_SPEC = dict(
        guid=dict(type="str"),
        guids=dict(type="list", elements="str"),
        name=dict(type="str"),
        sequence_id=dict(type="int"),
        state=dict(type="str", default="canceled", choices=["canceled"]),
        **dict(SELECTION_SPEC, **wait_argument_spec())
    )
    CONSTRAINTS = dict(
        mutually_exclusive=([BY_GUID] + [BY_GUID + (other,) for other in SELECTION_SPEC]
                            + [("name", "sequence_id"), ("name", "names")] + EXCLUSIVE),
    )

    def __init__(self):
        super(CfTask, self).__init__()
        p = self.params
        self.task_name = self.name("name")
        self.by_guid = p["guid"] is not None or p["guids"] is not None
        given = Selection.given(p)
        which = [option for option in WHICH if p.get(option) not in (None, [], "")]
        if self.by_guid:
            if self.task_name is not None or p["sequence_id"] is not None:
                self.fail("%s selects among an app's tasks: set app or app_guid too"
                          % ("name" if self.task_name is not None else "sequence_id"))
        elif not given and not which:
            self.fail("nothing says which tasks to cancel: set guid, guids, or a selection (org, space, app, app_guid, "
                      "space_guids, organization_guids with name, sequence_id, names, states, label_selector or "
                      "older_than_minutes)")
        elif (self.task_name is not None or p["sequence_id"] is not None) and not (p["app"] or p["app_guid"]):
            self.fail("%s selects among an app's tasks: set app or app_guid too"
                      % ("name" if self.task_name is not None else "sequence_id"))
        elif not which:
            self.fail("%s needs name, sequence_id, names, states, label_selector or older_than_minutes to say which "
                      "tasks to cancel (states: [PENDING, RUNNING] selects every task still running)" % given[0])
        elif not [option for option in given if option in NARROWING]:
            self.fail("%s alone could select every task these credentials can see: narrow it with org, space, app, "
                      "app_guid, space_guids, organization_guids, names or label_selector"
                      % " and ".join(which))
        self.guids = []
        self.selection = None
        if self.by_guid:
            self.guids = [self.guid("guid", p["guid"])] if p["guid"] is not None else self.ids("guids", self.guid)
        else:
            # A task number selects that task whatever its state; otherwise only what a cancel may concern.
            self.selection = Selection(self, states=None if p["sequence_id"] is not None else ACTIVE_STATES,
                                       names=[self.task_name] if self.task_name is not None else None)
        self.unmatched = []
        self.to_cancel = []

    def select(self):
        """The tasks the options name, read from the API (names to GUIDs first, one list request each)."""
        if self.selection is None:
            return [Item(guid, self.client.task(guid)) for guid in self.guids]
        more = {}
        if self.params["sequence_id"] is not None:
            more["sequence_ids"] = [self.params["sequence_id"]]
        # As Cloud Controller matches them: case-insensitively. Each task it returns is checked against
        # what was asked; one that does not match is left alone, with a warning.
        tasks = self.selection.tasks(self.client, **more)
        self.report_left_out()
        if self.params["sequence_id"] is not None and not tasks:
            raise SelectionError("%s has no task with sequence_id %s%s; nothing was changed" % (
                self.selection.place(self.client), self.params["sequence_id"], self.selection.conditions()))
        # A name that matches nothing is nothing to cancel (idempotent), but it may be a typo: said, and warned.
        self.unmatched = self.selection.unmatched(tasks)
        for name in self.unmatched:
            self.warn(self.nothing_named(name))
        return [Item(task.guid, task) for task in tasks]

    def nothing_named(self, name):
        return "no %s %s: nothing to cancel" % (self.selection.what(name), self.selection.where(self.client))

    def decide(self, items):
        """The tasks a cancel would act on: those still PENDING or RUNNING; the rest are left as they are."""
        unknown = [item.before for item in items if item.before.state not in STATES]
        if unknown:
            raise SelectionError("task %s is in state %r, which this module does not know; nothing was cancelled"
                                 % (unknown[0].guid, unknown[0].state))
        for item in items:
            outcome = settled(item.before)
            if outcome is not None:
                item.settle(outcome)
            elif self.check_mode:
                # As the cancel's answer would show it (HTTP 202, the task CANCELING).
                item.predict(item.before.model_copy(update={"state": "CANCELING"}))
        self.to_cancel = [item for item in items if item.todo or self.check_mode and item.changed]
        return items

    def act(self, items):
        """One cancel per task still to do; the client decides each outcome."""
        self.client.cancel_tasks(items)
        return items

    def wait(self, items):
        """Poll every selected task that has not finished (also those already CANCELING) until it has."""
        # A GUID that would not stay in its path segment is never sent, not even to read it.
        waiting = [item for item in items if item.after.state not in FINISHED_STATES and id_problem(item.id) is None]
        if not waiting:
            return WAITED

        def stopped():
            for item in waiting:
                item.after = self.client.task(item.id)
            waiting[:] = [item for item in waiting if item.after.state not in FINISHED_STATES]
            return not waiting

        return self.wait_for(stopped, "task%s %s to reach FAILED or SUCCEEDED"
                             % ("s" if len(waiting) > 1 else "", first_few(waiting, lambda item: item.id, ", ")))

    def report(self, items):
        results = Results(items)
        for warning in results.warnings():
            self.warn(warning)
        result = dict(changed=results.changed, canceled=[item.id for item in results.acted],
                      not_canceled=[self.not_canceled(item) for item in results.failed],
                      tasks=[item.after.raw() for item in items])
        if self.selection is not None:
            result["unmatched_names"] = list(self.unmatched)
            if self.selection.created_before is not None:
                result["created_before"] = self.selection.created_before
        result.update(self.diff({"tasks": brief(item.before for item in items)},
                                {"tasks": brief(item.after for item in items)}))
        return result

    @staticmethod
    def not_canceled(item):
        task = item.after
        return {"guid": item.id, "name": task.name if task is not None else None,
                "state": task.state if task is not None else None, "reason": item.reason}

    @staticmethod
    def label(item):
        return "%s %s" % (item.before.name, item.id) if item.before is not None and item.before.name else str(item.id)

    def summary(self, items):
        """"canceled 2 of 3 tasks (db-migrate 6f2d..., db-migrate 0a1b...); 1 already CANCELING", in check mode
        "would cancel ..."; a name that matched nothing is said too."""
        created = " created before %s" % self.selection.created_before if self.selection is not None \
            and self.selection.created_before is not None else ""
        if items or self.selection is None:
            text = Results(items).summary(("canceled", "cancel"), "task" + created, self.check_mode, label=self.label,
                                          why=lambda item: item.reason or "needed nothing", nouns="tasks" + created)
        else:
            missing = [self.selection.what(name) for name in self.unmatched] or [self.selection.what()]
            return "%s: %s" % ("would cancel nothing" if self.check_mode else "nothing to cancel", "; ".join(
                "no %s %s" % (what, self.selection.where(self.client)) for what in missing))
        for name in self.unmatched:
            text += "; %s" % self.nothing_named(name)
        return text

    def failure(self, items):
        failed = Results(items).failed
        if not failed:
            return None
        return ("could not cancel %d of %d tasks: %s" % (len(failed), len(self.to_cancel), Results(items).named(
            lambda item: "%s: %s" % (item.id, item.reason))), Results(items).problem)


def main():
    CfTask().main()


if __name__ == "__main__":
    main()
