# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every HostUp module shares: its options, its credential, its client, its ID checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.auth import CREDENTIALS, bearer
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.client import HostupClient
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import (
    BACKUP_ID,
    BACKUP_ID_EXAMPLE,
    BASE_PATH,
    DEFAULT_URL,
    VPS_ID,
    VPS_ID_EXAMPLE,
    is_not_found,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule
from ansible_collections.jobctl.cloud.plugins.module_utils.options import ApiSpec, env_fallback

NAME = "HostUp API"

API = ApiSpec(
    NAME,
    dict(
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HOSTUP_API_KEY"])),
        api_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["HOSTUP_API_URL"])),
    ),
    env_prefix="HOSTUP",
    header_secrets=("api_token",),
    base_path=BASE_PATH,
    example=DEFAULT_URL,
    added_paths=("/vps",),
    not_found=is_not_found,
)


class HostupModule(JobctlModule):
    API = API
    CREDENTIALS = CREDENTIALS

    def make_client(self):
        return HostupClient(self.http_client(self.params["api_url"], auth=bearer(self.token())))

    def vps_id(self, option="vps_id", value=None):
        return self.check_id(option, self.params[option] if value is None else value, VPS_ID, VPS_ID_EXAMPLE)

    def backup_id(self, option, value):
        return self.check_id(option, value, BACKUP_ID, BACKUP_ID_EXAMPLE)

    def vps_ids(self, option="vps_ids"):
        """The IDs of a list option, each checked before any request, in order and without repeats."""
        return self.ids(option, self.vps_id)
