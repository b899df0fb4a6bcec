from django.apps import AppConfig


class PplearnConfig(AppConfig):
    name = "pplearn"
    verbose_name = "People and schools"

    def ready(self):
        from .celery import ensure_broker_folders

        ensure_broker_folders()
