"""Lookups shared by the apps."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class Among(Lookup):
    """`field IN (ids)` without Django preparing each id one by one.

    The reminder sweep names a batch of 500 people in every query and the review queue a
    district's 200 schools; `field__in=ids` prepared them value by value (a third of the
    sweep's time). PostgreSQL gets one array instead (`= ANY`, the plan it makes of an IN
    list anyway); other databases an IN list. No ids match nothing.
    """

    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        array = f"{self.lhs.output_field.rel_db_type(connection)}[]"
        return f"{lhs} = ANY(%s::{array})", (*params, self.rhs)


def among(field: str, ids) -> Among:
    """A filter: the row's `field` (an id) is one of `ids`."""
    return Among(F(field), sorted(ids))
