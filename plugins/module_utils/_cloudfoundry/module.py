# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every Cloud Foundry module shares: its options, its credentials, its client, its input checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.auth import CREDENTIALS, bearer
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.client import CloudFoundryClient
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import EXAMPLE_URL, is_not_found
from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import printable
from ansible_collections.jobctl.cloud.plugins.module_utils.options import ApiSpec, env_fallback

API = ApiSpec(
    "Cloud Foundry API",
    dict(
        api_url=dict(type="str", fallback=(env_fallback, ["CF_API_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["CF_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_PASSWORD"])),
        client_id=dict(type="str", fallback=(env_fallback, ["CF_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_CLIENT_SECRET"])),
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["CF_ACCESS_TOKEN"])),
    ),
    # The token goes into the Authorization header as it is; the password and the client secret
    # go into a form body, where any character can be encoded.
    env_prefix="CF",
    header_secrets=("access_token",),
    needed=("api_url",),
    example=EXAMPLE_URL,
    added_paths=("/v3", "/v2", "/v3/tasks"),
    not_found=is_not_found,
)


class CloudFoundryModule(JobctlModule):
    API = API
    CREDENTIALS = CREDENTIALS

    def make_client(self):
        return CloudFoundryClient(self.http_client(self.params["api_url"], auth=bearer(self.token())))

    def report_left_out(self):
        """A warning for each listed task that was not what was asked (a server that ignored a filter):
        it was left alone (docs/outcomes.md, "Per API")."""
        for task, why in self.client.left_out:
            self.warn("task %s (%s) was listed by the API but is not what was asked: %s; it was left alone "
                      "(the server may ignore a filter)" % (task.guid, printable(task.name), why))
        del self.client.left_out[:]

    # -- input checks, before any request ------------------------------------------------------
    def guid(self, option, value):
        return self.check_id(option, value)

    def no_commas(self, option, values):
        """Cloud Foundry list filters are comma-separated: a value with a comma would select something else."""
        for value in values or []:
            if "," in value:
                self.fail("%s '%s' holds a comma, which Cloud Foundry's comma-separated filter would split"
                          % (option, value))
        return values

    def name(self, option):
        """A name option (org, space, app, a task name): not empty, no comma; None when not set."""
        value = self.params.get(option)
        if value is None:
            return None
        if not value.strip():
            self.fail("%s must not be empty" % option)
        self.no_commas(option, [value])
        return value
