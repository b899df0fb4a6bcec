"""People and places: users, districts, schools, school years and role memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    """What a person does; one person may hold several roles at once."""

    TEACHER = "teacher", "Teacher"
    COACH = "coach", "Coach"
    PRINCIPAL = "principal", "Principal"
    COORDINATOR = "coordinator", "Coordinator"
    DISTRICT_ADMIN = "district_admin", "District administrator"


# Roles tied to a school (one membership row per school); the others are district-wide.
SCHOOL_ROLES = frozenset({Role.TEACHER, Role.COACH, Role.PRINCIPAL})
# Roles that see every school of their district (a coordinator may instead serve chosen schools).
DISTRICT_WIDE_ROLES = frozenset({Role.DISTRICT_ADMIN})
# The order in which a person with several roles lands on their home page.
ROLE_PRIORITY = [Role.COORDINATOR, Role.PRINCIPAL, Role.COACH, Role.TEACHER, Role.DISTRICT_ADMIN]


class District(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="America/Chicago")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_school_year(self) -> SchoolYear | None:
        return self.school_years.filter(is_current=True).first()


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user) -> SchoolQuerySet:
        """Schools the user may see: the one place that decides it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        direct = Q(
            pk__in=Membership.objects.filter(user=user, school__isnull=False).values("school")
        )
        wide_districts = Membership.objects.filter(
            user=user, school__isnull=True, role__in=DISTRICT_WIDE_ROLES | {Role.COORDINATOR}
        ).values("district")
        return self.filter(direct | Q(district__in=wide_districts))

    def active(self) -> SchoolQuerySet:
        return self.filter(is_active=True)


class School(models.Model):
    class GradeBand(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary (K-5)"
        MIDDLE = "middle", "Middle (6-8)"
        HIGH = "high", "High (9-12)"
        K8 = "k8", "K-8"
        K12 = "k12", "K-12"
        OTHER = "other", "Other"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    grade_band = models.CharField(max_length=20, choices=GradeBand.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "district", Lower("name"), name="school_unique_name_per_district"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="school_years")
    name = models.CharField(max_length=20, help_text="For example 2026-27")
    start_date = models.DateField()
    end_date = models.DateField()
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="schoolyear_unique_name"),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(is_current=True),
                name="schoolyear_one_current_per_district",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="schoolyear_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """People the user may see: everyone with a role in a school the user sees.

        District administrators and district-wide coordinators also see people of their
        district who hold no school role (other coordinators and administrators).
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        schools = School.objects.visible_to(user)
        wide_districts = Membership.objects.filter(
            user=user, school__isnull=True, role__in=DISTRICT_WIDE_ROLES | {Role.COORDINATOR}
        ).values("district")
        return self.filter(
            Q(pk=user.pk)
            | Q(pk__in=Membership.objects.filter(school__in=schools).values("user"))
            | Q(district__in=wide_districts)
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    employee_id = models.CharField(
        "employee ID", max_length=40, blank=True, help_text="Used for payroll exports."
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="people", null=True, blank=True
    )
    is_active = models.BooleanField(
        default=True, help_text="Deactivated people cannot sign in; their history stays."
    )
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_unique_email_ci"),
            models.UniqueConstraint(
                fields=["district", "employee_id"],
                condition=~Q(employee_id=""),
                name="user_unique_employee_id_per_district",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    # Role predicates. They read the memberships once per request (see roles_cache).
    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.role_memberships}

    @property
    def role_memberships(self) -> list[Membership]:
        cache = getattr(self, "_membership_cache", None)
        if cache is None:
            cache = list(self.memberships.select_related("school", "district"))
            self._membership_cache = cache
        return cache

    def has_role(self, role: str, school: School | None = None) -> bool:
        for m in self.role_memberships:
            if m.role != role:
                continue
            if school is None or m.school_id == school.pk:
                return True
            # A district-wide membership covers the schools of its own district only.
            if m.school_id is None and m.district_id == school.district_id:
                return True
        return False

    def schools_for_role(self, role: str) -> list[School]:
        return [m.school for m in self.role_memberships if m.role == role and m.school]


class Membership(models.Model):
    """One role a person holds, at one school or (school left empty) for the district."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"], name="membership_unique_per_school"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(school__isnull=True),
                name="membership_unique_district_wide",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in SCHOOL_ROLES))
                | Q(school__isnull=False),
                name="membership_school_role_needs_school",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DISTRICT_ADMIN) | Q(school__isnull=True),
                name="membership_district_admin_is_district_wide",
            ),
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        where = self.school.name if self.school_id else self.district.name
        return f"{self.get_role_display()} at {where}"


class AuditEvent(models.Model):
    """An append-only record of a state change: who did what to which object, and when."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT, not SET_NULL: on PostgreSQL a trigger refuses any UPDATE or DELETE of a row
    # (migration 0004), so a person or district with history is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    verb = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    target_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_repr}"


class Notification(models.Model):
    """An in-app notification, written in the same transaction as its event (an outbox).

    Email delivery happens afterwards in a task, which marks the row so it is sent once.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not emailed"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(max_length=60)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    deliver_after = models.DateTimeField(
        null=True, blank=True, help_text="Held back until then: quiet hours or a digest."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["email_status"],
                condition=Q(email_status="pending"),
                name="notification_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"
