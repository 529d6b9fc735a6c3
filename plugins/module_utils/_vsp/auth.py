# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""VSP One Object's credentials (a Keycloak user, or an access token) and the CSRF session of
Vert.x-Web's CSRF handler, which every job call needs beside the token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import (
    CSRF_PATH,
    SESSION_COOKIE,
    XSRF_COOKIE,
    XSRF_HEADER,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import Auth, Credential, GivenToken, OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError
from ansible_collections.jobctl.cloud.plugins.module_utils.options import is_set

DEFAULT_CLIENT_ID = "vsp-object-external-client"


def current_xsrf(jar):
    """The XSRF-TOKEN cookie the next request carries (the most specific path first, as it is sent), or None."""
    found = [cookie for cookie in jar if cookie.name == XSRF_COOKIE and cookie.value]
    if not found:
        return None
    return max(found, key=lambda cookie: len(cookie.path or "")).value


class VspAuth(Auth):
    """The Keycloak Bearer token and the CSRF pair of Vert.x-Web's CSRF handler, as every job call needs them.

    ``token`` is an OAuthToken (a password grant, or the given ``access_token``). ``GET /v1/csrf``,
    sent without a Bearer token as the vendor's collection does, sets the ``XSRF-TOKEN`` and
    ``vertx-web.session`` cookies, which stay in the client's jar. Every job call sends the jar's
    *current* ``XSRF-TOKEN`` as ``X-XSRF-TOKEN``: the server may set a new one after each POST and
    refuse the old one. A call refused with 403 (a CSRF failure) or 401 fetches ``/csrf`` once more
    (after a 401 also a new Keycloak token, when the credentials allow) and is sent again: a refused
    call was not processed.
    """

    renew_statuses = (401, 403)

    def __init__(self, token, on_secret=None, on_replaced=None):
        self.token = token
        self.on_secret = on_secret or (lambda value: None)
        # A rotated XSRF token no longer passes the CSRF check: Ansible need not mask it in the result
        # any more (messages still are scrubbed of it). Without this, a server that rotates the token
        # after each POST makes Ansible's masking cost grow with the square of a bulk run's requests.
        self.on_replaced = on_replaced or (lambda value: None)
        self._xsrf = None
        self.csrf_fetched = 0
        self._known = set()
        self._lock = threading.Lock()

    def headers(self, client):
        bearer = self.token.current(client)
        with self._lock:
            xsrf = current_xsrf(client.cookies)
            if xsrf is None:
                xsrf = self._fetch_csrf(client)
        self._learn(xsrf)
        with self._lock:
            previous, self._xsrf = self._xsrf, xsrf
        if previous is not None and previous != xsrf:
            self.on_replaced(previous)
        return {"Authorization": "Bearer %s" % bearer, XSRF_HEADER: xsrf}

    def renew(self, client, reply, sent):
        try:
            if reply.status == 401:
                refused = (sent.get("Authorization") or "").partition(" ")[2]
                self.token.renew(client, refused)
            with self._lock:
                # A newer cookie than the one refused (another call's answer brought it) needs no fetch.
                if current_xsrf(client.cookies) == sent.get(XSRF_HEADER):
                    self._fetch_csrf(client)
        except ApiError as error:
            # The refused call was not processed, whatever became of the renewal.
            error.lost = False
            raise
        return True

    def _fetch_csrf(self, client):
        jar = client.cookies
        # A stale XSRF-TOKEN cookie must not be mistaken for the new one.
        for cookie in [c for c in jar if c.name == XSRF_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        client.request("GET", CSRF_PATH, auth=False, ok=(200, 204))
        xsrf = current_xsrf(jar)
        if xsrf is None:
            raise client.error("GET", CSRF_PATH, "the answer set no %s cookie, so no request can pass the API's "
                               "CSRF check" % XSRF_COOKIE)
        self.csrf_fetched += 1
        for cookie in jar:
            if cookie.name == SESSION_COOKIE:
                self._learn(cookie.value)
        return xsrf

    def _learn(self, value):
        if value and value not in self._known:
            self._known.add(value)
            self.on_secret(value)


class KeycloakUser(Credential):
    """A Keycloak user: the password grant at ``token_url``, through ``client_id`` (and its secret, if it has one)."""

    name = "a Keycloak user"
    options = ("token_url", "username", "password")

    def token(self, params, on_secret):
        form = {"grant_type": "password", "client_id": params["client_id"], "username": params["username"],
                "password": params["password"]}
        if is_set(params.get("client_secret")):
            form["client_secret"] = params["client_secret"]
        return OAuthToken(params["token_url"], form, on_secret=on_secret)


CREDENTIALS = (GivenToken(), KeycloakUser())
