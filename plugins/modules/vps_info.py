#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_info
short_description: List the VPS of a HostUp account, to find their IDs
version_added: 0.1.0
description:
  - Reads C(GET /vps), every page of it (100 VPS a page), and returns each VPS's ID, name, primary IP
    address, power state and service status, in the order the API lists them.
  - O(name) and O(primary_ip) are sent to C(GET /vps) as its C(name) and C(primaryIp) query parameters,
    as the C(jobctl.cloud.hostup) inventory sends its C(filters); the API does the matching.
  - A filter is not an ID. A filter that matches no VPS is no failure; the result is an empty RV(vps) list.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  name:
    description:
      - Only the VPS the API lists for this name, sent as the C(name) query parameter of C(GET /vps).
      - How the API matches it (exactly, or as a part of the name; with or without regard to case) is
        B(unconfirmed) (the simulator the collection is tested against matches a case-insensitive part
        of the name). Compare RV(vps[].name) yourself where an exact name matters.
      - Not set, or empty, lists the VPS of every name.
    type: str
  primary_ip:
    description:
      - Only the VPS the API lists for this address, sent as the C(primaryIp) query parameter of C(GET /vps).
      - Not set, or empty, lists the VPS of every address.
    type: str
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.http_options
notes:
  - At most 100000 VPS are read (1000 pages of 100), the bound of the C(jobctl.cloud.hostup) inventory.
    A longer list, or a page with more VPS than the 100 asked for, fails the module naming the bound as
    soon as that page is read. An API that gives the same C(nextCursor) twice, or says C(hasMore)
    without a C(nextCursor), fails the module with a message saying so, rather than loop.
  - A VPS listed twice (the list changed while it was being read) is listed once.
seealso:
  - module: jobctl.cloud.vps_active_job_info
  - module: jobctl.cloud.vps_backup_info
  - plugin: jobctl.cloud.hostup
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: List every VPS of the account
  jobctl.cloud.vps_info:
  register: listing

- name: Show each VPS's ID by its name
  ansible.builtin.debug:
    msg: "{{ listing.vps | items2dict(key_name='name', value_name='id') }}"

- name: Find the VPS of an address
  jobctl.cloud.vps_info:
    primary_ip: 185.20.36.14
  register: by_address

- name: List the VPS whose name the API matches with web
  jobctl.cloud.vps_info:
    name: web
  register: web_listing

- name: Cancel the backup jobs of those that are named exactly web-1
  jobctl.cloud.vps_active_job:
    vps_id: "{{ item.id }}"
    job_type: backup
  loop: "{{ web_listing.vps | selectattr('name', 'equalto', 'web-1') | list }}"
"""

RETURN = r"""
vps:
  description:
    - The VPS the API lists for the filters, in the API's order; an empty list when none matches.
    - Each with the values of the API's fields C(id), C(name), C(primaryIp), C(powerState) and
      C(serviceStatus) as the API gives them (a field the API left out is V(null)).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The VPS's public ID (the C(vps_id) of the other HostUp modules).
      type: str
      sample: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
    name:
      description: The VPS's name.
      type: str
      sample: web-1
    primary_ip:
      description: The VPS's primary IP address, the API's C(primaryIp).
      type: str
      sample: 185.20.36.14
    power_state:
      description: The API's C(powerState).
      type: str
      sample: running
    service_status:
      description: The API's C(serviceStatus).
      type: str
      sample: active
  sample:
    - id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
      name: web-1
      primary_ip: 185.20.36.14
      power_state: running
      service_status: active
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.client import MAX_VPS, VPS_FILTERS
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule

# Result key -> the API's field of a VPS.
KEYS = (
    ("id", "id"),
    ("name", "name"),
    ("primary_ip", "primaryIp"),
    ("power_state", "powerState"),
    ("service_status", "serviceStatus"),
)
FIELDS = tuple(field for dummy, field in KEYS)


class VpsInfo(HostupModule):
    ARGUMENT_SPEC = dict(name=dict(type="str"), primary_ip=dict(type="str"))

    def __init__(self):
        super(VpsInfo, self).__init__()
        # Sent as the inventory sends its filters: an empty filter is no filter.
        self.filters = dict((VPS_FILTERS[option], self.params[option]) for option in sorted(VPS_FILTERS)
                            if self.params.get(option))

    def select(self):
        # A VPS listed twice (the list changed while it was read) comes once from list_vps.
        return self.client.list_vps(self.filters, advice="Narrow the listing with name or primary_ip",
                                    max_items=MAX_VPS, fields=FIELDS)

    def report(self, items):
        return {"changed": False, "vps": [dict((key, item.get(field)) for key, field in KEYS) for item in items]}


def main():
    VpsInfo().main()


if __name__ == "__main__":
    main()
