# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  timeout:
    description:
      - Seconds to wait for the API to connect and to answer each request.
    type: float
    default: 30
  validate_certs:
    description:
      - Verify the API's TLS certificate.
      - Set to V(false) only for test systems with self-signed certificates; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust when verifying the API's TLS certificate.
    type: path
  retries:
    description:
      - How many times to retry a request that failed in a way worth retrying.
      - Reads and requests the API documents as safe to repeat are retried on HTTP 429 (honouring
        C(Retry-After), capped at 60 seconds), 502, 503, 504, failed connections and dropped
        responses, with jittered exponential backoff.
      - Requests that change something and are not safe to repeat are retried only when the API
        certainly did not act on them (HTTP 429, or no connection made).
      - A refused TLS certificate is never retried.
      - The failure message says how many retries were made.
    type: int
    default: 5
notes:
  - Proxies are taken from the usual C(HTTPS_PROXY), C(HTTP_PROXY) and C(NO_PROXY) environment variables.
  - 'Every request carries the header C(User-Agent: jobctl.cloud/<version>).'
requirements:
  - requests >= 2.31
  - pydantic >= 2.5
"""
