"""Small pieces of HTML written in Python where the template language is too slow."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe


def options_html(choices: Iterable[tuple[int, str]], chosen: int | None) -> SafeString:
    """The <option>s of a select of (id, name) pairs, the chosen one selected.

    A select widget renders a template per option, and the template language a loop step
    per option, which a district of 200 schools feels on every page (issue 8). The names are
    escaped as Django's escape does (the standard library's, quotes included), without its
    lazy-string wrapper.
    """
    options = (
        f'<option value="{pk:d}"{" selected" if pk == chosen else ""}>{escape(name)}</option>'
        for pk, name in choices
    )
    return mark_safe("".join(options))  # noqa: S308 (ids are numbers, names escaped)
