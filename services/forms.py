"""Validating what a person typed: pydantic models in, Vietnamese messages out."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.cells import error_messages
from services.errors import InvalidInput

F = TypeVar("F", bound=BaseModel)


def validate(form: type[F], data: dict[str, Any]) -> F:
    """Build a form model or raise InvalidInput listing every bad field by its label."""
    try:
        return form.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(error_messages(exc, getattr(form, "LABELS", {}))) from None
