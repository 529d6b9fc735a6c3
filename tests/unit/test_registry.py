"""The registry (tests/registry.py) and what it stands for cannot drift apart.

* Every module in ``plugins/modules`` has a row in ``registry.MODULES``, and every row a module file:
  a module added without its row fails here, before any cross-cutting suite silently skips it.
* Every row's API is in ``APIS``, and its module is in that API's action group (``module_defaults``
  reach a module only through its group, and the suites give credentials that way).
* Every registered API's environment variables are the ones the modules' argument specs read: the
  argument spec of each module (captured from the ``AnsibleModule`` it builds) is given the registry's
  environment, one variable at a time, and must read that variable into the option the registry
  says, and the API's doc fragment must name it for that option.
* ``tests/utils/with-simulator.sh --print-env URL`` prints exactly ``registry.environment(URL)`` plus
  ``JOBCTL_SIM_URL``, so the shell script (``make sim``, the smoke tests) and the suites sign in alike.
"""

import contextlib
import os
import shlex
import subprocess

import pytest
import yaml
from ansible.module_utils.common.parameters import set_fallbacks

import registry
import runner
from runner import argument_spec
from registry import APIS, MODULES, ROOT

BASE = "http://registry-check.invalid:8080"


@contextlib.contextmanager
def only_environment(variables):
    """The process environment with none of the APIs' variables but ``variables``."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_"))]:
        del os.environ[name]
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def variables_of(api):
    """{option: environment variable} as the registry pairs them for ``api``."""
    return dict(api._options)  # noqa: SLF001 - the registry keeps this pairing only here


def test_every_module_file_has_a_row_and_every_row_a_module_file():
    files = registry.module_files()
    assert files, "no module found in plugins/modules"
    assert sorted(set(files) - set(MODULES)) == [], "modules without a registry row"
    assert sorted(set(MODULES) - set(files)) == [], "registry rows without a module file"
    for name, module in MODULES.items():
        assert module.name == name


def test_every_row_names_a_registered_api_whose_action_group_holds_the_module():
    groups = runner.action_groups()
    for name, module in MODULES.items():
        assert module.api in APIS, (name, module.api)
        group = APIS[module.api].group
        assert group == "group/jobctl.cloud.%s" % group.rsplit(".", 1)[-1]
        assert name in groups.get(group.rsplit(".", 1)[-1], []), "%s is not in %s (meta/runtime.yml)" % (name, group)
    assert set(module.api for module in MODULES.values()) == set(APIS), "an API without a module"


def test_every_api_pairs_each_of_its_variables_with_one_option():
    for name, api in APIS.items():
        pairs = variables_of(api)
        assert sorted(pairs.values()) == sorted(api.env(BASE)), name
        assert len(set(pairs.values())) == len(pairs), name
        assert set(api.options(BASE)) == set(pairs), name
        for secret in api.secrets:
            assert secret in api.env(BASE).values(), (name, secret)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_the_registered_variables_are_the_ones_the_modules_argument_spec_reads(name):
    api = APIS[MODULES[name].api]
    spec = argument_spec(name)
    env = api.env(BASE)
    options = api.options(BASE)
    for option, variable in variables_of(api).items():
        assert option in spec, "%s has no option %s" % (name, option)
        assert spec[option].get("fallback"), "%s: %s reads no environment variable" % (name, option)
        # That variable alone, and nothing else, gives that option its value.
        with only_environment({variable: env[variable]}):
            params = {}
            set_fallbacks(spec, params)
        assert params == {option: env[variable]}, (name, variable, params)
        assert str(options[option]) == env[variable], (name, option)
        with only_environment({}):
            params = {}
            set_fallbacks(spec, params)
        assert option not in params, "%s: %s has a value with no variable set" % (name, option)
    # All of them at once: every option the registry sets, with the registry's values.
    with only_environment(env):
        params = {}
        set_fallbacks(spec, params)
    assert dict((o, params.get(o)) for o in options) == dict((o, str(v)) for o, v in options.items())


@pytest.mark.parametrize("api_name", sorted(APIS))
def test_the_doc_fragment_names_each_registered_variable_for_its_option(api_name):
    path = ROOT / "plugins" / "doc_fragments" / ("%s.py" % api_name)
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our own doc fragment
    documentation = yaml.safe_load(namespace["ModuleDocFragment"].DOCUMENTATION)
    for option, variable in variables_of(APIS[api_name]).items():
        assert option in documentation["options"], (api_name, option)
        description = documentation["options"][option]["description"]
        text = " ".join(description) if isinstance(description, list) else description
        assert "E(%s)" % variable in text, (api_name, option, variable)


def printed_environment(base):
    proc = subprocess.run(["bash", str(ROOT / "tests" / "utils" / "with-simulator.sh"), "--print-env", base],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    printed = []
    for line in proc.stdout.splitlines():
        words = shlex.split(line)
        assert len(words) == 2 and words[0] == "export" and "=" in words[1], line
        printed.append(tuple(words[1].split("=", 1)))
    names = [n for n, v in printed]
    assert len(names) == len(set(names)), "a variable printed twice: %s" % names
    return dict(printed)


@pytest.mark.parametrize("base", ["http://X", "http://127.0.0.1:43210"])
def test_with_simulator_prints_the_registrys_environment(base):
    assert printed_environment(base) == dict(registry.environment(base), JOBCTL_SIM_URL=base)


def test_every_registered_module_has_a_benchmark_operation_on_its_api():
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from operations import OPERATIONS

    operations = OPERATIONS.values() if isinstance(OPERATIONS, dict) else OPERATIONS
    measured = dict((op.module, op.api) for op in operations)
    assert set(measured) == set(MODULES), "make bench measures every module, and only modules that exist"
    for name, api in measured.items():
        assert api == MODULES[name].api, (name, api)
