"""Attach the active role to each request."""

from django.utils.functional import SimpleLazyObject

from .roles import active_role_for


class ActiveRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.active_role = SimpleLazyObject(lambda: active_role_for(request))
        return self.get_response(request)
