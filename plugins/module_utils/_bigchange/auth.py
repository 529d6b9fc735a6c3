# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""BigChange's credentials: an access token, or an API client (the client credentials grant at
``token_url``); every request also names the customer in ``Customer-Id``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import Credential, GivenToken, OAuthBearer, OAuthToken


class ApiClient(Credential):
    """A BigChange API client: one token per run, fetched on the first request, renewed only after a 401."""

    name = "an API client"
    options = ("client_id", "client_secret")

    def token(self, params, on_secret):
        return OAuthToken(params["token_url"], form={
            "grant_type": "client_credentials", "client_id": params["client_id"],
            "client_secret": params["client_secret"]}, on_secret=on_secret)


# Not exclusive: the environment may hold client credentials while a task passes a token, and
# fallbacks are applied before any check. The token simply wins.
CREDENTIALS = (GivenToken(), ApiClient())


def bearer(token):
    return OAuthBearer(token)
