#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vps_backup_retention
short_description: Apply a backup retention policy to many HostUp VPS at once
version_added: 0.1.0
description:
  - Deletes the backups of each VPS in O(vps_ids) that fall outside a retention policy, in one module run.
    It is the engine of the role C(jobctl.cloud.vps_backup_prune); use M(jobctl.cloud.vps_backup) to delete
    backups by ID.
  - Only backups whose C(backupType) is in O(backup_types) are considered; others are never touched.
  - A considered backup whose C(createdAt) is null or cannot be read has an unknown age and is never
    deleted; neither is one whose ID could not be used in a request path (see O(vps_ids) for the
    form IDs must have). Such backups are left alone, named in the result with the reason, and the
    policy applies to the other backups of that VPS as if they were not there.
  - Of the rest, the newest O(keep_last) are always kept. Of the others, a backup is deleted when it
    is older than O(older_than_days), or always when O(older_than_days) is not set.
  - Each VPS's backup list is read once. A VPS whose list failed to load, looks incomplete, or
    repeats an ID, has nothing deleted. A backup the API refuses to delete (HTTP 409, for example
    while a restore from it is running) is kept. In every such case the module goes on with the other
    VPS and backups, then fails at the end naming every VPS it could not prune, and why.
  - Lists are read and backups deleted concurrently, a few requests at a time.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_ids:
    description:
      - The public IDs of the VPS to prune, as the API returns them. Repeated IDs are handled once.
      - HostUp's IDs have always been seen as a prefix (C(vps_), C(bkp_)) followed by 26 lowercase
        base32 characters. HostUp shows this form only by example and never states it. An ID of
        O(vps_ids) of another form fails before any request; a backup listed with an ID of another
        form is left alone.
    type: list
    elements: str
    required: true
  keep_last:
    description:
      - How many of the newest considered (dated) backups of each VPS to keep whatever their age. At least 1.
      - At least one of O(keep_last) and O(older_than_days) must be set.
    type: int
  older_than_days:
    description:
      - Delete only backups older than this many days (beyond the newest O(keep_last)).
      - At least 1 (a fraction of a day is almost always a typo) and at most 36500; checked before any request.
      - Ages are measured from C(createdAt) against the clock of the host that runs the module.
    type: float
  backup_types:
    description:
      - Which backup types the policy applies to.
    type: list
    elements: str
    choices: [manual, scheduled]
    default: [manual, scheduled]
extends_documentation_fragment:
  - jobctl.cloud.attributes
  - jobctl.cloud.attributes.action_module
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.http_options
attributes:
  check_mode:
    details:
      - Reads every list and reports exactly what a real run would delete and leave alone; deletes nothing.
      - A refusal by the API (HTTP 409) cannot be foreseen from the list; the real run reports it.
  diff_mode:
    details: Shows, per VPS, the IDs of the considered backups before and after.
notes:
  - Deleting a backup cannot be undone. Run in check mode first.
  - A list is taken as incomplete when its C(quotaInfo.used) is a number and counts more backups
    than the list holds. A null C(quotaInfo.used) (or C(limit), C(remaining)) is not a reason to
    doubt the list.
  - Every backup left alone (no readable C(createdAt), an unusable ID) is also named in a warning.
  - >-
    A deletion whose answer was lost is settled by reading that VPS's backup list once: a backup no
    longer listed was deleted by this run (counted, with a warning); one still listed gets the
    C(DELETE) again. Only the documented answer (HTTP 204, no body) is taken as "deleted" on its
    face; any other success answer is settled the same way.
  - >-
    INVENTED: HostUp documents only 204 (deleted) and 404 (not found) for the C(DELETE), no answer
    for a backup that is in use. The module takes an HTTP 409 as such a refusal.
seealso:
  - module: jobctl.cloud.vps_backup
  - module: jobctl.cloud.vps_backup_info
"""

EXAMPLES = r"""
- name: Keep the 7 newest backups of each VPS and nothing older than 30 days beyond them
  jobctl.cloud.vps_backup_retention:
    vps_ids:
      - vps_01hxa3b4c5d6e7f8g9h0j1k2m3
      - vps_01hxa3b4c5d6e7f8g9h0j1k2m4
    keep_last: 7
    older_than_days: 30

- name: Check mode - which manual backups beyond the newest 2 would go
  jobctl.cloud.vps_backup_retention:
    vps_ids: "{{ vps_ids }}"
    keep_last: 2
    backup_types: [manual]
  check_mode: true
  register: preview
"""

RETURN = r"""
msg:
  description:
    - What the run did, in one line (in check mode, what a real run would do), naming the first few
      objects and counting the rest by reason; on failure, what went wrong.
  returned: always
  type: str
  sample: "deleted 3 backups of 2 VPS; 4 kept by the policy"
vps:
  description:
    - One entry per VPS, in the order of O(vps_ids).
  returned: always
  type: list
  elements: dict
  contains:
    vps_id:
      description: The VPS.
      type: str
    status:
      description:
        - V(pruned) when backups were deleted (would be, in check mode), V(unchanged) when none had to go,
          V(skipped) when nothing was deleted because the list could not be trusted,
          V(failed) when the list did not load, or a deletion failed or was refused.
      type: str
    reason:
      description: Why the VPS was skipped or failed; null otherwise.
      type: str
    kept:
      description: IDs of the dated, considered backups that the policy keeps, newest first.
      type: list
      elements: str
    deleted:
      description: IDs of the backups this run deleted (in check mode, would delete).
      type: list
      elements: str
    failed:
      description: IDs of the backups whose deletion failed (the error is in RV(vps[].reason)).
      type: list
      elements: str
    refused:
      description: The backups the API refused to delete (they are kept), each with the API's words.
      type: list
      elements: dict
      contains:
        id:
          description: The backup.
          type: str
        reason:
          description: The API's refusal.
          type: str
    left_alone:
      description:
        - Considered backups the policy never touches, each with the reason, such as a null or
          unreadable C(createdAt) (its age is unknown) or an ID that could not be used in a request path.
      type: list
      elements: dict
      contains:
        id:
          description: The backup, as listed.
          type: str
        reason:
          description: Why it was left alone.
          type: str
    ignored:
      description: How many backups were not considered because of their type.
      type: int
  sample:
    - vps_id: vps_01hxa3b4c5d6e7f8g9h0j1k2m3
      status: pruned
      reason: null
      kept: [bkp_01hxa3b4c5d6e7f8g9h0j1k2m3]
      deleted: [bkp_01hxa3b4c5d6e7f8g9h0j1k2m4]
      failed: []
      refused: []
      left_alone:
        - id: bkp_01hxa3b4c5d6e7f8g9h0j1k2m5
          reason: its createdAt is null, so its age is unknown
      ignored: 0
deleted_count:
  description: How many backups were deleted in all (in check mode, would be).
  returned: always
  type: int
  sample: 8
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import backup_id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import HostupModule
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.retention import plan_prune, policy_problem
from ansible_collections.jobctl.cloud.plugins.module_utils.base import Item, Results, first_few, plural
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.options import number_problem

# Few enough not to trip the API's rate limit on a large fleet, enough to hide latency.
MAX_PARALLEL = 6
MAX_DAYS = 36500


class Entry:
    """One VPS of the run: its backup list (an Item of the VPS), what the policy made of it, the deletions."""

    def __init__(self, vps):
        self.vps = vps
        self.status = "unchanged"
        self.reason = None
        self.kept = []
        self.left_alone = []
        self.ignored = 0
        self.deletions = []

    def fails(self, status, reason):
        self.status, self.reason = status, reason

    def shown(self):
        deleted = [d.id for d in self.deletions if d.changed]
        failed = [d.id for d in self.deletions if d.error is not None]
        refused = [{"id": d.id, "reason": d.reason} for d in self.deletions if d.error is None and d.failed]
        status = self.status
        if status == "unchanged" and deleted:
            status = "pruned"
        return dict(vps_id=self.vps.id, status=status, reason=self.reason, kept=list(self.kept), deleted=deleted,
                    failed=failed, refused=refused, left_alone=list(self.left_alone), ignored=self.ignored)

    def considered_after(self):
        """The considered backups of this VPS that are there after the run (in check mode: would be)."""
        return (self.kept + [d.id for d in self.deletions if d.failed] + [item["id"] for item in self.left_alone])

    def considered_before(self):
        return self.considered_after() + [d.id for d in self.deletions if not d.failed]


class VpsBackupRetention(HostupModule):
    CHANGE = "delete of backup"
    ARGUMENT_SPEC = dict(
        vps_ids=dict(type="list", elements="str", required=True),
        keep_last=dict(type="int"),
        older_than_days=dict(type="float"),
        backup_types=dict(type="list", elements="str", choices=["manual", "scheduled"],
                          default=["manual", "scheduled"]),
    )
    CONSTRAINTS = dict(required_one_of=[("keep_last", "older_than_days")])

    def __init__(self):
        super(VpsBackupRetention, self).__init__()
        p = self.params
        for problem in (number_problem("older_than_days", p["older_than_days"], high=MAX_DAYS),
                        policy_problem(p["keep_last"], p["older_than_days"])):
            if problem:
                self.fail(problem)
        self.vps = self.vps_ids()

    def select(self):
        """Each VPS's backup list, read concurrently; a list that fails to load is that VPS's failure only."""
        items = [Entry(Item(vps_id)) for vps_id in self.vps]
        self.client.read_backups([entry.vps for entry in items], parallel=MAX_PARALLEL)
        return items

    def decide(self, items):
        """Per VPS, the backups the policy deletes (in check mode: would delete)."""
        for entry in items:
            self.plan(entry)
        return items

    def plan(self, entry):
        p = self.params
        if entry.vps.error is not None:
            entry.fails("failed", "the backup list did not load: %s" % entry.vps.error.msg)
            return
        listing = entry.vps.before
        backups = [b.raw() for b in listing.backups]
        used = listing.quota_used()
        if used is not None and used > len(backups):
            entry.fails("skipped", "the backup list looks incomplete: it lists %d backups but quotaInfo.used says %s"
                        % (len(backups), used))
            return
        plan = plan_prune(backups, p["keep_last"], p["older_than_days"], p["backup_types"], id_problem=backup_id_problem)
        entry.kept, entry.ignored, entry.left_alone = plan.ids("keep"), len(plan.ignored), plan.left_alone_report()
        if plan.unsafe:
            entry.fails("skipped", plan.unsafe)
            return
        entry.deletions = [Item(backup_id, parent=entry.vps.id) for backup_id in plan.ids("delete")]
        if self.check_mode:
            for item in entry.deletions:
                item.predict()

    def act(self, items):
        """Delete what each VPS's plan says, concurrently; each deletion's outcome comes from the client."""
        self.client.delete_backups([d for entry in items for d in entry.deletions], parallel=MAX_PARALLEL)
        for entry in items:
            trouble = Results(entry.deletions)
            if trouble.failed:
                entry.fails("failed", "could not delete %d backup(s): %s" % (
                    len(trouble.failed), trouble.named(lambda d: "%s: %s" % (d.id, d.reason))))
        return items

    def report(self, items):
        deletions = [d for entry in items for d in entry.deletions]
        for warning in Results(deletions).warnings():
            self.warn(warning)
        for entry in items:
            if entry.left_alone:
                self.warn("%s: %d backup(s) left alone: %s" % (entry.vps.id, len(entry.left_alone), "; ".join(
                    "%s (%s)" % (item["id"], item["reason"]) for item in entry.left_alone)))
        shown = [entry.shown() for entry in items]
        deleted_count = sum(len(e["deleted"]) for e in shown)
        result = dict(changed=deleted_count > 0, vps=shown, deleted_count=deleted_count)
        result.update(self.diff(dict((e.vps.id, sorted(e.considered_before())) for e in items),
                                dict((e.vps.id, sorted(e.considered_after())) for e in items)))
        return result

    def summary(self, items):
        shown = [entry.shown() for entry in items]
        deleted = sum(len(e["deleted"]) for e in shown)
        if self.check_mode:
            deleted = sum(len([d for d in entry.deletions if d.changed]) for entry in items)
        text = "%s %s of %s" % ("would delete" if self.check_mode else "deleted", plural(deleted, "backup"),
                                plural(len(items), "VPS", "VPS"))
        kept = sum(len(e["kept"]) for e in shown)
        left = sum(len(e["left_alone"]) for e in shown)
        text += "; %d kept by the policy" % kept
        if left:
            text += "; %d left alone (see the warnings)" % left
        return text

    def failure(self, items):
        trouble = [e for e in items if e.status in ("failed", "skipped")]
        if not trouble:
            return None
        msg = "could not prune %d of %d VPS: %s" % (
            len(trouble), len(items), first_few(trouble, lambda e: "%s: %s" % (e.vps.id, e.reason)))
        # The first API error explains the rest; a list refused as untrustworthy has none.
        problems = [e.vps.problem for e in items if e.vps.problem is not None]
        problems += [d.problem for e in items for d in e.deletions if d.problem is not None]
        return msg, problems[0] if problems else ApiError(msg).problem


def main():
    VpsBackupRetention().main()


if __name__ == "__main__":
    main()
