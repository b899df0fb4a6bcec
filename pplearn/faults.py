"""Turn a database that is briefly away into a friendly 503 page, not a 500 traceback.

Django wraps every middleware so that an exception becomes a 500 response before it reaches
the next one out; a `process_exception` hook would only see errors raised in views. Instead
the `got_request_exception` signal marks the request when the error is the database's, and
this middleware, placed outside the session and authentication middleware, swaps that 500
for the 503 page with Retry-After. Nothing needs resetting afterwards: Django opens a new
connection on the next request (CONN_HEALTH_CHECKS drops a dead persistent one).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_MARK = "_pplearn_database_unavailable"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether the error says the database could not be reached or the connection broke."""
    return isinstance(exc, OperationalError | InterfaceError)


@receiver(got_request_exception)
def _mark_database_unavailable(sender, request: HttpRequest | None = None, **kwargs) -> None:
    exc = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exc):
        setattr(request, _MARK, True)
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exc)


def service_unavailable_response() -> HttpResponse:
    """The 503 page; rendered without the request so that it needs no database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when a request failed because the database was away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            # Only when this is the innermost layer (tests that call it directly).
            logger.warning(
                "Database unavailable during %s %s: %s", request.method, request.path, exc
            )
            return service_unavailable_response()
        if response.status_code == 500 and getattr(request, _MARK, False):
            return service_unavailable_response()
        return response
