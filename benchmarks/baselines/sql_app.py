"""Baseline (b) of the load benchmark: Tổng hợp as a plain Streamlit app querying SQL per render.

Every render asks the SQLite store for only what the screen needs — the units, cycles and users,
and the chosen cycle's registrations and roll-ups (`WHERE cycle_id = ?`) — computes the board
(benchmarks/baselines/plain_board.py) and draws exactly what the app draws
(pages/_board_view.py). Nothing is cached but the connection. Run by benchmarks/load.py with
TCD_SQLITE_PATH and TCD_NOW set; not part of the app.
"""

from __future__ import annotations

import os

import streamlit as st

from benchmarks.baselines import loaders, plain_board
from pages import _board_view
from schemas.cells import parse_iso
from services.registration import deadlines

PATH = os.environ["TCD_SQLITE_PATH"]
NOW = parse_iso(os.environ["TCD_NOW"])  # the benchmark's fixed clock, as the app gets it

st.set_page_config(page_title="3CĐ — baseline SQL", layout="wide")


@st.cache_resource
def connection():
    return loaders.connect(PATH)


conn = connection()
token = loaders.change_token(conn)
small = loaders.query_screen(conn, None)
people = plain_board.demo_people(small["users"])
with st.sidebar:
    email = st.selectbox(
        "Người dùng", list(people), format_func=lambda e: people[e], key="demo_person"
    )
me = plain_board.actor_for(small["users"], email)
st.title('Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
cycles = plain_board.cycles_newest_first(small["cycles"])
current = plain_board.current_cycle(cycles, NOW)
cycle = st.selectbox(
    "Năm thực hiện",
    cycles,
    index=cycles.index(current) if current in cycles else 0,
    key="cycle",
    format_func=lambda c: f"{c.name} (hạn đăng ký: {deadlines.cutoff_words(c.register_cutoff)})",
)


@st.fragment(run_every=15)
def follow_new_data(drawn: int) -> None:
    if loaders.change_token(connection()) != drawn:
        st.rerun()
    st.caption(f"Số liệu lúc {NOW:%H:%M:%S %d/%m/%Y} · tự cập nhật khi có dữ liệu mới.")


rows = loaders.query_screen(conn, cycle.id)
board = plain_board.board(rows["units"], cycle, rows["registrations"], rows["upper_reports"], me)
follow_new_data(token)
_board_view.draw(board, NOW)
