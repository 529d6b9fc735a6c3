# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every VSP One Object module shares: its options, its credentials, its client, its ID checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.auth import CREDENTIALS, DEFAULT_CLIENT_ID, VspAuth
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.client import VspClient
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import (
    BASE_PATH,
    EXAMPLE_URL,
    INT32_MAX,
    INT32_MIN,
    is_not_found,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule
from ansible_collections.jobctl.cloud.plugins.module_utils.options import ApiSpec, env_fallback

API = ApiSpec(
    "VSP One Object API",
    dict(
        api_url=dict(type="str", fallback=(env_fallback, ["VSP_API_URL"])),
        token_url=dict(type="str", no_log=False, fallback=(env_fallback, ["VSP_TOKEN_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["VSP_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_PASSWORD"])),
        client_id=dict(type="str", default=DEFAULT_CLIENT_ID, fallback=(env_fallback, ["VSP_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["VSP_ACCESS_TOKEN"])),
    ),
    url_options=("api_url", "token_url"),
    env_prefix="VSP",
    header_secrets=("access_token",),
    needed=("api_url",),
    base_path=BASE_PATH,
    example=EXAMPLE_URL,
    added_paths=("/v1", "/v1/jobs"),
    not_found=is_not_found,
)


class VspModule(JobctlModule):
    API = API
    CREDENTIALS = CREDENTIALS

    def make_client(self):
        auth = VspAuth(self.token(), on_secret=self.learn_secret, on_replaced=self.unmask)
        return VspClient(self.http_client(self.params["api_url"], auth=auth))

    def int32(self, option, value=None):
        """The option's value (or one of its list's), refused before any request unless it is a 32-bit integer."""
        if value is None:
            value = self.params[option]
        if value is not None and not INT32_MIN <= value <= INT32_MAX:
            self.fail("%s %s is out of range: the API's IDs are 32-bit integers (%d to %d)"
                      % (option, value, INT32_MIN, INT32_MAX))
        return value
