"""BigChange shapes confirmed against the live API (docs/api/bigchange.md, section "Confirmed", and the
public client's API_analysis.md and jobs.py) through the models, the error normaliser and full module
runs (issues 12 item 7, and 18)."""

import json

import pytest

from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import client as bc
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange import models as bcm
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import describe, normalise

CLIENT_ID = "ops-automation"
SECRET = "s3cr3t-7f9a2c4e1b"

# docs/api/bigchange.md "Confirmed", byte for byte: the answer to GET /v1/jobs without a usable filter.
NO_FILTER_422 = (b'{"title":"One or more validation errors occurred.","status":422,"errors":{"queryParams":["No filter '
                 b'or date range provided. At least one of the filters [Id, Reference] must be set, or at least one of '
                 b'the date ranges [(CreatedAtFrom and CreatedAtTo), (StartAtFrom and StartAtTo), (StatusModifiedAtFrom '
                 b'and StatusModifiedAtTo)] must be provided"]}}')

# Jobs as live data shows them: strings documented as non-nullable are null (API_analysis.md section 2),
# times in both spellings (section 5), an internal status, fields the models do not name; the first with
# the five fields the public client requires (jobs.py), the second without them.
LIVE_JOBS = [
    {"id": 1841, "uid": None, "typeId": 3, "typeName": "Service", "contactId": 77, "contactName": "Harbour View Flats",
     "contactAddress": "1 Quay St", "contactLocation": None, "status": "lateStart",
     "statusModifiedAt": "2026-11-20T07:00:00+00:00", "plannedDuration": 60, "dueAt": None, "reference": None,
     "description": "Annual boiler service", "createdAt": "2026-11-19T11:45:00.123Z", "orderNumber": None,
     "isConfirmed": True, "isFinanciallyComplete": False, "isActioned": False, "resourceId": 51,
     "resourceName": "Sam Patel", "plannedStartAt": "2026-11-20T08:00:00Z",
     "plannedEndAt": "2026-11-20T09:00:00+00:00", "actualStartAt": None, "actualEndAt": None,
     "internalComment": None, "resourcesComment": None, "contactComment": None, "officeNotes": None,
     "customFields": [], "siteContactIds": []},
    {"id": 1842, "status": "completedWithIssues", "reference": "BC-1842", "createdAt": "2026-11-18T10:00:00+00:00",
     "actualStartAt": "2026-11-19T08:00:00.000Z", "actualEndAt": "2026-11-19T10:30:00+00:00", "result": None},
]


def test_the_live_422_body_is_read_field_by_field():
    problem = normalise(422, NO_FILTER_422, {"Content-Type": "application/problem+json"})
    assert (problem["status"], problem["title"], problem["detail"], problem["type"]) == (
        422, "One or more validation errors occurred.", None, None)
    assert [e["field"] for e in problem["errors"]] == ["queryParams"]
    assert problem["errors"][0]["detail"].startswith("No filter or date range provided.")
    assert problem["errors"][0]["detail"].endswith("must be provided")
    assert describe(problem) == ("HTTP 422 One or more validation errors occurred. (queryParams: "
                                 + json.loads(NO_FILTER_422)["errors"]["queryParams"][0] + ")")


def test_live_jobs_go_through_the_models_unchanged():
    page = bcm.JobPage.model_validate({"items": LIVE_JOBS, "pageNumber": 1, "pageSize": 1000, "pageItemCount": 2})
    assert (page.page_number, page.page_size, page.page_item_count) == (1, 1000, 2)
    assert [job.raw() for job in page.items] == LIVE_JOBS, "results are BigChange's own objects, nulls and spellings kept"
    first = page.items[0]
    assert first.reference is None and first.office_notes is None and first.status == "lateStart"
    assert (first.contact_address, first.planned_duration, first.is_confirmed, first.is_financially_complete,
            first.is_actioned) == ("1 Quay St", 60, True, False, False)
    assert page.items[1].planned_duration is None and "plannedDuration" not in page.items[1].raw()
    assert bc.settled(first.raw()) is None, "lateStart has not started: it is to be cancelled"
    assert bc.settled(page.items[1].raw()).kind == "ended"
    # Only the page's items are required: the reference's envelope (items alone) reads too.
    assert bcm.JobPage.model_validate({"items": []}).page_number is None


@pytest.mark.parametrize("broken", [{"id": None, "status": "new"}, {"id": 5}, {"id": 5, "status": None}])
def test_a_job_without_an_id_or_status_is_refused(broken):
    with pytest.raises(Exception) as err:
        bcm.Job.model_validate(broken)
    assert type(err.value).__name__ == "ValidationError"


def test_live_shapes_through_full_module_runs(sim, run):
    # The simulator in its faithful defaults: the 422 rule, null strings, both spellings, the envelope.
    sim.seed(bigchange={"clients": [{"client_id": CLIENT_ID, "client_secret": SECRET}]})
    created = sim.seed(bigchange={"jobs": [
        {"status": "new", "reference": None, "createdAt": "2026-11-19T11:45:00Z"},
        {"status": "lateStart", "reference": None},
        {"status": "completedWithIssues", "reference": "BC-2"}]})["bigchange"]["jobs"]
    ids = [j["id"] for j in created]
    defaults = {"group/jobctl.cloud.bigchange": {
        "api_url": sim.url + "/bigchange/v1", "token_url": sim.url + "/bigchange/auth/tokens", "customer_id": 1001,
        "client_id": CLIENT_ID, "client_secret": SECRET}}
    results = {}
    for name, module, args in (
            ("read", "bigchange_job_info", {"job_ids": ids}),
            ("cancel", "bigchange_job", {"job_ids": ids, "reason": "Samples"}),
            ("after", "bigchange_job_info", {"created_from": "2026-11-19T11:45:00+00:00",
                                             "created_to": "2026-11-19T11:45:00.000Z"})):
        results[name] = run(module, args, defaults=defaults)
        assert not results[name].get("failed"), (name, results[name])
    read = results["read"]["jobs"]
    assert read == created, "every field as the API sent it"
    assert read[0]["reference"] is None and read[0]["officeNotes"] is None
    assert read[0]["contactAddress"] and read[0]["plannedDuration"] == 60 and read[0]["isConfirmed"] is False
    assert read[0]["createdAt"] == "2026-11-19T11:45:00.000Z" and read[0]["statusModifiedAt"].endswith("+00:00")
    cancel = results["cancel"]
    assert cancel["changed"] is True and cancel["canceled"] == ids[:2]
    assert [(j["id"], j["status"], j["reference"]) for j in cancel["jobs"]] == [
        (ids[0], "cancelled", None), (ids[1], "cancelled", None), (ids[2], "completedWithIssues", "BC-2")]
    assert [(j["id"], j["status"]) for j in results["after"]["jobs"]] == [(ids[0], "cancelled")]
    lists = [r for r in sim.requests("bigchange") if r["path"] == "/bigchange/v1/jobs"]
    assert all(r["status"] == 200 for r in lists), "no list request the live API would refuse"
