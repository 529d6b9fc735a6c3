"""Bad input through the modules (issue #7): path traversal and header injection never reach an API.

An ID or a number that could move a request to another path, or start a new header line, is refused
before any request, with a message that names the option. Free text the APIs take in a body or a
query (a cancel reason, a bucket name, a task name, a label selector) is not refused: it is carried
as the value it is, which the simulator's log shows, and no request ever carries an injected header.

Refusing bad input is the module's own behaviour, so each case is one in-process run of the module
(tests/runner.py) with the simulator's credentials in the environment, as the modules read them.
Where a case applies per API or per module it is generated from the registry (tests/registry.py):
the URL options of every API, the header-carried secret of every API, the number options of every
module that has them. What only Ansible can show (its own echo of a failed task, at -vvv) is one
ansible-playbook run over every API: ``test_a_url_secret_never_shows_in_what_ansible_prints``.
"""

import json

import pytest

from runner import argument_spec
from registry import APIS, MODULES, environment

INJECTED = "\r\nX-Injected: 1"
VPS = "vps_01hxa3b4c5d6e7f8g9h0j1k2m3"
GUID = "0a0a0a0a-0000-4000-8000-000000000000"
# A URL the registry never hands out: the URL options are those whose values are the simulator's URLs.
PROBE_BASE = "http://url-options.invalid"


def url_options(api):
    """The options of ``api`` that hold a URL (api_url, token_url), read from the registry."""
    return [option for option, value in APIS[api].options(PROBE_BASE).items()
            if isinstance(value, str) and value.startswith(PROBE_BASE)]


def variable_of(api, option):
    """The environment variable the registry gives ``option`` of ``api`` from."""
    return APIS[api]._options[option]  # noqa: SLF001 - the registry keeps this pairing only here


SPECS = dict((name, argument_spec(name)) for name in sorted(MODULES))


def seeded_args(sim, module):
    """The module's arguments for a fresh object of its own (seeding sends no API request)."""
    return MODULES[module].args(MODULES[module].seed(sim, 1)[0])


def refused(out, option):
    """What is wrong with a result that must be a refusal naming ``option`` (an empty list when nothing)."""
    problems = []
    if out.get("failed") is not True:
        problems.append("not refused: %s" % out)
    if out.get("changed") is not False:
        problems.append("changed is %s" % out.get("changed"))
    if not isinstance(out.get("msg"), str) or option not in out["msg"]:
        problems.append("msg does not name %s: %s" % (option, out.get("msg")))
    text = json.dumps(out)
    for marker in ("Traceback", "MODULE FAILURE"):
        if marker in text:
            problems.append("%r in the result" % marker)
    if "exception" in out:
        problems.append("an exception in the result")
    return problems


def with_env(sim, **extra):
    return dict(environment(sim.url), **extra)


# -- IDs and other options that could move a request ------------------------------------------------

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


@pytest.mark.parametrize("module,args,option", REFUSED,
                         ids=["%d-%s-%s" % (n, c[0], c[2]) for n, c in enumerate(REFUSED)])
def test_traversal_and_injection_are_refused_before_any_request(sim, run, module, args, option):
    out = run(module, args, defaults={}, env=with_env(sim))
    assert not refused(out, option), (module, args, refused(out, option))
    assert sim.requests() == [], "refused before any request"


def test_free_text_travels_as_itself_and_never_becomes_a_header(sim, run):
    job_id = sim.seed(bigchange={"jobs": [{"status": "scheduled"}]})["bigchange"]["jobs"][0]["id"]
    app = sim.seed(cloudfoundry={"apps": [{"name": "web", "tasks": [{"name": "t"}]}]})["cloudfoundry"]["apps"][0]
    reason = "Engineer off sick" + INJECTED
    bucket = "backups" + INJECTED
    name = "t" + INJECTED
    selector = "team=a&states=FAILED"
    env = with_env(sim)
    cancel = run("bigchange_job", {"job_id": job_id, "reason": reason}, defaults={}, env=env)
    vsp_list = run("vsp_job_info", {"bucket_name": bucket}, defaults={}, env=env)
    cf_list = run("cf_task_info", {"app_guid": app["guid"], "names": [name]}, defaults={}, env=env)
    # Not a selector the module can check its answer against: refused before any request, never a second parameter.
    cf_select = run("cf_task_info", {"label_selector": selector}, defaults={}, env=env)
    assert [bool(r.get("failed")) for r in (cancel, vsp_list, cf_list)] == [False] * 3, \
        [r.get("msg") for r in (cancel, vsp_list, cf_list)]
    assert cancel["changed"] is True
    assert cf_select.get("failed") and cf_select["msg"].startswith(
        "label_selector cannot be read: 'team=a&states=FAILED' is not a requirement"), cf_select
    log = sim.requests()
    assert not [r for r in log if any(k.lower() == "x-injected" for k in r["headers"])]
    put = [r for r in log if r["method"] == "PUT"]
    assert [r["body"] for r in put] == [{"reason": reason}]
    assert next(j for j in sim.state("bigchange")["jobs"] if j["id"] == job_id)["cancelReason"] == reason
    assert [r["body"].get("bucketName") for r in log if r["path"].endswith("/jobs/list")] == [bucket]
    lists = [r["query"] for r in log if r["path"].endswith("/tasks") and r["method"] == "GET"]
    assert len(lists) == 1 and lists[0]["names"] == [name]
    assert cf_list["tasks"] == [] and vsp_list["jobs"] == []


def test_a_lone_dot_id_is_refused_before_any_request(sim, run):
    out = run("cf_task", {"guid": "."}, defaults={}, env=with_env(sim))
    sent = [(r["method"], r["path"]) for r in sim.requests()]
    assert ("GET", "/cf/v3/tasks/") not in sent
    assert out.get("failed") and out["msg"].startswith("guid") and sent == [], out


# -- URL options: every URL option of every API, from the registry ---------------------------------

URL_OPTION_CASES = [(module, option) for module in sorted(MODULES) for option in url_options(MODULES[module].api)]


def test_every_api_has_a_url_option_to_spoil():
    assert set(MODULES[m].api for m, o in URL_OPTION_CASES) == set(APIS)
    for api in APIS:
        assert "api_url" in url_options(api), api


@pytest.mark.parametrize("delivery", ["option", "env"])
@pytest.mark.parametrize("module,option", URL_OPTION_CASES, ids=["%s-%s" % c for c in URL_OPTION_CASES])
def test_a_url_option_holding_a_line_break_is_refused_before_any_request(sim, run, module, option, delivery):
    api = MODULES[module].api
    args = seeded_args(sim, module)
    env = with_env(sim)
    variable = variable_of(api, option)
    spoiled = env[variable] + INJECTED
    if delivery == "option":
        args[option] = spoiled
    else:
        env[variable] = spoiled
    out = run(module, args, defaults={}, env=env)
    assert not [r for r in sim.requests() if any(k.lower() == "x-injected" for k in r["headers"])]
    assert sim.requests() == []
    assert out.get("failed") and out["msg"].startswith(option), out
    assert out["changed"] is False


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
URL_CASE = dict(URL_CASES)


@pytest.mark.parametrize("delivery", ["option", "env"])
@pytest.mark.parametrize("label", sorted(URL_CASE))
@pytest.mark.parametrize("module,option", URL_OPTION_CASES, ids=["%s-%s" % c for c in URL_OPTION_CASES])
def test_url_options_with_user_info_query_fragment_or_spaces_are_refused_quoting_nothing(
        sim, run, module, option, label, delivery):
    api = MODULES[module].api
    args = seeded_args(sim, module)
    env = with_env(sim)
    variable = variable_of(api, option)
    spoiled = URL_CASE[label](env[variable])
    if delivery == "option":
        args[option] = spoiled
    else:
        env[variable] = spoiled
    out = run(module, args, defaults={}, env=env)
    assert out.get("failed") and out["msg"].startswith(option + " "), out
    assert out["changed"] is False
    # Anywhere in the result: msg, invocation (the refused value is masked there), problem.
    assert SECRET_PART not in json.dumps(out), out
    assert sim.requests() == [], "refused before any request"


def test_a_url_secret_never_shows_in_what_ansible_prints(sim, play):
    """Ansible's own side, in ONE ansible-playbook run at -vvv: every URL option and every URL case.

    The spoiled URL comes through ``lookup('env')``: a URL typed into the task would be echoed by
    Ansible itself with the source lines of a failed task, whatever the module does. The URL options
    of all APIs take the cases in turn, so each option and each case is printed at least once (each
    option of each module meets every case in-process above; here what matters is what Ansible
    prints).
    """
    env = with_env(sim)
    pairs = [(api, option) for api in sorted(APIS) for option in url_options(api)]
    cases = []
    for n in range(max(len(pairs), len(URL_CASES))):
        api, option = pairs[n % len(pairs)]
        label, spoil = URL_CASES[n % len(URL_CASES)]
        module = next(m for m in sorted(MODULES) if MODULES[m].api == api)
        variable = "URL_CASE_%d" % n
        env[variable] = spoil(env[variable_of(api, option)])
        args = dict(seeded_args(sim, module), **{option: "{{ lookup('ansible.builtin.env', '%s') }}" % variable})
        cases.append(("%s %s %s" % (api, option, label), module, args, option))
    assert set(name.split()[0] for name, m, a, o in cases) == set(APIS)
    assert set((MODULES[m].api, o) for n, m, a, o in cases) == set(pairs)
    assert set(name.split(" ", 2)[2] for name, m, a, o in cases) == set(label for label, spoil in URL_CASES)
    run = play([{"name": name, "jobctl.cloud." + module: args, "ignore_errors": True}
                for name, module, args, option in cases], env=env, verbosity=3)
    assert run.rc == 0, run
    for name, module, args, option in cases:
        out = run.task(name)
        assert out["failed"] and out["msg"].startswith(option + " "), (name, out["msg"])
        assert SECRET_PART not in json.dumps(out), (name, out)
    assert SECRET_PART not in run.stdout + run.stderr
    assert sim.requests() == [], "every one was refused before any request"


# -- secrets a header cannot carry ------------------------------------------------------------------

# Per API: the environment variable and option of the secret the modules send in a header (the
# registry names only the default credentials; see the report). Checked to cover every API below.
HEADER_SECRETS = {
    "hostup": ("HOSTUP_API_KEY", "api_token"),
    "cloudfoundry": ("CF_ACCESS_TOKEN", "access_token"),
    "vsp": ("VSP_ACCESS_TOKEN", "access_token"),
    "bigchange": ("BIGCHANGE_ACCESS_TOKEN", "access_token"),
}
UNCARRIABLE = {
    "curly quotes": "hostup-\u201ctest\u201d-key",  # typographic quotes pasted from a document
    "no-break space": "tok\u00a0en",
    "accent": "t\u00e9ken",
    "space": "tok en",
}


def test_every_api_names_its_header_secret():
    assert set(HEADER_SECRETS) == set(APIS)
    for api, (variable, option) in HEADER_SECRETS.items():
        for module in (m for m in MODULES if MODULES[m].api == api):
            assert SPECS[module][option].get("no_log") is True, (module, option)


@pytest.mark.parametrize("label", sorted(UNCARRIABLE))
@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_secret_a_header_cannot_carry_is_refused_naming_the_option(sim, run, module, label):
    variable, option = HEADER_SECRETS[MODULES[module].api]
    value = UNCARRIABLE[label]
    out = run(module, seeded_args(sim, module), defaults={}, env=with_env(sim, **{variable: value}))
    assert out.get("failed") and out["msg"].startswith(
        option + " holds a character an HTTP header cannot carry"), out
    assert "codec" not in out["msg"] and "Traceback" not in json.dumps(out)
    assert value not in json.dumps(out, ensure_ascii=False) and value not in json.dumps(out)
    assert out["changed"] is False
    assert sim.requests() == []


def test_a_password_with_any_character_is_sent_as_itself_in_the_form(sim, run):
    # Passwords travel in form bodies (UTF-8), not headers: a non-ASCII one is fine.
    sim.seed(vsp={"users": [{"username": "\u00e5sa", "password": "p\u00e4ss\u201cw\u201d"}]})
    env = with_env(sim, VSP_USERNAME="\u00e5sa", VSP_PASSWORD="p\u00e4ss\u201cw\u201d")
    out = run("vsp_job_info", {"job_id": 1}, defaults={}, env=env)
    assert not out.get("failed") and out["jobs"] == [], out


# -- numbers: every module that has the option -------------------------------------------------------

NUMBERS = [
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
]
NUMBER_CASES = [(module,) + case for module in sorted(MODULES) for case in NUMBERS if case[0] in SPECS[module]]


def test_every_number_option_is_tried_on_every_module_that_has_it():
    for option in set(case[0] for case in NUMBERS):
        having = sorted(m for m in MODULES if option in SPECS[m])
        assert having == sorted(set(c[0] for c in NUMBER_CASES if c[1] == option)), option
    # Every module has the HTTP options; the wait options come with wait.
    assert set(c[0] for c in NUMBER_CASES if c[1] == "timeout") == set(MODULES)
    assert set(c[0] for c in NUMBER_CASES if c[1] == "wait_sleep") == set(m for m in MODULES if "wait" in SPECS[m])
    assert "vps_active_job" in set(c[0] for c in NUMBER_CASES if c[1] == "wait_timeout")


@pytest.mark.parametrize("module,option,value,words", NUMBER_CASES,
                         ids=["%s-%s=%s" % (c[0], c[1], c[2]) for c in NUMBER_CASES])
def test_numbers_must_be_finite_and_in_range(sim, run, module, option, value, words):
    args = seeded_args(sim, module)
    if "wait" in SPECS[module]:
        args["wait"] = True
    args[option] = value
    out = run(module, args, defaults={}, env=with_env(sim))
    assert out.get("failed") and out["msg"].startswith(words), out.get("msg")
    assert out["changed"] is False
    assert sim.requests() == []


# -- whitespace alone: no value, and no secret (issue 21) ---------------------------------------------

BLANKS = {"one space": " ", "spaces and a tab": "  \t "}


def _secret_options(api, base):
    """The (option, variable) pairs of the registry's credentials of ``api`` that hold a secret."""
    values = APIS[api].options(base)
    return [(option, variable_of(api, option)) for option, value in values.items() if value in APIS[api].secrets]


@pytest.mark.parametrize("delivery", ["option", "env"])
@pytest.mark.parametrize("blank", sorted(BLANKS))
@pytest.mark.parametrize("api", sorted(APIS))
def test_a_whitespace_only_secret_counts_as_unset_and_masks_no_space(sim, run, api, blank, delivery):
    module = next(m for m in sorted(MODULES) if MODULES[m].api == api)
    args = seeded_args(sim, module)
    env = with_env(sim)
    option, variable = _secret_options(api, sim.url)[0]
    if delivery == "option":
        args[option] = BLANKS[blank]
        del env[variable]
    else:
        env[variable] = BLANKS[blank]
    out = run(module, args, defaults={}, env=env)
    assert out.get("failed") and out["changed"] is False, out
    assert option in out["msg"] and variable in out["msg"], out["msg"]
    # Learned as a no_log value, whitespace would turn every space of the result into ********.
    assert "********" not in json.dumps(out) and " " in out["msg"], out
    assert sim.requests() == []


@pytest.mark.parametrize("delivery", ["option", "env"])
@pytest.mark.parametrize("blank", sorted(BLANKS))
@pytest.mark.parametrize("module,option", URL_OPTION_CASES, ids=["%s-%s" % c for c in URL_OPTION_CASES])
def test_a_whitespace_only_url_fails_naming_the_option_and_masks_no_space(sim, run, module, option, blank, delivery):
    api = MODULES[module].api
    args = seeded_args(sim, module)
    env = with_env(sim)
    if delivery == "option":
        args[option] = BLANKS[blank]
    else:
        env[variable_of(api, option)] = BLANKS[blank]
    out = run(module, args, defaults={}, env=env)
    assert out.get("failed") and out["changed"] is False, out
    assert out["msg"].startswith(option + " "), out["msg"]
    assert "********" not in json.dumps(out), out
    # Never the default URL: the user gave one, and it is refused as given.
    assert "https://" not in out["msg"] and "http://" not in out["msg"], out["msg"]
    assert sim.requests() == []
