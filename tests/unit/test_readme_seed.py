"""The README's table of what the demo seed holds is the seed's own truth (a fresh `demo` reset)."""

import re

from harness import ROOT, SimClient

ROW = re.compile(r"^\| (HostUp|Cloud Foundry|VSP|BigChange) \| `([^`]+)` \| `([^`]+)` \| (.+) \|$")


def rows():
    text = (ROOT / "README.md").read_text()
    found = [ROW.match(line).groups() for line in text.splitlines() if ROW.match(line)]
    assert len(found) >= 15, "the README's demo seed table is gone or changed shape"
    return found


def test_every_row_of_the_readme_demo_table_is_in_the_seed(simulator):
    sim = SimClient(simulator)
    sim.reset("demo")
    hostup = dict((v["id"], v) for v in sim.state("hostup")["vps"])
    cf = sim.state("cloudfoundry")
    apps = dict((a["guid"], a) for a in cf["apps"])
    tasks = dict((t["guid"], t) for t in cf["tasks"])
    vsp = dict((j["jobId"]["id"], j) for j in sim.state("vsp")["jobs"])
    bigchange = dict((j["id"], j) for j in sim.state("bigchange")["jobs"])
    for api, ident, name, what in rows():
        if api == "HostUp":
            vps = hostup[ident]
            assert vps["name"] == name
            assert "%d backups" % len(vps["backups"]) in what, (ident, len(vps["backups"]))
            jobs = [j["jobType"] for j in vps.get("active_jobs") or []]
            assert ("a %s job running" % jobs[0] in what) if jobs else ("no job" in what), (ident, jobs)
        elif api == "Cloud Foundry" and ident in apps:
            app = apps[ident]
            assert app["name"] == name
            mine = sorted((t["sequence_id"], t["name"], t["state"]) for t in cf["tasks"] if t["app_guid"] == ident)
            for sequence, task, state in mine:
                assert "`%s` (" % task in what and "%d, %s" % (sequence, state) in what, (name, task, sequence, state)
        elif api == "Cloud Foundry":
            task = tasks[ident]
            assert task["name"] == name and task["state"] in what and "task %d" % task["sequence_id"] in what
        elif api == "VSP":
            job = vsp[int(ident)]
            assert job["jobType"] == name and what.startswith("job, %s" % job["jobState"])
        else:
            job = bigchange[int(ident)]
            assert job["reference"] == name and what.startswith("job, %s" % job["status"])
