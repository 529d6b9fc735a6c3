# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The base of every payload model (pydantic v2, tolerant of fields the APIs add), and the payloads
the APIs share.

Imported only through models.py, the first time a model is asked for: importing this file imports
pydantic.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
from typing import Optional

PYDANTIC_IMPORT_ERROR = None
try:
    from pydantic import BaseModel, ConfigDict, Field
except ImportError:  # JobctlModule reports the missing library before any model is used (models.HAS_PYDANTIC).
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()
    BaseModel = object

    def ConfigDict(**kwargs):
        return kwargs

    def Field(*args, **kwargs):
        return None

__all__ = ["ApiModel", "Field", "TokenReply"]


class ApiModel(BaseModel):
    # extra="allow": an API that adds a field must not break a module; the field is kept and
    # returned, because results are the API's own objects.
    # defer_build: a model's validator is built when it first validates, so a run pays only for
    # the models it uses.
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    def raw(self):
        """The object with the API's own key spelling and every field it sent."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class TokenReply(ApiModel):
    """An OAuth 2.0 token endpoint's answer (UAA, Keycloak, BigChange): auth.OAuthToken reads it."""

    access_token: str
    token_type: Optional[str] = None
    expires_in: Optional[float] = None
