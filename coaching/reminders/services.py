"""The district's reminder settings, a person's delivery choice, and pauses for leave.

Every change is audited; permission checks are one condition per line.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from coaching.models import ReminderPreference, ReminderSettings
from pplearn.audit import audit_record
from pplearn.models import District, Role, User

from .clock import district_zone


def reminder_settings_editor_district(user) -> District | None:
    """The district whose reminder settings the user changes: as administrator or as
    district-wide coordinator."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.role == Role.DISTRICT_ADMIN:
            return membership.district
        if membership.role == Role.COORDINATOR and membership.school_id is None:
            return membership.district
    return None


def pausing_district(user) -> District | None:
    """The district in which the user pauses people's reminders: as its coordinator."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.role == Role.COORDINATOR:
            return membership.district
    return None


def can_pause_reminders(actor, person: User) -> bool:
    """A coordinator may pause people of their district whom they can see."""
    district = pausing_district(actor)
    if district is None:
        return False
    if person.district_id != district.pk:
        return False
    return User.objects.visible_to(actor).filter(pk=person.pk).exists()


def reminder_settings_update(*, district: District, actor: User, changes: dict) -> ReminderSettings:
    """Save the district's reminder settings and audit what changed."""
    editable = reminder_settings_editor_district(actor)
    if editable is None or editable.pk != district.pk:
        raise PermissionDenied("You may not change this district's reminders.")
    with transaction.atomic():
        rules, _ = ReminderSettings.objects.select_for_update().get_or_create(district=district)
        changed = {name: value for name, value in changes.items() if getattr(rules, name) != value}
        if not changed:
            return rules
        for name, value in changed.items():
            setattr(rules, name, value)
        rules.save()
        audit_record(
            actor=actor,
            verb="reminder_settings.update",
            target=rules,
            district=district,
            data={"changed": {name: str(value) for name, value in changed.items()}},
        )
    return rules


def reminder_delivery_set(*, user: User, delivery: str) -> ReminderPreference:
    """Choose single emails or one daily digest; nobody switches reminders off."""
    if delivery not in ReminderPreference.Delivery.values:
        raise ValidationError("Choose single emails or the daily digest.")
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
        if preference.delivery == delivery:
            return preference
        previous = preference.delivery
        preference.delivery = delivery
        preference.save(update_fields=["delivery"])
        audit_record(
            actor=user,
            verb="reminder_preference.update",
            target=preference,
            district=user.district,
            data={"delivery": delivery, "was": previous},
        )
    return preference


def reminders_pause(*, person: User, actor: User, until: datetime.date) -> ReminderPreference:
    """Pause a person's reminders through `until` (leave); audited."""
    if not can_pause_reminders(actor, person):
        raise PermissionDenied("You may not pause this person's reminders.")
    today = timezone.now().astimezone(district_zone(person.district)).date()
    if until < today:
        raise ValidationError("Choose today or a later date.")
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=person)
        preference.paused_until = until
        preference.paused_by = actor
        preference.save(update_fields=["paused_until", "paused_by"])
        audit_record(
            actor=actor,
            verb="reminders.pause",
            target=preference,
            district=person.district,
            data={"person": person.pk, "until": until.isoformat()},
        )
    return preference


def reminders_unpause(*, person: User, actor: User) -> ReminderPreference:
    """End a pause now; the person's reminders resume with the next sweep."""
    if not can_pause_reminders(actor, person):
        raise PermissionDenied("You may not change this person's reminders.")
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=person)
        was = preference.paused_until
        preference.paused_until = None
        preference.paused_by = actor
        preference.save(update_fields=["paused_until", "paused_by"])
        audit_record(
            actor=actor,
            verb="reminders.unpause",
            target=preference,
            district=person.district,
            data={"person": person.pk, "was": was.isoformat() if was else None},
        )
    return preference
