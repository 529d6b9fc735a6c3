# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Cloud Foundry Cloud Controller v3: the payload models of the answers the modules read.

Imported by models.py the first time one of them is asked for: importing this file imports pydantic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import List, Optional

from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel


class Link(ApiModel):
    href: str


class RootLinks(ApiModel):
    login: Optional[Link] = None
    uaa: Optional[Link] = None


class Root(ApiModel):
    links: RootLinks


class TaskResult(ApiModel):
    failure_reason: Optional[str] = None


class Task(ApiModel):
    guid: str
    state: str
    name: Optional[str] = None
    sequence_id: Optional[int] = None
    created_at: Optional[str] = None
    result: Optional[TaskResult] = None


class GuidRef(ApiModel):
    guid: str


class ToOne(ApiModel):
    data: Optional[GuidRef] = None


class Relationships(ApiModel):
    space: Optional[ToOne] = None
    organization: Optional[ToOne] = None


class Named(ApiModel):
    """An organization, space or app: what a lookup by name needs of it."""
    guid: str
    name: str
    relationships: Optional[Relationships] = None

    def parent(self, kind):
        """The GUID of the related ``space`` or ``organization``, or None."""
        one = getattr(self.relationships, kind, None) if self.relationships is not None else None
        return one.data.guid if one is not None and one.data is not None else None


class Pagination(ApiModel):
    total_results: Optional[int] = None
    next: Optional[Link] = None


class Included(ApiModel):
    spaces: List[Named] = []
    organizations: List[Named] = []


class TaskPage(ApiModel):
    pagination: Pagination
    resources: List[Task]


class NamedPage(ApiModel):
    pagination: Pagination
    resources: List[Named]
    included: Optional[Included] = None
