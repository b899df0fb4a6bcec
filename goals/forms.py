"""Forms of the goal workflow."""

from __future__ import annotations

from django import forms

from pplearn.models import Role, School, SchoolYear, User

from .models import Goal, StandardComponent, SystemGoal

TIER_CHOICES = [
    (1, "Tier 1 · Learning: study at least two resources and reflect"),
    (2, "Tier 2 · Implementation: try it in class and show artifacts"),
    (3, "Tier 3 · Impact: collect data on what it did for students"),
    (4, "Tier 4 · Sharing: share the practice so colleagues can use it"),
]


class SystemGoalChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "That system goal is archived or not available for your school. "
        "Choose one from the list.",
        "required": "Link your goal to at least one system goal: personal goals serve the "
        "collective vision.",
    }


class GoalForm(forms.ModelForm):
    """The guided goal form; drafts may be incomplete, proposing checks the rest."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), empty_label=None)
    system_goals = SystemGoalChoiceField(
        queryset=SystemGoal.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    standard_components = forms.ModelMultipleChoiceField(
        queryset=StandardComponent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Standards (optional)",
    )
    collaborators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="For a group goal: the colleagues you learn with. Hold Ctrl (Cmd on a Mac) "
        "to choose several.",
    )
    target_tier = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        initial=2,
        widget=forms.RadioSelect,
        label="How far do you plan to go?",
        help_text="Each tier builds on the one before. You can change this later, and you may "
        "always go further.",
    )

    class Meta:
        model = Goal
        fields = [
            "school",
            "title",
            "need",
            "inquiry_question",
            "system_goals",
            "standard_components",
            "desired_outcome",
            "implementation_plan",
            "impact_measure",
            "target_tier",
            "delivery",
            "grouping",
            "collaborators",
        ]
        labels = {
            "title": "Goal title",
            "need": "What need does it answer?",
            "inquiry_question": "Your inquiry question",
            "delivery": "How will you learn?",
            "grouping": "Alone or with colleagues?",
        }
        help_texts = {
            "title": "A short name you will recognise, for example 'Academic talk in math'.",
            "inquiry_question": "The question you want to answer through your learning, for "
            "example 'How can structured talk moves raise participation in problem solving?'",
            "desired_outcome": "What students will know or be able to do if this works.",
            "implementation_plan": "What you will try in your classroom, when, and with which "
            "students.",
            "impact_measure": "The data you will collect: formative or summative assessment, "
            "a survey, observation checklists, student work.",
        }
        widgets = {
            "need": forms.RadioSelect,
            "delivery": forms.RadioSelect,
            "grouping": forms.RadioSelect,
            "inquiry_question": forms.Textarea(attrs={"rows": 2}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
            "implementation_plan": forms.Textarea(attrs={"rows": 4}),
            "impact_measure": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, teacher: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        schools = teacher.schools_for_role(Role.TEACHER)
        if self.instance.pk:
            schools = [self.instance.school]
        school_ids = [s.pk for s in schools]
        self.fields["school"].queryset = School.objects.filter(pk__in=school_ids)
        if len(school_ids) == 1:
            self.fields["school"].initial = school_ids[0]
            self.fields["school"].widget = forms.HiddenInput()
        self.fields["system_goals"].queryset = (
            SystemGoal.objects.active()
            .filter(district_id=teacher.district_id)
            .filter(pk__in=_applicable_ids(school_ids))
            .order_by("kind", "title")
        )
        self.fields["standard_components"].queryset = (
            StandardComponent.objects.filter(
                domain__framework__district_id=teacher.district_id,
                domain__framework__is_active=True,
            )
            .select_related("domain__framework")
            .order_by("domain__framework__name", "domain__position", "position")
        )
        self.fields["collaborators"].queryset = (
            User.objects.filter(
                is_active=True, memberships__role=Role.TEACHER, memberships__school__in=school_ids
            )
            .exclude(pk=teacher.pk)
            .distinct()
            .order_by("full_name")
        )
        self.fields["need"].required = False
        self.fields["need"].choices = list(Goal.Need.choices)

    def clean(self):
        data = super().clean()
        if data.get("grouping") == Goal.Grouping.INDIVIDUAL:
            data["collaborators"] = []
        return data

    def service_kwargs(self) -> dict:
        """The cleaned data split the way the goal services take it."""
        data = dict(self.cleaned_data)
        data.pop("school", None)
        return data


def _applicable_ids(school_ids: list[int]):
    from django.db.models import Q

    return SystemGoal.objects.filter(Q(schools__isnull=True) | Q(schools__in=school_ids)).values(
        "pk"
    )


class TransitionForm(forms.Form):
    ACTIONS = ("propose", "approve", "request_changes", "withdraw", "complete")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class TargetTierForm(forms.Form):
    target_tier = forms.TypedChoiceField(choices=TIER_CHOICES, coerce=int)


class CarryForwardForm(forms.Form):
    school_year = forms.ModelChoiceField(queryset=SchoolYear.objects.none())

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = SchoolYear.objects.filter(
            district_id=goal.school.district_id,
            start_date__gt=goal.school_year.start_date,
        ).order_by("start_date")
