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
  - BigChange refuses to list jobs (HTTP 422) unless the request carries job IDs or a reference, or
    both ends of one date range; O(statuses), O(contact_id) and O(resource_id) alone are not enough.
    So a list needs O(job_ids), O(reference), or one complete range (O(created_from) and
    O(created_to), O(start_from) and O(start_to), or O(status_modified_from) and
    O(status_modified_to)); without one the module fails before any request, naming these options.
  - BigChange takes at most 50 values per filter in one request, so O(job_ids) is sent in batches of
    50 (C(id=1&id=2...)), every page of each batch read.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  job_id:
    description:
      - The BigChange job ID of one job to read.
      - Mutually exclusive with the list filters.
    type: int
  job_ids:
    description:
      - Only the jobs with these IDs (whole numbers of at least 1). Sent 50 a request.
      - An empty list selects nothing and sends nothing.
    type: list
    elements: int
  statuses:
    description:
      - Only jobs with one of these statuses.
      - V(lateStart), V(lateFinish) and V(rescheduled) are internal statuses that BigChange lists but does
        not describe; see M(jobctl.cloud.bigchange_job) for how this collection reads them.
      - An empty list selects nothing and sends nothing.
    type: list
    elements: str
    choices: [new, scheduled, unscheduled, sent, read, accepted, refused, onTheWay, started, suspended,
              completedOk, completedWithIssues, cancelled, lateStart, lateFinish, rescheduled]
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
  created_from:
    description:
      - With O(created_to), only jobs created in this range (both ends included), sent as C(createdAtFrom).
      - An ISO 8601 date and time, best with its offset, such as V(2026-12-01T00:00:00Z) or
        V(2026-12-01T08:00:00+01:00). How BigChange reads a time without an offset is B(unconfirmed).
    type: str
  created_to:
    description:
      - The end of the O(created_from) range, sent as C(createdAtTo).
    type: str
  start_from:
    description:
      - With O(start_to), only jobs starting in this range, sent as C(startAtFrom). Same form as O(created_from).
    type: str
  start_to:
    description:
      - The end of the O(start_from) range, sent as C(startAtTo).
    type: str
  status_modified_from:
    description:
      - With O(status_modified_to), only jobs whose status changed in this range, sent as
        C(statusModifiedAtFrom). Same form as O(created_from).
    type: str
  status_modified_to:
    description:
      - The end of the O(status_modified_from) range, sent as C(statusModifiedAtTo).
    type: str
  page_size:
    description:
      - How many jobs to ask for per page, 1 to 1000. Larger pages mean fewer requests.
    type: int
    default: 1000
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.bigchange
  - jobctl.cloud.http_options
notes:
  - >-
    The module checks every listed job again against the filters whose job field is known (C(id),
    C(status), C(contactId), C(resourceId), C(reference)), so a filter the API ignored can never widen
    the result. Date ranges are left to the API.
  - >-
    Each run sends one token request (none with O(access_token)), then one read with O(job_id), or one
    per page of the list (per page of each batch of 50 O(job_ids)).
  - >-
    Jobs are returned as BigChange sends them: fields documented as text may be null (C(reference),
    the comments), and times come both as C(...Z) and as C(...+00:00).
"""

EXAMPLES = r"""
- name: Read one job
  jobctl.cloud.bigchange_job_info:
    job_id: 480101
  register: one

- name: Show its status
  ansible.builtin.debug:
    msg: "{{ one.jobs[0].status if one.jobs else 'no such job' }}"

- name: The jobs of one engineer that start tomorrow and have not started yet
  jobctl.cloud.bigchange_job_info:
    resource_id: 51
    start_from: "2026-12-02T00:00:00Z"
    start_to: "2026-12-02T23:59:59Z"
    statuses: [scheduled, sent, read, accepted, onTheWay]
  register: tomorrow

- name: Cancel them in one run
  jobctl.cloud.bigchange_job:
    job_ids: "{{ tomorrow.jobs | map(attribute='id') | list }}"
    reason: Engineer off sick

- name: Read many jobs by ID (sent 50 IDs a request)
  jobctl.cloud.bigchange_job_info:
    job_ids: "{{ range(480001, 480121) | list }}"
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
      orderNumber: null
      status: scheduled
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
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.models import MAX_PAGE_SIZE, STATUSES
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.module import BigChangeModule, date_time
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import missing_as_none

# Option pairs, and the query parameters they are sent as.
RANGES = (("created_from", "created_to", "createdAtFrom", "createdAtTo"),
          ("start_from", "start_to", "startAtFrom", "startAtTo"),
          ("status_modified_from", "status_modified_to", "statusModifiedAtFrom", "statusModifiedAtTo"))
# Options sent as themselves: option -> query parameter.
FILTERS = (("statuses", "status"), ("contact_id", "contactId"), ("resource_id", "resourceId"), ("reference", "reference"))
LIST_OPTIONS = ("job_ids",) + tuple(option for option, dummy in FILTERS) + tuple(
    option for pair in RANGES for option in pair[:2])


class BigchangeJobInfo(BigChangeModule):
    ARGUMENT_SPEC = dict(
        job_id=dict(type="int"),
        job_ids=dict(type="list", elements="int"),
        statuses=dict(type="list", elements="str", choices=list(STATUSES)),
        contact_id=dict(type="int"),
        resource_id=dict(type="int"),
        reference=dict(type="str"),
        created_from=dict(type="str"),
        created_to=dict(type="str"),
        start_from=dict(type="str"),
        start_to=dict(type="str"),
        status_modified_from=dict(type="str"),
        status_modified_to=dict(type="str"),
        page_size=dict(type="int", default=MAX_PAGE_SIZE),
    )
    CONSTRAINTS = dict(mutually_exclusive=[("job_id", option) for option in LIST_OPTIONS])

    def __init__(self):
        super(BigchangeJobInfo, self).__init__()
        self.page_size = self.params["page_size"]
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            self.fail("page_size must be between 1 and %d, got %s" % (MAX_PAGE_SIZE, self.page_size))
        self.one = self.job_id() if self.params["job_id"] is not None else None
        if self.one is None:
            self.query, self.wanted = self.list_query()

    def list_query(self):
        """The GET /v1/jobs parameters, refused before any request where BigChange would refuse them."""
        p = self.params
        query = {}
        complete = False
        for low, high, low_param, high_param in RANGES:
            given = [option for option in (low, high) if p[option] is not None]
            if not given:
                continue
            if len(given) == 1:
                missing = high if given[0] == low else low
                self.fail("%s is set but %s is not: BigChange filters by a date range only with both ends"
                          % (given[0], missing))
            moments = []
            for option in (low, high):
                moment = date_time(p[option])
                if moment is None:
                    self.fail("%s must be an ISO 8601 date and time such as 2026-12-01T00:00:00Z, got %r"
                              % (option, p[option]))
                moments.append(moment)
            if moments[0] > moments[1]:
                self.fail("%s (%s) is later than %s (%s): the range holds nothing" % (low, p[low], high, p[high]))
            query[low_param], query[high_param] = p[low], p[high]
            complete = True
        ids = self.job_ids() if p["job_ids"] is not None else None
        if ids is None and p["reference"] is None and not complete:
            self.fail("listing BigChange jobs needs job_ids or reference, or both ends of one date range "
                      "(created_from and created_to, start_from and start_to, or status_modified_from and "
                      "status_modified_to): BigChange refuses a list without one (statuses, contact_id and "
                      "resource_id alone are not enough). To read one job, give job_id.")
        for option, param in FILTERS:
            value = p[option]
            if option == "statuses" and value is not None:
                value = list(dict.fromkeys(value))
            if value is not None:
                query[param] = value
        return query, ids

    def select(self):
        if self.one is not None:
            job = missing_as_none(self.client.job, self.one)
            return [job] if job is not None else []
        if self.wanted == [] or self.query.get("status") == []:
            # An empty list of IDs or statuses selects no job; sent, the API would read it as no filter.
            return []
        return self.client.jobs(self.query, self.wanted, self.page_size)

    def report(self, items):
        return {"changed": False, "jobs": items}


def main():
    BigchangeJobInfo().main()


if __name__ == "__main__":
    main()
