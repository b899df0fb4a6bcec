"""Coaching: assignments, private conversations with next steps, and reminders."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from pplearn.models import District, School, SchoolYear


class CoachAssignment(models.Model):
    """A coach supports a teacher at a school for a school year."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coachees"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_assignments"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="coach_assignments")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="coach_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["teacher__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "teacher", "school_year"], name="coachassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaches {self.teacher} ({self.school_year})"


class Conversation(models.Model):
    """A coaching conversation. Its notes are private to the coach and the teacher."""

    class Kind(models.TextChoices):
        GOAL_SETTING = "goal_setting", "Goal-setting conversation"
        PLANNING = "planning", "Planning conference"
        OBSERVATION = "observation", "Observation"
        FEEDBACK = "feedback", "Reflection on feedback"
        CHECK_IN = "check_in", "Quick check-in"

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_given"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_received"
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="conversations"
    )
    held_on = models.DateField(default=timezone.localdate)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHECK_IN)
    notes = models.TextField(blank=True)
    teacher_reflection = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["teacher", "held_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.teacher} on {self.held_on}"


class NextStep(models.Model):
    """An agreed next step; both the coach and the teacher can tick it off."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="next_steps"
    )
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ReminderSettings(models.Model):
    """A district's choices for every kind of reminder. There are no deadlines, only nudges."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    checkin_interval_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    draft_goal_on = models.BooleanField("untouched draft goal", default=True)
    draft_goal_days = models.PositiveSmallIntegerField(default=7)
    no_evidence_on = models.BooleanField("approved goal without evidence activity", default=True)
    no_evidence_days = models.PositiveSmallIntegerField(default=21)
    returned_on = models.BooleanField("returned submission not resubmitted", default=True)
    returned_days = models.PositiveSmallIntegerField(default=7)
    no_goal_on = models.BooleanField("no goal yet this school year", default=True)
    no_goal_days = models.PositiveSmallIntegerField(
        default=21, help_text="Days into the school year before the first nudge."
    )
    checkin_on = models.BooleanField("coach: check-ins due and overdue", default=True)
    approval_on = models.BooleanField("approver: goals waiting for approval", default=True)
    approval_days = models.PositiveSmallIntegerField(default=3)
    queue_digest_on = models.BooleanField("coordinator: daily queue digest", default=True)
    principal_digest_on = models.BooleanField("principal: weekly school digest", default=True)
    principal_digest_weekday = models.PositiveSmallIntegerField(
        default=0, help_text="0 is Monday.", validators=[MaxValueValidator(6)]
    )
    repeat_days = models.PositiveSmallIntegerField(
        default=7, help_text="How often the same nudge may come again."
    )
    quiet_start = models.TimeField(default=datetime.time(19, 0))
    quiet_end = models.TimeField(default=datetime.time(7, 0))
    quiet_weekends = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Reminder settings of {self.district}"


class ReminderPreference(models.Model):
    """How one person receives reminders; a coordinator can pause someone (for leave)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "As they happen"
        DIGEST = "digest", "In one daily digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    paused_until = models.DateField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Reminder preference of {self.user}"


class Reminder(models.Model):
    """A reminder, recorded under a unique key before it is sent: it is sent once."""

    class Kind(models.TextChoices):
        DRAFT_GOAL = "draft_goal", "Draft goal untouched"
        NO_EVIDENCE = "no_evidence", "No evidence activity"
        RETURNED = "returned", "Returned submission waiting"
        NO_GOAL = "no_goal", "No goal yet this year"
        CHECKIN = "checkin", "Coaching check-ins due"
        APPROVAL = "approval", "Goals waiting for approval"
        QUEUE_DIGEST = "queue_digest", "Review queue digest"
        PRINCIPAL_DIGEST = "principal_digest", "Weekly school digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject_key = models.CharField(max_length=60, help_text="What it is about, e.g. goal:42")
    period = models.CharField(max_length=20, help_text="e.g. 2026-W47 or 2026-11-22")
    created_at = models.DateTimeField(default=timezone.now)
    notification = models.OneToOneField(
        "pplearn.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "period"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.period})"
