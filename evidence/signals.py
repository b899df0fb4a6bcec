"""Every new district starts with the default tier rules and scoring guides."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from pplearn.models import District

from .defaults import evidence_ensure_defaults


@receiver(post_save, sender=District, dispatch_uid="evidence.district_defaults")
def district_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        evidence_ensure_defaults(instance)
