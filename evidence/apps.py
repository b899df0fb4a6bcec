from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence, reviews and payouts"

    def ready(self):
        from . import signals  # noqa: F401
