# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - The base URL of the VSP One Object management API, up to and including C(/mapi),
        for example C(https://admin.eu-1.cluster.example.com/mapi).
      - If not set, the value of the E(VSP_API_URL) environment variable is used.
    type: str
    required: true
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
      - A given token cannot be renewed, so a run that outlives it fails with the API's HTTP 401.
      - If not set, the value of the E(VSP_ACCESS_TOKEN) environment variable is used.
    type: str
notes:
  - An environment variable that is set but empty counts as not set, as an AWX credential with
    blank fields injects them.
  - All modules of this API belong to the C(group/jobctl.cloud.vsp) action group, so credentials
    can be set once with C(module_defaults).
  - Each run requests one Keycloak token (none with O(access_token)) and fetches one CSRF token
    with C(GET /v1/csrf). Its C(XSRF-TOKEN) and C(vertx-web.session) cookies are sent back with the
    C(X-XSRF-TOKEN) header on every call. When a call answers HTTP 401 (the CSRF token lives only
    briefly), the module fetches a new CSRF token, and a new Keycloak token if that one has expired
    too, and repeats the call once.
  - The job calls of this API are all C(POST). Status and list reads are retried like any read;
    so is the cancel, because it names one job by its ID and repeating it cannot reach another job.
"""
