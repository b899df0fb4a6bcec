"""Fast inserts for generated rows: PostgreSQL COPY, or bulk_create on other databases.

Rows are dicts of attribute names; columns a row leaves out take the field's default,
computed once per table, so a field added later with a default needs no change here.
"""

from __future__ import annotations

import functools
import io
import json

from django.db import connection, models

FLUSH_ROWS = 50_000


class _NoDefault:
    pass


def _field_default(field: models.Field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    return _NoDefault


@functools.lru_cache(maxsize=8192)
def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _text(value) -> str:
    return "" if value is None else _quote(str(value))


def _plain(value) -> str:
    return "" if value is None else str(value)


def _bool(value) -> str:
    return "" if value is None else ("t" if value else "f")


def _moment(value) -> str:
    return "" if value is None else value.isoformat()


def _duration(value) -> str:
    return "" if value is None else f'"{value.total_seconds()} seconds"'


def _json(value) -> str:
    return "" if value is None else _quote(json.dumps(value))


def _converter(field: models.Field):
    """How one column's values are written in COPY's csv format (empty unquoted is NULL)."""
    if isinstance(field, models.BooleanField):
        return _bool
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):
        return _moment
    if isinstance(field, models.DurationField):
        return _duration
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return _plain
    if isinstance(field, models.DecimalField | models.FloatField):
        return _plain
    return _text


class Table:
    """Collects rows of one model (or m2m through table) and writes them in batches."""

    def __init__(self, model: type[models.Model], *, with_pk: bool = True):
        self.model = model
        self.with_pk = with_pk
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: _field_default(f) for f in fields}
        self.converters = [(f.attname, _converter(f), self.defaults[f.attname]) for f in fields]
        self.rows: list[dict] = []
        self.count = 0
        self.use_copy = connection.vendor == "postgresql"

    def add(self, **row) -> None:
        self.rows.append(row)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def _value(self, row: dict, attname: str):
        if attname in row:
            return row[attname]
        value = self.defaults[attname]
        if value is _NoDefault:
            raise ValueError(f"{self.model.__name__}.{attname} needs a value")
        return value

    def flush(self) -> None:
        if not self.rows:
            return
        if self.use_copy:
            buffer = io.StringIO()
            write = buffer.write
            converters = self.converters
            required = [a for a in self.attnames if self.defaults[a] is _NoDefault]
            for row in self.rows:
                for a in required:
                    if a not in row:
                        self._value(row, a)  # raises: the column has no value or default
                write(",".join([convert(row.get(a, d)) for a, convert, d in converters]))
                write("\n")
            buffer.seek(0)
            sql = (
                f'COPY "{self.model._meta.db_table}" ('
                + ", ".join(f'"{c}"' for c in self.columns)
                + ") FROM STDIN WITH (FORMAT csv)"
            )
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(sql, buffer)
        else:
            objs = [
                self.model(**{a: self._value(row, a) for a in self.attnames}) for row in self.rows
            ]
            self.model.objects.bulk_create(objs, batch_size=2000)
        self.count += len(self.rows)
        self.rows = []


def next_pk(model: type[models.Model]) -> int:
    """The first primary key after the existing rows, for ids assigned in Python."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(model_list) -> None:
    """Move the id sequences past the ids assigned in Python (PostgreSQL)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
