"""What every document shares: the header and signature fields from the issuer and its texts."""

from __future__ import annotations

from datetime import date

from services.core.workbook import Workbook
from services.documents import words
from services.documents.texts import Texts


def fields(
    wb: Workbook,
    issuer_id: str,
    texts: Texts,
    number: str | None,
    day: date | None,
    type_name: str,
    subject: str,
) -> dict[str, str]:
    """The named fields of the template: header, number, place and date, title, signature."""
    issuer = wb.units[issuer_id]
    parent = wb.units.get(issuer.parent_id or "")
    return {
        "parent_body": words.issuing_body(parent) if parent else "",
        "issuing_body": words.issuing_body(issuer),
        "number_line": f"Số: {full_number(number, texts.symbol)}",
        "place_date": words.place_date_line(texts.place, day),
        "type_name": type_name,
        "subject": subject,
        "recipients": texts.recipients,
        "authority": texts.authority,
        "signer_title": texts.signer_title,
        "signer_name": texts.signer_name,
    }


def full_number(number: str | None, symbol: str) -> str:
    """'12' → '12-QĐ/TĐTN'; a number typed with its symbol stays as typed; none leaves a blank."""
    if not number:
        return f"{words.BLANK}-{symbol}"
    return number if "/" in number else f"{number}-{symbol}"


def slug(text: str) -> str:
    """A file-name part: ASCII letters and digits, the rest dashes."""
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text).strip("-").lower()
