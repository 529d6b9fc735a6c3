# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Run a module of this collection in the controller's worker instead of a process of its own.

Every task of ours is one or two HTTP calls; a module process costs more than the calls (start-up,
imports of ansible.module_utils, requests and the collection). When the task would run on the
controller anyway, with the controller's own Python, the module's ``main()`` runs here instead and
its result goes through the same controller code a module process's output goes through: the
arguments are the ones ``ActionBase._update_module_args`` gives a module, encoded as Ansible
encodes them for a module; the module prints its result as it always does (no_log masking,
``invocation``, warnings and deprecations are the module's own work); that output is parsed by
``ActionBase._parse_returned_data`` and cleaned as ``_execute_module`` cleans it. So ``changed``,
``failed``, ``msg``, ``diff``, warnings, no_log masking and a crash's traceback are the same either way.

It runs in-process only when all of these hold, otherwise the module runs as a process, as before:
the task's connection is ``local`` (``delegate_to: localhost`` included), no ``become``, no
``async``, the interpreter the task would use is the controller's own (``sys.executable``, as the
implicit localhost and the collection's role and fleet plays set it), the module's code imported,
and neither the controller's environment variable ``JOBCTL_CLOUD_IN_PROCESS`` nor the variable
``jobctl_cloud_in_process`` is false. The decision is printed at ``-vvv``.

Every use of ansible-core internals of this collection's action plugins is in this file; the
ansible-core series that need different code (2.16-2.18, 2.19-2.20, 2.21+) are told apart by
what they have, not by their version numbers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import io
import json
import os
import signal
import sys
import traceback

from ansible import constants as C
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

try:  # 2.19+: arguments and results are encoded by serialization profile
    from ansible.module_utils import _internal as module_internal
    from ansible.module_utils.common.json import Direction, get_module_encoder
except ImportError:  # 2.16-2.18
    module_internal = Direction = get_module_encoder = None

try:  # 2.19+: a crashed module's result is made by the AnsiballZ loader, in the module's process
    from ansible.module_utils._internal._ansiballz import _loader as ansiballz_loader
except ImportError:
    ansiballz_loader = None

try:
    from ansible.vars.clean import remove_internal_keys
except ImportError:  # pragma: no cover - 2.21+ cleans the result object itself
    remove_internal_keys = None

display = Display()

SWITCH_ENV = "JOBCTL_CLOUD_IN_PROCESS"
SWITCH_VAR = "jobctl_cloud_in_process"
# The serialization profile of a module without metadata (every module of this collection).
PROFILE = "legacy"
PREFIX = "jobctl.cloud"


MODULE_UTILS = "ansible_collections.jobctl.cloud.plugins.module_utils"


def import_module(name):
    """The code of ``jobctl.cloud.<name>``, or None when it cannot be imported here (the module then runs as a process).

    The payload models a run reads answers with are imported and built here too: a module process
    loads them only when it first needs one (module_utils/models.py), but here this runs once in the
    controller's main process, and every worker forked from it has them ready.
    """
    try:
        code = importlib.import_module("ansible_collections.jobctl.cloud.plugins.modules.%s" % name)
    except Exception as e:  # whatever a module's import raises on this controller, a process may not
        display.vvv("%s: the %s module cannot be imported in the controller (%s): it runs as a module process"
                    % (PREFIX, name, e))
        return None
    _warm_payloads()
    return code


def _warm_payloads():
    try:
        from pydantic import BaseModel
    except ImportError:  # the module's own run says pydantic is missing
        return
    for package in ("", "._hostup", "._cloudfoundry", "._vsp", "._bigchange"):
        try:
            payloads = importlib.import_module(MODULE_UTILS + package + ".payloads")
        except ImportError:
            continue
        for value in list(vars(payloads).values()):
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                try:
                    value.model_rebuild()
                except Exception:  # a model that cannot be built yet is built at its first use, as in a process
                    pass


class InProcessAction(ActionBase):
    """The action plugin of one module: ``MODULE`` is the module's code, imported when the plugin loads
    (the strategy loads action plugins in the controller's main process, so its workers inherit the import)."""

    MODULE = None
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(InProcessAction, self).run(tmp, task_vars)
        del tmp
        name = self._task.action
        reason = self._process_reason(task_vars)
        if reason:
            display.vvv("%s: running %s as a module process: %s" % (PREFIX, name, reason), host=self._host_name())
            # As ansible.builtin.normal runs a module.
            wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        display.vvv("%s: running %s in the controller's process (local connection, the controller's Python; "
                    "%s=false runs it as a module process)" % (PREFIX, name, SWITCH_ENV), host=self._host_name())
        return merge_hash(result, self._run_in_process(name, task_vars))

    def _host_name(self):
        host = getattr(self._task, "delegate_to", None) or getattr(self._play_context, "remote_addr", None)
        return str(host) if host else None

    # -- the decision -------------------------------------------------------------------------------------

    def _process_reason(self, task_vars):
        """Why this task runs as a module process, or None when it runs here."""
        if self.MODULE is None:
            return "the module's code could not be imported in the controller"
        if not _true(os.environ.get(SWITCH_ENV, "true")):
            return "%s is %s" % (SWITCH_ENV, os.environ.get(SWITCH_ENV))
        switch = task_vars.get(SWITCH_VAR, True)
        try:
            switch = self._templar.template(switch)
        except Exception:  # an undefined or broken value: the usual way is the safe one
            return "%s could not be read" % SWITCH_VAR
        if not _true(switch):
            return "%s is false" % SWITCH_VAR
        if self._task.async_val:
            return "async is set"
        if self._play_context.become or getattr(self._connection, "become", None) is not None:
            return "become is set"
        if getattr(self._connection, "transport", None) not in ("local", "ansible.builtin.local"):
            return "the connection is %s, not local" % getattr(self._connection, "transport", "unknown")
        interpreter = self._interpreter(task_vars)
        if interpreter is None:
            return "the interpreter is discovered, not set to the controller's %s" % sys.executable
        if _path(interpreter) != _path(sys.executable):
            return "the interpreter is %s, not the controller's %s" % (interpreter, sys.executable)
        return None

    def _interpreter(self, task_vars):
        """The Python a module process would use, when it is named rather than discovered (as
        executor/module_common.py's _get_shebang finds it: the variable, else the configuration)."""
        use_vars = task_vars
        if self._task.delegate_to:
            use_vars = (task_vars.get("ansible_delegated_vars") or {}).get(self._task.delegate_to) or {}
        try:
            value = self._templar.template(C.config.get_config_value("INTERPRETER_PYTHON", variables=use_vars))
        except Exception:  # an undefined variable, say: the module process will say what is wrong
            return None
        if not isinstance(value, str) or not value.strip() or value.strip().startswith("auto"):
            value = (use_vars.get("ansible_facts") or {}).get("discovered_interpreter_python")
        return value.strip() if isinstance(value, str) and value.strip() else None

    # -- the run ------------------------------------------------------------------------------------------

    def _run_in_process(self, name, task_vars):
        module_args = self._task.args.copy()
        self._update_module_args(name, module_args, task_vars)
        encoded = _encode_args(module_args)
        environment = dict(getattr(self._connection._shell, "env", None) or {})
        raw = {}
        self._compute_environment_string(raw)
        environment.update(raw)
        host = self._host_name()
        rc, stdout, stderr = _call_main(self.MODULE, encoded, environment,
                                        progress=lambda text: display.v("%s: %s" % (name, text), host=host))
        return self._result_of(rc, stdout, stderr)

    def _result_of(self, rc, stdout, stderr):
        """The module's output made into a task result, as ActionBase._execute_module makes it."""
        res = {"rc": rc, "stdout": stdout, "stdout_lines": stdout.splitlines(),
               "stderr": stderr, "stderr_lines": stderr.splitlines()}
        if get_module_encoder is None:
            data = self._parse_returned_data(res)
        else:
            data = self._parse_returned_data(res, PROFILE)
        if hasattr(data, "as_result_dict"):  # 2.21+: a result object
            data.remove_internal_keys()
            return data.as_result_dict(for_round_trip=True)
        data.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(data)
        for stream in ("stdout", "stderr"):
            if stream in data and "%s_lines" % stream not in data:
                data["%s_lines" % stream] = (data.get(stream) or "").splitlines()
        return data


def _true(value):
    try:
        return boolean(value, strict=False)
    except TypeError:
        return True


def _path(value):
    # Not resolved through symbolic links: a venv's python links to its base interpreter, whose
    # libraries are not the venv's.
    return os.path.normpath(os.path.abspath(os.path.expanduser(value)))


def _encode_args(module_args):
    """The arguments as a module process gets them (executor/module_common.py encodes them so)."""
    params = dict(ANSIBLE_MODULE_ARGS=module_args)
    if get_module_encoder is None:
        # Only here: 2.21 deprecates this name, and says so when it is imported.
        from ansible.module_utils.common.json import AnsibleJSONEncoder
        return json.dumps(params, cls=AnsibleJSONEncoder, vault_to_text=True).encode("utf-8")
    return json.dumps(params, cls=get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)).encode("utf-8")


def _call_main(module, encoded, environment, progress=None):
    """Run ``module.main()`` as a module process would run it; returns (rc, stdout, stderr).

    ``progress`` is given the lines a long wait shows (module_utils/base.py's PROGRESS), which a
    module process has no display to show.

    What a module process has of its own and this process shares is set for the run and put back:
    the arguments and profile in ansible.module_utils.basic, the warnings and deprecations gathered,
    whether ansible.module_utils code thinks it runs on the controller (2.19+: a controller sends
    warnings to its display instead of into the result), the environment, the working directory,
    the standard streams and the SIGTERM/SIGINT handlers.
    """
    saved_env = dict(os.environ)
    saved_cwd = _cwd()
    saved_streams = (sys.stdout, sys.stderr)
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    saved_controller = getattr(module_internal, "is_controller", None)
    module_base = sys.modules.get("ansible_collections.jobctl.cloud.plugins.module_utils.base")
    out, err = io.StringIO(), io.StringIO()
    rc = 0
    _reset_module_state()
    try:
        os.environ.update({str(k): str(v) for k, v in environment.items()})
        basic._ANSIBLE_ARGS = encoded
        if module_internal is not None:
            basic._ANSIBLE_PROFILE = PROFILE
            module_internal.is_controller = False
        sys.stdout, sys.stderr = out, err
        if module_base is not None:
            module_base.PROGRESS = progress
        try:
            module.main()
            raise RuntimeError("New-style module did not handle its own exit.")
        except SystemExit as stop:
            rc = _exit_code(stop.code)
        except Exception as crash:  # what the module's process would have made of it
            rc = 1
            if ansiballz_loader is not None:
                try:
                    ansiballz_loader._handle_exception(crash, PROFILE)
                except SystemExit as stop:
                    rc = _exit_code(stop.code) or 1
            else:
                err.write(traceback.format_exc())
    finally:
        sys.stdout, sys.stderr = saved_streams
        if module_base is not None:
            module_base.PROGRESS = None
        if module_internal is not None:
            module_internal.is_controller = saved_controller
        _reset_module_state()
        os.environ.clear()
        os.environ.update(saved_env)
        if saved_cwd is not None:
            try:
                os.chdir(saved_cwd)
            except OSError:
                pass
        for signum, handler in saved_signals.items():
            if handler is not None:
                signal.signal(signum, handler)
    return rc, out.getvalue(), err.getvalue()


def _reset_module_state():
    basic._ANSIBLE_ARGS = None
    if hasattr(basic, "_ANSIBLE_PROFILE"):
        basic._ANSIBLE_PROFILE = None
    basic._PARSED_MODULE_ARGS = None
    for name in ("_global_warnings", "_global_deprecations"):
        store = getattr(module_warnings, name, None)
        if store is not None:
            store.clear()


def _exit_code(code):
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _cwd():
    try:
        return os.getcwd()
    except OSError:
        return None
