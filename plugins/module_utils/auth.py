# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""How the APIs authenticate: the kinds of credential a user gives, and the tokens sent with requests.

Each API lists the kinds of credential it takes (``Credential`` subclasses, in its ``auth.py``), in
the order they win: an access token over a client, a client over a user. A module picks one before
any request (``choose_credential``); a credential that is missing or half given fails then, naming
each missing option and the environment variable that can give it.

One token fetcher serves UAA (Cloud Foundry), Keycloak (VSP) and BigChange: it posts the grant as a
form, masks the token it gets, renews it shortly before ``expires_in`` runs out (30 seconds before, or a
tenth of its lifetime before when that is less), and after a
refusal renews only when the refused token is still the current one (so concurrent requests
refused together fetch one new token, not one each).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.jobctl.cloud.plugins.module_utils import clock, models
from ansible_collections.jobctl.cloud.plugins.module_utils.options import env_names, is_set

# A token this close to its end is renewed before use rather than sent and refused: 30 seconds, but
# never more than a tenth of the token's lifetime, so a token that lives 30 seconds or less is still
# used for most of its life (fetched once per lifetime, not once per request).
EXPIRY_MARGIN = 30
EXPIRY_MARGIN_SHARE = 0.1


def expiry_margin(lifetime):
    """Seconds before the end of a token living ``lifetime`` seconds at which it is renewed."""
    return min(EXPIRY_MARGIN, lifetime * EXPIRY_MARGIN_SHARE)


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


class OAuthToken:
    """A token from an OAuth 2.0 token endpoint, or one given by the user (``token``, never renewed).

    ``url`` is the endpoint, or a function of the client that finds it (Cloud Foundry's discovery).
    ``form`` and ``headers`` are the grant as the endpoint wants it. ``on_secret`` learns every token
    fetched, so the module can mask it.
    """

    def __init__(self, url=None, form=None, headers=None, token=None, on_secret=None, url_option=None):
        self.url = url
        # The option that gives the endpoint, named when it moved (a redirect); a discovered one has none.
        self.url_option = url_option if url_option is not None else (None if callable(url) else "token_url")
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
                               ok=(200,), url_option=self.url_option)
        answer = reply.model(models.TokenReply)
        self.token = answer.access_token
        self.on_secret(self.token)
        self.fetched += 1
        if answer.expires_in:
            lifetime = max(0.0, answer.expires_in)
            self.expires_at = clock.CLOCK.monotonic() + lifetime - expiry_margin(lifetime)


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


# -- the kinds of credential -------------------------------------------------------------------

class Credential:
    """One kind of credential (community.hashi_vault's auth methods): its options and the token it gives.

    ``options`` must all be set for this kind to be used. ``token(params, on_secret)`` makes the
    OAuthToken of a run: one given as it is, or one a grant fetches (``on_secret`` learns each
    fetched token, so the module can mask it). The API wraps it in the Auth its requests need.
    """

    name = None
    options = ()

    def given(self, params):
        return [option for option in self.options if is_set(params.get(option))]

    def token(self, params, on_secret):
        raise NotImplementedError


class GivenToken(Credential):
    """A token the user already has (an access token, an API key): sent as it is, never renewed."""

    def __init__(self, option="access_token", name="an access token"):
        self.options = (option,)
        self.name = name

    def token(self, params, on_secret):
        return OAuthToken(token=params[self.options[0]])


def _and(words):
    words = list(words)
    return words[0] if len(words) == 1 else "%s and %s" % (", ".join(words[:-1]), words[-1])


def choose_credential(kinds, params, spec):
    """``(kind, None)``: the kind of credential a run uses; else ``(None, why)``, before any request.

    ``kinds`` are in the order they win. The first kind given at all decides: complete, it is used;
    given in part (a user without a password), the run fails naming each missing option and the
    environment variable of its spec. A kind later in the order given in part beside a complete one
    is not looked at. With no kind given at all, the message names every kind.
    """
    def where(options):
        variables = [name for option in options for name in env_names(spec[option])[:1]]
        return "%s (or the environment variable%s %s)" % (
            _and(options), "s" if len(variables) > 1 else "", _and(variables)) if variables else _and(options)

    for kind in kinds:
        given = kind.given(params)
        if len(given) == len(kind.options):
            return kind, None
        if given:
            missing = [option for option in kind.options if option not in given]
            return None, "%s %s not set: %s needs %s. Set %s" % (
                _and(missing), "is" if len(missing) == 1 else "are", _and(given),
                "it" if len(missing) == 1 else "them", where(missing))
    return None, "no credentials were given: set %s" % ", or ".join(
        "%s for %s" % (where(kind.options), kind.name) for kind in kinds)
