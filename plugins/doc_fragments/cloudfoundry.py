# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  ca_path:
    description:
      - A PEM file of CA certificates to trust when verifying the API's TLS certificate (or a directory
        of them, prepared with C(c_rehash)); for example the CA of a proxy that inspects TLS.
      - If not set, the value of the E(CF_CA_PATH) environment variable is used; else the CA bundle of
        C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE), else the system's.
      - A path that does not exist or cannot be read fails before any request, naming this option.
    type: path
  client_cert:
    description:
      - A PEM file with the client certificate to present in the TLS handshake, for an API (or a gateway
        in front of it) that requires mutual TLS. Its private key follows the certificate in the same
        file, or is given in O(client_key).
      - If not set, the value of the E(CF_CLIENT_CERT) environment variable is used.
      - A file that does not exist, cannot be read, holds no PEM certificate, or whose key is missing,
        encrypted or not the certificate's fails before any request, naming the option.
      - A server that refuses the handshake because a certificate is missing or not trusted fails the
        module at once (never retried), saying so.
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when that file does not hold it.
      - If not set, the value of the E(CF_CLIENT_KEY) environment variable is used.
      - The key must not be encrypted (Python's C(requests) cannot be given its passphrase); keep an
        unencrypted copy readable only by the user that runs Ansible. Its content is never read into a
        message.
      - Setting it without O(client_cert) fails before any request.
    type: path
  api_url:
    description:
      - The Cloud Controller's URL, the one C(cf api) shows, for example V(https://api.sys.example.com).
      - The UAA token endpoint is discovered from its root document (C(links.login), else C(links.uaa)),
        as the cf CLI does. The link must be a plain http(s) URL without user info, query or fragment,
        and https when O(api_url) is; otherwise the module fails naming the problem before any
        credential is sent.
      - Required unless the E(CF_API_URL) environment variable is set, whose value is used when the
        option is not; the module fails before any request naming both when neither is.
    type: str
  username:
    description:
      - A Cloud Foundry user, logged in with the OAuth password grant through the cf CLI's UAA client
        C(cf) (empty secret), as C(cf login) does.
      - Requires O(password). Used only when neither O(access_token) nor O(client_id) is set.
      - If not set, the value of the E(CF_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(CF_PASSWORD) environment variable is used.
    type: str
  client_id:
    description:
      - A UAA client, logged in with the OAuth client credentials grant, as C(cf auth --client-credentials) does.
      - Requires O(client_secret). Used only when O(access_token) is not set.
      - If not set, the value of the E(CF_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The secret of O(client_id).
      - If not set, the value of the E(CF_CLIENT_SECRET) environment variable is used.
    type: str
  access_token:
    description:
      - A UAA access token to send as it is (without the C(bearer) prefix), for example the part of
        C(cf oauth-token) after C(bearer).
      - No token is requested and the root document is not read. A token that expires during the run
        cannot be renewed, so the module then fails.
      - If not set, the value of the E(CF_ACCESS_TOKEN) environment variable is used.
    type: str
notes:
  - One of O(access_token), O(client_id) and O(client_secret), or O(username) and O(password) is required.
    When several are set (for example one in the task and one in the environment), the first in that order is used.
    A credential given in part (O(client_id) without O(client_secret), say) fails before any request, naming the
    missing option and its environment variable, unless one before it in that order is set.
  - A run reads the root document at most once and asks UAA for one token. When Cloud Controller answers
    HTTP 401 C(CF-InvalidAuthToken) (code 1000) because the token expired or was revoked during the run,
    the module gets a new token once and repeats the request; any other 401 is a failure.
  - >-
    Cloud Controller's rate limit counts requests per user over a window of 60 minutes by default, so
    its HTTP 429 may ask to wait up to an hour. A wait longer than 60 seconds is not slept through; the
    module fails at once, saying when the limit resets (from C(Retry-After), or C(X-RateLimit-Reset) in
    epoch seconds).
  - Tokens, passwords and client secrets never appear in results, messages or logs.
  - All modules of this API belong to the C(group/jobctl.cloud.cloudfoundry) action group, so credentials
    can be set once with C(module_defaults).
"""
