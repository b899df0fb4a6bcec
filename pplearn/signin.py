"""Sign-in lockout (django-axes): who counts as the same person, and the page they see."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import EmailAuthenticationForm

LOCKED_OUT_MESSAGE = (
    "Too many attempts to sign in with that email from this device. "
    "Wait {minutes} minutes, then try again. If you have forgotten your password, reset it now."
)


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Count attempts per email whatever its case or spaces, so variants share one limit."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return (username or "").strip().casefold()


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Show the sign-in page again with a message that is the same for every email."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = EmailAuthenticationForm(request, initial={"username": axes_username(request, None)})
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out_message": LOCKED_OUT_MESSAGE.format(minutes=minutes),
            "next": request.POST.get("next", "") if request.method == "POST" else "",
        },
        status=429,
    )
