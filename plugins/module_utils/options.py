# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What users give: the options every module of an API shares, and the checks every value passes
before any request, for the modules and the inventory plugin alike.

Each check returns the reason a value is refused (naming the option, never quoting a secret), or
None: the module turns it into ``fail_json``, the inventory plugin into ``AnsibleParserError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import re
import ssl

try:
    from urllib.parse import unquote, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urllib import unquote  # type: ignore
    from urlparse import urlsplit  # type: ignore

from ansible.module_utils.basic import AnsibleFallbackNotFound

# Anything that could move a request to another path, or into the query or fragment. A lone "."
# is a dot segment that urllib3 removes, whatever its encoding.
_UNSAFE_ID = re.compile(r"[/?#\\%\s]|\.\.|^\.$")
# What an HTTP header can carry of a secret: visible ASCII. A curly quote or a non-breaking space
# pasted from a document is refused by name before any request, not met as an encoding crash.
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")

# Upper bounds that keep every number a module computes with finite and meaningful.
MAX_TIMEOUT = 3600
MAX_WAIT = 7 * 24 * 3600
MAX_RETRIES = 50
# The oldest age a selection by age can ask for (older_than_minutes): ten years.
MAX_AGE_MINUTES = 10 * 366 * 24 * 60
# The longest rate-limit wait (Retry-After, X-RateLimit-Reset) a user may allow: one day.
MAX_RATE_LIMIT_WAIT = 24 * 3600
DEFAULT_RATE_LIMIT_WAIT = 60


def env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset.

    An AWX credential injects every one of its variables, the fields left blank as empty strings:
    a blank HOSTUP_API_URL must mean "the default URL", not a (bad) URL.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def env_names(option_spec):
    """The environment variables an option falls back to, from its spec (the one place they are named)."""
    fallback = option_spec.get("fallback") or ()
    return list(fallback[1]) if len(fallback) > 1 else []


# The HTTP options an API's environment variables can give, as <PREFIX>_<SUFFIX> (HOSTUP_CA_PATH, ...).
ENV_OPTIONS = (("ca_path", "CA_PATH"), ("client_cert", "CLIENT_CERT"), ("client_key", "CLIENT_KEY"))


def http_argument_spec(env_prefix=None):
    """The HTTP options every module (and the inventory) takes; ``env_prefix`` (HOSTUP, CF, VSP, BIGCHANGE)
    names the API's environment variables for the TLS files. ``proxy`` and ``no_proxy`` have none of their
    own: when they are not set, the usual HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply."""
    spec = dict(
        timeout=dict(type="float", default=30),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=False),
        proxy=dict(type="str", no_log=False),
        no_proxy=dict(type="list", elements="str"),
        rate_limit_max_wait=dict(type="int", default=DEFAULT_RATE_LIMIT_WAIT),
        retries=dict(type="int", default=5),
    )
    if env_prefix:
        for option, suffix in ENV_OPTIONS:
            spec[option]["fallback"] = (env_fallback, ["%s_%s" % (env_prefix, suffix)])
    return spec


def wait_argument_spec(default_timeout=300):
    return dict(
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=default_timeout),
        wait_sleep=dict(type="float", default=2),
    )


class ApiSpec:
    """What one API adds to every module of it: options, their constraints, its display name.

    ``url_options`` must be plain http(s) URLs; ``header_secrets`` are sent in HTTP headers, so
    they must be visible ASCII; ``needed`` must be set, as an option or through its environment
    variable (the spec cannot say ``required``: a value from the environment would not count).

    What a right ``api_url`` looks like, for the messages about a wrong one: ``base_path`` is how its
    path ends (HostUp's ``/api/v2``), ``example`` a right one, ``added_paths`` the path endings the
    modules add to it themselves (Cloud Foundry's ``/v3``), refused before any request, and
    ``not_found(data)`` whether a 404's JSON body is the API's own "no such object" (else the 404
    came from somewhere else than the API: a wrong base URL).
    """

    def __init__(self, name, argument_spec, url_options=("api_url",), header_secrets=(), needed=(), env_prefix=None,
                 base_path="", example=None, added_paths=(), not_found=None, **constraints):
        self.name = name
        # The prefix of the API's environment variables (HOSTUP, ...): the HTTP options' too (http_argument_spec).
        self.env_prefix = env_prefix
        self.argument_spec = argument_spec
        self.url_options = url_options
        self.header_secrets = header_secrets
        self.needed = needed
        self.base_path = base_path
        self.example = example
        self.added_paths = added_paths
        self.not_found = not_found
        self.constraints = constraints

    def api_url_problem(self, value):
        """Why ``value`` (a valid URL) cannot be the API's base URL as given, or None: its path ends in what
        the modules add themselves, or repeats the base path."""
        path = urlsplit(value).path.rstrip("/")
        for added in self.added_paths:
            if path.lower().endswith(added.lower()):
                return ("ends in %s, which the modules add to every path themselves: give the base URL without "
                        "it (%s)" % (added, self.url_advice()))
        if self.base_path and path.endswith(self.base_path * 2):
            return "repeats %s in its path: give it once (%s)" % (self.base_path, self.url_advice())
        return None

    def url_advice(self):
        """What a right api_url looks like, in words: "it ends in /api/v2, as https://cloud.hostup.se/api/v2"."""
        if self.base_path:
            return "the %s's base URL ends in %s, as %s" % (self.name, self.base_path, self.example)
        return "the %s's base URL is its root, as %s" % (self.name, self.example)

    def url_hint(self, base_url):
        """What is wrong with ``base_url``, when the API's paths were not found under it."""
        path = urlsplit(base_url).path.rstrip("/")
        if self.base_path and path.endswith(self.base_path * 2):
            return "api_url repeats %s in its path; %s" % (self.base_path, self.url_advice())
        if self.base_path and not path.endswith(self.base_path):
            return "api_url's path does not end in %s; %s" % (self.base_path, self.url_advice())
        return "check api_url: %s" % self.url_advice()


def is_set(value):
    """Whether an option holds a value: None, and text that is empty or only whitespace, do not count."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def named(option, variables):
    """``option`` and where else it can come from: "client_secret (or BIGCHANGE_CLIENT_SECRET)"."""
    return "%s (or %s)" % (option, " or ".join(variables)) if variables else option


def missing_problem(option, variables):
    """The message for an option that must be set and is not."""
    if variables:
        return "%s is required: set the option %s or the environment variable %s" % (
            option, option, " or ".join(variables))
    return "%s is required" % option


def header_safe(value):
    """Whether a secret can travel in an HTTP header as it is: visible ASCII only."""
    return isinstance(value, str) and bool(_HEADER_SAFE.match(value))


def secret_problem(option, value, in_header=False):
    """Why a secret cannot be sent as it is (never quoting it), or None."""
    if not isinstance(value, str):
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "%s holds a line break or another control character: remove it (the value is not shown)" % option
    if in_header and not header_safe(value):
        return ("%s holds a character an HTTP header cannot carry (only visible ASCII is allowed): check it for a "
                "pasted space, typographic quote or other special character (the value is not shown)" % option)
    return None


def url_problem(value, allow_query=False):
    """Why ``value`` is not a URL the collection will send a request to, or None when it is.

    The reason never quotes the value: a URL may carry a password or a signed query.
    """
    if not isinstance(value, str) or not value:
        return "must be an absolute http:// or https:// URL"
    if value != value.strip():
        return "must not begin or end with whitespace"
    # urlsplit silently drops CR, LF and TAB: a URL holding them is refused, not repaired.
    if any(ord(c) < 33 or ord(c) == 127 for c in value):
        return "must not hold spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return "is not a URL that can be read"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http:// or https:// URL"
    if "@" in parts.netloc:
        return "must not carry user info (user:password@): give credentials in their own options"
    if parts.query and not allow_query:
        return "must not carry a query (?...)"
    if parts.fragment or value.endswith("#"):
        return "must not carry a fragment (#...)"
    return None


def is_http_url(value, allow_query=False):
    return url_problem(value, allow_query) is None


def number_problem(option, value, low=None, high=None, low_open=False):
    """Why a number option is refused (not finite, out of range), or None."""
    if value is None:
        return None
    if not math.isfinite(value):
        return "%s must be a finite number, got %s" % (option, value)
    if low is not None and (value <= low if low_open else value < low):
        return "%s must be %s %s, got %s" % (option, "greater than" if low_open else "at least", low, value)
    if high is not None and value > high:
        return "%s must be at most %s, got %s" % (option, high, value)
    return None


def ca_path_problem(value, validate_certs=True):
    """Why ``ca_path`` cannot be trusted from (it names nothing readable), or None."""
    if value is None or not validate_certs:
        return None
    if not os.path.exists(value):
        return "ca_path %s does not exist: give the PEM file (or the directory) of the CA certificates to trust" % value
    if not os.access(value, os.R_OK):
        return "ca_path %s cannot be read by this user" % value
    return None


def _file_problem(option, value, what):
    if not os.path.exists(value):
        return "%s %s does not exist: give the PEM file of %s" % (option, value, what)
    if not os.path.isfile(value):
        return "%s %s is not a file: give the PEM file of %s" % (option, value, what)
    if not os.access(value, os.R_OK):
        return "%s %s cannot be read by this user" % (option, value)
    return None


class _Encrypted(Exception):
    pass


def _ask_password():
    # ssl asks for a password only for an encrypted key: say so instead of prompting or guessing.
    raise _Encrypted()


def client_cert_problem(cert, key=None):
    """Why ``client_cert`` (and ``client_key``) cannot be presented to a server, or None.

    The files are loaded as the TLS handshake would load them, so a file that is not a PEM certificate,
    a key that is encrypted (which requests cannot use) or a key that does not belong to the certificate
    is refused before any request, naming the option. The key's content is never shown.
    """
    if cert is None:
        if key is not None:
            return "client_key is set without client_cert: give the client certificate too"
        return None
    problem = _file_problem("client_cert", cert, "the client certificate (the key may follow it, or be in client_key)")
    if problem is None and key is not None:
        problem = _file_problem("client_key", key, "the client certificate's private key")
    if problem:
        return problem
    try:
        with open(cert, "rb") as handle:
            head = handle.read(1024 * 1024)
    except (IOError, OSError) as e:
        return "client_cert %s cannot be read: %s" % (cert, e.strerror or e)
    if b"-----BEGIN CERTIFICATE-----" not in head:
        return "client_cert %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)" % cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(cert, key, password=_ask_password)
    except _Encrypted:
        return ("%s is an encrypted private key, which the collection cannot use (requests takes no key password): "
                "give an unencrypted copy readable only by this user (openssl pkey -in KEY -out KEY.plain)"
                % ("client_key %s" % key if key else "the key in client_cert %s" % cert))
    except ssl.SSLError as e:
        text = str(e).lower()
        if "key values mismatch" in text or "key_values_mismatch" in text:
            return "client_key %s is not the private key of client_cert %s" % (key, cert)
        if key is None:
            return ("client_cert %s holds no private key that can be read: give the key in client_key (or append it "
                    "to the certificate file)" % cert)
        return "client_key %s holds no PEM private key that can be read" % key
    except (IOError, OSError) as e:
        return "client_cert or client_key cannot be read: %s" % (e.strerror or e)
    return None


def proxy_problem(value):
    """Why ``proxy`` is not a proxy URL the collection can use, or None. Never quotes the value (it may hold a password)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return "proxy must be an http:// or https:// URL, such as http://proxy.example.com:3128"
    if value != value.strip() or any(ord(c) < 33 or ord(c) == 127 for c in value):
        return "proxy must not hold spaces or control characters (the value is not shown)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return "proxy is not a URL that can be read (the value is not shown)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ("proxy must be an http:// or https:// URL, such as http://proxy.example.com:3128 (the value is not "
                "shown)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        return "proxy must be scheme://[user:password@]host[:port] only, without a path, query or fragment"
    return None


def proxy_password(value):
    """The password in a proxy URL's user info (as given and decoded), to be masked like any secret."""
    try:
        password = urlsplit(value).password
    except (ValueError, AttributeError):
        return []
    if not password:
        return []
    return [password, unquote(password)]


def http_problems(params):
    """Every refusal of the HTTP options every module and the inventory share, in order."""
    problems = [
        ca_path_problem(params.get("ca_path"), params.get("validate_certs", True)),
        client_cert_problem(params.get("client_cert"), params.get("client_key")),
        proxy_problem(params.get("proxy")),
        number_problem("rate_limit_max_wait", params.get("rate_limit_max_wait"), low=0, high=MAX_RATE_LIMIT_WAIT),
        number_problem("timeout", params.get("timeout"), low=0, high=MAX_TIMEOUT, low_open=True),
        number_problem("retries", params.get("retries"), low=0, high=MAX_RETRIES),
        number_problem("wait_timeout", params.get("wait_timeout"), low=0, high=MAX_WAIT),
        number_problem("wait_sleep", params.get("wait_sleep"), low=0, high=MAX_TIMEOUT, low_open=True),
    ]
    return [p for p in problems if p]


def id_problem(value, pattern=None, example=None):
    """Why ``value`` cannot be used as an ID in a URL path, or None when it can.

    The same check serves IDs given by the user and IDs returned by an API.
    """
    text = "" if value is None else str(value)
    if not text or _UNSAFE_ID.search(text):
        return ("%r is not a valid ID: it must not be empty, be '.', or hold '/', '?', '#', '%%', '\\', whitespace "
                "or '..'" % text)
    if pattern is not None and not re.match(pattern, text):
        return "%r is not a valid ID%s" % (text, " (expected something like %s)" % example if example else "")
    return None


def unique(values, check=None):
    """``values`` in the order given, each once; ``check(value)`` (raising or failing on a bad one) runs first
    on every value, so each is refused before any request."""
    out = []
    seen = set()
    for value in values or []:
        if check is not None:
            value = check(value)
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out
