"""Client of the simulator's control API (``/_sim``), standard library only.

::

    from jobctl_cloud_sim.client import SimClient   # in the collection's tests: simulator.client

    sim = SimClient("http://127.0.0.1:8765")
    sim.wait_until_ready()
    sim.reset("demo")
    sim.fault(api="vsp", path="/v1/jobs/cancel", kind="status", status=503)
    ...                                              # run the playbook
    cancels = [r for r in sim.requests("vsp") if r["path"].endswith("/v1/jobs/cancel")]

Every method is one control call (docs/simulator.md lists them with their bodies and answers).
A control call the simulator refuses raises ``SimError`` (its ``status`` and ``answer``).
"""

import json
import ssl
import time
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPSHandler, ProxyHandler, Request, build_opener

# Each API's base URL below the simulator's, as a module's api_url takes it.
API_PATHS = {
    "hostup": "/hostup/api/v2",
    "cloudfoundry": "/cf",
    "vsp": "/vsp/mapi",
    "bigchange": "/bigchange/v1",
}


class SimError(Exception):
    """The simulator refused a control call (``status``: its HTTP status, ``answer``: its JSON body)."""

    def __init__(self, method, path, status, answer):
        detail = answer.get("error") if isinstance(answer, dict) else answer
        super().__init__("%s /_sim%s: HTTP %d: %s" % (method, path, status, detail))
        self.status = status
        self.answer = answer


class SimClient:
    """The control API of a simulator at ``url`` (``http://127.0.0.1:PORT``; for ``--tls``, give
    ``ca_file``, the file ``--ca-file`` wrote, and with ``--client-certs`` also ``cert``, a
    ``(certificate file, key file)`` pair it accepts: ``client.pem``, ``client-key.pem``)."""

    def __init__(self, url, timeout=10, ca_file=None, cert=None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.ca_file = ca_file
        # The simulator is on loopback: a proxy from the environment (HTTP_PROXY) must not get its calls.
        handlers = [ProxyHandler({})]
        if ca_file or cert:
            context = ssl.create_default_context(cafile=ca_file)
            if cert:
                context.load_cert_chain(*cert)
            handlers.append(HTTPSHandler(context=context))
        self._opener = build_opener(*handlers)

    def _call(self, method, path, body=None, params=None):
        url = self.url + "/_sim" + path
        if params:
            url += "?" + urlencode({k: v for k, v in params.items() if v is not None})
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                text = response.read()
        except HTTPError as exc:
            text = exc.read()
            try:
                answer = json.loads(text.decode("utf-8"))
            except ValueError:
                answer = text.decode("utf-8", "replace")
            raise SimError(method, path, exc.code, answer) from None
        return json.loads(text.decode("utf-8")) if text else None

    # -- lifecycle and data ------------------------------------------------------------------
    def health(self):
        """``{"ok": true, "apis": {name: base path}, "now": epoch seconds, "tls_refused": n}``."""
        return self._call("GET", "/health")

    def wait_until_ready(self, timeout=10.0, interval=0.1):
        """Wait (at most ``timeout`` seconds) until the simulator answers; return its health."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.health()
            except (URLError, ConnectionError) as exc:
                if time.monotonic() >= deadline:
                    raise TimeoutError("no simulator answered at %s within %s s: %s" % (self.url, timeout, exc)) from None
                time.sleep(interval)

    def reset(self, seed="empty"):
        """Forget everything (objects, log, faults, rate limits, clock) and load ``seed`` ("empty" or "demo")."""
        return self._call("POST", "/reset", {"seed": seed})

    def seed(self, **apis):
        """Add objects: ``seed(vsp={"jobs": [...]}, hostup={"vps": [...]})``; returns what was made, per API."""
        return self._call("POST", "/seed", apis)

    def state(self, api=None):
        """Every object of ``api`` (or of every API, by name), as the simulator holds them."""
        return self._call("GET", "/state", params={"api": api})

    def set_state(self, **apis):
        """Replace the objects of the APIs named (each body as for ``seed``); the other APIs, the
        request log, faults, rate limits and the clock stay as they are."""
        return self._call("PUT", "/state", apis)

    # -- the request log ---------------------------------------------------------------------
    def requests(self, api=None, since=0):
        """The request log (oldest first), of one API or all, after sequence number ``since``."""
        return self._call("GET", "/requests", params={"api": api, "since": since})["requests"]

    def clear_requests(self):
        self._call("DELETE", "/requests")

    # -- faults, rate limits, clock -----------------------------------------------------------
    def fault(self, **rule):
        """Script a fault: ``fault(api="vsp", path="/jobs/cancel", kind="status", status=503, times=1)``."""
        return self._call("POST", "/faults", rule)

    def faults(self):
        """The fault rules, with how often each has hit and how many times it has left."""
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self):
        self._call("DELETE", "/faults")

    def rate_limit(self, api, per_second, burst=None):
        """A token bucket for ``api`` (None: every API); ``per_second=None`` removes it."""
        body = {"api": api, "per_second": per_second}
        if burst is not None:
            body["burst"] = burst
        return self._call("POST", "/rate_limit", body)

    def rate_limits(self):
        return self._call("GET", "/rate_limit")["rate_limits"]

    def advance(self, seconds):
        """Move the simulated clock ``seconds`` on (jobs finish, tokens expire); returns ``{"now", "offset"}``."""
        return self._call("POST", "/clock", {"advance": seconds})

    def get_clock(self):
        """``{"now": simulated epoch seconds, "offset": seconds advanced since the last reset}``."""
        return self._call("GET", "/clock")

    # -- where the APIs are ------------------------------------------------------------------
    def api_url(self, name):
        """The base URL a module takes as ``api_url`` for API ``name`` (hostup, cloudfoundry, vsp, bigchange)."""
        return self.url + API_PATHS[name]

    @property
    def hostup_url(self):
        return self.api_url("hostup")
