"""The failed sign-in limit is counted in Redis when RATELIMIT_STORAGE_URI says so.

Several web processes must share one count; Redis runs on every CI machine.
"""

import os
import socket

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_db():
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis is not running here")
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def settings(redis_db):
    return {"RATELIMIT_STORAGE_URI": REDIS_URL}


def sign_in_wrongly(client):
    return client.post(
        "/login", data={"email": "lead@demo.canopy.test", "password": "wrong"}
    )


def test_failed_sign_ins_are_counted_in_redis(client, people, redis_db):
    """A failed sign-in leaves its count in Redis, not in the process."""
    assert sign_in_wrongly(client).status_code == 401

    assert redis_db.keys("*"), "no rate-limit key was written to Redis"


def test_the_eleventh_failed_sign_in_is_refused_from_redis(client, people, redis_db):
    """The limit still holds with the count kept in Redis."""
    for _ in range(10):
        assert sign_in_wrongly(client).status_code == 401

    assert sign_in_wrongly(client).status_code == 429
