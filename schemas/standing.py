"""Where a unit stands on each criterion when it registers, its roadmap, and its signed plan's link.

The province's guidance asks a registered plan to set out "phương án, giải pháp, lộ trình thực hiện
các tiêu chí" (criterion 2.1). The registration form therefore lets a unit say, per criterion,
whether it is *Đã đạt*, *Đang thực hiện* or *Chưa đạt* today, with a roadmap (*lộ trình*) for every
criterion not yet met, and give the address of its signed plan.

Both are stored on the registration row as readable text, so a person can read and edit them in
the sheet:

* *Tình hình từng tiêu chí* — one line per criterion stated: ``2.3: Chưa đạt. Lộ trình: Quý I/2027
  tổ chức 2 hoạt động``, or ``1.1: Đã đạt``;
* *Đường dẫn kế hoạch đã ký* — one http(s) address.

A hand-edited cell is read through the same rules as the form (`parse_standings`, `check_link`), in time
linear in its length (no backtracking pattern; a line over LINE_LIMIT is refused first); a
cell that breaks them raises ValueError in Vietnamese, so the row is listed on *Dữ liệu*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from schemas.cells import parse_choice

LINK_LIMIT = 500  # characters in the signed plan's address
ROADMAP_LIMIT = 500  # characters in one criterion's roadmap
LINK_LABEL = "Đường dẫn kế hoạch đã ký"
LINE_LIMIT = ROADMAP_LIMIT + 200  # characters in one stored line: id, standing and roadmap
# Read without backtracking: a literal first, then one run of spaces (the separator before it is
# stripped by hand), so a line of spaces costs linear time (the old pattern was cubic in them).
_ROADMAP = re.compile(r"lộ trình\s*:", re.IGNORECASE)
_ROADMAP_SEPARATORS = ".;,–—-"
_UNSAFE_IN_LINK = re.compile(r"[\s<>\"'`\\^{}|\x00-\x1f\x7f]")


class Standing(StrEnum):
    """Where a unit stands on a criterion today; the stored value is the label people read."""

    MET = "Đã đạt"
    IN_PROGRESS = "Đang thực hiện"
    NOT_MET = "Chưa đạt"

    @property
    def needs_roadmap(self) -> bool:
        """Every criterion not yet met needs a roadmap (lộ trình)."""
        return self is not Standing.MET


_parse_standing = parse_choice(Standing)


@dataclass(frozen=True)
class CriterionStanding:
    standing: Standing
    roadmap: str = ""


def status_label(criterion_id: str) -> str:
    """The form's label for a criterion's standing (errors name it exactly so)."""
    return f"Tình hình tiêu chí {criterion_id}"


def roadmap_label(criterion_id: str) -> str:
    """The form's label for a criterion's roadmap (errors name it exactly so)."""
    return f"Lộ trình thực hiện tiêu chí {criterion_id}"


def roadmap_problem(criterion_id: str, item: CriterionStanding) -> str | None:
    """What is wrong with one criterion's statement, naming the field by its label."""
    if item.standing.needs_roadmap and not item.roadmap.strip():
        return (
            f"{roadmap_label(criterion_id)}: bắt buộc phải nhập khi tiêu chí "
            f"{item.standing.value.lower()}"
        )
    if len(item.roadmap) > ROADMAP_LIMIT:
        return (
            f"{roadmap_label(criterion_id)}: quá dài "
            f"(tối đa {ROADMAP_LIMIT} ký tự, đang có {len(item.roadmap)})"
        )
    return None


def one_line(text: str) -> str:
    """A roadmap as stored: one line, inner runs of spaces made one (the cell keeps one line
    per criterion)."""
    return " ".join((text or "").split())


def standings_cell(standings: dict[str, CriterionStanding]) -> str:
    """The cell for a registration's statements, one line per criterion, in the given order."""
    lines = []
    for criterion_id, item in standings.items():
        line = f"{criterion_id}: {item.standing.value}"
        if item.roadmap:
            line += f". Lộ trình: {one_line(item.roadmap)}"
        lines.append(line)
    return "\n".join(lines)


def parse_standings(text: str) -> dict[str, CriterionStanding]:
    """Read the cell back; raises ValueError in Vietnamese naming the line that cannot be read."""
    out: dict[str, CriterionStanding] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        criterion_id, item = _parse_line(line, number)
        if criterion_id in out:
            raise ValueError(f"dòng {number}: tiêu chí {criterion_id} được ghi hai lần")
        problem = roadmap_problem(criterion_id, item)
        if problem:
            raise ValueError(f"dòng {number}: {problem}")
        out[criterion_id] = item
    return out


def _parse_line(line: str, number: int) -> tuple[str, CriterionStanding]:
    if len(line) > LINE_LIMIT:
        raise ValueError(
            f"dòng {number} quá dài (tối đa {LINE_LIMIT} ký tự, đang có {len(line)}): "
            f"mỗi dòng ghi một tiêu chí, lộ trình tối đa {ROADMAP_LIMIT} ký tự"
        )
    criterion_id, colon, rest = line.partition(":")
    criterion_id = criterion_id.strip()
    if not colon or not criterion_id:
        raise ValueError(
            f"dòng {number} ('{line.strip()[:60]}') phải có dạng "
            "'2.3: Chưa đạt. Lộ trình: …' hoặc '1.1: Đã đạt'"
        )
    standing_text, roadmap = _split_roadmap(rest)
    try:
        standing = _parse_standing(standing_text.strip().rstrip("."))
    except ValueError as exc:
        raise ValueError(f"dòng {number}, tiêu chí {criterion_id}: tình hình {exc}") from None
    if standing is None:
        raise ValueError(f"dòng {number}, tiêu chí {criterion_id}: chưa ghi tình hình")
    return criterion_id, CriterionStanding(standing, roadmap)


def _split_roadmap(rest: str) -> tuple[str, str]:
    """'Chưa đạt. Lộ trình: Quý I' → ('Chưa đạt', 'Quý I'); the separator before 'Lộ trình'
    (one of . ; , – — -, spaces around it) belongs to neither part."""
    found = _ROADMAP.search(rest)
    if found is None:
        return rest, ""
    before = rest[: found.start()].rstrip()
    if before and before[-1] in _ROADMAP_SEPARATORS:
        before = before[:-1]
    return before, rest[found.end() :].strip()


def check_standings_cell(text: str) -> str:
    """The model's check of a stored cell: readable, or ValueError (the cell is kept as typed)."""
    parse_standings(text)
    return text


def check_link(text: str) -> str:
    """A signed plan's address: blank, or one http(s) address with a host, at most LINK_LIMIT
    characters, with nothing that could break out of a link. Returned trimmed."""
    link = (text or "").strip()
    if not link:
        return ""
    if len(link) > LINK_LIMIT:
        raise ValueError(f"quá dài (tối đa {LINK_LIMIT} ký tự, đang có {len(link)})")
    if not _is_web_address(link):
        raise ValueError(
            "phải là một địa chỉ bắt đầu bằng http:// hoặc https://, không có dấu cách "
            "(ví dụ https://drive.google.com/…)"
        )
    return link


def _is_web_address(link: str) -> bool:
    if _UNSAFE_IN_LINK.search(link):
        return False
    try:
        parts = urlsplit(link)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed [IPv6] host
        return False
