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
  proxy:
    description:
      - The HTTP proxy every request of the run goes through, as C(http://host:port) or
        C(https://host:port); credentials for the proxy go in the URL, C(http://user:password@host:port)
        (percent-encode special characters). Plain http requests are forwarded by the proxy, https
        requests go through a C(CONNECT) tunnel (TLS stays end to end with the API).
      - When set, the proxy environment variables (C(HTTPS_PROXY), C(HTTP_PROXY), C(ALL_PROXY),
        C(NO_PROXY), in either case) are ignored; only O(no_proxy) can exempt a host.
      - When not set, those variables apply, as C(curl) and Python's C(requests) read them (the lowercase
        spelling wins).
      - Messages show a proxy as C(scheme://host:port) with where it was set (this option, or the
        variable), never its user name or password; the password is masked in the result at any verbosity.
      - A proxy that refuses the request (HTTP 407) or cannot be reached fails the run with a message
        that says so; a 407 is not retried.
      - A URL with a path, query or fragment, or of another scheme (C(socks5://) is not supported),
        fails before any request.
    type: str
  no_proxy:
    description:
      - Hosts that are reached directly, never through a proxy, as C(NO_PROXY) lists them, that is host
        names (C(example.com) also covers its subdomains), IP addresses, CIDR ranges (C(10.0.0.0/8)), or
        C(*) for every host.
      - Replaces the C(NO_PROXY)/C(no_proxy) environment variable for this module's requests, whether
        the proxy comes from O(proxy) or from the environment.
      - A list, or a string of comma-separated entries.
    type: list
    elements: str
  rate_limit_max_wait:
    description:
      - The longest wait, in seconds, the module accepts when the API rate limits it (HTTP 429 or 503
        with C(Retry-After), or a 429 whose C(X-RateLimit-Reset) says when the limit resets).
      - A wait up to this long is slept out and the request sent again (within O(retries)); a longer one
        fails the module at once, without sleeping, saying when the limit resets and naming this option.
      - A wait of 10 seconds or more is shown as it starts (at C(-v), when the module runs in the
        controller's process), and a run that waited a minute or more in all says so in a warning.
      - Raise it for unattended runs that may wait out an API's hourly window (Cloud Foundry's is 60 minutes);
        V(0) never waits for a C(Retry-After).
      - An integer from 0 to 86400 (one day); anything else fails before any request.
    type: int
    default: 60
  retries:
    description:
      - How many times to send a request again after a failure worth another try.
      - Reads (and requests that only read, such as token grants) are retried on HTTP 429, 502, 503,
        504, failed connections, dropped answers and answers cut off before their end, with jittered
        exponential backoff.
      - C(Retry-After) is honoured up to O(rate_limit_max_wait) seconds (60 by default); one that cannot be
        read means the usual backoff. When the API asks for a longer wait (by C(Retry-After), or on a 429 by
        C(X-RateLimit-Reset)), the module fails at once, saying when the limit resets, rather than sleep.
      - A request that changes something is retried on its own only when the API certainly did not act
        on it (HTTP 429, or no connection made). When its answer is lost (a 5xx, a dropped, cut-off or
        unreadable answer, a read timeout), the module reads the object once and sends the request again
        only if the work is still to be done; these repeats count against O(retries) too.
      - A refused TLS certificate, a server's refusal of the client certificate and a proxy's refusal
        (HTTP 407) are never retried.
      - The failure message says how many retries were made.
      - At most 50.
    type: int
    default: 5
notes:
  - Proxies come from O(proxy), else from the usual C(HTTPS_PROXY), C(HTTP_PROXY), C(ALL_PROXY) and
    C(NO_PROXY) environment variables (O(no_proxy) replaces C(NO_PROXY)). Every error met on the way
    through a proxy names it and where it was set.
  - API credentials are taken only from the module's options (never from C(~/.netrc) or a URL).
  - 'Every request carries the header C(User-Agent: jobctl.cloud ansible-core/<version>).'
requirements:
  - requests >= 2.31
  - pydantic >= 2.5
"""
