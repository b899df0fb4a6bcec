"""Run every cell of the role-by-view table (access_matrix.py) against real objects."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .access_matrix import MATRIX, ROLE_CODES, Access

ROLES = (*ROLE_CODES.values(), "signed_out")
# URL arguments that name no object of a district (a tier number, a table of a dashboard).
NOT_OBJECTS = {"tier", "table"}


def outcome(response) -> str:
    """Name what a response means for access: ok, login, 404, 403, 405, 401 or 500."""
    status = response.status_code
    if status in (301, 302) and response["Location"].startswith(reverse("login")):
        return "login"
    if status in (401, 403, 404, 405) or status >= 500:
        return str(status)
    return "ok"  # a page, a redirect elsewhere, or a form shown again with its errors


def expected(access: Access, method: str, role: str) -> str:
    if role == "signed_out":
        return access.signed_out[0 if method == "GET" else 1]
    may = access.may(method)
    if may is None:
        return "405"
    return "ok" if role in may else "404"


def clients_by_role(world) -> dict[str, Client]:
    """One client per role, signed in once; each request runs in a rolled-back savepoint."""
    clients = {}
    for role in ROLES:
        client = Client()
        if role != "signed_out":
            client.force_login(getattr(world, role))
        clients[role] = client
    return clients


def run_cell(client: Client, method: str, url: str, data: dict) -> str:
    """Make one request and undo whatever it changed, so cells do not depend on each other."""
    with transaction.atomic():
        try:
            response = client.get(url) if method == "GET" else client.post(url, data)
            result = outcome(response)
        except Exception as exc:  # noqa: BLE001 - a crash is a failed cell, reported with the rest
            result = f"500 ({type(exc).__name__}: {exc})"
        transaction.set_rollback(True)
    return result


def test_a_person_of_another_district_is_never_allowed_at_one_of_our_objects(objects):
    for name, access in MATRIX.items():
        if set(access.args(objects)) - NOT_OBJECTS:
            for method in ("GET", "POST"):
                assert "outsider" not in (access.may(method) or set()), name


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_what_the_matrix_declares(name, objects):
    access = MATRIX[name]
    url = reverse(name, kwargs=access.args(objects))
    clients = clients_by_role(objects.world)
    wrong = []
    for method in ("GET", "POST"):
        for role, client in clients.items():
            got = run_cell(client, method, url, access.data(objects))
            want = expected(access, method, role)
            if got != want:
                wrong.append(f"{method} {url} as {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
