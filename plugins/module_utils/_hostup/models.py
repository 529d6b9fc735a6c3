# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp cloud API v2: the forms of its IDs, its job types and states, and its payloads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field
from ansible_collections.jobctl.cloud.plugins.module_utils.options import id_problem

# The observed form of IDs: a prefix and 26 lowercase base32 characters (vps_01hxa3b4c5d6e7f8g9h0j1k2m3).
# HostUp shows it by example and never states it; IDs given by the user must match it, and so must
# IDs the API lists before they build a path.
VPS_ID = r"^vps_[0-9a-z]{26}$"
BACKUP_ID = r"^bkp_[0-9a-z]{26}$"
VPS_ID_EXAMPLE = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
BACKUP_ID_EXAMPLE = "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"

JOB_TYPES = ("backup", "restore")

# UNCONFIRMED: the schema of GET /vps/{id}/active-jobs is not documented and no public client of
# the API exists. These are the places the jobs list and each job's type and status are looked
# for; change them here. A list may also come bare, or one level down under "data" (as
# GET /vps/{id} wraps its object in "data").
ACTIVE_JOBS_LIST_KEYS = ("data", "jobs", "activeJobs")
ACTIVE_JOB_TYPE_KEYS = ("jobType", "type")
ACTIVE_JOB_STATUS_KEYS = ("status", "state")
# A job in one of these states has stopped, though the list may still show it.
FINISHED_STATES = frozenset(("cancelled", "canceled", "completed", "failed"))
# A job in one of these states is already on its way out: the cancel DELETE will not act on it.
STOPPING_STATES = FINISHED_STATES | frozenset(("cancelling", "canceling"))


class CancelResult(ApiModel):
    cancelled: bool
    reason: Optional[str] = None


class Backup(ApiModel):
    """One backup of ``GET /vps/{id}/backups``; only ``id`` is required (it builds paths).

    Confirmed (docs/api/hostup.md): ``createdAt`` and ``note`` may be null. Any value is kept as the
    API gave it: an unreadable ``createdAt`` is the retention's business (such a backup is never
    deleted by age), not a reason to refuse the whole list.
    """

    id: str
    created_at: Any = Field(None, alias="createdAt")
    backup_type: Any = Field(None, alias="backupType")
    note: Any = None


class BackupList(ApiModel):
    """``GET /vps/{id}/backups``: ``{backups, quotaInfo, actions}``.

    Confirmed (docs/api/hostup.md): ``quotaInfo.limit`` and ``.remaining`` may be null, and
    ``actions.canCreateBackup`` and ``actions.canRestore`` are objects ``{allowed, reason, code}``.
    Both objects are passed on as the API gives them.
    """

    backups: List[Backup]
    quota_info: Optional[Dict[str, Any]] = Field(None, alias="quotaInfo")
    actions: Optional[Dict[str, Any]] = None

    def quota_used(self):
        """``quotaInfo.used`` when it is a number, else None (null, missing, or anything else)."""
        used = (self.quota_info or {}).get("used")
        if isinstance(used, bool) or not isinstance(used, (int, float)):
            return None
        return used


class VpsPage(ApiModel):
    """One page of ``GET /vps``: the VPS objects as the API gives them, and the cursor to the next."""

    data: List[Dict[str, Any]]
    has_more: Optional[bool] = Field(None, alias="hasMore")
    next_cursor: Optional[str] = Field(None, alias="nextCursor")


def job_type_of(job):
    for key in ACTIVE_JOB_TYPE_KEYS:
        if isinstance(job.get(key), str):
            return job[key].lower()
    return None


def job_status_of(job):
    for key in ACTIVE_JOB_STATUS_KEYS:
        if isinstance(job.get(key), str):
            return job[key].lower()
    return None


def of_type(jobs, job_type):
    """The listed jobs of one type, whatever their state."""
    return [job for job in jobs if job_type_of(job) == job_type]


def cancellable(jobs, job_type):
    """The listed jobs of one type that a cancel would still act on (not already stopping)."""
    return [job for job in of_type(jobs, job_type) if job_status_of(job) not in STOPPING_STATES]


def unfinished(jobs, job_type):
    """The listed jobs of one type that have not stopped yet (running, or still cancelling)."""
    return [job for job in of_type(jobs, job_type) if job_status_of(job) not in FINISHED_STATES]


def active_jobs_from(data):
    """The list of jobs in an active-jobs answer, wherever the API put it; None if not found."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if isinstance(data, list):
        jobs = data
    elif isinstance(data, dict):
        jobs = next((data[k] for k in ACTIVE_JOBS_LIST_KEYS if isinstance(data.get(k), list)), None)
    else:
        jobs = None
    if jobs is None or not all(isinstance(job, dict) for job in jobs):
        return None
    return jobs


def vps_id_problem(vps_id):
    """Why an ID (given, or listed by the API) cannot name a VPS in a request path; None when it can."""
    return id_problem(vps_id, VPS_ID, VPS_ID_EXAMPLE)


def backup_id_problem(backup_id):
    """Why an ID (given, or listed by the API) cannot name a backup in a request path; None when it can."""
    return id_problem(backup_id, BACKUP_ID, BACKUP_ID_EXAMPLE)
