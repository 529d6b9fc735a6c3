"""The retention plan: the code that decides which backups are destroyed."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.jobctl.cloud.plugins.module_utils.retention import parse_time, plan_prune

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def backup(n, age_days, kind="scheduled"):
    created = NOW - timedelta(days=age_days)
    return {"id": "bkp_%026d" % n, "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "backupType": kind}


def test_keep_last_only():
    backups = [backup(i, age) for i, age in enumerate([5, 1, 9, 3, 7])]
    plan = plan_prune(backups, keep_last=2, now=NOW)
    assert plan.ids("keep") == [backups[1]["id"], backups[3]["id"]]
    assert plan.ids("delete") == [backups[0]["id"], backups[4]["id"], backups[2]["id"]]
    assert plan.unsafe is None


def test_age_only_and_both():
    backups = [backup(i, age) for i, age in enumerate([40, 1, 31, 29, 100])]
    assert sorted(plan_prune(backups, older_than_days=30, now=NOW).ids("delete")) == sorted(
        [backups[0]["id"], backups[2]["id"], backups[4]["id"]])
    # keep_last protects the newest 4 even though two of them are older than 30 days
    assert plan_prune(backups, keep_last=4, older_than_days=30, now=NOW).ids("delete") == [backups[4]["id"]]


def test_only_selected_types_are_considered():
    backups = [backup(0, 50, "manual"), backup(1, 60, "scheduled"), backup(2, 1, "scheduled"), backup(3, 70, "custom")]
    plan = plan_prune(backups, keep_last=1, backup_types=["scheduled"], now=NOW)
    assert plan.ids("delete") == [backups[1]["id"]]
    assert plan.ids("keep") == [backups[2]["id"]]
    assert [b["id"] for b in plan.ignored] == [backups[0]["id"], backups[3]["id"]]


@pytest.mark.parametrize("bad", [None, "", "yesterday", "2026-13-45T00:00:00Z", 1700000000])
def test_unreadable_creation_time_deletes_nothing(bad):
    backups = [backup(i, 100 + i) for i in range(4)]
    backups[2]["createdAt"] = bad
    plan = plan_prune(backups, keep_last=1, now=NOW)
    assert plan.delete == [] and "no readable createdAt" in plan.unsafe


def test_repeated_or_missing_ids_delete_nothing():
    backups = [backup(i, 100 + i) for i in range(3)]
    backups[1]["id"] = backups[0]["id"]
    assert plan_prune(backups, keep_last=1, now=NOW).unsafe == "the backup list has missing or repeated IDs"
    backups[1]["id"] = None
    assert plan_prune(backups, keep_last=1, now=NOW).delete == []


@pytest.mark.parametrize("kwargs,message", [
    ({}, "set keep_last, older_than_days or both"),
    ({"keep_last": 0}, "keep_last must be at least 1"),
    ({"older_than_days": -1}, "older_than_days must be 0 or more"),
])
def test_refuses_policies_that_could_delete_everything_by_accident(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan_prune([backup(0, 1)], now=NOW, **kwargs)


def test_parse_time_forms():
    assert parse_time("2026-11-22T12:00:00Z") == NOW
    assert parse_time("2026-11-22T12:00:00.000Z") == NOW
    assert parse_time("2026-11-22T13:00:00+01:00") == NOW
    assert parse_time("2026-11-22T12:00:00") == NOW  # no offset: UTC, never local time
    assert parse_time("not a date") is None


backups_strategy = st.lists(
    st.tuples(st.floats(min_value=0, max_value=400, allow_nan=False), st.sampled_from(["manual", "scheduled", "other"])),
    max_size=25).map(lambda items: [backup(i, age, kind) for i, (age, kind) in enumerate(items)])


@settings(max_examples=400, deadline=None)
@given(backups=backups_strategy,
       keep_last=st.one_of(st.none(), st.integers(1, 30)),
       older_than=st.one_of(st.none(), st.floats(min_value=0, max_value=400, allow_nan=False)),
       types=st.lists(st.sampled_from(["manual", "scheduled"]), min_size=1, unique=True))
def test_invariants(backups, keep_last, older_than, types):
    if keep_last is None and older_than is None:
        keep_last = 1
    plan = plan_prune(backups, keep_last=keep_last, older_than_days=older_than, backup_types=types, now=NOW)
    deleted = set(plan.ids("delete"))
    selected = [b for b in backups if b["backupType"] in types]
    newest_first = sorted(selected, key=lambda b: (parse_time(b["createdAt"]), b["id"]), reverse=True)
    # 1. the newest keep_last of the selected types are never deleted
    if keep_last:
        assert not deleted & {b["id"] for b in newest_first[:keep_last]}
    # 2. backups of other types are never deleted
    assert deleted <= {b["id"] for b in selected}
    # 3. with an age limit, nothing younger than it is deleted
    if older_than is not None:
        cutoff = NOW - timedelta(days=older_than)
        assert all(parse_time(b["createdAt"]) < cutoff for b in plan.delete)
    # 4. keep and delete split the selected backups exactly
    assert sorted(plan.ids("keep") + plan.ids("delete")) == sorted(b["id"] for b in selected)
    # 5. everything that may go, goes: a selected backup beyond keep_last and past the age limit is deleted
    for b in newest_first[keep_last or 0:]:
        if older_than is None or parse_time(b["createdAt"]) < NOW - timedelta(days=older_than):
            assert b["id"] in deleted
