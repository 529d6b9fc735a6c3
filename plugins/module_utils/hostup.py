# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HostUp cloud API v2: options, payload models and the few calls the modules make."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback
from ansible_collections.jobctl.cloud.plugins.module_utils.client import BearerAuth, segment

from typing import Any, Dict, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field

DEFAULT_URL = "https://cloud.hostup.se/api/v2"

# IDs are a prefix and 26 lowercase base32 characters (vps_01hxa3b4c5d6e7f8g9h0j1k2m3).
VPS_ID = r"^vps_[0-9a-z]{26}$"
BACKUP_ID = r"^bkp_[0-9a-z]{26}$"
VPS_ID_EXAMPLE = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
BACKUP_ID_EXAMPLE = "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3"

JOB_TYPES = ("backup", "restore")

# UNCONFIRMED: the schema of GET /vps/{id}/active-jobs is not documented. These are the places
# the jobs list and each job's type and status have been seen or are likely; change them here.
ACTIVE_JOBS_LIST_KEYS = ("data", "jobs", "activeJobs")
ACTIVE_JOB_TYPE_KEYS = ("jobType", "type")
ACTIVE_JOB_STATUS_KEYS = ("status", "state")
# A job in one of these states is already on its way out: the cancel DELETE will not act on it.
STOPPING_STATES = frozenset(("cancelling", "canceling", "cancelled", "canceled", "completed", "failed"))

API = ApiSpec(
    "HostUp API",
    dict(
        api_token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["HOSTUP_API_KEY"])),
        api_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["HOSTUP_API_URL"])),
    ),
)


class CancelResult(ApiModel):
    cancelled: bool
    reason: Optional[str] = None


class Backup(ApiModel):
    id: str
    created_at: Optional[str] = Field(None, alias="createdAt")
    backup_type: Optional[str] = Field(None, alias="backupType")


class BackupList(ApiModel):
    backups: List[Backup]
    quota_info: Optional[Dict[str, Any]] = Field(None, alias="quotaInfo")


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


def active_jobs_from(data):
    """The list of jobs in an active-jobs answer, wherever the API put it; None if not found."""
    if isinstance(data, list):
        jobs = data
    elif isinstance(data, dict):
        jobs = next((data[k] for k in ACTIVE_JOBS_LIST_KEYS if isinstance(data.get(k), list)), None)
    else:
        jobs = None
    if jobs is None or not all(isinstance(job, dict) for job in jobs):
        return None
    return jobs


class HostupClient:
    def __init__(self, http):
        self.http = http

    def active_jobs(self, vps_id):
        path = "/vps/%s/active-jobs" % segment(vps_id)
        reply = self.http.request("GET", path)
        jobs = active_jobs_from(reply.json())
        if jobs is None:
            raise self.http.error("GET", path, "the answer (HTTP %s) has an unexpected shape: no list of jobs under %s"
                                  % (reply.status, " or ".join(ACTIVE_JOBS_LIST_KEYS)), status=reply.status)
        return jobs

    def cancel_active_job(self, vps_id, job_type):
        # Not repeat-safe: if a cancel went through and its answer was lost, a second DELETE would
        # answer "nothing to cancel" and the module would wrongly report no change.
        reply = self.http.request("DELETE", "/vps/%s/active-jobs" % segment(vps_id), body={"jobType": job_type},
                                  repeat_safe=False, ok=(200,))
        return reply.model(CancelResult)

    def backups(self, vps_id):
        return self.http.request("GET", "/vps/%s/backups" % segment(vps_id), ok=(200,)).model(BackupList)

    def delete_backup(self, vps_id, backup_id):
        self.http.request("DELETE", "/vps/%s/backups/%s" % (segment(vps_id), segment(backup_id)), ok=(200, 202, 204))


class HostupModule(JobctlModule):
    API = API

    def make_client(self):
        return HostupClient(self.http_client(self.params["api_url"], auth=BearerAuth(self.params["api_token"])))

    def vps_id(self, option="vps_id", value=None):
        return self.check_id(option, self.params[option] if value is None else value, VPS_ID, VPS_ID_EXAMPLE)

    def backup_id(self, option, value):
        return self.check_id(option, value, BACKUP_ID, BACKUP_ID_EXAMPLE)
