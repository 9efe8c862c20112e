"""Every table goes through `_ui.table`: its cells made inert, and a frame shared by every session
turned into the Arrow table Streamlit sends once, not on every render."""

from __future__ import annotations

import pandas as pd
from streamlit import dataframe_util

from pages import _ui


def shared_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Đơn vị": ['=HYPERLINK("http://x")', "Đoàn xã Thuần Hưng", "+84912345678"],
            "Số đoàn viên": [120, 85, 40],
        }
    )


def test_a_shared_frame_is_converted_once_while_it_lives():
    frame = shared_frame()
    first = _ui._inert(frame)
    assert _ui._inert(frame) is first
    assert _ui._inert(shared_frame()) is not first  # another frame: converted for itself


def test_the_browser_gets_the_same_bytes_as_from_the_frame_itself():
    frame = shared_frame()
    inert = frame.map(_ui.inert_cell)
    sent = dataframe_util.convert_arrow_table_to_arrow_bytes(_ui._inert(frame))
    assert sent == dataframe_util.convert_pandas_df_to_arrow_bytes(inert)


def test_the_cells_stay_inert_and_numbers_stay_numbers():
    shown = _ui._inert(shared_frame()).to_pandas()
    assert list(shown["Đơn vị"]) == [
        '\'=HYPERLINK("http://x")',
        "Đoàn xã Thuần Hưng",
        "+84912345678",
    ]
    assert list(shown["Số đoàn viên"]) == [120, 85, 40]
