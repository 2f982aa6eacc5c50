"""The post sources on their own: the HTTP source against a real local stand-in
for the platform's endpoint (contract version 1), and the built-in demo source."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.services.collection.sources import DemoPostSource, HttpPostSource, SourceError
from tests.fake_post_source import (
    FAILURE_MODES,
    TEST_TOKEN,
    compact,
    post_source_fixture,  # noqa: F401
)

SINCE = datetime(2026, 3, 1, 8, 30, 15, 250000)  # naive UTC, as stored
LATER = SINCE + timedelta(hours=1)
TIMEOUT = 0.5


def http_source(post_source, token: str | None = TEST_TOKEN) -> HttpPostSource:
    return HttpPostSource(post_source.url, token, TIMEOUT)


def fetch(post_source, handle: str = "ana", **kwargs):
    return http_source(post_source, **kwargs).fetch("instagram", handle, SINCE)


# The request -----------------------------------------------------------------


def test_request_names_the_platform_and_handle(post_source):
    """The request carries the creator's platform and handle."""
    fetch(post_source, "ana")

    [request] = post_source.requests
    assert (request.platform, request.handle) == ("instagram", "ana")


def test_since_is_sent_in_iso_8601_utc(post_source):
    """`since` is the stored (UTC) moment written in ISO 8601 with a UTC offset."""
    fetch(post_source)

    sent = post_source.requests[0].since_time
    assert sent.utcoffset() == timedelta(0)
    assert sent == SINCE.replace(tzinfo=UTC)


def test_first_request_sends_no_cursor(post_source):
    """The first page is asked for without a cursor."""
    fetch(post_source)

    assert post_source.requests[0].cursor is None


def test_request_accepts_json(post_source):
    """Every request sends `Accept: application/json`."""
    fetch(post_source)

    assert post_source.requests[0].headers.get("Accept") == "application/json"


def test_request_sends_the_bearer_token(post_source):
    """With a token configured, every request sends `Authorization: Bearer …`."""
    fetch(post_source)

    authorization = post_source.requests[0].headers.get("Authorization")
    assert authorization == f"Bearer {TEST_TOKEN}"


def test_no_authorization_header_without_a_token(post_source):
    """Without a token, no Authorization header is sent at all."""
    post_source.token = None

    fetch(post_source, token=None)

    assert "Authorization" not in post_source.requests[0].headers


# Pages -------------------------------------------------------------------------


def test_paging_follows_next_cursor_until_null(post_source):
    """Pages are followed through `next_cursor`, sent back verbatim, until null."""
    for minute in range(5):
        post_source.add_post("ana", LATER + timedelta(minutes=minute))

    fetch(post_source)

    cursors = [request.cursor for request in post_source.requests]
    answered = [json.loads(r.body)["next_cursor"] for r in post_source.requests]
    assert cursors == [None, *answered[:-1]]
    assert answered[-1] is None


def test_paging_returns_every_post_of_every_page(post_source):
    """The posts of all pages are returned, in the source's order."""
    sent = [post_source.add_post("ana", LATER + timedelta(minutes=m)) for m in range(5)]

    result = fetch(post_source)

    assert [post.external_id for post in result.posts] == [p["id"] for p in sent]


def test_bare_list_is_one_final_page(post_source):
    """A bare JSON array is read as every post, with no further request."""
    post_source.serve_bare_list("ana")
    sent = [post_source.add_post("ana", LATER + timedelta(minutes=m)) for m in range(5)]

    result = fetch(post_source)

    assert len(post_source.requests) == 1
    assert [post.external_id for post in result.posts] == [p["id"] for p in sent]


def test_one_request_is_one_fetch(post_source):
    """The fetch count is the number of requests made (here three pages)."""
    for minute in range(5):
        post_source.add_post("ana", LATER + timedelta(minutes=minute))

    result = fetch(post_source)

    assert len(post_source.requests) == 3
    assert result.fetches == 3


def test_bytes_received_are_the_body_lengths(post_source):
    """Bytes received are the summed lengths of the response bodies."""
    for minute in range(5):
        post_source.add_post("ana", LATER + timedelta(minutes=minute), views=minute)

    result = fetch(post_source)

    assert result.bytes_received == sum(len(r.body) for r in post_source.requests)


def test_an_empty_answer_still_counts_one_fetch(post_source):
    """A creator with nothing new costs one fetch and the empty page's bytes."""
    result = fetch(post_source)

    assert (result.posts, result.fetches) == ([], 1)
    assert result.bytes_received == len(post_source.requests[0].body)


# Posts -------------------------------------------------------------------------


def test_published_at_is_read_as_utc(post_source):
    """`published_at` with any offset is stored as the same instant in naive UTC."""
    paris = datetime.fromisoformat("2026-03-01T11:45:00+02:00")
    post_source.add_post("ana", paris)

    [post] = fetch(post_source).posts

    assert post.published_at == datetime(2026, 3, 1, 9, 45)


def test_url_is_kept(post_source):
    """The post's `url` is kept as sent."""
    sent = post_source.add_post("ana", LATER)

    [post] = fetch(post_source).posts

    assert post.url == sent["url"]


def test_size_bytes_is_taken_when_given(post_source):
    """A post's own `size_bytes` is used as its size."""
    post_source.add_post("ana", LATER, size_bytes=48_213)

    [post] = fetch(post_source).posts

    assert post.size_bytes == 48_213


def test_size_bytes_defaults_to_the_length_of_the_posts_json(post_source):
    """Without `size_bytes`, a post's size is the byte length of its JSON."""
    sent = post_source.add_post("ana", LATER, views=1200)

    [post] = fetch(post_source).posts

    as_sent = compact(sent)
    assert as_sent in post_source.requests[0].body
    assert post.size_bytes == len(as_sent)


# Failures ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", FAILURE_MODES)
def test_each_failure_raises_source_error(post_source, mode):
    """A 5xx, a timeout, a non-JSON body or a post without id/published_at fails."""
    post_source.add_post("ana", LATER)
    post_source.fail("ana", mode)

    with pytest.raises(SourceError):
        fetch(post_source)


def test_a_refused_token_raises_source_error(post_source):
    """A 401 for a wrong token is a failure, not an empty answer."""
    with pytest.raises(SourceError):
        fetch(post_source, token="wrong-token")


def test_a_failure_on_a_later_page_raises_source_error(post_source):
    """A failure on the second page fails the whole fetch: no partial posts."""
    for minute in range(5):
        post_source.add_post("ana", LATER + timedelta(minutes=minute))
    post_source.fail("ana", "ok", "500")

    with pytest.raises(SourceError):
        fetch(post_source)
    assert len(post_source.requests) == 2


def test_a_timeout_gives_up_after_the_configured_timeout(post_source):
    """A source that does not answer fails within POST_SOURCE_TIMEOUT + 3 s."""
    post_source.fail("ana", "timeout")

    began = time.monotonic()
    with pytest.raises(SourceError):
        fetch(post_source)

    assert time.monotonic() - began < TIMEOUT + 3


def test_a_published_at_without_offset_raises_source_error(post_source):
    """`published_at` must carry an offset; a naive time is a failure."""
    post_source.add_post("ana", LATER, published_at="2026-03-01T09:45:00")

    with pytest.raises(SourceError):
        fetch(post_source)


# The demo source -----------------------------------------------------------------

DEMO_NOW = datetime(2026, 4, 15, 10, 20, tzinfo=UTC)
DEMO_SINCE = datetime(2026, 3, 20)  # naive UTC


def demo_posts(handle: str = "ana", since: datetime = DEMO_SINCE, now=DEMO_NOW):
    with time_machine.travel(now, tick=False):
        return DemoPostSource().fetch("instagram", handle, since).posts


def test_demo_source_is_deterministic():
    """Two demo sources give the same creator the same posts at the same time."""
    first = demo_posts()

    assert first
    assert demo_posts() == first


def test_demo_source_keeps_its_posts_when_asked_later():
    """Asked a day later, the demo source still has the same earlier posts."""
    earlier = demo_posts()

    later = demo_posts(now=DEMO_NOW + timedelta(days=1))

    assert set(earlier) <= set(later)


def test_demo_source_posts_are_published_within_the_range():
    """Every demo post is published since `since` and before now."""
    posts = demo_posts()

    now = DEMO_NOW.replace(tzinfo=None)
    assert all(DEMO_SINCE <= post.published_at < now for post in posts)


def test_demo_source_ids_are_unique_across_creators():
    """Demo post ids never repeat, within a creator or across creators."""
    ids = [post.external_id for h in ("ana", "bo", "cy") for post in demo_posts(h)]

    assert len(ids) > 3
    assert len(set(ids)) == len(ids)


def test_demo_source_posts_look_real():
    """Demo posts have a link naming their creator and a plausible size."""
    posts = demo_posts()

    assert all(post.url and "/ana/" in post.url for post in posts)
    assert all(1_000 <= post.size_bytes <= 100_000 for post in posts)


def test_demo_source_counts_one_fetch_with_bytes():
    """A demo fetch counts as one fetch with some bytes received."""
    with time_machine.travel(DEMO_NOW, tick=False):
        result = DemoPostSource().fetch("instagram", "ana", DEMO_SINCE)

    assert result.fetches == 1
    assert result.bytes_received > 0
