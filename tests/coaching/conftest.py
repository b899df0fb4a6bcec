import pytest
import time_machine

from tests.coaching.coaching_factories import NOW


@pytest.fixture(autouse=True)
def frozen_now():
    """Every coaching test runs on the same day of the fixtures' school year 2026-27."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
