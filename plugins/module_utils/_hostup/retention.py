# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp backup retention: which backups of one VPS a prune may delete. Pure functions, no I/O.

This is the code that decides what data is destroyed, so it leaves alone whatever it cannot be
sure about:

* a backup whose ``createdAt`` is null or unreadable has an unknown age: it is never deleted, and
  the policy applies to the dated backups of the VPS as if it were not there;
* a backup whose ID could not be used in a request path (``id_problem``) is never deleted either;
* two backups with the same ID, or one without an ID, make the whole list untrustworthy: nothing
  on that VPS is deleted (``Plan.unsafe``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils.models import parse_time

DAY = timedelta(days=1)

# The youngest age limit a policy may set. A fraction of a day (or 0) is almost always a typo for a
# policy that then deletes every backup beyond keep_last, or every backup.
MIN_OLDER_THAN_DAYS = 1


def policy_problem(keep_last=None, older_than_days=None):
    """Why a policy is refused (it could delete more than anyone meant), or None when it is usable."""
    if keep_last is None and older_than_days is None:
        return "set keep_last, older_than_days or both: with neither, every backup would be deleted"
    if keep_last is not None and keep_last < 1:
        return "keep_last must be at least 1; to delete by age alone, leave keep_last unset"
    if older_than_days is not None and not older_than_days >= MIN_OLDER_THAN_DAYS:
        return ("older_than_days must be at least %d (day), got %s; to delete by count alone, leave "
                "older_than_days unset" % (MIN_OLDER_THAN_DAYS, older_than_days))
    return None


class Plan:
    """The outcome for one VPS: what to keep, what to delete, what to leave alone, or why nothing may be deleted."""

    def __init__(self, keep, delete, ignored, unsafe=None, left_alone=None):
        self.keep = keep                    # selected, dated backups that the policy keeps, newest first
        self.delete = delete                # selected, dated backups to delete, newest first
        self.ignored = ignored              # backups of types that were not selected
        self.unsafe = unsafe                # a reason to delete nothing, or None
        self.left_alone = left_alone or []  # (backup, reason): selected backups no policy may touch

    def ids(self, which):
        return [b["id"] for b in getattr(self, which)]

    def left_alone_report(self):
        """The backups left alone, as ``{"id", "reason"}`` dicts for a module result."""
        return [{"id": backup.get("id"), "reason": reason} for backup, reason in self.left_alone]


def plan_prune(backups, keep_last=None, older_than_days=None, backup_types=("manual", "scheduled"), now=None,
               id_problem=None):
    """Decide which of ``backups`` (the API's dicts) to delete.

    Only backups whose ``backupType`` is in ``backup_types`` are considered. Of those, a backup with
    an unusable ID (``id_problem(id)`` gives a reason) or without a readable ``createdAt`` is left
    alone; the policy applies to the rest: the newest ``keep_last`` are always kept, and of the
    others a backup is deleted when it is older than ``older_than_days`` (or always, when
    ``older_than_days`` is None). At least one of the two must be given.
    """
    problem = policy_problem(keep_last, older_than_days)
    if problem:
        raise ValueError(problem)
    now = now or datetime.fromtimestamp(clock.CLOCK.time(), timezone.utc)

    selected, ignored = [], []
    for backup in backups:
        (selected if backup.get("backupType") in backup_types else ignored).append(backup)

    ids = [b.get("id") for b in backups]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
        return Plan([], [], ignored, "the backup list has missing or repeated IDs", [])

    dated, left_alone, created = [], [], {}
    for backup in selected:
        bad_id = id_problem(backup["id"]) if id_problem is not None else None
        moment = parse_time(backup.get("createdAt"))
        if bad_id:
            left_alone.append((backup, "the backup ID %s" % bad_id))
        elif moment is None:
            left_alone.append((backup, "its createdAt is %s, so its age is unknown"
                               % ("null" if backup.get("createdAt") is None else "unreadable (%r)" % backup.get("createdAt"))))
        else:
            created[backup["id"]] = moment
            dated.append(backup)

    # Newest first; the ID breaks ties so the same list always gives the same plan.
    ordered = sorted(dated, key=lambda b: (created[b["id"]], b["id"]), reverse=True)
    protected = ordered[:keep_last] if keep_last is not None else []
    rest = ordered[len(protected):]
    if older_than_days is None:
        delete = rest
    else:
        cutoff = now - older_than_days * DAY
        delete = [b for b in rest if created[b["id"]] < cutoff]
    doomed = set(b["id"] for b in delete)
    keep = [b for b in ordered if b["id"] not in doomed]
    return Plan(keep, delete, ignored, None, left_alone)
