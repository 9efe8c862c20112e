"""Which tabs each screen needs, and what to say when one of them cannot be read.

On Google Sheets a person can make a tab unreadable: delete or rename it, type a title row above
the header, rename or repeat the header of the id, cycle or unit column. The engine then reads no
records from it (`Store.unreadable`, carried by the cache's snapshot). A screen that counted what
is left would mislead — every unit "Chưa đăng ký" on Tổng hợp while *Đăng ký* is unreadable — so
every screen that needs such a tab says so plainly instead (`pages/_ui.require_tabs`), and the
services that count refuse with `TabsUnreadable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from schemas import tabs
from services.core.errors import DomainError
from services.core.runtime import Runtime
from services.storage import MISSING_TAB, REPEATED_COLUMN, Unreadable

_BASE = (tabs.UNITS.name, tabs.CYCLES.name)
_REGISTERING = (*_BASE, tabs.REGISTRATIONS.name, tabs.EXTENSIONS.name)
_ASSESSING = (*_BASE, tabs.ASSESSMENTS.name, tabs.ASSESSMENT_ITEMS.name)
_DECIDING = (*_ASSESSING, tabs.DECISIONS.name, tabs.DECISION_UNITS.name)

# Each screen (its page module) and the tabs its figures come from.
SCREENS: dict[str, tuple[str, ...]] = {
    "trang_chu": (*_REGISTERING, tabs.UPPER_REPORTS.name, tabs.ASSESSMENTS.name),
    "tong_hop": _REGISTERING,
    "dang_ky": _REGISTERING,
    "bao_cao": (*_REGISTERING, tabs.UPPER_REPORTS.name, tabs.UPPER_REPORT_UNITS.name),
    "danh_gia": (*_ASSESSING, tabs.REGISTRATIONS.name),
    "ket_qua": _DECIDING,
    "quyet_dinh": _DECIDING,
    "tuyen_duong": _DECIDING,
    "don_vi": (tabs.UNITS.name,),
    "nguoi_dung": (tabs.UNITS.name, tabs.USERS.name),
    "chu_ky": (tabs.CYCLES.name,),
    # screens that write units: a unit list read without its ids would be imported again as new
    # units, and a change would miss the records it must carry over
    "nhap_danh_sach": (tabs.UNITS.name, tabs.USERS.name),
    "thay_doi_don_vi": (
        *_DECIDING,
        tabs.REGISTRATIONS.name,
        tabs.EXTENSIONS.name,
        tabs.UPPER_REPORTS.name,
        tabs.USERS.name,
        tabs.UNIT_CHANGES.name,
        tabs.SETTINGS.name,
    ),
}


class TabsUnreadable(DomainError):
    """A tab a screen needs cannot be read as the sheet is now; nothing is counted from it."""

    def __init__(self, found: list[Unreadable], words: str | None = None):
        self.found = found
        super().__init__(words or message(found))


def unreadable(rt: Runtime, names: Iterable[str]) -> list[Unreadable]:
    """Those of `names` that cannot be read now (from the current snapshot: no extra read)."""
    current = rt.store.snapshot().unreadable
    return [current[name] for name in dict.fromkeys(names) if name in current]


def ensure(
    rt: Runtime, names: Iterable[str], words: Callable[[list[Unreadable]], str] | None = None
) -> None:
    """Raise TabsUnreadable when any of `names` cannot be read now (its text: `words(found)`,
    by default what a screen says instead of its figures)."""
    found = unreadable(rt, names)
    if found:
        raise TabsUnreadable(found, words(found) if words else None)


def for_screen(rt: Runtime, screen: str) -> list[Unreadable]:
    """The tabs `screen` needs that cannot be read now."""
    return unreadable(rt, SCREENS.get(screen, tabs.SCREEN_TABS))


def reason(found: Unreadable) -> str:
    """Why one tab cannot be read, in words a person can act on in the sheet."""
    tab = tabs.TABS[found.tab]
    if found.reason == MISSING_TAB:
        return f"không tìm thấy bảng “{tab.title}” trong bảng tính (bảng đã bị xoá hoặc đổi tên)"
    header = tab.header(found.field) if found.field in tab.fields else found.field
    if found.reason == REPEATED_COLUMN:
        return (
            f"bảng “{tab.title}” có hai cột cùng tên “{header}”, không biết cột nào là của "
            "ứng dụng (hãy đổi tên cột tự thêm)"
        )
    return (
        f"hàng 1 của bảng “{tab.title}” không có cột “{header}” (có thể vừa chèn một dòng "
        "tiêu đề phía trên hàng tiêu đề, hoặc tiêu đề cột đã bị đổi hay xoá)"
    )


def message(found: list[Unreadable]) -> str:
    """What a screen says instead of its figures when tabs it needs cannot be read."""
    reasons = "; ".join(reason(f) for f in found)
    return (
        f"Chưa đọc được dữ liệu trang này cần: {reasons}. Trang tạm không hiển thị số liệu để "
        "không báo sai (chẳng hạn báo đơn vị “Chưa đăng ký” trong khi đơn vị đã đăng ký). "
        "Cán bộ Tỉnh đoàn xem màn hình Dữ liệu để biết cần sửa gì trong bảng tính; sửa xong, "
        "trang sẽ hiển thị lại."
    )


def reminder_message(found: list[Unreadable]) -> str:
    """What the reminders say instead of their list (and why nothing is sent)."""
    reasons = "; ".join(reason(f) for f in found)
    return (
        f"Chưa soạn được lời nhắc vì chưa đọc được dữ liệu: {reasons}. Lúc này ứng dụng không biết "
        "đơn vị nào đã đăng ký, nhắc sẽ nhầm cả những đơn vị đã đăng ký, nên tạm không soạn và "
        "không gửi lời nhắc nào. Cán bộ Tỉnh đoàn xem màn hình Dữ liệu để biết cần sửa gì trong "
        "bảng tính; sửa xong, lời nhắc sẽ hiện lại."
    )
