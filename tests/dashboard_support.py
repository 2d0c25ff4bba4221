"""Helpers for the dashboard tests: users and a signed-in Flask test client."""

import re

from dashboard import users
from dashboard.app import create_app

PASSWORD = "correct horse battery"


def make_users(conn):
    for name, role in (("张三", "duty"), ("李四", "duty"), ("王主任", "leader"), ("运维小赵", "operator")):
        users.add(conn, name, role, PASSWORD, replace=True)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(settings, name: str, app=None):
    """A test client signed in through the real login form (CSRF and all)."""
    client = (app or create_app(settings)).test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = token
    return client
