"""The shared library of finished Tier 4 practices."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def entry_list(request):
    """List published practices (being built)."""
    raise Http404("The library is being built.")
