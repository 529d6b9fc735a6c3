"""Secret hygiene (issue #7): every module, at -vvv, with distinct secrets, succeeding and failing.

Each API gets secrets no other test uses (random, so a leak cannot be a coincidence): API keys,
passwords, client secrets and access tokens, plus every token the simulator issues during the runs
(read back from ``/_sim/state`` where the simulator exposes them; Cloud Foundry's are recognised by
their ``cfsim-`` prefix). A secret counts as leaked when any 12 characters of it appear in stdout,
stderr or the recorded results, so a secret cut short in a message is caught too.

Secrets reach the modules through the environment variables the modules read, through
``module_defaults`` (literal values: the modules must mask them; the ``play`` fixture writes
``module_defaults`` after ``tasks``, so Ansible's own echo of a failed task's source lines cannot
show them), and through ``lookup('env', ...)`` in task arguments for the wrong-credential cases:
ansible-core 2.19 prints the source lines around a failed task, so a secret typed into those
lines would be printed by Ansible itself, whatever the module does.
"""

import base64
import json
import secrets
from urllib.parse import quote, quote_plus

import pytest
import requests

VSP_TOKEN_PATH = "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"
BIGCHANGE_TOKEN_PATH = "/bigchange/auth/tokens"
# Prefixes of tokens the simulator makes up and does not list in its state.
ISSUED_PREFIXES = ("cfsim-", "vsp-rt-", "vsp-at-")
UNKNOWN_VPS = "vps_0000000000000000000000zzzz"
UNKNOWN_GUID = "0a0a0a0a-0000-4000-8000-000000000000"


def new_secret():
    return secrets.token_hex(16)


def from_env(name):
    return "{{ lookup('ansible.builtin.env', '%s') }}" % name


def task(name, module, args, fails=False):
    out = {"name": name, "jobctl.cloud." + module: args}
    if fails:
        out["ignore_errors"] = True
    return out


def arm(sim, name, **rule):
    """A task that makes the simulator answer the next matching request with a fault."""
    return {"name": name, "ansible.builtin.uri": {"url": sim.url + "/_sim/faults", "method": "POST",
                                                  "body_format": "json", "body": rule}}


def encoded_forms(value):
    """A secret as it may travel or be echoed: raw, URL-encoded both ways, base64 at every alignment."""
    raw = value.encode()
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value, safe="").lower()}
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            forms.add(text[(pad + 2) // 3 * 4:(pad + len(raw)) // 3 * 4])
    return {form for form in forms if form}


def leaks(run, known):
    """Which secrets (by label) show up, whole or in part, in any encoding, in what a run printed or recorded."""
    texts = {"stdout": run.stdout, "stderr": run.stderr, "results": json.dumps(run.results, ensure_ascii=False)}
    found = []
    for label, value in known.items():
        windows = set()
        for form in encoded_forms(value):
            windows.update(form[i:i + 12] for i in range(max(1, len(form) - 11)))
        for where, text in texts.items():
            if any(w in text for w in windows):
                found.append("%s in %s" % (label, where))
    for prefix in ISSUED_PREFIXES:
        for where, text in texts.items():
            if prefix in text:
                found.append("a token issued by the simulator (%s...) in %s" % (prefix, where))
    return found


def statuses(run, expected):
    """{task name: (expected status, actual status)} where they differ."""
    actual = dict((name, run.status(name)) for name in expected)
    return dict((name, (expected[name], actual[name])) for name in expected if actual[name] != expected[name])


# -- HostUp --------------------------------------------------------------------------------------

def test_hostup_modules_never_show_the_api_key(sim, play):
    key, wrong = new_secret(), new_secret()
    sim.seed(hostup={"api_keys": [{"key": key}]})
    vps = sim.seed(hostup={"vps": [{"name": "s1", "backups": {"count": 3},
                                    "active_jobs": [{"jobType": "backup", "duration": 3600}]}]})["hostup"]["vps"][0]
    backups = [b["id"] for b in vps["backups"]]
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": key, "T_WRONG": wrong}
    tasks = [
        task("cancel", "vps_active_job", {"vps_id": vps["id"], "job_type": "backup"}),
        task("jobs", "vps_active_job_info", {"vps_id": vps["id"]}),
        task("delete", "vps_backup", {"vps_id": vps["id"], "backup_id": backups[-1]}),
        task("list", "vps_backup_info", {"vps_id": vps["id"]}),
        task("prune", "vps_backup_retention", {"vps_ids": [vps["id"]], "keep_last": 1}),
        task("cancel unknown", "vps_active_job", {"vps_id": UNKNOWN_VPS, "job_type": "restore"}, fails=True),
        task("jobs wrong key", "vps_active_job_info", {"vps_id": vps["id"], "api_token": from_env("T_WRONG")},
             fails=True),
        task("delete unknown vps", "vps_backup", {"vps_id": UNKNOWN_VPS, "backup_id": backups[0]}, fails=True),
        arm(sim, "html page next", api="hostup", kind="html", status=500),
        task("list behind a broken proxy", "vps_backup_info", {"vps_id": vps["id"]}, fails=True),
        task("prune unknown vps", "vps_backup_retention", {"vps_ids": [UNKNOWN_VPS], "keep_last": 1}, fails=True),
    ]
    run = play(tasks, env=env, verbosity=3, diff=True)
    expected = dict((t["name"], "failed" if t.get("ignore_errors") else "ok")
                    for t in tasks if "ansible.builtin.uri" not in t)
    assert not statuses(run, expected), run
    assert run.task("cancel")["changed"] and run.task("prune")["changed"], "the success paths did their work"
    found = leaks(run, {"api key": key, "wrong api key": wrong})
    assert not found, found

    # The same key given as module_defaults.
    run = play([task("list", "vps_backup_info", {"vps_id": vps["id"]}),
                task("unknown", "vps_active_job_info", {"vps_id": UNKNOWN_VPS}, fails=True)],
               defaults={"group/jobctl.cloud.hostup": {"api_url": sim.hostup_url, "api_token": key}},
               verbosity=3)
    assert not statuses(run, {"list": "ok", "unknown": "failed"}), run
    found = leaks(run, {"api key": key})
    assert not found, found


# -- Cloud Foundry --------------------------------------------------------------------------------

@pytest.fixture
def cf_world(sim):
    password, client_secret = new_secret(), new_secret()
    sim.seed(cloudfoundry={"users": [{"username": "ops", "password": password, "role": "admin"}],
                           "clients": [{"client_id": "bot", "client_secret": client_secret}]})
    apps = sim.seed(cloudfoundry={"apps": [{"name": "a%d" % i, "tasks": [{"name": "t"}, {"name": "u"}]}
                                           for i in range(3)]})["cloudfoundry"]["apps"]
    # An access token of its own, fetched as any client would (it is a secret like the others).
    answer = requests.post(sim.url + "/cf/uaa/oauth/token", auth=("bot", client_secret), timeout=10,
                           data={"grant_type": "client_credentials"})
    answer.raise_for_status()
    return {"password": password, "client secret": client_secret, "access token": answer.json()["access_token"],
            "apps": apps}


def test_cloud_foundry_modules_never_show_passwords_secrets_or_tokens(sim, play, cf_world):
    apps = cf_world["apps"]
    known = dict((k, v) for k, v in cf_world.items() if k != "apps")
    wrong = new_secret()
    known["wrong password"] = wrong
    base = {"CF_API_URL": sim.url + "/cf"}
    runs = {
        "password": play([
            task("cancel", "cf_task", {"guid": apps[0]["tasks"][0]["guid"]}),
            task("list", "cf_task_info", {"app_guid": apps[0]["guid"]}),
            task("cancel unknown", "cf_task", {"guid": UNKNOWN_GUID}, fails=True),
            task("list wrong password", "cf_task_info", {"app_guid": apps[0]["guid"], "password": from_env("T_WRONG")},
                 fails=True),
            arm(sim, "gateway page on the token", api="cloudfoundry", path="/oauth/token$", kind="html", status=502,
                times=3),
            task("list behind a broken proxy", "cf_task_info", {"guid": UNKNOWN_GUID, "retries": 2}, fails=True),
        ], env=dict(base, CF_USERNAME="ops", CF_PASSWORD=cf_world["password"], T_WRONG=wrong), verbosity=3, diff=True),
        "client": play([
            task("cancel", "cf_task", {"app_guid": apps[1]["guid"], "name": "t"}),
            task("unknown app", "cf_task_info", {"app_guid": UNKNOWN_GUID}, fails=True),
        ], defaults={"group/jobctl.cloud.cloudfoundry": dict(api_url=base["CF_API_URL"], client_id="bot",
                                                             client_secret=cf_world["client secret"])},
            verbosity=3, diff=True),
        "token": play([
            task("list", "cf_task_info", {"app_guid": apps[2]["guid"]}),
            task("cancel", "cf_task", {"guid": apps[2]["tasks"][1]["guid"]}),
            task("cancel unknown", "cf_task", {"guid": UNKNOWN_GUID}, fails=True),
        ], env=dict(base, CF_ACCESS_TOKEN=cf_world["access token"]), verbosity=3, diff=True),
    }
    expected = {"password": {"cancel": "ok", "list": "ok", "cancel unknown": "failed", "list wrong password": "failed",
                             "list behind a broken proxy": "failed"},
                "client": {"cancel": "ok", "unknown app": "failed"},
                "token": {"list": "ok", "cancel": "ok", "cancel unknown": "failed"}}
    for route, run in runs.items():
        assert not statuses(run, expected[route]), run
        found = leaks(run, known)
        assert not found, (route, found)
    assert "Bad credentials" in runs["password"].task("list wrong password")["msg"]
    assert runs["client"].task("cancel")["changed"] and runs["token"].task("cancel")["changed"]


# -- VSP One Object --------------------------------------------------------------------------------

def test_vsp_modules_never_show_passwords_secrets_tokens_or_csrf_pairs(sim, play):
    password, client_secret, wrong = new_secret(), new_secret(), new_secret()
    sim.seed(vsp={"users": [{"username": "ops", "password": password}],
                  "clients": [{"client_id": "ops-client", "secret": client_secret}],
                  "jobs": [{"id": n, "bucketName": "b"} for n in (11, 12, 13)]})
    answer = requests.post(sim.url + VSP_TOKEN_PATH, timeout=10, data={
        "grant_type": "password", "client_id": "ops-client", "client_secret": client_secret, "username": "ops",
        "password": password})
    answer.raise_for_status()
    access_token = answer.json()["access_token"]
    urls = {"VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + VSP_TOKEN_PATH}
    runs = {
        "password": play([
            task("cancel", "vsp_job", {"job_id": 11}),
            task("list", "vsp_job_info", {"bucket_name": "b"}),
            task("cancel unknown", "vsp_job", {"job_id": 4040}, fails=True),
            task("list wrong password", "vsp_job_info", {"password": from_env("T_WRONG")}, fails=True),
            arm(sim, "gateway page on the CSRF fetch", api="vsp", path="/csrf$", kind="html", status=502, times=3),
            task("list behind a broken proxy", "vsp_job_info", {"retries": 2}, fails=True),
        ], env=dict(urls, VSP_USERNAME="ops", VSP_PASSWORD=password, VSP_CLIENT_ID="ops-client",
                    VSP_CLIENT_SECRET=client_secret, T_WRONG=wrong), verbosity=3, diff=True),
        "defaults": play([
            task("cancel", "vsp_job", {"job_id": 12}),
            task("unknown", "vsp_job_info", {"job_id": 4040}),
            task("cancel unknown", "vsp_job", {"job_id": 4040}, fails=True),
        ], defaults={"group/jobctl.cloud.vsp": {
            "api_url": urls["VSP_API_URL"], "token_url": urls["VSP_TOKEN_URL"], "username": "ops",
            "password": password, "client_id": "ops-client", "client_secret": client_secret}}, verbosity=3, diff=True),
        "token": play([
            task("cancel", "vsp_job", {"job_id": 13}),
            task("cancel unknown", "vsp_job", {"job_id": 4040}, fails=True),
        ], env=dict(urls, VSP_ACCESS_TOKEN=access_token), verbosity=3, diff=True),
    }
    expected = {"password": {"cancel": "ok", "list": "ok", "cancel unknown": "failed", "list wrong password": "failed",
                             "list behind a broken proxy": "failed"},
                "defaults": {"cancel": "ok", "unknown": "ok", "cancel unknown": "failed"},
                "token": {"cancel": "ok", "cancel unknown": "failed"}}
    issued = sim.state("vsp")["issued"]
    known = {"password": password, "client secret": client_secret, "wrong password": wrong,
             "access token": access_token}
    for kind in ("access_tokens", "xsrf_tokens", "sessions"):
        for n, value in enumerate(issued[kind]):
            known["issued %s %d" % (kind, n)] = value
    assert len(issued["access_tokens"]) >= 6, "every run with a password fetched its own token"
    for route, run in runs.items():
        assert not statuses(run, expected[route]), run
        found = leaks(run, known)
        assert not found, (route, found)
    assert all(run.task("cancel")["changed"] for run in runs.values())


# -- BigChange -----------------------------------------------------------------------------------

def test_bigchange_modules_never_show_client_secrets_or_tokens(sim, play):
    client_secret, access_token, wrong = new_secret(), new_secret(), new_secret()
    created = sim.seed(bigchange={"clients": [{"client_id": "ops", "client_secret": client_secret}],
                                  "access_tokens": [{"token": access_token}],
                                  "jobs": [{"status": "scheduled"}, {"status": "scheduled"}, {"status": "started"}]})
    ids = [j["id"] for j in created["bigchange"]["jobs"]]
    urls = {"BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + BIGCHANGE_TOKEN_PATH,
            "BIGCHANGE_CUSTOMER_ID": "1001"}
    runs = {
        "client": play([
            task("cancel", "bigchange_job", {"job_id": ids[0], "reason": "secret hygiene"}),
            task("list", "bigchange_job_info", {"job_ids": ids, "statuses": ["cancelled"]}),
            task("cancel started", "bigchange_job", {"job_id": ids[2], "reason": "too late"}, fails=True),
            task("list wrong secret", "bigchange_job_info", {"job_ids": ids, "client_secret": from_env("T_WRONG")},
                 fails=True),
            arm(sim, "gateway page on the read", api="bigchange", method="GET", kind="html", status=502, times=3),
            task("read behind a broken proxy", "bigchange_job_info", {"job_id": ids[1], "retries": 2}, fails=True),
        ], env=dict(urls, BIGCHANGE_CLIENT_ID="ops", BIGCHANGE_CLIENT_SECRET=client_secret, T_WRONG=wrong),
            verbosity=3, diff=True),
        "token": play([
            task("cancel", "bigchange_job", {"job_id": ids[1], "reason": "secret hygiene"}),
            task("unknown", "bigchange_job", {"job_id": 999999, "reason": "x"}, fails=True),
        ], defaults={"group/jobctl.cloud.bigchange": {
            "api_url": urls["BIGCHANGE_API_URL"], "customer_id": 1001, "access_token": access_token}},
            verbosity=3, diff=True),
    }
    expected = {"client": {"cancel": "ok", "list": "ok", "cancel started": "failed", "list wrong secret": "failed",
                           "read behind a broken proxy": "failed"},
                "token": {"cancel": "ok", "unknown": "failed"}}
    known = {"client secret": client_secret, "access token": access_token, "wrong secret": wrong}
    issued = [t["token"] for t in sim.state("bigchange")["tokens"] if t["token"] != access_token]
    assert len(issued) >= 3, "every run with client credentials fetched its own token"
    known.update(("issued token %d" % n, value) for n, value in enumerate(issued))
    for route, run in runs.items():
        assert not statuses(run, expected[route]), run
        found = leaks(run, known)
        assert not found, (route, found)
    assert runs["client"].task("cancel")["changed"] and runs["token"].task("cancel")["changed"]


# -- known leaks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("api", ["cloudfoundry", "vsp", "bigchange"])
def test_a_token_answer_cut_short_does_not_show_the_token(sim, play, api):
    rule = {"cloudfoundry": ("/oauth/token$", "cf_task_info", {"guid": UNKNOWN_GUID}),
            "vsp": (VSP_TOKEN_PATH + "$", "vsp_job_info", {"job_id": 1}),
            "bigchange": (BIGCHANGE_TOKEN_PATH + "$", "bigchange_job_info", {"job_id": 1})}[api]
    env = {"CF_API_URL": sim.url + "/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret",
           "VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + VSP_TOKEN_PATH,
           "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret",
           "BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + BIGCHANGE_TOKEN_PATH,
           "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
           "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"}
    sim.fault(api=api, path=rule[0], kind="malformed", when="after")
    run = play([task("read", rule[1], rule[2], fails=True)], env=env, verbosity=3)
    assert run.status("read") == "failed" and "not valid JSON" in run.task("read")["msg"]
    known = {}
    if api == "vsp":
        known.update(("issued token %d" % n, t) for n, t in enumerate(sim.state("vsp")["issued"]["access_tokens"]))
    if api == "bigchange":
        known.update(("issued token %d" % n, t["token"]) for n, t in enumerate(sim.state("bigchange")["tokens"]))
    found = leaks(run, known)
    assert not found, found


def test_a_token_holding_a_line_break_is_refused_without_showing_it(sim, play):
    # A token pasted from a file with Windows line endings: refused before any request (requests will
    # not send a header holding CR or LF), but the refusal must not print it.
    tokens = dict((api, new_secret() + "\r\n") for api in ("hostup", "cloudfoundry", "vsp", "bigchange"))
    env = {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": tokens["hostup"],
           "CF_API_URL": sim.url + "/cf", "CF_ACCESS_TOKEN": tokens["cloudfoundry"],
           "VSP_API_URL": sim.url + "/vsp/mapi", "VSP_ACCESS_TOKEN": tokens["vsp"],
           "BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_CUSTOMER_ID": "1001",
           "BIGCHANGE_ACCESS_TOKEN": tokens["bigchange"]}
    run = play([task("hostup", "vps_backup_info", {"vps_id": UNKNOWN_VPS}, fails=True),
                task("cloudfoundry", "cf_task_info", {"guid": UNKNOWN_GUID}, fails=True),
                task("vsp", "vsp_job_info", {"job_id": 1}, fails=True),
                task("bigchange", "bigchange_job_info", {"job_id": 1}, fails=True)], env=env, verbosity=3)
    assert [run.status(api) for api in tokens] == ["failed"] * 4
    assert sim.requests() == [], "refused before any request"
    found = leaks(run, dict(("%s token" % api, t.strip()) for api, t in tokens.items()))
    assert not found, found


# -- error bodies that echo credentials ------------------------------------------------------------

def awkward_secret(header=False):
    """A secret with the characters encodings change: '&', '+', '/', '=', and (outside headers) ' ' and 'é'."""
    return new_secret() + ("&+/=" if header else "&+/ =é") + new_secret()


def test_an_api_error_echoing_the_key_shows_no_part_of_it(sim, play):
    key = awkward_secret(header=True)
    sim.seed(hostup={"api_keys": [{"key": key}]})
    vps = sim.seed(hostup={"vps": [{"name": "e1"}]})["hostup"]["vps"][0]
    sim.fault(api="hostup", kind="echo", status=400, times=1)
    run = play([task("list", "vps_backup_info", {"vps_id": vps["id"]}, fails=True)],
               env={"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": key}, verbosity=3)
    out = run.task("list")
    assert out["failed"] and "Refused: Authorization" in out["msg"], out["msg"]
    found = leaks(run, {"api key": key})
    assert not found, found


@pytest.mark.parametrize("api", ["cloudfoundry", "vsp", "bigchange"])
def test_a_token_endpoint_echoing_its_form_shows_no_secret(sim, play, api):
    secret = awkward_secret()
    if api == "cloudfoundry":
        sim.seed(cloudfoundry={"clients": [{"client_id": "bot", "client_secret": secret}]})
        env = {"CF_API_URL": sim.url + "/cf", "CF_CLIENT_ID": "bot", "CF_CLIENT_SECRET": secret}
        path, module, args = "/oauth/token$", "cf_task_info", {"guid": UNKNOWN_GUID}
    elif api == "vsp":
        sim.seed(vsp={"users": [{"username": "ops", "password": secret}]})
        env = {"VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + VSP_TOKEN_PATH,
               "VSP_USERNAME": "ops", "VSP_PASSWORD": secret}
        path, module, args = VSP_TOKEN_PATH + "$", "vsp_job_info", {"job_id": 1}
    else:
        sim.seed(bigchange={"clients": [{"client_id": "ops", "client_secret": secret}]})
        env = {"BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + BIGCHANGE_TOKEN_PATH,
               "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "ops", "BIGCHANGE_CLIENT_SECRET": secret}
        path, module, args = BIGCHANGE_TOKEN_PATH + "$", "bigchange_job_info", {"job_id": 1}
    sim.fault(api=api, path=path, kind="echo", status=400, times=1)
    run = play([task("read", module, args, fails=True)], env=env, verbosity=3)
    out = run.task("read")
    assert out["failed"] and "HTTP 400" in out["msg"] and "Refused" in out["msg"], out["msg"]
    found = leaks(run, {"secret": secret})
    assert not found, found


@pytest.mark.parametrize("api", ["cloudfoundry", "vsp", "bigchange"])
def test_an_api_error_echoing_a_fetched_token_shows_no_part_of_it(sim, play, api):
    env = {"CF_API_URL": sim.url + "/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret",
           "VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + VSP_TOKEN_PATH,
           "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret",
           "BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + BIGCHANGE_TOKEN_PATH,
           "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
           "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"}
    module, args, path = {"cloudfoundry": ("cf_task_info", {"guid": UNKNOWN_GUID}, "/v3/tasks/"),
                          "vsp": ("vsp_job_info", {"job_id": 1}, "/jobs/status$"),
                          "bigchange": ("bigchange_job_info", {"job_id": 1}, "/v1/jobs")}[api]
    sim.fault(api=api, path=path, kind="echo", status=400, times=1)
    run = play([task("read", module, args, fails=True)], env=env, verbosity=3)
    out = run.task("read")
    assert out["failed"] and "Refused: Authorization" in out["msg"], out["msg"]
    echoed = [e for e in sim.requests(api) if e["fault"] == "echo"]
    assert len(echoed) == 1
    # The token the module sent is the one the server echoed: it must not show, in whole or in part.
    known = {}
    if api == "vsp":
        known.update(("issued token %d" % n, t) for n, t in enumerate(sim.state("vsp")["issued"]["access_tokens"]))
    if api == "bigchange":
        known.update(("issued token %d" % n, t["token"]) for n, t in enumerate(sim.state("bigchange")["tokens"]))
    found = leaks(run, known)
    assert not found, found
