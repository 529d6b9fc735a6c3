# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every payload model: pydantic v2, tolerant of fields the APIs add."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from pydantic import BaseModel, ConfigDict, Field
except ImportError:  # JobctlModule reports the missing library before any model is used.
    BaseModel = object

    def ConfigDict(**kwargs):
        return kwargs

    def Field(*args, **kwargs):
        return None


__all__ = ["ApiModel", "Field"]


class ApiModel(BaseModel):
    # extra="allow": an API that adds a field must not break a module; the field is kept and
    # returned, because results are the API's own objects.
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def raw(self):
        """The object with the API's own key spelling and every field it sent."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")
