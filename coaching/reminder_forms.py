"""Forms of the reminders: the district's settings, a person's delivery, a pause for leave."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from pplearn.models import User

from .models import ReminderPreference, ReminderSettings

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
DAY_FIELDS = [
    "draft_goal_days",
    "no_evidence_days",
    "returned_days",
    "no_goal_days",
    "checkin_interval_days",
    "approval_days",
    "repeat_days",
]
LONGEST_PAUSE_DAYS = 366


class ReminderSettingsForm(forms.ModelForm):
    principal_digest_weekday = forms.TypedChoiceField(
        label="Send it on", choices=WEEKDAYS, coerce=int
    )

    class Meta:
        model = ReminderSettings
        fields = [
            "draft_goal_on",
            "draft_goal_days",
            "no_evidence_on",
            "no_evidence_days",
            "returned_on",
            "returned_days",
            "no_goal_on",
            "no_goal_days",
            "checkin_on",
            "checkin_interval_days",
            "approval_on",
            "approval_days",
            "queue_digest_on",
            "principal_digest_on",
            "principal_digest_weekday",
            "repeat_days",
            "quiet_start",
            "quiet_end",
            "quiet_weekends",
        ]
        labels = {
            "draft_goal_on": "Nudge about a draft goal nobody has touched",
            "draft_goal_days": "after this many days",
            "no_evidence_on": "Nudge about an approved goal without evidence activity",
            "no_evidence_days": "after this many days",
            "returned_on": "Nudge about returned evidence not yet resubmitted",
            "returned_days": "after this many days",
            "no_goal_on": "Nudge teachers who have no goal yet this school year",
            "no_goal_days": "from this many days into the school year",
            "checkin_on": "Tell coaches about check-ins due and overdue",
            "checkin_interval_days": "A check-in is expected every (days)",
            "approval_on": "Tell approvers about goals waiting for them",
            "approval_days": "after this many days of waiting",
            "queue_digest_on": "Send coordinators a daily digest of evidence waiting too long",
            "principal_digest_on": "Send principals a weekly digest of their school",
            "repeat_days": "The same nudge comes again after (days)",
            "quiet_start": "Quiet hours start at",
            "quiet_end": "and end at",
            "quiet_weekends": "No mail on Saturdays and Sundays",
        }
        help_texts = {
            "queue_digest_on": "It lists submissions waiting longer than the turnaround target "
            "of the review settings, counted in school days (weekdays).",
            "quiet_end": "Daily digests go out at this time, in the district's time zone.",
        }
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DAY_FIELDS:
            field = self.fields[name]
            field.validators += [MinValueValidator(1), MaxValueValidator(365)]
            field.widget.attrs.update({"min": 1, "max": 365})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Teachers",
                "draft_goal_on",
                "draft_goal_days",
                "no_evidence_on",
                "no_evidence_days",
                "returned_on",
                "returned_days",
                "no_goal_on",
                "no_goal_days",
            ),
            Fieldset("Coaches", "checkin_on", "checkin_interval_days"),
            Fieldset("Approvers", "approval_on", "approval_days"),
            Fieldset("Coordinators", "queue_digest_on"),
            Fieldset("Principals", "principal_digest_on", "principal_digest_weekday"),
            Fieldset(
                "Cadence and quiet hours",
                "repeat_days",
                "quiet_start",
                "quiet_end",
                "quiet_weekends",
            ),
        )


class ReminderPreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="Send me reminders",
        choices=ReminderPreference.Delivery.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))


class ReminderPauseForm(forms.Form):
    """A pause until a date; the person is chosen here unless the page is about one."""

    person = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    paused_until = forms.DateField(
        label="Pause reminders until (inclusive)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, people=None, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
        self.fields["paused_until"].widget.attrs["min"] = today.isoformat()
        self.helper = FormHelper()
        self.helper.add_input(Submit("pause", "Pause reminders"))

    def clean_paused_until(self) -> datetime.date:
        until = self.cleaned_data["paused_until"]
        if until < self.today:
            raise forms.ValidationError("Choose today or a later date.")
        if until > self.today + datetime.timedelta(days=LONGEST_PAUSE_DAYS):
            raise forms.ValidationError("A pause lasts a year at most; renew it later.")
        return until
