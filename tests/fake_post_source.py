"""A stand-in for the platform's post source, served over real HTTP.

`FakePostSource` answers `GET /posts?platform=&handle=&since=&cursor=` the way
contract version 1 describes: a bearer token, posts published since `since`
(oldest first), pages of `page_size` posts chained by an opaque `next_cursor`,
or one bare JSON array for creators set to `serve_bare_list`. Every request is
recorded with the exact body sent back.

Scripted behaviour per creator:

- `fail(handle, *modes)`: the creator's next requests answer in these modes, one
  per request ("ok" answers normally): "500", "timeout" (sleeps well past any
  client timeout), "not_json", "no_id" and "no_published_at" (a page holding a
  post without that field).
- `block(handle)`: the creator's requests are held until the returned gate's
  `release` event is set; `arrived` is set once a request is being held.

Use the `post_source` fixture (import `post_source_fixture` into a test module);
it yields a started fake and stops it afterwards.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.loopback import serving

TEST_TOKEN = "source-token"
PLATFORM = "instagram"

# Long enough to outlast any POST_SOURCE_TIMEOUT a test sets; cut short when the
# fixture shuts the fake down, so teardown never pays for it.
DEFAULT_SLOW_SECONDS = 10.0
# A held request is let go after this long even if no test releases it.
BLOCK_LIMIT_SECONDS = 30.0

FAILURE_MODES = ("500", "timeout", "not_json", "no_id", "no_published_at")


def iso(moment: datetime) -> str:
    """Write a moment (naive means UTC) as ISO 8601 with its offset."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def as_utc(moment: datetime) -> datetime:
    """Return a moment as naive UTC (naive means UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def compact(data: Any) -> bytes:
    """JSON without spaces, as the fake writes every body."""
    return json.dumps(data, separators=(",", ":")).encode()


@dataclass
class SourceRequest:
    """One request the fake received, and what it answered."""

    platform: str | None
    handle: str | None
    since: str | None
    cursor: str | None
    headers: dict[str, str]
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    outcome: str = "ok"
    status: int = 200
    body: bytes = b""

    @property
    def since_time(self) -> datetime:
        """The `since` parameter, read as an aware datetime."""
        return datetime.fromisoformat(self.since.replace("Z", "+00:00"))


@dataclass
class Gate:
    """Holds a creator's requests: `arrived` once held, `release` lets them go."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class _StoredPost:
    published: datetime  # naive UTC, for filtering and ordering
    data: dict[str, Any]  # what the fake sends


class FakePostSource:
    """The post source's `GET /posts`, with scripted failures; safe across threads."""

    def __init__(
        self,
        server: HTTPServer,
        token: str | None = TEST_TOKEN,
        page_size: int = 2,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        self.server = server
        self.token = token
        self.page_size = page_size
        self.slow_seconds = slow_seconds
        # When False, every post is sent whatever `since` says, as a source that
        # sends overlapping pages would.
        self.honour_since = True
        self.requests: list[SourceRequest] = []
        self._posts: dict[tuple[str, str], list[_StoredPost]] = defaultdict(list)
        self._bare: set[tuple[str, str]] = set()
        self._scripts: dict[tuple[str, str], deque[str]] = defaultdict(deque)
        self._gates: dict[tuple[str, str], Gate] = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self._closing = threading.Event()
        server.expect_request("/posts", method="GET").respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        """Base URL for POST_SOURCE_URL, without a trailing slash."""
        return self.server.url_for("/").rstrip("/")

    # Scripting ---------------------------------------------------------------

    def add_post(
        self,
        handle: str,
        published: datetime,
        post_id: str | None = None,
        platform: str = PLATFORM,
        **extra: Any,
    ) -> dict[str, Any]:
        """Publish a post for a creator; naive times are UTC. Return its JSON.

        `extra` adds fields to the post, or overrides its own (`published_at`).
        """
        with self._lock:
            if post_id is None:
                post_id = f"{platform}-{handle}-{self._next_id}"
                self._next_id += 1
            data = {
                "id": post_id,
                "published_at": iso(published),
                "url": f"https://{platform}.example/{handle}/{post_id}",
                **extra,
            }
            posts = self._posts[(platform, handle)]
            posts.append(_StoredPost(as_utc(published), data))
            posts.sort(key=lambda post: post.published)
        return data

    def serve_bare_list(self, handle: str, platform: str = PLATFORM) -> None:
        """Answer this creator with one bare JSON array instead of pages."""
        with self._lock:
            self._bare.add((platform, handle))

    def fail(self, handle: str, *modes: str, platform: str = PLATFORM) -> None:
        """Answer this creator's next requests in these modes, one per request."""
        for mode in modes:
            if mode != "ok" and mode not in FAILURE_MODES:
                raise ValueError(f"unknown mode {mode!r}; pick from {FAILURE_MODES}")
        with self._lock:
            self._scripts[(platform, handle)].extend(modes)

    def block(self, handle: str, platform: str = PLATFORM) -> Gate:
        """Hold this creator's requests until the returned gate is released."""
        gate = Gate()
        with self._lock:
            self._gates[(platform, handle)] = gate
        return gate

    def close(self) -> None:
        """Let go of every request still held or sleeping."""
        self._closing.set()
        with self._lock:
            gates = list(self._gates.values())
        for gate in gates:
            gate.release.set()

    # Reading what happened ---------------------------------------------------

    def requests_for(
        self, handle: str, platform: str = PLATFORM
    ) -> list[SourceRequest]:
        """The requests received for one creator, in order."""
        with self._lock:
            return [
                r for r in self.requests if (r.platform, r.handle) == (platform, handle)
            ]

    def handles_requested(self) -> set[str]:
        with self._lock:
            return {r.handle for r in self.requests}

    # Serving -----------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        args = request.args
        record = SourceRequest(
            platform=args.get("platform"),
            handle=args.get("handle"),
            since=args.get("since"),
            cursor=args.get("cursor"),
            headers=dict(request.headers.items()),
        )
        with self._lock:
            self.requests.append(record)
            key = (record.platform, record.handle)
            gate = self._gates.get(key)
            script = self._scripts.get(key)
            mode = script.popleft() if script else "ok"
        if gate is not None:
            gate.arrived.set()
            gate.release.wait(BLOCK_LIMIT_SECONDS)
        if mode == "timeout":
            self._closing.wait(self.slow_seconds)
        status, body, content_type = self._answer(record, mode)
        with self._lock:
            record.outcome, record.status, record.body = mode, status, body
        return Response(body, status=status, content_type=content_type)

    def _answer(self, record: SourceRequest, mode: str) -> tuple[int, bytes, str]:
        """Status, body and content type for one request."""
        problem = self._refusal(record)
        if problem is not None:
            return problem
        if mode == "500":
            return 500, b"<html><body>Internal Server Error</body></html>", "text/html"
        if mode == "not_json":
            return 200, b"<html>oops", "text/html"
        key = (record.platform, record.handle)
        since = as_utc(record.since_time)
        with self._lock:
            posts = [
                dict(post.data)
                for post in self._posts.get(key, [])
                if not self.honour_since or post.published >= since
            ]
            bare = key in self._bare
        if mode in ("no_id", "no_published_at"):
            broken = {
                "id": "broken-post",
                "published_at": iso(datetime.now(UTC)),
                "url": "https://example.test/broken",
            }
            del broken["id" if mode == "no_id" else "published_at"]
            posts.append(broken)
        if bare:
            return 200, compact(posts), "application/json"
        offset = int(record.cursor.removeprefix("after-")) if record.cursor else 0
        page = posts[offset : offset + self.page_size]
        following = offset + self.page_size
        cursor = f"after-{following}" if following < len(posts) else None
        return 200, compact({"posts": page, "next_cursor": cursor}), "application/json"

    def _refusal(self, record: SourceRequest) -> tuple[int, bytes, str] | None:
        """Answer 401 or 400 when the request breaks the contract."""
        if self.token and record.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, compact({"error": "unauthenticated"}), "application/json"
        problems = []
        if not record.platform or not record.handle:
            problems.append("platform and handle are required")
        try:
            since = record.since_time
            if since.utcoffset() is None:
                problems.append("since needs an offset")
        except (AttributeError, ValueError):
            problems.append("since must be ISO 8601")
        if record.cursor and not record.cursor.startswith("after-"):
            problems.append("unknown cursor")
        if problems:
            return 400, compact({"error": "; ".join(problems)}), "application/json"
        return None


@pytest.fixture(name="post_source")
def post_source_fixture():
    """A started FakePostSource on 127.0.0.1 with token "source-token"."""
    with serving(FakePostSource) as fake:
        yield fake
