"""Set up or change the whole unit tree from the unit list staff keep (province staff).

Three steps, three modules. This one says what a unit list holds (its fields, the words staff use
for kinds) and what each of its rows can come to. `unit_import_preview.preview_units` reads the
list (see `list_import`) against the units as they are now and says, row by row, what would happen:
a unit added, one matched (changed or not), a merge from the "Hình thành từ" column, a near match to
confirm, an error; and which existing units the list does not hold. Nothing is written.
`unit_import_apply.apply_units` plans again on the data as it is then (a stale preview is never
applied blindly) and writes what the person accepted: merges one by one through
`unit_changes.apply_change` (each all-or-nothing, audited, reversible), then additions and updates
in all-or-nothing chunks, then the ticked deactivations. Every write's key comes from the list's
content, so a run that failed part-way is completed by running it again, without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from schemas.models import Unit, UnitKind
from services.core.workbook import Workbook
from services.people import list_import as li
from services.people.list_import import Field

K = UnitKind
ACTION = "Nhập danh sách đơn vị"
FIELDS = (
    Field("id", "Mã đơn vị", ("ma don vi", "ma dv", "ma")),
    Field(
        "name",
        "Tên đơn vị",
        ("ten don vi", "ten dv", "don vi", "ten", "ten co so doan", "ten doan co so", "co so doan"),
        required=True,
    ),
    Field("kind", "Loại đơn vị", ("loai don vi", "loai", "loai hinh", "loai hinh don vi")),
    Field("parent", "Đơn vị cấp trên", ("don vi cap tren", "cap tren", "truc thuoc", "thuoc")),
    Field("members", "Số đoàn viên", ("so doan vien", "doan vien", "sl doan vien", "so dv")),
    Field("chi_doan", "Số chi đoàn", ("so chi doan", "chi doan", "sl chi doan")),
    Field("phone", "Điện thoại", ("dien thoai", "sdt", "so dt", "dt", "so dien thoai")),
    Field("email", "Email", ("email", "e mail", "thu dien tu", "mail")),
    Field("secretary", "Bí thư", ("bi thu", "ho ten bi thu", "ho va ten bi thu", "ten bi thu")),
    Field(
        "predecessors",
        "Hình thành từ",
        ("hinh thanh tu", "sap nhap tu", "hop nhat tu", "tien than", "don vi cu"),
    ),
)
LABELS = {f.name: f.label for f in FIELDS}
CONTACTS = ("members", "chi_doan", "secretary", "phone", "email")
# Short words a kind cell may hold, folded (header_key), and the names that tell a kind.
KIND_WORDS = {
    "xa": K.XA,
    "phuong": K.PHUONG,
    "thi tran": K.THI_TRAN,
    "doan khoi": K.DOAN_KHOI,
    "khoi": K.DOAN_KHOI,
    "huyen": K.CAP_HUYEN,
    "cap huyen": K.CAP_HUYEN,
    "thpt": K.TRUONG_THPT,
    "truong thpt": K.TRUONG_THPT,
    "dai hoc": K.TRUONG_DH_CD,
    "cao dang": K.TRUONG_DH_CD,
    "co quan": K.CO_QUAN,
    "doanh nghiep": K.DOANH_NGHIEP,
    "cong an": K.LUC_LUONG_VU_TRANG,
    "quan su": K.LUC_LUONG_VU_TRANG,
}
NAME_PREFIXES = (
    ("doan xa ", K.XA),
    ("doan phuong ", K.PHUONG),
    ("doan thi tran ", K.THI_TRAN),
    ("doan khoi ", K.DOAN_KHOI),
    ("huyen doan ", K.CAP_HUYEN),
    ("thanh doan ", K.CAP_HUYEN),
    ("thi doan ", K.CAP_HUYEN),
    ("doan truong thpt ", K.TRUONG_THPT),
    ("doan truong dai hoc ", K.TRUONG_DH_CD),
    ("doan truong cao dang ", K.TRUONG_DH_CD),
    ("doan thanh nien cong an ", K.LUC_LUONG_VU_TRANG),
    ("doan co so cong ty ", K.DOANH_NGHIEP),
)


class Action:
    ADD = "Thêm mới"
    SAME = "Khớp — không đổi"
    UPDATE = "Khớp — cập nhật"
    MERGE = "Hợp nhất"
    ERROR = "Lỗi"


# What a row can come to, in the order the preview counts them.
STATUSES = (Action.ADD, Action.MERGE, Action.UPDATE, Action.SAME, li.NEAR, Action.ERROR)


@dataclass
class UnitRow:
    """What one row of the list would do."""

    number: int
    name: str
    action: str = Action.ADD
    unit_id: str = ""  # the matched unit, or the id an added unit will get
    exists: bool = False  # unit_id is a unit stored now
    stored_name: str = ""
    kind: UnitKind | None = None
    parent_id: str = ""
    changes: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # units to merge into this one
    near: list[str] = field(default_factory=list)  # matches found only after folding
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shown: str = ""  # the changes in words

    @property
    def needs_confirming(self) -> bool:
        return bool(self.near) and not self.problems

    @property
    def status(self) -> str:
        if self.problems:
            return Action.ERROR
        return li.NEAR if self.near else self.action


@dataclass
class Absent:
    """An existing unit the list does not hold, with the users who would lose access."""

    unit: Unit
    parent_name: str
    users: list[str]
    below: list[str]  # units under it that stay: it cannot end while they do


@dataclass
class UnitPreview:
    rows: list[UnitRow]
    absent: list[Absent]
    skipped: list[li.Skipped]
    blank: int
    batch: str

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


@dataclass(frozen=True)
class Accepted:
    """What the person ticked and typed on the preview."""

    effective_on: date
    decision_number: str = ""
    confirmed: frozenset[int] = frozenset()  # row numbers of near matches they confirmed
    deactivate: frozenset[str] = frozenset()  # ids of absent units to deactivate


@dataclass
class ImportOutcome:
    merged: int = 0
    added: int = 0
    updated: int = 0
    deactivated: int = 0


# ---- reading rows --------------------------------------------------------------------------------


def parse_kind(text: str) -> UnitKind | None:
    """A kind typed the way staff write it ('Xã', 'phuong', 'Đoàn Khối', 'THPT')."""
    key = li.header_key(text)
    for kind in UnitKind:
        if li.header_key(kind.value) == key:
            return kind
    return KIND_WORDS.get(key)


def kind_from_name(name: str) -> UnitKind | None:
    """The kind a unit's name tells ('Đoàn xã …' is a xã), when the list has no kind column."""
    key = li.header_key(name) + " "
    return next((kind for prefix, kind in NAME_PREFIXES if key.startswith(prefix)), None)


def staying_below(wb: Workbook, unit_id: str, ending: set[str]) -> list[str]:
    """Units directly under this one that go on existing (so it cannot end with the list)."""
    return [
        wb.units[c].name
        for c in wb.children.get(unit_id, ())
        if c not in ending and wb.units[c].valid_until is None and wb.units[c].active
    ]
