"""Navigation shows each role only what it can use (issue 13): every link in the main menu
opens with 200 for the role that sees it, and a tutor meets no link they cannot open."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from careers_app.demo import seed_demo
from careers_app.extensions import db
from careers_app.models import Role, User

from tests.helpers import Client

PASSWORD = "navigation-test-password"


class _Links(HTMLParser):
    """hrefs inside the element with the given tag and aria-label (or the whole page)."""

    def __init__(self, tag: str | None = None, label: str | None = None):
        super().__init__()
        self.tag, self.label, self.depth, self.links = tag, label, 0 if tag else 1, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.tag and tag == self.tag and attrs.get("aria-label") == self.label:
            self.depth += 1
        if tag == "a" and self.depth and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self.tag and tag == self.tag and self.depth:
            self.depth -= 1


def links(html: str, tag: str | None = None, label: str | None = None) -> list[str]:
    parser = _Links(tag, label)
    parser.feed(html)
    return parser.links


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo(password=PASSWORD)
        school_id = db.session.scalar(select(User.school_id).where(User.username == "lead"))
    return school_id


@pytest.fixture
def colleague(app, demo):
    """A member of staff with no tutor group (home: the dashboard)."""
    from careers_app.security import hash_password
    with app.app_context():
        db.session.add(User(school_id=demo, username="colleague", display_name="A Colleague",
                            role=Role.STAFF, password_hash=hash_password(PASSWORD)))
        db.session.commit()


def _client(app, username: str) -> Client:
    app.test_client_class = Client
    client = app.test_client()
    client.login(username, PASSWORD)
    return client


@pytest.mark.parametrize("username, must_have, must_not_have", [
    ("lead", {"/admin/audit", "/encounters/new"}, {"/me"}),
    ("tutor", {"/encounters/new", "/calendar"}, {"/admin/audit", "/me"}),
    ("colleague", {"/encounters/new"}, {"/admin/audit", "/me"}),
    ("pupil", {"/me"}, {"/encounters/new", "/pupils/", "/calendar", "/admin/audit"}),
])
def test_every_menu_link_opens_for_the_role_that_sees_it(app, demo, colleague, username,
                                                         must_have, must_not_have):
    client = _client(app, username)
    menu = links(client.get("/", follow_redirects=True).get_data(as_text=True), "nav", "Main")
    assert menu and must_have <= set(menu) and not must_not_have & set(menu)
    opened = {href: client.get(href).status_code for href in menu}
    assert opened == {href: 200 for href in menu}


def _shape(href: str) -> str:
    return re.sub(r"\d+", "N", href.split("?")[0])


def test_a_tutor_meets_no_link_they_cannot_open(app, demo):
    """From every page in the menu, every link on it (one of each kind) opens for the tutor."""
    client = _client(app, "tutor")
    menu = links(client.get("/").get_data(as_text=True), "nav", "Main")
    seen: dict[str, str] = {}
    for page in menu:
        for href in links(client.get(page).get_data(as_text=True)):
            if href.startswith("/") and not href.startswith("/static/") \
                    and _shape(href) not in seen:
                seen[_shape(href)] = href
    refused = {}
    for href in seen.values():
        status = client.get(href).status_code
        if status not in (200, 303):
            refused[href] = status
    assert len(seen) > 20 and refused == {}
