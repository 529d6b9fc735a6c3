"""The error normaliser: every dialect of the four APIs, and anything else, becomes one problem."""

import json

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.jobctl.cloud.plugins.module_utils.errors import MAX_TEXT, PROBLEM_KEYS, describe, normalise

HOSTUP_404 = {
    "type": "https://developer.hostup.se/errors/not_found", "title": "Not found", "status": 404,
    "detail": "The requested resource could not be found.", "code": "not_found", "instance": "/api/v2/vps/x",
    "requestId": "req_01hxa3b4c5d6e7f8g9h0j1k2m3", "timestamp": "2026-04-27T12:34:56.000Z",
}


def test_hostup_problem_details_keep_every_field():
    problem = normalise(404, json.dumps(HOSTUP_404).encode(), {})
    assert problem == {
        "status": 404, "title": "Not found", "detail": "The requested resource could not be found.",
        "type": "https://developer.hostup.se/errors/not_found", "code": "not_found",
        "instance": "/api/v2/vps/x", "request_id": "req_01hxa3b4c5d6e7f8g9h0j1k2m3", "errors": [],
    }
    assert describe(problem) == ("HTTP 404 Not found: The requested resource could not be found. "
                                 "[code not_found, request ID req_01hxa3b4c5d6e7f8g9h0j1k2m3]")


def test_hostup_validation_errors_name_their_pointer():
    body = dict(HOSTUP_404, status=400, title="Invalid request", code="invalid_request",
                errors=[{"pointer": "/jobType", "detail": "`jobType` is required.", "code": "invalid_request"}])
    problem = normalise(400, json.dumps(body), {})
    assert problem["errors"] == [{"field": "/jobType", "title": None, "detail": "`jobType` is required.",
                                  "code": "invalid_request"}]
    assert "(/jobType: `jobType` is required.)" in describe(problem)


def test_bigchange_422_errors_map_is_shown_field_by_field():
    body = {"type": None, "title": "One or more validation errors occurred.", "status": 422, "detail": None,
            "instance": None, "errors": {"reason": ["The reason field is required.", "Too short."], "jobId": ["Bad."]}}
    problem = normalise(422, json.dumps(body).encode(), {})
    assert [(e["field"], e["detail"]) for e in problem["errors"]] == [
        ("reason", "The reason field is required."), ("reason", "Too short."), ("jobId", "Bad.")]
    text = describe(problem)
    assert text.startswith("HTTP 422 One or more validation errors occurred.")
    assert "reason: The reason field is required.; reason: Too short.; jobId: Bad." in text


def test_cloud_foundry_errors_list_uses_the_first_error():
    body = {"errors": [{"code": 10008, "title": "CF-UnprocessableEntity",
                        "detail": "Task state is SUCCEEDED and therefore cannot be canceled"}]}
    problem = normalise(422, json.dumps(body).encode(), {"X-Vcap-Request-Id": "abc-123"})
    assert (problem["title"], problem["code"], problem["request_id"]) == ("CF-UnprocessableEntity", "10008", "abc-123")
    assert describe(problem) == ("HTTP 422 CF-UnprocessableEntity: Task state is SUCCEEDED and therefore cannot be "
                                 "canceled [code 10008, request ID abc-123]")


def test_cloud_foundry_429_json_sent_as_text_plain():
    body = b'{"errors":[{"code":10013,"title":"CF-RateLimitExceeded","detail":"Rate Limit Exceeded"}]}'
    problem = normalise(429, body, {"Content-Type": "text/plain"})
    assert problem["title"] == "CF-RateLimitExceeded"


def test_vsp_code_message_details():
    problem = normalise(404, b'{"code": "NOT_FOUND", "message": "Job not found", "details": "No job with id -7"}', {})
    assert (problem["code"], problem["title"], problem["detail"]) == ("NOT_FOUND", "Job not found", "No job with id -7")


def test_oauth_token_errors():
    problem = normalise(401, b'{"error": "invalid_client", "error_description": "Bad client credentials"}', {})
    assert describe(problem) == "HTTP 401 invalid_client: Bad client credentials"


def test_html_error_page_is_cut_to_text():
    page = b"<html><head><style>body{}</style><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>" \
           b"<hr><center>nginx</center>" + b"<p>x</p>" * 500 + b"</body></html>"
    problem = normalise(502, page, {}, reason="Bad Gateway")
    assert problem["title"] == "Bad Gateway"
    assert problem["detail"].startswith("502 Bad Gateway 502 Bad Gateway nginx")
    assert "<" not in problem["detail"] and "body{}" not in problem["detail"]
    assert len(problem["detail"]) <= MAX_TEXT


def test_empty_body_uses_the_reason_phrase():
    problem = normalise(503, b"", {"X-Request-Id": "r-1"}, reason="Service Unavailable")
    assert describe(problem) == "HTTP 503 Service Unavailable [request ID r-1]"


def test_json_of_an_unknown_shape_is_shown_not_lost():
    problem = normalise(500, b'{"oops": 1}', {})
    assert problem["detail"] == '{"oops": 1}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "detail", "type", "code", "errors", "message", "details", "error",
                         "error_description", "requestId", "instance", "status", "x"]), children, max_size=6),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(status=st.one_of(st.none(), st.integers(100, 599)), body=json_values)
def test_any_json_body_gives_a_complete_problem(status, body):
    problem = normalise(status, json.dumps(body).encode(), {})
    assert set(problem) == set(PROBLEM_KEYS)
    assert isinstance(problem["errors"], list)
    for key in ("title", "detail", "code", "request_id"):
        assert problem[key] is None or (isinstance(problem[key], str) and len(problem[key]) <= MAX_TEXT)
    assert isinstance(describe(problem), str)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2000), reason=st.one_of(st.none(), st.text(max_size=30)))
def test_any_bytes_give_a_readable_problem(body, reason):
    problem = normalise(500, body, {"X-Request-Id": "r"}, reason=reason)
    assert set(problem) == set(PROBLEM_KEYS)
    text = describe(problem)
    assert text.startswith("HTTP 500") and "request ID r" in text
    assert len(text) < 4 * MAX_TEXT


# -- secrets are removed before anything is shown ----------------------------------------------

import base64  # noqa: E402
from urllib.parse import quote, quote_plus  # noqa: E402

from ansible_collections.jobctl.cloud.plugins.module_utils.errors import MASK, ApiError, Outcome, Secrets  # noqa: E402

SECRET = "s3cr&t/with space+plus=é"


def secrets(*values):
    holder = Secrets()
    for value in values:
        holder.add(value)
    return holder


def encodings(value):
    raw = value.encode()
    yield value
    yield quote(value, safe="")
    yield quote_plus(value)
    yield quote(value, safe="").lower()
    yield base64.b64encode(raw).decode()
    yield base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for user in ("u", "user", "cf", "client-id"):
        yield base64.b64encode(("%s:%s" % (user, value)).encode()).decode()


@pytest.mark.parametrize("form", list(encodings(SECRET)))
def test_a_secret_is_removed_in_every_encoding(form):
    text = secrets(SECRET).scrub("before %s after" % form)
    assert text.startswith("before ") and text.endswith(" after")
    assert form not in text


def test_a_long_key_echoed_in_a_body_is_removed_before_the_body_is_cut():
    key = "k" * 40 + "Q9x" * 150  # longer than MAX_TEXT
    body = json.dumps({"title": "Unauthorized", "detail": "The key %s is not valid" % key}).encode()
    problem = normalise(401, body, {}, scrub=secrets(key).scrub)
    shown = json.dumps(problem)
    assert "kkkkkkkk" not in shown and "Q9xQ9x" not in shown
    assert MASK in problem["detail"]


def test_part_of_a_secret_is_removed_too():
    key = "abcdefghijklmnopqrstuvwxyz0123456789"
    text = secrets(key).scrub("the key starts with %s... and ends %s" % (key[:12], key[-10:]))
    assert key[:12] not in text and key[-10:] not in text
    assert text.startswith("the key starts with ")


def test_a_token_endpoint_echoing_its_form_shows_no_secret():
    form = "grant_type=client_credentials&client_id=bot&client_secret=%s" % quote_plus("s3cr&t")
    problem = normalise(400, json.dumps({"error": "invalid_request", "error_description": "bad form: " + form}),
                        {}, scrub=secrets("s3cr&t").scrub)
    assert "s3cr" not in describe(problem)


def test_html_and_text_bodies_are_scrubbed_before_tags_go():
    page = "<html><body><p>token=<b>abc</b>Zsecret-token-value</p></body></html>"
    problem = normalise(500, page.encode(), {}, scrub=secrets("abc</b>Zsecret-token-value").scrub)
    assert "secret-token-value" not in json.dumps(problem)


def test_user_info_of_a_url_in_a_message_is_removed():
    problem = normalise(502, b"upstream https://admin:S3cretPW@db.internal:5432/x failed", {})
    assert "S3cretPW" not in problem["detail"] and "https://db.internal:5432/x" in problem["detail"]


@settings(max_examples=200, deadline=None)
@given(secret=st.text(min_size=1, max_size=40), before=st.text(max_size=20), after=st.text(max_size=20))
def test_any_secret_is_gone_from_any_text(secret, before, after):
    text = secrets(secret).scrub(before + secret + after)
    # Whitespace alone is no secret (such a credential counts as unset): it is left as it is.
    assert secret not in text or secret in MASK or not secret.strip()


def test_whitespace_alone_is_no_secret_and_masks_no_space():
    assert secrets(" ", "\t \r\n").scrub("no credentials were given: set api_token") == \
        "no credentials were given: set api_token"


def test_short_secrets_are_removed_whole_only():
    assert secrets("ab").scrub("xabx") == "x%sx" % MASK


def test_an_outcome_found_in_place_after_a_lost_answer_is_this_runs_change_with_a_warning():
    lost = ApiError("DELETE x failed: HTTP 502", lost=True)
    assert Outcome(Outcome.ALREADY).after_lost(lost).changed
    assert "lost" in Outcome(Outcome.ALREADY).after_lost(lost).warning
    assert not Outcome(Outcome.ENDED).after_lost(lost).changed, "a job that finished by itself is not our change"
    assert Outcome(Outcome.REFUSED).after_lost(lost).refused
    assert Outcome(Outcome.ALREADY).after_lost(None).warning is None
