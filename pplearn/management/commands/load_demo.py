from django.core.management.base import BaseCommand
from django.db import transaction

from dashboards import rollups
from pplearn.demo import DEMO_PASSWORD, demo_district_load


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print a login for every role."

    @transaction.atomic
    def handle(self, *args, **options):
        # The dashboards' rollups are counted once per school-year at the end, not after
        # each of the demo's thousand changes.
        with rollups.deferred():
            logins = self._load()
        width = max(len(login.role) for login in logins)
        self.stdout.write(self.style.SUCCESS("Demo district ready. Sign in with:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.email:<36} ({login.name})")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")

    def _load(self):
        logins = demo_district_load()
        # Later apps add their part of the demo on top of the people and schools.
        from coaching.demo import demo_coaching_load
        from evidence.defaults import evidence_ensure_defaults
        from evidence.demo import demo_evidence_load
        from goals.defaults import frameworks_ensure_defaults
        from goals.demo import demo_goals_load
        from library.demo import demo_library_load
        from pplearn.models import District

        district = District.objects.get(slug="maple-valley")
        frameworks_ensure_defaults(district)
        evidence_ensure_defaults(district)
        demo_goals_load(district)
        demo_evidence_load(district)
        demo_coaching_load(district)
        demo_library_load(district)
        return logins
