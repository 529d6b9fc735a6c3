"""Bad input through the modules (issue #7): path traversal and header injection never reach an API.

An ID or a number that could move a request to another path, or start a new header line, is refused
before any request, with a message that names the option. Free text the APIs take in a body or a
query (a cancel reason, a bucket name, a task name, a label selector) is not refused: it is carried
as the value it is, which the simulator's log shows, and no request ever carries an injected header.
"""


import json

import pytest

INJECTED = "\r\nX-Injected: 1"
VSP_TOKEN_PATH = "/vsp/auth/realms/vsp-object/protocol/openid-connect/token"
BIGCHANGE_TOKEN_PATH = "/bigchange/auth/tokens"
VPS = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
GUID = "0a0a0a0a-0000-4000-8000-000000000000"


def environment(sim):
    """Working credentials for every API, from the environment as the modules read them."""
    return {"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": "hostup-test-key",
            "CF_API_URL": sim.url + "/cf", "CF_USERNAME": "admin", "CF_PASSWORD": "admin-secret",
            "VSP_API_URL": sim.url + "/vsp/mapi", "VSP_TOKEN_URL": sim.url + VSP_TOKEN_PATH,
            "VSP_USERNAME": "vsp-admin", "VSP_PASSWORD": "vsp-secret",
            "BIGCHANGE_API_URL": sim.url + "/bigchange/v1", "BIGCHANGE_TOKEN_URL": sim.url + BIGCHANGE_TOKEN_PATH,
            "BIGCHANGE_CUSTOMER_ID": "1001", "BIGCHANGE_CLIENT_ID": "bigchange-client",
            "BIGCHANGE_CLIENT_SECRET": "bigchange-secret"}


# (module, arguments, the option the refusal must name)
REFUSED = [
    ("vps_active_job", {"vps_id": "vps_../../admin", "job_type": "backup"}, "vps_id"),
    ("vps_active_job", {"vps_id": VPS + INJECTED, "job_type": "backup"}, "vps_id"),
    ("vps_active_job_info", {"vps_id": "vps_01hxa3b4c5d6e7f8g9h0j1k2m3%2F..%2Fadmin"}, "vps_id"),
    ("vps_backup", {"vps_id": VPS, "backup_ids": ["bkp_01hxa3b4c5d6e7f8g9h0j1k2m3", "bkp_..\\..\\x"]}, "backup_ids"),
    ("vps_backup", {"vps_id": VPS, "backup_id": "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3" + INJECTED}, "backup_id"),
    ("vps_backup_info", {"vps_id": VPS + "/../" + VPS}, "vps_id"),
    ("vps_backup_retention", {"vps_ids": [VPS, "vps_x?admin=1"], "keep_last": 1}, "vps_ids"),
    ("cf_task", {"guid": "../../v2/apps"}, "guid"),
    ("cf_task", {"guid": GUID + INJECTED}, "guid"),
    ("cf_task", {"guids": [GUID, "%2e%2e"]}, "guids"),
    ("cf_task", {"app_guid": GUID + "#x", "name": "t"}, "app_guid"),
    ("cf_task_info", {"guid": GUID + "/actions/cancel"}, "guid"),
    ("cf_task_info", {"app_guid": "..", "names": ["t"]}, "app_guid"),
    ("cf_task_info", {"names": ["a,b"]}, "names"),
    ("vsp_job", {"job_id": "1/../2"}, "job_id"),
    ("vsp_job", {"job_id": "7" + INJECTED}, "job_id"),
    ("vsp_job", {"job_id": 2 ** 31}, "job_id"),
    ("vsp_job_info", {"user_id": "1" + INJECTED}, "user_id"),
    ("bigchange_job", {"job_id": "480001/../480002", "reason": "x"}, "job_id"),
    ("bigchange_job", {"job_id": 0, "reason": "x"}, "job_id"),
    ("bigchange_job", {"job_id": 480001, "reason": "x", "customer_id": "1001" + INJECTED}, "customer_id"),
    ("bigchange_job_info", {"job_id": "480001" + INJECTED}, "job_id"),
    ("vps_backup_info", {"vps_id": VPS, "api_url": "file:///etc/passwd"}, "api_url"),
    ("cf_task_info", {"guid": GUID, "api_url": "//127.0.0.1/cf"}, "api_url"),
    ("vsp_job_info", {"job_id": 1, "token_url": "javascript:alert(1)"}, "token_url"),
    ("bigchange_job_info", {"job_id": 1, "api_url": "127.0.0.1/bigchange/v1"}, "api_url"),
]


def test_traversal_and_injection_are_refused_before_any_request(sim, play):
    tasks = [{"name": "bad %d" % n, "jobctl.cloud." + module: args, "ignore_errors": True}
             for n, (module, args, option) in enumerate(REFUSED)]
    run = play(tasks, env=environment(sim))
    assert run.rc == 0, run
    for n, (module, args, option) in enumerate(REFUSED):
        out = run.task("bad %d" % n)
        assert out["failed"] is True and out["changed"] is False, (module, args, out)
        assert option in out["msg"], (module, option, out["msg"])
        assert "Traceback" not in out["msg"]
    assert sim.requests() == [], "every one was refused before any request"


def test_free_text_travels_as_itself_and_never_becomes_a_header(sim, play):
    job_id = sim.seed(bigchange={"jobs": [{"status": "scheduled"}]})["bigchange"]["jobs"][0]["id"]
    app = sim.seed(cloudfoundry={"apps": [{"name": "web", "tasks": [{"name": "t"}]}]})["cloudfoundry"]["apps"][0]
    reason = "Engineer off sick" + INJECTED
    bucket = "backups" + INJECTED
    name = "t" + INJECTED
    selector = "team=a&states=FAILED"
    run = play([
        {"name": "cancel", "jobctl.cloud.bigchange_job": {"job_id": job_id, "reason": reason}},
        {"name": "vsp list", "jobctl.cloud.vsp_job_info": {"bucket_name": bucket}},
        {"name": "cf list", "jobctl.cloud.cf_task_info": {"app_guid": app["guid"], "names": [name]}},
        # Cloud Controller refuses the whole selector: the '&' reached it inside label_selector.
        {"name": "cf select", "jobctl.cloud.cf_task_info": {"label_selector": selector}, "ignore_errors": True},
    ], env=environment(sim))
    assert run.rc == 0, [r["result"].get("msg") for r in run.results]
    assert "Invalid label_selector" in run.task("cf select")["msg"]
    log = sim.requests()
    assert not [r for r in log if any(k.lower() == "x-injected" for k in r["headers"])]
    put = [r for r in log if r["method"] == "PUT"]
    assert [r["body"] for r in put] == [{"reason": reason}]
    assert next(j for j in sim.state("bigchange")["jobs"] if j["id"] == job_id)["cancelReason"] == reason
    assert [r["body"].get("bucketName") for r in log if r["path"].endswith("/jobs/list")] == [bucket]
    lists = [r["query"] for r in log if r["path"].endswith("/tasks") and r["method"] == "GET"]
    assert lists[0]["names"] == [name]
    assert lists[1]["label_selector"] == [selector] and "states" not in lists[1]
    assert run.task("cf list")["tasks"] == [] and run.task("vsp list")["jobs"] == []


def test_a_lone_dot_id_is_refused_before_any_request(sim, play):
    run = play([{"name": "dot", "jobctl.cloud.cf_task": {"guid": "."}, "ignore_errors": True}], env=environment(sim))
    sent = [(r["method"], r["path"]) for r in sim.requests()]
    assert ("GET", "/cf/v3/tasks/") not in sent
    assert run.task("dot")["msg"].startswith("guid") and sent == []


def test_a_url_option_holding_a_line_break_is_refused_before_any_request(sim, play):
    env = environment(sim)
    tasks = [
        {"name": "hostup", "jobctl.cloud.vps_backup_info": {"vps_id": VPS, "api_url": sim.hostup_url + INJECTED}},
        {"name": "cloudfoundry", "jobctl.cloud.cf_task_info": {"guid": GUID, "api_url": sim.url + "/cf" + INJECTED}},
        {"name": "vsp", "jobctl.cloud.vsp_job_info": {"job_id": 1, "token_url": env["VSP_TOKEN_URL"] + INJECTED}},
        {"name": "bigchange", "jobctl.cloud.bigchange_job_info": {
            "job_id": 1, "token_url": env["BIGCHANGE_TOKEN_URL"] + INJECTED}},
    ]
    run = play([dict(t, ignore_errors=True) for t in tasks], env=env)
    assert not [r for r in sim.requests() if any(k.lower() == "x-injected" for k in r["headers"])]
    assert sim.requests() == []
    for name, option in (("hostup", "api_url"), ("cloudfoundry", "api_url"), ("vsp", "token_url"),
                         ("bigchange", "token_url")):
        assert run.task(name)["msg"].startswith(option)


# -- URL options, secrets and numbers: refused before any request, naming the option -------------

SECRET_PART = "S3cretPW"
URL_CASES = [
    ("user info", lambda url: url.replace("://", "://admin:%s@" % SECRET_PART)),
    ("a token as user", lambda url: url.replace("://", "://%s@" % SECRET_PART)),
    ("a query", lambda url: url + "?sig=" + SECRET_PART),
    ("a fragment", lambda url: url + "#" + SECRET_PART),
    ("a leading space", lambda url: " " + url + "/" + SECRET_PART),
    ("a trailing space", lambda url: url + "/" + SECRET_PART + " "),
]


def test_url_options_with_user_info_query_fragment_or_spaces_are_refused_quoting_nothing(sim, play):
    env = environment(sim)
    cases = []
    for n, (label, spoil) in enumerate(URL_CASES):
        for api, module, args, option, url in (
                ("hostup", "vps_backup_info", {"vps_id": VPS}, "api_url", sim.hostup_url),
                ("cf", "cf_task_info", {"guid": GUID}, "api_url", sim.url + "/cf"),
                ("vsp", "vsp_job_info", {"job_id": 1}, "token_url", env["VSP_TOKEN_URL"]),
                ("bigchange", "bigchange_job_info", {"job_id": 1}, "api_url", sim.url + "/bigchange/v1")):
            # Through the environment: a URL typed into the task would be echoed by Ansible itself
            # with the source lines of a failed task.
            variable = "URL_CASE_%s_%d" % (api.upper(), n)
            env[variable] = spoil(url)
            cases.append(("%s %s" % (api, label), module,
                          dict(args, **{option: "{{ lookup('ansible.builtin.env', '%s') }}" % variable}), option))
    run = play([{"name": name, "jobctl.cloud." + module: args, "ignore_errors": True}
                for name, module, args, option in cases], env=env, verbosity=3)
    assert run.rc == 0, run
    for name, module, args, option in cases:
        out = run.task(name)
        assert out["failed"] and out["msg"].startswith(option + " "), (name, out["msg"])
        assert SECRET_PART not in json.dumps(out), (name, out)
    assert SECRET_PART not in run.stdout + run.stderr
    assert sim.requests() == [], "every one was refused before any request"


def test_a_secret_a_header_cannot_carry_is_refused_naming_the_option(sim, play):
    curly = "hostup-\u201ctest\u201d-key"  # typographic quotes pasted from a document
    env = dict(environment(sim), HOSTUP_API_KEY=curly, CF_ACCESS_TOKEN="tok\u00a0en", VSP_ACCESS_TOKEN="t\u00e9ken",
               BIGCHANGE_ACCESS_TOKEN="tok en")
    run = play([
        {"name": "hostup", "jobctl.cloud.vps_backup_info": {"vps_id": VPS}, "ignore_errors": True},
        {"name": "cf", "jobctl.cloud.cf_task_info": {"guid": GUID}, "ignore_errors": True},
        {"name": "vsp", "jobctl.cloud.vsp_job_info": {"job_id": 1}, "ignore_errors": True},
        {"name": "bigchange", "jobctl.cloud.bigchange_job_info": {"job_id": 1}, "ignore_errors": True},
    ], env=env)
    for name, option in (("hostup", "api_token"), ("cf", "access_token"), ("vsp", "access_token"),
                         ("bigchange", "access_token")):
        out = run.task(name)
        assert out["failed"] and out["msg"].startswith(option + " holds a character an HTTP header cannot carry"), out
        assert "codec" not in out["msg"] and "Traceback" not in json.dumps(out)
    assert "test\u201d" not in run.stdout and "tok en" not in run.stdout
    assert sim.requests() == []


def test_a_password_with_any_character_is_sent_as_itself_in_the_form(sim, play):
    # Passwords travel in form bodies (UTF-8), not headers: a non-ASCII one is fine.
    sim.seed(vsp={"users": [{"username": "\u00e5sa", "password": "p\u00e4ss\u201cw\u201d"}]})
    env = dict(environment(sim), VSP_USERNAME="\u00e5sa", VSP_PASSWORD="p\u00e4ss\u201cw\u201d")
    run = play([{"name": "vsp", "jobctl.cloud.vsp_job_info": {"job_id": 1}}], env=env)
    assert run.task("vsp")["jobs"] == [], run


@pytest.mark.parametrize("option,value,words", [
    ("timeout", "nan", "timeout must be a finite number"),
    ("timeout", "inf", "timeout must be a finite number"),
    ("timeout", 1e300, "timeout must be at most"),
    ("timeout", 0, "timeout must be greater than 0"),
    ("retries", -1, "retries must be at least 0"),
    ("retries", 10 ** 6, "retries must be at most"),
    ("wait_sleep", "nan", "wait_sleep must be a finite number"),
    ("wait_sleep", "-inf", "wait_sleep must be a finite number"),
    ("wait_timeout", 10 ** 9, "wait_timeout must be at most"),
    ("wait_timeout", -1, "wait_timeout must be at least 0"),
])
def test_numbers_must_be_finite_and_in_range(sim, play, option, value, words):
    run = play([{"name": "n", "ignore_errors": True, "jobctl.cloud.vps_active_job": {
        "vps_id": VPS, "job_type": "backup", "wait": True, option: value}}], env=environment(sim))
    out = run.task("n")
    assert out["failed"] and out["msg"].startswith(words), out["msg"]
    assert out["changed"] is False
    assert sim.requests() == []
