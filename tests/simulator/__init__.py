"""API simulator for the jobctl.cloud collection's tests (standard library only).

In process::

    from simulator import Simulator
    sim = Simulator(seed="demo").start()      # random free port on 127.0.0.1
    sim.api_url("hostup")                      # http://127.0.0.1:PORT/hostup/api/v2
    sim.stop()

From a shell: ``PYTHONPATH=tests python -m simulator --port 8765 --seed demo``.
"""

from .core import API, API_CLASSES, InvalidJSON, Request, Response, Simulator, register, route

__all__ = ["API", "API_CLASSES", "InvalidJSON", "Request", "Response", "Simulator", "register", "route"]
