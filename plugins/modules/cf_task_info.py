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
  - With O(app_guid), lists the app's tasks (C(GET /v3/apps/{guid}/tasks)); an app that does not exist,
    or that the credentials cannot see, is a failure.
  - Otherwise lists every task the credentials can see (C(GET /v3/tasks)), filtered on the API's side.
  - Pages are read with the largest page size Cloud Controller allows (5000) and followed through
    C(pagination.next), so a listing takes as few round trips as the API allows.
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
      - Mutually exclusive with O(space_guids) and O(organization_guids) (an app is in one space).
    type: str
  names:
    description:
      - Only tasks with one of these names. An empty list does not filter.
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
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.cloudfoundry
  - jobctl.cloud.http_options
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
notes:
  - Cloud Foundry's list filters are comma-separated, so a name or GUID holding a comma is refused.
  - The tasks come in the API's order (creation order, oldest first).
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

- name: Read one task
  jobctl.cloud.cf_task_info:
    guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
  register: one
"""

RETURN = r"""
tasks:
  description:
    - The tasks the filters select, each as the API returns it. An empty list when none match.
  returned: success
  type: list
  elements: dict
  sample:
    - guid: 6f2d3c1e-8a1b-4f5e-9c2d-1a2b3c4d5e6f
      sequence_id: 3
      name: db-migrate
      command: bin/rake db:migrate
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
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.cloudfoundry import (
    STATES,
    CloudFoundryModule,
    is_cf_error,
)

# Cloud Controller's "the resource does not exist or you cannot see it"; a 404 for an unknown
# route (a wrong api_url) is CF-NotFound and stays a failure.
RESOURCE_NOT_FOUND = "10010"

LIST_FILTERS = ("names", "states", "space_guids", "organization_guids")


def main():
    module = CloudFoundryModule(
        dict(
            guid=dict(type="str"),
            app_guid=dict(type="str"),
            names=dict(type="list", elements="str"),
            states=dict(type="list", elements="str", choices=list(STATES)),
            space_guids=dict(type="list", elements="str"),
            organization_guids=dict(type="list", elements="str"),
            label_selector=dict(type="str"),
        ),
        mutually_exclusive=[("guid", other) for other in ("app_guid", "label_selector") + LIST_FILTERS]
        + [("app_guid", "space_guids"), ("app_guid", "organization_guids")],
    )
    p = module.params
    guid = module.guid("guid", p["guid"]) if p["guid"] is not None else None
    app_guid = module.guid("app_guid", p["app_guid"]) if p["app_guid"] is not None else None
    # An empty list is no filter: Cloud Controller would read "names=" as "no name matches".
    filters = dict((option, module.no_commas(option, p[option]) or None) for option in LIST_FILTERS)
    filters["label_selector"] = p["label_selector"] or None

    def run():
        cf = module.client
        if guid is not None:
            try:
                tasks = [cf.task(guid)]
            except ApiError as error:
                if error.status != 404 or not is_cf_error(error.problem, RESOURCE_NOT_FOUND):
                    raise
                tasks = []
        else:
            tasks = cf.tasks(app_guid, **filters)
        module.exit(tasks=[t.raw() for t in tasks])

    module.run(run)


if __name__ == "__main__":
    main()
