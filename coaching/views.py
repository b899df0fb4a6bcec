"""Coaching pages: the caseload, coach assignments, conversations and the teacher's view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from goals.models import Goal
from pplearn.models import Role, School, SchoolYear
from pplearn.params import whole_number
from pplearn.selectors import school_summaries

from . import selectors, services
from .forms import AssignmentForm, ConversationForm, ReflectionForm
from .models import Conversation
from .permissions import (
    assignment_schools,
    get_assignment_for_manager_or_404,
    get_coached_teacher_or_404,
    get_conversation_for_coach_or_404,
    get_conversation_for_participant_or_404,
    get_step_for_participant_or_404,
)


def _current_year(user) -> SchoolYear | None:
    return user.district.current_school_year() if user.district_id else None


def _posted(request: HttpRequest):
    """The submitted data, even when empty, so that an empty form shows its errors."""
    return request.POST if request.method == "POST" else None


def _back(request: HttpRequest, default: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    # Only a path on this site; redirect() would take other text for a view name and fail.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(wanted)
    return redirect(default)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """The coach's teachers with their goals and check-ins, the overdue ones first."""
    user = request.user
    if not user.has_role(Role.COACH):
        raise Http404("Only coaches have a caseload.")
    school_year = _current_year(user)
    rows = selectors.caseload_for_coach(coach=user, school_year=school_year) if school_year else []
    coached_at = [s.pk for s in user.schools_for_role(Role.COACH)]
    context = {
        "school_year": school_year,
        "rows": rows,
        "overdue_count": sum(1 for row in rows if row.is_overdue),
        "interval": selectors.checkin_interval_days(user.district_id) if school_year else None,
        "schools": school_summaries(schools=School.objects.filter(pk__in=coached_at)),
    }
    return render(request, "coaching/caseload.html", context)


def _assignment_page(
    request: HttpRequest, *, form: AssignmentForm | None = None, school: School | None = None
) -> HttpResponse:
    schools = list(assignment_schools(request.user).select_related("district"))
    if not schools:
        raise Http404("Only principals and coordinators assign coaches.")
    if school is None:
        wanted = request.GET.get("school")
        school = next((s for s in schools if str(s.pk) == wanted), schools[0])
    school_year = school.district.current_school_year()
    context = {"schools": schools, "school": school, "school_year": school_year}
    if school_year is not None:
        context["listing"] = selectors.assignments_for_school(
            school=school, school_year=school_year
        )
        context["form"] = form or AssignmentForm(school=school)
    return render(request, "coaching/assignment_list.html", context)


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """A school's teachers and their coaches, those without a coach first."""
    return _assignment_page(request)


def _managed_school_or_404(request: HttpRequest) -> School:
    wanted = request.POST.get("school", "")
    school = assignment_schools(request.user).filter(pk=whole_number(wanted) or 0)
    school = school.select_related("district").first()
    if school is None:
        raise Http404("You do not assign coaches at that school.")
    return school


@login_required
@require_POST
def assignment_create(request: HttpRequest) -> HttpResponse:
    school = _managed_school_or_404(request)
    school_year = school.district.current_school_year()
    if school_year is None:
        raise Http404("The district has no current school year.")
    form = AssignmentForm(request.POST, school=school)
    if form.is_valid():
        coach, teacher = form.cleaned_data["coach"], form.cleaned_data["teacher"]
        try:
            services.assignment_create(
                actor=request.user,
                coach=coach,
                teacher=teacher,
                school=school,
                school_year=school_year,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"{coach} now coaches {teacher} in {school_year}.")
            return redirect(f"{reverse('coaching:assignment_list')}?school={school.pk}")
    return _assignment_page(request, form=form, school=school)


@login_required
@require_POST
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_manager_or_404(request.user, pk)
    try:
        services.assignment_remove(
            actor=request.user,
            coach=assignment.coach,
            teacher=assignment.teacher,
            school=assignment.school,
            school_year=assignment.school_year,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{assignment.coach} no longer coaches {assignment.teacher}. Their conversations "
            "stay with the two of them.",
        )
    return redirect(f"{reverse('coaching:assignment_list')}?school={assignment.school_id}")


def _initial_goal(form: ConversationForm) -> Goal | None:
    goals = list(form.fields["goal"].queryset)
    approved = [g for g in goals if g.status == Goal.Status.APPROVED]
    return (approved or goals or [None])[0]


@login_required
def conversation_create(request: HttpRequest, teacher_pk: int) -> HttpResponse:
    """The coach logs a conversation with a teacher they coach this year."""
    school_year = _current_year(request.user)
    if school_year is None:
        raise Http404("No current school year.")
    assignment = get_coached_teacher_or_404(request.user, teacher_pk, school_year)
    teacher = assignment.teacher
    form = ConversationForm(_posted(request), teacher=teacher, school_year=school_year)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_log(
                coach=request.user, teacher=teacher, **form.cleaned_data
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"Conversation logged. {teacher.get_short_name()} can see it now, tick the next "
                "steps and add a reflection.",
            )
            return redirect("coaching:conversation_detail", pk=conversation.pk)
    if not form.is_bound:
        goal = _initial_goal(form)
        form.initial["goal"] = goal.pk if goal else None
    earlier = selectors.conversations_for_teacher(
        teacher=teacher, coach=request.user, school_year=school_year
    )[:10]
    context = {"form": form, "teacher": teacher, "conversation": None, "earlier": earlier}
    return render(request, "coaching/conversation_form.html", context)


@login_required
def conversation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for_coach_or_404(request.user, pk)
    form = ConversationForm(
        _posted(request),
        initial=ConversationForm.initial_for(conversation),
        teacher=conversation.teacher,
        school_year=conversation.school_year,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_update(
                conversation=conversation, actor=request.user, **form.cleaned_data
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Conversation saved.")
            return redirect("coaching:conversation_detail", pk=conversation.pk)
    context = {
        "form": form,
        "teacher": conversation.teacher,
        "conversation": conversation,
        "earlier": [],
    }
    return render(request, "coaching/conversation_form.html", context)


def _detail(
    request: HttpRequest, conversation: Conversation, reflection_form: ReflectionForm | None = None
) -> HttpResponse:
    user = request.user
    is_teacher = user.pk == conversation.teacher_id
    if is_teacher and reflection_form is None:
        reflection_form = ReflectionForm(initial={"text": conversation.teacher_reflection})
    others = (
        selectors.conversations_for_teacher(teacher=conversation.teacher, coach=conversation.coach)
        .exclude(pk=conversation.pk)
        .prefetch_related(None)[:10]
    )
    context = {
        "conversation": conversation,
        "steps": conversation.next_steps.select_related("done_by"),
        "is_coach": user.pk == conversation.coach_id,
        "is_teacher": is_teacher,
        "reflection_form": reflection_form,
        "others": others,
    }
    return render(request, "coaching/conversation_detail.html", context)


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation for its coach and its teacher; 404 to everyone else."""
    return _detail(request, get_conversation_for_participant_or_404(request.user, pk))


@login_required
@require_POST
def conversation_reflect(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for_participant_or_404(request.user, pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_reflect(
                conversation=conversation, teacher=request.user, text=form.cleaned_data["text"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(
                request,
                f"Your reflection is saved. {conversation.coach.get_short_name()} can read it.",
            )
            return redirect(
                reverse("coaching:conversation_detail", args=[conversation.pk]) + "#reflection"
            )
    if request.user.pk != conversation.teacher_id:
        raise Http404
    return _detail(request, conversation, reflection_form=form)


@login_required
@require_POST
def next_step_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a next step off or back on; an htmx request gets the step's row back."""
    step = get_step_for_participant_or_404(request.user, pk)
    wanted = request.POST.get("done")
    done = {"1": True, "0": False}.get(wanted) if wanted is not None else None
    try:
        services.next_step_toggle(step=step, actor=request.user, done=done)
    except PermissionDenied:
        raise Http404 from None
    if request.htmx:
        return render(
            request,
            "coaching/_next_step.html",
            {"step": step, "next_url": request.POST.get("next", "")},
        )
    if step.is_done:
        messages.success(request, f"Ticked off: {step.text}")
    else:
        messages.info(request, f"Not done yet: {step.text}")
    return _back(request, reverse("coaching:conversation_detail", args=[step.conversation_id]))


@login_required
def my_coaching(request: HttpRequest) -> HttpResponse:
    """The teacher's conversations with their coaches and the next steps still open."""
    user = request.user
    if not user.has_role(Role.TEACHER):
        raise Http404("Only teachers are coached.")
    school_year = _current_year(user)
    context = {
        "school_year": school_year,
        "coaches": selectors.coaches_of_teacher(teacher=user, school_year=school_year)
        if school_year
        else [],
        "page": Paginator(selectors.conversations_for_teacher(teacher=user), 20).get_page(
            request.GET.get("page")
        ),
        "open_steps": selectors.open_steps_for_teacher(teacher=user),
    }
    return render(request, "coaching/my_coaching.html", context)
