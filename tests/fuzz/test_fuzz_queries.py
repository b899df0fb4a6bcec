"""Every search box, filter and chooser, fuzzed as a query string: never a server error."""

from urllib.parse import urlsplit

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.conftest import (
    ACCEPTED,
    encode,
    fuzz_settings,
    payloads,
    query_forms_on,
    sign_in_as,
)
from tests.fuzz.pages import QUERIES

_forms: dict[tuple[int, str], list] = {}


def query_forms(page, scene, client) -> list:
    """The GET forms of the page as its role sees it (read once per module)."""
    key = (id(scene), page.id)
    if key not in _forms:
        url = page.url(scene)
        response = client.get(url)
        assert response.status_code == 200, f"{page}: GET {url} answered {response.status_code}"
        found = query_forms_on(response.content.decode(), f"http://testserver{url}")
        assert found, f"{page}: no search or filter form on {url}"
        _forms[key] = found
    return _forms[key]


@pytest.mark.django_db
@pytest.mark.parametrize("page", QUERIES, ids=str)
@fuzz_settings
@given(data=st.data())
def test_query_strings_never_fail(page, data, scene, client):
    sign_in_as(client, scene, page.role)
    form = data.draw(st.sampled_from(query_forms(page, scene, client)), label="form")
    payload = data.draw(payloads(form), label="payload")
    query, _ = encode(payload, multipart=False)
    htmx = data.draw(st.booleans(), label="htmx")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    path = urlsplit(form.action).path
    response = client.get(f"{path}?{query.decode('ascii')}", **headers)
    event(f"{response.status_code}")
    assert response.status_code in ACCEPTED, f"GET {path}?{query!r}: {response.status_code}"
