"""Forms of the collective vision: statements, system goals, standards frameworks."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q

from pplearn.models import District, School, SchoolYear

from .models import StandardComponent, StandardDomain, StandardsFramework, SystemGoal


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("save", label))
    return helper


class VisionForm(forms.Form):
    statement = forms.CharField(
        label="Vision statement",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["statement"]
        field.required = required
        if required:
            field.help_text = (
                "Where the district is heading, in a few sentences. Every teacher goal ties "
                "back to it through the system goals."
            )
        else:
            field.help_text = (
                "Optional: the school's own vision, read alongside the district's. Leave it "
                "empty to show only the district's."
            )
        self.helper = _helper("Save vision")


class SystemGoalForm(forms.ModelForm):
    """The system goal form; a principal gets one school and the initiative kind only."""

    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        empty_label=None,
        help_text="A schoolwide initiative of your school.",
    )

    class Meta:
        model = SystemGoal
        fields = ["title", "description", "kind", "schools", "school_year"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "schools": forms.CheckboxSelectMultiple,
        }
        labels = {"schools": "For these schools"}

    def __init__(self, *args, district: District, is_admin: bool, led_schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.is_admin = is_admin
        years = SchoolYear.objects.filter(district=district).order_by("-start_date")
        self.fields["school_year"].queryset = years
        self.fields["school_year"].empty_label = None
        if not self.instance.pk:
            current = next((y for y in years if y.is_current), None)
            self.fields["school_year"].initial = current.pk if current else None
        if is_admin:
            del self.fields["school"]
            chosen = [s.pk for s in self.instance.schools.all()] if self.instance.pk else []
            self.fields["schools"].queryset = School.objects.filter(
                Q(is_active=True) | Q(pk__in=chosen), district=district
            ).order_by("name")
            self.fields["schools"].help_text = "Leave every box empty for a district-wide goal."
        else:
            del self.fields["kind"]
            del self.fields["schools"]
            ids = [s.pk for s in led_schools]
            self.fields["school"].queryset = School.objects.filter(pk__in=ids).order_by("name")
            if self.instance.pk:
                self.fields["school"].initial = next(
                    (s.pk for s in self.instance.schools.all()), None
                )
            if len(ids) == 1:
                self.fields["school"].initial = ids[0]
                self.fields["school"].widget = forms.HiddenInput()
        self.helper = _helper("Save system goal" if is_admin else "Save initiative")

    def service_kwargs(self) -> dict:
        """The cleaned data the way system_goal_create and system_goal_update take it."""
        data = self.cleaned_data
        if self.is_admin:
            kind, schools = data["kind"], list(data["schools"])
        else:
            kind, schools = SystemGoal.Kind.INITIATIVE, [data["school"]]
        return {
            "title": data["title"],
            "description": data["description"],
            "kind": kind,
            "schools": schools,
            "school_year": data["school_year"],
        }


class SystemGoalFilterForm(forms.Form):
    school_year = forms.ModelChoiceField(queryset=SchoolYear.objects.none(), required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *SystemGoal.Status.choices]
    )

    def __init__(self, *args, district: District, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = SchoolYear.objects.filter(district=district).order_by(
            "-start_date"
        )
        self.fields["school_year"].empty_label = "Any school year"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class FrameworkForm(forms.ModelForm):
    class Meta:
        model = StandardsFramework
        fields = ["name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_active": "Active: teachers may tag their goals with its standards"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save framework")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = StandardsFramework.objects.filter(
            district_id=self.instance.district_id, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Your district already has a framework with this name.")
        return name


class StandardDomainForm(forms.ModelForm):
    class Meta:
        model = StandardDomain
        fields = ["code", "name", "position"]
        labels = {"position": "Order"}
        help_texts = {
            "code": "A short code such as 1 or LC (optional).",
            "position": "Domains are listed from the lowest number.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.helper = _helper("Save domain")


class StandardComponentForm(forms.ModelForm):
    class Meta:
        model = StandardComponent
        fields = ["code", "name", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"position": "Order"}
        help_texts = {
            "code": "A short code such as 1a (optional).",
            "position": "Components are listed from the lowest number.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.helper = _helper("Save component")
