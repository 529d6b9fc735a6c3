"""Real VSP samples (issue 12 item 7) through the models and full module runs (in this process).

The shapes are the confirmed ones of docs/api/vsp.md (section "Confirmed"): negative int32 job
and user IDs, and startTime/completeTime as epoch seconds (floats), as in the vendor's own samples
(hitachi-vantara/vspone-object-ansible, hv_jobs_facts.py: job -769908758, user -468170324,
start 1752770711.809, complete 1752770724.423; their keys snake_cased there, camelCase on the wire).
"""

from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import JobPage, StatusReply

TOKEN_PATH = "/vsp/ui/auth/realms/vsp-object/protocol/openid-connect/token"

FINISHED = {"jobId": {"id": -769908758}, "jobState": "COMPLETE", "jobType": "BATCH_REPLICATE",
            "startTime": 1752770711.809, "completeTime": 1752770724.423, "jobStats": {"failed": 0, "processed": 0}}
RUNNING = {"jobId": {"id": -2147483648}, "jobState": "EXECUTING", "jobType": "LIFECYCLE_UPDATE",
           "startTime": 1752770800.5, "jobStats": {"failed": 0, "processed": 12}}
USER = -468170324


def test_the_samples_go_through_the_models_unchanged():
    for sample in (FINISHED, RUNNING):
        status = StatusReply.model_validate({"status": sample}).status
        assert status.raw() == sample, "nothing added, nothing changed, floats stay floats"
        assert status.job_id.id == sample["jobId"]["id"] < 0
        assert status.start_time == sample["startTime"] and isinstance(status.start_time, float)
    page = JobPage.model_validate({"jobs": [FINISHED, RUNNING]})
    assert [job.raw() for job in page.jobs] == [FINISHED, RUNNING] and page.page_token is None
    # The vendor reads "jobs" with a default of []: an empty list may come without it.
    assert JobPage.model_validate({}).jobs is None and not JobPage.model_validate({}).model_extra


def seeded(sample):
    spec = {"id": sample["jobId"]["id"], "jobState": sample["jobState"], "jobType": sample["jobType"],
            "startTime": sample["startTime"], "jobStats": sample["jobStats"], "userId": USER, "bucketName": "samples"}
    if "completeTime" in sample:
        spec["completeTime"] = sample["completeTime"]
    return spec


def test_the_samples_through_one_full_module_run(sim, run):
    sim.seed(vsp={"jobs": [seeded(FINISHED), seeded(RUNNING)]})
    defaults = {"group/jobctl.cloud.vsp": {"api_url": sim.url + "/vsp/mapi", "token_url": sim.url + TOKEN_PATH,
                                           "username": "vsp-admin", "password": "vsp-secret"}}
    listing = run("vsp_job_info", {"user_id": USER}, defaults=defaults)
    assert not listing.get("failed"), listing
    listed = listing["jobs"]
    assert [{key: job[key] for key in sample} for job, sample in zip(listed, (FINISHED, RUNNING))] == [FINISHED, RUNNING]
    assert sim.requests("vsp")[2]["body"]["userId"] == {"id": USER}

    out = run("vsp_job", {"job_ids": [FINISHED["jobId"]["id"], RUNNING["jobId"]["id"]]}, defaults=defaults)
    assert not out.get("failed"), out
    assert out["changed"] is True and out["canceled"] == [RUNNING["jobId"]["id"]]
    finished, cancelled = out["jobs"]
    assert {key: finished[key] for key in FINISHED} == FINISHED, "the finished job as read, times as given"
    assert cancelled["jobId"] == RUNNING["jobId"] and cancelled["jobState"] == "CANCELLED"
    assert cancelled["startTime"] == RUNNING["startTime"] and isinstance(cancelled["completeTime"], float)

    one = run("vsp_job_info", {"job_id": RUNNING["jobId"]["id"]}, defaults=defaults)
    assert not one.get("failed"), one
    assert one["jobs"] == [cancelled]
