# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Cloud Foundry Cloud Controller v3: the calls the modules make, org/space/app names found as the cf
CLI finds them, and the rules that decide what a cancel did.

The outcome of ``POST /v3/tasks/{guid}/actions/cancel`` (docs/outcomes.md, "Per API"):

* 202 with the task (CANCELING): ACTED.
* 422 ``CF-UnprocessableEntity`` 10008 (the task was SUCCEEDED or FAILED when the cancel arrived):
  the task is read once; FAILED with the failure reason Diego gives a cancelled task is ALREADY
  (someone cancelled it first), anything else ENDED (it finished on its own). Both unchanged.
* A lost answer (5xx, dropped, cut off, a 202 that cannot be read, any other 2xx such as a 204, a read
  timeout) is settled by one read: CANCELING, or FAILED as cancelled, is the change in place (ACTED with a warning); PENDING or
  RUNNING is sent again; SUCCEEDED or FAILED otherwise is ENDED.
* 404 ``CF-ResourceNotFound``, 403 ``CF-NotAuthorized`` and any other answer fail with the API's words.

What Cloud Controller cannot tell: it accepts a cancel of a CANCELING task with the same 202 and
the same body, so two runs whose cancels both arrive while the task is still RUNNING both see a
202 and both report ``changed``. Nothing in the answer tells them apart (UNCONFIRMED that any
field would: ``updated_at`` is not documented to change on a repeated cancel), so nothing here
pretends to. A run that reads the task after another run's cancel was handled finds it CANCELING
and leaves it alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urlparse import urlsplit  # type: ignore

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import (
    CANCELABLE_STATES,
    MAX_PAGES,
    PER_PAGE,
    STOPPING_STATES,
    UNPROCESSABLE_CODE,
    Included,
    NamedPage,
    Task,
    TaskPage,
    was_cancelled,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each, paginate, segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome, SelectionError, missing_as_none
from ansible_collections.jobctl.cloud.plugins.module_utils.options import id_problem, is_http_url


def _origin(url):
    """Scheme, host and port of a URL, with the scheme's default port spelled out."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _joined(filters):
    """Query parameters from filters: lists joined by commas (Cloud Controller's list syntax), None left out."""
    return dict((k, ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v)
                for k, v in filters.items() if v is not None)


def settled(task):
    """The outcome a task as read shows a cancel, or None while it still runs (the cancel is still to do).

    The one place the task states become outcomes: to decide before sending, to explain a refusal
    and to settle a lost answer.
    """
    if task.state in CANCELABLE_STATES:
        return None
    if task.state in STOPPING_STATES or was_cancelled(task):
        return Outcome(Outcome.ALREADY, task, "already %s" % ("cancelled" if was_cancelled(task) else task.state))
    return Outcome(Outcome.ENDED, task, "already %s" % task.state)


class CloudFoundryClient:
    def __init__(self, http):
        self.http = http

    # -- reads ---------------------------------------------------------------------------------
    def task(self, guid):
        return self.http.request("GET", "/v3/tasks/%s" % segment(guid), ok=(200,)).model(Task)

    def find_task(self, guid):
        """The task, or None when Cloud Controller says it does not exist (or these credentials cannot see it)."""
        return missing_as_none(self.task, guid)

    def tasks(self, app_guid=None, **filters):
        """Every task the filters select, all pages. ``filters`` are query parameters; lists are joined by commas."""
        path = "/v3/apps/%s/tasks" % segment(app_guid) if app_guid is not None else "/v3/tasks"
        return self._pages(path, filters, TaskPage, "tasks")[0]

    def organizations(self, **filters):
        return self._pages("/v3/organizations", filters, NamedPage, "organizations")

    def spaces(self, **filters):
        """(spaces, included) for ``names``, ``organization_guids``, ``include``... ."""
        return self._pages("/v3/spaces", filters, NamedPage, "spaces")

    def apps(self, **filters):
        return self._pages("/v3/apps", filters, NamedPage, "apps")

    def _pages(self, path, filters, model, what):
        """(every resource of every page, the ``included`` resources of all pages merged)."""
        origin = _origin(self.http.url(path))
        included = Included()
        read = []

        def fetch(url):
            if url is None:
                page = self.http.request("GET", path, params=dict(_joined(filters), per_page=PER_PAGE), ok=(200,))
            else:
                page = self.http.request("GET", url, ok=(200,))
            page = page.model(model)
            read.extend(page.resources)
            if getattr(page, "included", None) is not None:
                included.spaces.extend(page.included.spaces)
                included.organizations.extend(page.included.organizations)
            following = page.pagination.next.href if page.pagination.next is not None else None
            if following is not None:
                if not is_http_url(following, allow_query=True):
                    raise self.http.error("GET", path, "the next page's link is not a plain http(s) URL (not shown); "
                                          "stopped after %d %s" % (len(read), what))
                if _origin(following) != origin:
                    # The token goes with every page: never to a host the user did not name in api_url.
                    raise self.http.error("GET", path, "the next page is on another host (%s), not on api_url's %s"
                                          % (urlsplit(following).hostname, origin[1]))
            return page.resources, following

        resources = paginate(fetch, lambda text: self.http.error("GET", path, text), what, MAX_PAGES)
        return resources, included

    # -- the cancel ----------------------------------------------------------------------------
    def cancel(self, guid):
        """Cancel one task; the Outcome's ``obj`` is the task as the API last showed it (a Task model).

        See the module docstring for the rules. A GUID that would not stay in its path segment (one
        listed by the API) is never sent: REFUSED, with the reason.
        """
        problem = id_problem(guid)
        if problem:
            return Outcome(Outcome.REFUSED, reason="not cancelled: the task GUID %s" % problem)
        path = "/v3/tasks/%s/actions/cancel" % segment(guid)

        def send():
            try:
                # A 202 whose body cannot be read raises a lost ApiError: settled by the read below.
                return Outcome(Outcome.ACTED, self.http.request("POST", path, ok=(200, 202)).model(Task))
            except ApiError as error:
                if error.status != 422 or not error.is_api_code(UNPROCESSABLE_CODE):
                    raise
                refused = error
            # SUCCEEDED or FAILED when the cancel arrived: the task says which, and whether it was a cancel.
            try:
                task = self.task(guid)
            except ApiError as error:
                # The cancel's answer was definite; only this read failed.
                error.lost = False
                raise
            outcome = settled(task)
            if outcome is None:
                # Cloud Controller refuses only finished tasks: a running one now contradicts its answer.
                raise refused
            return outcome

        def read_back():
            return settled(self.task(guid))

        return self.http.mutate(send, read_back)

    def cancel_tasks(self, items):
        """Cancel the task of every Item still to do (``id`` its GUID), one after the other; each item gets
        its Outcome, or the ApiError that ended it, and the others go on."""
        return each([item for item in items if item.todo], lambda item: item.settle(self.cancel(item.id)))

    # -- names to GUIDs, one list request per name -----------------------------------------------
    def resolve(self, org=None, space=None, app=None):
        """The GUIDs of the named org, space and app (each None when not named), as the cf CLI finds them.

        Cloud Controller matches names case-insensitively. Each name costs one list request. A name
        that matches nothing raises SelectionError naming it; so does an app found in several spaces
        (or a space in several orgs) without the name that would decide, listing them.
        """
        found = {"org": None, "space": None, "app": None}
        if org is not None:
            orgs = self.organizations(names=[org])[0]
            if not orgs:
                raise SelectionError("org '%s' was not found (or these credentials cannot see it); nothing was changed"
                                     % org)
            if len(orgs) > 1:
                raise SelectionError("org name '%s' matches %d orgs (%s); nothing was changed"
                                     % (org, len(orgs), _quoted(o.name for o in orgs)))
            found["org"] = _api_guid("org '%s'" % org, orgs[0].guid)
        if space is not None:
            spaces, included = self.spaces(names=[space], organization_guids=_listed(found["org"]),
                                           include=None if org is not None else "organization")
            where = " in org '%s'" % org if org is not None else ""
            if not spaces:
                raise SelectionError("space '%s' was not found%s (or these credentials cannot see it); nothing was "
                                     "changed" % (space, where))
            if len(spaces) > 1:
                orgs = dict((o.guid, o.name) for o in included.organizations)
                raise SelectionError("space '%s' is in %d orgs: %s. Set org to say which; nothing was changed" % (
                    space, len(spaces), ", ".join("'%s'" % orgs.get(s.parent("organization"), s.parent("organization"))
                                                  for s in spaces)))
            found["space"] = _api_guid("space '%s'" % space, spaces[0].guid)
        if app is not None:
            apps, included = self.apps(names=[app], space_guids=_listed(found["space"]),
                                       organization_guids=None if found["space"] else _listed(found["org"]),
                                       include=None if space is not None else "space.organization")
            where = " in space '%s'" % space if space is not None else ""
            where += " in org '%s'" % org if org is not None else ""
            if not apps:
                raise SelectionError("app '%s' was not found%s (or these credentials cannot see it); nothing was "
                                     "changed" % (app, where))
            if len(apps) > 1:
                spaces = dict((s.guid, s) for s in included.spaces)
                orgs = dict((o.guid, o.name) for o in included.organizations)

                def place(found_app):
                    space_guid = found_app.parent("space")
                    known = spaces.get(space_guid)
                    if known is None:
                        return "'%s'" % space_guid
                    org_guid = known.parent("organization")
                    return "'%s' (org '%s')" % (known.name, orgs.get(org_guid, org_guid))

                raise SelectionError("app '%s' is in %d spaces: %s. Set space (and org) to say which; nothing was "
                                     "changed" % (app, len(apps), ", ".join(place(a) for a in apps)))
            found["app"] = _api_guid("app '%s'" % app, apps[0].guid)
        return found


def _quoted(names):
    return ", ".join("'%s'" % n for n in names)


def _listed(guid):
    return [guid] if guid is not None else None


def _api_guid(what, guid):
    """A GUID the API gave, checked like one given by the user before it builds a path or a filter."""
    problem = id_problem(guid)
    if problem is None and "," in guid:
        problem = "%r holds a comma" % guid
    if problem:
        raise SelectionError("the API gave %s a GUID that cannot be used: %s; nothing was changed" % (what, problem))
    return guid
