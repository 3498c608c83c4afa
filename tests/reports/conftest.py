"""Fixtures for the reports tests: organisations of every provider type, and the fixture
school (its hand-computed figures are in test_fixture_school.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from careers_app.domain.benchmarks import EncounterKind as K
from careers_app.domain.benchmarks import OrganisationKind
from careers_app.models import EncounterOffer, PupilYear
from tests.helpers import persist

TODAY = date(2026, 3, 15)


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


@pytest.fixture
def fixture_school(app, school, make_pupil, make_encounter, providers, make_organisation):
    """Pupils and encounters from 2023/24 to 2025/26, seen on 15 March 2026. Returns the
    pupils by name ("9a" is in Year 9 in 2025/26)."""
    on = TODAY
    p = {
        "7a": make_pupil(7, on=on), "7b": make_pupil(7, on=on),
        "9a": make_pupil(9, on=on), "9b": make_pupil(9, on=on),
        "9c": make_pupil(9, on=on, joined_on=date(2026, 1, 10), disadvantaged=True),
        "9d": make_pupil(9, on=on, left_on=date(2025, 7, 20)),
        "9e": make_pupil(9, on=on, left_on=date(2025, 12, 1)),
        # Joined in Year 8 with two encounters from before: they never count for him.
        "10j": make_pupil(10, on=on, joined_on=date(2024, 1, 8)),
        # The first MIS import was in November 2023; everyone then on roll was admitted
        # (for the app) on 1 September, so the September encounters logged later count.
        "11a": make_pupil(11, on=on, joined_on=date(2023, 9, 1)),
        "11b": make_pupil(11, on=on),  # tutor group 9C, then 10B, now 11A
        "11c": make_pupil(11, on=on, disadvantaged=True, send_status="K"),  # N, then E, now K
        "12a": make_pupil(12, on=on, considering_he=True), "12b": make_pupil(12, on=on),
        # Year 13 in 2024/25; the leaving date is the last day on roll.
        "13x": make_pupil(14, on=on, left_on=date(2025, 8, 31)),
    }
    history = [("11b", 2023, "9C", "N", False), ("11b", 2024, "10B", "N", False),
               ("11c", 2023, "9A", "N", False), ("11c", 2024, "10A", "E", True)]
    for name, year, group, send, poor in history:
        persist(app, PupilYear(school_id=school.id, pupil_id=p[name].id, academic_year=year,
                               tutor_group=group, send_status=send, disadvantaged=poor,
                               looked_after=False, considering_he=False))
    org = providers
    ev = make_encounter

    def offered(encounter, *names):
        for cohort in sorted({p[n].cohort for n in names}):
            persist(app, EncounterOffer(school_id=school.id, encounter_id=encounter.id,
                                        cohort=cohort))

    # Year 7
    ev([p["7a"]], K.CURRICULUM_LINKED, date(2025, 9, 10))
    ev([p["7a"]], K.LABOUR_MARKET_INFO, date(2026, 1, 10))

    # Year 9
    ev([p["9a"]], K.LABOUR_MARKET_INFO, date(2023, 10, 1))       # Y7: BM2 in KS3
    ev([p["9a"]], K.EMPLOYER_TALK, date(2025, 9, 1), organisation=org["employer"])  # 1 Sep
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 8, 31), organisation=org["employer"])  # 31 Aug
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 10, 5), planned=True)
    ev([p["9b"]], K.EMPLOYER_TALK, date(2025, 10, 6),
       deleted_at=datetime(2025, 10, 7, tzinfo=timezone.utc))
    ev([p["9b"]], K.EMPLOYER_TALK, date(2026, 4, 1))             # after "today"
    ev([p["9c"]], K.EMPLOYER_TALK, date(2026, 2, 1), meaningful=False)
    ev([p["9d"], p["9e"]], K.EMPLOYER_TALK, date(2025, 10, 1))   # 9d had left by then
    ev([p["9d"]], K.EMPLOYER_TALK, date(2025, 7, 25), organisation=org["employer"])  # after leaving
    # Provider Access, Y8-9: 9a two providers (Y9 on 28 Feb); 9b the same college twice;
    # 9e one provider, the second on 1 March (too late).
    ev([p["9a"], p["9b"], p["9e"]], K.COLLEGE, date(2024, 11, 10), organisation=org["fe_college"])
    ev([p["9b"]], K.COLLEGE, date(2025, 2, 3), organisation=org["fe_college"])
    ev([p["9a"]], K.APPRENTICESHIP_PROVIDER, date(2026, 2, 28), organisation=org["itp"])
    ev([p["9e"]], K.APPRENTICESHIP_PROVIDER, date(2026, 3, 1), organisation=org["itp"])

    # The joiner: before admission (never counts), then after.
    ev([p["10j"]], K.EMPLOYER_TALK, date(2023, 11, 1), organisation=org["employer"])
    ev([p["10j"]], K.COLLEGE, date(2023, 12, 1), organisation=org["fe_college"])
    ev([p["10j"]], K.EMPLOYER_TALK, date(2024, 2, 1), organisation=org["employer"])
    ev([p["10j"]], K.APPRENTICESHIP_PROVIDER, date(2024, 6, 1), organisation=org["itp"])

    # Year 11
    ev([p["11a"]], K.EMPLOYER_TALK, date(2023, 9, 5), organisation=org["employer"])  # back-filled
    ev([p["11a"]], K.WORKPLACE_VISIT, date(2024, 3, 1), organisation=org["employer"])  # Y9
    ev([p["11a"]], K.WORK_EXPERIENCE, date(2025, 11, 1), organisation=org["employer"])
    ev([p["11a"]], K.SIXTH_FORM, date(2024, 10, 1), organisation=org["sixth_form"])
    ev([p["11a"], p["11b"]], K.COLLEGE, date(2024, 11, 1), organisation=org["fe_college"])
    ev([p["11a"]], K.UNIVERSITY, date(2025, 10, 1), organisation=org["university"])
    ev([p["11a"]], K.APPRENTICESHIP_PROVIDER, date(2026, 2, 20), organisation=org["itp"])
    ev([p["11a"]], K.GUIDANCE_INTERVIEW, date(2025, 1, 15), adviser_name="Ms Qualified",
       adviser_level6=True)
    ev([p["11a"], p["11c"]], K.EMPLOYER_TALK, date(2026, 1, 20), organisation=org["employer"])
    ev([p["11a"]], K.CURRICULUM_LINKED, date(2025, 9, 30))
    ev([p["11b"]], K.WORKPLACE_VISIT, date(2025, 6, 1), organisation=org["employer"])
    other_sixth_form = make_organisation("Other Sixth Form", "sixth_form")
    ev([p["11b"]], K.SIXTH_FORM, date(2024, 10, 2), organisation=org["sixth_form"])
    ev([p["11b"]], K.SIXTH_FORM, date(2025, 10, 2), organisation=other_sixth_form)
    ev([p["11b"]], K.UNIVERSITY, date(2025, 10, 3), organisation=org["university"])
    ev([p["11b"]], K.COLLEGE, date(2024, 12, 1), organisation=org["fe_college_2"])
    ev([p["11c"]], K.WORKPLACE_VISIT, date(2025, 5, 1), organisation=org["employer"])
    ev([p["11c"]], K.WORKPLACE_VISIT, date(2025, 11, 5), organisation=org["employer"],
       meaningful=False)

    # Year 12
    ev([p["12a"]], K.UNIVERSITY, date(2023, 10, 1), organisation=org["university"])  # Y10
    ev([p["12a"]], K.UNIVERSITY, date(2025, 10, 1), organisation=org["university"])
    ev([p["12a"]], K.WORK_EXPERIENCE, date(2025, 12, 1), organisation=org["employer"])
    ev([p["12a"]], K.GUIDANCE_INTERVIEW, date(2025, 5, 1))          # Y11, no adviser recorded
    ev([p["12b"]], K.GUIDANCE_INTERVIEW, date(2026, 1, 12), adviser_name="Mr Mentor")  # not L6
    # Targeted sessions: 12b alone went, and nothing was offered to the year group.
    ev([p["12b"]], K.APPRENTICESHIP_PROVIDER, date(2025, 11, 1), organisation=org["itp"])
    ev([p["12b"]], K.COLLEGE, date(2026, 1, 15), organisation=org["fe_college"])
    # Offered to the whole of Year 12 (phase 3); only 12b came.
    offered(ev([p["12b"]], K.COLLEGE, date(2025, 11, 20), organisation=org["fe_college_2"]),
            "12a")

    # Year 13 in 2024/25 (Year 12 in 2023/24)
    offered(ev([p["13x"]], K.COLLEGE, date(2023, 11, 15), organisation=org["fe_college"]), "13x")
    ev([p["13x"]], K.APPRENTICESHIP_PROVIDER, date(2025, 2, 28), organisation=org["itp"])
    ev([p["13x"]], K.COLLEGE, date(2025, 3, 1), organisation=org["fe_college_2"])  # too late
    ev([p["13x"]], K.EMPLOYER_TALK, date(2025, 8, 31), organisation=org["employer"])  # last day
    return p
