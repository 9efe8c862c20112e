"""A SQL store scoped to one unit's subtree: which rows of each tab belong to it, said in SQL.

A server for one province (or one upper unit) of a national database reads only its part
(`[store] scope`, docs/scaling.md): the units of the subtree plus the chain of its ancestors (so
names and parents resolve), in every tab that names a unit the rows whose unit is in the subtree,
child rows with their parent record, the audit rows about the subtree or about no unit, and the
tabs that belong to nobody (cycles, settings, terms, unit changes, …) whole. The subtree is a recursive query over the units' parent links, computed by the database
inside each tab's query (an index on `units.parent_id` keeps it to one lookup per unit), so
nothing outside the scope ever reaches Python. Row numbers stay the real ones (`_row`): a write is
patched into a scoped snapshot exactly as into a whole one.

What changes membership — a unit added, moved or re-parented, by this server or another — is
handled by reading again: when the units tab's counter moves, every scoped tab is read again
(`rereads`), and a write of units is never patched into the copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from schemas import tabs

UNITS = tabs.UNITS.name
# Tabs whose rows belong to the unit their `unit_id` names (the unit registered, reported,
# assessed, reminded, the person's unit, the unit that issues a document, the unit recognised).
BY_UNIT = (
    tabs.USERS.name,
    tabs.REGISTRATIONS.name,
    tabs.EXTENSIONS.name,
    tabs.UPPER_REPORTS.name,
    tabs.ASSESSMENTS.name,
    tabs.DOCUMENT_TEXTS.name,
    tabs.REMINDERS.name,
    tabs.DECISION_UNITS.name,
)
# Child tabs: their rows follow their parent record (child tab -> (link field, parent tab)).
BY_PARENT = {
    tabs.ASSESSMENT_ITEMS.name: ("assessment_id", tabs.ASSESSMENTS.name),
    tabs.UPPER_REPORT_UNITS.name: ("report_id", tabs.UPPER_REPORTS.name),
}
# A decision belongs to the scope when a unit of the subtree issued it, or when it recognises a
# unit of the subtree (a province's decision, read by a server scoped to one of its upper units).
DECISIONS = tabs.DECISIONS.name
SCOPED = frozenset({UNITS, *BY_UNIT, *BY_PARENT, DECISIONS})
# The audit log (read on demand, a window at a time): the rows about a unit of the subtree, and
# the rows that name no unit (cycles, settings, the demo's seeding), which every server shows.
AUDIT_LOG = tabs.AUDIT_LOG.name
# Tabs read again with another tab whose counter moved: a child row may name a parent written
# earlier, and a decision may come into the scope through a new row of its list.
FOLLOWS = {
    tabs.ASSESSMENTS.name: (tabs.ASSESSMENT_ITEMS.name,),
    tabs.UPPER_REPORTS.name: (tabs.UPPER_REPORT_UNITS.name,),
    tabs.DECISION_UNITS.name: (DECISIONS,),
}
# The indexes the scoped queries use (created on every SQL store, scoped or not).
INDEXED = {
    UNITS: ("parent_id",),
    **{name: ("unit_id",) for name in BY_UNIT},
    **{child: (link,) for child, (link, _) in BY_PARENT.items()},
}


def indexes(name: str) -> list[sa.Index]:
    """The extra indexes of one tab's table (besides its id)."""
    return [sa.Index(f"ix_{name}_{field}", field) for field in INDEXED.get(name, ())]


class Scope:
    """The WHERE clause of each tab's read for one unit's subtree."""

    def __init__(self, unit_id: str, tables: dict[str, sa.Table]):
        self.unit_id = unit_id
        self.tables = tables
        units = tables[UNITS]
        below = (
            sa.select(units.c.id).where(units.c.id == unit_id).cte("scope_below", recursive=True)
        )
        child = units.alias("scope_child")
        below = below.union(sa.select(child.c.id).where(child.c.parent_id == below.c.id))
        above = (
            sa.select(units.c.parent_id.label("id"))
            .where(units.c.id == unit_id, units.c.parent_id != "")
            .cte("scope_above", recursive=True)
        )
        parent = units.alias("scope_parent")
        above = above.union(
            sa.select(parent.c.parent_id).where(parent.c.id == above.c.id, parent.c.parent_id != "")
        )
        self.below = sa.select(below.c.id)  # the unit and every unit under it
        self.above = sa.select(above.c.id)  # its parent, the parent's parent, … up to the root

    def where(self, name: str) -> Any:
        """The condition a row of tab `name` meets when it belongs to the scope (None: every row)."""
        table = self.tables[name]
        if name == UNITS:
            return sa.or_(table.c.id.in_(self.below), table.c.id.in_(self.above))
        if name in BY_UNIT:
            return table.c.unit_id.in_(self.below)
        if name in BY_PARENT:
            link, parent_tab = BY_PARENT[name]
            parent = self.tables[parent_tab]
            mine = sa.select(parent.c.id).where(parent.c.unit_id.in_(self.below))
            return table.c[link].in_(mine)
        if name == AUDIT_LOG:  # what happened to the subtree's units, and to nobody's rows
            return sa.or_(table.c.unit_id.in_(self.below), table.c.unit_id == "")
        if name == DECISIONS:
            listed = self.tables[tabs.DECISION_UNITS.name]
            recognised = sa.select(listed.c.decision_id).where(listed.c.unit_id.in_(self.below))
            return sa.or_(table.c.unit_id.in_(self.below), table.c.id.in_(recognised))
        return None

    def holds_unit(self, conn: sa.Connection) -> bool:
        """Whether the scope's unit is in the store at all."""
        units = self.tables[UNITS]
        found = conn.execute(sa.select(units.c.id).where(units.c.id == self.unit_id).limit(1))
        return found.first() is not None


def rereads(changed: Iterable[str]) -> set[str]:
    """The tabs a scoped store reads again when these tabs' counters moved: a change of the units
    can move any row in or out of the scope, so it brings every scoped tab along."""
    wanted = set(changed)
    if UNITS in wanted:
        wanted |= SCOPED
    for name in list(wanted):
        wanted.update(FOLLOWS.get(name, ()))
    return wanted
