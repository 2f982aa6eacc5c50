"""Where creator posts come from: an HTTP source, or the built-in demo source.

The HTTP contract (version 1): GET {url}/posts?platform=&handle=&since=&cursor=
answers {"posts": [...], "next_cursor": "..." | null}, or a bare list as one
final page. Each request is one fetch; its body's length is the bytes received.
"""

import hashlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

log = logging.getLogger("canopy.collection")

MAX_PAGES = 50
# The columns' sizes: longer values would be refused by PostgreSQL.
MAX_ID_LENGTH = 100
MAX_URL_LENGTH = 500


class SourceError(Exception):
    """The source failed: nothing it sent for this creator can be trusted."""


@dataclass(frozen=True)
class SourcePost:
    external_id: str
    published_at: datetime  # naive UTC, as stored
    url: str | None
    size_bytes: int


@dataclass(frozen=True)
class Fetched:
    posts: list[SourcePost]
    fetches: int
    bytes_received: int


def parse_time(text: object) -> datetime:
    """Read an ISO 8601 time with an offset and return it as naive UTC."""
    if not isinstance(text, str):
        raise SourceError("published_at is missing or not a string")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"published_at {text!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise SourceError(f"published_at {text!r} has no offset")
    return moment.astimezone(UTC).replace(tzinfo=None)


def parse_post(raw: object) -> SourcePost:
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        raise SourceError("a post has no id")
    if len(str(raw["id"])) > MAX_ID_LENGTH:
        raise SourceError("a post id is longer than 100 characters")
    size = raw.get("size_bytes")
    if not isinstance(size, int) or size < 0:
        size = len(json.dumps(raw, separators=(",", ":")).encode())
    url = raw.get("url") if isinstance(raw.get("url"), str) else None
    if url is not None and len(url) > MAX_URL_LENGTH:
        url = None  # a link too long to keep is dropped, not the post
    return SourcePost(str(raw["id"]), parse_time(raw.get("published_at")), url, size)


class HttpPostSource:
    """Posts from the platform's JSON endpoint, one session for all calls."""

    def __init__(self, base_url: str, token: str | None, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __repr__(self) -> str:
        return f"<HttpPostSource {self.base_url}>"

    def fetch(self, platform: str, handle: str, since: datetime) -> Fetched:
        """Return every post of a creator published since `since`, all pages."""
        posts: list[SourcePost] = []
        received = 0
        cursor = None
        for fetches in range(1, MAX_PAGES + 1):
            body, page_posts, cursor = self.fetch_page(platform, handle, since, cursor)
            received += len(body)
            posts.extend(page_posts)
            if not cursor:
                return Fetched(posts, fetches, received)
        # Storing a partial answer would move the cursor past unseen posts.
        raise SourceError(f"more than {MAX_PAGES} pages in one run")

    def fetch_page(self, platform, handle, since, cursor):
        params = {
            "platform": platform,
            "handle": handle,
            "since": since.replace(tzinfo=UTC).isoformat(),
        }
        if cursor:
            params["cursor"] = cursor
        try:
            response = self.session.get(
                f"{self.base_url}/posts",
                params=params,
                timeout=(self.timeout, self.timeout),
            )
        except requests.RequestException as error:
            raise SourceError(f"request failed: {error.__class__.__name__}") from None
        if not 200 <= response.status_code < 300:
            raise SourceError(f"HTTP {response.status_code}")
        return (response.content, *parse_body(response.content))


def parse_body(body: bytes) -> tuple[list[SourcePost], str | None]:
    try:
        data = json.loads(body)
    except ValueError:
        raise SourceError("the body is not JSON") from None
    if isinstance(data, list):
        return [parse_post(raw) for raw in data], None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise SourceError("the body has no posts list")
    cursor = data.get("next_cursor")
    return [parse_post(raw) for raw in data["posts"]], cursor or None


class DemoPostSource:
    """Invents plausible posts, the same ones for the same creator and time.

    Each creator posts at most once in each six-hour slot, decided by a hash,
    so repeated runs never invent different posts for the same slot.
    """

    SLOT = timedelta(hours=6)

    def fetch(self, platform: str, handle: str, since: datetime) -> Fetched:
        now = datetime.now(UTC).replace(tzinfo=None)
        start = max(since, now - timedelta(days=30))
        slot = datetime(start.year, start.month, start.day, tzinfo=None)
        posts = []
        while slot < now:
            post = self.post_in_slot(platform, handle, slot)
            if post and since <= post.published_at < now:
                posts.append(post)
            slot += self.SLOT
        body = json.dumps([p.external_id for p in posts]).encode()
        return Fetched(posts, fetches=1, bytes_received=300 + len(body) * 20)

    def post_in_slot(self, platform, handle, slot: datetime) -> SourcePost | None:
        seed = hashlib.sha256(f"{platform}:{handle}:{slot.isoformat()}".encode())
        rng = random.Random(seed.digest())
        if rng.random() > 0.15:
            return None
        published = slot + timedelta(minutes=rng.randrange(0, 360))
        external_id = f"demo-{seed.hexdigest()[:16]}"
        url = f"https://{platform}.example/{handle}/{external_id}"
        return SourcePost(external_id, published, url, rng.randrange(2_000, 60_000))
