"""Fixtures for the reports tests: a fixed 'today' and organisations of every provider type."""
from __future__ import annotations

import pytest

from careers_app.domain.benchmarks import OrganisationKind


@pytest.fixture
def providers(make_organisation):
    """One organisation of each kind, plus a second FE college."""
    return {
        "employer": make_organisation("Harbour Bank", OrganisationKind.EMPLOYER),
        "sixth_form": make_organisation("St Anne's Sixth Form", OrganisationKind.SIXTH_FORM),
        "fe_college": make_organisation("Riverside College", OrganisationKind.FE_COLLEGE),
        "fe_college_2": make_organisation("Northgate College", OrganisationKind.FE_COLLEGE),
        "university": make_organisation("University of the South East", OrganisationKind.UNIVERSITY),
        "itp": make_organisation("Skills First Apprenticeships", OrganisationKind.ITP),
    }
