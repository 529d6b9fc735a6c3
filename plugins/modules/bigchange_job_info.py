#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bigchange_job_info
short_description: Read one BigChange job, or list jobs
version_added: 0.1.0
description:
  - With O(job_id), reads that job (C(GET /v1/jobs/{jobId})). A job that does not exist, or that the
    customer cannot see, gives an empty list.
  - Without it, reads every page of C(GET /v1/jobs) (C(pageNumber), C(pageSize)) and returns the jobs
    the filters select. A page shorter than O(page_size) is the last one.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The BigChange job ID of one job to read.
      - Mutually exclusive with the list filters.
    type: int
  statuses:
    description:
      - Only jobs with one of these statuses.
    type: list
    elements: str
    choices: [new, scheduled, unscheduled, sent, read, accepted, refused, onTheWay, started, suspended,
              completedOk, completedWithIssues, cancelled]
  contact_id:
    description:
      - Only jobs for this contact (the customer the work is done for).
    type: int
  resource_id:
    description:
      - Only jobs allocated to this resource (the engineer or driver).
    type: int
  reference:
    description:
      - Only jobs with exactly this reference.
    type: str
  page_size:
    description:
      - How many jobs to ask for per page, 1 to 1000. Larger pages mean fewer requests.
    type: int
    default: 1000
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
    details: The module only reads.
  diff_mode:
    support: none
notes:
  - B(Unconfirmed:) the names of the list's filter parameters (C(status), C(contactId), C(resourceId),
    C(reference)) are not documented. The module sends them and also checks every listed job against
    the job's own C(status), C(contactId), C(resourceId) and C(reference) fields, so a filter the API
    does not know can never widen the result; it only makes the listing read more pages.
  - Each run sends one token request (none with O(access_token)), then one read with O(job_id), or one
    per page of the list.
"""

EXAMPLES = r"""
- name: Read one job
  jobctl.cloud.bigchange_job_info:
    job_id: 480101
  register: one

- name: Show its status
  ansible.builtin.debug:
    msg: "{{ one.jobs[0].status if one.jobs else 'no such job' }}"

- name: List the jobs of one engineer that have not started yet
  jobctl.cloud.bigchange_job_info:
    resource_id: 51
    statuses: [scheduled, sent, read, accepted, onTheWay]
  register: pending

- name: Cancel them
  jobctl.cloud.bigchange_job:
    job_id: "{{ item.id }}"
    reason: Engineer off sick
  loop: "{{ pending.jobs }}"
  loop_control:
    label: "{{ item.id }} {{ item.reference }}"
"""

RETURN = r"""
jobs:
  description:
    - The jobs, each as the API returns it with BigChange's own key names, in the order the API lists them.
    - An empty list when nothing matches, or when O(job_id) names a job that does not exist.
  returned: success
  type: list
  elements: dict
  sample:
    - id: 480101
      reference: BC-SERV-0101
      description: Annual boiler service
      typeId: 12
      typeName: Service
      contactId: 3001
      contactName: Harbour View Flats
      resourceId: 51
      resourceName: Sam Patel
      status: scheduled
      plannedStartAt: "2026-11-22T14:45:00.000Z"
      plannedEndAt: "2026-11-22T15:45:00.000Z"
      actualStartAt: null
      actualEndAt: null
      createdAt: "2026-11-19T11:45:00.000Z"
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.bigchange import (
    LIST_FILTERS,
    MAX_PAGE_SIZE,
    STATUSES,
    BigChangeModule,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError


def main():
    spec = dict(
        job_id=dict(type="int"),
        statuses=dict(type="list", elements="str", choices=list(STATUSES)),
        contact_id=dict(type="int"),
        resource_id=dict(type="int"),
        reference=dict(type="str"),
        page_size=dict(type="int", default=MAX_PAGE_SIZE),
    )
    module = BigChangeModule(spec, mutually_exclusive=[("job_id", option) for option in LIST_FILTERS])
    page_size = module.params["page_size"]
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        module.fail("page_size must be between 1 and %d, got %s" % (MAX_PAGE_SIZE, page_size))
    filters = dict((option, module.params[option]) for option in LIST_FILTERS if module.params[option] is not None)
    if filters.get("statuses") == []:
        # No status at all selects no job; the API would read an empty filter as no filter.
        module.exit(jobs=[])
    job_id = module.job_id() if module.params["job_id"] is not None else None
    bigchange = module.client

    def run():
        if job_id is None:
            module.exit(jobs=bigchange.jobs(filters, page_size))
        try:
            module.exit(jobs=[bigchange.job(job_id).raw()])
        except ApiError as error:
            if error.status != 404:
                raise
            module.exit(jobs=[])

    module.run(run)


if __name__ == "__main__":
    main()
