#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_backup_info
short_description: List the backups of a HostUp VPS
version_added: 0.1.0
description:
  - Reads C(GET /vps/{id}/backups) once and returns the backups, the backup quota and the actions
    the API allows, each as the API gives them.
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options: {}
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.info_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.hostup.vps_id
  - jobctl.cloud.http_options
notes:
  - >-
    HostUp's endpoint pages show that a backup's C(createdAt) and C(note) may be null, that
    C(quotaInfo.limit) and C(quotaInfo.remaining) may be null, and that C(actions.canCreateBackup)
    and C(actions.canRestore) are objects C({allowed, reason, code}). The module returns all of them
    unchanged.
  - The list is not paginated (none is documented).
seealso:
  - module: jobctl.cloud.vps_backup
  - module: jobctl.cloud.vps_backup_retention
"""

EXAMPLES = r"""
- name: List the backups of a VPS
  jobctl.cloud.vps_backup_info:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
  register: listing

- name: Show the oldest dated scheduled backup
  ansible.builtin.debug:
    msg: >-
      {{ listing.backups | selectattr('backupType', 'equalto', 'scheduled')
         | rejectattr('createdAt', 'none') | sort(attribute='createdAt') | first }}

- name: Say why no backup can be created now
  ansible.builtin.debug:
    msg: "{{ listing.actions.canCreateBackup.reason }}"
  when: not listing.actions.canCreateBackup.allowed
"""

RETURN = r"""
backups:
  description:
    - The VPS's backups, each as the API returns it (in the API's order).
    - C(createdAt) and C(note) may be null.
  returned: success
  type: list
  elements: dict
  sample:
    - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m3
      displayId: web-1-2026-11-01-0300
      storageKey: vps/vps_01hxa3b4c5d6e7f8g9h0j1k2m3/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m3.qcow2
      createdAt: "2026-11-01T03:00:00.000Z"
      sizeGb: 18.4
      backupType: scheduled
      note: null
quota:
  description:
    - The backup quota, the API's C(quotaInfo) object; an empty dict when the API sent none.
    - C(limit) and C(remaining) may be null.
  returned: success
  type: dict
  sample:
    used: 4
    limit: 10
    remaining: 6
actions:
  description:
    - What the API allows on the VPS's backups now, the API's C(actions) object; an empty dict when
      the API sent none.
    - Each of C(canCreateBackup) and C(canRestore) is an object C({allowed, reason, code}).
  returned: success
  type: dict
  sample:
    canCreateBackup:
      allowed: false
      reason: A backup job is already active for this VPS.
      code: job_active
    canRestore:
      allowed: true
      reason: null
      code: null
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule


class VpsBackupInfo(HostupModule):
    ARGUMENT_SPEC = dict(vps_id=dict(type="str", required=True))

    def __init__(self):
        super(VpsBackupInfo, self).__init__()
        self.vps = self.vps_id()

    def select(self):
        return self.client.backups(self.vps)

    def report(self, items):
        listing = items  # one item: the VPS's backup list
        return dict(changed=False, backups=[b.raw() for b in listing.backups], quota=listing.quota_info or {},
                    actions=listing.actions or {})


def main():
    VpsBackupInfo().main()


if __name__ == "__main__":
    main()
