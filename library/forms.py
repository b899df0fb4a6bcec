"""The publish form, the 'I tried this' form and the library's search and filters."""

from __future__ import annotations

from django import forms

from evidence.models import Artifact, LearningResource, Submission
from goals.models import Goal, StandardComponent, SystemGoal
from pplearn.models import School

from . import services
from .models import LibraryEntry, TriedIt
from .selectors import LibraryFilters


class FilteredChoices(forms.ModelMultipleChoiceField):
    """Keep only posted ids that are among the choices: a stale or forged id is dropped."""

    def clean(self, value):
        allowed = {str(pk) for pk in self.queryset.values_list("pk", flat=True)}
        value = [v for v in (value or []) if str(v) in allowed]
        return super().clean(value)


class ArtifactChoice(FilteredChoices):
    def label_from_instance(self, obj) -> str:
        kind = "link" if obj.is_link else obj.get_kind_display().lower()
        return f"{obj} (Tier {obj.submission.tier} {kind})"


class ResourceChoice(FilteredChoices):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title}: {obj.citation}"


class PublishForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Two or three sentences a colleague reads in the list.",
    )
    practice = forms.CharField(
        label="The practice and how to reuse it",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What a colleague needs to try it: the steps, the materials, the timing.",
    )
    grade_band = forms.ChoiceField(choices=School.GradeBand.choices)
    subject = forms.ChoiceField(choices=LibraryEntry.Subject.choices)
    system_goals = FilteredChoices(
        queryset=SystemGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    standard_components = FilteredChoices(
        label="Standards",
        queryset=StandardComponent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resources = ResourceChoice(
        label="Learning resources",
        queryset=LearningResource.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    artifacts = ArtifactChoice(
        label="Files and links",
        queryset=Artifact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Files and links marked as showing students are never shared and are not "
        "listed here.",
    )
    resource_links = forms.CharField(
        label="Links to every resource needed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One link per line.",
    )

    def __init__(self, *args, goal: Goal, entry: LibraryEntry | None = None, **kwargs):
        tier4: Submission | None = services.passed_tier4(goal)
        # What the page offers, read once: the options shown, the initial choice and the
        # count of files kept private all come from these two lists (the fields' querysets
        # check a posted choice).
        passed_files = list(
            services.passed_artifacts(goal).order_by("submission__tier", "uploaded_at", "pk")
        )
        self.shareable = [a for a in passed_files if not a.shows_students]
        self.kept_private = len(passed_files) - len(self.shareable)
        self.passed_resources = list(
            services.shareable_resources(goal).order_by("submission__tier", "position", "pk")
        )
        if entry is not None:
            initial = {
                "title": entry.title,
                "summary": entry.summary,
                "practice": entry.practice,
                "grade_band": entry.grade_band,
                "subject": entry.subject,
                "resource_links": entry.resource_links,
                "system_goals": list(entry.system_goals.values_list("pk", flat=True)),
                "standard_components": list(entry.standard_components.values_list("pk", flat=True)),
                "resources": list(entry.resources.values_list("pk", flat=True)),
                "artifacts": list(entry.artifacts.values_list("pk", flat=True)),
            }
        else:
            initial = {
                "title": goal.title,
                "summary": goal.inquiry_question or goal.desired_outcome,
                "practice": tier4.practice_overview if tier4 else "",
                "grade_band": goal.school.grade_band,
                "resource_links": tier4.resource_links if tier4 else "",
                "system_goals": list(goal.system_goals.values_list("pk", flat=True)),
                "standard_components": list(goal.standard_components.values_list("pk", flat=True)),
                "resources": [r.pk for r in self.passed_resources],
                # The practice overview of Tier 4 is what colleagues need; others are opt-in.
                "artifacts": [a.pk for a in self.shareable if a.submission.tier == 4],
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        district_id = goal.school.district_id
        self.fields["system_goals"].queryset = SystemGoal.objects.filter(
            district_id=district_id
        ).order_by("title")
        self.fields["standard_components"].queryset = (
            StandardComponent.objects.filter(domain__framework__district_id=district_id)
            .select_related("domain")
            .order_by("domain__framework__name", "domain__position", "position", "name")
        )
        self.fields["resources"].queryset = services.shareable_resources(goal)
        self.fields["artifacts"].queryset = services.shareable_artifacts(goal)

    def _options(self, name: str, objects=None) -> list[tuple]:
        field = self.fields[name]
        objects = field.queryset if objects is None else objects
        return [(obj, field.label_from_instance(obj)) for obj in objects]

    @property
    def system_goal_options(self) -> list[tuple]:
        return self._options("system_goals")

    @property
    def standard_options(self) -> list[tuple]:
        return self._options("standard_components")

    @property
    def resource_options(self) -> list[tuple]:
        return self._options("resources", self.passed_resources)

    @property
    def artifact_options(self) -> list[tuple]:
        return self._options("artifacts", self.shareable)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "practice": data["practice"],
            "grade_band": data["grade_band"],
            "subject": data["subject"],
            "resource_links": data["resource_links"],
            "system_goal_ids": [g.pk for g in data["system_goals"]],
            "standard_component_ids": [c.pk for c in data["standard_components"]],
            "resource_ids": [r.pk for r in data["resources"]],
            "artifact_ids": [a.pk for a in data["artifacts"]],
        }


class TriedItForm(forms.Form):
    comment = forms.CharField(
        label="How did it go? (optional)",
        required=False,
        max_length=TriedIt.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TriedIt.COMMENT_MAX}),
        help_text=f"A short word for the author, up to {TriedIt.COMMENT_MAX} characters.",
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filters_from(params) -> LibraryFilters:
    """Read the search box and filters from the query string; unknown values are ignored."""
    grade_band = params.get("grade_band", "")
    subject = params.get("subject", "")
    return LibraryFilters(
        q=params.get("q", "").strip()[:200],
        system_goal=_int_or_none(params.get("system_goal")),
        standard=_int_or_none(params.get("standard")),
        grade_band=grade_band if grade_band in School.GradeBand.values else "",
        subject=subject if subject in LibraryEntry.Subject.values else "",
        school=_int_or_none(params.get("school")),
    )
