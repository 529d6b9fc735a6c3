"""What the tests share: paths, the simulator's control client, and real ansible-playbook runs.

A plain module (not conftest) so that tests can import from it under pytest's importlib mode.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
# JOBCTL_COLLECTIONS points the tests at another copy of the collection (the mutants of
# tests/integration/test_mutants.py); by default they test this checkout.
COLLECTIONS = Path(os.environ.get("JOBCTL_COLLECTIONS") or ROOT / ".build" / "collections")
LINK = COLLECTIONS / "ansible_collections" / "jobctl" / "cloud"

# The collection is imported as ansible_collections.jobctl.cloud, as Ansible does; the link makes
# the repository root (which is the collection root) importable under that name.
if not LINK.exists() and not os.environ.get("JOBCTL_COLLECTIONS"):
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(ROOT)
for path in (str(ROOT / "tests"), str(COLLECTIONS)):
    if path not in sys.path:
        sys.path.insert(0, path)

HOSTUP_KEY = "hostup-test-key"


class SimClock:
    """The collection's clock in tests: the simulator's. Sleeping moves simulated time on, at once.

    A Retry-After, a backoff or a wait_sleep costs no real time, and what the simulator does over
    time (jobs that end, rate-limit windows that refill, tokens that expire) happens as the module
    waits. Socket timeouts stay real: a slow answer is slow.
    """

    def __init__(self, simulator):
        self.simulator = simulator
        self.slept = []

    def time(self):
        return self.simulator.now()

    def monotonic(self):
        return self.simulator.now()

    def sleep(self, seconds):
        if seconds > 0:
            self.slept.append(seconds)
            self.simulator.advance(seconds)


from simulator import client as sim_client  # noqa: E402  (tests/ is on sys.path from here on)


class SimClient(sim_client.SimClient):
    """The simulator's control API (the client users get with jobctl-cloud-sim: tests/simulator/client.py),
    plus each API's base URL, for the in-process simulator ``sim``."""

    def __init__(self, sim):
        # An https simulator: trust its CA; one that requires client certificates gets the one it accepts.
        self.client_certs = getattr(sim, "client_certs", None)
        cert = (self.client_certs["cert"], self.client_certs["key"]) if self.client_certs else None
        super().__init__(sim.url, ca_file=getattr(sim, "ca_file", None), cert=cert)
        self.simulator = sim

    def _call(self, *args, **kwargs):
        # The tests expect requests' error for a refused control call (pytest.raises(requests.HTTPError)).
        try:
            return super()._call(*args, **kwargs)
        except sim_client.SimError as exc:
            response = requests.Response()
            response.status_code = exc.status
            response._content = json.dumps(exc.answer).encode("utf-8")
            raise requests.HTTPError(str(exc), response=response) from exc


class PlayResult:
    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    def _named(self, name):
        # Tasks of a role are recorded as "<role> : <task name>".
        return [r for r in self.results if r["task"] == name or r["task"].endswith(" : " + name)]

    def task(self, name):
        matches = self._named(name)
        assert matches, "no result for task %r in %s\n%s" % (name, [r["task"] for r in self.results], self.stdout)
        return matches[-1]["result"]

    def status(self, name):
        return self._named(name)[-1]["status"]

    def __repr__(self):
        return "PlayResult(rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.rc, self.stdout, self.stderr)


def ansible_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "tests" / "integration" / "plugins" / "callback"),
        "ANSIBLE_CALLBACKS_ENABLED": "record",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    env.update(extra or {})
    return env


def run_playbook(playbook, args=(), env=None, timeout=300):
    """Run ansible-playbook on a file and return its recorded results."""
    with tempfile.TemporaryDirectory() as tmp:
        record = os.path.join(tmp, "record.json")
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(playbook)] + list(args),
            env=ansible_env(dict(env or {}, JOBCTL_RECORD=record)), capture_output=True, text=True,
            timeout=timeout, cwd=str(ROOT), check=False)
        results = json.load(open(record)) if os.path.exists(record) else []
    return PlayResult(proc, results)


def concurrently(*calls, timeout=300):
    """Run each callable in a thread of its own, all at once (two runs racing); return their results in order.

    Fails when one has not finished within ``timeout`` seconds, so a hang cannot pass as a result.
    """
    results = [None] * len(calls)

    def run(index):
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a run did not finish within %s s" % timeout
    return results


# Runs a module file as Ansible runs one (a fresh interpreter, its arguments in a file) and, as it
# exits (exit_json and fail_json exit), writes what it had imported. ``prelude`` is run first: a
# test may take a library away.
PROCESS_WRAPPER = """
import atexit, json, runpy, sys
exec(sys.argv[2])
def report(path=sys.argv[1]):
    with open(path, "w") as out:
        json.dump({"pydantic": "pydantic" in sys.modules, "modules": len(sys.modules)}, out)
atexit.register(report)
sys.argv = sys.argv[3:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def module_process(module, args, prelude="", collections=COLLECTIONS, timeout=120):
    """Run ``plugins/modules/<module>.py`` of the collection under ``collections`` as a fresh process.

    Returns (its result, what it had imported as it exited: ``{"pydantic": bool, "modules": count}``,
    the completed process).
    """
    with tempfile.TemporaryDirectory() as tmp:
        args_file = os.path.join(tmp, "args.json")
        with open(args_file, "w") as out:
            json.dump({"ANSIBLE_MODULE_ARGS": args}, out)
        report_file = os.path.join(tmp, "imported.json")
        module_file = Path(collections) / "ansible_collections" / "jobctl" / "cloud" / "plugins" / "modules" / (module + ".py")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_"))}
        env["PYTHONPATH"] = str(collections)
        proc = subprocess.run([sys.executable, "-c", PROCESS_WRAPPER, report_file, prelude, str(module_file), args_file],
                              capture_output=True, text=True, env=env, timeout=timeout, check=False)
        assert os.path.exists(report_file), proc.stderr[-3000:]
        with open(report_file) as report:
            imported = json.load(report)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("%s printed no result: %s %s" % (module, proc.stdout[-2000:], proc.stderr[-3000:]))
    return result, imported, proc


class Scripted:
    """A loopback HTTP server answering GET /api/v2/vps with ``pages(number, query) -> body``."""

    def __init__(self, pages):
        self.pages = pages
        self.requests = []
        self.tunnels = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without this, each answer of a kept-alive
            # connection waits for the client's delayed ACK.
            disable_nagle_algorithm = True

            def do_GET(self):  # noqa: N802 - the name http.server calls
                parts = urlsplit(self.path)
                outer.requests.append((parts.path, parse_qs(parts.query)))
                body = json.dumps(outer.pages(len(outer.requests), parse_qs(parts.query))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_CONNECT(self):  # noqa: N802 - a client asking this server, as its proxy, for a tunnel
                outer.tunnels.append(self.path)
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # noqa: A002 - quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    @property
    def url(self):
        return self.base + "/api/v2"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# -- AWX: the credential types of playbooks/awx_setup.yml, injected as AWX injects them ----------------

AWX_SETUP = ROOT / "playbooks" / "awx_setup.yml"
# Where tests/utils/awx-collection.sh (make awx-collection) puts awx.awx.
AWX_COLLECTIONS = ROOT / ".build" / "collections"


class _AwxPlaybookLoader(yaml.SafeLoader):
    """A YAML loader that reads Ansible's ``!unsafe`` as the plain string it marks."""


_AwxPlaybookLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def awx_setup_playbook():
    """playbooks/awx_setup.yml as data (``!unsafe`` strings as they are)."""
    return yaml.load(AWX_SETUP.read_text(), Loader=_AwxPlaybookLoader)  # noqa: S506 - a SafeLoader


def awx_credential_types():
    """{key: {name, description, inputs, injectors}} of the playbook's ``awx_setup_all_credential_types``."""
    play, = awx_setup_playbook()
    return play["vars"]["awx_setup_all_credential_types"]


class _Namespace:
    def __init__(self, **values):
        self.__dict__.update(values)


def awx_inject(credential_type, directory, **filled):
    """The environment AWX gives a job for a credential of ``credential_type`` filled in with ``filled``.

    As AWX does it: a sandboxed Jinja environment whose namespace holds only the fields filled in
    (an empty field renders as an empty string) and ``tower.filename.<name>``, the path of the file
    each ``template.<name>`` file injector was rendered to (in ``directory``, mode 0600).
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    ids = {field["id"] for field in credential_type["inputs"]["fields"]}
    assert set(filled) <= ids, set(filled) - ids
    namespace = {k: v for k, v in filled.items() if v}
    sandbox = ImmutableSandboxedEnvironment()
    files = {}
    for label, template in credential_type["injectors"].get("file", {}).items():
        assert label.startswith("template."), label
        path = os.path.join(str(directory), "awx-%s" % label.split(".", 1)[1])
        with open(path, "w") as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        files[label.split(".", 1)[1]] = path
    namespace["tower"] = _Namespace(filename=_Namespace(**files))
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}
