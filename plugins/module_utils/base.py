# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every jobctl.cloud module shares: the run's phases, their types, and the result.

A module is a subclass of its API's module class (``HostupModule``, ...) with the phases a user
reads in its documentation::

    select  -> what the options name, read from the API (only reads)
    decide  -> what would change, from what was read (no requests); in check mode, the prediction
    act     -> make the changes (skipped in check mode); the API client decides each outcome
    wait    -> with wait: true, until the work has really stopped; returns a Waited
    report  -> the result, built from what the phases left

A mutating module works on ``Item``s (one per object: its ID, the object before, the Outcome the
client decided or the error that ended it, the object after); ``Results`` turns them into what
changed, what failed and the warnings. ``main()`` runs the phases; whatever ends a run early (a
request that failed, a wait that timed out) still reports what the phases had done by then.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import signal
import threading

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.jobctl.cloud.plugins.module_utils import clock
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import choose_credential
from ansible_collections.jobctl.cloud.plugins.module_utils.client import (
    HAS_REQUESTS,
    RETRY_AFTER_CAP,
    REQUESTS_IMPORT_ERROR,
    HttpClient,
    Watch,
    watching,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Outcome, Secrets, SelectionError
from ansible_collections.jobctl.cloud.plugins.module_utils.models import HAS_PYDANTIC, PYDANTIC_IMPORT_ERROR, MissingPydantic
from ansible_collections.jobctl.cloud.plugins.module_utils.options import (
    env_names,
    http_argument_spec,
    http_problems,
    id_problem,
    proxy_password,
    is_set,
    missing_problem,
    secret_problem,
    unique,
    url_problem,
)


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


# How many failures a ``msg`` names; the rest are counted (the result lists every one).
NAMED_FAILURES = 5


def plural(count, noun, nouns=None):
    """"1 job", "2 jobs" (``nouns`` where adding an s is wrong)."""
    return "%d %s" % (count, noun if count == 1 else (nouns or noun + "s"))


def first_few(items, describe=str, separator="; ", limit=NAMED_FAILURES):
    """``describe(item)`` of the first ``limit`` items joined, then "... and N more": a message whose
    length does not grow with the number of items (only the first few are described)."""
    items = list(items)
    joined = separator.join(describe(item) for item in items[:limit])
    if len(items) > limit:
        joined += "%s... and %d more (the result lists them all)" % (separator, len(items) - limit)
    return joined


# -- the phases' types ---------------------------------------------------------------------------

class Item:
    """One object a mutating module acts on, through every phase.

    ``id`` is the object's ID as the user named it (or the API listed it); ``before`` the object as
    first read (None when it was not found); ``after`` as last seen (in check mode, as a real run
    would leave it); ``outcome`` the Outcome the API client decided (None while the work is still
    to do); ``error`` the ApiError that ended the item's work; ``parent`` the ID of the object it
    belongs to, where its path needs one (the VPS of a backup).
    """

    __slots__ = ("id", "before", "after", "outcome", "error", "parent")

    def __init__(self, id, before=None, parent=None):
        self.id = id
        self.before = before
        self.after = before
        self.outcome = None
        self.error = None
        self.parent = parent

    @property
    def todo(self):
        """Still to be acted on: nothing decided about it yet."""
        return self.outcome is None and self.error is None

    def settle(self, outcome):
        self.outcome = outcome
        if outcome.obj is not None:
            self.after = outcome.obj
        return outcome

    def predict(self, after=None):
        """Check mode: the change a real run would make, and the object as it would leave it."""
        return self.settle(Outcome(Outcome.ACTED, after))

    @property
    def changed(self):
        return self.outcome is not None and self.outcome.changed

    @property
    def failed(self):
        return self.error is not None or (self.outcome is not None and self.outcome.refused)

    @property
    def reason(self):
        """Why the item failed: the error's message or the refusal's reason."""
        if self.error is not None:
            return self.error.msg
        return self.outcome.reason if self.outcome is not None else None

    @property
    def problem(self):
        """The API's words of the failure, when a request failed."""
        error = self.error if self.error is not None else (self.outcome.error if self.outcome is not None else None)
        return error.problem if error is not None else None

    def __repr__(self):
        return "Item(%r, %r, error=%s)" % (self.id, self.outcome, self.error is not None)


class Results:
    """The one result builder of the mutating modules: from their items, what changed and what failed."""

    def __init__(self, items):
        self.items = list(items)

    @property
    def changed(self):
        return any(item.changed for item in self.items)

    @property
    def acted(self):
        return [item for item in self.items if item.changed]

    @property
    def failed(self):
        return [item for item in self.items if item.failed]

    @property
    def problem(self):
        """The API's words of the first failure that has them."""
        return next((item.problem for item in self.failed if item.problem is not None), None)

    def named(self, describe, separator="; ", limit=NAMED_FAILURES):
        """The failures for a ``msg``: ``describe(item)`` of the first ``limit``, then how many more.

        Every module's failure message is built here, so that 600 failures make a message as long as 6:
        the per-item lists of the result (``not_canceled``, ``errors``, ...) name them all.
        """
        return first_few(self.failed, describe, separator, limit)

    def summary(self, verbs, noun, check_mode, label=None, why=None, nouns=None, also=()):
        """The ``msg`` of a successful run, one line whatever the number of items: what was done to how many of
        how many, naming the first few, then how many were left alone and why.

        ``verbs`` is (past, infinitive), e.g. ("canceled", "cancel"); ``label(item)`` names an item (its ID by
        default); ``why(item)`` says why an item this run left
        alone needed nothing ("already CANCELLED"); items with the same reason are counted together.
        E.g. "canceled 2 of 4 jobs (4211, 4212); 1 already CANCELLED; 1 already ended (COMPLETE)".
        ``also`` counts objects asked for that never became items: (phrase, count) pairs.
        """
        total = len(self.items) + sum(count for dummy, count in also)
        if not total:
            return "nothing to %s: no %s given" % (verbs[1], nouns or noun + "s")
        acted = self.acted
        done = ("would %s" % verbs[1]) if check_mode else verbs[0]
        text = "%s %d of %s" % (done, len(acted), plural(total, noun, nouns))
        if acted:
            text += " (%s)" % first_few(acted, label or (lambda item: str(item.id)), ", ")
        groups = {}
        for item in self.items:
            if not item.changed and not item.failed:
                phrase = why(item) if why is not None else "needed nothing"
                groups[phrase] = groups.get(phrase, 0) + 1
        for phrase, count in also:
            if count:
                groups[phrase] = groups.get(phrase, 0) + count
        for phrase, count in groups.items():
            text += "; %d %s" % (count, phrase)
        return text

    def warnings(self, label=None):
        """The warnings of the outcomes (answers lost, then found in place), each prefixed by ``label(item)``."""
        out = []
        for item in self.items:
            warning = item.outcome.warning if item.outcome is not None else None
            if warning:
                out.append("%s: %s" % (label(item), warning) if label else warning)
        return out


# Set while a module runs in the controller's process (plugins/plugin_utils/in_process.py): a callable
# that shows a line of text at -v. A module process has no display to talk to, so it stays None there.
PROGRESS = None


def _progress(text):
    """A line at -v while the module runs in the controller's process; nothing otherwise."""
    if PROGRESS is not None:
        PROGRESS(text)


def progress_every(timeout):
    """Seconds between two progress lines of a wait: every 30 s, or a tenth of a shorter wait_timeout (5 s at least)."""
    return min(30.0, max(5.0, timeout / 10.0))


class Waited:
    """What a wait ended with (kubernetes.core's waiter returns the same): ``ok``, or the timeout's message.

    A timeout does not lose the result: the phases' objects hold what was last seen, and the run
    reports them before it fails.
    """

    def __init__(self, ok=True, value=None, msg=None):
        self.ok = ok
        self.value = value
        self.msg = msg


WAITED = Waited()


# -- the module --------------------------------------------------------------------------------

class JobctlModule:
    """An AnsibleModule with the collection's shared options, checks and run.

    Subclasses (one per API) provide ``API`` (an ApiSpec), ``CREDENTIALS`` (the kinds of credential
    it takes, in the order they win) and ``make_client()``; a module's own class gives
    ``ARGUMENT_SPEC``, ``CONSTRAINTS`` and its phases.
    """

    API = None
    CREDENTIALS = ()
    ARGUMENT_SPEC = {}
    CONSTRAINTS = {}

    @classmethod
    def argument_spec(cls):
        """Every option a module of this class takes: the HTTP options, its API's, its own."""
        spec = http_argument_spec(cls.API.env_prefix)
        spec.update(cls.API.argument_spec)
        spec.update(cls.ARGUMENT_SPEC)
        return spec

    def __init__(self, supports_check_mode=True):
        spec = self.spec = self.argument_spec()
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode,
                                    **_merge_constraints(self.API.constraints, self.CONSTRAINTS))
        self.params = self.module.params
        # A value of only whitespace is no secret (such a credential counts as unset): masked, it would
        # turn every space of every message into ********.
        self.module.no_log_values.difference_update([v for v in self.module.no_log_values if not is_set(v)])
        self.secrets = Secrets()
        for option, option_spec in spec.items():
            if option_spec.get("no_log"):
                self.secrets.add(self.params.get(option))
        # A proxy URL is shown (as scheme://host:port), its password never: masked from the start.
        for password in proxy_password(self.params.get("proxy")):
            self.learn_secret(password)
        self._http_clients = []
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if not HAS_PYDANTIC:
            self.fail_pydantic(PYDANTIC_IMPORT_ERROR)
        self.credential = None
        self._check_options()
        self._client = None
        self._watch = None

    def fail_pydantic(self, import_error):
        self.module.fail_json(msg=missing_required_lib("pydantic (version 2)"), exception=import_error)

    # -- input checks, before any request ----------------------------------------------------------
    def _check_options(self):
        for option in self.API.needed:
            if not is_set(self.params.get(option)):
                self.fail(missing_problem(option, env_names(self.spec[option])))
        if self.CREDENTIALS:
            self.credential, problem = choose_credential(self.CREDENTIALS, self.params, self.spec)
            if problem:
                self.fail(problem)
        for option, option_spec in self.spec.items():
            if option_spec.get("no_log") and is_set(self.params.get(option)):
                problem = secret_problem(option, self.params.get(option), option in self.API.header_secrets)
                if problem:
                    self.fail(problem)
        for option in self.API.url_options:
            value = self.params.get(option)
            if value is not None:
                problem = url_problem(value)
                if problem is None and option == "api_url":
                    problem = self.API.api_url_problem(value)
                if problem:
                    # A refused URL may carry a password or a signed query: masked wherever Ansible
                    # would show it (the invocation in the result included).
                    self.learn_secret(value)
                    self.fail("%s %s (the value is not shown)" % (option, problem))
        for problem in http_problems(self.params):
            self.fail(problem)

    def check_id(self, option, value, pattern=None, example=None):
        """Refuse an ID that could escape its path segment, or that has the wrong form, before any request."""
        problem = id_problem(value, pattern, example)
        if problem:
            self.fail("%s %s" % (option, problem))
        return str(value)

    def ids(self, option, check):
        """The values of a list option, each checked by ``check(option, value)`` before any request,
        in the order given and without repeats."""
        return unique(self.params[option], lambda value: check(option, value))

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

    def token(self):
        """The run's token, from the credential chosen before any request."""
        return self.credential.token(self.params, self.learn_secret)

    def learn_secret(self, value):
        """A secret fetched during the run (a token): masked in results and removed from messages."""
        if is_set(value):
            self.module.no_log_values.add(value)
            self.secrets.add(value)

    def unmask(self, value):
        """A secret of the run that no longer grants anything (a rotated XSRF token): Ansible stops masking
        it in the result, so that its masking costs the same however many requests the run made. Messages
        are still scrubbed of it."""
        self.module.no_log_values.discard(value)

    def http_client(self, base_url, **kwargs):
        params = self.params
        http = HttpClient(self.API.name, base_url, timeout=params["timeout"], validate_certs=params["validate_certs"],
                          ca_path=params["ca_path"], client_cert=params["client_cert"], client_key=params["client_key"],
                          proxy=params["proxy"], no_proxy=params["no_proxy"],
                          rate_limit_max_wait=params["rate_limit_max_wait"], progress=_progress,
                          env_prefix=self.API.env_prefix, retries=params["retries"], secrets=self.secrets,
                          not_found=self.API.not_found, url_hint=self.API.url_hint, **kwargs)
        if http.insecure_warning:
            # One warning of the run, instead of urllib3's InsecureRequestWarning for every request.
            self.warn(http.insecure_warning)
        self._http_clients.append(http)
        return http

    def _tell_rate_limit_waits(self):
        """A run that spent a minute or more waiting for rate limits says so: a slow run is explained."""
        waited = sum(http.rate_limit_waited for http in self._http_clients)
        if waited >= RETRY_AFTER_CAP:
            self.warn("the run waited %d seconds in all for the %s's rate limits (Retry-After; rate_limit_max_wait is "
                      "%d)" % (waited, self.API.name, self.params["rate_limit_max_wait"]))

    # -- results -------------------------------------------------------------------------------
    def fail(self, msg, **result):
        result.setdefault("changed", False)
        self.module.fail_json(msg=self.secrets.scrub(msg), **result)

    def warn(self, msg):
        self.module.warn(self.secrets.scrub(msg))

    def diff(self, before, after):
        """The diff key of a result, in diff mode only."""
        return {"diff": {"before": before, "after": after}} if self.diff_mode else {}

    # -- the run -------------------------------------------------------------------------------
    # ``items`` is the run's state: what select returned (a mutating module's Items, an _info
    # module's objects), which each later phase takes, works on and returns.
    def select(self):
        raise NotImplementedError

    def decide(self, items):
        return items

    def act(self, items):
        return items

    def wait(self, items):
        return WAITED

    def report(self, items):
        """The result (a dict with ``changed``) from what the phases left; called however the run ends."""
        raise NotImplementedError

    def failure(self, items):
        """``(msg, problem)`` when the run must fail after its work (items that could not be handled), else None."""
        return None

    def summary(self, items):
        """The ``msg`` of a successful run: what it did, in one line (a mutating module's; None for _info modules)."""
        return None

    # What a module's log lines call its change ("cancel", "delete"), and how they name an item.
    CHANGE = "change"

    def label(self, item):
        return "%s/%s" % (item.parent, item.id) if item.parent is not None else str(item.id)

    def record(self, item, done):
        """Log one change as it happens (Ansible's module logging: syslog or journald where the module runs),
        so that a run killed from above still leaves a record: IDs and outcomes only, never an answer's words."""
        if done is None:
            line = "%s %s: sending" % (self.CHANGE, self.label(item))
        elif item.error is not None:
            line = "%s %s: failed%s" % (self.CHANGE, self.label(item), " (answer lost)" if item.error.lost else "")
        elif item.outcome is not None:
            line = "%s %s: %s%s" % (self.CHANGE, self.label(item), item.outcome.kind,
                                    ", changed" if item.outcome.changed else "")
        else:
            line = "%s %s: done" % (self.CHANGE, self.label(item))
        try:
            # The line holds IDs and outcome names only; Ansible masks the no_log values in it. (Not
            # Secrets.scrub: its cost grows with the secrets learned, a VSP XSRF token per request.)
            self.module.log(line)
        except Exception:  # pylint: disable=broad-except
            # A log that cannot be written (no syslog socket) never stops the work it records.
            pass

    def _catch_signals(self, watch):
        """SIGTERM and SIGINT (a direct kill, AWX's cancel) set ``watch.reason``: no new change starts, those
        in flight are settled, and the run reports what it did. Returns the handlers to put back."""
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(signum, frame):
            watch.stop("the module received %s" % signal.Signals(signum).name)

        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[signum] = signal.signal(signum, stop)
            except (ValueError, OSError):  # pragma: no cover - not the main thread after all
                pass
        return previous

    @staticmethod
    def _restore_signals(previous):
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def main(self):
        """select -> decide -> act (unless check mode) -> wait (when asked) -> report.

        While act and wait run, SIGTERM and SIGINT stop the run between items (client.Watch): the
        module then fails with what it did, in its usual keys. Each change is logged as it happens.
        """
        state = None
        failure = None
        self._watch = watch = Watch()
        try:
            state = self.select()
            state = self.decide(state)
            previous_watch = watching(watch)
            previous_handlers = self._catch_signals(watch)
            try:
                if not self.check_mode:
                    watch.record = self.record
                    try:
                        state = self.act(state)
                    finally:
                        watch.record = None
                if self.params.get("wait") and not self.check_mode and watch.reason is None:
                    waited = self.wait(state)
                    if not waited.ok:
                        failure = (waited.msg, None)
            finally:
                self._restore_signals(previous_handlers)
                watching(previous_watch)
        except ApiError as error:
            failure = (error.msg, error.problem)
        except SelectionError as error:
            failure = (str(error), None)
        except MissingPydantic as error:
            # pydantic was on the import path when the run began (HAS_PYDANTIC), but importing it failed
            # where the first model was needed: the same failure as a pydantic missing from the start.
            self.fail_pydantic(error.import_error)
        result = self.report(state) if state is not None else {"changed": False}
        failure = failure or self.failure(state)
        self._tell_rate_limit_waits()
        if watch.reason is not None:
            stopped = ("%s: it started no new change after it and settled those under way; the result lists "
                       "what was done" % watch.reason)
            failure = ("%s. %s" % (stopped, failure[0]) if failure is not None else stopped,
                       failure[1] if failure is not None else None)
        if failure is not None:
            msg, problem = failure
            if problem is not None:
                result["problem"] = problem
            self.fail(msg, **result)
        if "msg" not in result and state is not None:
            msg = self.summary(state)
            if msg:
                result["msg"] = self.secrets.scrub(msg)
        self.module.exit_json(**result)

    def wait_for(self, poll, what):
        """Call ``poll()`` until it returns True, or wait_timeout passes; returns a Waited (never fails itself)."""
        timeout = self.params["wait_timeout"]
        started = clock.CLOCK.monotonic()
        deadline = started + timeout
        every = progress_every(timeout)
        report_at = started + every
        watch = self._watch
        while True:
            if watch is not None and watch.reason is not None:
                return Waited(False, msg="stopped while waiting for %s" % what)
            if poll():
                return WAITED
            now = clock.CLOCK.monotonic()
            if now >= deadline:
                return Waited(False, msg="timed out after %s seconds waiting for %s" % (timeout, what))
            if PROGRESS is not None and now >= report_at:
                PROGRESS("still waiting for %s: %d of at most %s seconds" % (what, now - started, timeout))
                report_at = now + every
            clock.CLOCK.sleep(min(self.params["wait_sleep"], max(0.0, deadline - now)))
