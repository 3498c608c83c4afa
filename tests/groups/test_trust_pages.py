"""The trust dashboard, a school in aggregate mode, the CSV and the print view."""
from __future__ import annotations

from careers_app.domain.academic import academic_year_of
from careers_app.domain.dates import today_london
from careers_app.extensions import db


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


def test_the_results_are_a_fragment_for_htmx(client, trust):
    client.login("trustlead")
    for url in ("/trust?send=any", f"/trust/schools/{trust.school.id}?looked_after=no"):
        full = client.get(url).get_data(as_text=True)
        part = client.get(url, htmx=True)
        body = part.get_data(as_text=True)
        assert part.status_code == 200 and "HX-Request" in part.headers["Vary"]
        assert body.lstrip().startswith('<section id="results"') and "<html" not in body
        assert "<html" in full and 'id="results"' in full


def test_an_as_at_day_outside_the_year_is_refused_in_words(client, trust):
    client.login("trustlead")
    year = academic_year_of(today_london())
    response = client.get(f"/trust?year={year}&as_of={year - 1}-01-01")
    assert response.status_code == 400
    assert "Choose a day in" in response.get_data(as_text=True)
    assert client.get("/trust?as_of=2026-02-30").status_code == 400
    assert client.get(f"/trust/figures.csv?year={year}&as_of={year}-12-01").status_code == 200


def test_the_csv_neutralises_formulas(app, client, trust):
    from careers_app.database import write_transaction
    from careers_app.models import School

    with app.app_context(), write_transaction():
        db.session.get(School, trust.second.id).name = "=HYPERLINK(\"x\")"
    client.login("trustlead")
    body = client.get("/trust/figures.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_the_print_view_is_a4_ready(client, trust):
    client.login("trustlead")
    page = client.get("/trust/print").get_data(as_text=True)
    assert 'class="print-trust report"' in page and "Printed" in page
    assert "Test Academy" in page and "Secretname" not in page


def test_a_lead_of_two_groups_picks_the_group(app, client, trust):
    from careers_app.database import write_transaction
    from careers_app.models.group import GroupLead

    with app.app_context(), write_transaction():
        db.session.add(GroupLead(group_id=trust.other_id, user_id=trust.lead.id))
    client.login("trustlead")
    page = client.get("/trust").get_data(as_text=True)
    assert '<label for="group"' in page and "Other Partnership (partnership)" in page
    other = client.get(f"/trust?group={trust.other_id}").get_data(as_text=True)
    assert "Outside School" in other and "Second Academy" not in other
    assert client.get(f"/trust/schools/{trust.outside.id}").status_code == 200


def test_a_group_lead_without_a_group_is_told_so(client, school, make_user):
    from careers_app.models import Role

    make_user("loneLead", Role.GROUP_LEAD)
    client.login("loneLead")
    response = client.get("/trust")
    assert response.status_code == 200
    assert "You do not lead a trust or partnership yet" in response.get_data(as_text=True)
    assert client.get("/trust/figures.csv").status_code == 404
    assert client.get("/trust/plans").status_code == 200
