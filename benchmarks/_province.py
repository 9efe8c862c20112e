"""A large sample province for the benchmarks: 5,000 units, 5 cycles, written through `apply`.

Every name is visibly a sample ("Đoàn xã Mẫu 0001"), except the four units the demo sign-in picker
looks up by name (services.demo.province.DEMO_PEOPLE), so the app's picker works on this store too. The
random seed is fixed: the same call always builds the same province. Helper module only: running
it directly prints a note and does nothing else (`make bench` runs every benchmarks/*.py).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import random
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from schemas import tabs
from schemas.cells import VN_TZ, iso, to_cell
from schemas.criteria import load_catalogue
from schemas.models import RegistrationState, UnitKind
from services.demo.mark import seeding_audit
from services.demo.province import DEMO_PEOPLE, cycle_row, registration_row, user_rows
from services.registration import deadlines
from services.storage import Append
from services.storage.sql import SqlStore

K = UnitKind
# The newest cycle (Năm 2027, registration until 09/10/2026) is open at this instant.
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=VN_TZ)
YEARS = (2023, 2024, 2025, 2026, 2027)
SEED = 3_2027
BATCH = 5_000  # operations per apply(): one transaction each
MERGER_DAY = date(2025, 7, 1)  # the merged variant: communes merged in pairs from this day

# Names the demo picker resolves (province staff, upper officer, secretary, viewer).
ROOT_NAME, UPPER_NAME, GRASSROOTS_NAME, VIEWER_NAME = (p.unit_name for p in DEMO_PEOPLE)

# Grassroots kinds below a district-level unit and below a bloc (đoàn trực thuộc), with weights.
DISTRICT_MIX = (
    (K.XA, 60),
    (K.PHUONG, 15),
    (K.THI_TRAN, 5),
    (K.TRUONG_THPT, 10),
    (K.CO_QUAN, 5),
    (K.DOANH_NGHIEP, 5),
)
BLOC_MIX = (
    (K.CO_QUAN, 35),
    (K.DOANH_NGHIEP, 35),
    (K.LUC_LUONG_VU_TRANG, 15),
    (K.TRUONG_DH_CD, 10),
    (K.KHAC, 5),
)
LABEL = {
    K.XA: "Đoàn xã Mẫu",
    K.PHUONG: "Đoàn phường Mẫu",
    K.THI_TRAN: "Đoàn thị trấn Mẫu",
    K.TRUONG_THPT: "Đoàn trường THPT Mẫu",
    K.TRUONG_DH_CD: "Đoàn trường ĐH/CĐ Mẫu",
    K.CO_QUAN: "Đoàn cơ sở Cơ quan Mẫu",
    K.DOANH_NGHIEP: "Đoàn cơ sở Công ty Mẫu",
    K.LUC_LUONG_VU_TRANG: "Đoàn cơ sở Công an Mẫu",
    K.KHAC: "Chi đoàn cơ sở Mẫu",
}


@dataclass(frozen=True)
class Province:
    """What was written, for the report."""

    path: Path
    units: int
    upper_units: int
    grassroots: int
    cycles: int
    registrations: int
    upper_reports: int
    extensions: int
    seconds: float


def build_province(
    path: Path,
    units: int = 5_000,
    uppers: int = 40,
    blocs: int = 8,
    under_root: int = 9,
    merged_share: float = 0.0,
    provinces: int = 1,
) -> Province:
    """Write the sample province into a new SQLite store at `path` and say what it holds.

    `merged_share`: that share of all units went through a merger on MERGER_DAY (grassroots
    units merged in pairs into a new unit under the same upper unit, which then has
    predecessors), so cycles before and after the merger expect different units.
    `provinces`: the national sample, that many provinces side by side (`_units`)."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    unit_rows = _units(rng, units, uppers, blocs, under_root, provinces)
    if merged_share:
        _merge(rng, unit_rows, round(len(unit_rows) * merged_share))
    grassroots = [u for u in unit_rows if UnitKind(u["kind"]).is_grassroots]
    ops: list[Append] = [Append(tabs.UNITS.name, u) for u in unit_rows]
    ops += [
        Append(tabs.USERS.name, u) for u in user_rows({u["name"]: u["id"] for u in unit_rows}, NOW)
    ]
    counts = {"registrations": 0, "upper_reports": 0, "extensions": 0}
    catalogue = load_catalogue()
    for year in YEARS:
        register, _ = deadlines.default_cutoffs(year)
        cycle = cycle_row(catalogue, year, None, register - timedelta(days=60))
        ops.append(Append(tabs.CYCLES.name, cycle))
        then = _existing(grassroots, datetime.fromisoformat(cycle["register_cutoff"]).date())
        round_ops = _round(cycle, then, unit_rows, rng, is_open=year == YEARS[-1])
        for op in round_ops:
            counts[op.tab] += 1
        ops += round_ops
    # the demo seeder's mark: the benchmark store counts as a demo store (services.demo.mark)
    ops.append(seeding_audit(NOW, "NK-BENCH", "Nạp dữ liệu mẫu (đo tải)", len(ops)))
    store = SqlStore.at_path(path)
    for start in range(0, len(ops), BATCH):
        store.apply(ops[start : start + BATCH])
    store.engine.dispose()
    return Province(
        path,
        len(unit_rows),
        uppers,
        len(grassroots),
        len(YEARS),
        counts["registrations"],
        counts["upper_reports"],
        counts["extensions"],
        time.perf_counter() - started,
    )


ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "benchmarks" / "out" / "provinces"  # `make clean` removes it


def sample_province(path: Path, cache: Path = BUILT, **shape: Any) -> Province:
    """`build_province(path, **shape)` through a cache of provinces built earlier.

    Several benchmarks in one `make bench` want the same province, and writing it takes about
    half a minute at 5,000 units. Each is built once into `cache` and copied from there (SQLite's
    online backup, so the copy is whole). The cache key is the shape plus a hash of the code that
    decides the rows (this module, schemas/, services/): change either and the province is built
    again, and the stale copy of that shape is removed. `seconds`: how long this call took
    (the build, if there was one, and the copy)."""
    started = time.perf_counter()
    defaults = {k: p.default for k, p in inspect.signature(build_province).parameters.items()}
    shape = {k: v for k, v in shape.items() if v != defaults[k]}  # one file for one province
    slug = "-".join(f"{k}{v}" for k, v in sorted(shape.items())) or "default"
    built = cache / f"{slug}-{_code_hash()}.sqlite"
    about = built.with_suffix(".json")
    if not (built.exists() and about.exists()):
        cache.mkdir(parents=True, exist_ok=True)
        for stale in [*cache.glob(f"{slug}-{'?' * 12}.*"), built.with_suffix(".part")]:
            stale.unlink(missing_ok=True)
        fresh = build_province(built.with_suffix(".part"), **shape)
        fresh.path.rename(built)
        about.write_text(json.dumps({**asdict(fresh), "path": ""}), encoding="utf-8")
    with closing(sqlite3.connect(built)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    figures = json.loads(about.read_text(encoding="utf-8"))
    return Province(**{**figures, "path": path, "seconds": time.perf_counter() - started})


def _code_hash() -> str:
    digest = hashlib.sha256()
    files = [
        Path(__file__),
        *sorted((ROOT / "schemas").rglob("*")),
        *sorted((ROOT / "services").rglob("*.py")),
    ]
    for file in files:
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(file.relative_to(ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _units(
    rng: random.Random, total: int, uppers: int, blocs: int, under_root: int, provinces: int = 1
) -> list[dict[str, str]]:
    """The unit tree: one province (the default), or `provinces` provinces side by side (the
    national sample: each a Tỉnh đoàn at the top with its share of the upper and grassroots
    units; the demo picker's names are in the first)."""
    rows: list[dict[str, str]] = []
    share = _Share(total // provinces, uppers // provinces, blocs // provinces)
    for p in range(1, provinces + 1):
        last = p == provinces  # takes what the division left over
        _province_units(
            rng,
            rows,
            p if provinces > 1 else 0,
            total - len(rows) if last else share.units,
            uppers - (provinces - 1) * share.uppers if last else share.uppers,
            blocs - (provinces - 1) * share.blocs if last else share.blocs,
            under_root // provinces if provinces > 1 else under_root,
        )
    return rows


@dataclass(frozen=True)
class _Share:
    units: int
    uppers: int
    blocs: int


def _province_units(
    rng: random.Random,
    rows: list[dict[str, str]],
    province: int,
    total: int,
    uppers: int,
    blocs: int,
    under_root: int,
) -> None:
    """One province's units appended to `rows` (`province` 0: the only one, named as always)."""
    start = len(rows)

    def add(name: str, kind: UnitKind, parent: str, officer: str = "") -> dict[str, str]:
        n = len(rows) + 1
        members = rng.randrange(40, 1200, 10) if kind.is_grassroots else None
        rows.append(
            {
                "id": f"DV-{n:04d}",
                "name": name,
                "kind": to_cell(kind),
                "parent_id": parent,
                "members": to_cell(members),
                "chi_doan": to_cell(max(2, members // rng.randint(20, 45)) if members else None),
                "secretary": f"Bí thư mẫu {n:04d}",
                "phone": f"09{n:08d}",
                "email": f"bithu{n:04d}@mau.example",
                "officer": officer,
                "active": "Không" if kind.is_grassroots and rng.random() < 0.01 else "Có",
                "version": "1",
                "updated_at": iso(NOW - timedelta(days=400)),
            }
        )
        return rows[-1]

    demo_names = province <= 1  # the demo picker's four units are in the first province
    tag = (
        f"{province:02d}." if province else ""
    )  # other provinces' upper units: "Huyện đoàn Mẫu 02.05"
    root = add(ROOT_NAME if demo_names else f"Tỉnh đoàn Mẫu {province:02d}", K.TINH_DOAN, "")["id"]
    upper_rows = []
    for i in range(1, uppers + 1):
        if i == 1 and demo_names:
            name, kind = UPPER_NAME, K.CAP_HUYEN
        elif i == 2 and demo_names:
            name, kind = VIEWER_NAME, K.CAP_HUYEN
        elif i > uppers - blocs:
            name, kind = f"Đoàn Khối Mẫu {tag}{i - (uppers - blocs):02d}", K.TRUC_THUOC
        else:
            name, kind = f"Huyện đoàn Mẫu {tag}{i:02d}", K.CAP_HUYEN
        upper_rows.append(add(name, kind, root))
    if demo_names:
        add(GRASSROOTS_NAME, K.XA, upper_rows[0]["id"], "Cán bộ theo dõi mẫu 01")
    number = 0
    while len(rows) - start < total:
        number += 1
        if number <= under_root:  # a few units directly under the province (universities)
            parent, kind, officer = root, K.TRUONG_DH_CD, "Cán bộ Tỉnh đoàn mẫu"
        else:
            index = rng.randrange(len(upper_rows))
            upper = upper_rows[index]
            mix = BLOC_MIX if upper["kind"] == to_cell(K.TRUC_THUOC) else DISTRICT_MIX
            kind = rng.choices([k for k, _ in mix], [w for _, w in mix])[0]
            parent, officer = upper["id"], f"Cán bộ theo dõi mẫu {index + 1:02d}"
        add(f"{LABEL[kind]} {tag}{number:04d}", kind, parent, officer)


def _merge(rng: random.Random, rows: list[dict[str, str]], merged: int) -> None:
    """End `merged` grassroots units on MERGER_DAY, two by two (same upper unit), each pair
    forming a new unit from that day; the demo people's units are left as they are."""
    keep = {GRASSROOTS_NAME}
    by_parent: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if (
            UnitKind(row["kind"]).is_grassroots
            and row["name"] not in keep
            and row["active"] == "Có"
        ):
            by_parent.setdefault(row["parent_id"], []).append(row)
    pairs = [group[i : i + 2] for group in by_parent.values() for i in range(0, len(group) - 1, 2)]
    for pair in rng.sample(pairs, min(len(pairs), merged // 2)):
        n = len(rows) + 1
        for old in pair:
            old.update({"valid_until": MERGER_DAY.isoformat(), "active": "Không"})
        rows.append(
            {
                **pair[0],
                "id": f"DV-{n:04d}",
                "name": f"{pair[0]['name']} (hợp nhất)",
                "active": "Có",
                "valid_from": MERGER_DAY.isoformat(),
                "valid_until": "",
                "predecessors": ";".join(old["id"] for old in pair),
            }
        )


def _inactive(unit: dict[str, str]) -> bool:
    """Deactivated by hand (1% of units); a unit ended by the merger was active until then."""
    return unit["active"] != "Có" and not unit.get("valid_until")


def _existing(grassroots: list[dict[str, str]], day: date) -> list[dict[str, str]]:
    """The grassroots units that exist on a day (a registration round's cut-off)."""
    return [
        u
        for u in grassroots
        if (not u.get("valid_from") or date.fromisoformat(u["valid_from"]) <= day)
        and (not u.get("valid_until") or day < date.fromisoformat(u["valid_until"]))
    ]


def _round(
    cycle: dict[str, str],
    grassroots: list[dict[str, str]],
    units: list[dict[str, str]],
    rng: random.Random,
    is_open: bool,
) -> list[Append]:
    """One cycle: ~85% of units registered (late, returned, entered on behalf), extensions, roll-ups.

    In the open cycle every registration arrived before now; in past cycles every upper unit sent
    its roll-up, with the figures counted from that round's registrations.
    """
    cutoff = datetime.fromisoformat(cycle["register_cutoff"])
    year = cycle["year"]
    ops: list[Append] = []
    extended = {u["id"]: cutoff + timedelta(days=7) for u in rng.sample(grassroots, 12)}
    for unit_id, new_cutoff in sorted(extended.items()):
        ops.append(
            Append(
                tabs.EXTENSIONS.name,
                {
                    "id": f"GH-{year}-{unit_id[3:]}",
                    "cycle_id": cycle["id"],
                    "unit_id": unit_id,
                    "cutoff": iso(new_cutoff),
                    "reason": "Đơn vị mới kiện toàn Ban Chấp hành (mẫu)",
                    "granted_by": "Cán bộ theo dõi (mẫu)",
                    "granted_at": iso(cutoff - timedelta(days=2)),
                },
            )
        )
    regs: dict[str, dict[str, str]] = {}
    for unit in grassroots:
        if _inactive(unit) or rng.random() >= 0.85:
            continue
        if is_open and unit["name"] == GRASSROOTS_NAME:
            continue  # the demo secretary's unit is still to register, as in the demo
        unit_cutoff = extended.get(unit["id"], cutoff)
        if is_open:
            at = NOW - timedelta(minutes=rng.randint(30, 60 * 24 * 21))
        elif rng.random() < 0.12:
            at = cutoff + timedelta(hours=rng.randint(1, 24 * 12))  # late (unless extended)
        else:
            at = cutoff - timedelta(hours=rng.randint(2, 24 * 30))
        received = at.date() - timedelta(days=rng.randint(0, 2)) if rng.random() < 0.08 else None
        on_time = deadlines.is_on_time(deadlines.judged_instant(at, received), unit_cutoff)
        roll = rng.random()
        if is_open:
            state = (
                RegistrationState.ACCEPTED
                if roll < 0.4
                else RegistrationState.RETURNED
                if roll > 0.92
                else RegistrationState.SENT
            )
        else:
            state = (
                RegistrationState.RETURNED
                if roll < 0.04
                else RegistrationState.SENT
                if roll < 0.07
                else RegistrationState.ACCEPTED
            )
        cells = registration_row(cycle, unit, at, state, on_time, received)
        regs[unit["id"]] = cells
        ops.append(Append(tabs.REGISTRATIONS.name, cells))
    if not is_open:
        ops += _rollups(cycle, grassroots, units, regs, rng)
    return ops


def _rollups(
    cycle: dict[str, str],
    grassroots: list[dict[str, str]],
    units: list[dict[str, str]],
    regs: dict[str, dict[str, str]],
    rng: random.Random,
) -> list[Append]:
    report_cutoff = datetime.fromisoformat(cycle["report_cutoff"])
    below: dict[str, list[dict[str, str]]] = {}
    for unit in grassroots:
        if not _inactive(unit):
            below.setdefault(unit["parent_id"], []).append(unit)
    ops = []
    for upper in units:
        if UnitKind(upper["kind"]) not in (K.CAP_HUYEN, K.TRUC_THUOC):
            continue
        mine = [regs.get(u["id"]) for u in below.get(upper["id"], [])]
        counted = [r for r in mine if r and r["state"] != to_cell(RegistrationState.RETURNED)]
        at = report_cutoff - timedelta(hours=rng.randint(-30, 90))
        ops.append(
            Append(
                tabs.UPPER_REPORTS.name,
                {
                    "id": f"BC-{cycle['year']}-{upper['id'][3:]}",
                    "cycle_id": cycle["id"],
                    "unit_id": upper["id"],
                    "parent_unit_id": upper["parent_id"],
                    "sent_at": iso(at),
                    "on_time": to_cell(at < report_cutoff),
                    "last_sent_at": iso(at),
                    "total_units": str(len(mine)),
                    "registered_on_time": str(sum(1 for r in counted if r["on_time"] == "Có")),
                    "registered_late": str(sum(1 for r in counted if r["on_time"] == "Không")),
                    "returned": str(
                        sum(
                            1
                            for r in mine
                            if r and r["state"] == to_cell(RegistrationState.RETURNED)
                        )
                    ),
                    "not_registered": str(sum(1 for r in mine if r is None)),
                    "accepted": str(
                        sum(1 for r in counted if r["state"] == to_cell(RegistrationState.ACCEPTED))
                    ),
                    "needs_check": "0",
                    "note": "",
                    "sent_by": f"Cán bộ {upper['name']} (mẫu)",
                    "version": "1",
                    "updated_at": iso(at),
                },
            )
        )
    return ops


if __name__ == "__main__":
    print(
        "benchmarks/_province.py is a helper of benchmarks/screens.py; nothing to run on its own."
    )
