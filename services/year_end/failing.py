"""Which contents (ND1–ND3) and which criteria the assessed units of a cycle fail most.

Counted from official outcomes (services.year_end.assessments.Outcome): a content fails when the outcome
says so, a criterion when it is among the outcome's failed criteria — only the criteria that can
fail a content (required ones, or named by a pass rule), so an optional criterion left blank never
shows as failing. Titles come from the set each assessment was made with.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from schemas.criteria import CriteriaSet
from schemas.models import Cycle
from services.year_end.assessments import Outcome

SHORT_TITLE = 48  # characters of a criterion's title shown on a chart axis


def failures(
    catalogue: dict[str, CriteriaSet], cycle: Cycle, results: list[Outcome]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How many assessed units failed each content and each counted criterion, most first:
    (content, title, failed, assessed, share) and (criterion, content, title, full_title, failed,
    assessed, share).

    Titles come from the set each assessment was made with (the cycle's set for ids it lacks).
    """
    assessed = len(results)
    content_rows: dict[str, dict[str, Any]] = {}
    criterion_rows: dict[str, dict[str, Any]] = {}
    default = catalogue.get(cycle.criteria_set)
    for outcome in results:
        criteria = catalogue.get(outcome.criteria_ref) or default
        for content_id, ok in outcome.contents.items():
            row = content_rows.setdefault(
                content_id,
                {"content": content_id, "title": _content_title(criteria, content_id), "failed": 0},
            )
            row["failed"] += not ok
        for cid in outcome.failed_criteria:
            title = criteria.criteria[cid].title if criteria and cid in criteria.criteria else ""
            row = criterion_rows.setdefault(
                cid,
                {
                    "criterion": cid,
                    "content": _content_of(criteria, cid),
                    "title": short_title(title),
                    "full_title": title,
                    "failed": 0,
                },
            )
            row["failed"] += 1
    if default is not None:  # every content shows, failed or not, in the set's order
        for content in default.contents:
            content_rows.setdefault(
                content.id, {"content": content.id, "title": content.title, "failed": 0}
            )
    content_list = sorted(content_rows.values(), key=lambda r: (-r["failed"], r["content"]))
    criterion_list = sorted(
        criterion_rows.values(), key=lambda r: (-r["failed"], _criterion_order(r))
    )
    contents = pd.DataFrame(content_list, columns=["content", "title", "failed"])
    criteria_frame = pd.DataFrame(
        criterion_list, columns=["criterion", "content", "title", "full_title", "failed"]
    )
    for frame in (contents, criteria_frame):
        frame["assessed"] = assessed
        frame["share"] = frame["failed"] / assessed if assessed else 0.0
    return contents, criteria_frame


def _content_title(criteria: CriteriaSet | None, content_id: str) -> str:
    found = [c.title for c in (criteria.contents if criteria else []) if c.id == content_id]
    return found[0] if found else ""


def _content_of(criteria: CriteriaSet | None, criterion_id: str) -> str:
    for content in criteria.contents if criteria else []:
        if any(c.id == criterion_id for c in content.criteria):
            return content.id
    return ""


def _criterion_order(row: dict) -> tuple:
    """'1.6' before '1.10': numbers compared as numbers where the id has them."""
    return tuple(int(p) if p.isdigit() else 0 for p in row["criterion"].split("."))


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """A criterion's title cut at a word boundary to fit a chart axis: 'Tham mưu tổ chức đối…'."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
