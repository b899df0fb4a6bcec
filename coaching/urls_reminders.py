"""URLs of the reminders; coaching/urls.py includes them in the `coaching` namespace."""

from django.urls import path

from . import reminder_views

urlpatterns = [
    path("settings/reminders/", reminder_views.reminder_settings, name="reminder_settings"),
    path(
        "notifications/settings/",
        reminder_views.notification_settings,
        name="notification_settings",
    ),
    path("reminders/pauses/", reminder_views.reminder_pause_list, name="reminder_pause_list"),
    path(
        "reminders/pauses/<int:person_pk>/",
        reminder_views.reminder_pause,
        name="reminder_pause",
    ),
    path(
        "reminders/pauses/<int:person_pk>/end/",
        reminder_views.reminder_unpause,
        name="reminder_unpause",
    ),
]
