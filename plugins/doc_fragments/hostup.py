# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - 'A HostUp API key, sent as C(Authorization: Bearer <key>).'
      - Reads need the scope C(read:vm); cancelling jobs and deleting backups need C(backup:vm).
      - Required unless the E(HOSTUP_API_KEY) environment variable is set, whose value is used when the
        option is not; the module fails before any request naming both when neither is (a value of
        only whitespace counts as not set).
    type: str
  api_url:
    description:
      - The base URL of the HostUp cloud API v2.
      - If not set, the value of the E(HOSTUP_API_URL) environment variable is used, else the default.
    type: str
    default: https://cloud.hostup.se/api/v2
notes:
  - All modules of this API belong to the C(group/jobctl.cloud.hostup) action group, so credentials
    can be set once with C(module_defaults).
"""

    # The VPS a module acts on.
    VPS_ID = r"""
options:
  vps_id:
    description:
      - The public ID of the VPS, as the API returns it (C(GET /vps), or the C(jobctl.cloud.hostup)
        inventory's C(hostup_id) host variable).
      - HostUp's IDs have always been seen as C(vps_) followed by 26 lowercase base32 characters.
        HostUp shows this form only by example and never states it; an ID of another form fails
        before any request.
    type: str
    required: true
"""
