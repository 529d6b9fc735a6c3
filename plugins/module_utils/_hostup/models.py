# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp cloud API v2: the forms of its IDs, its job types and states, and its payloads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils.errors import is_problem_details
from ansible_collections.jobctl.cloud.plugins.module_utils.options import id_problem

DEFAULT_URL = "https://cloud.hostup.se/api/v2"
BASE_PATH = "/api/v2"


def is_not_found(data):
    """HostUp says "no such VPS/backup" in Problem Details; a 404 in any other form is not the API's."""
    return is_problem_details(data)


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

# The payload models (payloads.py), imported the first time one is asked for, and pydantic with
# them: importing a module and checking its options never imports pydantic, nor does a run that
# reads no modelled answer.
PAYLOADS = ("CancelResult", "Backup", "BackupList", "VpsPage")


def __getattr__(name):
    if name in PAYLOADS:
        from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import payloads
        return getattr(payloads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


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
