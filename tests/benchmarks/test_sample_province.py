"""The benchmarks' sample province is built once per shape and code, then copied whole."""

from __future__ import annotations

import functools

import pytest

from benchmarks import _province
from schemas import tabs
from services.storage.sql import SqlStore

SMALL = {"units": 120, "uppers": 4, "blocs": 1, "under_root": 2}


def rows(path):
    read = SqlStore.at_path(path).read([tabs.UNITS.name, tabs.REGISTRATIONS.name])
    return {tab: [r.cells for r in records] for tab, records in read.items()}


@pytest.fixture
def builds(monkeypatch):
    """Counts the real builds behind sample_province."""
    calls = []
    real = _province.build_province

    @functools.wraps(real)  # the same signature: sample_province reads its defaults
    def counted(path, **shape):
        calls.append(shape)
        return real(path, **shape)

    monkeypatch.setattr(_province, "build_province", counted)
    return calls


def test_the_second_call_copies_the_province_built_by_the_first(tmp_path, builds):
    cache = tmp_path / "cache"
    first = _province.sample_province(tmp_path / "a.sqlite", cache=cache, **SMALL)
    second = _province.sample_province(tmp_path / "b.sqlite", cache=cache, **SMALL)

    assert len(builds) == 1
    assert rows(first.path) == rows(second.path)
    assert (
        (second.units, second.registrations)
        == (first.units, first.registrations)
        == (
            120,
            len(rows(second.path)[tabs.REGISTRATIONS.name]),
        )
    )
    built = [p.name for p in cache.iterdir()]
    assert len(built) == 2 and not any(name.endswith(".part") for name in built)


def test_a_default_written_out_is_the_same_province(tmp_path, builds):
    cache = tmp_path / "cache"
    _province.sample_province(tmp_path / "a.sqlite", cache=cache, **SMALL)
    _province.sample_province(tmp_path / "b.sqlite", cache=cache, merged_share=0.0, **SMALL)

    assert len(builds) == 1


def test_changed_code_builds_again_and_drops_the_stale_copy(tmp_path, builds, monkeypatch):
    cache = tmp_path / "cache"
    _province.sample_province(tmp_path / "a.sqlite", cache=cache, **SMALL)
    before = sorted(p.name for p in cache.iterdir())
    monkeypatch.setattr(_province, "_code_hash", lambda: "0123456789ab")
    _province.sample_province(tmp_path / "b.sqlite", cache=cache, **SMALL)

    after = sorted(p.name for p in cache.iterdir())
    assert len(builds) == 2
    assert len(after) == 2 and not set(before) & set(after)
    assert all("0123456789ab" in name for name in after)


def test_another_shape_keeps_its_own_copy(tmp_path, builds):
    cache = tmp_path / "cache"
    _province.sample_province(tmp_path / "a.sqlite", cache=cache, **SMALL)
    _province.sample_province(tmp_path / "b.sqlite", cache=cache, **{**SMALL, "units": 130})
    _province.sample_province(tmp_path / "c.sqlite", cache=cache, **SMALL)

    assert [b["units"] for b in builds] == [120, 130]
    assert len(list(cache.glob("*.sqlite"))) == 2
