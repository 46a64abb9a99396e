"""Insert many rows at once: COPY on PostgreSQL, bulk_create elsewhere.

For tables written by the thousand (results, cases) where building model instances and compiling INSERTs
costs more than the database's own work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple], *, batch_size=5000
) -> int:
    """Insert `rows` (tuples in `fields` order; foreign keys by attname, e.g. `unit_result_id`).
    Returns the number of rows."""
    columns = [model._meta.get_field(name).column for name in fields]  # get_field knows attnames too
    n = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=batch_size)
    return len(objects)
