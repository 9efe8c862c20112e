"""A document as data: the named fields of its template and the blocks of its body and annex.

Services build a `Document`; `render` fills a template with it. Nothing here knows python-docx.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Para:
    """One paragraph. `style`: '' (justified body text), 'center', 'heading', 'article', 'note'."""

    text: str
    style: str = ""
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    widths_cm: Sequence[float] = ()


@dataclass(frozen=True)
class Image:
    png: bytes
    width_cm: float = 16.0
    caption: str = ""


Block = Para | Table | Image


@dataclass(frozen=True)
class Document:
    """The named fields a template holds ({{name}}) and the blocks of the body and annex.

    fields: parent_body, issuing_body, number_line, place_date, type_name, subject, recipients,
    authority, signer_title, signer_name (multi-line values become one paragraph per line).
    """

    kind: str
    file_stem: str
    fields: dict[str, str]
    body: Sequence[Block]
    annex: Sequence[Block] = field(default_factory=list)
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[object]]]] = field(
        default_factory=list
    )  # the same tables as .xlsx: (title, header, rows)
