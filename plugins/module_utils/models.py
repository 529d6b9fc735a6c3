# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The base of every payload model: pydantic v2, tolerant of fields the APIs add."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
from datetime import datetime, timezone

PYDANTIC_IMPORT_ERROR = None
try:
    from pydantic import BaseModel, ConfigDict, Field
except ImportError:  # JobctlModule reports the missing library before any model is used.
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()
    BaseModel = object

    def ConfigDict(**kwargs):
        return kwargs

    def Field(*args, **kwargs):
        return None


HAS_PYDANTIC = PYDANTIC_IMPORT_ERROR is None

__all__ = ["ApiModel", "Field", "HAS_PYDANTIC", "PYDANTIC_IMPORT_ERROR", "parse_time"]


class ApiModel(BaseModel):
    # extra="allow": an API that adds a field must not break a module; the field is kept and
    # returned, because results are the API's own objects.
    # defer_build: a model's validator is built when it first validates, so a run pays only for
    # the models it uses.
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    def raw(self):
        """The object with the API's own key spelling and every field it sent."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


def parse_time(value):
    """An ISO 8601 timestamp as an aware datetime, or None when it cannot be read.

    The APIs write UTC as ``Z`` or as ``+00:00``; a time without an offset is read as UTC, never as
    the controller's local time.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
