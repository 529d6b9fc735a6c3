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
      - If not set, the value of the E(VSP_CA_PATH) environment variable is used; else the CA bundle of
        C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE), else the system's.
      - A path that does not exist or cannot be read fails before any request, naming this option.
    type: path
  client_cert:
    description:
      - A PEM file with the client certificate to present in the TLS handshake, for an API (or a gateway
        in front of it) that requires mutual TLS. Its private key follows the certificate in the same
        file, or is given in O(client_key).
      - If not set, the value of the E(VSP_CLIENT_CERT) environment variable is used.
      - A file that does not exist, cannot be read, holds no PEM certificate, or whose key is missing,
        encrypted or not the certificate's fails before any request, naming the option.
      - A server that refuses the handshake because a certificate is missing or not trusted fails the
        module at once (never retried), saying so.
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when that file does not hold it.
      - If not set, the value of the E(VSP_CLIENT_KEY) environment variable is used.
      - The key must not be encrypted (Python's C(requests) cannot be given its passphrase); keep an
        unencrypted copy readable only by the user that runs Ansible. Its content is never read into a
        message.
      - Setting it without O(client_cert) fails before any request.
    type: path
  api_url:
    description:
      - The base URL of the VSP One Object management API, up to and including C(/mapi),
        for example C(https://admin.eu-1.cluster.example.com/mapi).
      - Required unless the E(VSP_API_URL) environment variable is set, whose value is used when the
        option is not; the module fails before any request naming both when neither is.
    type: str
  token_url:
    description:
      - The Keycloak token endpoint of the C(vsp-object) realm, for example
        C(https://admin.gms.cluster.example.com/ui/auth/realms/vsp-object/protocol/openid-connect/token).
      - Required unless O(access_token) is set.
      - If not set, the value of the E(VSP_TOKEN_URL) environment variable is used.
    type: str
  username:
    description:
      - The user of the Keycloak password grant.
      - Required unless O(access_token) is set.
      - If not set, the value of the E(VSP_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - Required unless O(access_token) is set.
      - If not set, the value of the E(VSP_PASSWORD) environment variable is used.
    type: str
  client_id:
    description:
      - The Keycloak client of the password grant.
      - If not set, the value of the E(VSP_CLIENT_ID) environment variable is used, else the default.
    type: str
    default: vsp-object-external-client
  client_secret:
    description:
      - The secret of O(client_id), for a confidential Keycloak client. Public clients need none.
      - If not set, the value of the E(VSP_CLIENT_SECRET) environment variable is used.
    type: str
  access_token:
    description:
      - A Bearer token obtained elsewhere. When set, no token is requested and O(token_url),
        O(username), O(password), O(client_id) and O(client_secret) are ignored.
      - A given token cannot be renewed, so a run that outlives it fails with the API's HTTP 401
        (after one more try with a new CSRF token).
      - It is sent in an HTTP header, so it may hold only visible ASCII characters; anything else
        fails before any request.
      - If not set, the value of the E(VSP_ACCESS_TOKEN) environment variable is used.
    type: str
notes:
  - An environment variable that is set but empty counts as not set, as an AWX credential with
    blank fields injects them.
  - All modules of this API belong to the C(group/jobctl.cloud.vsp) action group, so credentials
    can be set once with C(module_defaults).
  - >-
    Sign-in, as the vendor's own collection (hitachi-vantara/vspone-object-ansible) does it against
    real systems - a Keycloak password grant on the C(vsp-object) realm gives a Bearer token (with
    O(access_token), no token is requested). C(GET /v1/csrf), sent without the Bearer token, sets
    the C(XSRF-TOKEN) and C(vertx-web.session) cookies of Vert.x-Web's CSRF handler. Every job call
    sends the Bearer token, both cookies, and as C(X-XSRF-TOKEN) the current value of the
    C(XSRF-TOKEN) cookie - the server may set a new one after each C(POST) and refuse the old one.
  - >-
    Each run requests one Keycloak token (renewed shortly before its C(expires_in) runs out) and
    fetches one CSRF token. A job call refused with HTTP 403 (Vert.x-Web's answer to a CSRF failure,
    for example an expired CSRF token, which lives 30 minutes) or HTTP 401 fetches C(/csrf) once
    more - after a 401 also a new Keycloak token, when username and password allow it - and is sent
    once more; a refused call was not processed, so even a cancel is safe to send again. A second
    refusal of the same call fails with the API's words.
  - >-
    The job calls of this API are all C(POST). Status and list reads are repeated like any read
    (HTTP 429, 502, 503, 504, failed connections, dropped or cut-off answers). A cancel is repeated
    only when the server certainly did not act (HTTP 429, no connection), or after a status read
    has shown the job still running.
  - >-
    UNCONFIRMED - what the API answers to a cancel of a job that is no longer running, a
    "cancelling" state, the largest page size of the job list, and the body of a CSRF refusal are
    not documented; see each module's notes for how it copes.
"""
