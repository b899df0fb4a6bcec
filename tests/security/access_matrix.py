"""Who may read (GET) and who may change (POST) each named URL of the site.

One row per URL name. `get` and `post` list the roles that may do it, by code:
T teacher, C coach, CO coordinator, P principal, DA district administrator, X the
administrator of another district. X may appear only on pages that name no object (it then
sees its own district); on every URL naming one of our objects X gets a 404. A signed-out
visitor is never listed: it is sent to sign-in everywhere (test_url_walk.py).
`None` means the view does not accept that method at all (405 for everyone signed in).
Everyone not listed must get a 404 (or a 403 for a page of a role they do not hold; a person
of another district always 404). "May" means the view does its work: a page, a redirect
other than to sign-in, or a form shown again with errors (400/422).

`args` builds the URL's arguments from tests/security/conftest.py `objects`: every object
belongs to the world's teacher at school A of the world's district (the coach is assigned
to that teacher, the principal leads school A).

tests/security/test_url_walk.py fails when a URL of the site has no row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLE_CODES = {
    "T": "teacher",
    "C": "coach",
    "CO": "coordinator",
    "P": "principal",
    "DA": "district_admin",
    "X": "outsider",
}


def _none(o) -> dict:
    return {}


@dataclass(frozen=True)
class Access:
    get: str | None
    post: str | None
    args: Callable = _none
    data: Callable = field(default=_none)  # POST body, when an empty one would not reach the check
    # What a signed-out visitor gets for GET and POST: sent to sign-in, unless said otherwise.
    signed_out: tuple[str, str] = ("login", "login")

    def may(self, method: str) -> set[str] | None:
        codes = self.get if method == "GET" else self.post
        if codes is None:
            return None
        return {ROLE_CODES[code] for code in codes.split()}


def pk(name: str, kwarg: str = "pk") -> Callable:
    """Arguments naming one object of `objects` by attribute path (`draft`, `world.school_a`)."""

    def build(o) -> dict:
        value = o
        for part in name.split("."):
            value = getattr(value, part)
        return {kwarg: value.pk}

    return build


MATRIX: dict[str, Access] = {
    "home": Access("T C CO P DA X", "T C CO P DA X"),
    "role_switch": Access(None, "T C CO P DA X"),
    "access_log": Access("P", None),
    "notification_list": Access("T C CO P DA X", "T C CO P DA X"),
    "notification_open": Access(None, "T", args=pk("notification")),
    "notifications_read_all": Access(None, "T C CO P DA X"),
    "manage:school_list": Access("DA X", "DA X"),
    "manage:school_create": Access("DA X", "DA X"),
    "manage:school_edit": Access("DA", "DA", args=pk("world.school_a")),
    "manage:school_set_active": Access(None, "DA", args=pk("world.school_a")),
    "manage:school_year_list": Access("DA X", "DA X"),
    "manage:school_year_create": Access("DA X", "DA X"),
    "manage:school_year_edit": Access("DA", "DA", args=pk("school_year")),
    "manage:school_year_make_current": Access(None, "DA", args=pk("school_year")),
    "manage:person_list": Access("DA X", "DA X"),
    "manage:person_create": Access("DA X", "DA X"),
    "manage:person_edit": Access("DA", "DA", args=pk("teacher")),
    "manage:person_set_active": Access(None, "DA", args=pk("teacher")),
    "manage:person_send_link": Access(None, "DA", args=pk("teacher")),
    "goals:goal_list": Access("T", "T"),
    "goals:goal_create": Access("T", "T"),
    "goals:approval_list": Access("CO P", "CO P"),
    "goals:goal_detail": Access("T C CO P DA", "T C CO P DA", args=pk("goal")),
    "goals:goal_edit": Access("T", "T", args=pk("goal")),
    "goals:goal_transition": Access(None, "T C CO P DA", args=pk("goal")),
    "goals:goal_target_tier": Access(None, "T C CO P DA", args=pk("goal")),
    "goals:goal_carry_forward": Access(None, "T C CO P DA", args=pk("goal")),
    "goals:goal_comment": Access(None, "T C CO P DA", args=pk("goal")),
    "goals:vision": Access("T C CO P DA X", "T C CO P DA X"),
    "goals:vision_edit": Access("DA X", "DA X"),
    "goals:school_vision_edit": Access("P DA", "P DA", args=pk("world.school_a")),
    "goals:system_goal_list": Access("P DA X", "P DA X"),
    "goals:system_goal_create": Access("P DA X", "P DA X"),
    "goals:system_goal_edit": Access("DA", "DA", args=pk("system_goal")),
    "goals:system_goal_archive": Access(None, "DA", args=pk("system_goal")),
    "goals:system_goal_restore": Access(None, "DA", args=pk("system_goal")),
    "goals:framework_list": Access("DA X", "DA X"),
    "goals:framework_edit": Access("DA", "DA", args=pk("framework")),
    "goals:domain_create": Access("DA", "DA", args=pk("framework")),
    "goals:domain_edit": Access("DA", "DA", args=pk("domain")),
    "goals:domain_delete": Access(None, "DA", args=pk("domain")),
    "goals:component_create": Access("DA", "DA", args=pk("domain")),
    "goals:component_edit": Access("DA", "DA", args=pk("component")),
    "goals:component_delete": Access(None, "DA", args=pk("component")),
    "goals:team_list": Access("T C CO P DA X", "T C CO P DA X"),
    "goals:team_create": Access("C CO P DA X", "C CO P DA X"),
    "goals:team_detail": Access("T C CO P DA", "T C CO P DA", args=pk("team")),
    "goals:team_edit": Access("C CO P DA", "C CO P DA", args=pk("team")),
    "goals:team_meeting_add": Access("T C CO P DA", "T C CO P DA", args=pk("team")),
    "goals:team_meeting_edit": Access(
        "T C CO P DA", "T C CO P DA", args=lambda o: {"pk": o.team.pk, "meeting_pk": o.meeting.pk}
    ),
    "evidence:tier_start": Access("T", "T", args=lambda o: {"goal_pk": o.draft_goal.pk, "tier": 2}),
    "evidence:submission_detail": Access("T C CO P DA", "T C CO P DA", args=pk("submission")),
    "evidence:submission_edit": Access("T", "T", args=pk("draft")),
    # htmx autosave: a 401 (not a redirect) tells the page the session expired.
    "evidence:submission_autosave": Access(None, "T", args=pk("draft"), signed_out=("405", "401")),
    "evidence:submission_submit": Access("T", "T", args=pk("draft")),
    "evidence:submission_recall": Access(None, "T", args=pk("submission")),
    "evidence:submission_revise": Access(None, "T", args=pk("submission")),
    "evidence:resource_add": Access(None, "T", args=pk("draft")),
    "evidence:resource_remove": Access(None, "T", args=pk("resource")),
    "evidence:artifact_add": Access(None, "T", args=pk("draft")),
    "evidence:artifact_download": Access("T C CO P DA", None, args=pk("artifact")),
    "evidence:artifact_remove": Access(None, "T", args=pk("artifact")),
    "evidence:artifact_privacy": Access(None, "T", args=pk("artifact")),
    "evidence:review_queue": Access("CO P", "CO P"),
    "evidence:review_score": Access("CO P", "CO", args=pk("submission")),
    "evidence:review_claim": Access(None, "CO", args=pk("submission")),
    "evidence:review_release": Access(None, "T C CO P DA", args=pk("submission")),
    "evidence:payout_list": Access("CO DA X", "CO DA X"),
    "evidence:payroll_export": Access(None, "CO DA X"),
    "evidence:payroll_batch_download": Access("CO DA", None, args=pk("payroll_batch")),
    "evidence:review_settings": Access("CO DA X", "CO DA X"),
    "evidence:rubric_list": Access("T C CO P DA X", "T C CO P DA X"),
    "evidence:rubric_edit": Access("CO DA X", "CO DA X", args=lambda o: {"tier": 1}),
    "evidence:rubric_version": Access("T C CO P DA", "T C CO P DA", args=pk("rubric")),
    "coaching:caseload": Access("C", "C"),
    "coaching:my_coaching": Access("T", "T"),
    "coaching:assignment_list": Access("CO P", "CO P"),
    "coaching:assignment_create": Access(
        None, "CO P", data=lambda o: {"school": o.world.school_a.pk}
    ),
    "coaching:assignment_remove": Access(None, "CO P", args=pk("assignment")),
    "coaching:conversation_create": Access("C", "C", args=pk("teacher", "teacher_pk")),
    "coaching:conversation_detail": Access("T C", "T C", args=pk("conversation")),
    "coaching:conversation_edit": Access("C", "C", args=pk("conversation")),
    "coaching:conversation_reflect": Access(None, "T", args=pk("conversation")),
    "coaching:next_step_toggle": Access(None, "T C", args=pk("next_step")),
    "coaching:reminder_settings": Access("CO DA X", "CO DA X"),
    "coaching:notification_settings": Access("T C CO P DA X", "T C CO P DA X"),
    "coaching:reminder_pause_list": Access("CO", "CO"),
    "coaching:reminder_pause": Access("CO", "CO", args=pk("teacher", "person_pk")),
    "coaching:reminder_unpause": Access(None, "CO", args=pk("teacher", "person_pk")),
    "dashboards:school": Access("CO P DA", "CO P DA", args=pk("world.school_a")),
    "dashboards:school_csv": Access(
        "CO P DA", "CO P DA", args=lambda o: {"pk": o.world.school_a.pk, "table": "participation"}
    ),
    "password_change": Access("T C CO P DA X", "T C CO P DA X"),
    "password_change_done": Access("T C CO P DA X", None),
    # Colleagues' views of this session: the district dashboard, growth record, library.
    "dashboards:district": Access("CO DA", "CO DA"),
    "dashboards:district_csv": Access("CO DA", "CO DA", args=lambda o: {"table": "schools"}),
    "dashboards:growth": Access("T C CO P DA X", None),
    "dashboards:growth_portfolio": Access("T C CO P DA X", None),
    "library:list": Access("T C CO P DA X", None),
    "library:mine": Access("T C CO P DA X", None),
    "library:saved": Access("T C CO P DA X", None),
    "library:school_recognition": Access("P", None),
    "library:publish": Access("T", "T", args=pk("shared_goal", "goal_pk")),
    "library:detail": Access("T C CO P DA", None, args=pk("entry")),
    "library:unpublish": Access(None, "T", args=pk("entry")),
    "library:republish": Access(None, "T", args=pk("entry")),
    # The author neither bookmarks nor marks as tried their own practice.
    "library:bookmark": Access(None, "C CO P DA", args=pk("entry")),
    "library:tried": Access(None, "C CO P DA", args=pk("entry")),
    "library:artifact_download": Access(
        "T C CO P DA",
        None,
        args=lambda o: {"pk": o.entry.pk, "artifact_pk": o.shared_artifact.pk},
    ),
}
