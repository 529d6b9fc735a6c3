"""Run a module's ``main()`` in this process, with the arguments and result Ansible would give and get.

A module process costs ~0.3 s of start-up and an ``ansible-playbook`` run ~5 s; a module run here
costs what its own code costs. What Ansible does around a module is reproduced, not mocked:

* arguments go through ``AnsibleModule`` exactly as from a task (``_ansible_check_mode``,
  ``_ansible_diff``, ``_ansible_verbosity``, the module_defaults of its action group, merged as
  Ansible merges them, read from ``meta/runtime.yml``);
* the result is what ``exit_json``/``fail_json`` would print (no_log values masked, ``invocation``,
  warnings and deprecations), serialised and read back as JSON;
* an exception out of the module becomes the ``MODULE FAILURE`` result Ansible makes of a crashed
  module, traceback included, so a suite that looks for tracebacks still finds them.

Runs may go on in several threads at once (two runs racing for one job): each thread has its own
arguments, result, warnings and deprecations. ``env`` changes the process environment, so runs
given one hold a lock for their whole run.

ansible-core keeps module state in globals (the arguments, the warnings, whether it runs on a
controller); every use of those internals is in this file.
"""

import contextlib
import copy
import importlib
import json
import os
import threading
import traceback
from pathlib import Path

import yaml
from ansible.module_utils import _internal, basic
from ansible.module_utils.common import json as ansible_json
from ansible.module_utils.common import warnings as ansible_warnings

ROOT = Path(__file__).resolve().parent.parent
COLLECTION = "jobctl.cloud"
PROFILE = "legacy"

_local = threading.local()
_install_lock = threading.Lock()
_env_lock = threading.RLock()
_controller_lock = threading.Lock()
_running = [0]
_installed = [False]


class _PerThread(dict):
    """A dict that is a different dict in each thread: ansible-core's global warnings and deprecations."""

    def _mine(self):
        store = getattr(_local, "stores", None)
        if store is None:
            store = _local.stores = {}
        return store.setdefault(id(self), {})

    def __setitem__(self, key, value):
        self._mine()[key] = value

    def __getitem__(self, key):
        return self._mine()[key]

    def __contains__(self, key):
        return key in self._mine()

    def __iter__(self):
        return iter(list(self._mine()))

    def __len__(self):
        return len(self._mine())

    def __bool__(self):
        return bool(self._mine())

    def keys(self):
        return self._mine().keys()

    def items(self):
        return self._mine().items()

    def values(self):
        return self._mine().values()

    def clear(self):
        self._mine().clear()

    def copy(self):
        return dict(self._mine())


def _load_params():
    args = getattr(_local, "args", None)
    if args is None:
        raise RuntimeError("no module arguments in this thread: run modules with runner.run_module")
    # Read by ansible-core to decide whether failures carry tracebacks (the same for every run here).
    basic._PARSED_MODULE_ARGS = copy.deepcopy(args)
    return copy.deepcopy(args)


def _record_module_result(self, result):
    encoder = ansible_json.get_module_encoder(PROFILE, ansible_json.Direction.MODULE_TO_CONTROLLER)
    _local.result = json.loads(json.dumps(result, cls=encoder))


def _install():
    with _install_lock:
        if _installed[0]:
            return
        basic._load_params = _load_params
        basic._ANSIBLE_PROFILE = PROFILE
        basic.AnsibleModule._record_module_result = _record_module_result
        ansible_warnings._global_warnings = _PerThread()
        ansible_warnings._global_deprecations = _PerThread()
        _installed[0] = True


@contextlib.contextmanager
def _module_side():
    """While any module runs, ansible-core must think it runs on a target: warnings go into the result.

    (A process that loaded controller code, an inventory plugin's test say, sends them to its Display.)
    """
    with _controller_lock:
        if _running[0] == 0:
            _running.append(_internal.is_controller)
            _internal.is_controller = False
        _running[0] += 1
    try:
        yield
    finally:
        with _controller_lock:
            _running[0] -= 1
            if _running[0] == 0:
                _internal.is_controller = _running.pop()


@contextlib.contextmanager
def _environment(env):
    if env is None:
        yield
        return
    with _env_lock:
        saved = dict(os.environ)
        os.environ.update({k: str(v) for k, v in env.items() if v is not None})
        for key in [k for k, v in env.items() if v is None]:
            os.environ.pop(key, None)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


_groups = {}


def action_groups():
    """``{group name: [module names]}`` from meta/runtime.yml, as Ansible reads it for module_defaults."""
    if not _groups:
        runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
        for group, members in runtime.get("action_groups", {}).items():
            _groups[group] = [m for m in members if isinstance(m, str)]
    return _groups


def defaults_for(module, defaults):
    """The module_defaults that apply to ``module``: its groups' first, then its own (as Ansible orders them)."""
    merged = {}
    for key, values in (defaults or {}).items():
        if key.startswith("group/"):
            group = key[len("group/"):]
            if group.startswith(COLLECTION + "."):
                group = group[len(COLLECTION) + 1:]
            if module in action_groups().get(group, []):
                merged.update(values)
    for key, values in (defaults or {}).items():
        if key in (module, "%s.%s" % (COLLECTION, module)):
            merged.update(values)
    return merged


def module_args(module, args, check=False, diff=False, verbosity=0, defaults=None):
    """The arguments a task would send: module_defaults under the task's own, plus Ansible's internal ones."""
    merged = defaults_for(module, defaults)
    merged.update(args or {})
    merged.update({
        "_ansible_check_mode": bool(check),
        "_ansible_diff": bool(diff),
        "_ansible_verbosity": verbosity,
        "_ansible_no_log": False,
        "_ansible_debug": False,
        "_ansible_module_name": "%s.%s" % (COLLECTION, module),
        "_ansible_remote_tmp": "/tmp",
        "_ansible_keep_remote_files": False,
        # As ansible-playbook sends it by default: no traceback in a failure's result.
        "_ansible_tracebacks_for": [],
    })
    return merged


def run_module(module, args=None, check=False, diff=False, verbosity=0, defaults=None, env=None):
    """Run ``jobctl.cloud.<module>`` with ``args`` here and return its result, as a task would get it.

    ``defaults`` is a play's ``module_defaults`` (``{"group/jobctl.cloud.hostup": {...}}``); ``env``
    sets (or, with None, removes) environment variables for this run only.
    """
    _install()
    code = importlib.import_module("ansible_collections.jobctl.cloud.plugins.modules.%s" % module)
    _local.args = module_args(module, args, check, diff, verbosity, defaults)
    _local.result = None
    ansible_warnings._global_warnings.clear()
    ansible_warnings._global_deprecations.clear()
    rc = 0
    try:
        with _environment(env), _module_side():
            try:
                code.main()
            except SystemExit as stop:
                rc = stop.code or 0
            except Exception:  # a crash: what Ansible makes of a module process that died with a traceback
                text = traceback.format_exc()
                return {"failed": True, "rc": 1, "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error",
                        "module_stderr": text, "exception": text}
    finally:
        _local.args = None
    result = _local.result
    if result is None:
        return {"failed": True, "rc": rc, "msg": "MODULE FAILURE: the module exited (%s) without a result" % rc}
    result.setdefault("changed", False)
    # As a registered result shows them: the messages (ansible-core 2.19 sends richer objects).
    if "warnings" in result:
        result["warnings"] = warnings_of(result)
    if "deprecations" in result:
        result["deprecations"] = [_message(d) for d in result["deprecations"]]
    if rc and not result.get("failed"):
        result["failed"] = True
    return result


def module_class(module):
    """The JobctlModule subclass that ``jobctl.cloud.<module>`` runs."""
    from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule

    code = importlib.import_module("ansible_collections.jobctl.cloud.plugins.modules.%s" % module)
    found = [c for c in vars(code).values()
             if isinstance(c, type) and issubclass(c, JobctlModule) and c.__module__ == code.__name__]
    assert len(found) == 1, "%s defines %d module classes" % (module, len(found))
    return found[0]


def argument_spec(module):
    """Every option ``jobctl.cloud.<module>`` takes, as it hands them to AnsibleModule (no run, no request)."""
    return module_class(module).argument_spec()


def _message(item):
    if isinstance(item, dict):
        return item.get("msg") or (item.get("event") or {}).get("msg") or json.dumps(item)
    return item


def warnings_of(result):
    """The result's warnings as text, whatever form ansible-core gives them in."""
    return [_message(w) for w in result.get("warnings") or []]
