"""Test helpers that are not fixtures: the demo password, the CSRF-sending client, saving
factory objects, and logging in a real browser. The fixtures (conftest.py) use them; tests
import them from here, never from a conftest."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from careers_app.extensions import db
from careers_app.security import hash_password

PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2id is deliberately slow
CSRF_RE = re.compile(r'X-CSRFToken&#34;: &#34;([^&]+)&#34;|"X-CSRFToken": "([^"]+)"')


def persist(app, *objects):
    """Save objects in a context of their own, so test requests never share a session with
    the factories. The returned objects are detached with their columns loaded."""
    with app.app_context():
        db.session.add_all(objects)
        db.session.commit()
        for obj in objects:
            db.session.refresh(obj)
        db.session.expunge_all()
        db.session.remove()
    return objects[0]


class Client(FlaskClient):
    """Sends the CSRF token on writes, the way the pages do, unless told not to."""

    csrf_token: str | None = None

    def open(self, *args, csrf: bool = True, htmx: bool = False, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS") and self.csrf_token:
            headers.setdefault("X-CSRFToken", self.csrf_token)
        if htmx:
            headers["HX-Request"] = "true"
        response = super().open(*args, headers=headers, **kwargs)
        if response.mimetype == "text/html":
            match = CSRF_RE.search(response.get_data(as_text=True))
            if match:
                self.csrf_token = match.group(1) or match.group(2)
        return response

    def login(self, username: str, password: str = PASSWORD):
        self.get("/login")
        response = self.post("/login", data={"username": username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        self.get("/", follow_redirects=True)  # pick up the new session's CSRF token
        return response



CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]



def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
