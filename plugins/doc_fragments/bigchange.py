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
      - If not set, the value of the E(BIGCHANGE_CA_PATH) environment variable is used; else the CA bundle of
        C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE), else the system's.
      - A path that does not exist or cannot be read fails before any request, naming this option.
    type: path
  client_cert:
    description:
      - A PEM file with the client certificate to present in the TLS handshake, for an API (or a gateway
        in front of it) that requires mutual TLS. Its private key follows the certificate in the same
        file, or is given in O(client_key).
      - If not set, the value of the E(BIGCHANGE_CLIENT_CERT) environment variable is used.
      - A file that does not exist, cannot be read, holds no PEM certificate, or whose key is missing,
        encrypted or not the certificate's fails before any request, naming the option.
      - A server that refuses the handshake because a certificate is missing or not trusted fails the
        module at once (never retried), saying so.
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when that file does not hold it.
      - If not set, the value of the E(BIGCHANGE_CLIENT_KEY) environment variable is used.
      - The key must not be encrypted (Python's C(requests) cannot be given its passphrase); keep an
        unencrypted copy readable only by the user that runs Ansible. Its content is never read into a
        message.
      - Setting it without O(client_cert) fails before any request.
    type: path
  customer_id:
    description:
      - The BigChange customer to act for, sent as the C(Customer-Id) header of every request.
      - Required unless the E(BIGCHANGE_CUSTOMER_ID) environment variable is set, whose value is used
        when the option is not; the module fails before any request naming both when neither is.
    type: int
  api_url:
    description:
      - The base URL of the BigChange REST API v1.
      - If not set, the value of the E(BIGCHANGE_API_URL) environment variable is used, else the default.
    type: str
    default: https://api.bigchange.com/v1
  token_url:
    description:
      - The OAuth 2.0 token endpoint that turns O(client_id) and O(client_secret) into an access token.
      - The default is BigChange's own token endpoint (confirmed by BigChange's documentation and its public
        API clients); its errors are RFC 7807 Problem Details, shown with BigChange's words.
      - Not used with O(access_token).
      - If not set, the value of the E(BIGCHANGE_TOKEN_URL) environment variable is used, else the default.
    type: str
    default: https://api.bigchange.com/auth/tokens
  client_id:
    description:
      - The OAuth 2.0 client ID of a BigChange API client, used with O(client_secret) to get an access token
        (client credentials grant, one token per module run, however many jobs it handles; a new one only
        when BigChange refuses the first with HTTP 401).
      - Reads need the scope C(jobs:read); cancelling needs C(jobs:write).
      - If not set, the value of the E(BIGCHANGE_CLIENT_ID) environment variable is used.
      - One of O(client_id) and O(access_token) is required.
    type: str
  client_secret:
    description:
      - The secret of O(client_id).
      - If not set, the value of the E(BIGCHANGE_CLIENT_SECRET) environment variable is used.
    type: str
  access_token:
    description:
      - 'An access token to send as C(Authorization: Bearer <token>) instead of getting one with
        O(client_id) and O(client_secret). No token request is made.'
      - When set, O(client_id) and O(client_secret) are ignored.
      - If not set, the value of the E(BIGCHANGE_ACCESS_TOKEN) environment variable is used.
    type: str
notes:
  - All modules of this API belong to the C(group/jobctl.cloud.bigchange) action group, so credentials
    can be set once with C(module_defaults).
"""
