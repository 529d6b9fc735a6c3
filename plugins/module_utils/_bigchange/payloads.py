# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""BigChange REST API v1: the payload models of its answers.

Imported by models.py the first time one of them is asked for: importing this file imports pydantic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field


class Job(ApiModel):
    # Live data carries null in strings documented as non-nullable, and both timestamp spellings
    # (...Z and ...+00:00): every field but the two a decision needs is optional, and times stay
    # the strings BigChange sent, so results are its own objects.
    id: int
    status: str
    reference: Optional[str] = None
    description: Optional[str] = None
    type_name: Optional[str] = Field(None, alias="typeName")
    contact_name: Optional[str] = Field(None, alias="contactName")
    # Confirmed: live jobs carry these five (the public client Ecaco/BigChangePythonAPI requires them);
    # typed as it types them, optional so an answer without them validates too. An unset default is
    # not dumped by raw(), so results hold exactly what BigChange sent.
    contact_address: Optional[str] = Field(None, alias="contactAddress")
    planned_duration: Optional[int] = Field(None, alias="plannedDuration")
    is_confirmed: Optional[bool] = Field(None, alias="isConfirmed")
    is_financially_complete: Optional[bool] = Field(None, alias="isFinanciallyComplete")
    is_actioned: Optional[bool] = Field(None, alias="isActioned")
    resource_name: Optional[str] = Field(None, alias="resourceName")
    internal_comment: Optional[str] = Field(None, alias="internalComment")
    resources_comment: Optional[str] = Field(None, alias="resourcesComment")
    contact_comment: Optional[str] = Field(None, alias="contactComment")
    office_notes: Optional[str] = Field(None, alias="officeNotes")
    planned_start_at: Optional[str] = Field(None, alias="plannedStartAt")
    planned_end_at: Optional[str] = Field(None, alias="plannedEndAt")
    actual_start_at: Optional[str] = Field(None, alias="actualStartAt")
    actual_end_at: Optional[str] = Field(None, alias="actualEndAt")
    created_at: Optional[str] = Field(None, alias="createdAt")
    status_modified_at: Optional[str] = Field(None, alias="statusModifiedAt")


class JobPage(ApiModel):
    items: List[Job]
    page_number: Optional[int] = Field(None, alias="pageNumber")
    page_size: Optional[int] = Field(None, alias="pageSize")
    page_item_count: Optional[int] = Field(None, alias="pageItemCount")
