from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Vision, teams and goals"

    def ready(self):
        from . import signals  # noqa: F401
