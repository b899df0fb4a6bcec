"""Forms of the tier evidence pages."""

from __future__ import annotations

from django import forms

from .models import Artifact, LearningResource, Submission, TierRequirement
from .services import TIER_FIELDS

FIELD_HELP = {
    "reflection": "Write in your own words. It saves itself as you type.",
    "desired_outcome": "What you wanted students to know or be able to do.",
    "curriculum_connection": "How this links to your curriculum or to professional best practice.",
    "data_type": "",
    "learning_goal_measured": "The student learning goal your data measures.",
    "results": "All results are valid: negative or mixed results pass when you reflect on them.",
    "data_table": "Optional: type a small table, one row per line, cells separated by |. "
    "For example: Student group | Before | After",
    "practice_overview": "Detailed enough for a colleague to use it tomorrow. Or attach the "
    "plan as a file below.",
    "resource_links": "One link per line: every resource a colleague would need.",
    "sharing_how": "How and with whom you shared it: a PLC meeting, a staff meeting, a "
    "conference, a blog...",
}

FIELD_LABELS = {
    "reflection_format": "How will you reflect?",
    "reflection": "Reflection",
    "desired_outcome": "Desired outcome",
    "curriculum_connection": "Connection to curriculum or best practice",
    "data_type": "Type of data",
    "learning_goal_measured": "Learning goal measured",
    "results": "The results were",
    "data_table": "Data table",
    "practice_overview": "Lesson plan or practice overview",
    "resource_links": "Links to resources",
    "sharing_how": "How and with whom you shared it",
}


class SubmissionForm(forms.ModelForm):
    """The tier's own fields; drafts may be incomplete, submitting checks the rules."""

    class Meta:
        model = Submission
        fields = sorted({name for names in TIER_FIELDS.values() for name in names})
        widgets = {
            "reflection_format": forms.RadioSelect,
            "results": forms.RadioSelect,
            "reflection": forms.Textarea(attrs={"rows": 12}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
            "curriculum_connection": forms.Textarea(attrs={"rows": 3}),
            "learning_goal_measured": forms.Textarea(attrs={"rows": 2}),
            "data_table": forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
            "practice_overview": forms.Textarea(attrs={"rows": 8}),
            "resource_links": forms.Textarea(attrs={"rows": 4}),
            "sharing_how": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, requirement: TierRequirement, **kwargs):
        super().__init__(*args, **kwargs)
        tier = self.instance.tier
        for name in list(self.fields):
            if name not in TIER_FIELDS[tier]:
                del self.fields[name]
        for name, field in self.fields.items():
            # The fields sit in several sections of the page, tied to one form by id.
            field.widget.attrs["form"] = "submission-form"
            field.required = False
            field.label = FIELD_LABELS.get(name, field.label)
            field.help_text = FIELD_HELP.get(name, "")
        self.fields["reflection_format"].required = True
        self.fields["reflection_format"].choices = [
            ("text", f"Write {requirement.word_range_label}"),
            ("video", f"Record a video of {requirement.video_range_label}"),
        ]
        self.fields["reflection"].widget.attrs.update(
            {
                "data-word-min": requirement.min_words,
                "data-word-max": requirement.max_words,
                "aria-describedby": "word-count",
            }
        )
        if "data_type" in self.fields:
            self.fields["data_type"].choices = [("", "Choose..."), *Submission.DataType.choices]
        if "results" in self.fields:
            self.fields["results"].choices = list(Submission.Results.choices)

    def changed_data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ResourceForm(forms.ModelForm):
    class Meta:
        model = LearningResource
        fields = ["title", "kind", "citation", "research_based"]
        labels = {
            "research_based": "Research-based (a published book or article, a webinar or a course)",
        }
        help_texts = {
            "citation": "Author, title, publisher and year, or a link.",
        }


class ArtifactForm(forms.Form):
    """A file or a link, with a title and the student-privacy flag."""

    purpose = forms.ChoiceField(choices=Artifact.Purpose.choices, widget=forms.HiddenInput)
    upload = forms.FileField(required=False, label="File")
    url = forms.URLField(required=False, label="Or a link", max_length=1000, assume_scheme="https")
    title = forms.CharField(required=False, max_length=300, label="Short description")
    shows_students = forms.BooleanField(
        required=False,
        label="Shows students' faces or names",
        help_text="It will only ever be seen by you, your coach and your reviewers.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("upload") and not data.get("url"):
            raise forms.ValidationError("Choose a file or paste a link.")
        if data.get("upload") and data.get("url"):
            raise forms.ValidationError("Choose a file or a link, not both.")
        return data
