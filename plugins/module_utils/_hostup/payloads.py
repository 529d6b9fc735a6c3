# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp cloud API v2: the payload models of its answers.

Imported by models.py the first time one of them is asked for: importing this file imports pydantic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field


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
