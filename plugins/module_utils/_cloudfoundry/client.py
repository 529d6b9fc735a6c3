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

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import models
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry.models import (
    CANCELABLE_STATES,
    MAX_PAGES,
    PER_PAGE,
    STOPPING_STATES,
    UNPROCESSABLE_CODE,
    label_selector,
    was_cancelled,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.client import each, paginate, segment
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import (
    ApiError,
    Outcome,
    SelectionError,
    missing_as_none,
    printable,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.models import parse_time
from ansible_collections.jobctl.cloud.plugins.module_utils.options import id_problem, is_http_url


# App GUIDs per GET /v3/apps?guids= request: a URL stays well under common limits (about 3.7 KB).
PER_APPS_REQUEST = 100


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
        return Outcome(Outcome.ALREADY, task, "already %s" % ("canceled" if was_cancelled(task) else task.state))
    return Outcome(Outcome.ENDED, task, "already %s" % task.state)


# -- what was asked, checked on every listed task -------------------------------------------------
# A list is filtered on the API's side, but a server that ignores a filter (a proxy, an older Cloud
# Controller that does not know it) answers with more than was asked. Every task a list returns is
# checked against every filter that was sent before anything can act on it (issue 21); one that
# does not match is left alone and reported. Filters that only order or page select nothing.
NOT_SELECTING = frozenset(("order_by", "include", "page", "per_page"))
# created_ats[lt] and friends (docs/api/cloudfoundry.md, Confirmed: created_ats exists).
_COMPARISONS = {"lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b,
                "gte": lambda a, b: a >= b}


def _listed_values(value):
    """A filter's values as sent: a list, or a comma-separated text."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value).split(",")


def task_app(task):
    """The GUID of a task's app: ``relationships.app.data.guid``, else the last segment of ``links.app.href``."""
    extra = task.model_extra or {}
    try:
        return extra["relationships"]["app"]["data"]["guid"]
    except (KeyError, TypeError):
        pass
    try:
        href = extra["links"]["app"]["href"]
    except (KeyError, TypeError):
        return None
    return href.rstrip("/").rsplit("/", 1)[-1] if isinstance(href, str) and "/v3/apps/" in href else None


def task_labels(task):
    labels = ((task.model_extra or {}).get("metadata") or {}).get("labels")
    return labels if isinstance(labels, dict) else {}


def mismatch(task, filters, app_guid=None, place=None):
    """Why a listed ``task`` is not what was asked, or None when it is.

    ``filters`` are the list's query parameters as sent (``names``, ``states``, ``sequence_ids``,
    ``guids``, ``app_guids``, ``space_guids``, ``organization_guids``, ``label_selector``,
    ``created_ats[lt]``...); ``app_guid`` the app of ``/v3/apps/{guid}/tasks``; ``place`` the
    ``(space GUID, org GUID)`` of the task's app, needed when a space or org filter was sent.
    Names are compared as Cloud Controller compares them: without regard to case.
    """
    for name, value in sorted(filters.items()):
        if value is None or name in NOT_SELECTING:
            continue
        if name == "label_selector":
            if not label_selector(value)(task_labels(task)):
                return "its labels %s do not satisfy label_selector '%s'" % (task_labels(task), value)
            continue
        base, dummy, operator = name.partition("[")
        if base == "created_ats":
            moment = parse_time(task.created_at)
            compare = _COMPARISONS.get(operator.rstrip("]"))
            wanted = [parse_time(v) for v in _listed_values(value)]
            if moment is None or any(w is None for w in wanted):
                return "its created_at %r cannot be compared with %s=%s" % (task.created_at, name, value)
            ok = compare(moment, wanted[0]) if compare is not None else moment in wanted
            if not ok:
                return "it was created at %s, which %s=%s does not select" % (task.created_at, name, value)
            continue
        wanted = _listed_values(value)
        if name == "names":
            if (task.name or "").lower() not in set(w.lower() for w in wanted):
                return "its name is %r, not %s" % (task.name, _either(wanted))
        elif name == "states":
            if task.state not in wanted:
                return "its state is %s, not %s" % (task.state, _either(wanted))
        elif name == "sequence_ids":
            if str(task.sequence_id) not in wanted:
                return "its sequence_id is %s, not %s" % (task.sequence_id, _either(wanted))
        elif name == "guids":
            if task.guid not in wanted:
                return "its GUID is not %s" % _either(wanted)
        elif name == "app_guids":
            if task_app(task) not in wanted:
                return "its app is %s, not %s" % (task_app(task), _either(wanted))
        elif name in ("space_guids", "organization_guids"):
            index, what = (0, "space") if name == "space_guids" else (1, "org")
            found = place[index] if place is not None else None
            if found not in wanted:
                return "its app %s is in %s %s, not %s" % (task_app(task), what, found or "(unknown)", _either(wanted))
        else:
            return "the filter %s cannot be checked on the task" % name
    if app_guid is not None and task_app(task) != app_guid:
        return "its app is %s, not %s" % (task_app(task), app_guid)
    return None


def _either(values):
    return " or ".join("'%s'" % v for v in values)


def _named(resources, name):
    """The resources whose name is ``name`` as Cloud Controller compares names (case-insensitively)."""
    return [r for r in resources if r.name.lower() == name.lower()]


class CloudFoundryClient:
    def __init__(self, http):
        self.http = http
        # (task, why) of every listed task that did not match what was asked: left alone, reported.
        self.left_out = []
        # Every org, space and app a list showed in this run, by GUID: a name or a place is asked for once.
        self.seen = {}

    # -- reads ---------------------------------------------------------------------------------
    def task(self, guid):
        """One task. An answer about another task (a cache or gateway that mixed answers up) is not trusted: it
        fails, and no decision rests on it."""
        path = "/v3/tasks/%s" % segment(guid)
        reply = self.http.request("GET", path, ok=(200,))
        task = reply.model(models.Task)
        if (task.guid or "").lower() != guid.lower():
            raise self.http.error("GET", path, "the answer (HTTP %s) is about task %s, not task %s"
                                  % (reply.status, printable(task.guid), guid), status=reply.status)
        return task

    def find_task(self, guid):
        """The task, or None when Cloud Controller says it does not exist (or these credentials cannot see it)."""
        return missing_as_none(self.task, guid)

    def tasks(self, app_guid=None, **filters):
        """Every task the filters select, all pages. ``filters`` are query parameters; lists are joined by commas.

        Each listed task is checked against what was asked (``mismatch``): one that does not match
        is not returned but added to ``left_out`` with the reason.
        """
        selector = filters.get("label_selector")
        if selector is not None:
            try:
                label_selector(selector)
            except ValueError as e:
                raise SelectionError("label_selector cannot be read: %s; nothing was read or changed" % e)
        path = "/v3/apps/%s/tasks" % segment(app_guid) if app_guid is not None else "/v3/tasks"
        listed = self._pages(path, filters, models.TaskPage, "tasks")[0]
        places = {}
        if filters.get("space_guids") or filters.get("organization_guids"):
            places = self.places(task_app(t) for t in listed)
        found = []
        for task in listed:
            why = mismatch(task, filters, app_guid, places.get(task_app(task)))
            if why is None:
                found.append(task)
            else:
                self.left_out.append((task, why))
        return found

    def places(self, app_guids):
        """``{app GUID: (space GUID, org GUID)}`` for the apps (see ``learn_apps``); None where the API did not show it."""
        app_guids = list(app_guids)
        self.learn_apps(app_guids)
        places = {}
        for guid in set(app_guids):
            app = self.seen.get(guid)
            if app is not None:
                space = app.parent("space")
                known = self.seen.get(space)
                places[guid] = (space, known.parent("organization") if known is not None else None)
        return places

    def names(self, app_guids):
        """``{app GUID: (app name, space name, org name)}`` for the apps (see ``learn_apps``); None where unknown."""
        app_guids = list(app_guids)
        self.learn_apps(app_guids)
        names = {}
        for guid in set(g for g in app_guids if g is not None):
            app = self.seen.get(guid)
            space = self.seen.get(app.parent("space")) if app is not None else None
            org = self.seen.get(space.parent("organization")) if space is not None else None
            names[guid] = tuple(r.name if r is not None else None for r in (app, space, org))
        return names

    def learn_apps(self, app_guids):
        """Make the apps, their spaces and their orgs known, asking only for those not seen yet in this run.

        One ``GET /v3/apps?guids=&include=space.organization`` per PER_APPS_REQUEST apps not yet known
        (Cloud Controller includes the apps' spaces and their orgs). Every listed resource is taken by its own
        GUID and relationships, whatever the list was asked for.
        """
        def known(guid):
            app = self.seen.get(guid)
            space = self.seen.get(app.parent("space")) if app is not None else None
            return space is not None and space.parent("organization") in self.seen

        guids = sorted(set(g for g in app_guids if g is not None and id_problem(g) is None and "," not in g
                           and not known(g)))
        for start in range(0, len(guids), PER_APPS_REQUEST):
            self.apps(guids=guids[start:start + PER_APPS_REQUEST], include="space.organization")

    def organizations(self, **filters):
        return self._pages("/v3/organizations", filters, models.NamedPage, "organizations")

    def spaces(self, **filters):
        """(spaces, included) for ``names``, ``organization_guids``, ``include``... ."""
        return self._pages("/v3/spaces", filters, models.NamedPage, "spaces")

    def apps(self, **filters):
        return self._pages("/v3/apps", filters, models.NamedPage, "apps")

    def _pages(self, path, filters, model, what):
        """(every resource of every page, the ``included`` resources of all pages merged)."""
        origin = _origin(self.http.url(path))
        included = models.Included()
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
                self.seen.update((r.guid, r) for r in page.included.spaces + page.included.organizations)
            if model is models.NamedPage:
                self.seen.update((r.guid, r) for r in page.resources)
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
                return Outcome(Outcome.ACTED, self.http.request("POST", path, ok=(200, 202)).model(models.Task))
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
            # Each listed resource is checked against what was asked: a server may ignore a filter.
            orgs = _named(self.organizations(names=[org])[0], org)
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
            spaces = [s for s in _named(spaces, space)
                      if found["org"] is None or s.parent("organization") == found["org"]]
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
            orgs_of = dict((s.guid, s.parent("organization")) for s in included.spaces)
            apps = [a for a in _named(apps, app)
                    if (found["space"] is None or a.parent("space") == found["space"])
                    and (found["space"] is not None or found["org"] is None
                         or orgs_of.get(a.parent("space")) == found["org"])]
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
