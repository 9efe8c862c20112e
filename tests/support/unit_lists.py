"""Unit and user lists as staff keep them: a title in merged cells above the header, their own
header wording, blank rows, a totals row, names typed without diacritics or in capitals.

The units are the demo province's (tests/support/builders.py): the list keeps most of today's
units, adds new communes and a Đoàn Khối with a school under it, merges two communes from its
"Hình thành từ" column, and leaves some units out.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

TITLE = "DANH SÁCH ĐOÀN CƠ SỞ TRỰC THUỘC TỈNH ĐOÀN (SAU SẮP XẾP)"
HEADER = ["STT", "Tên ĐV", "Loại", "Trực thuộc", "Số ĐV", "Bí thư", "SĐT", "Hình thành từ"]
# (name, kind, upper unit, members, secretary, phone, formed from); None = a blank row
ROWS: list[tuple[str, str, str, str, str, str, str] | None] = [
    ("Đoàn phường Phố Hiến", "Phường", "", "1450", "Nguyễn Văn Hiến", "0912000001", ""),
    ("DOAN XA TIEN LU", "Xã", "", "820", "", "", ""),  # capitals, no diacritics: confirm it
    ("Đoàn xã Hoàng Hoa Thám", "Xã", "", "", "", "", ""),
    None,
    ("Đoàn xã Mẫu Mới 1", "Xã", "", "300", "Trần Thị Mới", "0912000002", ""),
    ("Đoàn phường Mẫu Mới 2", "Phường", "", "", "", "", ""),
    ("Đoàn xã Hợp Nhất Mẫu", "Xã", "", "500", "", "", "Đoàn xã Chí Minh; Đoàn xã Đại Đồng"),
    ("Đoàn Khối Trường học Mẫu 3", "Đoàn Khối", "", "", "", "", ""),
    ("Đoàn trường THPT Mẫu 4", "Trường THPT", "Đoàn Khối Trường học Mẫu 3", "", "", "", ""),
    None,
    ("Đoàn xã Mẫu Mới 1", "Xã", "", "", "", "", ""),  # the same commune twice
    ("Doan co so Co quan Mau 1", "Cơ quan", "", "", "", "", ""),  # two units have this name
]
NEW_COMMUNES = ("Đoàn xã Mẫu Mới 1", "Đoàn phường Mẫu Mới 2", "Đoàn xã Hợp Nhất Mẫu")
# The same list whose last column a person named their own way: the app cannot guess it.
OWN_HEADER = [*HEADER[:-1], "Gồm các xã cũ"]


def messy_unit_list(rows=ROWS, totals: bool = True, header: list[str] = HEADER) -> bytes:
    """The unit list as an .xlsx: a merged title (A1:H1), a subtitle, a blank row, the header in
    row 4, numbered rows with blank ones between, and a totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "DS đơn vị"
    sheet.append([TITLE])
    sheet.merge_cells("A1:H1")
    sheet.append(["(Kèm theo Công văn số 15-CV/TĐTN)"])
    sheet.merge_cells("A2:H2")
    sheet.append([])
    sheet.append(header)
    number = 0
    for row in rows:
        if row is None:
            sheet.append([])
            continue
        number += 1
        name, kind, upper, members, secretary, phone, formed = row
        sheet.append(
            [number, name, kind, upper, int(members) if members else None, secretary, phone, formed]
        )
    if totals:
        sheet.append(["Tổng cộng", None, None, None, "=SUM(E5:E20)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


USER_HEADER = ["Họ và tên", "Email", "Vai trò", "Đơn vị"]


def user_list(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A users list with a title row above its header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ SỬ DỤNG 3CĐ"])
    sheet.merge_cells("A1:D1")
    sheet.append(USER_HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
