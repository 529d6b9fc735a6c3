#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cf_task_info
short_description: List Cloud Foundry tasks
version_added: 0.1.0
description:
  - Lists Cloud Foundry tasks through the Cloud Controller v3 API, every page of them.
  - With O(guid), reads that one task (C(GET /v3/tasks/{guid})); a task that does not exist, or that the
    credentials cannot see, gives an empty list.
  - With O(app_guid) or O(app), lists the app's tasks (C(GET /v3/apps/{guid}/tasks)); an app that does not
    exist, or that the credentials cannot see, is a failure.
  - Otherwise lists every task the credentials can see (C(GET /v3/tasks)), filtered on the API's side.
  - Orgs, spaces and apps can be named as the cf CLI names them (O(org), O(space), O(app)). Each name
    costs one list request (C(GET /v3/organizations?names=), C(GET /v3/spaces?names=&organization_guids=),
    C(GET /v3/apps?names=&space_guids=)). A name that matches nothing fails naming it; an app name found
    in several spaces without O(space) (or a space name in several orgs without O(org)) fails listing them.
  - Pages are read with the largest page size Cloud Controller allows (5000) and followed through
    C(pagination.next), so a listing takes as few round trips as the API allows.
  - Each task carries the names of its app, space and org (RV(tasks[].app_name), RV(tasks[].space_name),
    RV(tasks[].org_name)). The run asks only for those it has not seen (apps, spaces and orgs found by name
    are known already); the others cost one C(GET /v3/apps?guids=&include=space.organization) per 100 apps.
  - M(jobctl.cloud.cf_task) takes the same selection and cancels what it lists, in one run.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  guid:
    description:
      - The GUID of one task.
      - Mutually exclusive with every other filter.
    type: str
  app_guid:
    description:
      - Only the tasks of this app.
      - Mutually exclusive with O(app), O(space), O(org), O(space_guids) and O(organization_guids) (an app is
        in one space).
    type: str
  app:
    description:
      - Only the tasks of the app with this name (case-insensitive, as Cloud Controller matches names).
      - When the name is used in several spaces the credentials can see, set O(space) (and O(org)).
      - Mutually exclusive with O(app_guid), O(space_guids) and O(organization_guids).
    type: str
  space:
    description:
      - Only the tasks of apps in the space with this name; with O(app), the space to find the app in.
      - When the name is used in several orgs the credentials can see, set O(org).
      - Mutually exclusive with O(space_guids) and O(organization_guids).
    type: str
  org:
    description:
      - Only the tasks of apps in the org with this name; with O(space) or O(app), the org to find them in.
      - Mutually exclusive with O(organization_guids).
    type: str
  names:
    description:
      - Only tasks with one of these names. An empty list does not filter.
      - Cloud Controller matches task names case-insensitively; the module checks them the same way.
    type: list
    elements: str
  states:
    description:
      - Only tasks in one of these states. An empty list does not filter.
    type: list
    elements: str
    choices: [PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED]
  space_guids:
    description:
      - Only tasks of apps in one of these spaces. An empty list does not filter.
    type: list
    elements: str
  organization_guids:
    description:
      - Only tasks of apps in one of these organizations. An empty list does not filter.
    type: list
    elements: str
  label_selector:
    description:
      - A Cloud Foundry label selector, passed to the API as it is, for example V(team=billing,kind!=migration).
      - See U(https://v3-apidocs.cloudfoundry.org/#labels-and-selectors) for its syntax.
    type: str
  older_than_minutes:
    description:
      - Only tasks created (C(created_at)) more than this many minutes ago, by the clock of the host that runs
        the module. The instant is fixed once, when the run starts, sent as C(created_ats[lt]) and returned as
        RV(created_before).
      - V(0) lists every task created before the run started.
    type: int
  order_by:
    description:
      - The order of the list, as Cloud Controller sorts it. A leading C(-) means newest first.
      - Not set, the API's default order applies (creation order, oldest first).
    type: str
    choices: [created_at, -created_at, updated_at, -updated_at]
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.cloudfoundry
  - jobctl.cloud.http_options
notes:
  - Cloud Foundry's list filters are comma-separated, so a name or GUID holding a comma is refused.
  - Every task the API lists is checked against every filter sent (app, space, org, names, states, age,
    O(label_selector) in its equality and existence forms). One that does not match (a server that ignores
    a filter, such as a proxy or an older Cloud Controller) is not returned, and a warning names it.
    The same read of the listed tasks' apps that names them checks a space or org filter. A
    O(label_selector) the module cannot read fails before any request.
seealso:
  - module: jobctl.cloud.cf_task
"""

EXAMPLES = r"""
- name: List the running and pending tasks of an app
  jobctl.cloud.cf_task_info:
    app_guid: 0d5a1c88-3f0e-4d4b-9a53-5b6c7d8e9f01
    states: [PENDING, RUNNING]
    api_url: https://api.sys.example.com
    username: "{{ cf_username }}"
    password: "{{ cf_password }}"
  register: app_tasks

- name: List the tasks of billing-api in acme/production, as cf tasks billing-api would, newest first
  jobctl.cloud.cf_task_info:
    org: acme
    space: production
    app: billing-api
    order_by: -created_at
  register: billing_tasks

- name: List the nightly batch tasks of two spaces by label
  jobctl.cloud.cf_task_info:
    space_guids:
      - 3c9f0a52-7b1d-4e8a-a0c4-2f6e8d9b1a73
      - 9a4e1f07-2c6b-4d1e-8f3a-5b7c9d0e2f14
    label_selector: kind=batch
  register: batch_tasks

- name: Show the name and state of each
  ansible.builtin.debug:
    msg: "{{ batch_tasks.tasks | map(attribute='name') | zip(batch_tasks.tasks | map(attribute='state')) | list }}"

- name: List the running tasks of acme/production started more than an hour ago, with their app names
  jobctl.cloud.cf_task_info:
    org: acme
    space: production
    states: [RUNNING]
    older_than_minutes: 60
  register: stuck

- name: Show each as app/name
  ansible.builtin.debug:
    msg: "{{ stuck.tasks | map(attribute='app_name') | zip(stuck.tasks | map(attribute='name')) | map('join', '/') | list }}"

- name: Read one task
  jobctl.cloud.cf_task_info:
    guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
  register: one
"""

RETURN = r"""
tasks:
  description:
    - The tasks the filters select, each as the API returns it, with the names of its app, space and org
      added. An empty list when none match.
  returned: success
  type: list
  elements: dict
  contains:
    app_name:
      description: The name of the task's app; null when the API did not show the app (for example, deleted since).
      type: str
    space_name:
      description: The name of the app's space; null when the API did not show it.
      type: str
    org_name:
      description: The name of the space's org; null when the API did not show it.
      type: str
  sample:
    - guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
      sequence_id: 3
      name: db-migrate
      command: bin/rake db:migrate
      user: vcap
      state: RUNNING
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
      updated_at: "2026-11-22T02:14:09Z"
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
      app_name: billing-api
      space_name: production
      org_name: acme
created_before:
  description:
    - With O(older_than_minutes), the instant the age was measured against (ISO 8601, UTC).
  returned: with O(older_than_minutes)
  type: str
  sample: "2026-12-07T16:52:36Z"
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.client import task_app
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import ORDER_BY
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.module import CloudFoundryModule
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.selection import EXCLUSIVE, SELECTION_SPEC, Selection


class CfTaskInfo(CloudFoundryModule):
    ARGUMENT_SPEC = dict(
        guid=dict(type="str"),
        order_by=dict(type="str", choices=list(ORDER_BY)),
        **SELECTION_SPEC
    )
    CONSTRAINTS = dict(mutually_exclusive=(
        [("guid", other) for other in ("order_by",) + tuple(SELECTION_SPEC)] + EXCLUSIVE
    ))

    def __init__(self):
        super(CfTaskInfo, self).__init__()
        p = self.params
        self.task_guid = self.guid("guid", p["guid"]) if p["guid"] is not None else None
        self.selection = Selection(self)
        self.place_names = {}

    def select(self):
        if self.task_guid is not None:
            task = self.client.find_task(self.task_guid)
            tasks = [task] if task is not None else []
        else:
            tasks = self.selection.tasks(self.client, order_by=self.params["order_by"])
            self.report_left_out()
        # The names of the tasks' apps, spaces and orgs: what this run has not seen yet, one request per page of apps.
        self.place_names = self.client.names([task_app(t) for t in tasks])
        return tasks

    def report(self, items):
        tasks = []
        for task in items:
            app, space, org = self.place_names.get(task_app(task)) or (None, None, None)
            tasks.append(dict(task.raw(), app_name=app, space_name=space, org_name=org))
        result = {"changed": False, "tasks": tasks}
        if self.selection.created_before is not None:
            result["created_before"] = self.selection.created_before
        return result


def main():
    CfTaskInfo().main()


if __name__ == "__main__":
    main()
