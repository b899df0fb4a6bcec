"""The teacher's growth record and portfolio: every figure against hand-built goals in two
years, only ever the signed-in person's own, private artifacts and coaching notes left out,
the portfolio's year and goal choices, and a query count that does not grow."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching.models import Conversation
from dashboards.growth_selectors import growth_record_for, portfolio_for
from evidence.models import Artifact, CriterionScore, LearningResource, Payout, Review, Submission
from goals.models import Goal
from pplearn.models import Role, SchoolYear, User
from tests.evidence.review_factories import current_rubric, words
from tests.factories import add_role, make_person
from tests.goals.goal_factories import (
    SystemGoalFactory,
    current_year,
    earlier_year,
    later_year,
    make_goal,
)

pytestmark = pytest.mark.django_db
G = Goal.Status
S = Submission.Status
GROWTH = reverse("dashboards:growth")
PORTFOLIO = reverse("dashboards:growth_portfolio")

SECRET_NOTES = "Confidential coaching note about the spring evaluation."
FIRST_DRAFT = "Firstdraftreflection about partner talk."
PASSED_T1 = "Passedlearningreflection on talk moves research."
PASSED_T2 = "Passedimplementationreflection on anchor charts."
RETURN_FEEDBACK = "Add a research-based source, then resubmit."
RETURN_COMMENT = "Name what the book says about wait time."
PASS_FEEDBACK = "A strong summary of the research."
T2_COMMENT = "The anchor chart shows the outcome clearly."


def _moment(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def _submission(goal, tier, status, *, version=1, reflection="", decided=None, previous=None):
    return Submission.objects.create(
        goal=goal,
        tier=tier,
        version=version,
        status=status,
        reflection=reflection or words(20),
        submitted_at=None if status == S.DRAFT else timezone.now(),
        decided_at=decided,
        previous=previous,
        rubric=current_rubric(goal.school.district, tier),
    )


def _criterion(submission, index=0):
    return [c for c in submission.rubric.criteria.all() if not c.is_prerequisite][index]


def _review(submission, reviewer, *, feedback="", comment="", on_track=True):
    passed = submission.status == S.PASSED
    review = Review.objects.create(
        submission=submission,
        reviewer=reviewer,
        rubric=submission.rubric,
        outcome=Review.Outcome.PASSED if passed else Review.Outcome.RETURNED,
        feedback=feedback,
        decided_at=submission.decided_at or timezone.now(),
        waited=datetime.timedelta(days=2),
    )
    prerequisite = submission.rubric.criteria.filter(is_prerequisite=True).first()
    if prerequisite is not None:
        CriterionScore.objects.create(
            review=review, criterion=prerequisite, on_track=True, comment="Checked by pplearn."
        )
    if comment or not on_track:
        CriterionScore.objects.create(
            review=review, criterion=_criterion(submission), on_track=on_track, comment=comment
        )
    return review


def _payout(submission, amount, credit):
    return Payout.objects.create(
        teacher=submission.goal.teacher,
        submission=submission,
        district=submission.goal.school.district,
        tier=submission.tier,
        amount=Decimal(amount),
        credit=Decimal(credit),
        passed_at=submission.decided_at,
    )


@pytest.fixture
def growth(world):
    return build_growth(world)


def build_growth(world) -> dict:
    """The teacher's goals in two years, built so that every figure is known; another
    teacher of the same school has goals, evidence, payouts and coaching that never count."""
    teacher, a, district = world.teacher, world.school_a, world.district
    User.objects.filter(pk=teacher.pk).update(employee_id="E-1042")
    this_year = current_year(district)
    last_year = earlier_year(district)
    reviewer = world.coordinator
    discourse = SystemGoalFactory(district=district, title="Academic discourse")
    literacy = SystemGoalFactory(district=district, title="Literacy for all")
    old_sg = SystemGoalFactory(district=district, title="Old initiative", school_year=last_year)

    talk = make_goal(
        teacher,
        a,
        status=G.APPROVED,
        title="Talk moves in math",
        inquiry_question="How do talk moves raise participation?",
        system_goals=[discourse, literacy],
        target_tier=4,
    )
    draft = make_goal(teacher, a, status=G.DRAFT, title="Reading conferences")
    old = make_goal(
        teacher,
        a,
        status=G.COMPLETE,
        title="Exit tickets",
        school_year=last_year,
        system_goals=[old_sg],
    )

    t1_v1 = _submission(talk, 1, S.SUPERSEDED, reflection=FIRST_DRAFT, decided=_moment(2026, 9, 20))
    _review(t1_v1, reviewer, feedback=RETURN_FEEDBACK, comment=RETURN_COMMENT, on_track=False)
    t1_v2 = _submission(
        talk,
        1,
        S.PASSED,
        version=2,
        previous=t1_v1,
        reflection=PASSED_T1,
        decided=_moment(2026, 10, 3),
    )
    _review(t1_v2, reviewer, feedback=PASS_FEEDBACK)
    _payout(t1_v2, "75.00", "0.25")
    LearningResource.objects.create(
        submission=t1_v2,
        title="Classroom Discussions",
        kind=LearningResource.Kind.BOOK,
        citation="https://example.org/classroom-discussions",
        research_based=True,
    )
    t2 = _submission(talk, 2, S.PASSED, reflection=PASSED_T2, decided=_moment(2026, 11, 5))
    _review(t2, reviewer, comment=T2_COMMENT)
    _payout(t2, "80.00", "0.50")
    Artifact.objects.create(
        submission=t2,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.LINK,
        title="Anchor chart",
        url="https://example.org/anchor-chart",
    )
    Artifact.objects.create(
        submission=t2,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.IMAGE,
        title="Class photo on the carpet",
        file="evidence/2026/11/photo",
        original_name="carpet.jpg",
        shows_students=True,
    )
    Artifact.objects.create(
        submission=t2,
        purpose=Artifact.Purpose.PLAN,
        kind=Artifact.Kind.PDF,
        title="Lesson plan week 3",
        file="evidence/2026/11/plan",
        original_name="plan.pdf",
    )
    _submission(talk, 3, S.SUBMITTED)

    old_t1 = _submission(old, 1, S.PASSED, decided=_moment(2026, 3, 10))
    _review(old_t1, reviewer)
    _payout(old_t1, "75.00", "0.25")
    _submission(old, 2, S.DRAFT)

    other = make_person(Role.TEACHER, school=a, full_name="Olive Other")
    other_goal = make_goal(other, a, status=G.APPROVED, title="Someone else's goal")
    other_t1 = _submission(other_goal, 1, S.PASSED, decided=_moment(2026, 10, 1))
    _review(other_t1, reviewer, feedback="Feedback for someone else")
    _payout(other_t1, "999.00", "9.00")

    for held_on, year in [
        (datetime.date(2026, 9, 1), this_year),
        (datetime.date(2026, 10, 14), this_year),
        (datetime.date(2026, 2, 2), last_year),
    ]:
        Conversation.objects.create(
            coach=world.coach,
            teacher=teacher,
            school_year=year,
            held_on=held_on,
            notes=SECRET_NOTES,
            goal=talk,
        )
    Conversation.objects.create(coach=world.coach, teacher=other, school_year=this_year)
    return {
        "talk": talk,
        "draft": draft,
        "old": old,
        "other": other,
        "other_goal": other_goal,
        "this_year": this_year,
        "last_year": last_year,
    }


def test_every_figure_of_the_record_is_exact(world, growth):
    record = growth_record_for(teacher=world.teacher)

    assert (record.totals.tiers_passed, record.totals.amount, record.totals.credit) == (
        3,
        Decimal("230.00"),
        Decimal("1.00"),
    )
    assert record.conversations == 3
    assert [(r["tier"], r["passed"], r["amount"], r["credit"]) for r in record.by_tier] == [
        (1, 2, Decimal("150.00"), Decimal("0.50")),
        (2, 1, Decimal("80.00"), Decimal("0.50")),
        (3, 0, Decimal("0"), Decimal("0")),
        (4, 0, Decimal("0"), Decimal("0")),
    ]
    # Newest year first, each with its own figures.
    assert [
        (y.school_year.name, y.tiers_passed, y.amount, y.credit, y.conversations)
        for y in record.years
    ] == [
        ("2026-27", 2, Decimal("155.00"), Decimal("0.75"), 2),
        ("2025-26", 1, Decimal("75.00"), Decimal("0.25"), 1),
    ]
    assert record.years[0].last_conversation == datetime.date(2026, 10, 14)

    goals = {item.goal.title: item for year in record.years for item in year.goals}
    assert set(goals) == {"Talk moves in math", "Reading conferences", "Exit tickets"}
    talk = goals["Talk moves in math"]
    assert (talk.goal.versions, talk.goal.tiers_passed, talk.goal.amount, talk.goal.credit) == (
        4,
        2,
        Decimal("155.00"),
        Decimal("0.75"),
    )
    assert [t.title for t in talk.goal.system_goals.all()] == [
        "Academic discourse",
        "Literacy for all",
    ]
    assert [
        (t.tier, t.state, t.versions, t.returned, t.passed_at, t.amount, t.credit)
        for t in talk.tiers
    ] == [
        (1, "passed", 2, 1, _moment(2026, 10, 3), Decimal("75.00"), Decimal("0.25")),
        (2, "passed", 1, 0, _moment(2026, 11, 5), Decimal("80.00"), Decimal("0.50")),
        (3, "submitted", 1, 0, None, Decimal("0"), Decimal("0")),
    ]
    assert [
        (r.submission.tier, r.submission.version, r.outcome, r.feedback) for r in talk.feedback
    ] == [
        (1, 1, "returned", RETURN_FEEDBACK),
        (1, 2, "passed", PASS_FEEDBACK),
        (2, 1, "passed", ""),
    ]
    # The per-criterion notes: the prerequisite's system note is left out.
    assert [[(s.on_track, s.comment) for s in r.noted_scores] for r in talk.feedback] == [
        [(False, RETURN_COMMENT)],
        [],
        [(True, T2_COMMENT)],
    ]
    draft = goals["Reading conferences"]
    assert (draft.goal.versions, draft.goal.tiers_passed, draft.tiers, draft.feedback) == (
        0,
        0,
        [],
        [],
    )
    old = goals["Exit tickets"]
    # The draft of Tier 2 is the teacher's own still: not a version, not a tier row.
    assert (old.goal.versions, [t.tier for t in old.tiers]) == (1, [1])


def test_page_shows_the_figures_feedback_and_no_coaching_notes(client, world, growth):
    client.force_login(world.teacher)
    response = client.get(GROWTH)
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'data-figure="tiers-passed">3<' in main
    assert 'data-figure="stipends">$230.00<' in main
    assert 'data-figure="credit">1.00<' in main
    assert 'data-figure="conversations">3<' in main
    assert main.index("School year 2026-27") < main.index("School year 2025-26")
    for text in [RETURN_FEEDBACK, RETURN_COMMENT, PASS_FEEDBACK, T2_COMMENT, "Academic discourse"]:
        assert text in main
    assert ">Returned</span>" in main
    assert main.count(">Passed</span>") == 6  # three passed tier rows, three decisions
    assert SECRET_NOTES not in html
    assert "Someone else" not in html
    assert "999" not in main
    assert "style=" not in main
    assert "<script" not in main
    assert f'href="{PORTFOLIO}"' in main


def test_nav_links_the_teacher_to_the_growth_record(client, world, growth):
    client.force_login(world.teacher)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{GROWTH}"' in html


def test_another_teacher_sees_only_their_own(client, world, growth):
    client.force_login(growth["other"])
    html = client.get(GROWTH).content.decode()
    assert "Someone else&#x27;s goal" in html
    assert 'data-figure="stipends">$999.00<' in html
    for text in ["Talk moves in math", "Exit tickets", RETURN_FEEDBACK, PASS_FEEDBACK]:
        assert text not in html


@pytest.mark.parametrize("name", ["principal", "coach", "coordinator", "district_admin"])
def test_leaders_see_their_own_empty_record_never_a_teachers(client, world, growth, name):
    client.force_login(getattr(world, name))
    response = client.get(GROWTH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your growth record fills in as you pass tiers" in html
    assert f'href="{reverse("goals:goal_create")}"' in html
    assert "Talk moves in math" not in html
    assert "Someone else" not in html
    portfolio = client.get(PORTFOLIO).content.decode()
    assert "Your growth record fills in as you pass tiers" in portfolio
    assert "Talk moves in math" not in portfolio


def test_a_teacher_without_goals_sees_how_the_record_fills_in(client, world, growth):
    newcomer = make_person(Role.TEACHER, school=world.school_a)
    client.force_login(newcomer)
    for url in [GROWTH, PORTFOLIO]:
        html = client.get(url).content.decode()
        assert "Your growth record fills in as you pass tiers" in html
        assert f'href="{reverse("goals:goal_create")}"' in html
        assert "Talk moves in math" not in html


def test_a_tier_waiting_for_revision_shows_as_returned(client, world):
    goal = make_goal(world.teacher, world.school_a, status=G.APPROVED, title="Fractions")
    returned = _submission(goal, 1, S.RETURNED, decided=_moment(2026, 10, 1))
    _review(returned, world.coordinator, feedback=RETURN_FEEDBACK, on_track=False)
    record = growth_record_for(teacher=world.teacher)
    [tier] = record.years[0].goals[0].tiers
    assert (tier.state, tier.versions, tier.returned, tier.passed_at) == ("returned", 1, 1, None)
    assert record.totals.tiers_passed == 0
    client.force_login(world.teacher)
    html = client.get(GROWTH).content.decode()
    assert ">Returned for revision</span>" in html
    assert RETURN_FEEDBACK in html


def test_a_coach_who_also_teaches_sees_their_own_teacher_goals(client, world, growth):
    coach = world.coach
    add_role(coach, Role.TEACHER, world.school_a)
    own = make_goal(coach, world.school_a, status=G.APPROVED, title="Coach's own inquiry")
    passed = _submission(own, 1, S.PASSED, decided=_moment(2026, 10, 9))
    _payout(passed, "75.00", "0.25")
    client.force_login(coach)
    html = client.get(GROWTH).content.decode()
    assert "Coach&#x27;s own inquiry" in html
    assert 'data-figure="stipends">$75.00<' in html
    assert "Talk moves in math" not in html
    # The coach's conversations with the teacher are not the coach's own coaching.
    assert 'data-figure="conversations">0<' in html


@pytest.mark.parametrize("url", [GROWTH, PORTFOLIO])
def test_signed_out_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("url", [GROWTH, PORTFOLIO])
def test_pages_only_read(client, world, url):
    client.force_login(world.teacher)
    assert client.post(url).status_code == 405


def test_credit_only_district_hides_stipends(client, world, growth):
    from tests.evidence.review_factories import set_policy

    set_policy(world.district, compensation="credit")
    Payout.objects.update(amount=Decimal("0"))
    client.force_login(world.teacher)
    html = client.get(GROWTH).content.decode()
    assert 'data-figure="credit">1.00<' in html
    assert 'data-figure="stipends"' not in html
    assert "Stipend" not in html


# The portfolio.


def _portfolio(client, world, **params) -> str:
    client.force_login(world.teacher)
    response = client.get(PORTFOLIO, params)
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_portfolio_holds_each_passed_tier_with_its_evidence(client, world, growth):
    html = _portfolio(client, world)
    # The header.
    assert world.teacher.full_name in html
    assert "E-1042" in html
    assert "Maple Valley" in html
    assert timezone.localdate().strftime("%B %-d, %Y") in html
    # Goals with a passed tier, by default: the draft goal is left out.
    assert "Talk moves in math" in html
    assert "Exit tickets" in html
    assert f'id="pgoal-{growth["draft"].pk}"' not in html
    assert "How do talk moves raise participation?" in html
    assert "Academic discourse; Literacy for all" in html
    assert "Tier 1 Learning: passed Oct 3, 2026" in html
    assert "Tier 2 Implementation: passed Nov 5, 2026" in html
    assert "Tier 3" not in html.split("Totals of the goals below", 1)[1]
    # The passed versions' reflections, resources and artifacts with their links printed.
    assert PASSED_T1 in html
    assert PASSED_T2 in html
    assert FIRST_DRAFT not in html
    assert "https://example.org/classroom-discussions" in html
    assert ">https://example.org/anchor-chart</a>" in html
    assert "Lesson plan week 3" in html
    # Reviewer's feedback of the passed version only, not of the returned one.
    assert PASS_FEEDBACK in html
    assert T2_COMMENT in html
    assert RETURN_FEEDBACK not in html
    # Totals of the goals in the portfolio.
    assert "2 goals · 3 tiers passed · $230.00 in stipends · 1.00 credit" in html


def test_artifacts_showing_students_are_never_in_the_portfolio(client, world, growth):
    html = _portfolio(client, world)
    assert "Class photo on the carpet" not in html
    assert "carpet.jpg" not in html
    records, _ = portfolio_for(teacher=world.teacher, goal_ids=[growth["talk"].pk])
    names = [a.title for s in records[0].passed for a in s.shareable_artifacts]
    assert names == ["Anchor chart", "Lesson plan week 3"]


def test_portfolio_shows_tier_3_data_and_says_where_a_video_reflection_is(client, world):
    goal = make_goal(world.teacher, world.school_a, status=G.APPROVED, title="Fractions")
    impact = _submission(goal, 3, S.PASSED, decided=_moment(2026, 11, 1))
    Submission.objects.filter(pk=impact.pk).update(
        reflection_format=Submission.ReflectionFormat.VIDEO,
        data_type=Submission.DataType.SURVEY,
        results=Submission.Results.MIXED,
        data_table="Week | Share\n1 | 42%\n6 | 68%",
    )
    html = _portfolio(client, world)
    assert "Survey; results mixed" in html
    assert "<td>Week</td><td>Share</td>" in html
    assert "<td>6</td><td>68%</td>" in html
    assert "A video reflection, kept in pplearn." in html


def test_portfolio_year_filter(client, world, growth):
    html = _portfolio(client, world, year=growth["last_year"].pk)
    assert "Exit tickets" in html
    assert "Talk moves in math" not in html
    assert "1 goal · 1 tier passed · $75.00 in stipends · 0.25 credit" in html
    assert '<dd class="col-sm-9">2025-26</dd>' in html


@pytest.mark.parametrize("year", ["x", "later", "foreign"])
def test_portfolio_year_without_goals_or_of_another_district_is_404(client, world, growth, year):
    client.force_login(world.teacher)
    value = {
        "x": lambda: "x",
        "later": lambda: later_year(world.district).pk,
        "foreign": lambda: current_year(world.other_district).pk,
    }[year]()
    assert client.get(PORTFOLIO, {"year": value}).status_code == 404


def test_portfolio_goal_selection(client, world, growth):
    talk, old, draft = growth["talk"], growth["old"], growth["draft"]
    html = _portfolio(client, world, chosen="1", goal=[talk.pk, draft.pk])
    assert "Talk moves in math" in html.split("Totals of the goals below", 1)[1]
    assert "Exit tickets" not in html.split("Totals of the goals below", 1)[1]
    assert "No tier of this goal has passed yet." in html
    assert "2 goals · 2 tiers passed · $155.00 in stipends · 0.75 credit" in html
    assert f'value="{talk.pk}" id="choose-goal-{talk.pk}" checked' in html
    assert f'value="{old.pk}" id="choose-goal-{old.pk}">' in html


def test_portfolio_ignores_other_peoples_goals_and_junk(client, world, growth):
    other_goal = growth["other_goal"]
    html = _portfolio(client, world, chosen="1", goal=[other_goal.pk, "x", growth["old"].pk])
    assert "Someone else" not in html
    assert "Exit tickets" in html
    assert "1 goal · 1 tier passed · $75.00 in stipends · 0.25 credit" in html
    # A goal of another year is ignored when a year is chosen.
    html = _portfolio(
        client, world, chosen="1", year=growth["last_year"].pk, goal=[growth["talk"].pk]
    )
    assert "No goal chosen" in html
    assert "Talk moves in math" not in html


def test_portfolio_print_button_is_a_static_script(client, world, growth):
    html = _portfolio(client, world)
    assert "data-print-page" in html
    assert 'src="/static/js/print.js"' in html
    assert "Save as PDF" in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "onclick" not in html


# The query count does not grow with goals or years.


def _grow(world, goals: int, years: int) -> None:
    """`goals` goals of the teacher spread over `years` school years, each with evidence."""
    district = world.district
    year_list = [
        current_year(district),
        SchoolYear.objects.filter(district=district, name="2025-26").first()
        or earlier_year(district),
        SchoolYear.objects.filter(district=district, name="2027-28").first()
        or later_year(district),
    ][:years]
    for n in range(goals):
        year = year_list[n % years]
        goal = make_goal(
            world.teacher, world.school_a, status=G.APPROVED, title=f"Goal {n}", school_year=year
        )
        goal.system_goals.add(SystemGoalFactory(district=district))
        returned = _submission(goal, 1, S.SUPERSEDED, decided=_moment(2026, 9, 1))
        _review(returned, world.coordinator, feedback="Revise", on_track=False)
        passed = _submission(
            goal, 1, S.PASSED, version=2, previous=returned, decided=_moment(2026, 9, 9)
        )
        _review(passed, world.coordinator, comment="Good")
        _payout(passed, "75.00", "0.25")
        Artifact.objects.create(
            submission=passed,
            purpose=Artifact.Purpose.ARTIFACT,
            kind=Artifact.Kind.LINK,
            url=f"https://example.org/{n}",
        )
        LearningResource.objects.create(
            submission=passed, title=f"Book {n}", kind="book", citation="A book"
        )
        Conversation.objects.create(coach=world.coach, teacher=world.teacher, school_year=year)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", [GROWTH, PORTFOLIO])
def test_query_count_is_fixed_however_many_goals_and_years(
    client, world, url, django_assert_num_queries
):
    client.force_login(world.teacher)
    _grow(world, 1, 1)
    _count(client, url)  # the first request of a session does a little more
    small = _count(client, url)
    _grow(world, 5, 3)
    assert Goal.objects.filter(teacher=world.teacher).count() == 6
    assert Goal.objects.filter(teacher=world.teacher).values("school_year").distinct().count() == 3
    with django_assert_num_queries(small):
        response = client.get(url)
    assert "Goal 4" in response.content.decode()
