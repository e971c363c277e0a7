"""Inserting many rows fast: PostgreSQL's COPY, or one executemany elsewhere — no model instances.

`QuerySet.bulk_create` builds a model instance per row and an INSERT with a parameter per cell;
at a province's 400,000 ledger rows that is most of an import (docs/benchmarks.md). `insert_rows`
takes plain tuples in the order of the given attribute names (``bank_id`` for a foreign key) and
streams them: COPY on PostgreSQL (psycopg adapts dates, decimals, booleans and None itself), an
``executemany`` of one INSERT on SQLite (values prepared by each field, as the ORM would). It runs
inside the caller's transaction and bypasses model ``save()`` and signals: callers pass complete,
checked rows (defaults included).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

BATCH = 5_000  # rows per executemany on SQLite


def insert_rows(model, attnames: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (each a sequence of values for ``attnames``) into ``model``'s table; the count."""
    fields = [model._meta.get_field(name) for name in attnames]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for row in rows:
            batch.append([f.get_db_prep_save(v, connection) for f, v in zip(fields, row)])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
