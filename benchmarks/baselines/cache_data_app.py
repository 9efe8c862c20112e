"""Baseline (a) of the load benchmark: Tổng hợp as a plain Streamlit app with `st.cache_data`.

The tabs the screen needs are loaded as DataFrames by one `@st.cache_data(ttl=60)` loader, keyed
also by the store's write counter so a write is seen at once; every render gets its copy from the
cache, filters the chosen cycle and computes the board (benchmarks/baselines/plain_board.py), then
draws exactly what the app draws (pages/_board_view.py). Run by benchmarks/load.py with
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

st.set_page_config(page_title="3CĐ — baseline st.cache_data", layout="wide")


@st.cache_resource
def connection():
    return loaders.connect(PATH)


@st.cache_data(ttl=60, show_spinner=False)
def load_tabs(path: str, token: int):
    """Every row of the screen's tabs; `token` (the write counter) makes a write show at once."""
    return loaders.read_tabs(path)


token = loaders.change_token(connection())
tabs = load_tabs(PATH, token)
users = loaders.frame_rows(tabs["users"])
people = plain_board.demo_people(users)
with st.sidebar:
    email = st.selectbox(
        "Người dùng", list(people), format_func=lambda e: people[e], key="demo_person"
    )
me = plain_board.actor_for(users, email)
st.title('Tổng hợp đăng ký Đoàn cơ sở "3 chủ động"')
cycles = plain_board.cycles_newest_first(loaders.frame_rows(tabs["cycles"]))
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


def of_cycle(tab: str):
    frame = tabs[tab]
    return loaders.frame_rows(frame[frame["cycle_id"] == cycle.id])


board = plain_board.board(
    loaders.frame_rows(tabs["units"]),
    cycle,
    of_cycle("registrations"),
    of_cycle("upper_reports"),
    me,
)
follow_new_data(token)
_board_view.draw(board, NOW)
