"""``PYTHONPATH=tests python -m simulator --port 8765 [--host 127.0.0.1] [--seed demo|empty]
[--port-file PATH] [--tls [--ca-file PATH] [--client-certs DIR]] [--verbose]``: serve the simulated APIs until SIGTERM/SIGINT."""

import argparse
import os
import shutil
import signal
import sys
import threading

from .core import SEEDS, Simulator


def main(argv=None):
    # Installed (jobctl-cloud-sim, docs/simulator.md) or run from the collection's tests.
    prog = "jobctl-cloud-sim" if __package__ == "jobctl_cloud_sim" else "python -m simulator"
    parser = argparse.ArgumentParser(prog=prog, description="jobctl.cloud API simulator")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one; default 8765)")
    parser.add_argument("--seed", choices=SEEDS, default="empty", help="initial data (default empty)")
    parser.add_argument("--port-file", help="write the port to this file once listening")
    parser.add_argument("--tls", action="store_true",
                        help="serve https with a certificate signed by a CA made at start (needs 'cryptography')")
    parser.add_argument("--ca-file", help="with --tls: copy that CA's certificate here, for clients' ca_path")
    parser.add_argument("--client-certs", metavar="DIR",
                        help="with --tls: require a client certificate; write one the server accepts (client.pem, "
                             "client-key.pem) and one it refuses (wrong.pem, wrong-key.pem) into DIR")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if args.ca_file and not args.tls:
        parser.error("--ca-file needs --tls")
    if args.client_certs and not args.tls:
        parser.error("--client-certs needs --tls")

    try:
        sim = Simulator(host=args.host, port=args.port, seed=args.seed, verbose=args.verbose, tls=args.tls,
                        client_certs=bool(args.client_certs))
    except (ValueError, RuntimeError) as exc:  # RuntimeError: --tls without cryptography
        parser.error(str(exc))
    if args.ca_file:
        shutil.copyfile(sim.ca_file, args.ca_file)
    if args.client_certs:
        os.makedirs(args.client_certs, exist_ok=True)
        for path in sim.client_certs.values():
            shutil.copy(path, args.client_certs)  # keeps the keys' 0600
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sim.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write("%d\n" % sim.port)
        os.replace(tmp, args.port_file)
    print("API simulator listening on %s (seed: %s)" % (sim.url, args.seed))
    print("  control: %s/_sim" % sim.url)
    for name in sim.apis:
        print("  %s: %s" % (name, sim.api_url(name)))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    sim.stop()
    print("API simulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
