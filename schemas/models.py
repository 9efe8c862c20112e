"""pydantic models of each tab's records, read from and written to string cells."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from schemas import tabs
from schemas.cells import (
    Count,
    Day,
    Flag,
    Instant,
    OptCount,
    OptDay,
    OptInstant,
    Text,
    clean_id,
    is_id_field,
    parse_choice,
    parse_flag,
    to_cell,
)
from schemas.contacts import EMAIL_LIMIT, PHONE_LIMIT, canonical_email, canonical_phone
from schemas.standing import (
    LINK_LABEL,
    CriterionStanding,
    check_link,
    check_standings_cell,
    parse_standings,
)
from schemas.vntext import clean


class UnitKind(StrEnum):
    """Kinds of unit; the stored value is the label a person reads and types in the sheet."""

    TINH_DOAN = "Tỉnh đoàn"
    CAP_HUYEN = "Đoàn cấp huyện"
    TRUC_THUOC = "Đoàn trực thuộc"
    DOAN_KHOI = "Đoàn Khối"  # since 1/7/2025: blocs directly under the province
    CAP_TREN_CO_SO = "Đoàn cấp trên cơ sở"  # any other upper unit of grassroots units
    XA = "Xã"
    PHUONG = "Phường"
    THI_TRAN = "Thị trấn"
    TRUONG_THPT = "Trường THPT"
    TRUONG_DH_CD = "Trường ĐH/CĐ"
    CO_QUAN = "Cơ quan"
    DOANH_NGHIEP = "Doanh nghiệp"
    LUC_LUONG_VU_TRANG = "Lực lượng vũ trang"
    KHAC = "Khác"

    @property
    def is_grassroots(self) -> bool:
        return self not in UPPER_KINDS


UPPER_KINDS = frozenset(
    {
        UnitKind.TINH_DOAN,
        UnitKind.CAP_HUYEN,
        UnitKind.TRUC_THUOC,
        UnitKind.DOAN_KHOI,
        UnitKind.CAP_TREN_CO_SO,
    }
)
GRASSROOTS_KINDS = tuple(k for k in UnitKind if k.is_grassroots)


class LatePolicy(StrEnum):
    REFUSE = "Không nhận"
    FLAG = "Nhận và ghi trễ hạn"


class Role(StrEnum):
    """What a person may do; the stored value is the label a steward types in the users tab."""

    PROVINCE = "Cán bộ Tỉnh đoàn"
    UPPER = "Cán bộ Đoàn cấp trên"
    SECRETARY = "Bí thư Đoàn cơ sở"
    VIEWER = "Người xem"


class RegistrationState(StrEnum):
    SENT = "Đã gửi"
    ACCEPTED = "Đã tiếp nhận"
    RETURNED = "Trả lại để sửa"


class AssessmentState(StrEnum):
    """Nháp (draft, editable) → Đã gửi (submitted, locked) → Mở lại (reopened by the province)."""

    DRAFT = "Nháp"
    SUBMITTED = "Đã gửi"
    REOPENED = "Mở lại"


class Assessor(StrEnum):
    """Who assessed: the unit itself, or its upper unit (or the province), whose result counts."""

    SELF = "Đơn vị tự đánh giá"
    UPPER = "Đoàn cấp trên"


class Verdict(StrEnum):
    PASSED = "Đạt"
    FAILED = "Không đạt"


_DECIMAL = re.compile(r"^-?\d+([.,]\d+)?$")


def parse_decimal(value: Any) -> Any:
    """A number as a Vietnamese user types it: '8,5' and '8.5' are both 8.5; blank is None."""
    if isinstance(value, str):
        if len(value) > 50:  # no number is this long: refused before any pattern runs
            raise ValueError("phải là số (ví dụ 8,5)")
        text = value.strip()
        if not text:
            return None
        if not _DECIMAL.match(text):
            raise ValueError("phải là số (ví dụ 8,5)")
        return float(text.replace(",", "."))
    return value


def decimal_cell(value: float | None) -> str:
    """A number as stored and shown: '8,5', '80' (comma for decimals, as Vietnamese write)."""
    return "" if value is None else f"{value:g}".replace(".", ",")


OptDecimal = Annotated[float | None, BeforeValidator(parse_decimal)]


# A closed-set column: the enum, read from its Vietnamese label or its value (parse_choice).
# Spelled out per enum so that type checkers see each alias as the enum it is.
Kind = Annotated[UnitKind, BeforeValidator(parse_choice(UnitKind))]
AssessState = Annotated[AssessmentState, BeforeValidator(parse_choice(AssessmentState))]
AssessorChoice = Annotated[Assessor, BeforeValidator(parse_choice(Assessor))]
Policy = Annotated[LatePolicy, BeforeValidator(parse_choice(LatePolicy))]
State = Annotated[RegistrationState, BeforeValidator(parse_choice(RegistrationState))]
RoleChoice = Annotated[Role, BeforeValidator(parse_choice(Role))]
OptionalId = Annotated[
    str | None, BeforeValidator(lambda v: v.strip() or None if isinstance(v, str) else v)
]


def check_phone(value: str) -> str:
    """A Vietnamese phone number (0xxxxxxxxx or +84xxxxxxxxx, dots and spaces allowed), in the one
    form it is stored in (see schemas.contacts)."""
    return canonical_phone(value)


def check_email(value: str) -> str:
    """An e-mail address in the one form it is stored in (see schemas.contacts)."""
    return canonical_email(value)


class Record(BaseModel):
    """A row of a tab: parsed from string cells, written back as string cells."""

    model_config = ConfigDict(frozen=True)
    TAB: ClassVar[tabs.Tab]

    id: str = Field(min_length=1)
    _cells: dict[str, str] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_cells(cls, cells: Mapping[str, str]) -> Self:
        """Parse one stored row; raises pydantic.ValidationError naming the bad cells.

        Ids and references are read through `clean_id` (a retyped "DV-0052 " is DV-0052); the
        record keeps the cells exactly as stored, which is what an update compares against. When
        the row's own dict holds exactly them (a SQL row), that dict is shared rather than copied
        (one dict per row less in every snapshot).
        """
        data = {f: cells.get(f, "") for f in cls.TAB.fields}
        record = cls.model_validate(
            {f: clean_id(v) if is_id_field(f) else v for f, v in data.items()}
        )
        record._cells = cells if type(cells) is dict and cells == data else data
        return record

    def to_cells(self) -> dict[str, str]:
        return {f: to_cell(getattr(self, f)) for f in self.TAB.fields}

    @property
    def cells(self) -> dict[str, str]:
        """The cells exactly as they were read (what an update compares against)."""
        return dict(self._cells) if self._cells else self.to_cells()


TINH_DOAN_AT_THE_TOP = (
    "Loại đơn vị: chỉ đơn vị cấp cao nhất (không có đơn vị cấp trên) mới là Tỉnh đoàn"
)


class Unit(Record):
    TAB: ClassVar = tabs.UNITS

    name: Text = Field(min_length=1, max_length=200)
    kind: Kind
    parent_id: OptionalId = None
    members: OptCount = Field(default=None, ge=0)
    chi_doan: OptCount = Field(default=None, ge=0)
    secretary: Text = ""
    # A hand-typed cell is read in its stored form (the cell itself is left as typed).
    phone: Annotated[Text, BeforeValidator(str.strip), AfterValidator(canonical_phone)] = ""
    email: Annotated[Text, BeforeValidator(str.strip), AfterValidator(canonical_email)] = ""
    officer: Text = ""
    active: Flag = True
    valid_from: OptDay = None  # blank: it has always existed (units set up before this field)
    valid_until: OptDay = None  # the first day it no longer exists (merged, split, abolished)
    predecessors: Text = ""  # ids of the units it was formed from, separated by ";"
    version: OptCount = None
    updated_at: OptInstant = None

    @property
    def predecessor_ids(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.predecessors.split(";") if p.strip())

    @property
    def never_existed(self) -> bool:
        """An empty period (ends the day it starts): a unit whose creating change was reversed."""
        return bool(self.valid_from and self.valid_until and self.valid_until <= self.valid_from)

    def exists_on(self, day: date) -> bool:
        """Whether the unit exists on this day (its period: from `valid_from`, until before
        `valid_until`)."""
        started = self.valid_from is None or self.valid_from <= day
        ongoing = self.valid_until is None or day < self.valid_until
        return started and ongoing and not self.never_existed

    def exists_during(self, first: date, last: date) -> bool:
        """Whether the unit existed on any day from `first` to `last` (both included)."""
        started = self.valid_from is None or self.valid_from <= last
        ongoing = self.valid_until is None or first < self.valid_until
        return started and ongoing and not self.never_existed

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động")
        if self.members is not None and self.chi_doan is not None and self.chi_doan > self.members:
            raise ValueError("số chi đoàn không được lớn hơn số đoàn viên")
        if self.kind is UnitKind.TINH_DOAN and self.parent_id:  # province staff hang on this kind
            raise ValueError(TINH_DOAN_AT_THE_TOP)
        return self


class Cycle(Record):
    TAB: ClassVar = tabs.CYCLES

    year: Count = Field(ge=2000, le=2100)
    name: Text = Field(min_length=1)
    criteria_set: Text = Field(min_length=1)
    register_cutoff: Instant
    report_cutoff: Instant
    late_policy: Policy = LatePolicy.FLAG
    assess_cutoff: OptInstant = None  # blank: 1 January of year N+1 (services.year_end.assessments)
    points_threshold: OptDecimal = Field(default=None, ge=0)  # blank: as the criteria set says
    kind_criteria: Text = ""  # "Trường THPT: ref; Doanh nghiệp: ref" (blank: one set for all)
    version: OptCount = None
    updated_at: OptInstant = None

    @property
    def criteria_by_kind(self) -> dict[str, str]:
        """Unit kind label -> criteria set ref, for the kinds with a set of their own."""
        pairs = (p.split(":", 1) for p in self.kind_criteria.split(";") if ":" in p)
        return {k.strip(): v.strip() for k, v in pairs if k.strip() and v.strip()}

    def criteria_for(self, kind: UnitKind) -> str:
        """The criteria set a unit of this kind is assessed on in this cycle."""
        return self.criteria_by_kind.get(kind.value, self.criteria_set)


class Registration(Record):
    TAB: ClassVar = tabs.REGISTRATIONS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    upper_unit_id: Text = ""
    state: State
    plan_number: Text = ""
    plan_date: OptDay = None
    target_nd1: Text = ""
    target_nd2: Text = ""
    target_nd3: Text = ""
    submitted_at: Instant
    received_on: OptDay = None
    on_time: Flag
    last_sent_at: OptInstant = None
    sent_by: Text = ""
    return_reason: Text = ""
    reviewed_by: Text = ""
    reviewed_at: OptInstant = None
    version: OptCount = None
    updated_at: OptInstant = None
    # added with the per-criterion statements (schemas.standing): blank on older registrations
    plan_link: Annotated[Text, AfterValidator(check_link)] = ""
    criteria_standing: Annotated[Text, AfterValidator(check_standings_cell)] = ""

    @property
    def targets(self) -> dict[str, str]:
        return {"ND1": self.target_nd1, "ND2": self.target_nd2, "ND3": self.target_nd3}

    @property
    def standings(self) -> dict[str, CriterionStanding]:
        """Where the unit said it stands on each criterion, with its roadmaps (may be empty)."""
        return parse_standings(self.criteria_standing)


class Extension(Record):
    TAB: ClassVar = tabs.EXTENSIONS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    cutoff: Instant
    reason: Text = Field(min_length=1)
    granted_by: Text = ""
    granted_at: OptInstant = None


class UpperReport(Record):
    TAB: ClassVar = tabs.UPPER_REPORTS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    parent_unit_id: Text = ""
    sent_at: Instant
    on_time: Flag
    last_sent_at: OptInstant = None
    total_units: Count = Field(ge=0)
    registered_on_time: Count = Field(ge=0)
    registered_late: Count = Field(ge=0)
    returned: Count = Field(ge=0)
    not_registered: Count = Field(ge=0)
    accepted: Count = Field(ge=0)
    needs_check: Count = Field(default=0, ge=0)
    note: Text = ""
    sent_by: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class Assessment(Record):
    """One assessment of a unit in a cycle: its state and a readable copy of its computed results.

    The results (result_nd1..3, result, points) are computed from the criterion values, never
    typed; they are kept as plain text so a hand edit shows up as a disagreement to check.
    """

    TAB: ClassVar = tabs.ASSESSMENTS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    upper_unit_id: Text = ""
    assessor: AssessorChoice
    assessor_unit_id: Text = ""
    state: AssessState
    criteria_set: Text = Field(min_length=1)
    criteria_fingerprint: Text = ""
    result_nd1: Text = ""
    result_nd2: Text = ""
    result_nd3: Text = ""
    result: Text = ""
    points: Text = ""
    points_threshold: OptDecimal = None
    note: Text = ""
    on_time: Annotated[bool | None, BeforeValidator(parse_flag)] = None
    submitted_at: OptInstant = None
    submitted_by: Text = ""
    reopened_at: OptInstant = None
    reopened_by: Text = ""
    reopen_reason: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None

    @property
    def stored_contents(self) -> dict[str, str]:
        return {"ND1": self.result_nd1, "ND2": self.result_nd2, "ND3": self.result_nd3}

    @property
    def official(self) -> bool:
        return self.assessor is Assessor.UPPER

    @property
    def locked(self) -> bool:
        return self.state is AssessmentState.SUBMITTED


class AssessmentItem(Record):
    """One criterion's value in an assessment, as the person typed it, with its evidence note."""

    TAB: ClassVar = tabs.ASSESSMENT_ITEMS

    assessment_id: Text = Field(min_length=1)
    unit_id: Text = ""
    cycle_id: Text = ""
    criterion_id: Text = Field(min_length=1)
    value: Text = ""
    evidence: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class Decision(Record):
    """A recognition decision an upper unit (or the province) issued for a cycle."""

    TAB: ClassVar = tabs.DECISIONS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)  # the issuing unit
    number: Text = Field(min_length=1)
    signed_on: Day
    signer: Text = ""
    note: Text = ""
    recorded_by: Text = ""
    recorded_at: OptInstant = None
    version: OptCount = None
    updated_at: OptInstant = None


class DecisionUnit(Record):
    """One unit on a decision's list, with the upper unit it had then; removed rows are kept."""

    TAB: ClassVar = tabs.DECISION_UNITS

    decision_id: Text = Field(min_length=1)
    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    upper_unit_id: Text = ""
    assessment_id: Text = ""
    removed_at: OptInstant = None
    removed_by: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None

    @property
    def listed(self) -> bool:
        return self.removed_at is None


class AuditEntry(Record):
    TAB: ClassVar = tabs.AUDIT_LOG

    at: Instant
    actor: Text
    action: Text
    tab: Text
    record_id: Text
    unit_id: Text = ""
    before: Text = ""
    after: Text = ""
    request_key: Text = ""


class User(Record):
    """A person who may sign in: their e-mail maps to a role and a unit."""

    TAB: ClassVar = tabs.USERS

    email: Annotated[
        Text, BeforeValidator(lambda v: v.strip().casefold() if isinstance(v, str) else v)
    ]
    name: Text = Field(min_length=1)
    role: RoleChoice
    unit_id: Text = Field(min_length=1)
    active: Flag = True
    version: OptCount = None
    updated_at: OptInstant = None

    @model_validator(mode="after")
    def _valid_email(self) -> Self:
        check_email(self.email)
        if not self.email:
            raise ValueError("email đăng nhập: bắt buộc phải nhập")
        return self


class UpperReportUnit(Record):
    """One unit of a roll-up's list, as it stood when the report was sent (that send's version)."""

    TAB: ClassVar[tabs.Tab] = tabs.UPPER_REPORT_UNITS

    report_id: Text = Field(min_length=1)
    report_version: Count = Field(ge=1)
    cycle_id: Text = ""
    unit_id: Text = ""
    unit_name: Text = ""
    status: Text = ""
    plan_number: Text = ""
    plan_date: OptDay = None
    submitted_at: OptInstant = None


class DocumentTexts(Record):
    """What an issuing unit typed for one kind of document: grounds, recipients, signer."""

    TAB: ClassVar[tabs.Tab] = tabs.DOCUMENT_TEXTS

    unit_id: Text = Field(min_length=1)
    kind: Text = Field(min_length=1)
    place: Text = ""
    symbol: Text = ""
    grounds: Text = ""
    recipients: Text = ""
    authority: Text = ""
    signer_title: Text = ""
    signer_name: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class UnitChangeKind(StrEnum):
    MERGE = "Hợp nhất"
    SPLIT = "Chia tách"
    RENAME = "Đổi tên"
    MOVE = "Chuyển đơn vị cấp trên"
    ABOLISH = "Giải thể đơn vị cấp trên"


ChangeKind = Annotated[UnitChangeKind, BeforeValidator(parse_choice(UnitChangeKind))]


class UnitChange(Record):
    """One applied change of the unit tree; `plan` holds what it did, so it can be reversed."""

    TAB: ClassVar = tabs.UNIT_CHANGES

    kind: ChangeKind
    effective_on: Day
    decision_number: Text = Field(min_length=1)
    summary: Text = ""
    plan: Text = ""
    applied_by: Text = ""
    applied_at: OptInstant = None
    reversed_by: Text = ""
    reversed_at: OptInstant = None
    version: OptCount = None
    updated_at: OptInstant = None

    @property
    def reversed(self) -> bool:
        return self.reversed_at is not None


class Setting(Record):
    """One province-wide setting: its id names it, its value is what the screen stored."""

    TAB: ClassVar = tabs.SETTINGS

    name: Text = ""
    value: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class Reminder(Record):
    """One reminder to one recipient: drafted, being sent, sent, or failed (the outbox row)."""

    TAB: ClassVar[tabs.Tab] = tabs.REMINDERS

    cycle_id: Text = Field(min_length=1)
    unit_id: Text = Field(min_length=1)
    stage: Text = ""
    round: Text = ""
    recipient: Text = ""
    cc: Text = ""
    subject: Text = ""
    body: Text = ""
    state: Text = Field(min_length=1)
    created_by: Text = ""
    created_at: OptInstant = None
    sent_by: Text = ""
    sent_at: OptInstant = None
    error: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class ReminderSchedule(Record):
    """When a cycle's reminders are drafted, and whether they go out without a click."""

    TAB: ClassVar[tabs.Tab] = tabs.REMINDER_SCHEDULES

    cycle_id: Text = Field(min_length=1)
    days_before: Text = ""
    days_after_upper: Text = ""
    auto_send: Flag = False
    set_by: Text = ""
    version: OptCount = None
    updated_at: OptInstant = None


class TermRow(Record):
    """A term of office (nhiệm kỳ) as stored, in cycle years, with its mid-term year."""

    TAB: ClassVar = tabs.TERMS

    name: Text = Field(min_length=1)
    start_year: Count = Field(ge=2000, le=2100)
    end_year: Count = Field(ge=2000, le=2100)
    middle_year: OptCount = None
    version: OptCount = None
    updated_at: OptInstant = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_year < self.start_year:
            raise ValueError("năm kết thúc phải không trước năm bắt đầu")
        if (
            self.middle_year is not None
            and not self.start_year <= self.middle_year <= self.end_year
        ):
            raise ValueError("năm xét giữa nhiệm kỳ phải nằm trong nhiệm kỳ")
        return self


MODELS: dict[str, type[Record]] = {
    m.TAB.name: m
    for m in (
        Unit,
        Cycle,
        Registration,
        Extension,
        UpperReport,
        Assessment,
        AssessmentItem,
        Decision,
        DecisionUnit,
        User,
        UpperReportUnit,
        DocumentTexts,
        Reminder,
        ReminderSchedule,
        UnitChange,
        Setting,
        TermRow,
        AuditEntry,
    )
}


# ---- Form input: what a person types, validated before any service runs ----------------------


TYPED_LIMIT = 10_000  # no form field takes more; longer is refused before any other check


def _clean_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) > TYPED_LIMIT:
        raise ValueError(f"quá dài (đang có {len(value)} ký tự)")
    return clean(value) if isinstance(value, str) else value


CleanText = Annotated[str, BeforeValidator(_clean_text)]


class UnitForm(BaseModel):
    """The add/edit unit form."""

    LABELS: ClassVar[dict[str, str]] = {
        "name": "Tên đơn vị",
        "kind": "Loại đơn vị",
        "parent_id": "Đơn vị cấp trên",
        "members": "Số đoàn viên",
        "chi_doan": "Số chi đoàn",
        "secretary": "Bí thư",
        "phone": "Điện thoại",
        "email": "Email",
        "officer": "Cán bộ theo dõi",
        "active": "Đang hoạt động",
    }

    name: CleanText = Field(min_length=1, max_length=200)
    kind: Kind
    parent_id: OptionalId = None
    members: OptCount = Field(default=None, ge=0)
    chi_doan: OptCount = Field(default=None, ge=0)
    secretary: CleanText = Field(default="", max_length=200)
    phone: Annotated[CleanText, AfterValidator(check_phone)] = Field(
        default="", max_length=PHONE_LIMIT
    )
    email: Annotated[CleanText, AfterValidator(check_email)] = Field(
        default="", max_length=EMAIL_LIMIT
    )
    officer: CleanText = Field(default="", max_length=200)
    active: bool = True

    @model_validator(mode="after")
    def _chi_doan_within_members(self) -> Self:
        if self.members is not None and self.chi_doan is not None and self.chi_doan > self.members:
            raise ValueError("Số chi đoàn: không được lớn hơn số đoàn viên")
        return self


class UserForm(BaseModel):
    """The add/edit user form (province staff only)."""

    LABELS: ClassVar[dict[str, str]] = {
        "email": "Email đăng nhập",
        "name": "Họ và tên",
        "role": "Vai trò",
        "unit_id": "Đơn vị",
        "active": "Được truy cập",
    }

    email: Annotated[CleanText, AfterValidator(check_email)] = Field(
        min_length=1, max_length=EMAIL_LIMIT
    )
    name: CleanText = Field(min_length=1, max_length=200)
    role: RoleChoice
    unit_id: CleanText = Field(min_length=1, max_length=100)
    active: bool = True


class PlanForm(BaseModel):
    """The registration form: the plan's reference, a target per content of the criteria set, and
    optionally where the unit stands on each criterion (with roadmaps) and its signed plan's link.

    The link and the statements are checked against the cycle's set by the service
    (services.registration.plans), so every problem of a sending is listed at once.
    """

    LABELS: ClassVar[dict[str, str]] = {
        "plan_number": "Số kế hoạch",
        "plan_date": "Ngày kế hoạch",
        "targets": "Mục tiêu",
        "plan_link": LINK_LABEL,
        "standings": "Tình hình từng tiêu chí",
    }

    plan_number: CleanText = Field(min_length=1, max_length=100)
    plan_date: Day
    targets: dict[str, str]
    plan_link: Text = ""
    # criterion id -> {"standing": "Chưa đạt" (or None), "roadmap": "…"}
    standings: dict[str, dict[str, str | None]] = Field(default_factory=dict)


class DecisionForm(BaseModel):
    """The recognition decision form: its reference and the units it recognises."""

    LABELS: ClassVar[dict[str, str]] = {
        "number": "Số quyết định",
        "signed_on": "Ngày ký",
        "signer": "Người ký",
        "note": "Ghi chú",
        "unit_ids": "Danh sách đơn vị được công nhận",
    }

    number: CleanText = Field(min_length=1, max_length=100)
    signed_on: Day
    signer: CleanText = Field(min_length=1, max_length=200)
    note: str = ""  # kept as typed, line breaks included (services.core.forms.free_text)
    unit_ids: list[str] = Field(default_factory=list)


def form_cells(form: BaseModel, fields: tuple[str, ...]) -> dict[str, str]:
    """A validated form's values as cells (for the fields it shares with a tab)."""
    return {f: to_cell(getattr(form, f)) for f in fields if f in type(form).model_fields}


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
