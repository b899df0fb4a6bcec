from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import access_log_views, manage_views, notification_views, views
from .forms import EmailAuthenticationForm, EmailPasswordResetForm

manage_patterns = (
    [
        path("schools/", manage_views.school_list, name="school_list"),
        path("schools/add/", manage_views.school_create, name="school_create"),
        path("schools/<int:pk>/", manage_views.school_edit, name="school_edit"),
        path("schools/<int:pk>/active/", manage_views.school_set_active, name="school_set_active"),
        path("school-years/", manage_views.school_year_list, name="school_year_list"),
        path("school-years/add/", manage_views.school_year_form, name="school_year_create"),
        path("school-years/<int:pk>/", manage_views.school_year_form, name="school_year_edit"),
        path(
            "school-years/<int:pk>/current/",
            manage_views.school_year_make_current,
            name="school_year_make_current",
        ),
        path("people/", manage_views.person_list, name="person_list"),
        path("people/add/", manage_views.person_create, name="person_create"),
        path("people/<int:pk>/", manage_views.person_edit, name="person_edit"),
        path("people/<int:pk>/active/", manage_views.person_set_active, name="person_set_active"),
        path("people/<int:pk>/send-link/", manage_views.person_send_link, name="person_send_link"),
    ],
    "manage",
)

auth_patterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=EmailPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("role/", views.role_switch, name="role_switch"),
    path("healthz", views.healthz, name="healthz"),
    path("access-log/", access_log_views.access_log, name="access_log"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path(
        "notifications/<int:pk>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path("manage/", include(manage_patterns)),
    path("", include("goals.urls")),
    path("", include("evidence.urls")),
    path("", include("coaching.urls")),
    path("", include("dashboards.urls")),
    path("", include("library.urls")),
    path("accounts/", include(auth_patterns)),
    path("admin/", admin.site.urls),
]
handler400 = "pplearn.error_views.bad_request"
