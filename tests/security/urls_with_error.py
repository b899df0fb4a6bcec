"""The site's URLs plus one view that fails, to look at the 500 page."""

from django.urls import path

from pplearn.urls import handler400, urlpatterns  # noqa: F401 - the same error handlers

SECRET_IN_ERROR = "the-database-password-is-hunter2"


def fail(request):
    raise RuntimeError(SECRET_IN_ERROR)


urlpatterns = [*urlpatterns, path("fail/", fail)]
