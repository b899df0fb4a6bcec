"""The district dashboard: every school side by side."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def district_dashboard(request):
    """Show every school's figures side by side (being built)."""
    raise Http404("The district dashboard is being built.")
