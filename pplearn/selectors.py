"""Reads behind the core pages, with their joins and counts done in the database."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Membership, Role, School, User


def school_list_for_district(*, district) -> QuerySet[School]:
    """Schools of a district with the number of teachers at each."""
    return (
        School.objects.filter(district=district)
        .annotate(
            teacher_count=Count(
                "memberships",
                filter=Q(memberships__role=Role.TEACHER, memberships__user__is_active=True),
            )
        )
        .order_by("-is_active", "name")
    )


def person_list_for_district(
    *, district, search: str = "", role: str = "", school_id: int | None = None, status: str = ""
) -> QuerySet[User]:
    """People of a district with their memberships, filtered as the admin asked."""
    people = User.objects.filter(district=district)
    if search:
        people = people.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(employee_id__iexact=search)
        )
    # One filter() call, so that role and school must hold for the same membership.
    membership = Q()
    if role:
        membership &= Q(memberships__role=role)
    if school_id:
        membership &= Q(memberships__school_id=school_id)
    if membership:
        people = people.filter(membership)
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    return (
        people.distinct()
        .prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("school", "district")
            )
        )
        .order_by("full_name", "pk")
    )


def teachers_at_schools(*, schools) -> QuerySet[User]:
    """Active teachers of the given schools."""
    return (
        User.objects.filter(
            is_active=True, memberships__role=Role.TEACHER, memberships__school__in=schools
        )
        .distinct()
        .order_by("full_name")
    )


def school_summaries(*, schools) -> QuerySet[School]:
    """Schools with counts of their active teachers and coaches."""
    return schools.annotate(
        teacher_count=Count(
            "memberships",
            filter=Q(memberships__role=Role.TEACHER, memberships__user__is_active=True),
            distinct=True,
        ),
        coach_count=Count(
            "memberships",
            filter=Q(memberships__role=Role.COACH, memberships__user__is_active=True),
            distinct=True,
        ),
    ).order_by("name")
