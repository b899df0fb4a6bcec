"""The review queue and the scoring page, through their URLs as each role would use them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evidence.models import Claim, CriterionScore, Review, Submission
from evidence.review_services import submission_claim
from evidence.rubric_services import rubric_revise
from evidence.services import submission_revise, submission_start, submission_submit
from pplearn.models import Role
from tests.evidence.review_factories import (
    approved_goal,
    decide,
    make_review,
    queue_item,
    scored_criteria,
    set_policy,
    submit_tier,
)
from tests.factories import make_person
from tests.goals.goal_factories import assign_coach, teacher_who_also_leads

pytestmark = pytest.mark.django_db

QUEUE = reverse("evidence:review_queue")
S = Submission.Status


def score_url(submission: Submission) -> str:
    return reverse("evidence:review_score", args=[submission.pk])


def claim_url(submission: Submission) -> str:
    return reverse("evidence:review_claim", args=[submission.pk])


def release_url(submission: Submission) -> str:
    return reverse("evidence:review_release", args=[submission.pk])


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(response, *, not_yet: int | None = None, comment: str = "", **extra) -> dict:
    """What the scoring form posts: every row on track unless `not_yet` names one by index."""
    form = response.context["form"]
    data = {"token": form["token"].value(), "feedback": "", "then": "queue"}
    for i, criterion in enumerate(form.criteria):
        data[f"c{criterion.pk}"] = "not_yet" if i == not_yet else "on_track"
        data[f"c{criterion.pk}_comment"] = comment if i == not_yet else ""
    return data | extra


def listed(response) -> list[int]:
    return [item.pk for item in response.context["page"].object_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def submission(world) -> Submission:
    return submit_tier(approved_goal(world.teacher), 1, days_ago=2)


@pytest.fixture
def second(world):
    return make_person(Role.COORDINATOR, district=world.district, full_name="Sam Second")


# Who sees what


def test_a_coordinator_of_another_district_sees_nothing(client, world, submission):
    far = make_person(Role.COORDINATOR, district=world.other_district)
    signed_in(client, far)

    assert client.get(score_url(submission)).status_code == 404
    assert client.post(score_url(submission), {"token": "x"}).status_code == 404
    assert client.post(claim_url(submission), {"take_over": "1"}).status_code == 404
    assert client.post(release_url(submission)).status_code == 404
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert listed(queue) == []
    assert queue.context["counts"]["total"] == 0
    submission.refresh_from_db()
    assert submission.opened_at is None
    assert not Claim.objects.filter(submission=submission).exists()


def test_a_teacher_cannot_post_a_score(client, world, submission):
    # The form as a coordinator would post it, sent by the teacher.
    page = signed_in(client, world.coordinator).get(score_url(submission))
    data = form_data(page)
    client.post(release_url(submission))
    signed_in(client, world.teacher)

    assert client.post(score_url(submission), data).status_code == 404
    assert client.get(score_url(submission)).status_code == 404
    assert client.get(QUEUE).status_code == 404
    assert not Review.objects.filter(submission=submission).exists()
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED


def test_a_principal_sees_but_cannot_score(client, world, submission):
    page = signed_in(client, world.coordinator).get(score_url(submission))
    data = form_data(page)
    client.post(release_url(submission))
    Submission.objects.filter(pk=submission.pk).update(opened_at=None)
    signed_in(client, world.principal)

    response = client.get(score_url(submission))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Classroom Discussions" in html
    assert "You can read this submission" in html
    assert "Save decision" not in html
    assert response.context["scorer"] is False
    submission.refresh_from_db()
    assert submission.opened_at is None, "a principal reading it leaves the recall open"
    assert not Claim.objects.filter(submission=submission).exists()
    assert client.post(score_url(submission), data).status_code == 404
    assert not Review.objects.filter(submission=submission).exists()
    queue = client.get(QUEUE)
    assert listed(queue) == [submission.pk]
    assert "View<span" in queue.content.decode()


def test_a_principal_of_another_school_gets_404(client, world, submission):
    signed_in(client, make_person(Role.PRINCIPAL, school=world.school_b))

    assert client.get(score_url(submission)).status_code == 404
    assert listed(client.get(QUEUE)) == []


def test_the_assigned_coach_cannot_score_even_when_coaches_may(client, world, submission):
    set_policy(world.district, coaches_may_score=True)
    assign_coach(world.coach, world.teacher, world.school_a)
    page = signed_in(client, world.coordinator).get(score_url(submission))
    data = form_data(page)
    client.post(release_url(submission))
    signed_in(client, world.coach)

    response = client.get(score_url(submission))
    assert "Save decision" not in response.content.decode()
    assert client.post(score_url(submission), data).status_code == 404
    assert not Review.objects.filter(submission=submission).exists()


@pytest.mark.parametrize("coaches_may_score", [True, False])
def test_another_coach_scores_only_when_the_district_allows(
    client, world, submission, coaches_may_score
):
    set_policy(world.district, coaches_may_score=coaches_may_score)
    other = make_person(Role.COACH, school=world.school_a, full_name="Otto Coach")
    signed_in(client, other)

    response = client.get(score_url(submission))

    if not coaches_may_score:
        assert response.status_code == 404
        assert client.get(QUEUE).status_code == 404
        return
    assert response.status_code == 200
    assert listed(client.get(QUEUE)) == [submission.pk]
    client.post(score_url(submission), form_data(response))
    submission.refresh_from_db()
    assert submission.status == S.PASSED
    assert submission.review.reviewer == other


def test_a_draft_does_not_exist_for_scorers(client, world):
    set_policy(world.district, coaches_may_score=True)
    draft = submission_start(goal=approved_goal(world.teacher), tier=1, actor=world.teacher)
    other_coach = make_person(Role.COACH, school=world.school_a)

    for scorer in (world.coordinator, other_coach):
        signed_in(client, scorer)
        assert client.get(score_url(draft)).status_code == 404
        assert client.post(claim_url(draft)).status_code == 404


def test_a_teacher_who_is_also_coordinator_cannot_score_their_own(client, world):
    dual = teacher_who_also_leads(world, Role.COORDINATOR)
    own = submit_tier(approved_goal(dual), 1)
    page = signed_in(client, world.coordinator).get(score_url(own))
    data = form_data(page)
    client.post(release_url(own))
    signed_in(client, dual)

    response = client.get(score_url(own))
    assert "Save decision" not in response.content.decode()
    assert client.post(score_url(own), data).status_code == 404
    assert not Review.objects.filter(submission=own).exists()


# The scoring page


def test_opening_the_scoring_page_claims_it_and_ends_the_recall(client, world, submission):
    response = signed_in(client, world.coordinator).get(score_url(submission))

    assert response.status_code == 200
    assert response.context["holds_claim"] is True
    html = response.content.decode()
    assert submission.goal.title in html
    assert "Save decision, open next" in html
    for criterion in scored_criteria(submission):
        assert criterion.title in html
    submission.refresh_from_db()
    assert submission.opened_at is not None
    assert not submission.can_be_recalled
    assert Claim.objects.get(submission=submission).reviewer == world.coordinator


def test_the_prerequisite_row_is_shown_as_checked_and_not_asked(client, world):
    tier2 = submit_tier(approved_goal(world.teacher), 2)
    prerequisite = tier2.rubric.criteria.get(is_prerequisite=True)

    response = signed_in(client, world.coordinator).get(score_url(tier2))

    assert "checked by pplearn" in response.content.decode()
    assert f"c{prerequisite.pk}" not in response.context["form"].fields
    client.post(score_url(tier2), form_data(response))
    assert Review.objects.get(submission=tier2).scores.get(criterion=prerequisite).on_track


def test_passing_through_the_page(client, world, submission):
    response = signed_in(client, world.coordinator).get(score_url(submission))

    after = client.post(score_url(submission), form_data(response, feedback="Well done."))

    assert after.status_code == 302
    assert after.url == QUEUE
    submission.refresh_from_db()
    assert submission.status == S.PASSED
    assert submission.review.feedback == "Well done."
    assert submission.payout.amount == 75


def test_returning_through_the_page_shows_the_teacher_the_feedback(client, world, submission):
    response = signed_in(client, world.coordinator).get(score_url(submission))
    data = form_data(response, not_yet=1, comment="Which study is it?", feedback="Nearly there.")

    client.post(score_url(submission), data)

    submission.refresh_from_db()
    assert submission.status == S.RETURNED
    teacher_page = signed_in(client, world.teacher).get(submission.get_absolute_url())
    html = teacher_page.content.decode()
    assert "Returned for revision: feedback from" in html
    assert "Nearly there." in html
    row = scored_criteria(submission)[1]
    assert f"{row.title}: <strong>not yet on track</strong>: Which study is it?" in html


def test_returning_without_saying_what_to_change_is_refused(client, world, submission):
    response = signed_in(client, world.coordinator).get(score_url(submission))

    again = client.post(score_url(submission), form_data(response, not_yet=0))

    assert again.status_code == 200
    assert "tell the teacher what to change" in again.content.decode()
    assert not Review.objects.filter(submission=submission).exists()
    # The choices made are still on the form.
    first = scored_criteria(submission)[0]
    assert again.context["form"][f"c{first.pk}"].value() == "not_yet"


def test_a_row_left_unscored_is_asked_for(client, world, submission):
    response = signed_in(client, world.coordinator).get(score_url(submission))
    data = form_data(response)
    row = scored_criteria(submission)[2]
    del data[f"c{row.pk}"]

    again = client.post(score_url(submission), data)

    assert again.status_code == 200
    assert f"Score “{row.title}”." in again.content.decode()
    assert not Review.objects.filter(submission=submission).exists()


def test_the_page_shows_and_applies_the_guide_the_evidence_was_submitted_under(
    client, world, submission
):
    v1 = submission.rubric
    rows = [
        {
            "title": c.title,
            "not_yet": c.not_yet,
            "on_track": c.on_track,
            "is_prerequisite": c.is_prerequisite,
        }
        for c in v1.criteria.all()
    ]
    rows[-1]["title"] = "A brand new row title"
    rubric_revise(rubric=v1, actor=world.coordinator, criteria=rows)

    response = signed_in(client, world.coordinator).get(score_url(submission))

    html = response.content.decode()
    assert f"Score against the guide (v{v1.version})" in html
    assert "A brand new row title" not in html
    client.post(score_url(submission), form_data(response))
    assert Review.objects.get(submission=submission).rubric == v1


def test_a_decided_submission_opens_as_its_page(client, world, submission):
    decide(submission, world.coordinator)

    response = signed_in(client, world.coordinator).get(score_url(submission))

    assert response.status_code == 302
    assert response.url == submission.get_absolute_url()


# Conflicts: a stale form never overwrites


def test_a_form_posted_after_another_coordinator_decided_is_a_409(
    client, world, submission, second
):
    stale = form_data(
        signed_in(client, world.coordinator).get(score_url(submission)),
        not_yet=0,
        comment="Returned by the first coordinator.",
    )
    submission_claim(submission=submission, reviewer=second, take_over=True)
    first = decide(submission, second, feedback="Passed by Sam.")
    scores = list(CriterionScore.objects.filter(review=first).values_list("pk", "on_track"))

    response = client.post(score_url(submission), stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Sam Second already decided on this submission" in html
    assert "Nothing you entered was saved" in html
    assert Review.objects.filter(submission=submission).count() == 1
    first.refresh_from_db()
    assert (first.reviewer, first.feedback, first.outcome) == (second, "Passed by Sam.", "passed")
    assert list(CriterionScore.objects.filter(review=first).values_list("pk", "on_track")) == (
        scores
    )


def test_a_form_posted_after_a_take_over_is_a_409(client, world, submission, second):
    stale = form_data(signed_in(client, world.coordinator).get(score_url(submission)))
    submission_claim(submission=submission, reviewer=second, take_over=True)

    response = client.post(score_url(submission), stale)

    assert response.status_code == 409
    assert "Sam Second took this submission over" in response.content.decode()
    assert not Review.objects.filter(submission=submission).exists()
    assert Claim.objects.get(submission=submission).reviewer == second


# Claims through the pages


def test_a_second_coordinator_sees_who_is_reviewing_it(client, world, submission, second):
    signed_in(client, world.coordinator).get(score_url(submission))
    signed_in(client, second)

    page = client.get(score_url(submission))
    queue = client.get(QUEUE)

    html = page.content.decode()
    name = escape(world.coordinator.full_name)
    assert f"In review by <strong>{name}</strong>" in html
    assert "Take it over" in html
    assert "Save decision" not in html
    assert f"In review by {name}</span>" in queue.content.decode()
    assert Claim.objects.get(submission=submission).reviewer == world.coordinator


def test_claiming_a_claimed_one_needs_taking_over(client, world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)
    signed_in(client, second)

    refused = client.post(claim_url(submission))
    assert refused.url == QUEUE
    assert Claim.objects.get(submission=submission).reviewer == world.coordinator
    assert any("is reviewing this submission" in m for m in messages_of(client.get(QUEUE)))

    taken = client.post(claim_url(submission), {"take_over": "1"})
    assert taken.url == score_url(submission)
    assert Claim.objects.get(submission=submission).reviewer == second
    assert client.get(score_url(submission)).context["holds_claim"] is True


def test_releasing_puts_it_back_in_the_queue(client, world, submission):
    signed_in(client, world.coordinator).get(score_url(submission))

    response = client.post(release_url(submission))

    assert response.url == QUEUE
    assert not Claim.objects.filter(submission=submission).exists()
    queue = client.get(QUEUE, {"claim": "unclaimed"})
    assert listed(queue) == [submission.pk]
    assert "Released: it is back in the queue for anyone." in messages_of(queue)


def test_releasing_what_someone_else_reviews_says_nothing_was_released(client, world, submission):
    signed_in(client, world.coordinator).get(score_url(submission))
    second = make_person(Role.COORDINATOR, district=world.district, email="second@example.org")
    signed_in(client, second)

    client.post(release_url(submission))

    assert Claim.objects.get(submission=submission).reviewer == world.coordinator
    said = messages_of(client.get(QUEUE))
    assert "You were not reviewing it, so there was nothing to release." in said
    assert not any(m.startswith("Released") for m in said)


# Save decision, open next


def test_save_decision_open_next_goes_to_the_oldest_item_i_can_take(client, world, second):
    school = world.school_a
    decided = queue_item(school, days_ago=9)
    queue_item(school, days_ago=8, claimed_by=second)
    following = queue_item(school, days_ago=7)
    queue_item(school, days_ago=6)
    page = signed_in(client, world.coordinator).get(score_url(decided))

    response = client.post(score_url(decided), form_data(page, then="next"))

    assert response.status_code == 302
    assert response.url == score_url(following)


def test_save_back_to_queue_goes_to_the_queue_even_with_more_waiting(client, world):
    decided = queue_item(world.school_a, days_ago=9)
    queue_item(world.school_a, days_ago=1)
    page = signed_in(client, world.coordinator).get(score_url(decided))

    response = client.post(score_url(decided), form_data(page, then="queue"))

    assert response.url == QUEUE


def test_open_next_includes_an_item_already_in_review_by_me(client, world):
    decided = queue_item(world.school_a, days_ago=9)
    mine = queue_item(world.school_a, days_ago=1, claimed_by=world.coordinator)
    page = signed_in(client, world.coordinator).get(score_url(decided))

    response = client.post(score_url(decided), form_data(page, then="next"))

    assert response.url == score_url(mine)


def test_open_next_skips_evidence_the_reviewer_cannot_score(client, world):
    dual = teacher_who_also_leads(world, Role.COORDINATOR)
    coached = make_person(Role.TEACHER, school=world.school_a)
    assign_coach(dual, coached, world.school_a)
    decided = queue_item(world.school_a, days_ago=9)
    queue_item(world.school_a, teacher=dual, days_ago=8)
    queue_item(world.school_a, teacher=coached, days_ago=7)
    following = queue_item(world.school_a, days_ago=6)
    page = signed_in(client, dual).get(score_url(decided))

    response = client.post(score_url(decided), form_data(page, then="next"))

    assert response.url == score_url(following)


def test_after_the_last_item_the_queue_says_it_is_clear(client, world, submission):
    page = signed_in(client, world.coordinator).get(score_url(submission))

    response = client.post(score_url(submission), form_data(page, then="next"), follow=True)

    assert response.redirect_chain[-1][0] == QUEUE
    assert any("The queue is clear" in m for m in messages_of(response))
    assert any("Tier 1 of" in m and "passed" in m for m in messages_of(response))


# The queue


def test_the_queue_lists_the_longest_waiting_first(client, world):
    middle = queue_item(world.school_a, days_ago=5)
    newest = queue_item(world.school_b, days_ago=1)
    oldest = queue_item(world.school_a, days_ago=9)
    queue_item(world.other_school, days_ago=20)
    decided = queue_item(world.school_a, days_ago=30)
    decide(decided, world.coordinator)

    response = signed_in(client, world.coordinator).get(QUEUE)

    assert response.status_code == 200
    assert listed(response) == [oldest.pk, middle.pk, newest.pk]


@pytest.fixture
def spread(world, second):
    """Items differing in school, tier, teacher, age and who holds them."""
    a, b = world.school_a, world.school_b
    return {
        "ada": queue_item(a, tier=1, days_ago=10, full_name="Ada Park", email="ada@example.org"),
        "bo": queue_item(b, tier=2, days_ago=4, full_name="Bo Lee", claimed_by=world.coordinator),
        "cy": queue_item(a, tier=3, days_ago=1, full_name="Cy Moss", claimed_by=second),
        "di": queue_item(b, tier=1, days_ago=0.5, full_name="Di Ward"),
    }


FILTERS = {
    # name: (query, the items listed)
    "all": ({}, ["ada", "bo", "cy", "di"]),
    "school": ({"school": "b"}, ["bo", "di"]),
    "tier": ({"tier": "1"}, ["ada", "di"]),
    "teacher-name": ({"teacher": "moss"}, ["cy"]),
    "teacher-email": ({"teacher": "ADA@example"}, ["ada"]),
    "waiting-3-days": ({"age": "3"}, ["ada", "bo"]),
    "waiting-7-days": ({"age": "7"}, ["ada"]),
    "not-in-review": ({"claim": "unclaimed"}, ["ada", "di"]),
    "in-review-by-me": ({"claim": "mine"}, ["bo"]),
    "in-review-by-others": ({"claim": "others"}, ["cy"]),
    "combined": ({"school": "a", "tier": "3", "claim": "others"}, ["cy"]),
}


def test_queue_filters(client, world, spread):
    """One table: every filter and what it lists, oldest first."""
    schools = {"a": world.school_a.pk, "b": world.school_b.pk}
    names = {item.pk: name for name, item in spread.items()}
    signed_in(client, world.coordinator)

    seen = {}
    for case, (query, _) in FILTERS.items():
        if "school" in query:
            query = query | {"school": schools[query["school"]]}
        seen[case] = [names[pk] for pk in listed(client.get(QUEUE, query))]

    assert seen == {case: expected for case, (_, expected) in FILTERS.items()}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_every_filter_says_how_many_items_it_lists(client, world, spread, htmx):
    """The total comes from the queue's tallies where it can: it must agree with the list."""
    schools = {"a": world.school_a.pk, "b": world.school_b.pk}
    signed_in(client, world.coordinator)
    headers = {"HX-Request": "true"} if htmx else {}

    said = {}
    for case, (query, _) in FILTERS.items():
        if "school" in query:
            query = query | {"school": schools[query["school"]]}
        response = client.get(QUEUE, query, headers=headers)
        said[case] = (response.context["page"].paginator.count, len(listed(response)))

    assert said == {case: (len(expected),) * 2 for case, (_, expected) in FILTERS.items()}


def test_the_school_filter_offers_only_the_users_schools_and_keeps_the_choice(client, world):
    signed_in(client, world.coordinator)

    html = client.get(QUEUE, {"school": world.school_b.pk}).content.decode()

    assert f'<option value="{world.school_b.pk}" selected>Lincoln Middle</option>' in html
    assert f'<option value="{world.school_a.pk}">Cedar Creek Elementary</option>' in html
    assert "Far Away High" not in html


def test_school_names_in_the_filter_are_escaped(client, world):
    world.school_b.name = "Lincoln <Middle> & Annex"
    world.school_b.save()
    signed_in(client, world.coordinator)

    html = client.get(QUEUE).content.decode()

    assert "Lincoln &lt;Middle&gt; &amp; Annex</option>" in html


def test_a_school_outside_the_users_queue_filters_nothing(client, world, spread):
    queue_item(world.other_school)
    signed_in(client, world.coordinator)

    response = client.get(QUEUE, {"school": world.other_school.pk})

    assert len(listed(response)) == 4
    assert response.context["page"].paginator.count == 4


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "99999999999999999999"])
def test_a_school_that_is_not_an_id_filters_nothing(client, world, spread, value):
    signed_in(client, world.coordinator)

    response = client.get(QUEUE, {"school": value})

    assert response.status_code == 200
    assert len(listed(response)) == 4


def test_queue_counts(client, world, spread):
    response = signed_in(client, world.coordinator).get(QUEUE, {"tier": "3"})

    assert response.context["counts"] == {
        "total": 4,
        "unclaimed": 2,
        "mine": 1,
        "tier1": 2,
        "tier2": 1,
        "tier3": 1,
        "tier4": 0,
    }
    html = response.content.decode()
    assert "1 item, the longest waiting first." in html


def test_the_queue_shows_the_median_turnaround(client, world):
    for hours in (2, 26, 50):
        make_review(queue_item(world.school_a), world.coordinator, waited=_hours(hours))

    response = signed_in(client, world.coordinator).get(QUEUE)

    assert response.context["median"] == _hours(26)
    assert "1 day 2 hours" in response.content.decode()


def test_the_queue_says_when_there_are_no_decisions_yet(client, world):
    response = signed_in(client, world.coordinator).get(QUEUE)

    assert response.context["median"] is None
    assert "no decisions yet" in response.content.decode()
    assert "Nothing waiting here" in response.content.decode()


def _hours(hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def _many(world, count: int) -> list[Submission]:
    """Items of three teachers at both schools, at every tier, in review by two people or none."""
    schools = [world.school_a, world.school_b, world.school_a]
    teachers = [make_person(Role.TEACHER, school=school) for school in schools]
    reviewers = [world.coordinator, None, make_person(Role.COORDINATOR, district=world.district)]
    return [
        queue_item(
            schools[i % 3],
            teacher=teachers[i % 3],
            tier=i % 4 + 1,
            days_ago=count - i,
            claimed_by=reviewers[i % 3],
        )
        for i in range(count)
    ]


def test_the_queue_pages_through_25_at_a_time(client, world):
    items = _many(world, 30)
    signed_in(client, world.coordinator)

    first = client.get(QUEUE, {"tier": ""})
    second = client.get(QUEUE, {"tier": "", "page": "2"})

    assert listed(first) == [s.pk for s in items[:25]]
    assert listed(second) == [s.pk for s in items[25:]]
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "?tier=&amp;page=2" in html, "the next page keeps the filters"


def test_an_htmx_request_gets_only_the_rows(client, world):
    item = queue_item(world.school_a, full_name="Hana Mix")
    signed_in(client, world.coordinator)

    response = client.get(QUEUE, {"tier": "1"}, headers={"HX-Request": "true"})

    names = [t.name for t in response.templates]
    assert names[0] == "evidence/review/_queue_rows.html"
    assert "evidence/review/queue.html" not in names
    assert "base.html" not in names
    html = response.content.decode()
    assert "Hana Mix" in html
    assert "<html" not in html
    assert "<h1" not in html
    assert listed(response) == [item.pk]


def test_the_queue_costs_the_same_queries_for_3_and_30_items(client, world):
    signed_in(client, world.coordinator)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(queries)

    count_queries()  # warm the caches a first request fills
    _many(world, 3)
    few = count_queries()
    _many(world, 27)
    many = count_queries()

    assert few == many


def test_someone_without_a_queue_gets_404(client, world):
    for person in (world.teacher, world.coach, world.district_admin):
        assert signed_in(client, person).get(QUEUE).status_code == 404


def test_the_queue_needs_sign_in(client, world, submission):
    for url in (QUEUE, score_url(submission)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/sign-in/" in response.url


# Queries (issue 8)


def _returned_and_sent_again(submission: Submission, world) -> Submission:
    """Return the submission through the services and submit the teacher's next version."""
    decide(submission, world.coordinator, passed=False, feedback="Say more.")
    submission.refresh_from_db()
    new = submission_revise(submission=submission, actor=world.teacher)
    submission_submit(submission=new, actor=world.teacher)
    new.refresh_from_db()
    return new


def _scoring_page_queries(client, submission: Submission) -> int:
    client.get(score_url(submission))  # the first visit claims and opens it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(score_url(submission))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_scoring_page_reads_a_fixed_number_of_queries_whatever_the_versions(
    client, world, submission
):
    signed_in(client, world.coordinator)
    second_version = _returned_and_sent_again(submission, world)
    with_one_earlier = _scoring_page_queries(client, second_version)
    third_version = _returned_and_sent_again(second_version, world)
    with_two_earlier = _scoring_page_queries(client, third_version)

    page = client.get(score_url(third_version))
    assert [v.version for v in page.context["versions"]] == [2, 1]
    assert all(v.review.scores.all() for v in page.context["versions"])
    assert with_two_earlier == with_one_earlier
    assert with_two_earlier <= 15
