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
  - Selects one task by O(guid), several by O(guids), or the tasks that a selection lists, as
    M(jobctl.cloud.cf_task_info) lists them, in the same run (one login, one token).
  - A selection is made of the scope (O(org), O(space), O(app) by name, as the cf CLI names them; O(app_guid),
    O(space_guids), O(organization_guids)) and of what says which of its tasks (O(name) or O(sequence_id) of
    one app, O(names), O(states), O(label_selector), O(older_than_minutes)). It needs both; a selection by
    O(states) or age alone, which could reach every task the credentials can see, is refused before any request.
  - O(app) with O(sequence_id) is what C(cf terminate-task APP SEQUENCE_ID) does in the targeted org and space.
  - Reads the selected tasks first (by GUID, one read each; a selection, one listing of every page). A task that
    is C(PENDING) or C(RUNNING) is cancelled with C(POST /v3/tasks/{guid}/actions/cancel) and reported changed.
    A task that is C(CANCELING), C(SUCCEEDED) or C(FAILED) is left alone and reported unchanged, with its state
    in RV(tasks).
  - Every task a listing returns is checked against the whole selection (app, space, org, names as Cloud
    Controller compares them, states, sequence_id, age, O(label_selector) in its equality and existence forms)
    before it can be cancelled. One that does not match (a server that ignores a filter) is left alone, with a
    warning naming it. A space or org in the selection costs one read of the listed tasks' apps per 100 apps
    (C(GET /v3/apps?guids=&include=space.organization)), unless the run has seen them already.
  - By O(guid), a run sends one read and at most one cancel (plus, when it logs in, one read of the root
    document and one token request). Each of O(org), O(space) and O(app) costs one list request
    (C(GET /v3/organizations?names=), C(GET /v3/spaces?names=), C(GET /v3/apps?names=)).
  - An org, space or app name that matches nothing, an app name found in several spaces without O(space) (or a
    space name in several orgs without O(org)) fails before anything is cancelled, naming what it found.
  - A task name (O(name), or one of O(names)) that matches no task in the selected states is no failure, as
    there is nothing to cancel. The result says so (RV(unmatched_names), RV(msg)) and a warning names it, for
    example C(no PENDING, RUNNING or CANCELING task named 'nightly-mirgate' in app 'billing-api' ...), because a
    mistyped name looks the same.
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
      - Mutually exclusive with O(guids) and every option of a selection.
    type: str
  guids:
    description:
      - The GUIDs of several tasks, for example from M(jobctl.cloud.cf_task_info).
      - Every task is read before any is cancelled, so one unknown GUID fails the run before anything changes.
      - An empty list selects nothing and sends no request.
      - Mutually exclusive with O(guid) and every option of a selection.
    type: list
    elements: str
  app_guid:
    description:
      - Only the tasks of this app.
      - Mutually exclusive with O(app), O(space), O(org), O(space_guids) and O(organization_guids) (an app is
        in one space).
    type: str
  app:
    description:
      - Only the tasks of the app with this name, as C(cf tasks) and C(cf terminate-task) take it.
      - Cloud Controller matches app names case-insensitively.
      - When the name is used in several spaces the credentials can see, set O(space) (and O(org)).
      - Mutually exclusive with O(app_guid), O(space_guids) and O(organization_guids).
    type: str
  space:
    description:
      - Only the tasks of apps in the space with this name (what C(cf target -s) sets); with O(app), the space
        to find the app in.
      - When the name is used in several orgs the credentials can see, set O(org).
      - Mutually exclusive with O(app_guid), O(space_guids) and O(organization_guids).
    type: str
  org:
    description:
      - Only the tasks of apps in the org with this name (what C(cf target -o) sets); with O(space) or O(app),
        the org to find them in.
      - Mutually exclusive with O(app_guid) and O(organization_guids).
    type: str
  space_guids:
    description:
      - Only the tasks of apps in one of these spaces. An empty list does not filter.
    type: list
    elements: str
  organization_guids:
    description:
      - Only the tasks of apps in one of these orgs. An empty list does not filter.
    type: list
    elements: str
  name:
    description:
      - With O(app) or O(app_guid), the tasks of the app with this name (as O(names) with one name).
      - Cloud Controller matches task names case-insensitively, so V(db-migrate) also selects C(DB-Migrate).
      - Without O(states), only tasks that are C(PENDING), C(RUNNING) or C(CANCELING) are selected, so finished
        ones do not appear in RV(tasks).
      - Mutually exclusive with O(sequence_id) and O(names).
    type: str
  names:
    description:
      - Only tasks with one of these names (case-insensitive, as Cloud Controller matches them). An empty list
        does not filter.
      - A name that matches no task is reported in RV(unmatched_names) and warned about; the run still succeeds.
    type: list
    elements: str
  sequence_id:
    description:
      - With O(app) or O(app_guid), the app's task with this sequence number (C(cf tasks) shows it as C(id)),
        whatever its state.
      - An app without such a task is a failure.
      - Mutually exclusive with O(name).
    type: int
  states:
    description:
      - Only tasks in one of these states.
      - Not set, a selection lists C(PENDING), C(RUNNING) and C(CANCELING) tasks (with O(sequence_id), any state).
        Only C(PENDING) and C(RUNNING) tasks are cancelled; the others are reported unchanged.
    type: list
    elements: str
    choices: [PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED]
  label_selector:
    description:
      - Only tasks whose labels match this Cloud Foundry label selector, for example V(team=billing,kind!=migration).
      - See U(https://v3-apidocs.cloudfoundry.org/#labels-and-selectors) for its syntax. A selector the module
        cannot read fails before any request.
    type: str
  older_than_minutes:
    description:
      - Only tasks created (C(created_at)) more than this many minutes ago, by the clock of the host that runs
        the module. The instant is fixed once, when the run starts, and returned as RV(created_before); the
        listing asks Cloud Controller for C(created_ats[lt]) that instant.
      - V(0) selects every task created before the run started.
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
      C(PENDING) or C(RUNNING), shown as a real run would leave them (C(CANCELING), the cancel's answer);
      sends no cancel.
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
        guids: "{{ running.tasks | map(attribute='guid') | list }}"

- name: Cancel, in one run, the nightly batch tasks of acme/production created more than two hours ago
  jobctl.cloud.cf_task:
    org: acme
    space: production
    names: [nightly-invoices, nightly-reports]
    states: [PENDING, RUNNING]
    label_selector: kind=batch
    older_than_minutes: 120
  register: cancelled

- name: Show what was done
  ansible.builtin.debug:
    msg: "{{ cancelled.msg }}"
"""

RETURN = r"""
tasks:
  description:
    - The selected tasks, each as the API returns it, as it is after the run.
    - A task this run cancelled is C(CANCELING) (the cancel's answer), or C(FAILED) after O(wait=true).
    - A task that finished before its cancel arrived is shown as read after the API's refusal.
    - In check mode, as a real run would leave them; a task to be cancelled is shown C(CANCELING).
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
    - The GUIDs of the tasks this run cancelled (in check mode, would cancel), also for one O(guid).
  returned: always
  type: list
  elements: str
  sample: [6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f]
not_canceled:
  description:
    - The tasks that could not be cancelled, each with its state as last read and why, also for one O(guid).
      The module fails when this list is not empty.
  returned: when the tasks were read
  type: list
  elements: dict
  contains:
    guid:
      description: The task's GUID.
      type: str
    name:
      description: The task's name.
      type: str
    state:
      description: The task's state as last read.
      type: str
    reason:
      description: Why it could not be cancelled, with the API's own words when it gave them.
      type: str
  sample:
    - guid: 0a1b2c3d-8a1b-4f5e-9c2d-1a2b3c4d5e6f
      name: db-migrate
      state: RUNNING
      reason: "Cloud Foundry API POST /v3/tasks/0a1b2c3d-8a1b-4f5e-9c2d-1a2b3c4d5e6f/actions/cancel failed:
        HTTP 403 CF-NotAuthorized: You are not authorized to perform the requested action [code 10003]"
unmatched_names:
  description:
    - The task names asked for (O(name) or O(names)) that no selected task has; each is also warned about.
  returned: with a selection (not with O(guid) or O(guids))
  type: list
  elements: str
  sample: [nightly-mirgate]
created_before:
  description:
    - With O(older_than_minutes), the instant the age was measured against (ISO 8601, UTC).
  returned: with O(older_than_minutes)
  type: str
  sample: "2026-12-07T16:52:36Z"
msg:
  description:
    - What the run did, in one line, naming the first few tasks cancelled (by name and GUID) and counting the
      others by why they were left; C(would cancel) in check mode. On failure, what failed.
  returned: always
  type: str
  sample: "canceled 2 of 3 tasks created before 2026-12-07T16:52:36Z (db-migrate 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f,
    db-migrate 7a3e4f5a-1b2c-4d3e-8f4a-5b6c7d8e9f01); 1 already CANCELING"
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
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import SelectionError, printable
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
        return "%s %s" % (printable(item.before.name), item.id) if item.before is not None and item.before.name \
            else str(item.id)

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
