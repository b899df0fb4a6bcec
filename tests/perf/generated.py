"""A small district from the benchmark's generator, quietly, for tests."""

import datetime

from pplearn.perf.district import Options, generate_district


def quiet_options(*, teachers: int, years: int, seed: int, today: datetime.date, slug: str, **more):
    """The generator's options for a test: no ANALYZE, no log, foreign keys checked unless
    told otherwise."""
    more.setdefault("skip_fk_checks", False)
    return Options(
        teachers=teachers,
        years=years,
        seed=seed,
        today=today,
        slug=slug,
        analyze=False,
        log=lambda line: None,
        **more,
    )


def small_district(**options):
    return generate_district(quiet_options(**options))
