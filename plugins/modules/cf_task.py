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
  - Selects one task by O(guid), several by O(guids), or by app with O(app_guid) and either O(name)
    (every C(PENDING), C(RUNNING) or C(CANCELING) task of that name) or O(sequence_id) (the task with
    that number, whatever its state).
  - Reads the selected tasks first. A task that is C(PENDING) or C(RUNNING) is cancelled with
    C(POST /v3/tasks/{guid}/actions/cancel) and reported changed. A task that is C(CANCELING),
    C(SUCCEEDED) or C(FAILED) is left alone and reported unchanged, with its state in RV(tasks).
  - By O(guid), a run sends one read and at most one cancel (plus, when it logs in, one read of the
    root document and one token request).
  - A task that finishes between the read and the cancel (Cloud Controller answers HTTP 422
    C(CF-UnprocessableEntity)) is reported unchanged, not as a failure.
  - A task or app that does not exist, or that the credentials cannot see, is a failure with the
    API's C(CF-ResourceNotFound); nothing is cancelled then.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  guid:
    description:
      - The GUID of one task.
      - Mutually exclusive with O(guids) and O(app_guid).
    type: str
  guids:
    description:
      - The GUIDs of several tasks, for example from M(jobctl.cloud.cf_task_info).
      - Every task is read before any is cancelled, so one unknown GUID fails the run before anything changes.
      - An empty list selects nothing and sends no request.
      - Mutually exclusive with O(guid) and O(app_guid).
    type: list
    elements: str
  app_guid:
    description:
      - The GUID of the app whose tasks to cancel, together with O(name) or O(sequence_id).
      - Mutually exclusive with O(guid) and O(guids).
    type: str
  name:
    description:
      - With O(app_guid), select every task of the app with this name that is C(PENDING), C(RUNNING) or C(CANCELING).
      - Finished tasks of that name are not selected, so they do not appear in RV(tasks).
      - Mutually exclusive with O(sequence_id).
    type: str
  sequence_id:
    description:
      - With O(app_guid), select the app's task with this sequence number (C(cf tasks) shows it as C(id)).
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
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.cloudfoundry
  - jobctl.cloud.http_options
  - jobctl.cloud.wait
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: Reads the selected tasks and predicts which would be cancelled; sends no cancel.
  diff_mode:
    support: full
    details: Shows each selected task's GUID, name and state before and after (in check mode, the predicted C(CANCELING)).
notes:
  - Cloud Foundry moves a cancelled task to C(CANCELING) and, once the cancel is processed, to C(FAILED).
    With O(wait=true) the module polls C(GET /v3/tasks/{guid}) until every selected task is C(FAILED)
    or C(SUCCEEDED), including tasks that were already C(CANCELING) before the run.
  - Cloud Foundry documents the cancel as idempotent, so it is retried like a read. When a retried
    cancel is refused because the task has meanwhile become C(FAILED), the module reads the task
    once more and counts it as cancelled by this run.
  - Cloud Foundry's list filters are comma-separated, so a O(name) holding a comma is refused.
  - Cancelling requires the Space Developer role (or admin) in the task's space; a read-only role gets
    HTTP 403 C(CF-NotAuthorized).
"""

EXAMPLES = r"""
- name: Cancel one task
  jobctl.cloud.cf_task:
    guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
    api_url: https://api.sys.example.com
    username: "{{ cf_username }}"
    password: "{{ cf_password }}"

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
        space_guids: [3c9f0a52-7b1d-4e8a-a0c4-2f6e8d9b1a73]
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
    - In check mode, the tasks as they were read.
  returned: success
  type: list
  elements: dict
  sample:
    - guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
      sequence_id: 3
      name: db-migrate
      command: bin/rake db:migrate
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

from ansible_collections.jobctl.cloud.plugins.module_utils.base import wait_argument_spec
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.cloudfoundry import (
    ACTIVE_STATES,
    CANCELABLE_STATES,
    FINISHED_STATES,
    STATES,
    CloudFoundryModule,
)


def brief(tasks):
    return [{"guid": t.guid, "name": t.name, "state": t.state} for t in tasks]


def main():
    spec = dict(
        guid=dict(type="str"),
        guids=dict(type="list", elements="str"),
        app_guid=dict(type="str"),
        name=dict(type="str"),
        sequence_id=dict(type="int"),
        state=dict(type="str", default="canceled", choices=["canceled"]),
    )
    spec.update(wait_argument_spec())
    module = CloudFoundryModule(
        spec,
        mutually_exclusive=[("guid", "guids", "app_guid"), ("name", "sequence_id")],
        required_one_of=[("guid", "guids", "app_guid")],
        required_by={"name": "app_guid", "sequence_id": "app_guid"},
    )
    p = module.params
    module.result.update(tasks=[], canceled=[])
    app_guid, guids = None, []
    if p["app_guid"] is not None:
        app_guid = module.guid("app_guid", p["app_guid"])
        if p["name"] is None and p["sequence_id"] is None:
            module.fail("app_guid needs name or sequence_id to say which of the app's tasks to cancel")
        module.no_commas("name", [p["name"]] if p["name"] is not None else [])
    else:
        option = "guid" if p["guid"] is not None else "guids"
        for guid in [p["guid"]] if option == "guid" else p["guids"]:
            guid = module.guid(option, guid)
            if guid not in guids:
                guids.append(guid)

    def select(cf):
        if app_guid is None:
            return [cf.task(guid) for guid in guids]
        if p["sequence_id"] is not None:
            tasks = cf.tasks(app_guid, sequence_ids=[p["sequence_id"]])
            if not tasks:
                module.fail("app %s has no task with sequence_id %s" % (app_guid, p["sequence_id"]))
            return tasks
        return [t for t in cf.tasks(app_guid, names=[p["name"]], states=ACTIVE_STATES) if t.name == p["name"]]

    def run():
        if app_guid is None and not guids:
            module.exit()
        cf = module.client
        tasks = select(cf)
        unknown = [t for t in tasks if t.state not in STATES]
        if unknown:
            module.fail("task %s is in state %r, which this module does not know; nothing was cancelled"
                        % (unknown[0].guid, unknown[0].state), tasks=[t.raw() for t in tasks])
        to_cancel = [t for t in tasks if t.state in CANCELABLE_STATES]
        after = dict((t.guid, t) for t in tasks)
        failed = []
        if module.check_mode:
            canceled = [t.guid for t in to_cancel]
        else:
            canceled = []
            for task in to_cancel:
                try:
                    answer, retries = cf.cancel(task.guid)
                    if answer is None:
                        # Finished between our read and the cancel. After a retry, FAILED is most
                        # likely our own first cancel, whose answer was lost.
                        answer = cf.task(task.guid)
                        if retries and answer.state == "FAILED":
                            canceled.append(task.guid)
                    else:
                        canceled.append(task.guid)
                    after[task.guid] = answer
                except ApiError as error:
                    failed.append((task.guid, error))

        def report():
            shown = [after[t.guid] for t in tasks]
            module.result.update(changed=bool(canceled), canceled=canceled, tasks=[t.raw() for t in shown])
            now = brief(shown)
            if module.check_mode:
                now = [dict(b, state="CANCELING") if b["guid"] in canceled else b for b in now]
            module.set_diff({"tasks": brief(tasks)}, {"tasks": now})

        report()
        if failed:
            module.fail("could not cancel %d of %d tasks: %s" % (
                len(failed), len(to_cancel), "; ".join("%s: %s" % (guid, e.msg) for guid, e in failed)),
                problem=failed[0][1].problem)
        if p["wait"] and not module.check_mode:
            waiting = [t.guid for t in tasks if after[t.guid].state not in FINISHED_STATES]

            def stopped():
                for guid in list(waiting):
                    after[guid] = cf.task(guid)
                    if after[guid].state in FINISHED_STATES:
                        waiting.remove(guid)
                report()
                return not waiting, None

            if waiting:
                module.wait_for(stopped, "task%s %s to reach FAILED or SUCCEEDED"
                                % ("s" if len(waiting) > 1 else "", ", ".join(waiting)))
        module.exit()

    module.run(run)


if __name__ == "__main__":
    main()
