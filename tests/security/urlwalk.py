"""Every URL pattern of the site, by name, with arguments to reverse it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

DUMMY = {"int": 1, "slug": "x", "str": "x", "path": "1", "uuid": "00000000-0000-0000-0000-0000"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for an unnamed pattern
    route: str  # the pattern's text, for messages
    converters: tuple[tuple[str, str], ...]  # (argument, converter) pairs

    def dummy_kwargs(self) -> dict:
        return {arg: DUMMY.get(conv, "1") for arg, conv in self.converters}


def _converter_name(converter) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


def walk(resolver=None, namespace: str = "", prefix: str = "", converters=()) -> list[Route]:
    """List every pattern reachable from the root URLconf, included apps too."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        convs = converters + tuple(
            (arg, _converter_name(conv))
            for arg, conv in getattr(entry.pattern, "converters", {}).items()
        )
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            routes += walk(entry, inner or "", prefix + pattern, convs)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            routes.append(Route(full, prefix + pattern, convs))
    return routes
