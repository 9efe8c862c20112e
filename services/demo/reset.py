"""`make demo-reset`: put the embedded store aside so the next start seeds a fresh demo.

Stop the app first (a running server keeps the store open).

Nothing is deleted: the store file is renamed with the time of the reset, so data put there by
mistake can still be recovered. Refused for a Google Sheet (never a demo store). Reads the settings
like the app does (`.streamlit/secrets.toml`, environment variables winning).
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from services.core.settings import Settings, SettingsError

SECRETS = Path(".streamlit/secrets.toml")


def reset(settings: Settings, now: datetime) -> Path | None:
    """Rename the embedded store to `<file>.truoc-dat-lai-<time>`; its new name, or None if absent."""
    if settings.engine != "sqlite":
        raise SettingsError(
            'Lệnh làm mới dữ liệu mẫu chỉ dùng cho kho dữ liệu nhúng (engine = "sqlite"); '
            "Google Sheet không bao giờ là kho dữ liệu mẫu, nên không có gì để làm mới."
        )
    path = Path(settings.sqlite_path)
    if not path.exists():
        return None
    kept = path.with_name(f"{path.name}.truoc-dat-lai-{now.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("-wal", "-shm", "-journal", ""):  # SQLite's side files go with the store
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    return kept


def main(
    argv: Sequence[str] = (),
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the reset from the command line; 0 on success, 1 with a Vietnamese reason."""
    argparse.ArgumentParser(
        prog="python -m services.demo.reset",
        description=(
            "Làm mới dữ liệu mẫu: cất kho dữ liệu nhúng hiện tại sang một tệp khác (không xoá) để "
            "lần chạy tới tạo dữ liệu mẫu mới. Không dùng cho Google Sheet. Không có tham số."
        ),
    ).parse_args(argv)
    if secrets is None:
        secrets = tomllib.loads(SECRETS.read_text("utf-8")) if SECRETS.is_file() else {}
    try:
        settings = Settings.from_sources(secrets, os.environ if environ is None else environ)
        kept = reset(settings, datetime.now())
    except SettingsError as exc:
        print(f"Không làm mới được: {exc}", file=sys.stderr)
        return 1
    if kept is None:
        print(f"Chưa có kho {settings.sqlite_path}: lần chạy tới sẽ tạo dữ liệu mẫu mới.")
    else:
        print(f"Đã cất kho cũ thành {kept}. Lần chạy tới (make run) sẽ tạo dữ liệu mẫu mới.")
    if settings.login:
        print(
            "Lưu ý: đang có mục [auth], nên ứng dụng sẽ dùng đăng nhập, không mở chế độ dùng thử."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
