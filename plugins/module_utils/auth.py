# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the APIs authenticate: a bearer key, or a token from an OAuth 2.0 endpoint.

One token fetcher serves UAA (Cloud Foundry), Keycloak (VSP) and BigChange: it posts the grant as a
form, masks the token it gets, renews it shortly before ``expires_in`` runs out, and after a
refusal renews only when the refused token is still the current one (so concurrent requests
refused together fetch one new token, not one each).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from typing import Optional

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils.models import ApiModel

# A token this close to its end is renewed before use rather than sent and refused.
EXPIRY_MARGIN = 30


class Auth:
    """No authentication. ``headers`` may fetch credentials through the client (with auth=False)."""

    # The statuses after which ``renew`` is asked whether the request may be sent once more.
    renew_statuses = (401,)

    def headers(self, client):
        return {}

    def renew(self, client, reply, sent):
        """After ``reply`` refused a request sent with the headers ``sent``: True to send it once more."""
        return False


class BearerAuth(Auth):
    """A key given by the user, sent as ``Authorization: Bearer <key>``; it cannot be renewed."""

    def __init__(self, token, scheme="Bearer"):
        self.token = token
        self.scheme = scheme

    def headers(self, client):
        return {"Authorization": "%s %s" % (self.scheme, self.token)}


class TokenReply(ApiModel):
    access_token: str
    token_type: Optional[str] = None
    expires_in: Optional[float] = None


class OAuthToken:
    """A token from an OAuth 2.0 token endpoint, or one given by the user (``token``, never renewed).

    ``url`` is the endpoint, or a function of the client that finds it (Cloud Foundry's discovery).
    ``form`` and ``headers`` are the grant as the endpoint wants it. ``on_secret`` learns every token
    fetched, so the module can mask it.
    """

    def __init__(self, url=None, form=None, headers=None, token=None, on_secret=None):
        self.url = url
        self.form = form
        self.headers = headers
        self.token = token
        self.on_secret = on_secret or (lambda value: None)
        self.expires_at = None
        self.fetched = 0
        self._lock = threading.Lock()

    @property
    def renewable(self):
        return self.form is not None

    def current(self, client):
        """The token to send now: fetched on first use, and again when about to expire."""
        with self._lock:
            expired = self.expires_at is not None and clock.CLOCK.monotonic() >= self.expires_at
            if self.token is None or (expired and self.renewable):
                self._fetch(client)
            return self.token

    def renew(self, client, refused):
        """After the API refused the token ``refused``: True when a newer token is now current."""
        if not self.renewable:
            return False
        with self._lock:
            if self.token != refused:
                # Another request renewed it meanwhile: send again with that one.
                return True
            self._fetch(client)
            return True

    def _fetch(self, client):
        url = self.url(client) if callable(self.url) else self.url
        # A grant creates nothing but a token: repeating it after a lost answer is harmless.
        reply = client.request("POST", url, form=self.form, headers=self.headers, auth=False, repeat_safe=True,
                               ok=(200,))
        answer = reply.model(TokenReply)
        self.token = answer.access_token
        self.on_secret(self.token)
        self.fetched += 1
        if answer.expires_in:
            self.expires_at = clock.CLOCK.monotonic() + max(0.0, answer.expires_in - EXPIRY_MARGIN)


class OAuthBearer(Auth):
    """``Authorization: <scheme> <token>`` with the token from an OAuthToken, renewed after a 401."""

    def __init__(self, token, scheme="Bearer"):
        self.token = token
        self.scheme = scheme

    def headers(self, client):
        return {"Authorization": "%s %s" % (self.scheme, self.token.current(client))}

    def refused_token(self, sent):
        return (sent.get("Authorization") or "").partition(" ")[2]

    def should_renew(self, reply):
        """Whether this refusal means the token ran out (an API may answer 401 for other reasons too)."""
        return True

    def renew(self, client, reply, sent):
        return self.should_renew(reply) and self.token.renew(client, self.refused_token(sent))
