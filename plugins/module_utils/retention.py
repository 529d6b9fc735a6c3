# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup retention: which backups of one VPS a prune may delete. Pure functions, no I/O.

This is the code that decides what data is destroyed, so it refuses whenever it cannot be sure:
a backup with a missing or unreadable creation time, or two backups with the same ID, make the
whole VPS "unsafe" and nothing on it is deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timedelta, timezone

DAY = timedelta(days=1)


def parse_time(value):
    """An ISO 8601 timestamp as an aware datetime, or None when it cannot be read."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # The API documents UTC timestamps; one without an offset is read as UTC, not local time.
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


class Plan:
    """The outcome for one VPS: what to keep, what to delete, or why nothing may be deleted."""

    def __init__(self, keep, delete, ignored, unsafe=None):
        self.keep = keep          # selected backups that stay, newest first
        self.delete = delete      # selected backups to delete, newest first
        self.ignored = ignored    # backups of types that were not selected
        self.unsafe = unsafe      # a reason to delete nothing, or None

    def ids(self, which):
        return [b["id"] for b in getattr(self, which)]


def plan_prune(backups, keep_last=None, older_than_days=None, backup_types=("manual", "scheduled"), now=None):
    """Decide which of ``backups`` (the API's dicts) to delete.

    Only backups whose ``backupType`` is in ``backup_types`` are considered. The newest
    ``keep_last`` of them are always kept; of the rest, a backup is deleted when it is older than
    ``older_than_days`` (or always, when ``older_than_days`` is None). At least one of the two
    must be given.
    """
    if keep_last is None and older_than_days is None:
        raise ValueError("set keep_last, older_than_days or both: with neither, every backup would be deleted")
    if keep_last is not None and keep_last < 1:
        raise ValueError("keep_last must be at least 1; to delete by age alone, leave keep_last unset")
    if older_than_days is not None and older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    now = now or datetime.now(timezone.utc)

    selected, ignored = [], []
    for backup in backups:
        (selected if backup.get("backupType") in backup_types else ignored).append(backup)

    ids = [b.get("id") for b in backups]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
        return Plan([], [], ignored, "the backup list has missing or repeated IDs")
    created = {}
    for backup in selected:
        moment = parse_time(backup.get("createdAt"))
        if moment is None:
            return Plan(list(selected), [], ignored, "backup %s has no readable createdAt (%r), so the newest "
                        "cannot be told from the oldest" % (backup["id"], backup.get("createdAt")))
        created[backup["id"]] = moment

    # Newest first; the ID breaks ties so the same list always gives the same plan.
    ordered = sorted(selected, key=lambda b: (created[b["id"]], b["id"]), reverse=True)
    protected = ordered[:keep_last] if keep_last is not None else []
    rest = ordered[len(protected):]
    if older_than_days is None:
        delete = rest
    else:
        cutoff = now - older_than_days * DAY
        delete = [b for b in rest if created[b["id"]] < cutoff]
    doomed = set(b["id"] for b in delete)
    keep = [b for b in ordered if b["id"] not in doomed]
    return Plan(keep, delete, ignored)
