from django.core.management.base import BaseCommand

from pplearn.demo import DEMO_PASSWORD, demo_district_load


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print a login for every role."

    def handle(self, *args, **options):
        logins = demo_district_load()
        width = max(len(login.role) for login in logins)
        self.stdout.write(self.style.SUCCESS("Demo district ready. Sign in with:"))
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}}  {login.email:<36} ({login.name})")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
