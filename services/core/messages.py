"""The Vietnamese wording of storage errors: the storage layer says what happened (a code and its
data, `services.storage.StoreError`); this module says it to a person.

`describe(exc)` is what a page shows. An error whose code has no wording here (a new code not yet
worded) is still described, by a general sentence, never by its code.
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.tabs import TABS
from services.storage import Conflict, DuplicateRecord, RecordMissing, StoreError

WHERE = "mục [sheets.service_account] trong .streamlit/secrets.toml"

NOT_STORED = (
    "Google Sheets đang quá tải hoặc không phản hồi; dữ liệu chưa được lưu. "
    "Vui lòng thử lại sau ít phút."
)
NOT_READ = (
    "Google Sheets đang quá tải hoặc không phản hồi; chưa đọc được dữ liệu. "
    "Vui lòng thử lại sau ít phút."
)
UNCERTAIN = (
    "Google Sheets không phản hồi nên chưa xác định được dữ liệu đã được lưu hay chưa. "
    "Vui lòng tải lại trang sau ít phút để kiểm tra trước khi gửi lại."
)
PARTIAL = (
    "Dữ liệu trên Google Sheets vừa thay đổi trong lúc lưu nên không xác định được lần lưu này; "
    "chỉ một phần dữ liệu đang có trên bảng tính. Vui lòng tải lại trang và kiểm tra."
)
GENERAL = "Kho dữ liệu báo lỗi; chưa chắc đã lưu. Hãy tải lại trang để kiểm tra rồi thử lại."


def _title(tab: str) -> str:
    return TABS[tab].title if tab in TABS else tab


def _header(tab: str, field: str) -> str:
    spec = TABS.get(tab)
    return spec.header(field) if spec is not None and field in spec.fields else field


def _number(n: int) -> str:
    """A count as Vietnamese write it: 60.001."""
    return f"{n:,}".replace(",", ".")


def _record(exc: StoreError) -> str:
    """How a message names the record: its id, or the sheet row of a row without one."""
    record_id, row = getattr(exc, "id", ""), getattr(exc, "row", None)
    return record_id or (f"hàng {row}" if row is not None else "")


def _conflict(exc: StoreError) -> str:
    return f"Bản ghi {_record(exc)} đã bị người khác sửa sau khi bạn mở biểu mẫu; chưa lưu gì."


def _duplicate(exc: StoreError) -> str:
    assert isinstance(exc, DuplicateRecord)
    tab = TABS.get(exc.tab)
    same = ", ".join(f"{_header(exc.tab, f)}: {v}" for f, v in exc.fields.items())
    where = f"“{tab.title}”" if tab else exc.tab
    return (
        f"Bảng {where} đã có một bản ghi như vậy ({same}); chưa lưu gì. "
        "Hãy tải lại trang để xem bản ghi đã có."
    )


def _missing(exc: StoreError) -> str:
    assert isinstance(exc, RecordMissing)
    return f"Không tìm thấy bản ghi {_record(exc)} trong bảng {exc.tab} (có thể đã bị xoá)."


def _row_changed(exc: StoreError) -> str:
    assert isinstance(exc, Conflict)
    return (
        f"{_record(exc).capitalize()} của bảng {_title(exc.tab)} đã thay đổi trong bảng tính "
        "sau khi màn hình này đọc nó (có thể ai đó vừa sửa, xoá hoặc chèn hàng); chưa ghi gì."
    )


def _missing_column(exc: StoreError) -> str:
    tab, field = exc.data["tab"], exc.data["field"]
    return (
        f"Bảng {_title(tab)} thiếu cột “{_header(tab, field)}”; chưa lưu gì. "
        "Hãy khôi phục tiêu đề cột rồi thử lại."
    )


def _too_long(exc: StoreError) -> str:
    tab, field, length = exc.data["tab"], exc.data["field"], _number(exc.data["length"])
    cell = f"Ô “{_header(tab, field)}” của bảng {_title(tab)}"
    if exc.data.get("audited"):  # fits its own cell; its copy in the audit log does not
        cell += (
            f" quá dài để ghi kèm vào Nhật ký: khi ghi nhật ký, dấu ngoặc kép, dấu xuống dòng… "
            f"được ghi thêm ký tự nên nội dung thành {length} ký tự"
        )
    else:
        cell += f" dài {length} ký tự"
    return (
        f"{cell}, vượt giới hạn 50.000 ký tự một ô của Google Sheets; chưa lưu gì. Hãy rút gọn "
        "nội dung rồi lưu lại."
    )


_SETUP: dict[str, Callable[[StoreError], str]] = {
    "no_service_account": lambda e: (
        f"Chưa có khóa tài khoản dịch vụ Google: hãy dán nội dung tệp khóa JSON vào {WHERE} "
        "(xem README, phần kết nối Google Sheets)."
    ),
    "service_account_fields": lambda e: (
        f"Khóa tài khoản dịch vụ trong {WHERE} thiếu trường: {', '.join(e.data['missing'])}. "
        "Hãy dán lại đầy đủ nội dung tệp khóa JSON tải từ Google Cloud."
    ),
    "not_service_account": lambda e: (
        f"Khóa trong {WHERE} không phải khóa tài khoản dịch vụ (type phải là "
        '"service_account"). Hãy tạo khóa JSON cho một tài khoản dịch vụ.'
    ),
    "bad_private_key": lambda e: (
        f"Khóa riêng (private_key) trong {WHERE} không hợp lệ. Hãy dán lại nguyên văn giá trị "
        "private_key từ tệp khóa JSON, kể cả các dòng BEGIN/END và ký tự \\n."
    ),
    "no_spreadsheet_key": lambda e: (
        "Chưa khai báo bảng tính: hãy đặt spreadsheet_key trong mục [sheets] của "
        ".streamlit/secrets.toml (phần mã nằm giữa /d/ và /edit trong địa chỉ bảng tính)."
    ),
    "spreadsheet_not_found": lambda e: (
        "Không tìm thấy bảng tính có mã đã khai báo (spreadsheet_key). Hãy kiểm tra lại "
        "mã trong địa chỉ bảng tính."
    ),
    "not_shared": lambda e: (
        f"Tài khoản dịch vụ{f' ({a})' if (a := e.data.get('account')) else ''} chưa được chia "
        "sẻ bảng tính, hoặc chỉ được xem. Hãy mở bảng tính, bấm Chia sẻ và thêm "
        f"{a or 'e-mail client_email của khóa'} với quyền Người chỉnh sửa."
    ),
    "key_refused": lambda e: (
        "Google không chấp nhận khóa tài khoản dịch vụ (khóa có thể đã bị xoá hoặc thu "
        "hồi). Hãy tạo khóa JSON mới và dán lại vào .streamlit/secrets.toml."
    ),
    "no_network": lambda e: (
        "Không kết nối được Google Sheets (mất mạng, quá thời gian chờ hoặc Google đang quá "
        "tải). Hãy kiểm tra kết nối mạng của máy chủ rồi khởi động lại ứng dụng."
    ),
    "cannot_open": lambda e: f"Không mở được bảng tính trên Google Sheets: {e.data['reason']}",
    "tab_not_found": lambda e: (
        f"Bảng tính không có trang “{e.data['tab']}”. Hãy kiểm tra tên trang (thẻ ở cuối bảng "
        "tính), hoặc để trống để đọc trang đầu tiên."
    ),
    "not_a_sheet_link": lambda e: (
        "Đây không phải địa chỉ một Google Sheet. Hãy dán địa chỉ có dạng "
        "https://docs.google.com/spreadsheets/d/…/edit (hoặc chỉ phần mã giữa /d/ và /edit)."
    ),
}

WORDING: dict[str, Callable[[StoreError], str]] = {
    "conflict": _conflict,
    "row_changed": _row_changed,
    "duplicate": _duplicate,
    "record_missing": _missing,
    "not_stored": lambda e: NOT_STORED,
    "not_read": lambda e: NOT_READ,
    "uncertain": lambda e: UNCERTAIN,
    "partial": lambda e: PARTIAL,
    "rejected": lambda e: (
        f"Google Sheets từ chối yêu cầu ({e.data['status']}); chưa chắc đã lưu. Hãy thử lại sau."
    ),
    "spreadsheet_unavailable": lambda e: "Không mở được tệp dữ liệu trên Google Sheets.",
    "unreachable": lambda e: (
        "Không kết nối được Google Sheets (quá thời gian chờ hoặc lỗi mạng); "
        "có thể chưa lưu. Hãy thử lại sau."
    ),
    "database_unavailable": lambda e: f"Không mở được kho dữ liệu: {e.data['reason']}",
    "database_write_failed": lambda e: (
        f"Không ghi được vào kho dữ liệu ({e.data['reason']}); có thể chưa lưu. Hãy tải lại "
        "trang để xem đã lưu chưa, rồi thử lại."
    ),
    "missing_column": _missing_column,
    "repeated_column": lambda e: (
        f"Bảng {_title(e.data['tab'])} có hai cột cùng tên “{_header(e.data['tab'], e.data['field'])}”"
        "; ứng dụng không đọc, không ghi cột này cho đến khi một trong hai được đổi tên. Chưa lưu "
        "gì. Hãy đổi tên cột bạn tự thêm rồi lưu lại."
    ),
    "cell_too_long": _too_long,
    "refused": lambda e: (
        f"Google Sheets từ chối yêu cầu ({e.data['status']}); dữ liệu chưa được lưu. Gửi lại "
        "cũng sẽ bị từ chối: hãy báo cán bộ quản trị kiểm tra bảng tính."
    ),
    "misdirected": lambda e: (
        f"Trong lúc lưu, có người sắp xếp, chèn hoặc xoá hàng trong bảng {_title(e.data['tab'])} "
        f"nên thay đổi của bản ghi {e.data['id']} chưa được lưu đúng chỗ; các ô ghi nhầm đã được "
        "hoàn tác nếu có thể (xem màn hình Dữ liệu). Hãy tải lại trang, kiểm tra rồi lưu lại."
    ),
    "missing_tab": lambda e: f"Không tìm thấy bảng “{_title(e.data['tab'])}” trong tệp dữ liệu.",
    **_SETUP,
}


def describe(exc: StoreError) -> str:
    """The Vietnamese sentence a page shows for a storage error."""
    wording = WORDING.get(exc.code)
    return wording(exc) if wording is not None else GENERAL
