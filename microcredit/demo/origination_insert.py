"""Fast multi-row INSERT for the demo's big tables (instalments, events, transitions).

``bulk_create`` spends most of its time preparing values field by field; the demo writes a
quarter of a million plain rows, so it goes through the DB-API ``executemany`` instead, with
the backend's own adapters (SQLite and PostgreSQL alike). Rows are dicts keyed by attname;
missing fields take the model default, ``auto_now(_add)`` fields the current time.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable

from django.db import connection
from django.utils import timezone

CHUNK = 5000


def _converter(field) -> Callable | None:
    ops, kind = connection.ops, field.get_internal_type()
    if kind == "JSONField":
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if kind == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "DecimalField":
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def fast_insert(model, rows: Iterable[dict]) -> int:
    """INSERT ``rows`` into ``model``'s table without building model instances; returns the count."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(f.get_default())
    convert = [_converter(f) for f in fields]
    is_pg = connection.vendor == "postgresql"
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join("%s::jsonb" if is_pg and f.get_internal_type() == "JSONField" else "%s" for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})"
    names = [f.attname for f in fields]
    spec = list(zip(names, defaults, convert))
    n, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([c(row.get(a, d)) if c else row.get(a, d) for a, d, c in spec])
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n
