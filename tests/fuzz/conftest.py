"""Fuzzing every form with Hypothesis: the pages' own forms, posted with hostile values.

Each test opens a page as the role that uses it, reads the forms on it (fields, choices,
htmx posts) and posts drawn values to each form's action: arbitrary unicode, NUL bytes,
lone surrogates (sent as the invalid UTF-8 a hostile client can send), huge and negative
numbers, lists where one value is expected, missing fields. The answer must never be a
server error, and a refused post must leave the database exactly as it was.

HYPOTHESIS_PROFILE=thorough runs many more examples per page.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 400 if THOROUGH else 25))

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout; failures print their input
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# What a hostile or broken client may get back; anything else (500 above all) fails.
ACCEPTED = {200, 204, 302, 303, 400, 403, 404, 405, 409, 413, 422, 429}
# Tables whose rows change on any request, whatever it asks: sessions, lockout counters.
SIGN_OUT = "/accounts/sign-out/"
VOLATILE_TABLES = ("django_session", "axes_", "django_migrations", "django_content_type")


# Reading the forms of a page ---------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    values: list[str] = field(default_factory=list)  # the page's own value and choices


@dataclass
class Form:
    action: str
    multipart: bool = False
    htmx: bool = False
    fields: dict[str, Field] = field(default_factory=dict)
    include: str = ""  # hx-include="#id": the fields of another form

    def __str__(self) -> str:
        return f"POST {self.action} ({', '.join(self.fields) or 'no fields'})"


class FormParser(HTMLParser):
    """Collect POST forms (and htmx posts) with their fields and the values they offer."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.get_forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or self.page_url
            is_post = a.get("method", "get").lower() == "post" or "hx-post" in a
            self.current = self.by_id.get(a.get("id", ""), Form(action=""))
            self.current.action = urljoin(self.page_url, action)
            self.current.multipart = "multipart" in a.get("enctype", "")
            self.current.htmx = "hx-post" in a
            if a.get("id"):
                self.by_id[a["id"]] = self.current
            if is_post:
                self.forms.append(self.current)
            else:
                self.get_forms.append(self.current)
            return
        if "hx-post" in a:
            self.forms.append(
                Form(
                    action=urljoin(self.page_url, a["hx-post"]),
                    htmx=True,
                    include=a.get("hx-include", ""),
                )
            )
        owner = self.current
        if a.get("form"):
            owner = self.by_id.setdefault(a["form"], Form(action=""))
        if owner is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        name = a["name"]
        if tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit")
            found = owner.fields.setdefault(name, Field(name, kind))
            if a.get("value"):
                found.values.append(a["value"])
        elif tag == "textarea":
            owner.fields.setdefault(name, Field(name, "textarea"))
        elif tag == "select":
            self.select = owner.fields.setdefault(name, Field(name, "select"))
        elif tag == "option" and self.select is not None and a.get("value"):
            self.select.values.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    for form in parser.forms:
        if form.include.startswith("#") and form.include[1:] in parser.by_id:
            form.fields = dict(parser.by_id[form.include[1:]].fields)
    # Signing out is fuzzed on its own page: here it would only end the session.
    return [form for form in parser.forms if form.action and not form.action.endswith(SIGN_OUT)]


def query_forms_on(html: str, page_url: str) -> list[Form]:
    """The page's GET forms (search boxes, filters, choosers), with their fields."""
    parser = FormParser(page_url)
    parser.feed(html)
    return [form for form in parser.get_forms if form.action]


# Hostile values -----------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",  # a lone surrogate: sent as bytes that are not valid UTF-8
    "\udfff\ud800x",
    "0",
    "-1",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-0",
    "1.5",
    "0x10",
    "２",  # a full-width digit
    "٣",  # an Arabic-Indic digit
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "24:61",
    "true",
    "null",
    "[]",
    "{}",
    '{"a": [1, {"b": null}]}',
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "\u202egpj.exe",
    "x" * 5000,
    "🙂" * 300,
    "\r\n\t\x0b\x0c",
]
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=30),  # surrogates too
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


SMALL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
files = st.tuples(
    text,  # the file's name as the browser sends it
    st.one_of(st.just(SMALL_PDF), st.binary(max_size=300), st.just(b"name,score\nA,3\n")),
)


def field_values(found: Field):
    """One or more values for a field: its own choices, hostile text, or a list of both."""
    if found.kind == "file":
        return st.lists(files, max_size=2)
    own = st.sampled_from(found.values) if found.values else text
    one = st.one_of(own, own, text)
    return st.one_of(one.map(lambda v: [v]), st.lists(one, min_size=0, max_size=4))


def payloads(form: Form):
    """Drawn post data: each field present (one or several values) or missing, plus extras."""
    optional = {name: field_values(found) for name, found in form.fields.items()}
    extras = st.dictionaries(
        st.sampled_from(["id", "pk", "next", "status", "data"]), text.map(lambda v: [v]), max_size=2
    )
    return st.tuples(st.fixed_dictionaries({}, optional=optional), extras).map(
        lambda parts: parts[1] | parts[0]
    )


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def encode(data: dict[str, list[str]], *, multipart: bool) -> tuple[bytes, str]:
    """The body as a browser, or a hostile client, sends it; surrogates as invalid UTF-8."""
    if not multipart:
        data = {k: [v for v in values if not isinstance(v, tuple)] for k, values in data.items()}
        pairs = [(_bytes(name), _bytes(value)) for name, values in data.items() for value in values]
        return urlencode(pairs).encode("ascii"), "application/x-www-form-urlencoded"
    boundary = uuid.uuid4().hex
    parts = []
    for name, values in data.items():
        quoted = _bytes(name).replace(b'"', b"%22")
        for value in values:
            if isinstance(value, tuple):  # a file: its name, then its bytes
                filename = (
                    _bytes(value[0]).replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
                )
                header = b'form-data; name="' + quoted + b'"; filename="' + filename + b'"'
                header += b"\r\nContent-Type: application/octet-stream"
                content = value[1]
            else:
                header, content = b'form-data; name="' + quoted + b'"', _bytes(value)
            parts.append(
                b"--"
                + boundary.encode()
                + b"\r\nContent-Disposition: "
                + header
                + b"\r\n\r\n"
                + content
                + b"\r\n"
            )
    parts.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# The database, before and after -------------------------------------------------------------


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(t for t in names if not t.startswith(VOLATILE_TABLES))


def snapshot() -> dict[str, str]:
    """A fingerprint of every table's rows, in one query (PostgreSQL)."""
    tables = _tables()
    # Table names come from the database's own catalogue, never from input.
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "  # noqa: S608
        f"FROM {connection.ops.quote_name(table)} r"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [table for table in after if before.get(table) != after[table]]


def refused(response) -> bool:
    """Whether the app said no: an error status, a form shown with errors, an error message."""
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and b"is-invalid" in response.content:
        return True
    # Only this request's messages: the cookie may still carry those of earlier posts.
    queued = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
    return any(m.level >= message_levels.ERROR for m in queued)


def post_and_check(
    client, form: Form, data: dict[str, list[str]], *, htmx: bool, before: dict[str, str]
) -> None:
    """Post once inside a savepoint that is always undone; check the two properties."""
    body, content_type = encode(data, multipart=form.multipart)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    parts = urlsplit(form.action)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    client.cookies.pop("messages", None)
    with transaction.atomic():
        response = client.generic("POST", path, body, content_type=content_type, **headers)
        # pytest --hypothesis-show-statistics shows how often each answer came.
        event(f"{response.status_code}")
        assert response.status_code in ACCEPTED, f"{form}: answered {response.status_code}"
        if refused(response):
            assert changed(before, snapshot()) == [], f"{form}: refused but changed the database"
        transaction.set_rollback(True)


# The scene: one small district with something on every page, built once per module -------


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Everything the fuzzed pages need, in a transaction undone after the module."""
    from tests.fuzz.scene import build_scene

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
                built = build_scene()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


# One property, for every page -----------------------------------------------------------------

_forms_cache: dict[tuple[int, str], list[Form]] = {}
_before_cache: dict[tuple[int, str], dict[str, str]] = {}


def sign_in_as(client, scene, role: str | None) -> None:
    if role is None:
        client.logout()
    else:
        client.force_login(getattr(scene, role))


def page_forms(page, scene, client) -> list[Form]:
    """The POST forms of the page as its role sees it (read once per module)."""
    key = (id(scene), page.id)
    if key not in _forms_cache:
        sign_in_as(client, scene, page.role)
        url = page.url(scene)
        response = client.get(url)
        assert response.status_code == 200, f"{page}: GET {url} answered {response.status_code}"
        found = forms_on(response.content.decode(), f"http://testserver{url}")
        found += [Form(action=f"http://testserver{action}") for action in page.extra_posts(scene)]
        assert found, f"{page}: no form to post to on {url}"
        _forms_cache[key] = found
    return _forms_cache[key]


def fuzz_page(page, data, scene, client) -> None:
    """Post one drawn payload to one of the page's forms, as the page's role."""
    forms = page_forms(page, scene, client)
    form = data.draw(st.sampled_from(forms), label="form")
    payload = data.draw(payloads(form), label="payload")
    htmx = form.htmx or data.draw(st.booleans(), label="htmx")
    key = (id(scene), page.id)
    if page.fresh_session or key not in _before_cache:
        sign_in_as(client, scene, page.role)
        # Every post is undone, so the database is the same before each one: read it once
        # (signing in writes the last sign-in time, so read it again after that).
        _before_cache[key] = snapshot()
    post_and_check(client, form, payload, htmx=htmx, before=_before_cache[key])
