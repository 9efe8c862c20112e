"""Settings of documents: the template folder a province fills, and the LibreOffice program.

`[documents]` in `.streamlit/secrets.toml` (or TCD_DOCUMENT_TEMPLATES / TCD_SOFFICE):
    templates = "mau-van-ban"      # folder with van_ban.docx or <kind>.docx; empty: the app's own
    soffice = "/usr/bin/soffice"   # empty: the first soffice or libreoffice on PATH
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DocumentSettings:
    templates: Path | None = None
    soffice: str = ""


def document_settings(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> DocumentSettings:
    """Environment variables win over the [documents] table."""
    section = dict((secrets or {}).get("documents", {}))
    env = environ or {}
    folder = env.get("TCD_DOCUMENT_TEMPLATES") or str(section.get("templates", "") or "")
    return DocumentSettings(
        Path(folder) if folder else None,
        env.get("TCD_SOFFICE") or str(section.get("soffice", "") or ""),
    )
