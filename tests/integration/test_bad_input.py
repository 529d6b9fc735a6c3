"""Bad input through the modules (issue #7): path traversal and header injection never reach an API.

An ID or a number that could move a request to another path, or start a new header line, is refused
before any request, with a message that names the option. Free text the APIs take in a body or a
query (a cancel reason, a bucket name, a task name, a label selector) is not refused: it is carried
as the value it is, which the simulator's log shows, and no request ever carries an injected header.
"""


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
