"""Fixtures for the roster tests: the MIS export files and an upload helper."""
from __future__ import annotations

import pytest

from tests.roster.mis_files import TOKEN_RE, fixture_bytes


@pytest.fixture
def upload(client):
    """Upload a fixture (or raw bytes) as the logged-in user; returns (response, token)."""
    def do(name: str | None = None, data: bytes | None = None, filename: str = "export.csv",
           **kwargs):
        from io import BytesIO
        content = data if data is not None else fixture_bytes(name)
        response = client.post("/pupils/import", data={"file": (BytesIO(content),
                                                                 name or filename)},
                               content_type="multipart/form-data", **kwargs)
        match = TOKEN_RE.search(response.headers.get("Location", ""))
        return response, (match.group(1) if match else None)
    return do
