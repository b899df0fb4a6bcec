"""Forms of the core app: sign-in, schools and people."""

from __future__ import annotations

import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q

from .models import Role, School, User
from .services import RoleAssignment


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address; errors never say whether the account exists."""

    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "That email and password did not match an active account. "
        "Check both and try again, or reset your password.",
        "inactive": "That email and password did not match an active account. "
        "Check both and try again, or reset your password.",
    }


def _same_email(a: str, b: str) -> bool:
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


class EmailPasswordResetForm(PasswordResetForm):
    """Send the link also to people who have not chosen a password yet.

    People added by an administrator start with no usable password; Django's form would
    silently skip them, although their welcome email tells them to ask for a new link here.
    """

    def get_users(self, email):
        candidates = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in candidates if _same_email(email, user.email))


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "grade_band"]

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save school"))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = School.objects.filter(district=self.district, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Your district already has a school with this name.")
        return name


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    email = forms.EmailField()
    employee_id = forms.CharField(
        label="Employee ID", max_length=40, required=False, help_text="Used for payroll exports."
    )
    teacher_schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Teaches at",
    )
    coach_schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Coaches at",
    )
    principal_schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Principal of",
    )
    coordinator = forms.BooleanField(
        required=False, label="Coordinator (approves goals and scores evidence for the district)"
    )
    district_admin = forms.BooleanField(
        required=False, label="District administrator (manages vision, schools and people)"
    )

    def __init__(self, *args, district, person: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.person = person
        offered = Q(is_active=True)
        if person is not None:
            # Keep offering the schools the person works at even once deactivated, or saving
            # the form would silently drop those roles.
            offered |= Q(pk__in=person.memberships.filter(school__isnull=False).values("school"))
        schools = School.objects.filter(offered, district=district).order_by("name")
        for name in ("teacher_schools", "coach_schools", "principal_schools"):
            self.fields[name].queryset = schools
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Person", "full_name", "email", "employee_id"),
            Fieldset(
                "Roles",
                Div(
                    Div("teacher_schools", css_class="col-md-4"),
                    Div("coach_schools", css_class="col-md-4"),
                    Div("principal_schools", css_class="col-md-4"),
                    css_class="row",
                ),
                "coordinator",
                "district_admin",
            ),
        )
        self.helper.add_input(Submit("save", "Save person"))

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        clash = User.objects.filter(email__iexact=email)
        if self.person is not None:
            clash = clash.exclude(pk=self.person.pk)
        if clash.exists():
            raise forms.ValidationError("Someone already uses this email address.")
        return email

    def clean_employee_id(self):
        employee_id = self.cleaned_data["employee_id"].strip()
        if not employee_id:
            return ""
        clash = User.objects.filter(district=self.district, employee_id=employee_id)
        if self.person is not None:
            clash = clash.exclude(pk=self.person.pk)
        if clash.exists():
            raise forms.ValidationError("Someone in your district already has this employee ID.")
        return employee_id

    def clean(self):
        data = super().clean()
        if not any(
            data.get(name)
            for name in (
                "teacher_schools",
                "coach_schools",
                "principal_schools",
                "coordinator",
                "district_admin",
            )
        ):
            raise forms.ValidationError("Give the person at least one role.")
        return data

    def role_assignment(self) -> RoleAssignment:
        data = self.cleaned_data
        return RoleAssignment(
            teacher_schools=list(data["teacher_schools"]),
            coach_schools=list(data["coach_schools"]),
            principal_schools=list(data["principal_schools"]),
            coordinator=data["coordinator"],
            district_admin=data["district_admin"],
        )

    @classmethod
    def initial_for(cls, person: User) -> dict:
        memberships = list(person.memberships.all())

        def schools(role):
            return [m.school_id for m in memberships if m.role == role and m.school_id]

        return {
            "full_name": person.full_name,
            "email": person.email,
            "employee_id": person.employee_id,
            "teacher_schools": schools("teacher"),
            "coach_schools": schools("coach"),
            "principal_schools": schools("principal"),
            "coordinator": any(m.role == "coordinator" for m in memberships),
            "district_admin": any(m.role == "district_admin" for m in memberships),
        }


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search name, email or employee ID")
    role = forms.ChoiceField(required=False)
    school = forms.ModelChoiceField(queryset=School.objects.none(), required=False)
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("active", "Active"), ("inactive", "Deactivated")],
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["role"].choices = [("", "Any role"), *Role.choices]
        self.fields["school"].queryset = School.objects.filter(district=district)
        self.fields["school"].empty_label = "Any school"
        for name in ("role", "school", "status"):
            self.fields[name].widget.attrs["class"] = "form-select"


class SchoolYearForm(forms.Form):
    name = forms.CharField(max_length=20, help_text="For example 2027-28")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save school year"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            raise forms.ValidationError("A school year ends after it starts.")
        return data
