"""Payouts and payroll: the pending list, exporting a batch, downloading a batch again."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import payroll
from .payroll_permissions import (
    get_batch_for_exporter_or_404,
    get_export_district_or_404,
    get_payroll_access_or_404,
)


@login_required
def payout_list(request: HttpRequest) -> HttpResponse:
    access = get_payroll_access_or_404(request.user)
    district = access.district
    pending = payroll.payouts_pending(district, schools=access.schools)
    page = Paginator(pending.payouts, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "district": district,
        "pending": pending,
        "page": page,
        "batches": payroll.payroll_batches(district) if access.can_export else None,
        "currency": payroll.currency_for(district),
        "zone": payroll.district_zone(district),
    }
    return render(request, "evidence/payroll/payout_list.html", context)


@login_required
@require_POST
def payroll_export(request: HttpRequest) -> HttpResponse:
    district = get_export_district_or_404(request.user)
    try:
        batch = payroll.payroll_export(district=district, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:payout_list")
    totals = payroll.payroll_batches(district).get(pk=batch.pk)
    currency = payroll.currency_for(district)
    messages.success(
        request,
        f"Exported batch {batch.number}: {totals.payout_count} "
        f"payout{'s' if totals.payout_count != 1 else ''}, {currency.format(totals.amount)} "
        f"and {totals.credit:.2f} credit. Download it for payroll below; "
        "these payouts will not be exported again.",
    )
    return redirect("evidence:payout_list")


@login_required
@require_GET
@never_cache
def payroll_batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_exporter_or_404(request.user, pk)
    file_format = request.GET.get("format", "csv")
    if file_format not in payroll.FORMATS:
        raise Http404("No such format")
    file = payroll.payroll_download(batch=batch, actor=request.user, file_format=file_format)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response
