"""Every page with forms that the fuzz tests post to, and the role that uses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True, repr=False)
class Page:
    id: str
    role: str | None  # an attribute of the scene; None: signed out
    url: Callable
    # Endpoints posted to without a form on the page (buttons shown only in some states).
    extra: tuple[Callable, ...] = field(default=())
    # Sign in again before each post: the posts may end or change the session.
    fresh_session: bool = False

    def __str__(self) -> str:
        return self.id

    __repr__ = __str__

    def extra_posts(self, scene) -> list[str]:
        return [make(scene) for make in self.extra]


def _r(name: str, *attrs: str, tier: int | None = None) -> Callable:
    def url(scene) -> str:
        args = [getattr(scene, attr).pk for attr in attrs]
        return reverse(name, args=args + ([tier] if tier else []))

    return url


GOALS = [
    Page("goal_create", "teacher", _r("goals:goal_create")),
    Page("goal_edit", "teacher", _r("goals:goal_edit", "draft_goal")),
    Page(
        "goal_detail_draft",
        "teacher",
        _r("goals:goal_detail", "draft_goal"),
        extra=(_r("goals:goal_carry_forward", "draft_goal"),),
    ),
    Page("goal_detail_approved", "teacher", _r("goals:goal_detail", "approved_goal")),
    Page("goal_detail_proposed_principal", "principal", _r("goals:goal_detail", "proposed_goal")),
    Page("vision_edit", "district_admin", _r("goals:vision_edit")),
    Page("school_vision_edit", "principal", _r("goals:school_vision_edit", "school")),
    Page(
        "system_goal_edit",
        "district_admin",
        _r("goals:system_goal_edit", "system_goal"),
        extra=(_r("goals:system_goal_restore", "system_goal"),),
    ),
    Page("system_goal_create", "district_admin", _r("goals:system_goal_create")),
    Page(
        "framework_edit",
        "district_admin",
        _r("goals:framework_edit", "framework"),
        extra=(_r("goals:domain_create", "framework"), _r("goals:component_create", "domain")),
    ),
    Page("domain_edit", "district_admin", _r("goals:domain_edit", "domain")),
    Page("component_edit", "district_admin", _r("goals:component_edit", "component")),
    Page("team_create", "principal", _r("goals:team_create")),
    Page("team_edit", "principal", _r("goals:team_edit", "team")),
    Page("team_meeting_add", "principal", _r("goals:team_meeting_add", "team")),
    Page(
        "team_meeting_edit",
        "principal",
        lambda s: reverse("goals:team_meeting_edit", args=[s.team.pk, s.meeting.pk]),
    ),
]
EVIDENCE = [
    Page(
        "submission_edit",
        "teacher",
        _r("evidence:submission_edit", "draft"),
        extra=(
            lambda s: reverse("evidence:tier_start", args=[s.approved_goal.pk, 3]),
            _r("evidence:resource_add", "draft"),
            _r("evidence:submission_submit", "draft"),
        ),
    ),
    Page(
        "review_score",
        "coordinator",
        _r("evidence:review_score", "queued"),
        extra=(_r("evidence:review_claim", "queued"),),
    ),
    Page("rubric_edit", "coordinator", lambda s: reverse("evidence:rubric_edit", args=[2])),
    Page("review_settings", "coordinator", _r("evidence:review_settings")),
    Page(
        "payout_list",
        "coordinator",
        _r("evidence:payout_list"),
        extra=(lambda s: reverse("evidence:payroll_export"),),
    ),
]
COACHING = [
    Page(
        "conversation_create",
        "coach",
        lambda s: reverse("coaching:conversation_create", args=[s.teacher.pk]),
    ),
    Page("conversation_detail_coach", "coach", _r("coaching:conversation_detail", "conversation")),
    Page("conversation_edit", "coach", _r("coaching:conversation_edit", "conversation")),
    Page(
        "conversation_detail_teacher", "teacher", _r("coaching:conversation_detail", "conversation")
    ),
    Page("my_coaching", "teacher", _r("coaching:my_coaching")),
    Page("reminder_settings", "district_admin", _r("coaching:reminder_settings")),
    Page("notification_settings", "teacher", _r("coaching:notification_settings")),
    Page(
        "reminder_pause_list",
        "coordinator",
        _r("coaching:reminder_pause_list"),
        extra=(
            lambda s: reverse("coaching:reminder_pause", args=[s.teacher.pk]),
            lambda s: reverse("coaching:reminder_unpause", args=[s.teacher.pk]),
        ),
    ),
    Page("assignment_list", "principal", _r("coaching:assignment_list")),
]
PPLEARN = [
    Page("sign_in", None, lambda s: reverse("login"), fresh_session=True),
    Page("password_reset", None, lambda s: reverse("password_reset"), fresh_session=True),
    Page("password_change", "teacher", lambda s: reverse("password_change"), fresh_session=True),
    Page("role_switch", "coach", _r("coaching:caseload"), fresh_session=True),
    Page("notification_list", "teacher", lambda s: reverse("notification_list")),
    Page("school_create", "district_admin", lambda s: reverse("manage:school_create")),
    Page("school_edit", "district_admin", _r("manage:school_edit", "school")),
    Page("school_year_create", "district_admin", lambda s: reverse("manage:school_year_create")),
    Page(
        "school_year_edit",
        "district_admin",
        _r("manage:school_year_edit", "school_year"),
        extra=(_r("manage:school_year_make_current", "school_year"),),
    ),
    Page("person_create", "district_admin", lambda s: reverse("manage:person_create")),
    Page("person_edit", "district_admin", _r("manage:person_edit", "teacher")),
    Page(
        "sign_out",
        "teacher",
        lambda s: reverse("notification_list"),
        extra=(lambda s: reverse("logout"),),
        fresh_session=True,
    ),
]
LIBRARY = [
    Page("library_publish", "teacher", _r("library:publish", "publish_goal")),
    Page("library_detail", "teacher", _r("library:detail", "entry")),
    Page("library_mine", "second_teacher", _r("library:mine")),
]
# Pages with GET forms (search boxes, filters, year choosers): fuzzed as query strings.
QUERIES = [
    Page("review_queue", "coordinator", _r("evidence:review_queue")),
    Page("library_list", "teacher", _r("library:list")),
    Page("growth_portfolio", "teacher", _r("dashboards:growth_portfolio")),
    Page("school_dashboard", "principal", _r("dashboards:school", "school")),
    Page("district_dashboard", "district_admin", _r("dashboards:district")),
    Page("access_log", "principal", lambda s: reverse("access_log")),
    Page("person_list", "district_admin", lambda s: reverse("manage:person_list")),
]
