"""Criteria sets: versioned data files (schemas/criteria/*.yaml), validated when they load.

A cycle names the set it uses as "id@version". The registration form asks for one target per
content of that set; the assessment form asks for one value per criterion. The programme has exactly
three contents (ND1–ND3), so a set must have them.

Each criterion has a kind — `dat` (met / not met), `count` (a number with a minimum) or `points`
(a score up to a maximum) — help text, the evidence expected, and whether it is required. Each
content has a pass rule (by default: every required criterion passes) and the set has one (by
default: all three contents pass at the same time, programme.md §3). Points are an option a set (or
a cycle) switches on with a threshold; they are never on by default.

Each criterion may say which guidance it comes from: the set lists its `sources` (a short key and
the guidance's name in words) and every criterion names one with `source`, or `source: tinh` for a
criterion the province chose itself, which no guidance asks for: such a criterion is not required
unless the file says `required: true`. A set that lists sources must give every criterion one;
sets published before sources existed have none and load unchanged.

A published version is immutable: `published.yaml` beside the sets records the fingerprint of each
published "id@version", and a file whose content no longer matches refuses to load. See
docs/assessment.md for how a province adds and publishes a set.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

CRITERIA_DIR = Path(__file__).parent / "criteria"
PUBLISHED_FILE = "published.yaml"  # the registry of published fingerprints, not a set
CONTENT_IDS = ("ND1", "ND2", "ND3")
KINDS = {"dat": "Đạt / Không đạt", "count": "Số lượng", "points": "Điểm"}
PROVINCE_CHOICE = "tinh"  # `source: tinh`: the province's own choice, in no guidance


def content_label(content_id: str) -> str:
    """How a content is named to people: "Nội dung 1" for ND1 (the id stays in the data)."""
    return f"Nội dung {content_id[2:]}" if content_id in CONTENT_IDS else content_id


class CriteriaError(ValueError):
    """A criteria file that cannot be used, with the reason in Vietnamese."""


class _Strict(BaseModel):
    """Unknown keys are refused: a typo ('minimun') must not silently drop a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    help: str = ""
    evidence: str = ""
    required: bool = True
    kind: str = "dat"
    minimum: float | None = None  # count: the least number that passes; points: the least score
    maximum: float | None = None  # points: the highest score
    points: float = 0  # with points on: what a passed dat/count criterion is worth
    source: str | None = Field(default=None, min_length=1)  # a key of the set's sources, or "tinh"

    @model_validator(mode="before")
    @classmethod
    def _province_choice_is_optional(cls, data: Any) -> Any:
        """The province's own choice is not required unless the file says `required: true`."""
        if isinstance(data, dict) and data.get("source") == PROVINCE_CHOICE:
            return {"required": False, **data}
        return data

    @property
    def province_choice(self) -> bool:
        return self.source == PROVINCE_CHOICE

    @model_validator(mode="after")
    def _kind_fits(self) -> Criterion:
        name = f"tiêu chí {self.id}"
        if self.kind not in KINDS:
            allowed = ", ".join(KINDS)
            raise ValueError(f"{name}: loại '{self.kind}' không có; chỉ dùng một trong: {allowed}")
        problem = {"count": self._count_problem, "points": self._points_problem}.get(
            self.kind, self._dat_problem
        )()
        if problem is None and self.points < 0:
            problem = "points không được âm"
        if problem is not None:
            raise ValueError(f"{name}: {problem}")
        return self

    def _count_problem(self) -> str | None:
        if self.minimum is None:
            return "loại count phải có minimum (số tối thiểu để đạt)"
        if self.minimum < 0 or self.minimum != int(self.minimum):
            return "minimum của loại count phải là số nguyên không âm"
        return self._dat_problem(minimum_allowed=True)

    def _points_problem(self) -> str | None:
        if self.maximum is None or self.maximum <= 0:
            return "loại points phải có maximum (điểm tối đa) lớn hơn 0"
        if self.minimum is not None and not 0 <= self.minimum <= self.maximum:
            return f"minimum phải trong khoảng 0–{self.maximum:g}"
        if self.points:
            return "loại points tự mang điểm, không khai báo points"
        return None

    def _dat_problem(self, minimum_allowed: bool = False) -> str | None:
        """What a dat criterion (and, but for its minimum, a count one) may not declare."""
        if self.maximum is not None:
            return "chỉ loại points mới có maximum"
        if not minimum_allowed and self.minimum is not None:
            return "loại dat không có minimum"
        return None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def most_points(self) -> float:
        """The most this criterion can add to a total when points are on."""
        return (self.maximum or 0.0) if self.kind == "points" else self.points


class ContentRule(_Strict):
    """When a content passes. Default: every required criterion passes."""

    all_required: bool = True
    must_pass: list[str] = Field(default_factory=list)  # these criteria must pass as well
    min_passed: int | None = Field(default=None, ge=1)  # at least this many of `among` pass
    among: list[str] = Field(default_factory=list)  # default: every criterion of the content
    min_points: float | None = Field(default=None, ge=0)  # with points on: the content's least


class Content(_Strict):
    id: str
    title: str = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    pass_rule: ContentRule = Field(default_factory=ContentRule)

    @property
    def label(self) -> str:
        """ "Nội dung 1", as people name it."""
        return content_label(self.id)

    @model_validator(mode="after")
    def _rule_names_own_criteria(self) -> Content:
        own = {c.id for c in self.criteria}
        named = self.pass_rule.must_pass + self.pass_rule.among
        missing = [i for i in named if i not in own]
        if missing:
            raise ValueError(
                f"quy tắc đạt của {self.id} nêu tiêu chí không có trong nội dung này: "
                + ", ".join(missing)
            )
        pool = len(self.pass_rule.among or own)
        if self.pass_rule.min_passed is not None and self.pass_rule.min_passed > pool:
            raise ValueError(
                f"quy tắc đạt của {self.id}: min_passed {self.pass_rule.min_passed} lớn hơn "
                f"số tiêu chí được tính ({pool})"
            )
        if not self.pass_rule.all_required and not (
            self.pass_rule.must_pass or self.pass_rule.min_passed or self.pass_rule.min_points
        ):
            raise ValueError(
                f"quy tắc đạt của {self.id}: đã tắt all_required thì phải có must_pass, "
                "min_passed hoặc min_points"
            )
        return self


class SetRule(_Strict):
    """When the whole set passes. Default: all three contents at the same time (programme.md §3)."""

    min_contents: int = Field(default=len(CONTENT_IDS), ge=1, le=len(CONTENT_IDS))


class Points(_Strict):
    """Scoring, an option never on by default: when enabled the total must reach `threshold`."""

    enabled: bool = False
    threshold: float | None = Field(default=None, ge=0)


class CriteriaSet(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    period: tuple[int, int]
    contents: list[Content]
    pass_rule: SetRule = Field(default_factory=SetRule)
    points: Points = Field(default_factory=Points)
    # the guidance the criteria come from: a short key -> its name in words (criterion.source)
    sources: dict[str, str] = Field(default_factory=dict)

    _source: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _well_formed(self) -> CriteriaSet:
        ids = [c.id for c in self.contents]
        if tuple(ids) != CONTENT_IDS:
            raise ValueError(f"phải có đúng ba nội dung {', '.join(CONTENT_IDS)}, đang có {ids}")
        seen: set[str] = set()
        for content in self.contents:
            for criterion in content.criteria:
                if criterion.id in seen:
                    raise ValueError(f"mã tiêu chí {criterion.id!r} bị trùng")
                seen.add(criterion.id)
        problem = self._sources_problem()
        if problem:
            raise ValueError(problem)
        if self.points.enabled:
            if self.points.threshold is None:
                raise ValueError("points: đã bật chấm điểm thì phải có threshold (ngưỡng điểm)")
            self.check_threshold(self.points.threshold)
        return self

    def _sources_problem(self) -> str | None:
        """Sources are all or nothing: once a set lists them (or one criterion names one), every
        criterion names a listed source or `tinh`."""
        if PROVINCE_CHOICE in self.sources:
            return (
                f"sources: '{PROVINCE_CHOICE}' dành cho tiêu chí Tỉnh đoàn tự chọn, không khai báo"
            )
        empty = [key for key, words in self.sources.items() if not words.strip()]
        if empty:
            return f"sources: nguồn {', '.join(empty)} chưa ghi tên văn bản"
        criteria = [c for content in self.contents for c in content.criteria]
        if not self.sources and all(c.source is None for c in criteria):
            return None  # a set from before sources existed
        missing = [c.id for c in criteria if c.source is None]
        if missing:
            return f"tiêu chí {', '.join(missing)} chưa ghi source (nguồn)"
        known = {*self.sources, PROVINCE_CHOICE}
        unknown = [f"{c.id} ({c.source})" for c in criteria if c.source not in known]
        if unknown:
            return (
                f"tiêu chí {', '.join(unknown)}: source không có trong sources; "
                f"dùng một khoá của sources hoặc '{PROVINCE_CHOICE}'"
            )
        return None

    def source_words(self, criterion: Criterion) -> str:
        """Where a criterion comes from, as a unit reads it."""
        if criterion.province_choice:
            need = "Tỉnh đoàn quy định bắt buộc" if criterion.required else "không bắt buộc"
            return f"Tỉnh đoàn tự chọn thêm, không có trong hướng dẫn ({need})"
        if criterion.source is None:
            return "bộ tiêu chí này chưa ghi nguồn"
        return self.sources[criterion.source]

    @classmethod
    def from_data(cls, data: Any) -> CriteriaSet:
        """Validate a set as written in a file; its fingerprint is taken from exactly this data."""
        criteria_set = cls.model_validate(data)
        criteria_set._source = data
        return criteria_set

    def check_threshold(self, threshold: float) -> None:
        """A points threshold must be reachable; raises ValueError in Vietnamese otherwise."""
        most = self.max_points
        if most <= 0:
            raise ValueError(
                "bộ tiêu chí chưa khai báo điểm cho tiêu chí nào (points), nên chưa chấm điểm được"
            )
        if not 0 <= threshold <= most:
            raise ValueError(f"ngưỡng điểm {threshold:g} phải trong khoảng 0–{most:g}")

    @property
    def ref(self) -> str:
        """How a cycle names this set: 'id@version'."""
        return f"{self.id}@{self.version}"

    @property
    def label(self) -> str:
        return f"{self.title} (phiên bản {self.version})"

    @cached_property  # a set never changes once loaded; read for every assessment scored
    def criteria(self) -> dict[str, Criterion]:
        """Every criterion of the set by id, in order."""
        return {c.id: c for content in self.contents for c in content.criteria}

    @property
    def max_points(self) -> float:
        return sum(c.most_points for c in self.criteria.values())

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the set as written (keys sorted, comments and layout ignored).

        Taken from the file's data rather than the parsed model, so adding an optional field to
        the code never changes the fingerprint of a set already published.
        """
        data = self._source or self.model_dump(mode="json", exclude_defaults=True)
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


_PYDANTIC_VI = {
    "extra_forbidden": "khoá này không được hỗ trợ (có gõ nhầm không?)",
    "missing": "bắt buộc phải có",
    "string_too_short": "không được để trống",
    "too_short": "phải có ít nhất một mục",
    "int_parsing": "phải là số nguyên",
    "float_parsing": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "string_pattern_mismatch": "chỉ dùng chữ thường không dấu, số và dấu gạch ngang",
    "model_type": "phải là một bảng khoá: giá trị",
    "tuple_type": "phải là danh sách [năm đầu, năm cuối]",
}


def _reasons(exc: ValidationError) -> str:
    out = []
    for err in exc.errors():
        where = ".".join(map(str, err["loc"]))
        text = (
            str(err["ctx"]["error"])
            if err["type"] == "value_error"
            else _PYDANTIC_VI.get(err["type"], err["msg"])
        )
        out.append(f"{where}: {text}" if where else text)
    return "; ".join(out)


def load_set(path: Path) -> CriteriaSet:
    """Load and validate one criteria file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return CriteriaSet.from_data(data)
    except (yaml.YAMLError, OSError) as exc:
        raise CriteriaError(f"Không đọc được bộ tiêu chí {path.name}: {exc}") from exc
    except ValidationError as exc:
        raise CriteriaError(f"Bộ tiêu chí {path.name} không hợp lệ: {_reasons(exc)}") from exc


def published_fingerprints(directory: Path = CRITERIA_DIR) -> dict[str, str]:
    """The registry of published sets: 'id@version' -> fingerprint (empty when there is none)."""
    path = directory / PUBLISHED_FILE
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CriteriaError(f"Không đọc được {PUBLISHED_FILE}: {exc}") from exc
    if not isinstance(data, dict):
        raise CriteriaError(f"{PUBLISHED_FILE} phải là các dòng 'mã@phiên bản: dấu vân tay'")
    return {str(k): str(v) for k, v in data.items()}


def load_catalogue(directory: Path = CRITERIA_DIR) -> dict[str, CriteriaSet]:
    """Every criteria set in a folder, by 'id@version'.

    Refused: two files claiming one ref, and a published set whose content changed under the same
    version (its fingerprint differs from the one recorded in published.yaml).
    """
    published = published_fingerprints(directory)
    catalogue: dict[str, CriteriaSet] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == PUBLISHED_FILE:
            continue
        criteria_set = load_set(path)
        if criteria_set.ref in catalogue:
            raise CriteriaError(f"Hai tệp cùng khai báo bộ tiêu chí {criteria_set.ref}")
        recorded = published.get(criteria_set.ref)
        if recorded is not None and recorded != criteria_set.fingerprint:
            raise CriteriaError(
                f"Bộ tiêu chí {criteria_set.ref} (tệp {path.name}) đã được công bố nhưng nội dung "
                "tệp đã bị sửa. Một phiên bản đã công bố không được sửa, vì kết quả đánh giá cũ "
                "dựa trên nó: hãy trả tệp về nội dung đã công bố, và nếu cần thay đổi thì tạo tệp "
                f"mới với version: {criteria_set.version + 1}."
            )
        catalogue[criteria_set.ref] = criteria_set
    return catalogue


def unpublished(directory: Path = CRITERIA_DIR) -> list[CriteriaSet]:
    """Sets in the folder that published.yaml does not list yet."""
    published = published_fingerprints(directory)
    return [s for ref, s in load_catalogue(directory).items() if ref not in published]


def publish(directory: Path = CRITERIA_DIR) -> list[str]:
    """Record the fingerprint of every set not yet published; returns the refs added.

    Run as `python -m schemas.criteria publish` after adding a new set file. Only appends lines,
    so a published fingerprint is never rewritten.
    """
    added = unpublished(directory)
    if added:
        path = directory / PUBLISHED_FILE
        lines = [f'"{s.ref}": "{s.fingerprint}"\n' for s in added]
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        if existing and not existing.endswith("\n"):
            existing += "\n"
        path.write_text(existing + "".join(lines), encoding="utf-8")
    return [s.ref for s in added]


def set_for_year(catalogue: dict[str, CriteriaSet], year: int) -> CriteriaSet | None:
    """The newest set whose period covers a cycle year (the default when creating a cycle)."""
    fitting = [s for s in catalogue.values() if s.period[0] <= year <= s.period[1]]
    return max(fitting, key=lambda s: (s.period[0], s.version), default=None)


def first_set_for_year(catalogue: dict[str, CriteriaSet], year: int) -> CriteriaSet | None:
    """The first version of the set covering a year (what a cycle set up before any later
    version was published names)."""
    newest = set_for_year(catalogue, year)
    if newest is None:
        return None
    same = [s for s in catalogue.values() if s.id == newest.id]
    return min(same, key=lambda s: s.version)


if __name__ == "__main__":  # python -m schemas.criteria [check|publish]
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    try:
        if command == "publish":
            refs = publish()
            print("Đã công bố: " + ", ".join(refs) if refs else "Không có bộ nào mới để công bố.")
        else:
            for ref, found in load_catalogue().items():
                print(f"{ref}\t{found.fingerprint}\t{found.title}")
    except CriteriaError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
