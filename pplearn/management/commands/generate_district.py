import datetime

from django.core.management.base import BaseCommand, CommandError

from pplearn.models import District


class Command(BaseCommand):
    help = (
        "Generate a district-sized data set fast (COPY on PostgreSQL), the same for the same "
        "seed and day: at --teachers 25000 --years 4, about 200 schools, 100,000 goals and "
        "400,000 submissions. Every generated person's password is 'pplearn-bench'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--teachers", type=int, default=250)
        parser.add_argument("--years", type=int, default=4)
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data leads up to (YYYY-MM-DD); today when left out.",
        )
        parser.add_argument("--slug", default="", help="The district's slug (district-SEED).")

    def handle(self, *args, **options):
        from pplearn.perf.district import Options, generate_district

        if options["teachers"] < 1 or options["years"] < 1:
            raise CommandError("--teachers and --years must be at least 1.")
        slug = options["slug"] or f"district-{options['seed']}"
        if District.objects.filter(slug=slug).exists():
            raise CommandError(f"A district with the slug {slug!r} exists already.")
        today = options["today"] or datetime.date.today()
        self.stdout.write(
            f"Generating {options['teachers']:,} teachers, {options['years']} school years, "
            f"seed {options['seed']}, up to {today}:"
        )
        district = generate_district(
            Options(
                teachers=options["teachers"],
                years=options["years"],
                seed=options["seed"],
                today=today,
                slug=slug,
                log=lambda line: self.stdout.write(line),
            )
        )
        self.stdout.write(self.style.SUCCESS(f"District {district.slug} ready."))
