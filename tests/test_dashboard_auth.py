"""Login with roles, CSRF on every POST, session expiry, audit of logins."""

import time

from dashboard import audit
from dashboard.app import create_app

from dashboard_support import PASSWORD, csrf_of, make_users, signed_in


def test_pages_need_a_login_and_wrong_passwords_are_refused_and_audited(settings, redis_conn):
    make_users(redis_conn)
    client = create_app(settings).test_client()
    assert client.get("/").status_code == 302 and "/login" in client.get("/").headers["Location"]
    assert client.get("/api/queue").status_code == 401
    token = csrf_of(client.get("/login").get_data(as_text=True))
    bad = client.post("/login", data={"name": "张三", "password": "wrong password", "csrf_token": token})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    assert audit.recent(redis_conn)[0]["action"] == "login_failed"
    assert client.get("/status").status_code == 200                       # health pages stay open


def test_posts_without_the_csrf_token_are_rejected(settings, redis_conn):
    make_users(redis_conn)
    client = create_app(settings).test_client()
    client.get("/login")
    assert client.post("/login", data={"name": "张三", "password": PASSWORD}).status_code == 400
    signed = signed_in(settings, "张三")
    assert signed.post("/logout").status_code == 400
    assert signed.post("/logout", data={"csrf_token": signed.csrf}).status_code == 302
    assert signed.get("/").status_code == 302                             # signed out


def test_a_session_idle_too_long_expires(settings, redis_conn):
    make_users(redis_conn)
    client = signed_in(settings, "张三")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = time.time() - 61 * 60                             # default idle limit: 60 minutes
    assert client.get("/").status_code == 302


def test_a_removed_user_loses_access_and_logins_are_audited(settings, redis_conn):
    from dashboard import users
    make_users(redis_conn)
    client = signed_in(settings, "李四")
    assert "李四（值班员）" in client.get("/").get_data(as_text=True)
    users.remove(redis_conn, "李四")
    assert client.get("/").status_code == 302
    assert [e["action"] for e in audit.recent(redis_conn)] == ["login"]
