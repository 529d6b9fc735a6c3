# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp cloud API v2: the calls the modules and the inventory make, and the rules that decide each
call's outcome (cancelled by us, already stopped, deleted, already gone, refused).

Outcome rules (docs/outcomes.md, "Per API"):

* ``DELETE /vps/{id}/active-jobs`` (cancel by type): ACTED on ``{"cancelled": true}``; ALREADY on
  ``{"cancelled": false}`` (nothing of that type running, the API's ``reason``). A lost answer (or
  any 2xx other than that 200, e.g. a 204) is settled by ``GET /vps/{id}/active-jobs``: no job of that type left that a cancel would act on
  means the cancel is in place.
* ``DELETE /vps/{id}/backups/{backupId}``: ACTED on the documented 204; ALREADY on 404 (gone);
  REFUSED on 409 (INVENTED: a restore from it runs) and, without a request, for a listed ID that
  would not stay in its path segment. A lost answer, or any 2xx other than 204, is settled by
  ``GET /vps/{id}/backups``: a backup no longer listed is deleted.

Only when the read shows the work still to do is the request sent again (``HttpClient.mutate``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import models
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import (
    ACTIVE_JOBS_LIST_KEYS,
    active_jobs_from,
    backup_id_problem,
    cancellable,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each, paginate, segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome

# Deletions of backups run concurrently: enough to hide round-trip latency, few enough not to trip
# the API's rate limit.
MAX_PARALLEL_DELETES = 4

# The API's largest page of GET /vps: fewer round trips for a big fleet.
VPS_PAGE_SIZE = 100
# A bound on the page loop, so a server that never says "no more" cannot keep a run going forever.
MAX_VPS_PAGES = 1000
# The most VPS one listing reads (the inventory's hosts, vps_info's list): pages of VPS_PAGE_SIZE, at most MAX_VPS_PAGES.
MAX_VPS = MAX_VPS_PAGES * VPS_PAGE_SIZE
# The filters of GET /vps: option name (the inventory's filters, vps_info's options) -> query parameter.
VPS_FILTERS = {"name": "name", "primary_ip": "primaryIp"}


class HostupClient:
    def __init__(self, http):
        self.http = http

    # -- VPS -----------------------------------------------------------------------------------
    def list_vps(self, filters=None, advice=None, max_items=MAX_VPS, fields=None):
        """Every VPS ``GET /vps`` lists for ``filters`` (its query parameters), page after page, as the API gives them.

        A page holding more VPS than asked for, or a list longer than ``max_items``, stops the reading at
        that page with an error naming the bound, rather than hold what the API keeps sending. ``fields``:
        only these keys of each VPS are kept, page by page. A VPS listed again (the list changed while it
        was being read) is given once.
        """
        read = {"pages": 0, "vps": 0}
        seen = set()

        def first_time(item):
            vps_id = item.get("id")
            if vps_id is None:
                return True
            key = vps_id if isinstance(vps_id, str) else repr(vps_id)
            if key in seen:
                return False
            seen.add(key)
            return True

        tail = ". " + advice if advice else ""

        def fetch(cursor):
            read["pages"] += 1
            params = dict(filters or {}, limit=VPS_PAGE_SIZE)
            if cursor is not None:
                # A query parameter, encoded by requests: a cursor never becomes part of a path.
                params["cursor"] = cursor
            page = self.http.request("GET", "/vps", params=params, ok=(200,)).model(models.VpsPage)
            if len(page.data) > VPS_PAGE_SIZE:
                raise self.http.error("GET", "/vps", "page %d holds %d VPS, more than the %d asked for: stopped reading "
                                      "(at most %d VPS are read)"
                                      % (read["pages"], len(page.data), VPS_PAGE_SIZE, max_items))
            more = page.has_more if page.has_more is not None else bool(page.next_cursor)
            if more and not page.next_cursor:
                raise self.http.error("GET", "/vps", "page %d says hasMore but gives no nextCursor: the rest of the "
                                      "list cannot be read" % read["pages"])
            read["vps"] += len(page.data)
            if read["vps"] > max_items or (more and read["vps"] >= max_items):
                raise self.http.error("GET", "/vps", "the API lists more than %d VPS, the most that are read: stopped "
                                      "after %d pages (%d VPS)%s" % (max_items, read["pages"], read["vps"], tail))
            items = [item if fields is None else {field: item.get(field) for field in fields}
                     for item in page.data if first_time(item)]
            return items, page.next_cursor if more else None

        return paginate(fetch, lambda text: self.http.error("GET", "/vps", text), "VPS", MAX_VPS_PAGES, advice)

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
            answer = self.http.request("DELETE", path, body={"jobType": job_type}, ok=(200,)).model(models.CancelResult)
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
        return self.http.request("GET", "/vps/%s/backups" % segment(vps_id), ok=(200,)).model(models.BackupList)

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
                # Any other 2xx is settled by a read, like a lost answer (HttpClient.request).
                self.http.request("DELETE", path, ok=(204,))
            except ApiError as error:
                if error.not_found:
                    return Outcome(Outcome.ALREADY, reason="already gone")
                if error.status == 409:
                    return Outcome(Outcome.REFUSED, reason=error.msg, error=error)
                raise
            return Outcome(Outcome.ACTED)

        def read_back():
            if any(b.id == backup_id for b in self.backups(vps_id).backups):
                return None
            return Outcome(Outcome.ALREADY, reason="already gone")

        return self.http.mutate(send, read_back)

    def delete_backups(self, items, parallel=MAX_PARALLEL_DELETES):
        """Delete the backup of every Item still to do (``id`` the backup, ``parent`` its VPS), at most
        ``parallel`` at a time. Each item gets its Outcome, or the ApiError that ended it: one failed
        deletion does not stop the others."""
        return each([item for item in items if item.todo],
                    lambda item: item.settle(self.delete_backup(item.parent, item.id)), parallel)

    def read_backups(self, items, parallel=MAX_PARALLEL_DELETES):
        """The backup list of every Item (``id`` a VPS) into its ``before``, at most ``parallel`` at a time;
        a list that failed to load leaves its ApiError in the item's ``error``."""
        def read(item):
            item.before = item.after = self.backups(item.id)

        return each(items, read, parallel)
