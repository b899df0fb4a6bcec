"""The collective vision, standards, teams, and the teacher's co-constructed goal."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from pplearn.models import District, Membership, Role, School, SchoolYear


class Vision(models.Model):
    """The district's vision statement (school empty) or a school's own."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="visions")
    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="vision", null=True, blank=True
    )
    statement = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(school__isnull=True),
                name="vision_one_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"Vision of {self.school or self.district}"


class SystemGoalQuerySet(models.QuerySet):
    def active(self) -> SystemGoalQuerySet:
        return self.filter(status=SystemGoal.Status.ACTIVE)

    def for_school(self, school: School) -> SystemGoalQuerySet:
        """System goals that apply at a school: district-wide ones and those naming it."""
        return (
            self.filter(district_id=school.district_id)
            .filter(Q(schools__isnull=True) | Q(schools=school))
            .distinct()
        )

    def visible_to(self, user) -> SystemGoalQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(district_id=user.district_id)


class SystemGoal(models.Model):
    """A goal of the whole system (district or chosen schools) that teacher goals link to."""

    class Kind(models.TextChoices):
        SYSTEM_GOAL = "system_goal", "System goal"
        INITIATIVE = "initiative", "Schoolwide initiative"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="system_goals")
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="system_goals"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SYSTEM_GOAL)
    schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="system_goals",
        help_text="Leave empty for a district-wide goal.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SystemGoalQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class StandardsFramework(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="framework_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StandardDomain(models.Model):
    framework = models.ForeignKey(
        StandardsFramework, on_delete=models.CASCADE, related_name="domains"
    )
    code = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class StandardComponent(models.Model):
    domain = models.ForeignKey(StandardDomain, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Team(models.Model):
    """A grade-level team or a PLC at one school."""

    class Kind(models.TextChoices):
        GRADE_LEVEL = "grade_level", "Grade-level team"
        PLC = "plc", "Professional learning community (PLC)"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teams")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PLC)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_teams",
    )
    goal_statement = models.TextField("team goal", blank=True)
    system_goals = models.ManyToManyField(SystemGoal, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("goals:team_detail", args=[self.pk])


class TeamMeeting(models.Model):
    """Meeting notes, structured by the four PLC questions."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField(default=timezone.localdate)
    learn = models.TextField("What should students know and be able to do?", blank=True)
    evidence = models.TextField("How will we know when they have learned it?", blank=True)
    intervene = models.TextField("What will we do when they have not learned it?", blank=True)
    extend = models.TextField("What will we do when they already know it?", blank=True)
    other_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.team} on {self.met_on}"


class GoalQuerySet(models.QuerySet):
    def visible_to(self, user) -> GoalQuerySet:
        """Goals the user may see: the one place that decides it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        from coaching.models import CoachAssignment

        memberships = Membership.objects.filter(user=user)
        wide = memberships.filter(
            school__isnull=True, role__in=[Role.COORDINATOR, Role.DISTRICT_ADMIN]
        ).values("district")
        led_schools = memberships.filter(
            role__in=[Role.PRINCIPAL, Role.COORDINATOR], school__isnull=False
        ).values("school")
        coached = CoachAssignment.objects.filter(coach=user).values("teacher")
        # A team shares its members' goals of the team's own school year with its members
        # and facilitator (two filter calls: two separate joins on the members).
        shared_by_team = Team.objects.filter(Q(members=user) | Q(facilitator=user)).filter(
            members=OuterRef("teacher"), school_year=OuterRef("school_year")
        )
        return self.filter(
            Q(teacher=user)
            | Q(collaborators=user)
            | Q(teacher__in=coached)
            | (Q(Exists(shared_by_team)) & Q(status__in=Goal.SHARED_WITH_TEAM))
            | Q(school__in=led_schools)
            | Q(school__district__in=wide)
        ).distinct()

    def awaiting_approval_by(self, user) -> GoalQuerySet:
        """Proposed goals this user may approve (never their own)."""
        return self.filter(
            status=Goal.Status.PROPOSED, school__in=approvable_schools(user)
        ).exclude(teacher=user)


def approvable_schools(user):
    """Schools whose goals the user may approve: as principal, or as coordinator."""
    from django.db.models import Subquery

    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    memberships = Membership.objects.filter(user=user)
    wide = memberships.filter(school__isnull=True, role=Role.COORDINATOR).values("district")
    direct = memberships.filter(
        school__isnull=False, role__in=[Role.PRINCIPAL, Role.COORDINATOR]
    ).values("school")
    return School.objects.filter(Q(pk__in=Subquery(direct)) | Q(district__in=Subquery(wide)))


class Goal(models.Model):
    """A teacher's personalized professional learning plan for a school year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        COMPLETE = "complete", "Complete"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The co-construction workflow: from each status, where a goal may go next.
    TRANSITIONS = {
        Status.DRAFT: {Status.PROPOSED, Status.WITHDRAWN},
        Status.PROPOSED: {Status.APPROVED, Status.CHANGES_REQUESTED, Status.WITHDRAWN},
        Status.CHANGES_REQUESTED: {Status.PROPOSED, Status.WITHDRAWN},
        Status.APPROVED: {Status.COMPLETE, Status.WITHDRAWN},
        Status.COMPLETE: set(),
        Status.WITHDRAWN: set(),
    }
    EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)
    OPEN = (Status.DRAFT, Status.PROPOSED, Status.CHANGES_REQUESTED, Status.APPROVED)
    SHARED_WITH_TEAM = (Status.PROPOSED, Status.APPROVED, Status.COMPLETE)

    class Need(models.TextChoices):
        STUDENTS = "students", "My students' needs"
        CONTENT = "content", "Content knowledge"
        PEDAGOGY = "pedagogy", "Pedagogy (how I teach)"

    class Delivery(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        BLENDED = "blended", "Both online and in person"

    class Grouping(models.TextChoices):
        INDIVIDUAL = "individual", "On my own"
        GROUP = "group", "With a group"

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="goals")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="goals")
    title = models.CharField(max_length=200)
    inquiry_question = models.TextField(blank=True)
    need = models.CharField(max_length=20, choices=Need.choices, blank=True)
    system_goals = models.ManyToManyField(SystemGoal, related_name="teacher_goals", blank=True)
    standard_components = models.ManyToManyField(
        StandardComponent, related_name="goals", blank=True
    )
    desired_outcome = models.TextField("desired student outcome", blank=True)
    implementation_plan = models.TextField(blank=True)
    impact_measure = models.TextField("how impact will be measured", blank=True)
    target_tier = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    grouping = models.CharField(
        max_length=20, choices=Grouping.choices, default=Grouping.INDIVIDUAL
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="collaborating_goals", blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    carried_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_goals",
    )

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["-school_year__start_date", "-updated_at"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["teacher", "school_year"]),
            # A school's goals of one year: every figure of its dashboard (issue 8).
            models.Index(fields=["school", "school_year"], name="goal_school_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_tier__gte=1, target_tier__lte=4), name="goal_target_tier_1_4"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("goals:goal_detail", args=[self.pk])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class GoalEvent(models.Model):
    """One step in a goal's history: a transition with its actor, time and comment."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=Goal.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Goal.Status.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.from_status or 'new'} -> {self.to_status}"


class GoalComment(models.Model):
    """The conversation on a goal among the teacher, their coach and the approver."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.goal}"
