"""Adding to counters kept in rows: one INSERT ... ON CONFLICT DO UPDATE for many rows.

Two transactions adding to the same row both count (the row is locked and added to, never read
and written back), and the rows are written in key order, so two saves that touch the same rows
lock them in the same order and cannot deadlock. SQLite (3.24 and later) and PostgreSQL both
take this statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection, models


def add_to(model: type[models.Model], keys: Sequence[str], sums: Sequence[str], changes: Mapping[tuple, tuple]) -> None:
    """Add `changes` ({key values: amounts to add}) to `model`'s rows, creating the missing ones.
    `keys` are the columns of a unique constraint; `sums` the columns added to. Amounts may be
    negative: the columns must then allow it (no PositiveIntegerField check)."""
    if not changes:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in (*keys, *sums)]
    fields = [model._meta.get_field(name) for name in (*keys, *sums)]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for key, amounts in sorted(changes.items()):
        for field, value in zip(fields, (*key, *amounts), strict=True):
            params.append(field.get_db_prep_save(value, connection))
    quoted = connection.ops.quote_name
    added = ", ".join(f"{quoted(c)} = {quoted(table)}.{quoted(c)} + excluded.{quoted(c)}" for c in columns[len(keys) :])
    sql = (
        f"INSERT INTO {quoted(table)} ({', '.join(map(quoted, columns))}) VALUES {', '.join([row] * len(changes))} "  # noqa: S608
        f"ON CONFLICT ({', '.join(map(quoted, columns[: len(keys)]))}) DO UPDATE SET {added}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
