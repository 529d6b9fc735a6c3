"""Secret hygiene (issue #7): every module, with distinct secrets, succeeding and failing.

Each case gets secrets no other test uses (random, so a leak cannot be a coincidence, and awkward:
'&', '+', '/', '=' and, outside headers, ' ' and 'é', the characters encodings change): API keys,
passwords, client secrets and access tokens for every way the API's modules sign in, plus every
token the simulator issues during the case (read back from ``/_sim/state`` where the simulator
exposes them; Cloud Foundry's are recognised by their ``cfsim-`` prefix, VSP's by ``vsp-at-`` and
``vsp-rt-``). A secret counts as leaked when any 12 characters of it, raw, URL-encoded either way
or base64 at any alignment, appear in what is checked, so a secret cut short is caught too.

Two halves, both generated from the registry (tests/registry.py), so a module added there is covered:

* What a module puts in its result (msg, warnings, invocation, problem, diff, in any encoding, whole
  or in part) is the module's own behaviour: every module x every case runs in this process
  (tests/runner.py). The cases, per sign-in route of the module's API (``ROUTES``): success with the
  credentials from the environment and from module_defaults; a wrong secret given as an option; an
  API that echoes the request (its Authorization header, its form, its query) in a 400, on every
  request the module makes; a gateway's HTML page on every read; a mutation whose answer is lost
  after the API acted (the warning names the lost answer); a token answer cut short; a header
  secret holding a line break (refused before any request).
* What Ansible prints at -vvv (its own echo of a failed task's source lines, the results it prints,
  the module's stderr) needs real runs: ONE ansible-playbook run per API, at -vvv with --diff, whose
  plays give every sign-in route (the environment, literal ``module_defaults``, ``module_defaults``
  from lookups),
  and in which every module of the API succeeds and fails. Secrets typed into a task would be
  printed by Ansible itself with a failed task's source lines, whatever the module does, so tasks
  take them with ``lookup('env', ...)``; the literal module_defaults sit after the tasks in the
  play, out of reach of that echo. (Nor does any play put a secret in ``environment:``: Ansible
  prints those values at -vvv in the command line it runs, whatever the module does.)
"""

import base64
import json
import re
import secrets
import uuid
from urllib.parse import quote, quote_plus

import pytest
import requests
import yaml
from ansible.module_utils.common.parameters import set_fallbacks

from runner import argument_spec
from harness import run_playbook
from registry import APIS, MODULES, VSP_TOKEN_PATH

# Prefixes of tokens the simulator makes up and does not list in its state.
ISSUED_PREFIXES = ("cfsim-", "vsp-rt-", "vsp-at-")
# The requests a module makes only to sign in: not made by a module given an access token.
SIGN_IN_TARGETS = ("root", "token")
# Few retries: a gateway page that never goes away costs little (the simulator's clock makes backoffs free).
CASE_ARGS = {"retries": 1}
BASE_PROBE = "http://secrets-probe.invalid"


def new_secret():
    return secrets.token_hex(16)


def awkward_secret(header=False):
    """A secret with the characters encodings change: '&', '+', '/', '=', and (outside headers) ' ' and 'é'."""
    return new_secret() + ("&+/=" if header else "&+/ =\u00e9") + new_secret()


def from_env(name):
    return "{{ lookup('ansible.builtin.env', '%s') }}" % name


# -- the sign-in routes of each API ------------------------------------------------------------------

# Every credential option of each API and the environment variable it is read from (the registry
# pairs only the default credentials; test_the_variables_below_are_the_ones_the_modules_read checks these).
VARIABLES = {
    "hostup": {"api_url": "HOSTUP_API_URL", "api_token": "HOSTUP_API_KEY"},
    "cloudfoundry": {"api_url": "CF_API_URL", "username": "CF_USERNAME", "password": "CF_PASSWORD",
                     "client_id": "CF_CLIENT_ID", "client_secret": "CF_CLIENT_SECRET",
                     "access_token": "CF_ACCESS_TOKEN"},
    "vsp": {"api_url": "VSP_API_URL", "token_url": "VSP_TOKEN_URL", "username": "VSP_USERNAME",
            "password": "VSP_PASSWORD", "client_id": "VSP_CLIENT_ID", "client_secret": "VSP_CLIENT_SECRET",
            "access_token": "VSP_ACCESS_TOKEN"},
    "bigchange": {"api_url": "BIGCHANGE_API_URL", "token_url": "BIGCHANGE_TOKEN_URL",
                  "customer_id": "BIGCHANGE_CUSTOMER_ID", "client_id": "BIGCHANGE_CLIENT_ID",
                  "client_secret": "BIGCHANGE_CLIENT_SECRET", "access_token": "BIGCHANGE_ACCESS_TOKEN"},
}


class Route:
    """One way of signing in: its options, the one that is its secret, and whether it fetches a token."""

    def __init__(self, name, options, secret, sign_in):
        self.name = name
        self.options = options
        self.secret = secret
        self.sign_in = sign_in


def hostup_routes(sim):
    key = awkward_secret(header=True)
    sim.seed(hostup={"api_keys": [{"key": key}]})
    return [Route("key", {"api_token": key}, "api_token", False)]


def cloudfoundry_routes(sim):
    password, client_secret = awkward_secret(), awkward_secret()
    sim.seed(cloudfoundry={"users": [{"username": "ops", "password": password, "role": "admin"}],
                           "clients": [{"client_id": "bot", "client_secret": client_secret}]})
    # An access token of its own, fetched as any client would (it is a secret like the others).
    answer = requests.post(sim.url + "/cf/uaa/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": "bot", "client_secret": client_secret})
    answer.raise_for_status()
    return [Route("password", {"username": "ops", "password": password}, "password", True),
            Route("client", {"client_id": "bot", "client_secret": client_secret}, "client_secret", True),
            Route("token", {"access_token": answer.json()["access_token"]}, "access_token", False)]


def vsp_routes(sim):
    password, client_secret = awkward_secret(), awkward_secret()
    sim.seed(vsp={"users": [{"username": "ops", "password": password}],
                  "clients": [{"client_id": "ops-client", "secret": client_secret}]})
    answer = requests.post(sim.url + VSP_TOKEN_PATH, timeout=10, data={
        "grant_type": "password", "client_id": "ops-client", "client_secret": client_secret, "username": "ops",
        "password": password})
    answer.raise_for_status()
    return [Route("password", {"username": "ops", "password": password, "client_id": "ops-client",
                               "client_secret": client_secret}, "password", True),
            Route("token", {"access_token": answer.json()["access_token"]}, "access_token", False)]


def bigchange_routes(sim):
    client_secret, access_token = awkward_secret(), awkward_secret(header=True)
    sim.seed(bigchange={"clients": [{"client_id": "ops", "client_secret": client_secret}],
                        "access_tokens": [{"token": access_token}]})
    return [Route("client", {"client_id": "ops", "client_secret": client_secret}, "client_secret", True),
            Route("token", {"access_token": access_token}, "access_token", False)]


# Per API: seed fresh credentials for every sign-in route and return the routes (see the report:
# this belongs in the registry's Api rows).
ROUTES = {"hostup": hostup_routes, "cloudfoundry": cloudfoundry_routes, "vsp": vsp_routes,
          "bigchange": bigchange_routes}
# The route names, known before any simulator runs (for the cases below).
ROUTE_NAMES = {"hostup": [("key", False)],
               "cloudfoundry": [("password", True), ("client", True), ("token", False)],
               "vsp": [("password", True), ("token", False)],
               "bigchange": [("client", True), ("token", False)]}


def base_options(api, url):
    """The API's options but its credentials: URLs (and BigChange's customer ID)."""
    credentials = set(VARIABLES[api]) - {"api_url", "token_url", "customer_id"}
    return dict((o, v) for o, v in APIS[api].options(url).items() if o not in credentials)


def as_env(api, options):
    return dict((VARIABLES[api][o], str(v)) for o, v in options.items())


def header_route(routes):
    """The route whose secret travels in a header as it is (an API key, an access token)."""
    return next(r for r in routes if not r.sign_in)


# -- failures the API itself answers, per module --------------------------------------------------


# Per module: the registry's ``refusals`` (an unknown object, or a change the API refuses).
REFUSALS = dict((name, module.refusals) for name, module in MODULES.items())


# -- leaks -------------------------------------------------------------------------------------------

def encoded_forms(value):
    """A secret as it may travel or be echoed: raw, URL-encoded both ways, base64 at every alignment."""
    raw = value.encode()
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value, safe="").lower()}
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            forms.add(text[(pad + 2) // 3 * 4:(pad + len(raw)) // 3 * 4])
    return {form for form in forms if form}


def leaks(texts, known):
    """Which secrets (by label) show up, whole or in part (12 characters), in any encoding, in ``texts``."""
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


def result_texts(out):
    return {"result": json.dumps(out, ensure_ascii=False), "result (JSON-escaped)": json.dumps(out)}


def issued(sim, api):
    """Tokens, CSRF tokens and sessions the simulator handed out so far, by label."""
    known = {}
    if api == "vsp":
        for kind, values in sim.state("vsp")["issued"].items():
            known.update(("issued %s %d" % (kind, n), value) for n, value in enumerate(values))
    if api == "bigchange":
        known.update(("issued token %d" % n, t["token"]) for n, t in enumerate(sim.state("bigchange")["tokens"]))
    return known


def fetched_tokens(sim, api, routes):
    """Access tokens the simulator issued beyond those the test fetched for its routes (for Cloud
    Foundry, whose state does not list them, the token requests it answered)."""
    given = set(r.options.get("access_token") for r in routes)
    if api == "vsp":
        return set(sim.state("vsp")["issued"]["access_tokens"]) - given
    if api == "bigchange":
        return set(t["token"] for t in sim.state("bigchange")["tokens"]) - given
    if api == "cloudfoundry":
        # The test fetched one token itself (for its token route); the module's own are the rest.
        answered = [e["seq"] for e in sim.requests("cloudfoundry")
                    if e["path"].endswith("/oauth/token") and e["status"] == 200]
        return set(answered[1:])
    return set()


def known_secrets(routes):
    return dict(("%s %s" % (r.name, option), r.options[option]) for r in routes for option in r.options
                if option in ("api_token", "password", "client_secret", "access_token"))


# -- the in-process cases ----------------------------------------------------------------------------

def targets(module, sign_in):
    """The requests ``module`` makes when it signs in (or not): its API's sign-in requests, then its own."""
    auth = [t for t in APIS[module.api].auth_targets if sign_in or t.name not in SIGN_IN_TARGETS]
    return auth + list(module.targets)


def cases():
    for name in sorted(MODULES):
        module = MODULES[name]
        for route, sign_in in ROUTE_NAMES[module.api]:
            for via in ("env", "defaults"):
                yield name, "ok", route, via, None
            yield name, "wrong", route, "env", None
            for tgt in targets(module, sign_in):
                yield name, "echo", route, "env", tgt.name
                if not tgt.mutating:
                    yield name, "html", route, "env", tgt.name
                else:
                    yield name, "lost", route, "env", tgt.name
                if sign_in and tgt.name == "token":
                    yield name, "cut", route, "env", tgt.name
            for label, make, fails in REFUSALS[name]:
                yield name, "refused", route, "env", label
        unsigned = [r for r, signs_in in ROUTE_NAMES[module.api] if not signs_in]
        yield name, "linebreak", unsigned[0], "env", None


CASES = list(cases())


def test_every_module_and_api_has_its_cases():
    assert set(c[0] for c in CASES) == set(MODULES)
    assert set(ROUTES) == set(APIS) == set(ROUTE_NAMES) == set(VARIABLES)
    assert all(REFUSALS[name] for name in MODULES), "every registered module has a refusal"
    for name, module in MODULES.items():
        kinds = set(c[1] for c in CASES if c[0] == name)
        assert {"ok", "wrong", "echo", "linebreak", "refused"} <= kinds, (name, kinds)
        assert ("lost" in kinds) == module.mutating, name
        for tgt in module.targets:
            assert any(c[0] == name and c[4] == tgt.name for c in CASES), (name, tgt.name)


def fault_rule(module, tgt, obj, **rule):
    return dict(rule, api=module.api, method=tgt.method, path=tgt.path.format(**obj))


@pytest.mark.parametrize("name,kind,route_name,via,target", CASES,
                         ids=["-".join(str(p) for p in c if p is not None) for c in CASES])
def test_a_module_result_shows_no_secret(sim, run, name, kind, route_name, via, target):
    module = MODULES[name]
    routes = ROUTES[module.api](sim)
    route = next(r for r in routes if r.name == route_name)
    known = known_secrets(routes)
    obj = module.seed(sim, 1)[0]
    refusal_fails = True
    args = dict(module.args(obj), **CASE_ARGS)
    options = dict(base_options(module.api, sim.url), **route.options)
    env, defaults = {}, {}
    if via == "env":
        env = as_env(module.api, options)
    else:
        defaults = {module.group: options}
    since = sim.requests()[-1]["seq"] if sim.requests() else 0
    tgt = next((t for t in targets(module, route.sign_in) if t.name == target), None) if kind != "refused" else None
    rule = None
    if kind == "wrong":
        known["wrong %s" % route.secret] = args[route.secret] = awkward_secret(header=not route.sign_in)
    elif kind == "linebreak":
        value = new_secret() + "\r\n"
        known["%s with a line break" % route.secret] = value.strip()
        env[VARIABLES[module.api][route.secret]] = value
    elif kind == "echo":
        rule = sim.fault(**fault_rule(module, tgt, obj, kind="echo", status=400, times=1))
    elif kind == "html":
        rule = sim.fault(**fault_rule(module, tgt, obj, kind="html", status=502, times=-1))
    elif kind == "lost":
        rule = sim.fault(**fault_rule(module, tgt, obj, kind="drop", when="after", times=1))
    elif kind == "cut":
        rule = sim.fault(**fault_rule(module, tgt, obj, kind="malformed", when="after", times=1))
    elif kind == "refused":
        label, make, refusal_fails = next(r for r in REFUSALS[name] if r[0] == target)
        args = dict(make(sim, obj), **CASE_ARGS)
    out = run(name, args, defaults=defaults, env=env, diff=True, verbosity=3)

    sent = sim.requests(since=since)
    if rule is not None:
        fired = [e for e in sent if e["fault_id"] == rule["id"]]
        assert fired, "the fault never fired: the case did not test what it says"
        if rule["times"] > 0:
            assert len(fired) == rule["times"], len(fired)
    failed = bool(out.get("failed"))
    msg = out.get("msg") or ""
    if kind == "ok":
        assert not failed, msg
        assert out["changed"] is module.changed and module.check(out, obj) == [], out
    elif kind == "lost":
        assert not failed and out["changed"] is True, msg
        assert any("lost" in w for w in out.get("warnings") or []), out.get("warnings")
    elif kind == "refused" and not refusal_fails:
        assert not failed and out["changed"] is False, msg
    else:
        assert failed, out
        assert "Traceback" not in json.dumps(out) and "MODULE FAILURE" not in msg, msg
    if kind == "echo":
        assert "HTTP 400" in msg and "Refused: Authorization" in msg, msg
    if kind == "cut":
        assert "not valid JSON" in msg, msg
    if kind == "wrong" and route.name == "password" and module.api == "cloudfoundry":
        assert "Bad credentials" in msg, msg
    if kind == "refused":
        assert sent, "the API was asked"
        assert not failed or msg.strip(), out
    if kind == "linebreak":
        assert msg.startswith(route.secret + " holds a line break"), msg
        assert sent == [], "refused before any request"
    if route.sign_in and (kind == "ok" or (kind == "echo" and target not in SIGN_IN_TARGETS)):
        assert fetched_tokens(sim, module.api, routes), "the module signed in, so the check below could have failed"
    known.update(issued(sim, module.api))
    found = leaks(result_texts(out), known)
    assert not found, found


def test_an_api_error_echoing_the_credentials_does_echo_them(sim):
    """The echo the cases above rely on: the simulator quotes the Authorization header and the form whole."""
    routes = ROUTES["vsp"](sim)
    password = routes[0].options["password"]
    rule = sim.fault(api="vsp", path=VSP_TOKEN_PATH + "$", kind="echo", status=400, times=1)
    answer = requests.post(sim.url + VSP_TOKEN_PATH, timeout=10, data={
        "grant_type": "password", "client_id": "ops-client", "username": "ops", "password": password})
    assert answer.status_code == 400 and rule["id"]
    assert leaks({"answer": answer.text}, {"password": password}), "the echo does not show the password"
    token = routes[1].options["access_token"]
    sim.fault(api="vsp", path="/csrf$", kind="echo", status=400, times=1)
    answer = requests.get(sim.url + "/vsp/mapi/v1/csrf", timeout=10, headers={"Authorization": "Bearer " + token})
    assert leaks({"answer": answer.text}, {"token": token}), "the echo does not show the token"


# -- the variables and options the cases use ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODULES))
def test_the_variables_above_are_the_ones_the_modules_read(name, monkeypatch):
    api = MODULES[name].api
    spec = argument_spec(name)
    for option, variable in VARIABLES[api].items():
        for other in VARIABLES[api].values():
            monkeypatch.delenv(other, raising=False)
        monkeypatch.setenv(variable, "probe-value")
        params = {}
        set_fallbacks(spec, params)
        assert params.get(option) == "probe-value", (name, option, variable, params)
    # Every secret of a route is no_log, and the registry's pairing agrees with this one.
    for route, sign_in in ROUTE_NAMES[api]:
        assert spec[{"key": "api_token", "password": "password", "client": "client_secret",
                     "token": "access_token"}[route]].get("no_log") is True
    pairs = APIS[api]._options  # noqa: SLF001 - the registry keeps its pairing only here
    assert all(VARIABLES[api][o] == v for o, v in pairs.items())
    assert set(base_options(api, BASE_PROBE)) <= set(VARIABLES[api])


# -- what Ansible prints: one -vvv playbook run per API -------------------------------------------

def arm(sim, name, **rule):
    """A task that makes the simulator answer the next matching request with a fault."""
    return {"name": name, "ansible.builtin.uri": {"url": sim.url + "/_sim/faults", "method": "POST",
                                                  "body_format": "json", "body": rule}}


def task(name, module, args, fails=False, **keywords):
    out = dict({"name": name, "jobctl.cloud." + module: args}, **keywords)
    if fails:
        out["ignore_errors"] = True
    return out


class ApiPlaybook:
    """One playbook for an API: a play per way of giving credentials, every module succeeding and failing.

    The plays: the first route from the process environment; the last route (the only one, for an
    API with one) as literal ``module_defaults``; any route between from ``module_defaults`` templated
    from lookups. The first play has, for every module, a success and an API echoing its request (a
    failure; the API's own refusals are results like any other, checked in-process above), and for
    the API's first module a wrong secret, a
    secret holding a line break and, when the route signs in, a token request echoed and cut short;
    every later play a success and an echo for the first module (a route's delivery is the API's).
    """

    def __init__(self, sim, api):
        self.api = api
        routes = ROUTES[api](sim)
        self.known = known_secrets(routes)
        self.names = names = sorted(m for m in MODULES if MODULES[m].api == api)
        first = names[0]
        base = base_options(api, sim.url)
        blank = dict((v, "") for v in sorted(set(as_env(api, dict((o, "") for r in routes for o in r.options)))))
        deliveries = [(routes[0], "env"), (routes[-1], "defaults")] + [(r, "lookup") for r in routes[1:-1]]
        # A fresh object for every task that needs one: a case never meets the state another left.
        needed = dict((name, 2 * len(deliveries) + 4 if name == first else 2) for name in names)
        objects = dict((name, MODULES[name].seed(sim, needed[name])) for name in names)

        def args_for(name, **extra):
            return dict(MODULES[name].args(objects[name].pop()), **dict(CASE_ARGS, **extra))

        wrong, linebreak = awkward_secret(), new_secret() + "\r\n"
        self.known["wrong secret"], self.known["secret with a line break"] = wrong, linebreak.strip()
        self.env = dict(as_env(api, dict(base, **routes[0].options)), T_WRONG=wrong, T_LINEBREAK=linebreak)
        self.expected = {}
        self.armed = 0
        self.plays = []
        self.labels = []    # (label, route) per play

        def add(tasks, entry, status):
            assert entry["name"] not in self.expected, entry["name"]
            self.expected[entry["name"]] = status
            tasks.append(entry)

        def arm_then(tasks, label, name, tgt, obj, what, **rule):
            self.armed += 1
            rule = dict(rule, api=api, method=tgt.method, path=tgt.path.format(**obj), times=1)
            if tgt.shared:
                # A path every case shares (a token endpoint, VSP's job calls): armed just before its case.
                add(tasks, arm(sim, "%s arm %s for %s" % (label, what, name), **rule), "ok")
            else:
                # The path names the case's own object: armed now, no other request can meet it.
                sim.fault(**rule)

        for n, (route, delivery) in enumerate(deliveries):
            tasks = []
            label = "%s/%s:" % (route.name, delivery)
            self.labels.append((label, route))
            # Every module in the first play; in the others the API's first module alone: how a route
            # delivers the credentials is the API's (its shared options), the same for all its modules.
            for name in names if n == 0 else [first]:
                module = MODULES[name]
                add(tasks, task("%s %s ok" % (label, name), name, args_for(name)), "ok")
                if n == 0 or name == first:
                    obj = objects[name].pop()
                    arm_then(tasks, label, name, module.targets[0], obj, "echo", kind="echo", status=400)
                    add(tasks, task("%s %s echo" % (label, name), name, dict(module.args(obj), **CASE_ARGS),
                                    fails=True), "ignored")
            if n == 0:
                add(tasks, task("%s %s wrong secret" % (label, first), first,
                                args_for(first, **{route.secret: from_env("T_WRONG")}), fails=True), "ignored")
                add(tasks, task("%s %s line break" % (label, first), first,
                                args_for(first, **{header_route(routes).secret: from_env("T_LINEBREAK")}),
                                fails=True), "ignored")
                if route.sign_in:
                    token = next(t for t in APIS[api].auth_targets if t.name == "token")
                    for kind, extra in (("echo", {"status": 400}), ("malformed", {"when": "after"})):
                        arm_then(tasks, label, first, token, {}, kind + " on the token", kind=kind, **extra)
                        add(tasks, task("%s %s token %s" % (label, first, kind), first, args_for(first),
                                        fails=True), "ignored")
            play = {"name": "%s %s" % (api, label), "hosts": "localhost", "gather_facts": False,
                    "connection": "local", "tasks": tasks}
            if delivery == "defaults":
                # Literal, after the tasks: the module must mask them, and Ansible's echo of a failed
                # task's source lines cannot reach them. The environment's credentials are blanked.
                play["environment"] = blank
                play["module_defaults"] = {APIS[api].group: dict(base, **route.options)}
            elif delivery == "lookup":
                # Templated from lookups of the process environment. (Not through the play's
                # ``environment:``: Ansible itself prints those values at -vvv, in the command it runs.)
                play["environment"] = blank
                defaults = dict(base)
                for option, value in route.options.items():
                    self.env["T_ROUTE_%s" % option.upper()] = value
                    defaults[option] = from_env("T_ROUTE_%s" % option.upper())
                play["module_defaults"] = {APIS[api].group: defaults}
            self.plays.append(play)


@pytest.mark.parametrize("api", sorted(APIS))
def test_nothing_ansible_prints_at_vvv_shows_a_secret(sim, tmp_path, api):
    book = ApiPlaybook(sim, api)
    path = tmp_path / ("secrets-%s-%s.yml" % (api, uuid.uuid4().hex))
    path.write_text(yaml.safe_dump(book.plays, sort_keys=False, allow_unicode=True))
    run = run_playbook(path, ["-vvv", "--diff"], env=book.env)
    assert [r["task"] for r in run.results if r["task"] in book.expected] == list(book.expected), run
    wrong = dict((n, (book.expected[n], run.status(n))) for n in book.expected if run.status(n) != book.expected[n])
    assert not wrong, (wrong, run)
    assert len(book.plays) >= 2, "the environment and module_defaults, at least"
    for name in book.names:
        for label, route in book.labels if name == book.names[0] else book.labels[:1]:
            out = run.task("%s %s ok" % (label, name))
            assert out["changed"] is MODULES[name].changed, (label, name, out)
        assert "HTTP 400" in run.task("%s %s echo" % (book.labels[0][0], name))["msg"]
    faults = [e for e in sim.requests(api) if e["fault"] in ("echo", "malformed")]
    assert len(faults) == book.armed, "every armed fault fired once: %d of %d" % (len(faults), book.armed)
    signed_in = sum(1 for n, (label, route) in enumerate(book.labels) if route.sign_in
                    for name in (book.names if n == 0 else book.names[:1]))
    # Every run that signed in got its own token, which the leak check below looks for.
    given = set(r.options.get("access_token") for label, r in book.labels)
    if api == "vsp":
        assert len(set(sim.state("vsp")["issued"]["access_tokens"]) - given) >= signed_in
    if api == "bigchange":
        assert len(set(t["token"] for t in sim.state("bigchange")["tokens"]) - given) >= signed_in
    if api == "cloudfoundry":
        assert "Bad credentials" in run.task("%s %s wrong secret" % (book.labels[0][0], book.names[0]))["msg"]
    book.known.update(issued(sim, api))
    found = leaks({"stdout": run.stdout, "stderr": run.stderr,
                   "results": json.dumps(run.results, ensure_ascii=False)}, book.known)
    assert not found, found
    assert "<redacted>" in json.dumps(sim.requests(api)), "the credentials travelled (redacted in the log)"
    assert re.search(r"\bfatal: \[localhost\]", run.stdout), "no task failed visibly: the failure paths did not run"


# -- whitespace alone is no secret (issue 21) ---------------------------------------------------------

@pytest.mark.parametrize("in_process", ["true", "false"])
def test_a_whitespace_only_key_masks_no_space_in_what_ansible_prints(sim, in_process):
    """A real ad-hoc `ansible -m` run, in the controller's worker and as a module process: a key of
    one space counts as unset, and Ansible, told of no such no_log value, prints the message whole."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from harness import ansible_env

    env = ansible_env({"HOSTUP_API_URL": sim.hostup_url, "HOSTUP_API_KEY": " ",
                       "JOBCTL_CLOUD_IN_PROCESS": in_process})
    env = {k: v for k, v in env.items() if not k.startswith("ANSIBLE_CALLBACK")}
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-i", "localhost,", "-c", "local",
                           "-m", "jobctl.cloud.vps_active_job", "-a", "vps_id=vps_1 job_type=backup"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "no credentials were given: set api_token (or the environment variable HOSTUP_API_KEY)" in out, out
    assert "********" not in out, out
    assert sim.requests() == []
    assert os.environ.get("HOSTUP_API_KEY") is None
