"""Forms of the review settings: scoring guide rows, tier rules and the review policy."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.forms.formsets import ORDERING_FIELD_NAME, BaseFormSet, formset_factory

from .models import ReviewPolicy, TierRequirement
from .rubric_services import MAX_CRITERIA

MAX_WORDS = 20000
MAX_VIDEO_SECONDS = 2 * 60 * 60
_SECONDS = re.compile(r"^(\d{1,5})$")
_MINUTES_SECONDS = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def clock(seconds: int) -> str:
    """Seconds as m:ss, the way the video length fields show them."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


class VideoLengthField(forms.Field):
    """A length typed in seconds (90) or minutes and seconds (1:30), kept in seconds."""

    default_error_messages = {
        "invalid": "Enter seconds (90) or minutes and seconds (1:30).",
        "min_value": "Enter a length of at least 1 second.",
        "max_value": "Enter a length of at most 2 hours (120:00).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Minutes and seconds (1:30) or seconds (90).")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return clock(value) if isinstance(value, int) else value

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if match := _SECONDS.match(text):
            seconds = int(match[1])
        elif match := _MINUTES_SECONDS.match(text):
            seconds = int(match[1]) * 60 + int(match[2])
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if seconds < 1:
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value")
        if seconds > MAX_VIDEO_SECONDS:
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value")
        return seconds


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def _descriptor(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CriterionForm(forms.Form):
    """One row of a scoring guide."""

    title = forms.CharField(max_length=200, label="Criterion")
    not_yet = _descriptor("Not yet on track")
    on_track = _descriptor("On track")

    def clean_not_yet(self) -> str:
        return _text(self.cleaned_data["not_yet"])

    def clean_on_track(self) -> str:
        return _text(self.cleaned_data["on_track"])


class PrerequisiteForm(forms.Form):
    """The prerequisite row of Tiers 2-4: pplearn checks it, its wording is the district's."""

    not_yet = _descriptor("Not yet on track")
    on_track = _descriptor("On track")

    def clean_not_yet(self) -> str:
        return _text(self.cleaned_data["not_yet"])

    def clean_on_track(self) -> str:
        return _text(self.cleaned_data["on_track"])


class BaseCriterionFormSet(BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        order = form.fields[ORDERING_FIELD_NAME]
        order.label = "Position"
        order.widget.attrs.update({"min": 1, "class": "form-control"})
        form.fields["DELETE"].label = "Remove this criterion"

    def clean(self):
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.kept_forms()]
        if not rows:
            raise forms.ValidationError(
                "Keep at least one criterion: a scoring guide with no rows cannot be scored."
            )
        seen: set[str] = set()
        for row in rows:
            key = row["title"].casefold()
            if key in seen:
                raise forms.ValidationError(
                    f"Two criteria are called “{row['title']}”: give each its own title."
                )
            seen.add(key)

    def kept_forms(self) -> list[forms.Form]:
        """The rows not removed, in their new order.

        A row given another position is taken out and put in at that position: moved up
        (or new) it goes before the row already there, moved down it goes after it.
        """
        kept = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self._should_delete_form(form):
                continue
            position = form.cleaned_data.get(ORDERING_FIELD_NAME)
            was = form.fields[ORDERING_FIELD_NAME].initial
            if position is None:
                key = (float("inf"), 1, index)
            elif was is None or position < was:
                key = (position, 0, index)
            elif position > was:
                key = (position, 2, index)
            else:
                key = (position, 1, index)
            kept.append((key, form))
        return [form for _, form in sorted(kept, key=lambda item: item[0])]

    def criteria(self) -> list[dict]:
        """The kept rows in their new order, as rubric_revise takes them."""
        return [
            {
                "title": form.cleaned_data["title"],
                "not_yet": form.cleaned_data["not_yet"],
                "on_track": form.cleaned_data["on_track"],
                "is_prerequisite": False,
            }
            for form in self.kept_forms()
        ]


CriterionFormSet = formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA + 10,
)


class TierRequirementForm(forms.Form):
    """One tier's lengths, counts and compensation; resource counts only for Tier 1."""

    min_words = forms.IntegerField(label="Fewest words", min_value=1, max_value=MAX_WORDS)
    max_words = forms.IntegerField(label="Most words", min_value=1, max_value=MAX_WORDS)
    min_video_seconds = VideoLengthField(label="Shortest video")
    max_video_seconds = VideoLengthField(label="Longest video")
    min_resources = forms.IntegerField(
        label="Learning resources, at least", min_value=1, max_value=20
    )
    min_research_based = forms.IntegerField(
        label="Of them research-based, at least", min_value=0, max_value=20
    )
    stipend = forms.DecimalField(label="Stipend ($)", min_value=0, max_digits=8, decimal_places=2)
    credit = forms.DecimalField(
        label="District credit", min_value=0, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, requirement: TierRequirement, **kwargs):
        kwargs.setdefault("prefix", f"tier{requirement.tier}")
        kwargs.setdefault(
            "initial", {name: getattr(requirement, name) for name in self.base_fields}
        )
        super().__init__(*args, **kwargs)
        self.requirement = requirement
        rows = [
            Row(Column("min_words"), Column("max_words")),
            Row(Column("min_video_seconds"), Column("max_video_seconds")),
        ]
        if requirement.tier == 1:
            rows.append(Row(Column("min_resources"), Column("min_research_based")))
        else:
            del self.fields["min_resources"]
            del self.fields["min_research_based"]
        rows.append(Row(Column("stipend"), Column("credit")))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*rows)

    def clean(self):
        data = super().clean()
        words = (data.get("min_words"), data.get("max_words"))
        if None not in words and words[1] < words[0]:
            self.add_error(
                "max_words", f"Make this at least the fewest words ({words[0]}), or lower those."
            )
        video = (data.get("min_video_seconds"), data.get("max_video_seconds"))
        if None not in video and video[1] < video[0]:
            self.add_error(
                "max_video_seconds",
                f"Make this at least the shortest video ({clock(video[0])}), or shorten that.",
            )
        counts = (data.get("min_resources"), data.get("min_research_based"))
        if None not in counts and counts[1] > counts[0]:
            self.add_error(
                "min_research_based",
                f"This cannot be more than the learning resources asked for ({counts[0]}).",
            )
        return data


class ReviewPolicyForm(forms.Form):
    """The district's choices on compensation, the cap, who scores and how fast."""

    compensation = forms.ChoiceField(
        label="What passing a tier earns",
        choices=ReviewPolicy.Compensation.choices,
        widget=forms.RadioSelect,
    )
    cap_count = forms.IntegerField(
        label="Cap: passed submissions of one tier that earn it",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Per person in the period below, for example 4 Tier 1 in 3 years. "
        "Leave empty for no cap.",
    )
    cap_period_years = forms.IntegerField(label="Cap period (years)", min_value=1, max_value=10)
    coaches_may_score = forms.BooleanField(
        label="Coaches may score evidence",
        required=False,
        help_text="Never of the teachers they coach. Coaching stays non-evaluative otherwise.",
    )
    turnaround_target_days = forms.IntegerField(
        label="Turnaround target (school days)",
        min_value=1,
        max_value=60,
        help_text="How long a submission should wait for a decision at most.",
    )
    student_work_retention_days = forms.IntegerField(
        label="Keep files showing students (days after the goal closes)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Then the file is deleted and a note says it was removed under this policy. "
        "Leave empty to keep them.",
    )

    def __init__(self, *args, policy: ReviewPolicy, **kwargs):
        kwargs.setdefault("prefix", "policy")
        kwargs.setdefault("initial", {name: getattr(policy, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "compensation",
            Row(Column("cap_count"), Column("cap_period_years")),
            "turnaround_target_days",
            "coaches_may_score",
            "student_work_retention_days",
        )
