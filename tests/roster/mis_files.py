"""The MIS export files the roster tests read, and the pupils they hold."""
from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN_RE = re.compile(r"/pupils/import/([A-Za-z0-9_-]{20,})")

# The five pupils every well-formed fixture file holds, whatever the MIS style.
FIXTURE_PUPILS = {
    "J886432110001": dict(surname="O’Brien", legal_forename="Zoë", year=10, tutor_group="10A",
                          send_status="K", disadvantaged=True, looked_after=False),
    "Y886432110002": dict(surname="Smith-Jones", legal_forename="Anne-Marie", year=7,
                          tutor_group="7B", send_status="N", disadvantaged=False,
                          looked_after=False),
    "M886432110003": dict(surname="Ng", legal_forename="Wei", year=13, tutor_group="13C",
                          send_status="E", disadvantaged=False, looked_after=True),
    "B886432110004": dict(surname="Müller", legal_forename="François", year=12,
                          tutor_group="12A", send_status="N", disadvantaged=True,
                          looked_after=False),
    "Q886432110005": dict(surname="Patel", legal_forename="Priya", year=11, tutor_group="11A",
                          send_status="N", disadvantaged=False, looked_after=False),
}
MIS_FILES = ("sims_utf8.csv", "arbor_utf8_bom.csv", "bromcom_cp1252_semicolon.csv",
             "tab_delimited.csv")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
