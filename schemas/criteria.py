"""Criteria sets: versioned data files (schemas/criteria/*.yaml), validated when they load.

A cycle names the set it uses as "id@version". The registration form asks for one target per
content of that set. The programme has exactly three contents (ND1–ND3), so a set must have them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

CRITERIA_DIR = Path(__file__).parent / "criteria"
CONTENT_IDS = ("ND1", "ND2", "ND3")


class CriteriaError(ValueError):
    """A criteria file that cannot be used, with the reason in Vietnamese."""


class Criterion(BaseModel):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)


class Content(BaseModel):
    id: str
    title: str = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)


class CriteriaSet(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    period: tuple[int, int]
    contents: list[Content]

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
        return self

    @property
    def ref(self) -> str:
        """How a cycle names this set: 'id@version'."""
        return f"{self.id}@{self.version}"

    @property
    def fingerprint(self) -> str:
        """A hash of the content, so a set edited under the same version can be noticed."""
        canonical = json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def load_set(path: Path) -> CriteriaSet:
    """Load and validate one criteria file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return CriteriaSet.model_validate(data)
    except (yaml.YAMLError, OSError) as exc:
        raise CriteriaError(f"Không đọc được bộ tiêu chí {path.name}: {exc}") from exc
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise CriteriaError(f"Bộ tiêu chí {path.name} không hợp lệ: {reasons}") from exc


def load_catalogue(directory: Path = CRITERIA_DIR) -> dict[str, CriteriaSet]:
    """Every criteria set in a folder, by 'id@version'; two files claiming one ref is an error."""
    catalogue: dict[str, CriteriaSet] = {}
    for path in sorted(directory.glob("*.yaml")):
        criteria_set = load_set(path)
        if criteria_set.ref in catalogue:
            raise CriteriaError(f"Hai tệp cùng khai báo bộ tiêu chí {criteria_set.ref}")
        catalogue[criteria_set.ref] = criteria_set
    return catalogue


def set_for_year(catalogue: dict[str, CriteriaSet], year: int) -> CriteriaSet | None:
    """The newest set whose period covers a cycle year (the default when creating a cycle)."""
    fitting = [s for s in catalogue.values() if s.period[0] <= year <= s.period[1]]
    return max(fitting, key=lambda s: (s.period[0], s.version), default=None)
