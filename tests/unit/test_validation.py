"""Input validation, property-tested (issue #7): IDs, URLs, path segments, header values.

What a user types must never reach the API as anything but itself: an ID cannot leave its path
segment, a URL option is an absolute http(s) URL, a header value cannot start a new header. The
checks are the real ones (``JobctlModule.check_id`` and each API's ID rules, called on a stand-in
for the module object whose ``fail`` raises), and where a request is involved it is prepared by
``requests`` exactly as the client sends it, or sent to the simulator over loopback.
"""

import re
import string

import pytest
import requests
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup import models as hostup
from ansible_collections.jobctl.cloud.plugins.module_utils.base import JobctlModule
from ansible_collections.jobctl.cloud.plugins.module_utils._bigchange.module import BigChangeModule
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import BearerAuth
from ansible_collections.jobctl.cloud.plugins.module_utils.client import (
    ApiError,
    HttpClient,
    is_http_url,
    segment,
)
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import describe, normalise
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.models import INT32_MAX, INT32_MIN
from ansible_collections.jobctl.cloud.plugins.module_utils._vsp.module import VspModule


class Refused(Exception):
    pass


class ModuleStandIn:
    """What the validators use of a module: its params and a ``fail`` that stops (here: raises)."""

    def __init__(self, **params):
        self.params = params

    def fail(self, msg, **kwargs):
        raise Refused(msg)


def check_id(value, pattern=None, example=None, option="the_id"):
    return JobctlModule.check_id(ModuleStandIn(), option, value, pattern, example)


def refused(call, *args, **kwargs):
    """The refusal message, or None when the value was accepted."""
    try:
        call(*args, **kwargs)
    except Refused as refusal:
        return str(refusal)
    return None


# Characters check_id refuses on their own, and text that never holds one (nor "..").
UNSAFE_CHARS = "/?#%\\ \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000"
SAFE_CHARS = st.characters(blacklist_characters=UNSAFE_CHARS + ".", blacklist_categories=("Cs", "Zs", "Zl", "Zp"))
safe_ids = st.lists(st.one_of(st.text(SAFE_CHARS, min_size=1, max_size=8), st.just(".")), min_size=1, max_size=6) \
    .map("".join).filter(lambda s: ".." not in s and not s.isspace())


# -- check_id ---------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(before=st.text(max_size=10), bad=st.sampled_from(list(UNSAFE_CHARS) + [".."]), after=st.text(max_size=10))
def test_an_id_holding_any_unsafe_character_is_refused_naming_the_option(before, bad, after):
    message = refused(check_id, before + bad + after, option="vps_id")
    assert message is not None
    assert message.startswith("vps_id ") and "is not a valid ID" in message


@settings(max_examples=300, deadline=None)
@given(value=safe_ids)
def test_an_id_without_unsafe_characters_is_accepted_unchanged(value):
    assume(value != ".")  # see test_a_lone_dot_id_is_refused
    assert check_id(value) == value


def test_an_empty_id_is_refused():
    assert "must not be empty" in refused(check_id, "")


@given(number=st.integers())
def test_an_integer_id_is_checked_as_its_text(number):
    assert check_id(number) == str(number)


def test_a_lone_dot_id_is_refused():
    assert refused(check_id, ".") is not None


# -- each API's own ID rules --------------------------------------------------------------------

BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(["vps", "bkp"]), body=st.text(BASE32, min_size=26, max_size=26))
def test_hostup_ids_the_api_hands_out_are_accepted(prefix, body):
    pattern = hostup.VPS_ID if prefix == "vps" else hostup.BACKUP_ID
    assert check_id("%s_%s" % (prefix, body), pattern) == "%s_%s" % (prefix, body)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=40))
@example("vps_01hxa3b4c5d6e7f8g9h0j1k2m3\n")  # re's $ matches before a final newline
@example("VPS_01HXA3B4C5D6E7F8G9H0J1K2M3")
@example("vps_01hxa3b4c5d6e7f8g9h0j1k2m")
@example("bkp_01hxa3b4c5d6e7f8g9h0j1k2m3")
def test_anything_else_is_not_a_hostup_vps_id(value):
    assume(not re.fullmatch(r"vps_[0-9a-z]{26}", value))
    message = refused(check_id, value, hostup.VPS_ID, hostup.VPS_ID_EXAMPLE, option="vps_id")
    assert message is not None and message.startswith("vps_id ")


@settings(max_examples=200, deadline=None)
@given(value=st.integers())
def test_vsp_job_ids_are_32_bit_integers(value):
    message = refused(VspModule.int32, ModuleStandIn(job_id=value), "job_id")
    if INT32_MIN <= value <= INT32_MAX:
        assert message is None
    else:
        assert message.startswith("job_id %d is out of range" % value)


@settings(max_examples=200, deadline=None)
@given(value=st.integers())
def test_bigchange_job_ids_are_at_least_one(value):
    message = refused(BigChangeModule.job_id, ModuleStandIn(job_id=value))
    assert (message is None) == (value >= 1)


# -- URLs ---------------------------------------------------------------------------------------

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True) | st.sampled_from(
    ["127.0.0.1", "[::1]", "localhost:8443"])
paths = st.lists(st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=10), max_size=4) \
    .map(lambda parts: "".join("/" + p for p in parts))


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTP", "Https"]), host=hosts, path=paths)
def test_absolute_http_urls_are_accepted(scheme, host, path):
    assert is_http_url("%s://%s%s" % (scheme.lower(), host, path))


@settings(max_examples=500, deadline=None)
@given(value=st.text(max_size=60))
@example("ftp://127.0.0.1/api")
@example("file:///etc/passwd")
@example("javascript:alert(1)")
@example("//127.0.0.1/api")
@example("/relative/api")
@example("127.0.0.1:8080/api")
@example("http:///no-host")
@example("https://127.0.0.1/api#fragment")
def test_a_url_is_accepted_only_when_it_is_absolute_http_without_fragment(value):
    assume(not re.search(r"[\x00-\x20\x7f]", value))  # see test_a_url_holding_control_characters_is_refused
    if is_http_url(value):
        assert re.match(r"(?i)https?://[^/?#]", value)
        assert "#" not in value


@pytest.mark.parametrize("url", ["http://127.0.0.1/api\r\nX-Injected: 1", "http://127.0.0.1/a\tpi",
                                 "http://127.0.0.1/api\n"])
def test_a_url_holding_control_characters_is_refused(url):
    assert not is_http_url(url)


# -- path segments ------------------------------------------------------------------------------

BASE = "http://127.0.0.1:8080/cf"


def sent_url(path):
    """The URL requests would put on the wire for ``BASE + path`` (what HttpClient sends)."""
    return requests.Request("GET", BASE + path).prepare().url


@settings(max_examples=500, deadline=None)
@given(value=st.text(min_size=1, max_size=30))
@example("../admin")
@example("a/../../b")
@example("%2e%2e")
@example("x?admin=1")
@example("x#frag")
@example("x\r\nX-Injected: 1")
def test_an_encoded_segment_never_changes_the_path(value):
    assume(value not in (".", ".."))  # see test_dot_segments_cannot_be_encoded_away
    encoded = segment(value)
    assert not set(encoded) & set("/?#\\ \r\n\t")
    url = sent_url("/v3/tasks/%s/actions/cancel" % encoded)
    parts = requests.utils.urlparse(url)
    assert parts.query == "" and parts.fragment == ""
    prefix, rest = parts.path[:len("/cf/v3/tasks/")], parts.path[len("/cf/v3/tasks/"):]
    assert prefix == "/cf/v3/tasks/" and rest.endswith("/actions/cancel")
    assert requests.utils.unquote(rest[:-len("/actions/cancel")]) == value


@pytest.mark.parametrize("value", [".", "..", ""])
def test_dot_segments_cannot_be_encoded_away_so_they_are_refused(value):
    # urllib3 removes dot segments (and decodes %2E back to '.'): no encoding keeps them in a path.
    with pytest.raises(ValueError):
        segment(value)


@settings(max_examples=300, deadline=None)
@given(value=safe_ids)
def test_every_accepted_id_stays_in_its_segment(value):
    assume(value != ".")  # see test_a_lone_dot_id_is_refused
    url = sent_url("/v3/tasks/%s" % segment(check_id(value)))
    path = requests.utils.urlparse(url).path
    assert path.startswith("/cf/v3/tasks/") and requests.utils.unquote(path[len("/cf/v3/tasks/"):]) == value


# -- header values ------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(token=st.text(string.ascii_letters + string.digits, min_size=1, max_size=12),
       breaker=st.sampled_from(["\r\n", "\n", "\r"]), injected=st.sampled_from(["X-Injected: 1", "Set-Cookie: a=b"]))
def test_a_header_value_that_would_start_another_header_is_never_sent(simulator, token, breaker, injected):
    # The simulator fixture (not sim): hypothesis runs many examples in one test; each reads the log fresh.
    url = simulator.url
    before = len(requests.get(url + "/_sim/requests", timeout=10).json()["requests"])
    client = HttpClient("HostUp API", url + "/hostup/api/v2", retries=0, timeout=5,
                        auth=BearerAuth(token + breaker + injected), headers={"Customer-Id": "1" + breaker + injected})
    with pytest.raises(ApiError) as err:
        client.request("GET", "/vps")
    assert "header" in err.value.msg
    assert len(requests.get(url + "/_sim/requests", timeout=10).json()["requests"]) == before


# -- the error normaliser: what tests/unit/test_errors.py does not cover --------------------------

@pytest.mark.parametrize("depth", [1000, 50000])
def test_deeply_nested_json_does_not_escape_the_normaliser(depth):
    problem = normalise(502, b"[" * depth + b"]" * depth, {})
    assert problem["status"] == 502 and describe(problem).startswith("HTTP 502")
