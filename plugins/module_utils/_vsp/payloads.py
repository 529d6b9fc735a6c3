# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Hitachi VSP One Object management API: the payload models of its answers.

Imported by models.py the first time one of them is asked for: importing this file imports pydantic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel, Field


class JobId(ApiModel):
    id: int


class JobStatus(ApiModel):
    job_id: JobId = Field(..., alias="jobId")
    job_state: str = Field(..., alias="jobState")
    job_type: Optional[str] = Field(None, alias="jobType")
    bucket_name: Optional[str] = Field(None, alias="bucketName")
    # Passed through as the API gives them: epoch seconds (floats) in the vendor's samples, date-time
    # strings in the reference.
    start_time: Optional[Any] = Field(None, alias="startTime")
    complete_time: Optional[Any] = Field(None, alias="completeTime")


class StatusReply(ApiModel):
    status: JobStatus


class JobPage(ApiModel):
    # The vendor reads "jobs" with a default of []: an empty page may come without it.
    jobs: Optional[List[JobStatus]] = None
    page_token: Optional[str] = Field(None, alias="pageToken")
