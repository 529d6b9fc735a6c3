# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Which tasks a selection names: the options cf_task_info lists by and cf_task cancels by, their checks
before any request, and the listing (names to GUIDs, filters sent, every listed task checked by the
client's one checker, ``client.mismatch``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import STATES
from ansible_collections.jobctl.cloud.plugins.module_utils.models import iso_time

NAMES = ("org", "space", "app")
LIST_FILTERS = ("names", "states", "space_guids", "organization_guids")

SELECTION_SPEC = dict(
    app_guid=dict(type="str"),
    app=dict(type="str"),
    space=dict(type="str"),
    org=dict(type="str"),
    names=dict(type="list", elements="str"),
    states=dict(type="list", elements="str", choices=list(STATES)),
    space_guids=dict(type="list", elements="str"),
    organization_guids=dict(type="list", elements="str"),
    label_selector=dict(type="str"),
    older_than_minutes=dict(type="int"),
)

# Names scope names, and an app is in one space: a GUID filter beside a name would select something
# else than the name says.
EXCLUSIVE = ([("app_guid", other) for other in ("space_guids", "organization_guids") + NAMES]
             + [("app", "space_guids"), ("app", "organization_guids"), ("space", "space_guids"),
                ("space", "organization_guids"), ("org", "organization_guids")])

# The options that narrow a selection to some apps or some tasks; states and age alone do not.
NARROWING = ("org", "space", "app", "app_guid", "space_guids", "organization_guids", "names", "label_selector")


def either(values, last="or"):
    """"A", "A or B", "A, B or C"."""
    values = list(values)
    return values[0] if len(values) == 1 else "%s %s %s" % (", ".join(values[:-1]), last, values[-1])


class Selection:
    """The selection options of a module run, checked before any request (``module`` fails on a bad one).

    ``states`` is what to list when the user gives no states (None: every state). The age limit is fixed
    once, when the run starts: ``created_before`` (ISO 8601), None without ``older_than_minutes``.
    """

    def __init__(self, module, states=None, names=None):
        p = dict(module.params)
        if names is not None:
            p["names"] = names
        self.app_guid = module.guid("app_guid", p["app_guid"]) if p["app_guid"] is not None else None
        self.names = dict((option, module.name(option)) for option in NAMES)
        # An empty list is no filter: Cloud Controller would read "names=" as "no name matches".
        self.filters = dict((option, module.no_commas(option, p[option]) or None) for option in LIST_FILTERS)
        if self.filters["states"] is None and states:
            self.filters["states"] = list(states)
        self.filters["label_selector"] = p["label_selector"] or None
        minutes = p["older_than_minutes"]
        if minutes is not None and minutes < 0:
            module.fail("older_than_minutes must not be negative (got %d)" % minutes)
        self.created_before = iso_time(clock.CLOCK.time() - 60 * minutes) if minutes is not None else None
        # The app the listing was of, once known (by GUID, or by name through the API).
        self.listed_app = self.app_guid

    @staticmethod
    def given(params):
        """The selection options set (an empty list counts as not set)."""
        return [option for option in SELECTION_SPEC if params.get(option) not in (None, [], "")]

    def tasks(self, client, **more):
        """Every task the selection names, as the client lists and checks them; ``more`` are further query
        parameters (``order_by``, ``sequence_ids``). Names cost one list request each (``client.resolve``)."""
        filters = dict(self.filters, **more)
        if self.created_before is not None:
            filters["created_ats[lt]"] = self.created_before
        app_guid = self.app_guid
        if any(self.names.values()):
            found = client.resolve(**self.names)
            app_guid = found["app"] or app_guid
            if app_guid is None:
                if found["space"] is not None:
                    filters["space_guids"] = [found["space"]]
                elif found["org"] is not None:
                    filters["organization_guids"] = [found["org"]]
        if app_guid is not None:
            # The app's own list takes no space or org filter (Cloud Controller answers 400).
            filters.pop("space_guids", None)
            filters.pop("organization_guids", None)
        self.listed_app = app_guid
        return client.tasks(app_guid, **filters)

    def unmatched(self, tasks):
        """The asked task names no listed task has (compared as Cloud Controller compares them, ignoring case)."""
        have = set((t.name or "").lower() for t in tasks)
        return [name for name in self.filters["names"] or [] if name.lower() not in have]

    def what(self, name=None):
        """The tasks asked for, for a message: "PENDING or RUNNING task named 'x'"."""
        text = "task"
        if self.filters["states"]:
            text = "%s task" % either(self.filters["states"])
        if name is not None:
            text += " named '%s'" % name
        return text

    def place(self, client):
        """The app, space or org the tasks were looked for in, with the names the API gave where it gave them
        ("app 'web' (space 'prod', org 'acme')"), or None when the selection named none."""
        seen = client.seen
        if self.listed_app is not None:
            app = seen.get(self.listed_app)
            if app is None:
                return "app %s" % self.listed_app
            space = seen.get(app.parent("space"))
            org = seen.get(space.parent("organization")) if space is not None else None
            around = ", ".join("%s '%s'" % (kind, r.name) for kind, r in (("space", space), ("org", org)) if r is not None)
            return "app '%s'%s" % (app.name, " (%s)" % around if around else "")
        if self.names["space"] is not None:
            return "space '%s'%s" % (self.names["space"], " (org '%s')" % self.names["org"] if self.names["org"] else "")
        if self.names["org"] is not None:
            return "org '%s'" % self.names["org"]
        if self.filters["space_guids"]:
            return "space %s" % either(self.filters["space_guids"])
        if self.filters["organization_guids"]:
            return "org %s" % either(self.filters["organization_guids"])
        return None

    def where(self, client):
        """Where and how the tasks were looked for, in words: "in app 'web' (space 'prod', org 'acme') with labels
        matching 'kind=batch' created before 2026-12-07T16:52:36Z"."""
        place = self.place(client)
        return ("in %s" % place if place is not None else "that these credentials can see") + self.conditions()

    def conditions(self):
        """The label selector and the age limit, in words (empty when neither was asked)."""
        text = ""
        if self.filters["label_selector"]:
            text += " with labels matching '%s'" % self.filters["label_selector"]
        if self.created_before is not None:
            text += " created before %s" % self.created_before
        return text
