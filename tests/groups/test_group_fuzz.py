"""No input makes a trust page fail, whatever the group lead sends."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Client
from tests.test_fuzz import ANY_TEXT, TROUBLE

FIELDS = ["group", "year", "as_of", "send", "disadvantaged", "looked_after", "title", "period",
          "owner_id"]
PARAMS = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(TROUBLE) | ANY_TEXT,
                         max_size=5)
GROUP_FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@GROUP_FUZZ
@given(params=PARAMS, school_path=st.sampled_from(["1", "2", "999999", "2147483648", "٣"]))
def test_no_input_makes_a_trust_page_fail(app, trust, params, school_path):
    app.test_client_class = Client
    client = app.test_client()
    client.login("trustlead")
    gid = trust.group_id
    for url in ("/trust", "/trust/figures.csv", "/trust/print", "/trust/plans",
                f"/trust/schools/{trust.second.id}", f"/trust/schools/{school_path}",
                f"/trust/{gid}/plans/new", f"/trust/{school_path}/plans/new"):
        response = client.get(url, query_string=params)
        assert response.status_code < 500, (url, params, response.status_code)
    for url in (f"/trust/{gid}/plans/new", f"/trust/{school_path}/plans/new"):
        response = client.post(url, data=params)
        assert response.status_code < 500, (url, params, response.status_code)
