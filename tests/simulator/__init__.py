"""API simulator for the jobctl.cloud collection's tests (standard library only).

In process::

    from simulator import Simulator
    sim = Simulator(seed="demo").start()      # random free port on 127.0.0.1
    sim.api_url("hostup")                      # http://127.0.0.1:PORT/hostup/api/v2
    sim.stop()

From a shell: ``PYTHONPATH=tests python -m simulator --port 8765 --seed demo``. Installed as the
distribution ``jobctl-cloud-sim`` (pyproject.toml here; docs/simulator.md), the same package is
``jobctl_cloud_sim`` and its control API's client ``jobctl_cloud_sim.client.SimClient``.
"""

from .client import SimClient, SimError
from .core import API, API_CLASSES, InvalidJSON, Request, Response, Simulator, register, route

__all__ = ["API", "API_CLASSES", "InvalidJSON", "Request", "Response", "SimClient", "SimError", "Simulator",
           "register", "route"]
