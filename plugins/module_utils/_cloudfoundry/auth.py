# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Cloud Foundry's credentials, and UAA as the cf CLI uses it.

Three kinds, in the order they win: an access token (sent as it is), a UAA client (client
credentials grant) and a user (password grant through the cf CLI's own public client ``cf``). The
token URL is found once per run in Cloud Controller's root document (``links.login``, else
``links.uaa``), and only Cloud Controller's "invalid token" 401 asks for a new token.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import threading

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import models
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import (
    INVALID_TOKEN_CODE,
    INVALID_TOKEN_TITLE,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import Credential, GivenToken, OAuthBearer, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import normalise
from ansible_collections.jobctl.cloud.plugins.module_utils.options import url_problem

# The cf CLI's own UAA client: public, so its secret is empty. The password grant goes through it
# (cloudfoundry/cli api/uaa/auth.go).
CF_CLI_CLIENT = "cf"


def password_grant(username, password):
    basic = base64.b64encode(("%s:" % CF_CLI_CLIENT).encode("utf-8")).decode("ascii")
    return ({"grant_type": "password", "username": username, "password": password},
            {"Authorization": "Basic %s" % basic})


def client_credentials_grant(client_id, client_secret):
    # As the cf CLI sends it: the client in the form body, not in an Authorization header.
    return ({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}, None)


class TokenEndpoint:
    """The UAA token URL, found once per run in the root document (``links.login``, else ``links.uaa``).

    The link comes from the network: it must be a plain http(s) URL (no user info, query or
    fragment), and https when api_url is, before any credential is sent to it.
    """

    def __init__(self):
        self.url = None
        self._lock = threading.Lock()

    def __call__(self, client):
        with self._lock:
            if self.url is None:
                self.url = self._discover(client)
            return self.url

    @staticmethod
    def _discover(client):
        root = client.request("GET", "/", auth=False, ok=(200,)).model(models.Root)
        name, link = ("login", root.links.login) if root.links.login is not None else ("uaa", root.links.uaa)
        if link is None:
            raise client.error("GET", "/", "the root document has no links.login or links.uaa URL to get a token "
                               "from: is api_url the Cloud Controller's URL (what 'cf api' shows)?")
        problem = url_problem(link.href)
        if problem is None and client.base_url.lower().startswith("https:") and \
                not link.href.lower().startswith("https:"):
            problem = "is http:// while api_url is https://: the credentials would cross the network unencrypted"
        if problem is not None:
            raise client.error("GET", "/", "the token URL the root document gives in links.%s %s (the URL is not "
                               "shown). No credential was sent to it; check that api_url is the Cloud Controller's "
                               "URL (what 'cf api' shows)." % (name, problem))
        return link.href.rstrip("/") + "/oauth/token"


class CloudControllerBearer(OAuthBearer):
    """``Authorization: bearer <token>``; only Cloud Controller's "invalid token" 401 asks for a new one.

    A 401 ``CF-NotAuthenticated`` (no or malformed credentials) would fail again with a new token.
    """

    def __init__(self, token):
        super(CloudControllerBearer, self).__init__(token, scheme="bearer")

    def should_renew(self, reply):
        problem = normalise(reply.status, reply.content, reply.headers)
        return reply.status == 401 and (problem.get("code") == INVALID_TOKEN_CODE
                                        or problem.get("title") == INVALID_TOKEN_TITLE)


class ClientCredentials(Credential):
    """A UAA client: its token from the client credentials grant."""

    name = "a UAA client"
    options = ("client_id", "client_secret")

    def token(self, params, on_secret):
        form, headers = client_credentials_grant(params["client_id"], params["client_secret"])
        return OAuthToken(TokenEndpoint(), form=form, headers=headers, on_secret=on_secret)


class Password(Credential):
    """A user: the password grant, as ``cf login`` sends it."""

    name = "a user"
    options = ("username", "password")

    def token(self, params, on_secret):
        form, headers = password_grant(params["username"], params["password"])
        return OAuthToken(TokenEndpoint(), form=form, headers=headers, on_secret=on_secret)


# One credential is used, the most explicit first: a given token, then a client, then a user.
CREDENTIALS = (GivenToken(), ClientCredentials(), Password())


def bearer(token):
    return CloudControllerBearer(token)
