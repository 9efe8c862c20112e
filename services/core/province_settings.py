"""Province-wide settings an officer changes on a screen, stored in the settings tab.

The one setting so far: how a unit formed by a merger counts a year its predecessors lived
through (the programme does not fix it). The default is stated here and shown beside every use.
"""

from __future__ import annotations

from enum import StrEnum

from schemas import tabs
from schemas.cells import iso
from services.core import records
from services.core.access import Actor, ensure_province
from services.core.runtime import Runtime
from services.core.workbook import Workbook

SUCCESSOR_RULE = "successor_rule"


class SuccessorRule(StrEnum):
    """How a merged unit counts a year before its merger: from all, or any, of its predecessors."""

    ALL = "Tất cả đơn vị tiền thân"
    ANY = "Ít nhất một đơn vị tiền thân"

    @property
    def explained(self) -> str:
        if self is SuccessorRule.ALL:
            return "một năm được tính khi tất cả các đơn vị hình thành nên đơn vị này đều đạt"
        return "một năm được tính khi ít nhất một đơn vị hình thành nên đơn vị này đạt"


# The stricter rule by default: a merged commune is commended only if each former commune was
# recognised in the years before the merger (the programme leaves the choice to the province).
DEFAULT_SUCCESSOR_RULE = SuccessorRule.ALL


def successor_rule(wb: Workbook) -> SuccessorRule:
    """The province's rule for merged units (the default when unset or unreadable)."""
    value = wb.setting(SUCCESSOR_RULE)
    try:
        return SuccessorRule(value)
    except ValueError:
        return DEFAULT_SUCCESSOR_RULE


def rule_words(wb: Workbook) -> str:
    """The rule in force, as shown beside a merged unit's figures."""
    rule = successor_rule(wb)
    default = " (mặc định)" if wb.setting(SUCCESSOR_RULE) != rule.value else ""
    return f"Đơn vị hợp nhất: {rule.value}{default} — {rule.explained}"


def save_successor_rule(rt: Runtime, actor: Actor, rule: SuccessorRule, request_key: str) -> None:
    """Province staff set the rule for merged units (one row of the settings tab, audited)."""
    ensure_province(actor, "đặt cách tính năm cho đơn vị hợp nhất")
    with rt.store.serialised():
        wb = rt.workbook()
        now = rt.clock.now()
        current = wb.settings.get(SUCCESSOR_RULE)
        if current is not None:
            changes = {"value": rule.value}
            rt.store.apply(records.change(actor, now, SAVED, current, changes, request_key))
            return
        cells = {
            "id": SUCCESSOR_RULE,
            "name": "Cách tính năm trước hợp nhất cho đơn vị hợp nhất",
            "value": rule.value,
            "version": "1",
            "updated_at": iso(now),
        }
        rt.store.apply(records.create(actor, now, SAVED, cells, tabs.SETTINGS.name, request_key))


SAVED = "Lưu cài đặt"


def current_rule(rt: Runtime) -> tuple[SuccessorRule, str]:
    """The rule in force for merged units and its words, for the screen that sets it."""
    wb = rt.workbook()
    return successor_rule(wb), rule_words(wb)
