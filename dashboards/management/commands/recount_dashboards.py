"""Count every school's dashboard figures again, for every school year (or the current ones)."""

from django.core.management.base import BaseCommand

from dashboards.rollups import recount, recount_current


class Command(BaseCommand):
    help = "Count the district dashboard's rollups again from the data (all school years)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--current", action="store_true", help="Only each district's current school year."
        )

    def handle(self, *args, current: bool = False, **options):
        written = recount_current() if current else recount()
        self.stdout.write(f"Counted {written} school-year rows.")
