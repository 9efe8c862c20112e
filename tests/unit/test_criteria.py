"""Criteria sets: versioned YAML files, checked when they load, chosen by the cycle's year."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schemas.criteria import CONTENT_IDS, CriteriaError, load_catalogue, set_for_year

SHIPPED = {"3cd-2018-2022@1", "3cd-2023-2027@1"}


def a_set(**changes) -> dict:
    """A small valid criteria set as it would be written in a file."""
    data = {
        "id": "3cd-thu",
        "version": 1,
        "title": "Bộ thử",
        "period": [2030, 2034],
        "contents": [
            {
                "id": cid,
                "title": f"Nội dung {cid}",
                "criteria": [
                    {"id": f"{n}.1", "title": "Tiêu chí"},
                    {"id": f"{n}.2", "title": "Khác"},
                ],
            }
            for n, cid in enumerate(CONTENT_IDS, start=1)
        ],
    }
    data.update(changes)
    return data


def write(folder: Path, name: str, data: dict | str) -> None:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_both_shipped_sets_load_with_the_three_contents():
    catalogue = load_catalogue()
    assert set(catalogue) == SHIPPED
    for criteria in catalogue.values():
        assert [c.id for c in criteria.contents] == list(CONTENT_IDS)
        assert [len(c.criteria) for c in criteria.contents] == [6, 4, 4]


def test_the_nd3_wording_changed_between_the_two_periods():
    catalogue = load_catalogue()
    old = catalogue["3cd-2018-2022@1"].contents[2].title
    new = catalogue["3cd-2023-2027@1"].contents[2].title
    assert old == "Chủ động tham mưu với cấp ủy, phối hợp với các tổ chức liên quan"
    assert new == (
        "Chủ động tham mưu với cấp ủy, phối hợp với chính quyền, các đoàn thể "
        "và các tổ chức liên quan"
    )
    assert catalogue["3cd-2018-2022@1"].fingerprint != catalogue["3cd-2023-2027@1"].fingerprint


def test_a_valid_file_in_another_folder_loads(tmp_path):
    write(tmp_path, "thu.yaml", a_set())
    assert list(load_catalogue(tmp_path)) == ["3cd-thu@1"]


def test_a_duplicated_criterion_id_is_refused_naming_the_id_and_the_file(tmp_path):
    data = a_set()
    data["contents"][1]["criteria"][0]["id"] = "1.1"
    write(tmp_path, "trung.yaml", data)
    with pytest.raises(CriteriaError) as refused:
        load_catalogue(tmp_path)
    assert "trung.yaml" in str(refused.value) and "'1.1' bị trùng" in str(refused.value)


def test_a_set_without_nd3_is_refused(tmp_path):
    data = a_set()
    data["contents"] = data["contents"][:2]
    write(tmp_path, "thieu.yaml", data)
    with pytest.raises(CriteriaError) as refused:
        load_catalogue(tmp_path)
    assert "thieu.yaml" in str(refused.value)
    assert "phải có đúng ba nội dung ND1, ND2, ND3" in str(refused.value)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"version": 0}, "version"),
        ({"id": "Bộ Thử"}, "id"),
        ({"title": ""}, "title"),
        ({"period": [2030]}, "period"),
    ],
)
def test_a_malformed_set_is_refused_naming_the_field(tmp_path, changes, words):
    write(tmp_path, "sai.yaml", a_set(**changes))
    with pytest.raises(CriteriaError) as refused:
        load_catalogue(tmp_path)
    assert "Bộ tiêu chí sai.yaml không hợp lệ" in str(refused.value) and words in str(refused.value)


@pytest.mark.parametrize("text", ["id: [3cd\ncontents: {", "- just\n- a list\n", ""])
def test_a_file_that_is_not_a_criteria_set_is_refused_with_a_clear_message(tmp_path, text):
    write(tmp_path, "hong.yaml", text)
    with pytest.raises(CriteriaError) as refused:
        load_catalogue(tmp_path)
    assert "hong.yaml" in str(refused.value)


def test_two_files_claiming_the_same_set_and_version_are_refused(tmp_path):
    write(tmp_path, "a.yaml", a_set())
    write(tmp_path, "b.yaml", a_set(title="Bản sửa lén"))
    with pytest.raises(CriteriaError) as refused:
        load_catalogue(tmp_path)
    assert "3cd-thu@1" in str(refused.value)


@pytest.mark.parametrize(
    ("year", "ref"),
    [
        (2018, "3cd-2018-2022@1"),
        (2022, "3cd-2018-2022@1"),
        (2023, "3cd-2023-2027@1"),
        (2027, "3cd-2023-2027@1"),
        (2017, None),
        (2028, None),
    ],
)
def test_the_set_for_a_year_is_the_one_whose_period_covers_it(year, ref):
    found = set_for_year(load_catalogue(), year)
    assert (found.ref if found else None) == ref


def test_a_newer_version_of_a_set_is_preferred(tmp_path):
    write(tmp_path, "v1.yaml", a_set())
    write(tmp_path, "v2.yaml", a_set(version=2))
    assert set_for_year(load_catalogue(tmp_path), 2031).ref == "3cd-thu@2"
