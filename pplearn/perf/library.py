"""Published library entries for the generated district: about one passed Tier 4 in three."""

from __future__ import annotations

import datetime

SHARE_RATE = 0.35


def build_library(gen) -> None:
    """Publish entries from passed Tier 4 submissions (when the library app has models)."""
    try:
        from library.models import LibraryEntry
    except ImportError:
        gen.o.log("  (library has no models yet: no entries)")
        return
    from pplearn.models import School

    rng, text = gen.rng, gen.text
    bands = dict(School.objects.filter(pk__in=gen.schools).values_list("pk", "grade_band"))
    subjects = [s.value for s in LibraryEntry.Subject]
    entries = gen.table(LibraryEntry)
    first = None
    for goal_pk, submission_pk, teacher, school, year in gen.passed_tier4:
        if rng.random() >= SHARE_RATE:
            continue
        pk = gen.ids.new(LibraryEntry)
        first = first or pk
        published = min(year.end, gen.now - datetime.timedelta(hours=1))
        entries.add(
            id=pk,
            goal_id=goal_pk,
            submission_id=submission_pk,
            author_id=teacher,
            school_id=school,
            district_id=gen.district.pk,
            title=text.goal_title(),
            summary=text.sentence(30),
            practice=text.sentence(44),
            reflection=text.reflection(),
            resource_links=f"https://example.org/practice/{submission_pk}",
            grade_band=bands[school],
            subject=rng.choice(subjects),
            status=LibraryEntry.Status.PUBLISHED,
            published_at=published,
            created_at=published,
            updated_at=published,
        )
    entries.flush()
    if first is not None:
        LibraryEntry.objects.filter(pk__gte=first).refresh_search()
