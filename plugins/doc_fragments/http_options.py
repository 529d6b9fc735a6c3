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
      - The most seconds one request may take, from connecting to the last byte of its answer (a server
        that sends its answer a byte at a time is cut off when this runs out, as one that never answers).
      - Each retry is a request of its own with its own O(timeout); O(retries) and the waits between them
        bound the rest.
      - A finite number greater than 0 and at most 3600.
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
      - A PEM file of CA certificates to trust when verifying the API's TLS certificate (or a directory
        of them, prepared with C(c_rehash)).
      - A path that does not exist or cannot be read fails before any request, naming this option.
    type: path
  retries:
    description:
      - How many times to send a request again after a failure worth another try.
      - Reads (and requests that only read, such as token grants) are retried on HTTP 429, 502, 503,
        504, failed connections, dropped answers and answers cut off before their end, with jittered
        exponential backoff.
      - C(Retry-After) is honoured up to 60 seconds; one that cannot be read means the usual backoff.
        When the API asks for a longer wait (by C(Retry-After), or on a 429 by C(X-RateLimit-Reset)),
        the module fails at once, saying when the limit resets, rather than sleep.
      - A request that changes something is retried on its own only when the API certainly did not act
        on it (HTTP 429, or no connection made). When its answer is lost (a 5xx, a dropped, cut-off or
        unreadable answer, a read timeout), the module reads the object once and sends the request again
        only if the work is still to be done; these repeats count against O(retries) too.
      - A refused TLS certificate is never retried.
      - The failure message says how many retries were made.
      - At most 50.
    type: int
    default: 5
notes:
  - Proxies are taken from the usual C(HTTPS_PROXY), C(HTTP_PROXY) and C(NO_PROXY) environment variables.
    Credentials are taken only from the module's options (never from C(~/.netrc) or a URL).
  - 'Every request carries the header C(User-Agent: jobctl.cloud ansible-core/<version>).'
requirements:
  - requests >= 2.31
  - pydantic >= 2.5
"""
