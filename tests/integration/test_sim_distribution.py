"""The simulator as users install it (issue 23, docs/simulator.md).

The distribution ``jobctl-cloud-sim`` is built from tests/simulator into a wheel without an index,
then the CI job of docs/simulator.md runs as written, step by step, in a workspace outside the
repository: it installs that wheel into a fresh venv (``PIP_NO_INDEX``: nothing else may be
needed), starts ``jobctl-cloud-sim --seed demo``, seeds a job and a fault with curl, runs the page's
playbook with ``ansible-playbook`` and the collection of this checkout, and runs the page's check of
the request log. The venv the page made is then shown to hold no Ansible, and the simulator it
started to serve all four APIs on 127.0.0.1 only.

Two things differ from the page, both named here: the job's port (a free one instead of 8765, so
that a simulator someone started by hand cannot answer for this one) and what
``JOBCTL_CLOUD_SIM`` installs (the wheel instead of a checkout's directory, which a build would need
setuptools from an index for). The page's checkouts and Python set-up (``uses:`` steps) and its
"Install Ansible and the collection" step are what this machine already has (PROVIDED).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from harness import COLLECTIONS, ROOT

PAGE = ROOT / "docs" / "simulator.md"
# A block the page gives as a file of the user's repository: <!-- file: PATH --> then a fenced block.
FILE_BLOCK = re.compile(r"^<!-- file: (?P<path>\S+) -->\n```[a-z]*\n(?P<text>.*?)^```$", re.M | re.S)
WORKFLOW = ".github/workflows/playbooks.yml"
PAGE_PORT = "8765"
PROVIDED = {"Install Ansible and the collection"}
STEP_TIMEOUT = 120
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def page_files(port):
    files = {m.group("path"): m.group("text").replace(PAGE_PORT, str(port))
             for m in FILE_BLOCK.finditer(PAGE.read_text())}
    assert sorted(files) == sorted([WORKFLOW, "playbooks/stop-replication.yml", "tests/check_requests.py"]), sorted(files)
    return files


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_wheel(tmp):
    """The wheel of tests/simulator, built from a copy (a build writes build/ and *.egg-info beside the sources)."""
    source = tmp / "src"
    shutil.copytree(ROOT / "tests" / "simulator", source,
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)]
    # Offline with requirements-dev.txt's setuptools; else the way a user builds, with setuptools from the index.
    proc = subprocess.run(pip + ["--no-build-isolation", "--no-index"], capture_output=True, text=True,
                          timeout=STEP_TIMEOUT, check=False)
    if proc.returncode != 0:
        proc = subprocess.run(pip, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    wheels = list(dist.glob("jobctl_cloud_sim-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def run_step(step, env, workspace):
    """One ``run:`` step as GitHub Actions runs it: bash, -e and pipefail, in the workspace."""
    script = workspace.parent / "step.sh"
    script.write_text(step["run"])
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=str(workspace),
                          env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)


def get(url, headers=None, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    # HostUp refuses urllib's own User-Agent (as Cloudflare in front of it does).
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}, **{"User-Agent": "ci-check/1.0"}))
    with NO_PROXY.open(request, timeout=10) as answer:
        return answer.status, json.loads(answer.read().decode())


def listening_addresses(port):
    """The local addresses of the sockets listening on ``port`` (Linux's /proc/net/tcp, tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def gone(pid):
    """Whether process ``pid`` has ended (waiting at most 5 s: it stops on SIGTERM at once)."""
    for dummy in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_the_docs_ci_job_runs_as_written_against_the_installed_simulator(tmp_path):
    port = free_port()
    wheel = build_wheel(tmp_path)
    workspace = tmp_path / "workspace"  # the user's repository: outside this one
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    for path, text in page_files(port).items():
        (workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (workspace / path).write_text(text + "\n")

    job = yaml.safe_load((workspace / WORKFLOW).read_text())["jobs"]["playbooks"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSTUP_", "CF_", "VSP_", "BIGCHANGE_", "PIP_"))}
    env.update({k: str(v) for k, v in job["env"].items()})
    env.update({
        "JOBCTL_CLOUD_SIM": str(wheel),
        "PIP_NO_INDEX": "1",  # what the simulator needs must all be in the wheel
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "RUNNER_TEMP": str(runner_temp),
        # This checkout's collection and ansible-playbook (the page's "Install Ansible and the collection").
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    steps = job["steps"]
    assert sorted(s["uses"] for s in steps if "uses" in s) == [
        "actions/checkout@v4", "actions/checkout@v4", "actions/setup-python@v5"], steps
    assert PROVIDED <= {s.get("name") for s in steps}, steps
    main = [s for s in steps if "run" in s and s.get("name") not in PROVIDED and "if" not in s]
    on_failure = [s for s in steps if s.get("if") == "failure()"]
    always = [s for s in steps if s.get("if") == "always()"]
    assert len(main) == 5 and len(on_failure) == 1 and len(always) == 1, [s.get("name") for s in steps]

    outputs = {}
    pid_file = runner_temp / "sim.pid"
    try:
        for step in main:
            proc = run_step(step, env, workspace)
            outputs[step["name"]] = proc.stdout
            if proc.returncode != 0:
                log = run_step(on_failure[0], env, workspace).stdout
                raise AssertionError("step %r failed (%d):\n%s\n%s\nsimulator log:\n%s" % (
                    step["name"], proc.returncode, proc.stdout, proc.stderr, log))

        assert "cancelled [101, 201]" in outputs["Check what the playbook asked of the API, and what it left"]

        # The venv the page made holds the simulator and pip's own tools: no Ansible, nothing else.
        python = runner_temp / "sim" / "bin" / "python"
        listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], env=env,
                                capture_output=True, text=True, timeout=STEP_TIMEOUT, check=True).stdout
        assert {p["name"] for p in json.loads(listed)} - {"pip", "setuptools"} == {"jobctl-cloud-sim"}, listed
        imported = subprocess.run([str(python), "-c", "import ansible"], capture_output=True, text=True,
                                  timeout=STEP_TIMEOUT, check=False)
        assert imported.returncode != 0 and "No module named 'ansible'" in imported.stderr, imported.stderr

        # The four APIs answer on 127.0.0.1, and the simulator listens there only.
        base = "http://127.0.0.1:%d" % port
        status, vps = get(base + "/hostup/api/v2/vps", {"Authorization": "Bearer hostup-test-key"})
        assert status == 200 and {v["name"] for v in vps["data"]} >= {"web-prod-sto1", "ci-runner-01"}
        status, root = get(base + "/cf/")
        assert status == 200 and root["links"]["cloud_controller_v3"]["href"].endswith("/cf/v3")
        status, token = get(env["VSP_TOKEN_URL"], form={
            "grant_type": "password", "client_id": "vsp-object-external-client",
            "username": "vsp-admin", "password": "vsp-secret"})
        assert status == 200 and token["access_token"]
        status, token = get(env["BIGCHANGE_TOKEN_URL"], form={
            "grant_type": "client_credentials", "client_id": "bigchange-client", "client_secret": "bigchange-secret"})
        assert status == 200 and token["access_token"]
        if os.path.exists("/proc/net/tcp"):
            assert listening_addresses(port) == ["0100007F"], listening_addresses(port)

        refused = subprocess.run([str(python.parent / "jobctl-cloud-sim"), "--host", "0.0.0.0", "--port", "0"],
                                 capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)
        assert refused.returncode == 2 and "only binds loopback addresses" in refused.stderr, refused.stderr
    finally:
        stop = run_step(always[0], env, workspace) if pid_file.exists() else None
        if stop is not None and not gone(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert stop.returncode == 0 and gone(int(pid_file.read_text())), stop.stderr
