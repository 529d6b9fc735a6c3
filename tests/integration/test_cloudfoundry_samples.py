"""Issue 12 item 7: Cloud Foundry's documented shapes through the models, and one full module run.

The samples are the task object and its 202 cancel answer as Cloud Controller's v3 documentation
shows them (cloud_controller_ng docs/v3 api_resources/_tasks.erb: single_task and canceling_task), and
the error bodies docs/api/cloudfoundry.md quotes (422 code 10008, 401 CF-InvalidAuthToken code 1000, the
429 JSON sent as text/plain).
"""

import copy
import json

from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import auth as cf_auth
from ansible_collections.jobctl.cloud.plugins.module_utils._cloudfoundry import models as cloudfoundry
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, normalise

TASK_GUID = "d5cc22ec-99a3-4e6a-af91-a44b4ab7b6fa"
APP_GUID = "ccc25a0f-c8f4-4b39-9f1b-de9f328d0ee5"
DROPLET_GUID = "740ebd2b-162b-469a-bd72-3edb96fabd9a"

RUNNING_TASK = {
    "guid": TASK_GUID,
    "sequence_id": 1,
    "name": "migrate",
    "command": "rake db:migrate",
    "user": "vcap",
    "state": "RUNNING",
    "memory_in_mb": 512,
    "disk_in_mb": 1024,
    "log_rate_limit_in_bytes_per_second": 1024,
    "result": {"failure_reason": None},
    "droplet_guid": DROPLET_GUID,
    "metadata": {"labels": {}, "annotations": {}},
    "created_at": "2016-05-04T17:00:41Z",
    "updated_at": "2016-05-04T17:00:42Z",
    "relationships": {"app": {"data": {"guid": APP_GUID}}},
    "links": {
        "self": {"href": "https://api.example.org/v3/tasks/%s" % TASK_GUID},
        "app": {"href": "https://api.example.org/v3/apps/%s" % APP_GUID},
        "cancel": {"href": "https://api.example.org/v3/tasks/%s/actions/cancel" % TASK_GUID, "method": "POST"},
        "droplet": {"href": "https://api.example.org/v3/droplets/%s" % DROPLET_GUID},
    },
}
# The 202 answer to POST /v3/tasks/{guid}/actions/cancel.
CANCELING_TASK = dict(copy.deepcopy(RUNNING_TASK), state="CANCELING")

UNPROCESSABLE = {"errors": [{"code": 10008, "title": "CF-UnprocessableEntity",
                             "detail": "Task state is SUCCEEDED and therefore cannot be canceled"}]}
INVALID_TOKEN = {"errors": [{"code": 1000, "title": "CF-InvalidAuthToken", "detail": "Invalid Auth Token"}]}
RATE_LIMITED = {"errors": [{"code": 10013, "title": "CF-RateLimitExceeded", "detail": "Rate Limit Exceeded"}]}


class Answer:
    """An HTTP answer as the auth hooks read it: status, headers and the raw body."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.content = json.dumps(body).encode("utf-8")
        self.headers = headers or {}


def test_the_documented_task_and_its_cancel_answer_pass_through_the_models_whole():
    for sample in (RUNNING_TASK, CANCELING_TASK):
        task = cloudfoundry.Task.model_validate(sample)
        assert task.raw() == sample, "every field kept, with the API's own spelling"
    running = cloudfoundry.Task.model_validate(RUNNING_TASK)
    assert running.state in cloudfoundry.CANCELABLE_STATES and not cloudfoundry.was_cancelled(running)
    canceling = cloudfoundry.Task.model_validate(CANCELING_TASK)
    assert canceling.state in cloudfoundry.STOPPING_STATES
    page = cloudfoundry.TaskPage.model_validate({"pagination": {"total_results": 1, "total_pages": 1,
                                                                "first": {"href": "x"}, "last": {"href": "x"},
                                                                "next": None, "previous": None},
                                                 "resources": [RUNNING_TASK]})
    assert page.pagination.next is None and page.resources[0].raw() == RUNNING_TASK


def test_the_documented_error_bodies_are_read_by_code_and_title():
    refused = ApiError("refused", normalise(422, json.dumps(UNPROCESSABLE).encode()))
    assert refused.is_api_code(cloudfoundry.UNPROCESSABLE_CODE) and refused.problem["title"] == "CF-UnprocessableEntity"
    limited = normalise(429, json.dumps(RATE_LIMITED).encode(), {"Content-Type": "text/plain; charset=utf-8"})
    assert (limited["code"], limited["title"]) == ("10013", "CF-RateLimitExceeded")
    bearer = cf_auth.bearer(cf_auth.Password().token({"username": "u", "password": "p"}, None))
    assert bearer.should_renew(Answer(401, INVALID_TOKEN)) is True
    other = {"errors": [{"code": 10002, "title": "CF-NotAuthenticated", "detail": "Authentication error"}]}
    assert bearer.should_renew(Answer(401, other)) is False


def test_one_module_run_on_the_documented_task(sim, run):
    sim.seed(cloudfoundry={"apps": [{"guid": APP_GUID, "name": "my_app", "droplet_guid": DROPLET_GUID, "tasks": [{
        "guid": TASK_GUID, "name": RUNNING_TASK["name"], "command": RUNNING_TASK["command"],
        "created_at": RUNNING_TASK["created_at"], "memory_in_mb": 512, "disk_in_mb": 1024}]}]})
    defaults = {"group/jobctl.cloud.cloudfoundry": {"api_url": sim.url + "/cf", "username": "admin",
                                                    "password": "admin-secret"}}
    read_out = run("cf_task_info", {"guid": TASK_GUID}, defaults=defaults)
    cancel_out = run("cf_task", {"guid": TASK_GUID}, defaults=defaults)
    assert not read_out.get("failed") and not cancel_out.get("failed"), (read_out, cancel_out)
    # cf_task_info adds the names of the task's app, space and org to the API's object; the rest is the API's.
    read = dict(read_out["tasks"][0])
    assert (read.pop("app_name"), read.pop("space_name"), read.pop("org_name")) == ("my_app", "default-space", "default-org")
    answer = cancel_out["tasks"][0]
    for shown, sample in ((read, RUNNING_TASK), (answer, CANCELING_TASK)):
        assert set(shown) == set(sample), "the simulator's task has the documented keys, no more, no less"
        assert set(shown["links"]) == set(sample["links"]) and shown["links"]["cancel"]["method"] == "POST"
        for key in ("guid", "sequence_id", "name", "command", "user", "state", "memory_in_mb", "disk_in_mb",
                    "droplet_guid", "created_at", "relationships", "result"):
            assert shown[key] == sample[key], key
        assert shown["links"]["self"]["href"].endswith("/v3/tasks/" + TASK_GUID)
    assert cancel_out["changed"] is True and cancel_out["canceled"] == [TASK_GUID]
    cancel = [r for r in sim.requests("cloudfoundry") if r["path"].endswith("/actions/cancel")]
    assert [(r["status"], r["body"]) for r in cancel] == [(202, None)], "the documented request: POST, no body"
