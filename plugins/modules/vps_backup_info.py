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
  - Reads C(GET /vps/{id}/backups) once and returns the backups and the backup quota as the API gives them.
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_id:
    description:
      - The public ID of the VPS, as returned by the API (C(vps_) and 26 characters).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
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
"""

EXAMPLES = r"""
- name: List the backups of a VPS
  jobctl.cloud.vps_backup_info:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
  register: listing

- name: Show the oldest scheduled backup
  ansible.builtin.debug:
    msg: "{{ listing.backups | selectattr('backupType', 'equalto', 'scheduled') | sort(attribute='createdAt') | first }}"
"""

RETURN = r"""
backups:
  description:
    - The VPS's backups, each as the API returns it (newest first, as the API orders them).
  returned: success
  type: list
  elements: dict
  sample:
    - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m3
      displayId: 12
      storageKey: backups/vps_01hxa3b4c5d6e7f8g9h0j1k2m3/12
      createdAt: "2026-11-01T03:00:00.000Z"
      sizeGb: 18.4
      backupType: scheduled
      note: null
quota:
  description:
    - The backup quota, the API's C(quotaInfo) object.
  returned: success
  type: dict
  sample:
    used: 4
    limit: 10
    remaining: 6
"""

from ansible_collections.jobctl.cloud.plugins.module_utils.hostup import HostupModule


def main():
    module = HostupModule(dict(vps_id=dict(type="str", required=True)))
    vps_id = module.vps_id()

    def run():
        listing = module.client.backups(vps_id)
        module.exit(backups=[b.raw() for b in listing.backups], quota=listing.quota_info or {})

    module.run(run)


if __name__ == "__main__":
    main()
