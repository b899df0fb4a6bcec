"""Forms of the coaching pages: conversations, reflections and coach assignments."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from goals.models import Goal
from pplearn.models import School, SchoolYear, User
from pplearn.selectors import teachers_at_schools

from .models import Conversation
from .selectors import coaches_at_school
from .services import NEXT_STEPS_MAX, NOTES_MAX_LENGTH, REFLECTION_MAX_LENGTH


class _ServiceErrors:
    """Show a service's refusal next to the field it is about."""

    FIELD_OF_ERROR: dict[str, str] = {}

    def add_service_error(self, exc: ValidationError) -> None:
        field = self.FIELD_OF_ERROR.get(getattr(exc, "code", None) or "")
        self.add_error(field if field in self.fields else None, exc)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Goal) -> str:
        return f"{obj.title} ({obj.get_status_display().lower()})"


class ConversationForm(_ServiceErrors, forms.Form):
    FIELD_OF_ERROR = {
        "held_on": "held_on",
        "kind": "kind",
        "notes": "notes",
        "goal": "goal",
        "next_steps": "next_steps",
    }

    held_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label="Kind of conversation", choices=Conversation.Kind.choices, widget=forms.RadioSelect
    )
    goal = GoalChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label="About the goal",
        empty_label="Not about one goal",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=NOTES_MAX_LENGTH,
    )
    next_steps = forms.CharField(
        label="Agreed next steps",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=f"One per line, at most {NEXT_STEPS_MAX}. You and the teacher can both tick "
        "them off.",
    )

    def __init__(self, *args, teacher: User, school_year: SchoolYear, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["held_on"].widget.attrs["max"] = today.isoformat()
        self.fields["held_on"].initial = today
        self.fields["goal"].queryset = (
            Goal.objects.filter(teacher=teacher, school_year=school_year)
            .exclude(status=Goal.Status.WITHDRAWN)
            .order_by("-updated_at")
        )
        self.fields["notes"].help_text = (
            f"Private to you and {teacher.get_short_name()}. Principals, coordinators and "
            "reviewers never see them: they only see that a conversation took place."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError("A conversation cannot be logged ahead of time.")
        return held_on

    def clean_next_steps(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["next_steps"].splitlines()]
        return [line for line in lines if line]

    @staticmethod
    def initial_for(conversation: Conversation) -> dict:
        return {
            "held_on": conversation.held_on,
            "kind": conversation.kind,
            "goal": conversation.goal_id,
            "notes": conversation.notes,
            "next_steps": "\n".join(step.text for step in conversation.next_steps.all()),
        }


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label="Your reflection",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REFLECTION_MAX_LENGTH,
        help_text="What you take from this conversation, in your own words. Only you and your "
        "coach see it.",
    )


class AssignmentForm(_ServiceErrors, forms.Form):
    FIELD_OF_ERROR = {
        "coach": "coach",
        "evaluator": "coach",
        "teacher": "teacher",
        "self": "teacher",
        "duplicate": "teacher",
    }

    teacher = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose a teacher")
    coach = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose a coach")

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers_at_schools(schools=[school])
        self.fields["coach"].queryset = coaches_at_school(school=school)
        self.helper = FormHelper()
        self.helper.form_tag = False
