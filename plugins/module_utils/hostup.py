# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HostUp cloud API v2: options, payload models, the calls the modules make, and the rules that
decide each call's outcome (cancelled by us, already stopped, deleted, already gone, refused).

Outcome rules (docs/outcomes.md, "Per API"):

* ``DELETE /vps/{id}/active-jobs`` (cancel by type): ACTED on ``{"cancelled": true}``; ALREADY on
  ``{"cancelled": false}`` (nothing of that type running, the API's ``reason``). A lost answer is
  settled by ``GET /vps/{id}/active-jobs``: no job of that type left that a cancel would act on
  means the cancel is in place.
* ``DELETE /vps/{id}/backups/{backupId}``: ACTED on the documented 204; ALREADY on 404 (gone);
  REFUSED on 409 (INVENTED: a restore from it runs) and, without a request, for a listed ID that
  would not stay in its path segment. A lost answer, or any 2xx other than 204, is settled by
  ``GET /vps/{id}/backups``: a backup no longer listed is deleted.

Only when the read shows the work still to do is the request sent again (``HttpClient.mutate``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple
from typing import Any, Dict, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth
from ansible_collections.jobctl.cloud.plugins.module_utils.base import ApiSpec, JobctlModule, env_fallback, id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils.client import segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome
from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field

DEFAULT_URL = "https://cloud.hostup.se/api/v2"

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

# Deletions of backups run concurrently: enough to hide round-trip latency, few enough not to trip
# the API's rate limit.
MAX_PARALLEL_DELETES = 4

API = ApiSpec(
    "HostUp API",
    dict(
        api_token=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["HOSTUP_API_KEY"])),
        api_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["HOSTUP_API_URL"])),
    ),
    header_secrets=("api_token",),
)


class CancelResult(ApiModel):
    cancelled: bool
    reason: Optional[str] = None


class Backup(ApiModel):
    """One backup of ``GET /vps/{id}/backups``; only ``id`` is required (it builds paths).

    Confirmed since: ``createdAt`` and ``note`` may be null. Any value is kept as the API gave it: an
    unreadable ``createdAt`` is the retention's business (such a backup is never deleted by age),
    not a reason to refuse the whole list.
    """

    id: str
    created_at: Any = Field(None, alias="createdAt")
    backup_type: Any = Field(None, alias="backupType")
    note: Any = None


class BackupList(ApiModel):
    """``GET /vps/{id}/backups``: ``{backups, quotaInfo, actions}``.

    Confirmed since: ``quotaInfo.limit`` and ``.remaining`` may be null, and ``actions.canCreateBackup``
    and ``actions.canRestore`` are objects ``{allowed, reason, code}``. Both objects are passed on as
    the API gives them.
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


def backup_id_problem(backup_id):
    """Why an ID (given, or listed by the API) cannot name a backup in a request path; None when it can."""
    return id_problem(backup_id, BACKUP_ID, BACKUP_ID_EXAMPLE)


# One backup deletion of ``HostupClient.delete_backups``: its Outcome, or the ApiError that ended it.
Deletion = namedtuple("Deletion", "vps_id backup_id outcome error")


class HostupClient:
    def __init__(self, http):
        self.http = http

    # -- active jobs ---------------------------------------------------------------------------
    def active_jobs(self, vps_id):
        path = "/vps/%s/active-jobs" % segment(vps_id)
        reply = self.http.request("GET", path)
        jobs = active_jobs_from(reply.json())
        if jobs is None:
            raise self.http.error("GET", path, "the answer (HTTP %s) has an unexpected shape: no list of jobs under %s"
                                  % (reply.status, " or ".join(ACTIVE_JOBS_LIST_KEYS)), status=reply.status)
        return jobs

    def cancel_active_job(self, vps_id, job_type):
        """Cancel the VPS's running job of ``job_type``. Outcome.obj is the API's ``{cancelled, reason}``.

        ACTED: the API cancelled a job. ALREADY: it found none running (``reason`` is the API's). A
        lost answer is settled with GET active-jobs: no job of that type still running means the
        cancel is in place; one still running gets the DELETE again. (A repeated DELETE would answer
        "nothing to cancel", so it is never sent blind.)
        """
        path = "/vps/%s/active-jobs" % segment(vps_id)

        def send():
            answer = self.http.request("DELETE", path, body={"jobType": job_type}, ok=(200,)).model(CancelResult)
            if answer.cancelled:
                return Outcome(Outcome.ACTED, answer.raw())
            return Outcome(Outcome.ALREADY, answer.raw(), answer.reason)

        def read_back():
            if cancellable(self.active_jobs(vps_id), job_type):
                return None
            return Outcome(Outcome.ALREADY, {"cancelled": False, "reason": None},
                           "No active %s job was found to cancel." % job_type)

        outcome = self.http.mutate(send, read_back)
        if outcome.changed:
            outcome.obj = {"cancelled": True, "reason": None}
        return outcome

    # -- backups -------------------------------------------------------------------------------
    def backups(self, vps_id):
        return self.http.request("GET", "/vps/%s/backups" % segment(vps_id), ok=(200,)).model(BackupList)

    def delete_backup(self, vps_id, backup_id):
        """Delete one backup. ACTED: deleted by this request. ALREADY: it was gone (404). REFUSED: the API
        will not delete it now (409, e.g. a restore from it is running; ``error`` holds its words), or its
        ID would not stay in its path segment (nothing is sent).

        A lost answer is settled with the VPS's backup list: a backup no longer listed is deleted.
        """
        problem = backup_id_problem(backup_id)
        if problem:
            # An ID from the API that would not stay in its path segment is never sent.
            return Outcome(Outcome.REFUSED, reason="not deleted: the backup ID %s" % problem)
        path = "/vps/%s/backups/%s" % (segment(vps_id), segment(backup_id))

        def send():
            try:
                reply = self.http.request("DELETE", path, ok=(200, 202, 204))
            except ApiError as error:
                if error.status == 404:
                    return Outcome(Outcome.ALREADY, reason="already gone")
                if error.status == 409:
                    return Outcome(Outcome.REFUSED, reason=error.msg, error=error)
                raise
            if reply.status != 204:
                # Only the documented answer (204, no body) says "deleted" on its face. Any other 2xx
                # is an answer this client cannot read: settled by reading the list, like a lost one.
                raise self.http.error("DELETE", path, "the answer (HTTP %s) is not the documented 204 without a body"
                                      % reply.status, status=reply.status, retries=reply.retries, lost=True)
            return Outcome(Outcome.ACTED)

        def read_back():
            if any(b.id == backup_id for b in self.backups(vps_id).backups):
                return None
            return Outcome(Outcome.ALREADY, reason="already gone")

        return self.http.mutate(send, read_back)

    def delete_backups(self, targets, parallel=MAX_PARALLEL_DELETES):
        """Delete every ``(vps_id, backup_id)`` of ``targets``, at most ``parallel`` at a time.

        Returns one Deletion per target, in the order given. A deletion that failed does not stop the
        others: its ApiError is in ``error`` and its ``outcome`` is None.
        """
        def delete(target):
            try:
                return Deletion(target[0], target[1], self.delete_backup(*target), None)
            except ApiError as error:
                return Deletion(target[0], target[1], None, error)

        targets = list(targets)
        if not targets:
            return []
        # Imported here: the modules that never delete (vps_active_job, the _info modules) do not pay
        # for it at every run (about 1 ms of a module's start-up, measured in tests/bench).
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(targets)))) as pool:
            return list(pool.map(delete, targets))


class HostupModule(JobctlModule):
    API = API

    def make_client(self):
        return HostupClient(self.http_client(self.params["api_url"], auth=BearerAuth(self.params["api_token"])))

    def vps_id(self, option="vps_id", value=None):
        return self.check_id(option, self.params[option] if value is None else value, VPS_ID, VPS_ID_EXAMPLE)

    def backup_id(self, option, value):
        return self.check_id(option, value, BACKUP_ID, BACKUP_ID_EXAMPLE)

    def vps_ids(self, option="vps_ids"):
        """The IDs of a list option, each checked before any request, in order and without repeats."""
        ids = []
        for value in self.params[option] or []:
            value = self.vps_id(option, value)
            if value not in ids:
                ids.append(value)
        return ids
