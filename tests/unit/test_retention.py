"""The retention plan: the code that decides which backups are destroyed."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import backup_id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.retention import parse_time, plan_prune, policy_problem

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def backup(n, age_days, kind="scheduled"):
    created = NOW - timedelta(days=age_days)
    return {"id": "bkp_%026d" % n, "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "backupType": kind}


def test_keep_last_only():
    backups = [backup(i, age) for i, age in enumerate([5, 1, 9, 3, 7])]
    plan = plan_prune(backups, keep_last=2, now=NOW)
    assert plan.ids("keep") == [backups[1]["id"], backups[3]["id"]]
    assert plan.ids("delete") == [backups[0]["id"], backups[4]["id"], backups[2]["id"]]
    assert plan.unsafe is None and plan.left_alone == []


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


@pytest.mark.parametrize("bad,words", [
    (None, "its createdAt is null, so its age is unknown"),
    ("", "its createdAt is unreadable (''), so its age is unknown"),
    ("yesterday", "its createdAt is unreadable ('yesterday'), so its age is unknown"),
    ("2026-13-45T00:00:00Z", "its createdAt is unreadable ('2026-13-45T00:00:00Z'), so its age is unknown"),
    (1700000000, "its createdAt is unreadable (1700000000), so its age is unknown"),
])
def test_an_undated_backup_is_left_alone_and_the_policy_applies_to_the_dated_ones(bad, words):
    # The undated backup is the oldest by position and would be doomed by either rule if it counted.
    backups = [backup(i, 100 + i) for i in range(4)]
    backups[3]["createdAt"] = bad
    plan = plan_prune(backups, keep_last=1, now=NOW)
    assert plan.unsafe is None
    assert plan.ids("keep") == [backups[0]["id"]], "keep_last counts the dated backups only"
    assert plan.ids("delete") == [backups[1]["id"], backups[2]["id"]]
    assert plan.left_alone_report() == [{"id": backups[3]["id"], "reason": words}]
    by_age = plan_prune(backups, older_than_days=50, now=NOW)
    assert backups[3]["id"] not in by_age.ids("delete") and len(by_age.ids("delete")) == 3


def test_an_undated_backup_of_another_type_is_simply_ignored():
    backups = [backup(0, 5), dict(backup(1, 9, "manual"), createdAt=None)]
    plan = plan_prune(backups, keep_last=1, backup_types=["scheduled"], now=NOW)
    assert plan.left_alone == [] and [b["id"] for b in plan.ignored] == [backups[1]["id"]]


@pytest.mark.parametrize("bad_id", ["..", ".", "a/b", "bkp_x?y=1", "bkp_%2e%2e", "BKP_01HXA3B4C5D6E7F8G9H0J1K2M3",
                                    "bkp_01hxa3b4c5d6e7f8g9h0j1k2m3/.."])
def test_a_backup_whose_id_could_leave_its_path_segment_is_left_alone(bad_id):
    backups = [backup(i, 100 + i) for i in range(3)]
    backups[2]["id"] = bad_id
    plan = plan_prune(backups, keep_last=1, now=NOW, id_problem=backup_id_problem)
    assert bad_id not in plan.ids("delete") and bad_id not in plan.ids("keep")
    assert plan.ids("delete") == [backups[1]["id"]]
    [(left, reason)] = plan.left_alone
    assert left["id"] == bad_id and reason.startswith("the backup ID %r is not a valid ID" % bad_id)
    # Without an ID rule (a caller that builds no path) the same list plans the backup like any other.
    assert bad_id in plan_prune(backups, keep_last=1, now=NOW).ids("delete")


def test_repeated_or_missing_ids_delete_nothing():
    backups = [backup(i, 100 + i) for i in range(3)]
    backups[1]["id"] = backups[0]["id"]
    assert plan_prune(backups, keep_last=1, now=NOW).unsafe == "the backup list has missing or repeated IDs"
    assert plan_prune(backups, keep_last=1, now=NOW).delete == []
    backups[1]["id"] = None
    assert plan_prune(backups, keep_last=1, now=NOW).delete == []


@pytest.mark.parametrize("kwargs,message", [
    ({}, "set keep_last, older_than_days or both"),
    ({"keep_last": 0}, "keep_last must be at least 1"),
    ({"older_than_days": -1}, r"older_than_days must be at least 1 \(day\), got -1"),
    ({"older_than_days": 0}, r"older_than_days must be at least 1 \(day\), got 0"),
    ({"older_than_days": 0.99, "keep_last": 3}, r"older_than_days must be at least 1 \(day\), got 0.99"),
    ({"older_than_days": float("nan")}, "older_than_days must be at least 1"),
])
def test_refuses_policies_that_could_delete_everything_by_accident(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan_prune([backup(0, 1)], now=NOW, **kwargs)


def test_the_smallest_age_limit_is_one_day():
    assert policy_problem(older_than_days=1) is None
    backups = [backup(0, 0.5), backup(1, 1.5)]
    assert plan_prune(backups, older_than_days=1, now=NOW).ids("delete") == [backups[1]["id"]]


def test_parse_time_forms():
    assert parse_time("2026-11-22T12:00:00Z") == NOW
    assert parse_time("2026-11-22T12:00:00.000Z") == NOW
    assert parse_time("2026-11-22T13:00:00+01:00") == NOW
    assert parse_time("2026-11-22T12:00:00") == NOW  # no offset: UTC, never local time
    assert parse_time("not a date") is None
    assert parse_time(None) is None and parse_time(1700000000) is None


# A backup in a generated list: dated (an age), undated (null or garbage), or with an ID that may not
# build a path. IDs are unique, as the plan requires.
UNDATED = st.sampled_from([None, "", "soon", 17, "2026-02-30T00:00:00Z"])
BAD_IDS = ["..", ".", "a/b", "bkp_?", "bkp_%2F"]


@st.composite
def backup_lists(draw):
    items = draw(st.lists(st.tuples(
        st.one_of(st.floats(min_value=0, max_value=400, allow_nan=False), UNDATED.map(lambda v: ("undated", v))),
        st.sampled_from(["manual", "scheduled", "other"]),
        st.booleans() if draw(st.booleans()) else st.just(False)), max_size=25))
    backups = []
    bad = iter(BAD_IDS)
    for i, (age, kind, bad_id) in enumerate(items):
        if isinstance(age, tuple):
            item = dict(backup(i, 0, kind), createdAt=age[1])
        else:
            item = backup(i, age, kind)
        if bad_id:
            item["id"] = next(bad, item["id"])
        backups.append(item)
    return backups


def usable(b):
    return backup_id_problem(b["id"]) is None and parse_time(b["createdAt"]) is not None


@settings(max_examples=400, deadline=None)
@given(backups=backup_lists(),
       keep_last=st.one_of(st.none(), st.integers(1, 30)),
       older_than=st.one_of(st.none(), st.floats(min_value=1, max_value=400, allow_nan=False)),
       types=st.lists(st.sampled_from(["manual", "scheduled"]), min_size=1, unique=True))
def test_invariants(backups, keep_last, older_than, types):
    if keep_last is None and older_than is None:
        keep_last = 1
    plan = plan_prune(backups, keep_last=keep_last, older_than_days=older_than, backup_types=types, now=NOW,
                      id_problem=backup_id_problem)
    deleted = set(plan.ids("delete"))
    selected = [b for b in backups if b["backupType"] in types]
    dated = [b for b in selected if usable(b)]
    newest_first = sorted(dated, key=lambda b: (parse_time(b["createdAt"]), b["id"]), reverse=True)
    # 1. an undated backup, or one whose ID could not build a path, is never deleted, and is named
    assert all(usable(b) for b in plan.delete)
    assert sorted(b["id"] for b, dummy in plan.left_alone) == sorted(b["id"] for b in selected if not usable(b))
    # 2. the newest keep_last of the dated backups of the selected types are never deleted
    if keep_last:
        assert not deleted & {b["id"] for b in newest_first[:keep_last]}
    # 3. backups of other types are never deleted
    assert deleted <= {b["id"] for b in selected}
    # 4. with an age limit, nothing younger than it is deleted
    if older_than is not None:
        cutoff = NOW - timedelta(days=older_than)
        assert all(parse_time(b["createdAt"]) < cutoff for b in plan.delete)
    # 5. keep, delete and left alone split the selected backups exactly
    assert sorted(plan.ids("keep") + plan.ids("delete") + [b["id"] for b, dummy in plan.left_alone]) == \
        sorted(b["id"] for b in selected)
    # 6. everything that may go, goes: a dated backup beyond keep_last and past the age limit is deleted
    for b in newest_first[keep_last or 0:]:
        if older_than is None or parse_time(b["createdAt"]) < NOW - timedelta(days=older_than):
            assert b["id"] in deleted
    # 7. the backups left alone change nothing for the others: the plan is the plan of the dated ones
    alone = plan_prune(dated + [b for b in backups if b["backupType"] not in types], keep_last=keep_last,
                       older_than_days=older_than, backup_types=types, now=NOW, id_problem=backup_id_problem)
    assert alone.ids("delete") == plan.ids("delete") and alone.ids("keep") == plan.ids("keep")
