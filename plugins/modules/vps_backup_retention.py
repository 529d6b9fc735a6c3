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
  - The newest O(keep_last) considered backups are always kept. Of the rest, a backup is deleted when
    it is older than O(older_than_days), or always when O(older_than_days) is not set.
  - Each VPS's backup list is read once. A VPS whose list failed to load, looks incomplete, has a
    backup without a readable C(createdAt), or repeats an ID, has nothing deleted; the module goes on
    with the other VPS and fails at the end naming every VPS it could not prune, and why.
  - Lists are read and backups deleted concurrently, a few requests at a time.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  vps_ids:
    description:
      - The public IDs of the VPS to prune (C(vps_) and 26 characters each).
    type: list
    elements: str
    required: true
  keep_last:
    description:
      - How many of the newest considered backups of each VPS to keep whatever their age. At least 1.
      - At least one of O(keep_last) and O(older_than_days) must be set.
    type: int
  older_than_days:
    description:
      - Delete only backups older than this many days (beyond the newest O(keep_last)).
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
  - ansible.builtin.action_common_attributes
  - jobctl.cloud.hostup
  - jobctl.cloud.http_options
attributes:
  platform:
    support: full
    platforms: posix
  check_mode:
    support: full
    details: Reads every list and reports exactly what a real run would delete; deletes nothing.
  diff_mode:
    support: full
    details: Shows, per VPS, the IDs of the considered backups before and after.
notes:
  - Deleting a backup cannot be undone. Run in check mode first.
  - A list is taken as incomplete when its C(quotaInfo.used) counts more backups than it lists.
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
          V(failed) when the list did not load or a deletion failed.
      type: str
    reason:
      description: Why the VPS was skipped or failed; null otherwise.
      type: str
    kept:
      description: IDs of the considered backups that stay, newest first.
      type: list
      elements: str
    deleted:
      description: IDs of the backups deleted (in check mode, that would be).
      type: list
      elements: str
    failed:
      description: IDs of the backups whose deletion failed.
      type: list
      elements: str
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
      ignored: 0
deleted_count:
  description: How many backups were deleted in all (in check mode, would be).
  returned: always
  type: int
  sample: 8
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.jobctl.cloud.plugins.module_utils.hostup import HostupModule
from ansible_collections.jobctl.cloud.plugins.module_utils.client import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.retention import plan_prune

# Few enough not to trip the API's rate limit on a large fleet, enough to hide latency.
MAX_PARALLEL = 6


def main():
    module = HostupModule(
        dict(
            vps_ids=dict(type="list", elements="str", required=True),
            keep_last=dict(type="int"),
            older_than_days=dict(type="float"),
            backup_types=dict(type="list", elements="str", choices=["manual", "scheduled"],
                              default=["manual", "scheduled"]),
        ),
        required_one_of=[("keep_last", "older_than_days")],
    )
    params = module.params
    if params["keep_last"] is not None and params["keep_last"] < 1:
        module.fail("keep_last must be at least 1; to delete by age alone, leave keep_last unset")
    if params["older_than_days"] is not None and params["older_than_days"] < 0:
        module.fail("older_than_days must be 0 or more")
    vps_ids = []
    for vps_id in params["vps_ids"]:
        vps_id = module.vps_id("vps_ids", vps_id)
        if vps_id not in vps_ids:
            vps_ids.append(vps_id)
    hostup = module.client

    problems = []

    def plan(vps_id):
        entry = dict(vps_id=vps_id, status="unchanged", reason=None, kept=[], deleted=[], failed=[], ignored=0)
        try:
            listing = hostup.backups(vps_id)
        except ApiError as error:
            problems.append(error.problem)
            entry.update(status="failed", reason="the backup list did not load: %s" % error.msg)
            return entry, []
        backups = [b.raw() for b in listing.backups]
        used = (listing.quota_info or {}).get("used")
        if isinstance(used, int) and used > len(backups):
            entry.update(status="skipped", reason="the backup list looks incomplete: it lists %d backups but "
                         "quotaInfo.used says %d" % (len(backups), used))
            return entry, []
        result = plan_prune(backups, params["keep_last"], params["older_than_days"], params["backup_types"])
        entry.update(kept=result.ids("keep"), ignored=len(result.ignored))
        if result.unsafe:
            entry.update(status="skipped", reason=result.unsafe)
            return entry, []
        return entry, result.ids("delete")

    def delete(job):
        vps_id, backup_id = job
        try:
            hostup.delete_backup(vps_id, backup_id)
            return True, None
        except ApiError as error:
            if error.status == 404:
                # Already gone; after a retry, most likely by our own first attempt.
                return error.repeats > 0, None
            problems.append(error.problem)
            return False, error.msg

    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(vps_ids)))) as pool:
        planned = list(pool.map(plan, vps_ids))
        jobs = [(entry["vps_id"], backup_id) for entry, doomed in planned for backup_id in doomed]
        if module.check_mode:
            outcomes = [(True, None)] * len(jobs)
        else:
            outcomes = list(pool.map(delete, jobs))

    by_vps = dict((entry["vps_id"], entry) for entry, _doomed in planned)
    errors = {}
    for (vps_id, backup_id), (done, error) in zip(jobs, outcomes):
        entry = by_vps[vps_id]
        if done:
            entry["deleted"].append(backup_id)
        if error:
            entry["failed"].append(backup_id)
            errors.setdefault(vps_id, []).append("%s: %s" % (backup_id, error))
    for entry, doomed in planned:
        if entry["failed"]:
            entry.update(status="failed", reason="could not delete %d of %d backups: %s"
                         % (len(entry["failed"]), len(doomed), "; ".join(errors[entry["vps_id"]])))
        elif entry["deleted"]:
            entry["status"] = "pruned"

    entries = [entry for entry, _doomed in planned]
    deleted_count = sum(len(e["deleted"]) for e in entries)
    module.result.update(changed=deleted_count > 0, vps=entries, deleted_count=deleted_count)
    module.set_diff(
        dict((e["vps_id"], sorted(e["kept"] + e["deleted"] + e["failed"])) for e in entries),
        dict((e["vps_id"], sorted(e["kept"] + e["failed"])) for e in entries))
    trouble = [e for e in entries if e["status"] in ("failed", "skipped")]
    if trouble:
        msg = "could not prune %d of %d VPS: %s" % (
            len(trouble), len(entries), "; ".join("%s: %s" % (e["vps_id"], e["reason"]) for e in trouble))
        # The first API error explains the rest; a list that was refused as untrustworthy has none.
        module.fail(msg, problem=problems[0] if problems else ApiError(msg).problem)
    module.exit()


if __name__ == "__main__":
    main()
