# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every jobctl.cloud module shares: options, input checks, failures, waiting."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ansible_collections.jobctl.cloud.plugins.module_utils.client import (
    HAS_PYDANTIC,
    HAS_REQUESTS,
    PYDANTIC_IMPORT_ERROR,
    REQUESTS_IMPORT_ERROR,
    ApiError,
    HttpClient,
    is_http_url,
)

# Anything that could move a request to another path, or into the query or fragment. A lone "."
# is a dot segment that urllib3 removes, whatever its encoding.
_UNSAFE_ID = re.compile(r"[/?#\\%\s]|\.\.|^\.$")


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
    """What one API adds to every module of it: options, their constraints, its display name."""

    def __init__(self, name, argument_spec, url_options=("api_url",), **constraints):
        self.name = name
        self.argument_spec = argument_spec
        self.url_options = url_options
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

    Subclasses (one per API) provide ``API`` and ``make_client()``.
    """

    API = None

    def __init__(self, argument_spec, supports_check_mode=True, **constraints):
        spec = http_argument_spec()
        spec.update(self.API.argument_spec)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode,
                                    **_merge_constraints(self.API.constraints, constraints))
        self.params = self.module.params
        self.result = {"changed": False}
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.module.fail_json(msg=missing_required_lib("pydantic (version 2)"), exception=PYDANTIC_IMPORT_ERROR)
        for option, option_spec in spec.items():
            value = self.params.get(option)
            if option_spec.get("no_log") and isinstance(value, str) and ("\r" in value or "\n" in value):
                # A secret pasted with its line ending; naming the option, never the value.
                self.fail("%s holds a line break: remove it (the value is not shown)" % option)
        for option in self.API.url_options:
            value = self.params.get(option)
            if value is not None and not is_http_url(value):
                self.fail("%s must be an absolute http:// or https:// URL, got %r" % (option, value))
        if self.params["timeout"] <= 0:
            self.fail("timeout must be greater than 0, got %s" % self.params["timeout"])
        if self.params["retries"] < 0:
            self.fail("retries must be 0 or more, got %s" % self.params["retries"])
        if self.params.get("wait_timeout") is not None and self.params["wait_timeout"] < 0:
            self.fail("wait_timeout must be 0 or more, got %s" % self.params["wait_timeout"])
        if self.params.get("wait_sleep") is not None and self.params["wait_sleep"] <= 0:
            self.fail("wait_sleep must be greater than 0, got %s" % self.params["wait_sleep"])
        self._client = None

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

    def http_client(self, base_url, **kwargs):
        return HttpClient(self.API.name, base_url, timeout=self.params["timeout"],
                          validate_certs=self.params["validate_certs"], ca_path=self.params["ca_path"],
                          retries=self.params["retries"], **kwargs)

    def make_client(self):
        raise NotImplementedError

    def check_id(self, option, value, pattern=None, example=None):
        """Refuse an ID that could escape its path segment, or that has the wrong form, before any request."""
        text = str(value)
        if not text or _UNSAFE_ID.search(text):
            self.fail("%s %r is not a valid ID: it must not be empty, be '.', or hold '/', '?', '#', '%%', '\\', "
                      "whitespace or '..'" % (option, text))
        if pattern is not None and not re.match(pattern, text):
            self.fail("%s %r is not a valid ID%s" % (option, text, " (expected something like %s)" % example if example else ""))
        return text

    def fail(self, msg, **kwargs):
        result = dict(self.result)
        result.update(kwargs)
        self.module.fail_json(msg=msg, **result)

    def fail_api(self, error, prefix=None):
        msg = error.msg if prefix is None else "%s: %s" % (prefix, error.msg)
        self.fail(msg, problem=error.problem)

    def exit(self, **kwargs):
        self.result.update(kwargs)
        self.module.exit_json(**self.result)

    def set_diff(self, before, after):
        if self.diff_mode:
            self.result["diff"] = {"before": before, "after": after}

    def run(self, action):
        """Run the module's logic; an ApiError anywhere becomes a failure with the API's words."""
        try:
            action()
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
