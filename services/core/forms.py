"""Validating what a person typed: pydantic models in, Vietnamese messages out."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.cells import error_messages
from services.core.errors import InvalidInput

F = TypeVar("F", bound=BaseModel)


def validate(form: type[F], data: dict[str, Any]) -> F:
    """Build a form model or raise InvalidInput listing every bad field by its label."""
    try:
        return form.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(error_messages(exc, getattr(form, "LABELS", {}))) from None


def free_text(value: str, label: str, limit: int, required: bool = False) -> str:
    """A note or reason as typed (line breaks kept, ends trimmed), within a length limit."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput([f"{label}: bắt buộc phải nhập"])
    if len(text) > limit:
        raise InvalidInput([f"{label}: quá dài (tối đa {limit} ký tự, đang có {len(text)})"])
    return text
