"""Pages of the reminders: district settings, one's own delivery choice, pauses for leave.

Pages out of a person's reach answer 404, never 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pplearn.models import District, User

from . import reminders
from .models import ReminderPreference
from .reminder_forms import ReminderPauseForm, ReminderPreferenceForm, ReminderSettingsForm


def get_settings_district_or_404(user) -> District:
    district = reminders.reminder_settings_editor_district(user)
    if district is None:
        raise Http404("No reminder settings to change")
    return district


def get_pausing_district_or_404(user) -> District:
    district = reminders.pausing_district(user)
    if district is None:
        raise Http404("No reminders to pause")
    return district


def get_person_to_pause_or_404(user, pk: int) -> User:
    person = get_object_or_404(User.objects.select_related("district"), pk=pk)
    if not reminders.can_pause_reminders(user, person):
        raise Http404("No such person")
    return person


def _today(district: District):
    return timezone.now().astimezone(reminders.district_zone(district)).date()


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """The district's reminders: which kinds, after how long, how often, and quiet hours."""
    district = get_settings_district_or_404(request.user)
    rules = reminders.reminder_settings_of(district)
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, instance=rules)
    if request.method == "POST" and form.is_valid():
        reminders.reminder_settings_update(
            district=district, actor=request.user, changes=form.cleaned_data
        )
        messages.success(request, "Saved the reminder settings. The next hourly sweep uses them.")
        return redirect("coaching:reminder_settings")
    context = {"form": form, "district": district}
    return render(request, "coaching/reminders/reminder_settings_form.html", context)


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """One's own choice: single emails or one daily digest. Pauses show, read only."""
    preference = (
        ReminderPreference.objects.filter(user=request.user).select_related("paused_by").first()
    )
    delivery = preference.delivery if preference else ReminderPreference.Delivery.IMMEDIATE
    form = ReminderPreferenceForm(
        request.POST if request.method == "POST" else None, initial={"delivery": delivery}
    )
    if request.method == "POST" and form.is_valid():
        reminders.reminder_delivery_set(user=request.user, delivery=form.cleaned_data["delivery"])
        messages.success(request, "Saved your notification settings.")
        return redirect("coaching:notification_settings")
    today = _today(request.user.district) if request.user.district_id else timezone.localdate()
    context = {
        "form": form,
        "preference": preference,
        "paused": reminders.is_paused(preference, today),
    }
    return render(request, "coaching/reminders/reminder_preference_form.html", context)


@login_required
def reminder_pause_list(request: HttpRequest) -> HttpResponse:
    """People whose reminders are paused, and a form to pause someone for their leave."""
    district = get_pausing_district_or_404(request.user)
    today = _today(district)
    people = User.objects.visible_to(request.user).filter(district=district, is_active=True)
    form = ReminderPauseForm(
        request.POST if request.method == "POST" else None,
        people=people.order_by("full_name", "pk"),
        today=today,
    )
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        until = form.cleaned_data["paused_until"]
        reminders.reminders_pause(person=person, actor=request.user, until=until)
        messages.success(request, f"Paused the reminders of {person} until {until:%B %-d, %Y}.")
        return redirect("coaching:reminder_pause_list")
    paused = (
        ReminderPreference.objects.filter(user__in=people, paused_until__gte=today)
        .select_related("user", "paused_by")
        .order_by("paused_until", "user__full_name")
    )
    context = {"form": form, "paused": paused, "district": district}
    return render(request, "coaching/reminders/reminder_pause_list.html", context)


@login_required
def reminder_pause(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Pause one person's reminders until a date."""
    person = get_person_to_pause_or_404(request.user, person_pk)
    today = _today(person.district)
    preference = ReminderPreference.objects.filter(user=person).first()
    initial = (
        {"paused_until": preference.paused_until} if reminders.is_paused(preference, today) else {}
    )
    form = ReminderPauseForm(
        request.POST if request.method == "POST" else None, initial=initial, today=today
    )
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data["paused_until"]
        reminders.reminders_pause(person=person, actor=request.user, until=until)
        messages.success(request, f"Paused the reminders of {person} until {until:%B %-d, %Y}.")
        return redirect("coaching:reminder_pause_list")
    context = {"form": form, "person": person, "paused": reminders.is_paused(preference, today)}
    return render(request, "coaching/reminders/reminder_pause_form.html", context)


@login_required
@require_POST
def reminder_unpause(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_to_pause_or_404(request.user, person_pk)
    reminders.reminders_unpause(person=person, actor=request.user)
    messages.success(request, f"The reminders of {person} resume with the next hourly sweep.")
    return redirect("coaching:reminder_pause_list")
