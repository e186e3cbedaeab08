"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg.types.json import Jsonb


def bulk_copy(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` with PostgreSQL COPY in the current transaction and set their ids.

    For large batches on the hot ingest path: Django's ``bulk_create`` spends most of its time
    quoting every value in Python (client-side binding of the UNNEST arrays); COPY streams the
    rows. Ids come from the table's sequence in one query, so the objects can be referred to
    afterwards exactly as after ``bulk_create``. Constraint violations surface as Django's
    IntegrityError, as they would from ``bulk_create``. No signals are sent (as with
    ``bulk_create``).
    """
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column_name(f)) for f in [meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for pk, obj in zip(ids, objs, strict=True):
                copy.write_row([pk, *(_value(obj, f) for f in fields)])
    for pk, obj in zip(ids, objs, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def column_name(field: models.Field) -> str:
    # Django types Field.column as optional (None for fields without one); a concrete field
    # always has a column.
    assert field.column is not None
    return field.column


def _value(obj: models.Model, field: models.Field) -> object:
    value = field.pre_save(obj, add=True)
    if isinstance(field, models.JSONField):
        return None if value is None else Jsonb(value)
    return value
