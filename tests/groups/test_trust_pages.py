"""The trust dashboard, a school in aggregate mode, the CSV and the print view."""
from __future__ import annotations

from sqlalchemy import select

from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db
from careers_app.models import AuditLog


def test_a_group_lead_lands_on_the_trust_dashboard(client, trust):
    client.login("trustlead")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/trust")
    page = client.get("/trust").get_data(as_text=True)
    assert "Test Learning Trust" in page
    assert "Test Academy" in page and "Second Academy" in page
    assert "Outside School" not in page
    assert "Secretname" not in page


def test_the_school_page_is_figures_only(client, trust):
    client.login("trustlead")
    response = client.get(f"/trust/schools/{trust.second.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Second Academy" in body and "Year 7" in body
    assert "Secretname" not in body and "/reports/benchmarks/" not in body
    assert "/pupils" not in body
