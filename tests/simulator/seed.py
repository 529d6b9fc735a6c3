"""The "demo" seed: one function per API, ``demo_<api name>(now)`` returning that API's seed body.

``Simulator.reset("demo")`` calls ``demo_<name>(sim.now())`` for every registered API that has one
and passes the result to that API's ``seed()``. IDs come from a fixed random generator, so the
demo objects keep the same IDs from one run to the next (times are relative to ``now``).
"""

import random


CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
DAY = 86400


def demo_id(prefix, rng, length=26):
    """A stable ``prefix_`` + lowercase Crockford base32 ID drawn from ``rng``."""
    return "%s_01%s" % (prefix, "".join(rng.choice(CROCKFORD) for dummy in range(length - 2)))


def demo_hostup(now):
    rng = random.Random("hostup-demo")
    machines = [
        ("web-prod-sto1", "185.20.36.14", {"cpuCores": 4, "memoryMb": 8192, "diskGb": 160}, 7),
        ("db-primary-sto1", "185.20.36.27", {"cpuCores": 8, "memoryMb": 16384, "diskGb": 320}, 5),
        ("ci-runner-01", "185.20.37.102", {"cpuCores": 2, "memoryMb": 4096, "diskGb": 80}, 8),
    ]
    vps = []
    for index, (name, ip, resources, count) in enumerate(machines):
        backups = []
        for n in range(count):
            age = 40.0 * (n + 0.5) / count + rng.uniform(-1.5, 1.5)
            scheduled = n % 3 != 1
            backups.append({
                "id": demo_id("bkp", rng),
                "createdAt": now - max(0.2, age) * DAY,
                "backupType": "scheduled" if scheduled else "manual",
                "sizeGb": round(resources["diskGb"] * rng.uniform(0.12, 0.45), 1),
                "note": None if scheduled else rng.choice(["before kernel upgrade", "pre-deploy", "before migration"]),
            })
        if index == 2:
            # HostUp's pages show createdAt and note may be null: the prune leaves such a backup alone.
            backups[1]["createdAt"] = None
        spec = {
            "id": demo_id("vps", rng),
            "name": name,
            "primaryIp": ip,
            "resources": resources,
            "operatingSystem": {"id": "debian-12", "name": "Debian 12"} if index == 1 else
                               {"id": "ubuntu-24.04", "name": "Ubuntu 24.04 LTS"},
            "backups": backups,
            # ...and a quota may have no limit (limit and remaining null).
            "quota_limit": None if index == 2 else 10,
        }
        if index == 0:
            spec["active_jobs"] = [{"id": demo_id("job", rng), "jobType": "backup", "progress": 35,
                                    "duration": 1800, "backupType": "manual", "note": "demo backup"}]
        if index == 1:
            newest = min(backups, key=lambda b: now - b["createdAt"])
            spec["active_jobs"] = [{"id": demo_id("job", rng), "jobType": "restore", "progress": 60,
                                    "duration": 1800, "backupId": newest["id"]}]
        vps.append(spec)
    return {"vps": vps}
