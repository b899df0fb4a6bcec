"""Coach assignments (conversations and reminders build on these)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pplearn.models import School, SchoolYear


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
