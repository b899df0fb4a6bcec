"""Write audit events; every service that changes state calls audit_record."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    district=None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that actor did verb to target."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        district=district,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        data=data or {},
    )
