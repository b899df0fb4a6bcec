"""URLs of teams and PLCs."""

from django.urls import path

from . import team_views

urlpatterns = [
    path("teams/", team_views.team_list, name="team_list"),
    path("teams/new/", team_views.team_create, name="team_create"),
    path("teams/<int:pk>/", team_views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", team_views.team_edit, name="team_edit"),
    path("teams/<int:pk>/meetings/new/", team_views.team_meeting_add, name="team_meeting_add"),
    path(
        "teams/<int:pk>/meetings/<int:meeting_pk>/edit/",
        team_views.team_meeting_edit,
        name="team_meeting_edit",
    ),
]
