"""The teacher's growth record and printable portfolio."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def growth_record(request):
    """Show the teacher's own growth record (being built)."""
    raise Http404("The growth record is being built.")
