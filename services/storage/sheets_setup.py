"""What the Google Sheet shows staff, so fewer mistakes are made at the source.

When the engine creates or upgrades the spreadsheet (`SheetsStore.ensure_tabs`) each app tab gets,
in the same single `spreadsheets:batchUpdate` that creates missing tabs (one write request):

* its header row frozen (`updateSheetProperties` gridProperties.frozenRowCount) and visibly styled
  (`repeatCell` with `userEnteredFormat` textFormat/backgroundColor);
* warning-only protection (`addProtectedRange`, `warningOnly`) on the columns the app keeps — id,
  version, state, timestamps — whose description tells, in Vietnamese, to edit them in the app;
  the audit log is protected whole;
* data validation (`setDataValidation`) with Vietnamese help (`inputMessage`): a dropdown of the
  exact stored values for closed sets (`ONE_OF_LIST`, `showCustomUi`), counts and days a
  `CUSTOM_FORMULA` matching the text the app stores and reads — never the sheet's number or date
  type, which would flag every count and date the app writes as text; the signed
  plan's link and the per-criterion statements a `CUSTOM_FORMULA` on their shape. Rules are
  not strict: a value outside them is flagged, never refused (the app must always be able to
  write, and the data-health screen lists what it cannot read);
* readable column widths (`updateDimensionProperties` pixelSize).

A *Hướng dẫn* tab explains the rules. Nothing here writes a data cell. It is idempotent: every
protected range the app adds carries `MARK` in its description; a tab whose ranges carry the
current mark is up to date and gets no request, so a second start sends nothing; an older mark
(an upgrade) has its ranges replaced, never piled up. `setDataValidation` replaces a range's rule.
Reference: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

from schemas.models import MODELS
from schemas.tabs import AUDIT_LOG, Tab

SETUP_VERSION = 2  # 2: counts checked by a formula on the stored text, not as numbers
MARK_PREFIX = "(3CĐ v"
MARK = f"{MARK_PREFIX}{SETUP_VERSION})"
GUIDE_TITLE = "Hướng dẫn"
APP_OWNED = ("id", "version", "state")  # and every timestamp (a field ending in "_at")
HEADER_STYLE = {
    "textFormat": {"bold": True},
    "backgroundColor": {"red": 0.85, "green": 0.92, "blue": 0.98},
    "wrapStrategy": "WRAP",
    "verticalAlignment": "MIDDLE",
}
# What the app reads as a day: 2025-10-09, or 9/10/2025 (day first), as schemas.cells.parse_day.
DAY_PATTERN = r"^(\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$"
COUNT_PATTERN = (
    r"^(\d+|\d{1,3}([.\s]\d{3})+)$"  # what schemas.cells.parse_count reads, not negative
)
WIDE = {
    *("name", "secretary", "email", "officer", "note", "reason", "return_reason", "title"),
    *("plan_link", "criteria_standing"),
}


def is_set_up(sheet: Mapping[str, Any]) -> bool:
    """Does this Sheet resource (metadata with protectedRanges) carry the current set-up?"""
    return any(p.get("description", "").endswith(MARK) for p in sheet.get("protectedRanges", []))


def app_owned(tab: Tab) -> list[str]:
    """The fields the app keeps itself: people edit them in the app, not in the sheet."""
    return [f for f in tab.fields if f in APP_OWNED or f.endswith("_at")]


def tab_requests(
    sheet_id: int, tab: Tab, columns: Mapping[str, int], sheet: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every request that sets up one app tab whose fields are at `columns` (0-based)."""
    out: list[dict[str, Any]] = [
        *_drop_old_protection(sheet),
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": HEADER_STYLE},
                "fields": "userEnteredFormat(textFormat,backgroundColor,wrapStrategy,verticalAlignment)",
            }
        },
    ]
    if tab is AUDIT_LOG:
        out.append(_protect({"sheetId": sheet_id}, "Nhật ký do ứng dụng 3CĐ tự ghi"))
    else:
        for name in app_owned(tab):
            if name in columns:
                out.append(_protect(_column(sheet_id, columns[name]), _owned_words(tab, name)))
    for name, index in columns.items():
        rule = validation(tab, name, index)
        if rule is not None:
            out.append({"setDataValidation": {"range": _column(sheet_id, index), "rule": rule}})
        out.append(_width(sheet_id, index, width(tab, name)))
    return out


def _drop_old_protection(sheet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An upgrade replaces the ranges an earlier set-up added, so none piles up."""
    return [
        {"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}}
        for p in sheet.get("protectedRanges", [])
        if MARK_PREFIX in p.get("description", "")
    ]


def _column(sheet_id: int, index: int) -> dict[str, int]:
    """One column below the header, every row (no end row: rows appended later are covered)."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "startColumnIndex": index,
        "endColumnIndex": index + 1,
    }


def _protect(rng: Mapping[str, int], words: str) -> dict[str, Any]:
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": dict(rng),
                "description": f"{words}. {MARK}",
                "warningOnly": True,
            }
        }
    }


def _owned_words(tab: Tab, name: str) -> str:
    return (
        f"Cột “{tab.header(name)}” do ứng dụng 3CĐ tự ghi — hãy sửa trong ứng dụng; "
        "sửa tay ở đây có thể làm ứng dụng báo xung đột hoặc đọc sai"
    )


def _width(sheet_id: int, index: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {
                "sheetId": sheet_id,
                "dimension": "COLUMNS",
                "startIndex": index,
                "endIndex": index + 1,
            },
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def width(tab: Tab, name: str) -> int:
    """A readable width in pixels for a column: its header fits, names and notes get room."""
    if name in WIDE:
        return 240
    return max(110, min(200, 9 * len(tab.header(name)) + 40))


def _kind(tab: Tab, name: str) -> Any:
    """The Python type a field is parsed to (None when unknown), Optional unwrapped."""
    model = MODELS.get(tab.name)
    info = model.model_fields.get(name) if model is not None else None
    if info is None:
        return None
    kind = info.annotation
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    return args[0] if typing.get_origin(kind) is not None and len(args) == 1 else kind


def validation(tab: Tab, name: str, index: int) -> dict[str, Any] | None:
    """The DataValidationRule for a field, or None: closed sets, counts, days."""
    if tab is AUDIT_LOG:
        return None
    if name in _TEXT_RULES:
        return _text_rule(index, *_TEXT_RULES[name])
    kind = _kind(tab, name)
    if isinstance(kind, type) and issubclass(kind, Enum):
        values = [str(v.value) for v in kind]
        return _rule(
            "ONE_OF_LIST", values, "Chọn một giá trị trong danh sách: " + ", ".join(values)
        )
    if kind is bool:
        return _rule("ONE_OF_LIST", ["Có", "Không"], "Chọn Có hoặc Không.")
    if kind is int and name != "version":
        return _text_rule(
            index, COUNT_PATTERN, "Nhập một số nguyên không âm, ví dụ 120 hoặc 1.200."
        )
    if kind is date:
        cell = f"{_letters(index)}2"  # relative to the first cell of the range
        formula = f'=OR(ISBLANK({cell}),REGEXMATCH(TO_TEXT({cell}),"{DAY_PATTERN}"))'
        return _rule(
            "CUSTOM_FORMULA",
            [formula],
            "Nhập ngày dạng ngày/tháng/năm (09/10/2025) hoặc năm-tháng-ngày (2025-10-09).",
        )
    return None


# Free-text columns with a shape the app reads (schemas.standing): a pattern on the stored text
# and the help shown when the cell is selected.
_TEXT_RULES = {
    "plan_link": (
        r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s]+$",
        "Địa chỉ bản kế hoạch đã ký, bắt đầu bằng http:// hoặc https://, không có dấu cách.",
    ),
    "criteria_standing": (
        r"^[^:\n]+:[^\n]*(\n[^:\n]*:[^\n]*)*$",
        "Mỗi dòng một tiêu chí: “1.1: Đã đạt” hoặc “2.3: Chưa đạt. Lộ trình: …” (Đã đạt, "
        "Đang thực hiện hoặc Chưa đạt; chưa đạt hoặc đang thực hiện thì phải ghi lộ trình).",
    ),
}


def _text_rule(index: int, pattern: str, message: str) -> dict[str, Any]:
    cell = f"{_letters(index)}2"  # relative to the first cell of the range
    formula = f'=OR(ISBLANK({cell}),REGEXMATCH(TO_TEXT({cell}),"{pattern}"))'
    return _rule("CUSTOM_FORMULA", [formula], message)


def _rule(kind: str, values: Sequence[str], message: str) -> dict[str, Any]:
    return {
        "condition": {"type": kind, "values": [{"userEnteredValue": v} for v in values]},
        "inputMessage": message,
        "strict": False,
        "showCustomUi": kind == "ONE_OF_LIST",
    }


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


GUIDE: tuple[str, ...] = (
    "HƯỚNG DẪN DÙNG BẢNG TÍNH 3CĐ",
    "",
    "Bảng tính này là kho dữ liệu của ứng dụng 3CĐ (Đoàn cơ sở “3 chủ động”). Ứng dụng và mọi "
    "người cùng làm việc trên đó, nên xin đọc kỹ trước khi sửa tay.",
    "",
    "ĐƯỢC SỬA TAY",
    "• Các ô thông tin thường: tên đơn vị, bí thư, điện thoại, email, số đoàn viên, ghi chú…",
    "• Cột có danh sách thả xuống (loại đơn vị, trạng thái, vai trò…): chọn trong danh sách; "
    "giá trị khác sẽ bị đánh dấu đỏ và ứng dụng có thể không đọc được.",
    "• Số lượng: nhập số nguyên, ví dụ 120 hoặc 1.200. Ngày: 09/10/2025 hoặc 2025-10-09.",
    "• Thêm cột riêng của mình ở bên phải: ứng dụng bỏ qua, miễn là tên cột khác tên các cột "
    "của ứng dụng.",
    "",
    "KHÔNG NÊN SỬA TAY (ô sẽ hiện cảnh báo khi sửa)",
    "• Mã, Phiên bản, Trạng thái và các cột thời gian (… lúc): ứng dụng tự ghi để biết bản ghi "
    "nào là bản ghi nào và ai sửa gần nhất. Sửa tay có thể làm ứng dụng báo xung đột hoặc nối "
    "nhầm dữ liệu. Hãy sửa trong ứng dụng.",
    "• Hàng 1 (tiêu đề cột): không đổi tên, không chèn dòng tiêu đề phía trên. Nếu hàng 1 không "
    "còn cột “Mã”, các màn hình cần bảng đó sẽ tạm không hiển thị số liệu.",
    "• Không xoá, không đổi tên các trang (tab) của ứng dụng. Bảng Nhật ký chỉ để xem.",
    "",
    "THÊM MỘT ĐƠN VỊ BẰNG TAY",
    "1. Mở trang Đơn vị, gõ vào hàng trống đầu tiên dưới dữ liệu: Tên đơn vị, Loại đơn vị (chọn "
    "trong danh sách), Mã đơn vị cấp trên (mã của đơn vị cấp trên, ví dụ DV-0002), số đoàn viên…",
    "2. Để trống cột Mã và Phiên bản.",
    "3. Cán bộ Tỉnh đoàn mở màn hình Dữ liệu trong ứng dụng: hàng mới hiện ở mục “Chưa có mã”, "
    "bấm nhận hàng vào ứng dụng để cấp mã. Từ đó đơn vị dùng được ở mọi màn hình.",
    "",
    "SẮP XẾP, LỌC, CHÈN, XOÁ HÀNG",
    "• Sắp xếp và lọc mọi lúc đều an toàn: ứng dụng tìm bản ghi theo Mã, không theo số hàng, và "
    "tự kiểm tra sau mỗi lần ghi.",
    "• Chèn hàng trống để ghi chú, hoặc xoá một hàng, cũng không làm ứng dụng ghi nhầm; nhưng xoá "
    "một hàng là xoá bản ghi đó — nên sửa trạng thái trong ứng dụng thay vì xoá.",
    "",
    "Có gì chưa đúng, cán bộ Tỉnh đoàn xem màn hình Dữ liệu: ứng dụng liệt kê từng ô cần sửa, "
    "kèm đường dẫn tới đúng ô đó.",
)


def guide_requests(sheet_id: int, exists: bool, sheet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Create (or rewrite) the *Hướng dẫn* tab: the text, a wide column, warning protection."""
    out: list[dict[str, Any]] = []
    if not exists:
        out.append(
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": GUIDE_TITLE,
                        "gridProperties": {"rowCount": len(GUIDE) + 5, "columnCount": 2},
                    }
                }
            }
        )
    out += _drop_old_protection(sheet)
    rows = [
        {"values": [{"userEnteredValue": {"stringValue": line}} if line else {}]} for line in GUIDE
    ]
    out += [
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": rows,
                "fields": "userEnteredValue",
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startColumnIndex": 0, "endColumnIndex": 1},
                "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP"}},
                "fields": "userEnteredFormat.wrapStrategy",
            }
        },
        _width(sheet_id, 0, 900),
        _protect({"sheetId": sheet_id}, "Hướng dẫn của ứng dụng 3CĐ, chỉ để đọc"),
    ]
    return out
