"""AWX as code (playbooks/awx_setup.yml) and docs/awx.md: the credential types, valid as AWX would take
them and working; the playbook's awx.awx tasks; a long wait in the background.

The credential types are read from the playbook itself, so what AWX gets is what is tested.
Injection is done the way AWX does it (tests/harness.py awx_inject: a sandboxed Jinja environment
whose namespace holds only the fields that were filled in, and the files of the file injectors):
that is AWX's own part. The modules then run with only that environment against the simulator,
with secrets no test uses elsewhere, which must not appear anywhere in their results. Reading the
environment is the modules' own behaviour, so they run in this process (tests/runner.py), at -vvv's
verbosity; what Ansible itself prints at -vvv is the secret suite's business
(tests/integration/test_secrets.py runs every module through ansible-playbook).

The playbook needs awx.awx (tests/utils/awx-collection.sh, make awx-collection): its syntax check
resolves the modules, and every argument of its tasks must be an option those modules document
(ansible-lint does not check that). No AWX runs here.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import module as bigchange
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import module as hostup
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import auth as vsp

from harness import (AWX_COLLECTIONS, AWX_SETUP, COLLECTIONS, ROOT, ansible_env, awx_credential_types, awx_inject,
                     awx_setup_playbook, run_playbook)
from registry import APIS

PAGE = ROOT / "docs" / "awx.md"
BIN = Path(sys.executable).parent
AWX_COLLECTION = AWX_COLLECTIONS / "ansible_collections" / "awx" / "awx"

# The environment variable prefix of each API, by the playbook's key of its credential type.
PREFIXES = {"hostup": "HOSTUP", "cloudfoundry": "CF", "vsp": "VSP", "bigchange": "BIGCHANGE"}
# What the modules read (their documentation's env entries): every variable, and the options that are no_log.
VARIABLES = {
    "hostup": {"HOSTUP_API_KEY", "HOSTUP_API_URL"},
    "cloudfoundry": {"CF_API_URL", "CF_USERNAME", "CF_PASSWORD", "CF_CLIENT_ID", "CF_CLIENT_SECRET",
                     "CF_ACCESS_TOKEN"},
    "vsp": {"VSP_API_URL", "VSP_TOKEN_URL", "VSP_USERNAME", "VSP_PASSWORD", "VSP_CLIENT_ID",
            "VSP_CLIENT_SECRET", "VSP_ACCESS_TOKEN"},
    "bigchange": {"BIGCHANGE_CUSTOMER_ID", "BIGCHANGE_API_URL", "BIGCHANGE_TOKEN_URL", "BIGCHANGE_CLIENT_ID",
                  "BIGCHANGE_CLIENT_SECRET", "BIGCHANGE_ACCESS_TOKEN"},
}
# The connectivity options every module and the inventory take (the interface, "Connectivity"): a
# path each, given by the credential's PEM field through a file injector.
FILE_VARIABLES = {"CA_PATH": ("ca_cert", "ca_file"), "CLIENT_CERT": ("client_cert", "cert_file"),
                  "CLIENT_KEY": ("client_key", "key_file")}
for _key, _prefix in PREFIXES.items():
    VARIABLES[_key] |= {"%s_%s" % (_prefix, name) for name in FILE_VARIABLES}
SECRET_VARIABLES = {"HOSTUP_API_KEY", "CF_PASSWORD", "CF_CLIENT_SECRET", "CF_ACCESS_TOKEN", "VSP_PASSWORD",
                    "VSP_CLIENT_SECRET", "VSP_ACCESS_TOKEN", "BIGCHANGE_CLIENT_SECRET", "BIGCHANGE_ACCESS_TOKEN",
                    "HOSTUP_CLIENT_KEY", "CF_CLIENT_KEY", "VSP_CLIENT_KEY", "BIGCHANGE_CLIENT_KEY"}
# The field properties AWX accepts (older releases reject any other, e.g. `default`).
FIELD_KEYS = {"id", "label", "type", "help_text", "secret", "multiline", "choices", "format", "ask_at_runtime"}

TYPES = awx_credential_types()
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUAWX-not-a-real-certificate\n-----END CERTIFICATE-----\n"


def inject(api, tmp_path, **filled):
    return awx_inject(TYPES[api], tmp_path, **filled)


def test_the_playbook_has_one_type_per_api_and_makes_them_all_by_default():
    assert sorted(TYPES) == sorted(VARIABLES)
    play, = awx_setup_playbook()
    assert sorted(play["vars"]["awx_setup_credential_types"]) == sorted(TYPES)
    names = [t["name"] for t in TYPES.values()]
    assert len(set(names)) == len(names) and all(name.startswith("jobctl.cloud ") for name in names)


def fields_of(template, files):
    """The input fields a template of an env injector uses (through a file injector too)."""
    used = set(re.findall(r"(?:{{|{%\s*if)\s*(\w+)", template)) - {"tower"}
    for name in re.findall(r"tower\.filename\.(\w+)", template):
        used |= set(re.findall(r"{{\s*(\w+)", files["template." + name]))
    return used


@pytest.mark.parametrize("api", sorted(VARIABLES))
def test_type_is_valid_for_awx_and_injects_what_the_modules_read(api):
    inputs, injectors = TYPES[api]["inputs"], TYPES[api]["injectors"]
    ids = [f["id"] for f in inputs["fields"]]
    assert len(ids) == len(set(ids))
    for field in inputs["fields"]:
        assert set(field) <= FIELD_KEYS, (field["id"], set(field) - FIELD_KEYS)
        assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", field["id"]) and field["label"]
        assert field["type"] == "string"
    assert set(inputs["required"]) <= set(ids)
    assert set(injectors) == {"env", "file"}, "environment variables and files only: extra vars would show in the job"
    assert set(injectors["env"]) == VARIABLES[api]
    files = injectors["file"]
    assert all(re.fullmatch(r"template\.\w+", label) for label in files)
    secret_fields = {f["id"] for f in inputs["fields"] if f.get("secret")}
    for name, template in injectors["env"].items():
        used = fields_of(template, files)
        assert len(used) == 1 and used <= set(ids), (name, template)
        assert (used <= secret_fields) == (name in SECRET_VARIABLES), "%s: secret iff the option is no_log" % name
    multiline = {f["id"] for f in inputs["fields"] if f.get("multiline")}
    assert multiline == {"ca_cert", "client_cert", "client_key"}


def test_every_registered_api_has_a_type_injecting_the_variables_the_suites_use():
    """The registry's credentials of each API (what tests/registry.py and with-simulator.sh export) are
    injected by one credential type of the playbook, so an API added to the registry needs its type there."""
    injected = [set(t["injectors"]["env"]) for t in TYPES.values()]
    assert len(TYPES) == len(APIS)
    for name, api in APIS.items():
        variables = set(api.env("http://awx.invalid"))
        assert sum(1 for names in injected if variables <= names) == 1, (name, sorted(variables))


def test_empty_fields_fall_back_to_the_modules_own_defaults(tmp_path):
    assert inject("hostup", tmp_path, api_token="k")["HOSTUP_API_URL"] == hostup.DEFAULT_URL
    assert inject("vsp", tmp_path, api_url="https://x/mapi")["VSP_CLIENT_ID"] == vsp.DEFAULT_CLIENT_ID
    env = inject("bigchange", tmp_path, customer_id="1")
    assert env["BIGCHANGE_API_URL"] == bigchange.DEFAULT_URL
    assert env["BIGCHANGE_TOKEN_URL"] == bigchange.DEFAULT_TOKEN_URL
    # A field that is filled in wins.
    assert inject("hostup", tmp_path, api_token="k", api_url="http://127.0.0.1:1/api")["HOSTUP_API_URL"] == \
        "http://127.0.0.1:1/api"


@pytest.mark.parametrize("api", sorted(PREFIXES))
def test_pem_fields_become_files_whose_paths_are_injected_and_empty_ones_inject_nothing(api, tmp_path):
    prefix = PREFIXES[api]
    required = {field: "x" for field in TYPES[api]["inputs"]["required"]}
    key = "-----BEGIN PRIVATE KEY-----\nawx-client-key-0b7e\n-----END PRIVATE KEY-----\n"
    env = inject(api, tmp_path, ca_cert=PEM, client_cert=PEM.replace("CERTIFICATE-----\nMII", "CERTIFICATE-----\nMIIc"),
                 client_key=key, **required)
    for name, (field, dummy) in FILE_VARIABLES.items():
        path = Path(env["%s_%s" % (prefix, name)])
        assert path.is_absolute() and path.parent == tmp_path, (name, path)
        assert (path.stat().st_mode & 0o777) == 0o600
    assert Path(env[prefix + "_CA_PATH"]).read_text() == PEM
    assert Path(env[prefix + "_CLIENT_KEY"]).read_text() == key
    assert "MIIc" in Path(env[prefix + "_CLIENT_CERT"]).read_text()
    assert key not in json.dumps(env), "the key is in a file, never in the environment"

    # Left empty: an empty variable (unset for the modules), never the path of an empty file.
    (tmp_path / "empty").mkdir()
    env = inject(api, tmp_path / "empty", **required)
    assert {name: env["%s_%s" % (prefix, name)] for name in FILE_VARIABLES} == {name: "" for name in FILE_VARIABLES}


def test_the_page_lists_each_type_and_its_variables():
    page = PAGE.read_text()
    for credential_type in TYPES.values():
        row = next((line for line in page.splitlines() if line.startswith("| %s |" % credential_type["name"])), None)
        assert row, credential_type["name"]
        listed = set(re.findall(r"`([A-Z_]+)`", row))
        assert listed == {name for name in credential_type["injectors"]["env"]
                          if not name.endswith(tuple(FILE_VARIABLES))}, credential_type["name"]


def run_with(run, env, module, args, secrets):
    """Run ``module`` with only the environment ``env`` (no module_defaults), as AWX's job would."""
    out = run(module, args, defaults={}, env=env, verbosity=3)
    text = json.dumps(out, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text, secret
    assert not out.get("failed"), out.get("msg")
    return out


def test_hostup_credential(sim, run, tmp_path):
    key = "awx-hostup-key-0c4e7a1d"
    sim.seed(hostup={"api_keys": [{"key": key, "scopes": ["read:vm", "backup:vm"]}]})
    vid = sim.seed(hostup={"vps": [{"name": "web-1", "backups": {"count": 1}}]})["hostup"]["vps"][0]["id"]
    env = inject("hostup", tmp_path, api_token=key, api_url=sim.hostup_url)
    out = run_with(run, env, "vps_backup_info", {"vps_id": vid}, [key])
    assert len(out["backups"]) == 1
    assert sim.requests("hostup")[0]["headers"]["Authorization"] == "Bearer <redacted>"


def test_cloudfoundry_credential_with_password(sim, run, tmp_path):
    password = "awx-cf-password-7b21e9f3"
    sim.seed(cloudfoundry={"users": [{"username": "awx-user", "password": password}]})
    env = inject("cloudfoundry", tmp_path, api_url=sim.url + "/cf", username="awx-user", password=password)
    out = run_with(run, env, "cf_task_info", {"names": ["nightly"]}, [password])
    assert out["tasks"] == []


def vsp_urls(sim):
    return {"api_url": sim.url + "/vsp/mapi",
            "token_url": sim.url + "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"}


def test_vsp_credential_with_password_and_default_client(sim, run, tmp_path):
    password = "awx-vsp-password-51d0c8aa"
    sim.seed(vsp={"users": [{"username": "awx-user", "password": password}]})
    env = inject("vsp", tmp_path, username="awx-user", password=password, **vsp_urls(sim))
    out = run_with(run, env, "vsp_job_info", {"job_id": 4242}, [password])
    assert out["jobs"] == []


def test_vsp_credential_with_only_an_access_token(sim, run, tmp_path):
    """The empty Token URL field arrives as VSP_TOKEN_URL="" and must count as unset."""
    urls = vsp_urls(sim)
    answer = requests.post(urls["token_url"], timeout=10, data={
        "grant_type": "password", "client_id": vsp.DEFAULT_CLIENT_ID, "username": "vsp-admin", "password": "vsp-secret"})
    token = answer.json()["access_token"]
    env = inject("vsp", tmp_path, api_url=urls["api_url"], access_token=token)
    assert env["VSP_TOKEN_URL"] == ""
    since = sim.requests()[-1]["seq"]
    out = run_with(run, env, "vsp_job_info", {"job_id": 4242}, [token])
    assert out["jobs"] == []
    sent = sim.requests("vsp", since=since)
    assert sent and not any("/auth/" in r["path"] for r in sent), "no token request"


def test_bigchange_credential_with_client_credentials(sim, run, tmp_path):
    secret = "awx-bigchange-secret-9e3f2b6c"
    sim.seed(bigchange={"clients": [{"client_id": "awx-client", "client_secret": secret, "customers": [1001]}]})
    env = inject("bigchange", tmp_path, customer_id="1001", client_id="awx-client", client_secret=secret,
                 api_url=sim.url + "/bigchange/v1", token_url=sim.url + "/bigchange/auth/tokens")
    out = run_with(run, env, "bigchange_job_info", {"job_id": 987654}, [secret])
    assert out["jobs"] == []


def test_bigchange_credential_with_an_access_token(sim, run, tmp_path):
    token = "awx-bigchange-token-3a9d61f0"
    sim.seed(bigchange={"access_tokens": [{"token": token, "customers": [1001]}]})
    env = inject("bigchange", tmp_path, customer_id="1001", access_token=token, api_url=sim.url + "/bigchange/v1")
    out = run_with(run, env, "bigchange_job_info", {"job_id": 987654}, [token])
    assert out["jobs"] == []
    assert [r["path"] for r in sim.requests("bigchange")] == ["/bigchange/v1/jobs/987654"], "no token request"


# -- the playbook's awx.awx tasks --------------------------------------------------------------------

@pytest.fixture(scope="module")
def awx_collection():
    if not (AWX_COLLECTION / "MANIFEST.json").exists():
        pytest.fail("awx.awx is not in %s: run tests/utils/awx-collection.sh (make awx-collection)" % AWX_COLLECTIONS)
    return ansible_env({"ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (COLLECTIONS, AWX_COLLECTIONS)})


def awx_options(env, module):
    """The options ``awx.awx.<module>`` documents, with their aliases (ansible-doc of the installed collection)."""
    proc = subprocess.run([str(BIN / "ansible-doc"), "--json", "awx.awx." + module], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    options = json.loads(proc.stdout)["awx.awx." + module]["doc"]["options"]
    return set(options) | {alias for option in options.values() for alias in option.get("aliases", ())}


def test_the_playbook_passes_the_syntax_check(awx_collection):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "--syntax-check", str(AWX_SETUP)], env=awx_collection,
                          capture_output=True, text=True, timeout=120, cwd=str(ROOT), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_argument_of_the_playbook_is_an_option_of_its_awx_module(awx_collection):
    play, = awx_setup_playbook()
    modules = {}
    for task in play["tasks"]:
        action = next(key for key in task if "." in key)
        if action.startswith("awx.awx."):
            modules.setdefault(action.split(".")[-1], []).append(task[action])
    assert sorted(modules) == ["credential", "credential_type", "inventory", "inventory_source", "job_template",
                               "project"]
    # Each task names the controller the same way (a YAML merge of the first task's settings).
    assert all({"controller_host", "controller_oauthtoken", "validate_certs"} <= set(args)
               for calls in modules.values() for args in calls)
    for module, calls in modules.items():
        options = awx_options(awx_collection, module)
        for args in calls:
            assert set(args) <= options, (module, set(args) - options)
    template, = modules["job_template"]
    assert {"job_slice_count", "timeout", "forks", "credentials", "inventory", "playbook"} <= set(template)
    source, = modules["inventory_source"]
    assert source["source"] == "scm" and source["credential"] == template["credentials"][0]
    credential_type, = modules["credential_type"]
    assert credential_type["kind"] == "cloud"


def test_the_credential_types_reach_awx_as_written(awx_collection, tmp_path):
    """What Ansible passes awx.awx.credential_type: the injector templates as they are (``!unsafe``), for AWX to render.

    The task runs with awx.awx's module swapped for one that only returns its arguments.
    """
    play, = awx_setup_playbook()
    task = next(task for task in play["tasks"] if "awx.awx.credential_type" in task)
    library = tmp_path / "library"
    library.mkdir()
    (library / "echo_arguments.py").write_text(
        "from ansible.module_utils.basic import AnsibleModule\n"
        "spec = dict((name, dict(type='raw')) for name in %r)\n"
        "module = AnsibleModule(argument_spec=spec)\n"
        "module.exit_json(changed=False, arguments=module.params)\n" % sorted(task["awx.awx.credential_type"]))
    echo = dict((key, value) for key, value in task.items() if key != "awx.awx.credential_type")
    echo["echo_arguments"] = task["awx.awx.credential_type"]
    echo["name"] = "echo"
    text = AWX_SETUP.read_text()
    start = text.index("  tasks:\n")
    playbook = tmp_path / "echo.yml"
    playbook.write_text(text[:start] + "  tasks:\n" +
                        "\n".join("    " + line for line in yaml.safe_dump([echo], sort_keys=False).splitlines()) + "\n")
    result = run_playbook(playbook, args=["-M", str(library)], env={"ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (
        COLLECTIONS, AWX_COLLECTIONS)})
    assert result.rc == 0, result
    sent = [item["arguments"] for item in result.task("echo")["results"]]
    assert [args["name"] for args in sent] == [t["name"] for t in TYPES.values()]
    for args, credential_type in zip(sent, TYPES.values()):
        assert args["inputs"] == credential_type["inputs"]
        assert args["injectors"] == credential_type["injectors"], "the templates reach AWX unrendered"


# -- docs/awx.md: a long wait in the background -------------------------------------------------------

def page_example(heading):
    section = PAGE.read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    block, = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    return yaml.safe_load(block)


def test_the_pages_async_example_waits_in_a_module_process_and_collects_its_result(sim, tmp_path):
    """The page's example, with short times: the cancel runs in the background as a module process
    (async never runs in the worker), the play goes on, and async_status gives the module's result."""
    vps = sim.seed(hostup={"vps": [{"name": "restoring", "cancel_delay": 1.0, "backups": {"count": 1},
                                    "active_jobs": [{"jobType": "restore", "duration": 3600}]}]})["hostup"]["vps"][0]
    assert [job["status"] for job in vps["active_jobs"]] == ["running"]
    play, = page_example("### Long waits in the background")
    start, meanwhile, collect, cleanup = play["tasks"]
    # Short times for the test: the job stops a second after the cancel.
    start["jobctl.cloud.vps_active_job"].update(wait_timeout=60, wait_sleep=0.2)
    start["async"] = 90
    collect.update(retries=120, delay=1)
    play["vars"] = {"vps_id": vps["id"], "ansible_remote_tmp": str(tmp_path / "remote-tmp"),
                    "ansible_python_interpreter": sys.executable}
    playbook = tmp_path / "async.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))

    result = run_playbook(playbook, env=dict(APIS["hostup"].env(sim.url), ANSIBLE_KEEP_REMOTE_FILES="1"))

    assert result.rc == 0, result
    started = result.task(start["name"])
    assert started["started"] == 1 and started["finished"] == 0 and started["ansible_job_id"], started
    assert "Cancel of the restore of %s is running as job %s" % (vps["id"], started["ansible_job_id"]) \
        == result.task(meanwhile["name"])["msg"]
    done = result.task(collect["name"])
    assert done["finished"] == 1 and done["changed"] is True and done["canceled"] is True, done
    assert done["active_jobs"] == [], "it waited until the restore had stopped"
    assert not done.get("failed"), done
    # The job is gone from the API too, and the module ran as a process: its payload was written.
    jobs = [job for item in sim.state("hostup")["vps"] for job in item["active_jobs"]]
    assert jobs == []
    payloads = [name for dummy, dummy, files in os.walk(str(tmp_path / "remote-tmp")) for name in files
                if name.startswith("AnsiballZ_vps_active_job")]
    assert len(payloads) == 1, payloads
    assert result.status(cleanup["name"]) == "ok"
