"""Write who the load test signs in as, and what they open, to a JSON file.

python -m pplearn.perf.load_personas --out personas.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _session(user) -> str:
    """A signed-in session for the user, as the sign-in form would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "pplearn.backends.EmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def collect() -> dict:
    from django.urls import reverse

    from evidence.models import Submission
    from goals.models import Goal
    from pplearn.models import Membership, Role, SchoolYear
    from pplearn.perf.district import BENCH_PASSWORD

    year = SchoolYear.objects.filter(is_current=True).order_by("pk").first()
    drafts = (
        Submission.objects.filter(
            status=Submission.Status.DRAFT,
            goal__status=Goal.Status.APPROVED,
            goal__school_year=year,
            goal__teacher__is_active=True,
        )
        .select_related("goal__teacher")
        .order_by("pk")[:400]
    )
    teachers = [
        {
            "email": d.goal.teacher.email,
            "session": _session(d.goal.teacher),
            "goal": reverse("goals:goal_detail", args=[d.goal_id]),
            "form": reverse("evidence:submission_edit", args=[d.pk]),
            "autosave": reverse("evidence:submission_autosave", args=[d.pk]),
        }
        for d in drafts
    ]
    leads = Membership.objects.filter(role=Role.COORDINATOR, school=None).order_by("user_id")
    coordinators = [
        {"email": m.user.email, "session": _session(m.user)}
        for m in list(leads.select_related("user")) * 3
    ]
    queue = list(
        Submission.objects.filter(status=Submission.Status.SUBMITTED, claim__isnull=True)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:3000]
    )
    principals = [
        {
            "email": m.user.email,
            "session": _session(m.user),
            "dashboard": reverse("dashboards:school", args=[m.school_id]),
        }
        for m in Membership.objects.filter(role=Role.PRINCIPAL)
        .select_related("user")
        .order_by("pk")[:100]
    ]
    return {
        "password": BENCH_PASSWORD,
        "teachers": teachers,
        "coordinators": coordinators,
        "queue": [reverse("evidence:review_score", args=[pk]) for pk in queue],
        "principals": principals,
        "floor": reverse("password_change"),
        "login": reverse("login"),
        "review_queue": reverse("evidence:review_queue"),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")
    import django

    django.setup()
    with open(args.out, "w") as f:
        json.dump(collect(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
