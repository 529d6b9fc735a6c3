# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every API's payloads share: whether pydantic can model them, their base (``ApiModel``, in
payloads.py) and ``parse_time``.

pydantic is the largest import of a module process (some 60 modules, about 45 ms of CPU on an idle
machine: docs/benchmark.md), and a run that reads no modelled answer does not need it: a failure on
an option, a run that fails at its first request, a HostUp cancel in check mode. So nothing here
imports it. ``ApiModel``, ``Field`` and the shared payloads are loaded from payloads.py the first
time one is asked for (``__getattr__``), and each API's models.py does the same for its own payload
models.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
from datetime import datetime, timezone

from importlib.util import find_spec


def _pydantic_import_error():
    """None when pydantic 2 is installed, else why not (the traceback of importing it).

    Looked up on the import path, not imported, so the check costs a run nothing. pydantic_core is
    pydantic 2's engine, which pydantic 1 does not have.
    """
    try:
        if find_spec("pydantic") is not None and find_spec("pydantic_core") is not None:
            return None
    except ValueError:
        # A module object without a spec stands in sys.modules under that name: it is there.
        return None
    try:
        from pydantic import BaseModel, ConfigDict, Field  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return traceback.format_exc()
    return "pydantic is installed without pydantic_core: it is pydantic 1, and version 2 is needed"


PYDANTIC_IMPORT_ERROR = _pydantic_import_error()
HAS_PYDANTIC = PYDANTIC_IMPORT_ERROR is None

# The names payloads.py gives, loaded on first use.
PAYLOADS = ("ApiModel", "Field", "TokenReply")


class MissingPydantic(Exception):
    """pydantic was found on the import path before the run (HAS_PYDANTIC), but importing it failed where
    an answer was first read through a model (a broken install): ``client.Reply.model`` raises it, and
    ``JobctlModule.main`` fails with the same message as for a missing pydantic."""

    def __init__(self, import_error):
        self.import_error = import_error
        super(MissingPydantic, self).__init__("pydantic (version 2) cannot be imported: %s"
                                              % import_error.strip().splitlines()[-1])


def __getattr__(name):
    if name in PAYLOADS:
        from ansible_collections.jobctl.cloud.plugins.module_utils import payloads
        return getattr(payloads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


__all__ = ["HAS_PYDANTIC", "PYDANTIC_IMPORT_ERROR", "MissingPydantic", "iso_time", "parse_time"]


def iso_time(seconds):
    """Epoch seconds as ISO 8601 in UTC to the second (``2026-12-07T17:52:36Z``): how messages and summaries
    give a time, whatever form the API gave it in."""
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value):
    """An ISO 8601 timestamp as an aware datetime, or None when it cannot be read.

    The APIs write UTC as ``Z`` or as ``+00:00``; a time without an offset is read as UTC, never as
    the controller's local time.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
