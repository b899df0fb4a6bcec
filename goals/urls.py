from django.urls import path

from . import views
from .urls_teams import urlpatterns as team_patterns
from .urls_vision import urlpatterns as vision_patterns

app_name = "goals"

urlpatterns = [
    path("goals/", views.goal_list, name="goal_list"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/approvals/", views.approval_list, name="approval_list"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/transition/", views.goal_transition, name="goal_transition"),
    path("goals/<int:pk>/target-tier/", views.goal_target_tier, name="goal_target_tier"),
    path("goals/<int:pk>/carry-forward/", views.goal_carry_forward, name="goal_carry_forward"),
    path("goals/<int:pk>/comments/", views.goal_comment, name="goal_comment"),
    *vision_patterns,
    *team_patterns,
]
