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
  - Reads the VPS's backup list once (C(GET /vps/{id}/backups)), then sends one
    C(DELETE /vps/{id}/backups/{backupId}) per requested backup that is listed. A backup that is
    already gone is left out and reported unchanged, so a second run sends the read alone.
  - An empty O(backup_ids) sends no request at all and reports no change.
  - A list of backups is deleted concurrently, at most four at a time.
  - A backup the API refuses to delete (HTTP 409, for example while a restore from it is running) is
    kept and listed in RV(refused) with the API's words; every other backup is still handled, and
    the module then fails naming each backup it could not delete.
  - A VPS that does not exist, or is not the caller's, is a failure.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  backup_id:
    description:
      - The public ID of one backup, as the API lists it.
      - HostUp's backup IDs have always been seen as C(bkp_) followed by 26 lowercase base32
        characters (HostUp shows this form only by example); an ID of another form fails before any
        request.
      - Mutually exclusive with O(backup_ids).
    type: str
  backup_ids:
    description:
      - The public IDs of several backups of the same VPS, each of the form described in O(backup_id).
      - Repeated IDs are handled once.
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
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.hostup.vps_id
  - jobctl.cloud.http_options
attributes:
  check_mode:
    details:
      - Reads the backup list and reports what a real run would delete; deletes nothing.
      - A refusal by the API (HTTP 409) cannot be foreseen from the list; the real run reports it.
  diff_mode:
    details: Shows the IDs of the requested backups that exist, before and after.
notes:
  - Deleting a backup cannot be undone. Run in check mode first to see what would go.
  - >-
    A deletion whose answer was lost is settled by reading the backup list once: a backup no longer
    listed was deleted by this run (it is in RV(deleted), with a warning); one still listed gets the
    C(DELETE) again. Only the documented answer (HTTP 204, no body) is taken as "deleted" on its face;
    any other success answer is settled the same way.
  - >-
    INVENTED: HostUp documents only 204 (deleted) and 404 (not found) for this C(DELETE), no answer
    for a backup that is in use. The module takes an HTTP 409 as such a refusal; any other error
    fails the deletion with the API's words.
  - When some deletions fail, the module fails after trying them all, and the result still says
    which were deleted.
seealso:
  - module: jobctl.cloud.vps_backup_info
  - module: jobctl.cloud.vps_backup_retention
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
msg:
  description:
    - What the run did, in one line (in check mode, what a real run would do), naming the first few
      objects and counting the rest by reason; on failure, what went wrong.
  returned: always
  type: str
  sample: "VPS vps_01hxa3b4c5d6e7f8g9h0j1k2m3: deleted 1 of 2 backups (bkp_01hxa3b4c5d6e7f8g9h0j1k2m4); 1 already gone"
backups:
  description:
    - The requested backups that existed, as the API listed them before the deletion.
    - Requested backups that did not exist are left out.
  returned: always
  type: list
  elements: dict
  sample:
    - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m3
      displayId: web-1-2026-11-01-0300
      storageKey: vps/vps_01hxa3b4c5d6e7f8g9h0j1k2m3/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m3.qcow2
      createdAt: "2026-11-01T03:00:00.000Z"
      sizeGb: 18.4
      backupType: manual
      note: before upgrade
already_absent:
  description:
    - The requested backups that were not there (not in the VPS's backup list, or gone when the delete
      arrived), in the order requested. Nothing was sent for them, and a warning names each one (an ID
      from another VPS or a typo looks the same as a backup deleted before).
  returned: when the backup list was read
  type: list
  elements: str
  sample: [bkp_01hxa3b4c5d6e7f8g9h0j1k2m5]
  version_added: 0.2.0
deleted:
  description:
    - IDs of the backups this run deleted (in check mode, would delete), in the order requested.
    - A backup that vanished between the list and its deletion (another run, a person) is not in it.
  returned: always
  type: list
  elements: str
  sample: [bkp_01hxa3b4c5d6e7f8g9h0j1k2m3]
refused:
  description:
    - The backups the API refused to delete (they are kept), each with the API's words.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The backup.
      type: str
    reason:
      description: The API's refusal, with its HTTP status, title, detail and request ID.
      type: str
  sample:
    - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m4
      reason: "HostUp API DELETE /api/v2/vps/vps_01hxa3b4c5d6e7f8g9h0j1k2m3/backups/bkp_01hxa3b4c5d6e7f8g9h0j1k2m4
        failed: HTTP 409 Conflict: The backup is being restored and cannot be deleted. [code conflict]"
errors:
  description:
    - The backups whose deletion failed for another reason (an error that outlasted the retries), each
      with the error.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The backup.
      type: str
    reason:
      description: The error, with the API's words when it gave any.
      type: str
  sample: []
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule
from ansible_collections.jobctl.cloud.plugins.module_utils.base import Item, Results
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome


class VpsBackup(HostupModule):
    CHANGE = "delete of backup"
    ARGUMENT_SPEC = dict(
        vps_id=dict(type="str", required=True),
        backup_id=dict(type="str"),
        backup_ids=dict(type="list", elements="str"),
        state=dict(type="str", default="absent", choices=["absent"]),
    )
    CONSTRAINTS = dict(mutually_exclusive=[("backup_id", "backup_ids")],
                       required_one_of=[("backup_id", "backup_ids")])

    def __init__(self):
        super(VpsBackup, self).__init__()
        self.vps = self.vps_id()
        if self.params["backup_id"] is not None:
            self.wanted = [self.backup_id("backup_id", self.params["backup_id"])]
        else:
            self.wanted = self.ids("backup_ids", self.backup_id)
        # The requested backups the VPS's list does not hold: nothing to delete, said in the result and a warning.
        self.absent = []

    def select(self):
        """The requested backups the VPS's list holds, in the order requested; nothing is read when nothing is."""
        if not self.wanted:
            return []
        by_id = dict((b.id, b) for b in self.client.backups(self.vps).backups)
        self.absent = [backup_id for backup_id in self.wanted if backup_id not in by_id]
        return [Item(backup_id, by_id[backup_id].raw(), parent=self.vps) for backup_id in self.wanted
                if backup_id in by_id]

    def decide(self, items):
        """Every requested backup that is listed goes; in check mode, that is what would be deleted."""
        if self.check_mode:
            for item in items:
                item.predict()
        return items

    def act(self, items):
        """Delete them concurrently; the client decides each outcome."""
        self.client.delete_backups(items)
        return items

    def report(self, items):
        results = Results(items)
        for warning in results.warnings():
            self.warn(warning)
        gone = [i.id for i in items if i.outcome is not None and i.outcome.kind == Outcome.ALREADY]
        for backup_id in self.absent:
            self.warn("backup %s is not among the backups of VPS %s: nothing to delete (it was deleted before, or "
                      "the ID is not one of this VPS's backups)" % (backup_id, self.vps))
        for backup_id in gone:
            self.warn("backup %s of VPS %s was gone when the delete arrived: nothing to delete" % (backup_id, self.vps))
        refused = [{"id": i.id, "reason": i.reason} for i in items if i.error is None and i.failed]
        errors = [{"id": i.id, "reason": i.reason} for i in items if i.error is not None]
        trouble = set(i.id for i in results.failed)
        present = [i.id for i in items]
        result = dict(changed=results.changed, backups=[i.before for i in items],
                      deleted=[i.id for i in results.acted], refused=refused, errors=errors,
                      already_absent=[b for b in self.wanted if b in self.absent or b in gone])
        result.update(self.diff({"backups": present},
                                {"backups": [] if self.check_mode else [b for b in present if b in trouble]}))
        return result

    def summary(self, items):
        return "VPS %s: %s" % (self.vps, Results(items).summary(
            ("deleted", "delete"), "backup", self.check_mode, why=lambda item: "already gone",
            also=[("already gone", len(self.absent))]))

    def failure(self, items):
        results = Results(items)
        if not results.failed:
            return None
        # Named in the order requested; the first API error explains the rest.
        msg = "could not delete %d of %d backups of %s: %s" % (
            len(results.failed), len(items), self.vps, results.named(lambda i: "%s: %s" % (i.id, i.reason)))
        return msg, results.problem or ApiError(msg).problem


def main():
    VpsBackup().main()


if __name__ == "__main__":
    main()
