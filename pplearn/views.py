"""Core pages: the role-aware home page, role switching, health check, error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .models import Role, School
from .roles import SESSION_KEY, role_label, roles_for
from .selectors import school_summaries, teachers_at_schools


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the home page of the role the person is acting in."""
    role = request.active_role
    user = request.user
    context: dict = {"role": role}
    # The active role is a lazy object, never None itself: test its truth, not its identity.
    if not role:
        return render(request, "pplearn/home_no_role.html", context)
    if role == Role.COORDINATOR:
        return redirect("evidence:review_queue")
    if role == Role.COACH:
        return redirect("coaching:caseload")
    if role == Role.TEACHER:
        from goals.selectors import goals_for_teacher, goals_with_tiers

        context["schools"] = user.schools_for_role(Role.TEACHER)
        context["goals"] = goals_with_tiers(goals_for_teacher(teacher=user))
    elif role == Role.PRINCIPAL:
        schools = user.schools_for_role(Role.PRINCIPAL)
        context["schools"] = school_summaries(
            schools=School.objects.filter(pk__in=[s.pk for s in schools])
        )
        context["teachers"] = teachers_at_schools(schools=schools)[:200]
        context["overdue_checkins"] = _overdue_checkins(user, schools)
    elif role == Role.COORDINATOR:
        context["schools"] = school_summaries(schools=School.objects.visible_to(user).active())
    elif role == Role.DISTRICT_ADMIN:
        context["schools"] = school_summaries(schools=School.objects.visible_to(user))
    if role in (Role.PRINCIPAL, Role.COORDINATOR):
        from goals.selectors import goals_awaiting_approval

        context["approvals_waiting"] = goals_awaiting_approval(user=user).count()
    return render(request, f"pplearn/home_{role}.html", context)


def _overdue_checkins(user, schools) -> list:
    """Overdue coaching check-ins at the principal's schools: the fact, never the notes."""
    from coaching.selectors import overdue_checkins_for_schools

    school_year = user.district.current_school_year() if user.district_id else None
    if school_year is None:
        return []
    return overdue_checkins_for_schools(schools=schools, school_year=school_year)


@login_required
@require_POST
def role_switch(request: HttpRequest) -> HttpResponse:
    """Act in another of one's roles from now on."""
    role = request.POST.get("role", "")
    if role in roles_for(request.user):
        request.session[SESSION_KEY] = role
        messages.info(request, f"You are now working as {role_label(role).lower()}.")
    else:
        messages.error(request, "You do not hold that role.")
    next_url = request.POST.get("next", "")
    # Only a path on this site; redirect() would take other text for a view name and fail.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("home")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the Celery broker answer."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"
