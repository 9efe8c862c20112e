"""The workbook's tabs: field names used by code and the Vietnamese headers a person sees.

Every engine stores the same tabs; a column is always found by its header, never by position.
The id column comes first when the app creates a tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Tab:
    """One tab: its name and its (field, header) columns, id first."""

    name: str
    title: str
    columns: tuple[tuple[str, str], ...]

    @cached_property  # read for every row of every parse: computed once per tab
    def fields(self) -> tuple[str, ...]:
        return tuple(field for field, _ in self.columns)

    @cached_property
    def headers(self) -> tuple[str, ...]:
        return tuple(header for _, header in self.columns)

    def header(self, field: str) -> str:
        return dict(self.columns)[field]


ID = ("id", "Mã")
VERSION = ("version", "Phiên bản")
UPDATED_AT = ("updated_at", "Cập nhật lúc")

UNITS = Tab(
    "units",
    "Đơn vị",
    (
        ID,
        ("name", "Tên đơn vị"),
        ("kind", "Loại đơn vị"),
        ("parent_id", "Mã đơn vị cấp trên"),
        ("members", "Số đoàn viên"),
        ("chi_doan", "Số chi đoàn"),
        ("secretary", "Bí thư"),
        ("phone", "Điện thoại"),
        ("email", "Email"),
        ("officer", "Cán bộ theo dõi"),
        ("active", "Đang hoạt động"),
        VERSION,
        UPDATED_AT,
        # added with the 2025 restructuring: after the older columns, so existing sheets keep theirs
        ("valid_from", "Hoạt động từ ngày"),
        ("valid_until", "Ngừng hoạt động từ ngày"),
        ("predecessors", "Hình thành từ (mã đơn vị)"),
    ),
)

# One change of the unit tree (merge, split, rename, move, abolish an upper unit), as applied:
# its plan is kept whole so the change can be shown, audited and reversed.
UNIT_CHANGES = Tab(
    "unit_changes",
    "Thay đổi đơn vị",
    (
        ID,
        ("kind", "Loại thay đổi"),
        ("effective_on", "Ngày hiệu lực"),
        ("decision_number", "Số quyết định"),
        ("summary", "Nội dung"),
        ("plan", "Chi tiết (dữ liệu ứng dụng)"),
        ("applied_by", "Người thực hiện"),
        ("applied_at", "Thực hiện lúc"),
        ("reversed_by", "Người hoàn tác"),
        ("reversed_at", "Hoàn tác lúc"),
        VERSION,
        UPDATED_AT,
    ),
)

# Province-wide settings an officer changes on a screen (one row per setting, found by its id).
SETTINGS = Tab(
    "settings",
    "Cài đặt",
    (
        ID,
        ("name", "Tên cài đặt"),
        ("value", "Giá trị"),
        VERSION,
        UPDATED_AT,
    ),
)

# Terms of office (nhiệm kỳ) for commendation, with the last year counted at mid-term.
TERMS = Tab(
    "terms",
    "Nhiệm kỳ",
    (
        ID,
        ("name", "Tên nhiệm kỳ"),
        ("start_year", "Từ năm"),
        ("end_year", "Đến năm"),
        ("middle_year", "Năm xét giữa nhiệm kỳ"),
        VERSION,
        UPDATED_AT,
    ),
)

CYCLES = Tab(
    "cycles",
    "Chu kỳ",
    (
        ID,
        ("year", "Năm thực hiện"),
        ("name", "Tên chu kỳ"),
        ("criteria_set", "Bộ tiêu chí"),
        ("register_cutoff", "Hạn đăng ký (thời điểm bắt đầu trễ)"),
        ("report_cutoff", "Hạn báo cáo lên tỉnh (thời điểm bắt đầu trễ)"),
        ("late_policy", "Xử lý khi trễ hạn"),
        ("assess_cutoff", "Hạn đánh giá (thời điểm bắt đầu trễ)"),
        ("points_threshold", "Ngưỡng điểm (trống: theo bộ tiêu chí)"),
        VERSION,
        UPDATED_AT,
        ("kind_criteria", "Bộ tiêu chí theo loại đơn vị"),
    ),
)

REGISTRATIONS = Tab(
    "registrations",
    "Đăng ký",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị"),
        ("upper_unit_id", "Mã đơn vị cấp trên lúc đăng ký"),
        ("state", "Trạng thái"),
        ("plan_number", "Số kế hoạch"),
        ("plan_date", "Ngày kế hoạch"),
        ("target_nd1", "Mục tiêu nội dung 1"),
        ("target_nd2", "Mục tiêu nội dung 2"),
        ("target_nd3", "Mục tiêu nội dung 3"),
        ("submitted_at", "Gửi lần đầu lúc"),
        ("received_on", "Ngày nhận bản giấy"),
        ("on_time", "Đúng hạn"),
        ("last_sent_at", "Gửi gần nhất lúc"),
        ("sent_by", "Người gửi"),
        ("return_reason", "Lý do trả lại"),
        ("reviewed_by", "Người xử lý"),
        ("reviewed_at", "Xử lý lúc"),
        VERSION,
        UPDATED_AT,
        # added with the per-criterion statements: after the older columns, so sheets keep theirs
        ("plan_link", "Đường dẫn kế hoạch đã ký"),
        ("criteria_standing", "Tình hình từng tiêu chí"),
    ),
)

EXTENSIONS = Tab(
    "extensions",
    "Gia hạn",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị"),
        ("cutoff", "Hạn mới (thời điểm bắt đầu trễ)"),
        ("reason", "Lý do"),
        ("granted_by", "Người cho gia hạn"),
        ("granted_at", "Cho gia hạn lúc"),
    ),
)

UPPER_REPORTS = Tab(
    "upper_reports",
    "Báo cáo lên tỉnh",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị báo cáo"),
        ("parent_unit_id", "Mã đơn vị nhận báo cáo"),
        ("sent_at", "Gửi lần đầu lúc"),
        ("on_time", "Đúng hạn"),
        ("last_sent_at", "Gửi gần nhất lúc"),
        ("total_units", "Tổng số đoàn cơ sở"),
        ("registered_on_time", "Đăng ký đúng hạn"),
        ("registered_late", "Đăng ký trễ hạn"),
        ("returned", "Trả lại để sửa"),
        ("not_registered", "Chưa đăng ký"),
        ("accepted", "Đã tiếp nhận"),
        ("needs_check", "Cần kiểm tra"),
        ("note", "Ghi chú"),
        ("sent_by", "Người gửi"),
        VERSION,
        UPDATED_AT,
    ),
)

ASSESSMENTS = Tab(
    "assessments",
    "Đánh giá",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị được đánh giá"),
        ("upper_unit_id", "Mã đơn vị cấp trên lúc đánh giá"),
        ("assessor", "Bên đánh giá"),
        ("assessor_unit_id", "Mã đơn vị đánh giá"),
        ("state", "Trạng thái"),
        ("criteria_set", "Bộ tiêu chí"),
        ("criteria_fingerprint", "Dấu vân tay bộ tiêu chí"),
        ("result_nd1", "Kết quả nội dung 1"),
        ("result_nd2", "Kết quả nội dung 2"),
        ("result_nd3", "Kết quả nội dung 3"),
        ("result", "Kết quả chung"),
        ("points", "Tổng điểm"),
        ("points_threshold", "Ngưỡng điểm áp dụng"),
        ("note", "Nhận xét"),
        ("on_time", "Đúng hạn"),
        ("submitted_at", "Gửi lúc"),
        ("submitted_by", "Người gửi"),
        ("reopened_at", "Mở lại lúc"),
        ("reopened_by", "Người mở lại"),
        ("reopen_reason", "Lý do mở lại"),
        VERSION,
        UPDATED_AT,
    ),
)

ASSESSMENT_ITEMS = Tab(
    "assessment_items",
    "Kết quả tiêu chí",
    (
        ID,
        ("assessment_id", "Mã đánh giá"),
        ("unit_id", "Mã đơn vị được đánh giá"),
        ("cycle_id", "Mã chu kỳ"),
        ("criterion_id", "Mã tiêu chí"),
        ("value", "Giá trị"),
        ("evidence", "Minh chứng"),
        VERSION,
        UPDATED_AT,
    ),
)

DECISIONS = Tab(
    "decisions",
    "Quyết định công nhận",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị ra quyết định"),
        ("number", "Số quyết định"),
        ("signed_on", "Ngày ký"),
        ("signer", "Người ký"),
        ("note", "Ghi chú"),
        ("recorded_by", "Người ghi"),
        ("recorded_at", "Ghi lúc"),
        VERSION,
        UPDATED_AT,
    ),
)

DECISION_UNITS = Tab(
    "decision_units",
    "Danh sách công nhận",
    (
        ID,
        ("decision_id", "Mã quyết định"),
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị được công nhận"),
        ("upper_unit_id", "Mã đơn vị cấp trên lúc công nhận"),
        ("assessment_id", "Mã đánh giá"),
        ("removed_at", "Đưa ra khỏi danh sách lúc"),
        ("removed_by", "Người đưa ra khỏi danh sách"),
        VERSION,
        UPDATED_AT,
    ),
)

USERS = Tab(
    "users",
    "Người dùng",
    (
        ID,
        ("email", "Email đăng nhập"),
        ("name", "Họ và tên"),
        ("role", "Vai trò"),
        ("unit_id", "Mã đơn vị"),
        ("active", "Được truy cập"),
        VERSION,
        UPDATED_AT,
    ),
)

AUDIT_LOG = Tab(
    "audit_log",
    "Nhật ký",
    (
        ID,
        ("at", "Thời điểm"),
        ("actor", "Người thực hiện"),
        ("action", "Thao tác"),
        ("tab", "Bảng"),
        ("record_id", "Mã bản ghi"),
        ("unit_id", "Mã đơn vị liên quan"),
        ("before", "Trước"),
        ("after", "Sau"),
        ("request_key", "Mã yêu cầu"),
    ),
)

# The list of units as it stood when an upper unit sent its roll-up (services.registration.rollups):
# one row per unit and per sending, so the report's document reproduces what the province received.
UPPER_REPORT_UNITS = Tab(
    "upper_report_units",
    "Danh sách kèm báo cáo",
    (
        ID,
        ("report_id", "Mã báo cáo"),
        ("report_version", "Phiên bản báo cáo"),
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị"),
        ("unit_name", "Tên đơn vị lúc gửi"),
        ("status", "Tình trạng đăng ký"),
        ("plan_number", "Số kế hoạch"),
        ("plan_date", "Ngày kế hoạch"),
        ("submitted_at", "Gửi lúc"),
    ),
)

# Texts of a document the app cannot know (grounds, recipients, signer), per issuing unit and kind.
DOCUMENT_TEXTS = Tab(
    "document_texts",
    "Nội dung văn bản",
    (
        ID,
        ("unit_id", "Mã đơn vị ban hành"),
        ("kind", "Loại văn bản"),
        ("place", "Địa danh"),
        ("symbol", "Ký hiệu"),
        ("grounds", "Căn cứ"),
        ("recipients", "Nơi nhận"),
        ("authority", "Thẩm quyền ký"),
        ("signer_title", "Chức vụ người ký"),
        ("signer_name", "Họ tên người ký"),
        VERSION,
        UPDATED_AT,
    ),
)

# The outbox of reminders: one row per message and recipient; its state makes sending idempotent.
REMINDERS = Tab(
    "reminders",
    "Nhắc nhở",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("unit_id", "Mã đơn vị được nhắc"),
        ("stage", "Việc cần làm"),
        ("round", "Đợt nhắc"),
        ("recipient", "Gửi tới"),
        ("cc", "Đồng gửi"),
        ("subject", "Tiêu đề"),
        ("body", "Nội dung"),
        ("state", "Trạng thái"),
        ("created_by", "Người soạn"),
        ("created_at", "Soạn lúc"),
        ("sent_by", "Người gửi"),
        ("sent_at", "Gửi lúc"),
        ("error", "Lỗi"),
        VERSION,
        UPDATED_AT,
    ),
)

# The reminder schedule the province sets per cycle.
REMINDER_SCHEDULES = Tab(
    "reminder_schedules",
    "Lịch nhắc",
    (
        ID,
        ("cycle_id", "Mã chu kỳ"),
        ("days_before", "Nhắc đơn vị trước hạn (ngày)"),
        ("days_after_upper", "Nhắc đơn vị cấp trên sau hạn (ngày)"),
        ("auto_send", "Tự động gửi"),
        ("set_by", "Người đặt"),
        VERSION,
        UPDATED_AT,
    ),
)

ALL_TABS: tuple[Tab, ...] = (
    UNITS,
    CYCLES,
    REGISTRATIONS,
    EXTENSIONS,
    UPPER_REPORTS,
    ASSESSMENTS,
    ASSESSMENT_ITEMS,
    DECISIONS,
    DECISION_UNITS,
    USERS,
    UPPER_REPORT_UNITS,
    DOCUMENT_TEXTS,
    REMINDERS,
    REMINDER_SCHEDULES,
    UNIT_CHANGES,
    SETTINGS,
    TERMS,
    AUDIT_LOG,
)
TABS: dict[str, Tab] = {tab.name: tab for tab in ALL_TABS}
# Tabs every screen needs, read together in one request; the ever-growing audit log is read on demand.
SCREEN_TABS: tuple[str, ...] = tuple(t.name for t in ALL_TABS if t is not AUDIT_LOG)
