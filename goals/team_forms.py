"""Forms of the team pages: the team itself and its meeting notes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError

from pplearn.models import School, SchoolYear, User

from .models import SystemGoal, Team, TeamMeeting
from .team_selectors import (
    GROUP_SIZE_MAX,
    GROUP_SIZE_MIN,
    team_facilitator_choices,
    team_member_choices,
)


class SchoolChoiceForm(forms.Form):
    """Where a new team meets, asked first when the user manages several schools."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(), empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("choose", "Continue"))


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.full_name or obj.email
        return f"{name} (coach)" if getattr(obj, "coaches_here", False) else name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class SystemGoalsField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "That system goal is archived or not available at this school. "
        "Choose one from the list.",
    }

    def label_from_instance(self, obj: SystemGoal) -> str:
        return f"{obj.title} ({obj.get_kind_display().lower()})"


class TeamForm(forms.Form):
    """A team's name, kind, year, people and team goal; the services validate the rest."""

    # Which field a service's refusal belongs to, so the message shows next to it.
    FIELD_OF_ERROR = {
        "name_required": "name",
        "name_taken": "name",
        "kind": "kind",
        "school_year": "school_year",
        "member_not_teacher": "members",
        "facilitator": "facilitator",
        "system_goal_not_applicable": "system_goals",
    }

    name = forms.CharField(
        max_length=200,
        help_text="For example 'Grade 3 team' or 'Middle school math PLC'.",
    )
    kind = forms.ChoiceField(
        label="Kind of team", choices=Team.Kind.choices, widget=forms.RadioSelect
    )
    school_year = forms.ModelChoiceField(queryset=SchoolYear.objects.none(), empty_label=None)
    members = PeopleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Active teachers of the school. Groups of about {GROUP_SIZE_MIN} to "
        f"{GROUP_SIZE_MAX} work well.",
    )
    facilitator = FacilitatorChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No facilitator yet",
        help_text="One of the members, or a coach of the school.",
    )
    goal_statement = forms.CharField(
        label="Team goal",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the team wants its students to achieve together this year.",
    )
    system_goals = SystemGoalsField(
        queryset=SystemGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Linked system goals",
        help_text="The system goals and schoolwide initiatives the team goal serves.",
    )

    def __init__(self, *args, school: School, team: Team | None = None, **kwargs):
        if team is not None:
            kwargs.setdefault("initial", self.initial_for(team))
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["school_year"].queryset = SchoolYear.objects.filter(
            district_id=school.district_id
        ).order_by("-start_date")
        if team is None:
            current = school.district.current_school_year()
            self.fields["school_year"].initial = current.pk if current else None
            self.fields["kind"].initial = Team.Kind.PLC
        members = team_member_choices(school=school)
        self.fields["members"].queryset = members
        self.fields["facilitator"].queryset = team_facilitator_choices(school=school)
        self.fields["system_goals"].queryset = (
            SystemGoal.objects.active().for_school(school).order_by("kind", "title")
        )
        self.dropped = self._dropped_on_save(team)
        self.helper = FormHelper()
        # The page writes the form tag and its token, with the buttons next to the fields.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset("The team", "name", "kind", "school_year"),
            Fieldset("People", Div("members", css_class="team-member-choices"), "facilitator"),
            Fieldset("Team goal", "goal_statement", "system_goals"),
        )

    def _dropped_on_save(self, team: Team | None) -> list[str]:
        """What saving will remove: people who left the school, archived system goals."""
        if team is None:
            return []
        offered_people = set(self.fields["members"].queryset.values_list("pk", flat=True))
        offered_goals = set(self.fields["system_goals"].queryset.values_list("pk", flat=True))
        dropped = [
            f"{m.full_name} no longer teaches here"
            for m in team.members.all()
            if m.pk not in offered_people
        ]
        facilitator = team.facilitator
        if facilitator and not self.fields["facilitator"].queryset.filter(pk=facilitator.pk):
            dropped.append(f"{facilitator.full_name} can no longer facilitate: choose someone else")
        dropped += [
            f"the system goal {g.title} is no longer active here"
            for g in team.system_goals.all()
            if g.pk not in offered_goals
        ]
        return dropped

    @staticmethod
    def initial_for(team: Team) -> dict:
        return {
            "name": team.name,
            "kind": team.kind,
            "school_year": team.school_year_id,
            "members": [m.pk for m in team.members.all()],
            "facilitator": team.facilitator_id,
            "goal_statement": team.goal_statement,
            "system_goals": [g.pk for g in team.system_goals.all()],
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal next to the field it concerns."""
        self.add_error(self.FIELD_OF_ERROR.get(getattr(error, "code", None) or ""), error)


class TeamMeetingForm(forms.ModelForm):
    """Meeting notes under the four PLC questions; any one of them may be enough."""

    class Meta:
        model = TeamMeeting
        fields = ["met_on", "learn", "evidence", "intervene", "extend", "other_notes"]
        labels = {
            "met_on": "Meeting date",
            "learn": "1. What should students know and be able to do?",
            "evidence": "2. How will we know when they have learned it?",
            "intervene": "3. What will we do when they have not learned it?",
            "extend": "4. What will we do when they already know it?",
        }
        widgets = {
            "met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "learn": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "intervene": forms.Textarea(attrs={"rows": 3}),
            "extend": forms.Textarea(attrs={"rows": 3}),
            "other_notes": forms.Textarea(attrs={"rows": 3}),
        }

    FIELD_OF_ERROR = {"future_date": "met_on"}

    def __init__(self, *args, action: str, submit_label: str = "Save notes", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Div(Div("met_on", css_class="col-sm-6 col-lg-4"), css_class="row"),
            Fieldset(
                "The four PLC questions",
                HTML(
                    '<p class="text-body-secondary small">Write under the questions the '
                    "meeting worked on; leave the others empty.</p>"
                ),
                "learn",
                "evidence",
                "intervene",
                "extend",
            ),
            "other_notes",
        )
        self.helper.add_input(Submit("save", submit_label))

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_error(self, error: ValidationError) -> None:
        self.add_error(self.FIELD_OF_ERROR.get(getattr(error, "code", None) or ""), error)
