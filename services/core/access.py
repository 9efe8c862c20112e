"""Who is acting, and what their role lets them see and change, scoped to a subtree of units."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.models import Role
from services.core.errors import AccessDenied
from services.core.workbook import Workbook

__all__ = ["Actor", "Role", "scope"]


@dataclass(frozen=True)
class Actor:
    """The acting person: every service takes one, and every write records who it was."""

    id: str
    name: str
    role: Role
    unit_id: str
    demo: bool = False  # chosen on the demo picker: their writes are tagged as demo writes

    @property
    def label(self) -> str:
        return f"{self.name} <{self.id}>"


def scope(wb: Workbook, actor: Actor) -> set[str]:
    """Ids of the units this person may see: their unit's subtree (everything for the province)."""
    if actor.role is Role.PROVINCE:
        return set(wb.units)
    return wb.subtree(actor.unit_id)


def ensure_can_view(wb: Workbook, actor: Actor, unit_id: str) -> None:
    if unit_id not in scope(wb, actor):
        raise AccessDenied(f"Bạn không có quyền xem đơn vị {wb.unit_name(unit_id)}.")


def ensure_can_manage(wb: Workbook, actor: Actor, unit_id: str) -> None:
    """Add or edit units: province staff anywhere, an upper-unit officer below their own unit."""
    allowed = actor.role is Role.PROVINCE or (
        actor.role is Role.UPPER and unit_id in wb.subtree(actor.unit_id) - {actor.unit_id}
    )
    if not allowed:
        raise AccessDenied(f"Bạn không có quyền sửa thông tin đơn vị {wb.unit_name(unit_id)}.")


def ensure_can_add_under(wb: Workbook, actor: Actor, parent_id: str) -> None:
    """Place a unit under `parent_id`: province staff anywhere, an upper-unit officer in its subtree."""
    allowed = actor.role is Role.PROVINCE or (
        actor.role is Role.UPPER and parent_id in wb.subtree(actor.unit_id)
    )
    if not allowed:
        raise AccessDenied(
            f"Bạn không có quyền thêm hoặc chuyển đơn vị vào {wb.unit_name(parent_id)}."
        )


def can_review(wb: Workbook, actor: Actor, unit_id: str) -> bool:
    """Accept, return, extend or enter on behalf: the unit's upper units (province included)."""
    if actor.role is Role.PROVINCE:
        return True
    return actor.role is Role.UPPER and actor.unit_id in wb.ancestors(unit_id)


def ensure_reviewer(wb: Workbook, actor: Actor, unit_id: str) -> None:
    if not can_review(wb, actor, unit_id):
        raise AccessDenied(
            f"Chỉ Đoàn cấp trên của {wb.unit_name(unit_id)} mới được xử lý đăng ký của đơn vị này."
        )


def is_secretary_of(actor: Actor, unit_id: str) -> bool:
    return actor.role is Role.SECRETARY and actor.unit_id == unit_id


def ensure_province(actor: Actor, what: str) -> None:
    if actor.role is not Role.PROVINCE:
        raise AccessDenied(f"Chỉ cán bộ Tỉnh đoàn mới được {what}.")
