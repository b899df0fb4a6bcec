"""The collective vision: the Vision page, and managing vision, system goals and standards."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pplearn.permissions import get_administered_district_or_404

from . import vision_services as services
from .models import StandardDomain, Vision
from .vision_forms import (
    FrameworkForm,
    StandardComponentForm,
    StandardDomainForm,
    SystemGoalFilterForm,
    SystemGoalForm,
    VisionForm,
)
from .vision_permissions import (
    administers,
    can_edit_school_vision,
    can_manage_system_goal,
    get_component_for_admin_or_404,
    get_domain_for_admin_or_404,
    get_framework_for_admin_or_404,
    get_reader_district_or_404,
    get_school_for_vision_editor_or_404,
    get_system_goal_for_manager_or_404,
    get_system_goal_manager_district_or_404,
    led_schools,
)

# The Vision page and vision statements


@login_required
def vision(request: HttpRequest) -> HttpResponse:
    """The district vision, the reader's schools' visions and the system goals that apply."""
    user = request.user
    district = get_reader_district_or_404(user)
    schools = list(services.vision_page_schools(user=user, district=district))
    context = {
        "district": district,
        "district_vision": Vision.objects.filter(district=district, school=None).first(),
        "schools": [(school, can_edit_school_vision(user, school)) for school in schools],
        "system_goals": services.vision_page_system_goals(district=district, schools=schools),
        "is_admin": administers(user, district.pk),
        "is_principal": bool(led_schools(user)),
    }
    return render(request, "goals/vision/vision_detail.html", context)


@login_required
def vision_edit(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    current = Vision.objects.filter(district=district, school=None).first()
    form = VisionForm(
        request.POST or None, initial={"statement": current.statement if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        services.vision_update(
            actor=request.user, district=district, statement=form.cleaned_data["statement"]
        )
        messages.success(request, "Saved the district vision.")
        return redirect("goals:vision")
    context = {"form": form, "school": None, "district": district}
    return render(request, "goals/vision/vision_form.html", context)


@login_required
def school_vision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_school_for_vision_editor_or_404(request.user, pk)
    current = Vision.objects.filter(school=school).first()
    form = VisionForm(
        request.POST or None,
        initial={"statement": current.statement if current else ""},
        required=False,
    )
    if request.method == "POST" and form.is_valid():
        saved = services.vision_update(
            actor=request.user,
            district=school.district,
            school=school,
            statement=form.cleaned_data["statement"],
        )
        if saved is None:
            messages.success(request, f"{school.name} now shows only the district vision.")
        else:
            messages.success(request, f"Saved the vision of {school.name}.")
        return redirect("goals:vision")
    context = {"form": form, "school": school, "district": school.district}
    return render(request, "goals/vision/vision_form.html", context)


# System goals


@login_required
def system_goal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    district = get_system_goal_manager_district_or_404(user)
    filters = SystemGoalFilterForm(request.GET or None, district=district)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    goals = services.system_goal_list_for_manager(
        user=user,
        district=district,
        school_year=criteria.get("school_year"),
        status=criteria.get("status") or "",
    )
    page = Paginator(goals, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "rows": [(goal, can_manage_system_goal(user, goal)) for goal in page.object_list],
        "query": query.urlencode(),
        "is_admin": administers(user, district.pk),
    }
    template = (
        "goals/vision/_system_goal_rows.html"
        if request.htmx
        else "goals/vision/system_goal_list.html"
    )
    return render(request, template, context)


@login_required
def system_goal_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    district = get_system_goal_manager_district_or_404(user)
    if not district.school_years.exists():
        messages.error(
            request,
            "Your district has no school year yet. Add one before adding system goals.",
        )
        return redirect("goals:system_goal_list")
    form = SystemGoalForm(
        request.POST or None,
        district=district,
        is_admin=administers(user, district.pk),
        led_schools=led_schools(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.system_goal_create(
                actor=user, district=district, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added “{goal.title}”.")
            return redirect("goals:system_goal_list")
    return render(request, "goals/vision/system_goal_form.html", {"form": form, "goal": None})


@login_required
def system_goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    goal = get_system_goal_for_manager_or_404(user, pk)
    # Validation writes the posted values onto the form's instance: give it a copy, so that
    # the service still sees the goal as stored and audits what changed.
    form = SystemGoalForm(
        request.POST or None,
        instance=copy.copy(goal),
        district=goal.district,
        is_admin=administers(user, goal.district_id),
        led_schools=led_schools(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.system_goal_update(actor=user, goal=goal, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved “{goal.title}”.")
            return redirect("goals:system_goal_list")
    context = {"form": form, "goal": goal, "linked_goals": goal.teacher_goals.count()}
    return render(request, "goals/vision/system_goal_form.html", context)


@login_required
@require_POST
def system_goal_archive(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_system_goal_for_manager_or_404(request.user, pk)
    try:
        services.system_goal_archive(actor=request.user, goal=goal)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Archived “{goal.title}”. Teachers no longer see it.")
    return redirect("goals:system_goal_list")


@login_required
@require_POST
def system_goal_restore(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_system_goal_for_manager_or_404(request.user, pk)
    try:
        services.system_goal_restore(actor=request.user, goal=goal)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Restored “{goal.title}”. Teachers see it again.")
    return redirect("goals:system_goal_list")


# Standards frameworks


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    frameworks = services.framework_list_for_district(district=district)
    return render(request, "goals/vision/framework_list.html", {"frameworks": frameworks})


@login_required
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_admin_or_404(request.user, pk)
    form = FrameworkForm(request.POST or None, instance=copy.copy(framework))
    if request.method == "POST" and form.is_valid():
        services.framework_update(actor=request.user, framework=framework, **form.cleaned_data)
        messages.success(request, f"Saved {framework.name}.")
        return redirect("goals:framework_edit", pk=framework.pk)
    context = {"form": form, "framework": services.framework_for_page(framework)}
    return render(request, "goals/vision/framework_form.html", context)


@login_required
def domain_create(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_admin_or_404(request.user, pk)
    form = StandardDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        domain = services.standard_domain_create(
            actor=request.user, framework=framework, **form.cleaned_data
        )
        messages.success(request, f"Added the domain {domain}.")
        return redirect("goals:framework_edit", pk=framework.pk)
    context = {"form": form, "framework": framework, "domain": None}
    return render(request, "goals/vision/domain_form.html", context)


@login_required
def domain_edit(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain_for_admin_or_404(request.user, pk)
    form = StandardDomainForm(request.POST or None, instance=copy.copy(domain))
    if request.method == "POST" and form.is_valid():
        services.standard_domain_update(actor=request.user, domain=domain, **form.cleaned_data)
        messages.success(request, f"Saved the domain {domain}.")
        return redirect("goals:framework_edit", pk=domain.framework_id)
    context = {"form": form, "framework": domain.framework, "domain": domain}
    return render(request, "goals/vision/domain_form.html", context)


@login_required
@require_POST
def domain_delete(request: HttpRequest, pk: int) -> HttpResponse:
    domain = get_domain_for_admin_or_404(request.user, pk)
    try:
        services.standard_domain_delete(actor=request.user, domain=domain)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("goals:domain_edit", pk=domain.pk)
    messages.success(request, f"Deleted the domain {domain} and its components.")
    return redirect("goals:framework_edit", pk=domain.framework_id)


@login_required
def component_create(request: HttpRequest, pk: int) -> HttpResponse:
    domain: StandardDomain = get_domain_for_admin_or_404(request.user, pk)
    form = StandardComponentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        component = services.standard_component_create(
            actor=request.user, domain=domain, **form.cleaned_data
        )
        messages.success(request, f"Added the component {component}.")
        return redirect("goals:framework_edit", pk=domain.framework_id)
    context = {"form": form, "framework": domain.framework, "domain": domain, "component": None}
    return render(request, "goals/vision/component_form.html", context)


@login_required
def component_edit(request: HttpRequest, pk: int) -> HttpResponse:
    component = get_component_for_admin_or_404(request.user, pk)
    form = StandardComponentForm(request.POST or None, instance=copy.copy(component))
    if request.method == "POST" and form.is_valid():
        services.standard_component_update(
            actor=request.user, component=component, **form.cleaned_data
        )
        messages.success(request, f"Saved the component {component}.")
        return redirect("goals:framework_edit", pk=component.domain.framework_id)
    context = {
        "form": form,
        "framework": component.domain.framework,
        "domain": component.domain,
        "component": component,
        "goal_count": component.goals.count(),
    }
    return render(request, "goals/vision/component_form.html", context)


@login_required
@require_POST
def component_delete(request: HttpRequest, pk: int) -> HttpResponse:
    component = get_component_for_admin_or_404(request.user, pk)
    try:
        services.standard_component_delete(actor=request.user, component=component)
    except ValidationError as exc:
        # Offer the rename instead: the edit page of the component that stays.
        messages.error(request, " ".join(exc.messages))
        return redirect("goals:component_edit", pk=component.pk)
    messages.success(request, f"Deleted the component {component}.")
    return redirect("goals:framework_edit", pk=component.domain.framework_id)
