"""Every library form, fuzzed: never a server error, and a refused post changes nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import fuzz_page, fuzz_settings
from tests.fuzz.pages import LIBRARY


@pytest.mark.django_db
@pytest.mark.parametrize("page", LIBRARY, ids=str)
@fuzz_settings
@given(data=st.data())
def test_library_forms_never_fail_and_refusals_change_nothing(page, data, scene, client):
    fuzz_page(page, data, scene, client)
