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
      - If not set, the value of the E(HOSTUP_CA_PATH) environment variable is used; else the CA bundle of
        C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE), else the system's.
      - A path that does not exist or cannot be read fails before any request, naming this option.
    type: path
  client_cert:
    description:
      - A PEM file with the client certificate to present in the TLS handshake, for an API (or a gateway
        in front of it) that requires mutual TLS. Its private key follows the certificate in the same
        file, or is given in O(client_key).
      - If not set, the value of the E(HOSTUP_CLIENT_CERT) environment variable is used.
      - A file that does not exist, cannot be read, holds no PEM certificate, or whose key is missing,
        encrypted or not the certificate's fails before any request, naming the option.
      - A server that refuses the handshake because a certificate is missing or not trusted fails the
        module at once (never retried), saying so.
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when that file does not hold it.
      - If not set, the value of the E(HOSTUP_CLIENT_KEY) environment variable is used.
      - The key must not be encrypted (Python's C(requests) cannot be given its passphrase); keep an
        unencrypted copy readable only by the user that runs Ansible. Its content is never read into a
        message.
      - Setting it without O(client_cert) fails before any request.
    type: path
  api_token:
    description:
      - 'A HostUp API key, sent as C(Authorization: Bearer <key>).'
      - Reads need the scope C(read:vm); cancelling jobs and deleting backups need C(backup:vm).
      - Required unless the E(HOSTUP_API_KEY) environment variable is set, whose value is used when the
        option is not; the module fails before any request naming both when neither is (a value of
        only whitespace counts as not set).
    type: str
  api_url:
    description:
      - The base URL of the HostUp cloud API v2.
      - If not set, the value of the E(HOSTUP_API_URL) environment variable is used, else the default.
    type: str
    default: https://cloud.hostup.se/api/v2
notes:
  - All modules of this API belong to the C(group/jobctl.cloud.hostup) action group, so credentials
    can be set once with C(module_defaults).
"""

    # The VPS a module acts on.
    VPS_ID = r"""
options:
  vps_id:
    description:
      - The public ID of the VPS, as the API returns it (C(GET /vps), or the C(jobctl.cloud.hostup)
        inventory's C(hostup_id) host variable).
      - HostUp's IDs have always been seen as C(vps_) followed by 26 lowercase base32 characters.
        HostUp shows this form only by example and never states it; an ID of another form fails
        before any request.
    type: str
    required: true
"""
