"""How each baseline gets its rows from the SQLite store (no 3CĐ store, cache or workbook).

- `read_tabs`: every row of the tabs Tổng hợp needs, as DataFrames — what the st.cache_data
  baseline caches (DataFrames pickle quickly, and st.cache_data unpickles a copy on every hit).
- `query_screen`: only what one render of Tổng hợp needs — the units, cycles and users, and the
  chosen cycle's registrations and roll-ups (`WHERE cycle_id = ?`) — what the SQL baseline runs
  on every render.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from benchmarks.baselines.plain_board import CYCLE_TABS, WHOLE_TABS, Rows
from services.storage.sql import VERSIONS

ROW = "_row"  # the SQL engine's insertion order (services/storage/sql.py)


def connect(path: str | Path) -> sqlite3.Connection:
    """A read-only connection; the app's SQL engine keeps the file in WAL mode."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def read_tabs(path: str | Path) -> dict[str, pd.DataFrame]:
    with connect(path) as conn:
        return {
            tab: pd.read_sql_query(f'SELECT * FROM "{tab}" ORDER BY {ROW}', conn).drop(columns=ROW)
            for tab in (*WHOLE_TABS, *CYCLE_TABS)
        }


def frame_rows(frame: pd.DataFrame) -> Rows:
    return frame.to_dict("records")


def query_screen(conn: sqlite3.Connection, cycle_id: str | None) -> dict[str, Rows]:
    """The rows one render needs; without a cycle, only the small tabs (to pick one)."""
    out = {
        tab: [dict(r) for r in conn.execute(f'SELECT * FROM "{tab}" ORDER BY {ROW}')]
        for tab in WHOLE_TABS
    }
    for tab in CYCLE_TABS:
        out[tab] = (
            [
                dict(r)
                for r in conn.execute(
                    f'SELECT * FROM "{tab}" WHERE cycle_id = ? ORDER BY {ROW}', (cycle_id,)
                )
            ]
            if cycle_id
            else []
        )
    return out


def change_token(conn: sqlite3.Connection) -> int:
    """A number that grows with every committed write (the sum of the store's per-tab write
    counters, each bumped by a write to its tab): what auto-refresh polls."""
    return conn.execute(f"SELECT COALESCE(SUM(version), 0) FROM {VERSIONS}").fetchone()[0]
