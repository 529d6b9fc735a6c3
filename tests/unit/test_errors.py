"""The error normaliser: every dialect of the four APIs, and anything else, becomes one problem."""

import json

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
