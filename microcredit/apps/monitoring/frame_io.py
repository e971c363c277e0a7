"""Moving whole tables between the database and Polars: COPY on PostgreSQL, plain cursors on
SQLite. Used by the daily close; nothing here knows about loans."""

from __future__ import annotations

import io

import polars as pl
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def read_frame(sql: str, schema: dict, params: tuple = ()) -> pl.DataFrame:
    """Run ``sql`` and return its rows as a DataFrame of ``schema`` (COPY … TO on PostgreSQL)."""
    with connection.cursor() as cursor:
        if is_postgres():
            buf = io.BytesIO()
            raw = cursor.cursor
            query = raw.mogrify(sql, params) if params else sql
            with raw.copy(f"COPY ({query}) TO STDOUT (FORMAT CSV)") as copy:
                for block in copy:
                    buf.write(block)
            if buf.tell() == 0:
                return pl.DataFrame(schema=schema)
            buf.seek(0)
            return pl.read_csv(buf, has_header=False, new_columns=list(schema), schema=schema,
                               try_parse_dates=False)
        cursor.execute(sql, params)
        rows = [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in r) for r in cursor.fetchall()]
    df = pl.DataFrame(rows, schema={k: (pl.Utf8 if v == pl.Date else v) for k, v in schema.items()}, orient="row")
    return df.with_columns(pl.col(k).str.to_date() for k, v in schema.items() if v == pl.Date)


def write_temp(name: str, df: pl.DataFrame, columns_sql: str) -> None:
    """Create temp table ``name`` (``columns_sql``) and load ``df`` into it (COPY … FROM)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({columns_sql})")
        if df.is_empty():
            return
        if is_postgres():
            buf = io.BytesIO()
            df.write_csv(buf, include_header=False, null_value="")
            with cursor.cursor.copy(f"COPY {name} ({', '.join(df.columns)}) FROM STDIN (FORMAT CSV)") as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * len(df.columns))
            rows = [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in r) for r in df.iter_rows()]
            cursor.executemany(f"INSERT INTO {name} ({', '.join(df.columns)}) VALUES ({marks})", rows)
