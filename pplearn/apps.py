from django.apps import AppConfig


class PplearnConfig(AppConfig):
    name = "pplearn"
    verbose_name = "People and schools"

    def ready(self):
        import os

        from django.conf import settings

        from .celery import ensure_broker_folders

        # The embedded local setup keeps its files in var/; make sure the folders exist.
        os.makedirs(settings.STATIC_ROOT, exist_ok=True)
        ensure_broker_folders()
