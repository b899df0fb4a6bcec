"""Turn a database that is briefly away into a friendly 503 page, not a 500 traceback.

Django wraps every middleware so that an exception becomes a 500 response before it reaches
the next one out; a `process_exception` hook would only see errors raised in views. Instead
the `got_request_exception` signal marks the request when the error is the database's, and
this middleware, placed outside the session and authentication middleware, swaps that 500
for the 503 page with Retry-After. Nothing needs resetting afterwards: Django opens a new
connection on the next request (CONN_HEALTH_CHECKS drops a dead persistent one).

A web worker killed mid-upload also leaves Django's partial temporary upload file behind;
StaleUploadSweepMiddleware removes such files when a worker starts.
"""

from __future__ import annotations

import datetime
import logging
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
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


# Django deletes a temporary upload file when the request ends; a web worker killed mid-upload
# never gets there. Anything this old was left by such a worker: live uploads write often.
STALE_UPLOAD_AGE = datetime.timedelta(hours=6)


def upload_temp_files_sweep(*, older_than: datetime.timedelta = STALE_UPLOAD_AGE) -> int:
    """Delete this user's temporary upload files left by killed web workers; return how many."""
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    # The names TemporaryUploadedFile gives: tmpXXXXXXXX.upload.<extension>
    for path in folder.glob("tmp*.upload*"):
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and info.st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    if removed:
        logger.warning(
            "Removed %d partial upload(s) left in %s by a killed worker", removed, folder
        )
    return removed


class StaleUploadSweepMiddleware:
    """At web worker start, remove partial uploads a killed worker left; then step aside."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        upload_temp_files_sweep()
        raise MiddlewareNotUsed
