# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every jobctl.cloud module shares: options, input checks, secrets, failures, the run's steps, waiting.

A module is a subclass of its API's module class (``HostupModule``, ...) with the steps a user
reads in its documentation::

    select  -> what the options name, read from the API (only reads)
    decide  -> what would change, from what was read (no requests)
    act     -> make the changes (skipped in check mode); the API client decides each outcome
    wait    -> with wait: true, until the work has really stopped
    report  -> the result

``main()`` runs them in that order; an ApiError anywhere fails the module with the API's own words.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import re
import time

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ansible_collections.jobctl.cloud.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    HttpClient,
    url_problem,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Secrets

from ansible_collections.jobctl.cloud.plugins.module_utils.models import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR

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


def env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset.

    An AWX credential injects every one of its variables, the fields left blank as empty strings:
    a blank HOSTUP_API_URL must mean "the default URL", not a (bad) URL.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def http_argument_spec():
    return dict(
        timeout=dict(type="float", default=30),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        retries=dict(type="int", default=5),
    )


def wait_argument_spec(default_timeout=300):
    return dict(
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=default_timeout),
        wait_sleep=dict(type="float", default=2),
    )


class ApiSpec:
    """What one API adds to every module of it: options, their constraints, its display name.

    ``url_options`` must be plain http(s) URLs; ``header_secrets`` are sent in HTTP headers, so
    they must be visible ASCII.
    """

    def __init__(self, name, argument_spec, url_options=("api_url",), header_secrets=(), **constraints):
        self.name = name
        self.argument_spec = argument_spec
        self.url_options = url_options
        self.header_secrets = header_secrets
        self.constraints = constraints


def _merge_constraints(*sources):
    """Merge AnsibleModule constraints: lists (mutually_exclusive, ...) add up, dicts (required_by) merge."""
    merged = {}
    for source in sources:
        for key, value in source.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged.setdefault(key, []).extend(value)
    return merged


class JobctlModule:
    """An AnsibleModule with the collection's shared options and behaviour.

    Subclasses (one per API) provide ``API`` and ``make_client()``; a module's own class gives
    ``ARGUMENT_SPEC`` and ``CONSTRAINTS`` (or passes them to ``__init__``) and its steps.
    """

    API = None
    ARGUMENT_SPEC = {}
    CONSTRAINTS = {}

    def __init__(self, argument_spec=None, supports_check_mode=True, **constraints):
        spec = http_argument_spec()
        spec.update(self.API.argument_spec)
        spec.update(self.ARGUMENT_SPEC if argument_spec is None else argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode,
                                    **_merge_constraints(self.API.constraints, self.CONSTRAINTS, constraints))
        self.params = self.module.params
        self.result = {"changed": False}
        self.secrets = Secrets()
        for option, option_spec in spec.items():
            if option_spec.get("no_log"):
                self.secrets.add(self.params.get(option))
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.module.fail_json(msg=missing_required_lib("pydantic (version 2)"), exception=PYDANTIC_IMPORT_ERROR)
        self._check_secrets(spec)
        self._check_urls()
        self._check_numbers()
        self._client = None

    # -- input checks, before any request ----------------------------------------------------------
    def _check_secrets(self, spec):
        for option, option_spec in spec.items():
            value = self.params.get(option)
            if not option_spec.get("no_log") or not isinstance(value, str):
                continue
            # Naming the option, never quoting the value.
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                self.fail("%s holds a line break or another control character: remove it (the value is not shown)"
                          % option)
            if option in self.API.header_secrets and not header_safe(value):
                self.fail("%s holds a character an HTTP header cannot carry (only visible ASCII is allowed): check "
                          "it for a pasted space, typographic quote or other special character (the value is not "
                          "shown)" % option)

    def _check_urls(self):
        for option in self.API.url_options:
            value = self.params.get(option)
            if value is not None:
                problem = url_problem(value)
                if problem:
                    # A refused URL may carry a password or a signed query: masked wherever Ansible
                    # would show it (the invocation in the result included).
                    self.learn_secret(value)
                    self.fail("%s %s (the value is not shown)" % (option, problem))

    def _check_numbers(self):
        p = self.params
        self.number("timeout", low=0, high=MAX_TIMEOUT, low_open=True)
        self.number("retries", low=0, high=MAX_RETRIES)
        if p.get("wait_timeout") is not None:
            self.number("wait_timeout", low=0, high=MAX_WAIT)
        if p.get("wait_sleep") is not None:
            self.number("wait_sleep", low=0, high=MAX_TIMEOUT, low_open=True)

    def number(self, option, low=None, high=None, low_open=False):
        """The option's value, refused before any request unless it is a finite number in range."""
        value = self.params.get(option)
        if value is None:
            return value
        if not math.isfinite(value):
            self.fail("%s must be a finite number, got %s" % (option, value))
        if low is not None and (value <= low if low_open else value < low):
            self.fail("%s must be %s %s, got %s" % (option, "greater than" if low_open else "at least", low, value))
        if high is not None and value > high:
            self.fail("%s must be at most %s, got %s" % (option, high, value))
        return value

    def check_id(self, option, value, pattern=None, example=None):
        """Refuse an ID that could escape its path segment, or that has the wrong form, before any request."""
        problem = id_problem(value, pattern, example)
        if problem:
            self.fail("%s %s" % (option, problem))
        return str(value)

    # -- the API client --------------------------------------------------------------------------
    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    @property
    def client(self):
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self):
        raise NotImplementedError

    def learn_secret(self, value):
        """A secret fetched during the run (a token): masked in results and removed from messages."""
        if value:
            self.module.no_log_values.add(value)
            self.secrets.add(value)

    def http_client(self, base_url, **kwargs):
        return HttpClient(self.API.name, base_url, timeout=self.params["timeout"],
                          validate_certs=self.params["validate_certs"], ca_path=self.params["ca_path"],
                          retries=self.params["retries"], secrets=self.secrets, **kwargs)

    # -- results -------------------------------------------------------------------------------
    def fail(self, msg, **kwargs):
        result = dict(self.result)
        result.update(kwargs)
        self.module.fail_json(msg=self.secrets.scrub(msg), **result)

    def fail_api(self, error, prefix=None):
        msg = error.msg if prefix is None else "%s: %s" % (prefix, error.msg)
        self.fail(msg, problem=error.problem)

    def warn(self, msg):
        self.module.warn(self.secrets.scrub(msg))

    def note(self, outcome):
        """Take in one outcome of the API client: its warning, if its answer was lost."""
        if outcome.warning:
            self.warn(outcome.warning)
        return outcome

    def exit(self, **kwargs):
        self.result.update(kwargs)
        self.module.exit_json(**self.result)

    def set_diff(self, before, after):
        if self.diff_mode:
            self.result["diff"] = {"before": before, "after": after}

    # -- the run -------------------------------------------------------------------------------
    def select(self):
        raise NotImplementedError

    def decide(self, selected):
        return selected

    def act(self, plan):
        return plan

    def wait(self, done):
        return done

    def report(self, done):
        raise NotImplementedError

    def main(self):
        """select -> decide -> act (unless check mode) -> wait (when asked) -> report."""
        try:
            plan = self.decide(self.select())
            done = plan if self.check_mode else self.act(plan)
            if self.params.get("wait") and not self.check_mode:
                done = self.wait(done)
            self.report(done)
            self.exit()
        except ApiError as error:
            self.fail_api(error)

    def wait_for(self, poll, what):
        """Call ``poll()``, which returns ``(finished, value)``, until finished or wait_timeout passes.

        Returns the last value; on timeout fails with ``what`` in the message.
        """
        deadline = time.monotonic() + self.params["wait_timeout"]
        while True:
            finished, value = poll()
            if finished:
                return value
            if time.monotonic() >= deadline:
                self.fail("timed out after %s seconds waiting for %s" % (self.params["wait_timeout"], what))
            time.sleep(min(self.params["wait_sleep"], max(0.0, deadline - time.monotonic())))


def header_safe(value):
    """Whether a secret can travel in an HTTP header as it is: visible ASCII only."""
    return isinstance(value, str) and bool(_HEADER_SAFE.match(value))


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
