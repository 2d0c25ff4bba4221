"""Users: roles, hashed passwords, `yuqing user add` for the first one."""

import json

import pytest

from dashboard import users
from pipeline.errors import InputError

from support import run_cli


def test_passwords_are_stored_hashed_and_checked(redis_conn):
    users.add(redis_conn, "张三", "duty", "a long enough secret")
    stored = json.loads(redis_conn.hget(users.USERS, "张三"))
    assert "a long enough secret" not in json.dumps(stored) and stored["password_hash"].startswith(("scrypt", "pbkdf2"))
    assert users.authenticate(redis_conn, "张三", "a long enough secret")["role_name"] == "值班员"
    assert users.authenticate(redis_conn, "张三", "wrong") is None and users.authenticate(redis_conn, "无人", "x") is None


def test_bad_users_are_refused(redis_conn):
    with pytest.raises(InputError, match="role"):
        users.add(redis_conn, "a", "admin", "a long enough secret")
    with pytest.raises(InputError, match="10 characters"):
        users.add(redis_conn, "a", "duty", "short")
    users.add(redis_conn, "a", "duty", "a long enough secret")
    with pytest.raises(InputError, match="--replace"):
        users.add(redis_conn, "a", "leader", "a long enough secret")
    assert users.add(redis_conn, "a", "leader", "another long secret", replace=True)["role"] == "leader"


def test_the_first_user_is_made_from_the_command_line(redis_url, redis_conn, tmp_path):
    env = {"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path)}
    out = run_cli("user", "add", "王主任", "--role", "leader", "--password-stdin", env=env, input="a long enough secret\n")
    assert out.returncode == 0 and "王主任 (领导) saved" in out.stdout
    assert "王主任  leader (领导)" in run_cli("user", "list", env=env).stdout
    assert run_cli("user", "remove", "王主任", env=env).returncode == 0
    assert run_cli("user", "remove", "王主任", env=env).returncode == 2
