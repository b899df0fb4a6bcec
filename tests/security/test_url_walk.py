"""Walk every URL of the site: each one is behind sign-in (or on a short allowlist), and each
named one is declared in the role-by-view table (access_matrix.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from .access_matrix import MATRIX
from .test_access_matrix import outcome
from .urlwalk import walk

# Pages anyone may open: signing in and out, getting a new password, the health probe.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
}
# Views colleagues are adding this session: declared in MATRIX as soon as they land.
# Emptied before the session ends; a name here that also has a MATRIX row is an error.
PENDING_DECLARATION: set[str] = set()
# What a signed-out visitor may get instead of being sent to sign-in: a 401 for htmx calls
# (the page then says the session expired), 404, or 405 for a method the view never takes.
ALSO_REFUSED = {"401", "404", "405"}

ROUTES = walk()
SITE = [r for r in ROUTES if not r.route.startswith("admin/")]
ADMIN = [r for r in ROUTES if r.route.startswith("admin/")]


def _path(route) -> str:
    """The route with each argument replaced by a dummy value (the admin's regex too)."""
    path = re.sub(r"<(?:(\w+):)?\w+>", "1", route.route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return "/" + path.replace("^", "").replace("$", "")


def test_the_walk_finds_every_app():
    names = {r.name for r in SITE}
    for expected in ("home", "goals:goal_detail", "evidence:review_score", "coaching:caseload"):
        assert expected in names
    assert len(SITE) > 90
    assert len(ADMIN) > 20


@pytest.mark.parametrize("route", SITE, ids=lambda r: r.name or r.route)
def test_signed_out_visitors_are_sent_to_sign_in(route, client, db):
    assert route.name, f"unnamed URL pattern {route.route}: name it so access can be declared"
    if route.name in PUBLIC:
        return
    url = reverse(route.name, kwargs=route.dummy_kwargs())
    for method in ("get", "post"):
        got = outcome(getattr(client, method)(url))
        assert got == "login" or got in ALSO_REFUSED, f"{method.upper()} {url}: {got}"


@pytest.mark.parametrize("route", ADMIN, ids=lambda r: r.name or r.route)
def test_the_admin_site_asks_signed_out_visitors_to_sign_in(route, db):
    if route.name in ("admin:login", "admin:logout"):
        return
    response = Client().get(_path(route))
    if response.status_code in (301, 302):
        location = response["Location"]
        # The catch-all first adds a slash, then sends to the admin's sign-in.
        if not location.startswith(reverse("admin:login")):
            response = Client().get(location)
            location = response.get("Location", "")
        assert location.startswith(reverse("admin:login")), (route.route, location)
    else:
        assert response.status_code == 404, (route.route, response.status_code)


def test_every_named_url_is_declared_in_the_access_matrix():
    names = {r.name for r in SITE} - PUBLIC
    missing = names - set(MATRIX) - PENDING_DECLARATION
    assert not missing, f"declare who may read and change these in access_matrix.py: {missing}"
    stale = set(MATRIX) - names
    assert not stale, f"rows of access_matrix.py for URLs that no longer exist: {stale}"
    assert not PENDING_DECLARATION & set(MATRIX), "declared: take it off PENDING_DECLARATION"
    assert not PENDING_DECLARATION - names, "pending views that do not exist"


def test_public_pages_are_few_and_known():
    assert {r.name for r in SITE} >= PUBLIC
    assert len(PUBLIC) == 7
