"""The teacher's growth record and printable portfolio: always the signed-in person's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from evidence.review_permissions import policy_for

from .growth_selectors import (
    growth_record_for,
    portfolio_choices,
    portfolio_for,
    portfolio_years,
)


def _compensation(user, totals) -> dict[str, bool]:
    """Which earnings to show: what the district pays now, or anything earned before."""
    policy = policy_for(user.district)
    return {
        "show_stipend": policy.pays_stipend or bool(totals.amount),
        "show_credit": policy.gives_credit or bool(totals.credit),
    }


@login_required
@require_GET
def growth_record(request: HttpRequest) -> HttpResponse:
    """Show the signed-in person's goals of every year, feedback, earnings and coaching."""
    record = growth_record_for(teacher=request.user)
    context = {"record": record, **_compensation(request.user, record.totals)}
    return render(request, "dashboards/growth_record.html", context)


def _chosen_year(request: HttpRequest, years):
    chosen = request.GET.get("year", "")
    if not chosen:
        return None
    for year in years:
        if str(year.pk) == chosen:
            return year
    raise Http404("No goals in that school year.")


def _chosen_goal_ids(request: HttpRequest, choices) -> list[int]:
    """The goals ticked on the form; before any choice, those with a tier passed."""
    own = {goal.pk for goal in choices}
    if "chosen" not in request.GET:
        return [goal.pk for goal in choices if goal.tiers_passed]
    ticked = {value for value in request.GET.getlist("goal") if value.isdigit()}
    # Goals of other people or other years are ignored, never shown.
    return [pk for pk in own if str(pk) in ticked]


@login_required
@require_GET
def growth_portfolio(request: HttpRequest) -> HttpResponse:
    """A print-ready portfolio of the chosen goals: passed tiers, evidence and feedback."""
    user = request.user
    years = portfolio_years(teacher=user)
    school_year = _chosen_year(request, years)
    choices = portfolio_choices(teacher=user, school_year=school_year)
    goal_ids = _chosen_goal_ids(request, choices)
    goals, totals = portfolio_for(teacher=user, goal_ids=goal_ids)
    context = {
        "years": years,
        "school_year": school_year,
        "choices": choices,
        "chosen_ids": set(goal_ids),
        "goals": goals,
        "totals": totals,
        "district": user.district,
        "generated_on": timezone.localdate(),
        **_compensation(user, totals),
    }
    return render(request, "dashboards/growth_portfolio.html", context)
