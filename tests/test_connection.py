import pytest

from pipeline.connection import connect, resolve_url
from pipeline.errors import StartupError
from pipeline.redis_server import free_port
from pipeline.settings import load_settings


def test_redis_url_setting_wins(tmp_path, redis_url):
    s = load_settings(environ={"REDIS_URL": redis_url}, cwd=tmp_path)
    assert resolve_url(s) == redis_url
    assert connect(s).ping()


def test_no_url_and_no_embedded_server_says_what_to_do(tmp_path):
    s = load_settings(environ={"YUQING_VAR": str(tmp_path / "var")}, cwd=tmp_path)
    with pytest.raises(StartupError, match="yuqing run"):
        resolve_url(s)


def test_unreachable_server_names_the_masked_url(tmp_path):
    url = f"redis://:topsecret@127.0.0.1:{free_port()}/0"
    s = load_settings(environ={"REDIS_URL": url}, cwd=tmp_path)
    with pytest.raises(StartupError) as info:
        connect(s)
    assert "Redis unreachable at redis://:********@127.0.0.1" in str(info.value)
    assert "topsecret" not in str(info.value)


def test_wrong_password_is_reported_as_such(tmp_path, redis_server):
    url = f"redis://:wrong@127.0.0.1:{redis_server.port}/0"
    with pytest.raises(StartupError, match="refused the password"):
        connect(load_settings(environ={"REDIS_URL": url}, cwd=tmp_path))


def test_malformed_url(tmp_path):
    with pytest.raises(StartupError, match="not a Redis URL"):
        connect(load_settings(environ={"REDIS_URL": "http://example"}, cwd=tmp_path))
