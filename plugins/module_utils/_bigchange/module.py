# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every BigChange module shares: its options, its credentials, its client, its input checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.auth import CREDENTIALS, bearer
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.client import BigChangeClient
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.models import BASE_PATH, DEFAULT_URL, is_not_found
from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule
from ansible_collections.jobctl.cloud.plugins.module_utils.models import parse_time
from ansible_collections.jobctl.cloud.plugins.module_utils.options import ApiSpec, env_fallback

# Confirmed (docs/api/bigchange.md, Confirmed: the public clients and BigChange's auth-proxy page).
DEFAULT_TOKEN_URL = "https://api.bigchange.com/auth/tokens"

API = ApiSpec(
    "BigChange API",
    dict(
        customer_id=dict(type="int", fallback=(env_fallback, ["BIGCHANGE_CUSTOMER_ID"])),
        api_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["BIGCHANGE_API_URL"])),
        # A URL, not a secret ("token" in the name makes sanity ask).
        token_url=dict(type="str", default=DEFAULT_TOKEN_URL, no_log=False,
                       fallback=(env_fallback, ["BIGCHANGE_TOKEN_URL"])),
        client_id=dict(type="str", fallback=(env_fallback, ["BIGCHANGE_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["BIGCHANGE_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["BIGCHANGE_ACCESS_TOKEN"])),
    ),
    url_options=("api_url", "token_url"),
    env_prefix="BIGCHANGE",
    header_secrets=("access_token",),
    needed=("customer_id",),
    base_path=BASE_PATH,
    example=DEFAULT_URL,
    added_paths=("/jobs",),
    not_found=is_not_found,
)


class BigChangeModule(JobctlModule):
    API = API
    CREDENTIALS = CREDENTIALS

    def make_client(self):
        http = self.http_client(self.params["api_url"], auth=bearer(self.token()),
                                headers={"Customer-Id": str(self.params["customer_id"])})
        return BigChangeClient(http)

    def job_id(self, option="job_id"):
        value = self.params[option]
        if value < 1:
            self.fail("%s must be a BigChange job ID (a whole number of at least 1), got %s" % (option, value))
        return value

    def job_ids(self, option="job_ids"):
        """The IDs of a list option, each once in the order given; every bad one named before any request."""
        values = self.params[option]
        bad = [str(v) for v in values if v < 1]
        if bad:
            self.fail("%s: not a BigChange job ID (a whole number of at least 1): %s" % (option, ", ".join(bad)))
        return self.ids(option, lambda name, value: value)


def date_time(value):
    """``value`` (an ISO 8601 date-time) as a datetime, for comparing two ends of a range; None when it is not one.

    A date alone is refused: the API filters by moments, and midnight of which time zone would be a guess.
    """
    if not isinstance(value, str) or "T" not in value.upper() or value != value.strip():
        return None
    # Only for comparing: a time without an offset is taken as UTC here and sent as it was given.
    return parse_time(value)
