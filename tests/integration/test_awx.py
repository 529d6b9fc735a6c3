"""The AWX credential types of docs/awx.md: valid as AWX would take them, and working.

The YAML blocks are read from the page itself, so what users paste is what is tested. Injection
is done the way AWX does it (a sandboxed Jinja environment whose namespace holds only the
fields that were filled in, so an empty field renders as an empty string): that is AWX's own
part. The modules then run with only that environment against the simulator, with secrets no
test uses elsewhere, which must not appear anywhere in their results. Reading the environment is
the modules' own behaviour, so they run in this process (tests/runner.py), at -vvv's verbosity;
what Ansible itself prints at -vvv is the secret suite's business (tests/integration/test_secrets.py
runs every module through ansible-playbook).
"""

import json
import re
from pathlib import Path

import pytest
import requests
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import module as bigchange
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import module as hostup
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp import auth as vsp

from registry import APIS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "awx.md"

# What the modules read (their documentation's env entries): every variable, and the options that are no_log.
VARIABLES = {
    "HostUp": {"HOSTUP_API_KEY", "HOSTUP_API_URL"},
    "Cloud Foundry": {"CF_API_URL", "CF_USERNAME", "CF_PASSWORD", "CF_CLIENT_ID", "CF_CLIENT_SECRET",
                      "CF_ACCESS_TOKEN"},
    "VSP One Object": {"VSP_API_URL", "VSP_TOKEN_URL", "VSP_USERNAME", "VSP_PASSWORD", "VSP_CLIENT_ID",
                       "VSP_CLIENT_SECRET", "VSP_ACCESS_TOKEN"},
    "BigChange": {"BIGCHANGE_CUSTOMER_ID", "BIGCHANGE_API_URL", "BIGCHANGE_TOKEN_URL", "BIGCHANGE_CLIENT_ID",
                  "BIGCHANGE_CLIENT_SECRET", "BIGCHANGE_ACCESS_TOKEN"},
}
SECRET_VARIABLES = {"HOSTUP_API_KEY", "CF_PASSWORD", "CF_CLIENT_SECRET", "CF_ACCESS_TOKEN", "VSP_PASSWORD",
                    "VSP_CLIENT_SECRET", "VSP_ACCESS_TOKEN", "BIGCHANGE_CLIENT_SECRET", "BIGCHANGE_ACCESS_TOKEN"}
# The field properties AWX accepts (older releases reject any other, e.g. `default`).
FIELD_KEYS = {"id", "label", "type", "help_text", "secret", "multiline", "choices", "format", "ask_at_runtime"}


def credential_types():
    """{api: (inputs, injectors)} from the page's "## jobctl.cloud <api>" sections."""
    types = {}
    for section in re.split(r"^## ", PAGE.read_text(), flags=re.M)[1:]:
        title, body = section.split("\n", 1)
        if not title.startswith("jobctl.cloud "):
            continue
        blocks = re.findall(r"```yaml\n(.*?)```", body, flags=re.S)
        assert len(blocks) == 2, "%s: an input and an injector configuration" % title
        types[title[len("jobctl.cloud "):]] = tuple(yaml.safe_load(b) for b in blocks)
    return types


TYPES = credential_types()


def inject(api, **filled):
    """The environment AWX gives a job for a credential of this type filled in with ``filled``."""
    inputs, injectors = TYPES[api]
    ids = {f["id"] for f in inputs["fields"]}
    assert set(filled) <= ids, set(filled) - ids
    namespace = {k: v for k, v in filled.items() if v}
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace) for name, template in injectors["env"].items()}


def test_the_page_has_one_type_per_api():
    assert sorted(TYPES) == sorted(VARIABLES)


@pytest.mark.parametrize("api", sorted(VARIABLES))
def test_type_is_valid_for_awx_and_injects_what_the_modules_read(api):
    inputs, injectors = TYPES[api]
    ids = [f["id"] for f in inputs["fields"]]
    assert len(ids) == len(set(ids))
    for field in inputs["fields"]:
        assert set(field) <= FIELD_KEYS, (field["id"], set(field) - FIELD_KEYS)
        assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", field["id"]) and field["label"]
        assert field["type"] == "string"
    assert set(inputs["required"]) <= set(ids)
    assert set(injectors) == {"env"}, "environment variables only: extra vars would show in the job"
    assert set(injectors["env"]) == VARIABLES[api]
    secret_fields = {f["id"] for f in inputs["fields"] if f.get("secret")}
    for name, template in injectors["env"].items():
        used = set(re.findall(r"{{\s*(\w+)", template))
        assert len(used) == 1 and used <= set(ids), (name, template)
        assert (used <= secret_fields) == (name in SECRET_VARIABLES), "%s: secret iff the option is no_log" % name


def test_every_registered_api_has_a_type_injecting_the_variables_the_suites_use():
    """The registry's credentials of each API (what tests/registry.py and with-simulator.sh export) are
    injected by one credential type of the page, so an API added to the registry needs its type here."""
    injected = [set(injectors["env"]) for inputs, injectors in TYPES.values()]
    assert len(TYPES) == len(APIS)
    for name, api in APIS.items():
        variables = set(api.env("http://awx.invalid"))
        assert sum(1 for names in injected if variables <= names) == 1, (name, sorted(variables))


def test_empty_fields_fall_back_to_the_modules_own_defaults():
    assert inject("HostUp", api_token="k")["HOSTUP_API_URL"] == hostup.DEFAULT_URL
    assert inject("VSP One Object", api_url="https://x/mapi")["VSP_CLIENT_ID"] == vsp.DEFAULT_CLIENT_ID
    env = inject("BigChange", customer_id="1")
    assert env["BIGCHANGE_API_URL"] == bigchange.DEFAULT_URL
    assert env["BIGCHANGE_TOKEN_URL"] == bigchange.DEFAULT_TOKEN_URL
    # A field that is filled in wins.
    assert inject("HostUp", api_token="k", api_url="http://127.0.0.1:1/api")["HOSTUP_API_URL"] == "http://127.0.0.1:1/api"


def run_with(run, env, module, args, secrets):
    """Run ``module`` with only the environment ``env`` (no module_defaults), as AWX's job would."""
    out = run(module, args, defaults={}, env=env, verbosity=3)
    text = json.dumps(out, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text, secret
    assert not out.get("failed"), out.get("msg")
    return out


def test_hostup_credential(sim, run):
    key = "awx-hostup-key-0c4e7a1d"
    sim.seed(hostup={"api_keys": [{"key": key, "scopes": ["read:vm", "backup:vm"]}]})
    vid = sim.seed(hostup={"vps": [{"name": "web-1", "backups": {"count": 1}}]})["hostup"]["vps"][0]["id"]
    env = inject("HostUp", api_token=key, api_url=sim.hostup_url)
    out = run_with(run, env, "vps_backup_info", {"vps_id": vid}, [key])
    assert len(out["backups"]) == 1
    assert sim.requests("hostup")[0]["headers"]["Authorization"] == "Bearer <redacted>"


def test_cloudfoundry_credential_with_password(sim, run):
    password = "awx-cf-password-7b21e9f3"
    sim.seed(cloudfoundry={"users": [{"username": "awx-user", "password": password}]})
    env = inject("Cloud Foundry", api_url=sim.url + "/cf", username="awx-user", password=password)
    out = run_with(run, env, "cf_task_info", {"names": ["nightly"]}, [password])
    assert out["tasks"] == []


def vsp_urls(sim):
    return {"api_url": sim.url + "/vsp/mapi",
            "token_url": sim.url + "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"}


def test_vsp_credential_with_password_and_default_client(sim, run):
    password = "awx-vsp-password-51d0c8aa"
    sim.seed(vsp={"users": [{"username": "awx-user", "password": password}]})
    env = inject("VSP One Object", username="awx-user", password=password, **vsp_urls(sim))
    out = run_with(run, env, "vsp_job_info", {"job_id": 4242}, [password])
    assert out["jobs"] == []


def test_vsp_credential_with_only_an_access_token(sim, run):
    """The empty Token URL field arrives as VSP_TOKEN_URL="" and must count as unset."""
    urls = vsp_urls(sim)
    answer = requests.post(urls["token_url"], timeout=10, data={
        "grant_type": "password", "client_id": vsp.DEFAULT_CLIENT_ID, "username": "vsp-admin", "password": "vsp-secret"})
    token = answer.json()["access_token"]
    env = inject("VSP One Object", api_url=urls["api_url"], access_token=token)
    assert env["VSP_TOKEN_URL"] == ""
    since = sim.requests()[-1]["seq"]
    out = run_with(run, env, "vsp_job_info", {"job_id": 4242}, [token])
    assert out["jobs"] == []
    sent = sim.requests("vsp", since=since)
    assert sent and not any("/auth/" in r["path"] for r in sent), "no token request"


def test_bigchange_credential_with_client_credentials(sim, run):
    secret = "awx-bigchange-secret-9e3f2b6c"
    sim.seed(bigchange={"clients": [{"client_id": "awx-client", "client_secret": secret, "customers": [1001]}]})
    env = inject("BigChange", customer_id="1001", client_id="awx-client", client_secret=secret,
                 api_url=sim.url + "/bigchange/v1", token_url=sim.url + "/bigchange/auth/tokens")
    out = run_with(run, env, "bigchange_job_info", {"job_id": 987654}, [secret])
    assert out["jobs"] == []


def test_bigchange_credential_with_an_access_token(sim, run):
    token = "awx-bigchange-token-3a9d61f0"
    sim.seed(bigchange={"access_tokens": [{"token": token, "customers": [1001]}]})
    env = inject("BigChange", customer_id="1001", access_token=token, api_url=sim.url + "/bigchange/v1")
    out = run_with(run, env, "bigchange_job_info", {"job_id": 987654}, [token])
    assert out["jobs"] == []
    assert [r["path"] for r in sim.requests("bigchange")] == ["/bigchange/v1/jobs/987654"], "no token request"
