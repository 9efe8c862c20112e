"""PDF of a document through LibreOffice in headless mode, when the server has it.

One conversion at a time on the server (a lock within the process and a file lock between
processes: LibreOffice is heavy, and two instances sharing a profile corrupt it), each with its
own throw-away profile (`-env:UserInstallation`). Without LibreOffice the PDF button asks the
officer to contact the administrator (what to install is in README, "Văn bản PDF").
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

CANDIDATES = ("soffice", "libreoffice")
TIMEOUT = 180  # seconds for one conversion, a cold start included
LOCK_FILE = Path(tempfile.gettempdir()) / "3cd-pdf.lock"
# Shown to officers: what to do, not how to install (the packages are in README, "Văn bản PDF").
INSTALL_HINT = (
    "Máy chủ chưa cài chương trình tạo bản PDF (LibreOffice), nên chưa tạo được bản PDF: hãy "
    "liên hệ quản trị hệ thống. Trong lúc chờ, hãy tải bản .docx và lưu thành PDF bằng Word."
)
_lock = threading.Lock()


class PdfUnavailable(Exception):
    """No converter on this server, or the conversion failed; the message says what to do."""


def converter(configured: str = "") -> str | None:
    """The LibreOffice program to use: the one the settings name, else the first on PATH."""
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def to_pdf(docx: bytes, configured: str = "") -> bytes:
    """Convert a .docx to PDF; one conversion at a time, each with a fresh profile."""
    program = converter(configured)
    if program is None:
        raise PdfUnavailable(INSTALL_HINT)
    with _lock, LOCK_FILE.open("a") as lock, tempfile.TemporaryDirectory(prefix="3cd-pdf-") as work:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = Path(work)
        source = folder / "van-ban.docx"
        source.write_bytes(docx)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Không chuyển được sang PDF ({exc}). Hãy tải bản .docx.") from exc
        result = folder / "van-ban.pdf"
        if not result.is_file():
            raise PdfUnavailable("LibreOffice không tạo được bản PDF. Hãy tải bản .docx.")
        return result.read_bytes()
