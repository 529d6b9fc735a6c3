#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_backup
short_description: Delete backups of a HostUp VPS
version_added: 0.1.0
description:
  - Deletes one or more backups of a HostUp VPS.
  - Reads the VPS's backup list once, then sends one C(DELETE /vps/{id}/backups/{backupId}) per
    requested backup that is present. A backup that is already gone is left out and reported
    unchanged, so a second run sends the read alone.
  - A list of backups is deleted concurrently, at most four at a time.
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_id:
    description:
      - The public ID of the VPS, as returned by the API (C(vps_) and 26 characters).
    type: str
    required: true
  backup_id:
    description:
      - The public ID of one backup (C(bkp_) and 26 characters).
      - Mutually exclusive with O(backup_ids).
    type: str
  backup_ids:
    description:
      - The public IDs of several backups of the same VPS.
      - Mutually exclusive with O(backup_id).
    type: list
    elements: str
  state:
    description:
      - V(absent) makes sure the backups no longer exist.
    type: str
    default: absent
    choices: [absent]
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
    details: Reads the backup list and reports what would be deleted; deletes nothing.
  diff_mode:
    support: full
    details: Shows the IDs of the requested backups that exist before and after.
notes:
  - Deleting a backup cannot be undone. Run in check mode first to see what would go.
  - When some deletions fail, the module fails after trying them all, and the result still says
    which were deleted.
"""

EXAMPLES = r"""
- name: Delete one backup
  jobctl.cloud.vps_backup:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
    backup_id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m3
    api_token: "{{ hostup_api_key }}"

- name: List the backups of a VPS
  jobctl.cloud.vps_backup_info:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
  register: listing

- name: Delete every manual backup of that VPS
  jobctl.cloud.vps_backup:
    vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
    backup_ids: "{{ listing.backups | selectattr('backupType', 'equalto', 'manual') | map(attribute='id') | list }}"
"""

RETURN = r"""
backups:
  description:
    - The requested backups that existed, as the API listed them before the deletion.
    - Requested backups that did not exist are left out.
  returned: success
  type: list
  elements: dict
  sample:
    - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m3
      displayId: 12
      storageKey: backups/vps_01hxa3b4c5d6e7f8g9h0j1k2m3/12
      createdAt: "2026-11-01T03:00:00.000Z"
      sizeGb: 18.4
      backupType: manual
      note: before upgrade
deleted:
  description:
    - IDs of the backups this run deleted (in check mode, would delete).
  returned: always
  type: list
  elements: str
  sample: [bkp_01hxa3b4c5d6e7f8g9h0j1k2m3]
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.jobctl.cloud.plugins.module_utils.hostup import HostupModule
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError

# Enough to hide round-trip latency on a list; few enough not to trip the API's rate limit.
MAX_PARALLEL = 4


def main():
    module = HostupModule(
        dict(
            vps_id=dict(type="str", required=True),
            backup_id=dict(type="str"),
            backup_ids=dict(type="list", elements="str"),
            state=dict(type="str", default="absent", choices=["absent"]),
        ),
        mutually_exclusive=[("backup_id", "backup_ids")],
        required_one_of=[("backup_id", "backup_ids")],
    )
    vps_id = module.vps_id()
    option = "backup_id" if module.params["backup_id"] is not None else "backup_ids"
    requested = [module.params["backup_id"]] if option == "backup_id" else module.params["backup_ids"]
    wanted = []
    for backup_id in requested:
        backup_id = module.backup_id(option, backup_id)
        if backup_id not in wanted:
            wanted.append(backup_id)
    hostup = module.client
    module.result["deleted"] = []

    def delete(backup_id):
        """Returns (deleted by this run, error or None)."""
        try:
            hostup.delete_backup(vps_id, backup_id)
            return True, None
        except ApiError as error:
            if error.status == 404:
                # Gone. After a retry the 404 most likely answers our own first, lost, success.
                return error.repeats > 0, None
            return False, error

    def run():
        listing = hostup.backups(vps_id)
        by_id = dict((b.id, b) for b in listing.backups)
        present = [by_id[b] for b in wanted if b in by_id]
        module.result["backups"] = [b.raw() for b in present]
        ids = [b.id for b in present]
        if module.check_mode:
            module.result.update(changed=bool(ids), deleted=ids)
            module.set_diff({"backups": ids}, {"backups": []})
            module.exit()
        with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(ids)))) as pool:
            outcomes = list(zip(ids, pool.map(delete, ids)))
        deleted = [b for b, (done, _error) in outcomes if done]
        failed = [(b, error) for b, (_done, error) in outcomes if error is not None]
        module.result.update(changed=bool(deleted), deleted=deleted)
        module.set_diff({"backups": ids}, {"backups": [b for b, _error in failed]})
        if failed:
            module.fail("could not delete %d of %d backups of %s: %s" % (
                len(failed), len(ids), vps_id, "; ".join("%s: %s" % (b, e.msg) for b, e in failed)),
                problem=failed[0][1].problem)
        module.exit()

    module.run(run)


if __name__ == "__main__":
    main()
