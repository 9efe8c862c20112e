"""Criteria sets: versioned YAML files, checked when they load, chosen by the cycle's year."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schemas.criteria import (
    CONTENT_IDS,
    CRITERIA_DIR,
    CriteriaError,
    first_set_for_year,
    load_catalogue,
    publish,
    published_fingerprints,
    set_for_year,
    unpublished,
)

SHIPPED = {"3cd-2018-2022@1", "3cd-2023-2027@1", "3cd-2023-2027@2"}


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
        (2023, "3cd-2023-2027@2"),
        (2027, "3cd-2023-2027@2"),
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
    assert first_set_for_year(load_catalogue(tmp_path), 2031).ref == "3cd-thu@1"
    assert first_set_for_year(load_catalogue(tmp_path), 2040) is None


# ---- the criteria schema: kinds, rules, points, immutability ---------------------------------


def refused(tmp_path: Path, data: dict | str, name: str = "sai.yaml") -> str:
    """The Vietnamese reason a folder holding this one file is refused."""
    write(tmp_path, name, data)
    with pytest.raises(CriteriaError) as error:
        load_catalogue(tmp_path)
    return str(error.value)


def with_criterion(**fields) -> dict:
    data = a_set()
    data["contents"][0]["criteria"][0].update(fields)
    return data


def test_every_shipped_criterion_has_help_evidence_and_a_known_kind():
    for criteria in load_catalogue().values():
        for criterion in criteria.criteria.values():
            assert criterion.help and criterion.evidence, criterion.id
            assert criterion.kind in ("dat", "count", "points")
        assert not criteria.points.enabled  # no official points table: points are never default
        assert criteria.pass_rule.min_contents == 3  # all three contents at the same time


def test_the_shipped_sets_require_everything_but_the_hosting_example():
    criteria = load_catalogue()["3cd-2023-2027@1"]
    optional = [c.id for c in criteria.criteria.values() if not c.required]
    assert optional == ["3.4"]
    assert (criteria.criteria["3.3"].kind, criteria.criteria["3.3"].minimum) == ("count", 1)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (with_criterion(kind="diem"), "tiêu chí 1.1: loại 'diem' không có"),
        (with_criterion(kind="count"), "tiêu chí 1.1: loại count phải có minimum"),
        (with_criterion(kind="count", minimum=1.5), "minimum của loại count phải là số nguyên"),
        (with_criterion(kind="points"), "tiêu chí 1.1: loại points phải có maximum"),
        (with_criterion(kind="points", maximum=10, minimum=12), "minimum phải trong khoảng 0–10"),
        (with_criterion(kind="dat", minimum=1), "loại dat không có minimum"),
        (with_criterion(kind="dat", maximum=5), "chỉ loại points mới có maximum"),
        (with_criterion(minimun=1), "minimun: khoá này không được hỗ trợ"),
        (with_criterion(required="có lẽ"), "required: phải là true hoặc false"),
    ],
)
def test_a_criterion_of_the_wrong_shape_is_refused_in_vietnamese(tmp_path, data, words):
    assert words in refused(tmp_path, data)


def rule(**fields) -> dict:
    data = a_set()
    data["contents"][1]["pass_rule"] = fields
    return data


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            rule(must_pass=["2.9"]),
            "quy tắc đạt của ND2 nêu tiêu chí không có trong nội dung này: 2.9",
        ),
        (rule(must_pass=["1.1"]), "nêu tiêu chí không có trong nội dung này: 1.1"),
        (rule(min_passed=1, among=["2.1", "x"]), "nội dung này: x"),
        (rule(min_passed=3), "min_passed 3 lớn hơn số tiêu chí được tính (2)"),
        (rule(all_required=False), "đã tắt all_required thì phải có"),
        (rule(min_passed=0), "min_passed: quá nhỏ"),
    ],
)
def test_a_pass_rule_naming_a_missing_criterion_or_impossible_is_refused(tmp_path, data, words):
    assert words in refused(tmp_path, data)


@pytest.mark.parametrize(
    ("points", "words"),
    [
        ({"enabled": True}, "đã bật chấm điểm thì phải có threshold"),
        ({"enabled": True, "threshold": 5}, "chưa khai báo điểm cho tiêu chí nào"),
    ],
)
def test_points_switched_on_without_a_reachable_threshold_are_refused(tmp_path, points, words):
    assert words in refused(tmp_path, a_set(points=points))


def test_a_threshold_above_the_most_points_possible_is_refused(tmp_path):
    data = a_set(points={"enabled": True, "threshold": 7})
    for content in data["contents"]:
        content["criteria"][0]["points"] = 2  # six points at most
    assert "ngưỡng điểm 7 phải trong khoảng 0–6" in refused(tmp_path, data)


def test_a_set_may_switch_points_on_with_a_threshold(tmp_path):
    data = a_set(points={"enabled": True, "threshold": 5})
    for content in data["contents"]:
        content["criteria"][0]["points"] = 2
    data["contents"][2]["criteria"][1].update(kind="points", maximum=4, minimum=1)
    write(tmp_path, "diem.yaml", data)
    criteria = load_catalogue(tmp_path)["3cd-thu@1"]
    assert (criteria.points.enabled, criteria.points.threshold, criteria.max_points) == (
        True,
        5,
        10,
    )


def test_a_province_adds_a_set_by_dropping_a_file_in_the_folder(tmp_path):
    for path in CRITERIA_DIR.glob("3cd-*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write(tmp_path, "3cd-2028-2032.yaml", a_set(id="3cd-2028-2032", period=[2028, 2032]))
    catalogue = load_catalogue(tmp_path)
    assert set(catalogue) == SHIPPED | {"3cd-2028-2032@1"}
    assert set_for_year(catalogue, 2029).ref == "3cd-2028-2032@1"


def test_every_shipped_set_is_published_with_its_current_fingerprint():
    published = published_fingerprints()
    assert published == {ref: s.fingerprint for ref, s in load_catalogue().items()}


def test_the_fingerprint_ignores_comments_layout_and_key_order(tmp_path):
    data = a_set()
    write(tmp_path, "a.yaml", data)
    first = load_catalogue(tmp_path)["3cd-thu@1"].fingerprint
    reordered = "# một ghi chú\n" + yaml.safe_dump(dict(reversed(data.items())), allow_unicode=True)
    write(tmp_path, "a.yaml", reordered)
    assert load_catalogue(tmp_path)["3cd-thu@1"].fingerprint == first


def test_a_published_set_edited_under_the_same_version_refuses_to_load(tmp_path):
    write(tmp_path, "thu.yaml", a_set())
    assert publish(tmp_path) == ["3cd-thu@1"]
    edited = a_set()
    edited["contents"][0]["criteria"][0]["title"] = "Tiêu chí đã sửa lén"
    write(tmp_path, "thu.yaml", edited)
    with pytest.raises(CriteriaError) as error:
        load_catalogue(tmp_path)
    message = str(error.value)
    assert "Bộ tiêu chí 3cd-thu@1 (tệp thu.yaml) đã được công bố nhưng nội dung tệp đã bị sửa" in (
        message
    )
    assert "version: 2" in message


def test_a_new_version_beside_a_published_one_loads_and_publishing_only_appends(tmp_path):
    write(tmp_path, "thu.yaml", a_set())
    publish(tmp_path)
    registry = (tmp_path / "published.yaml").read_text(encoding="utf-8")
    changed = a_set(version=2)
    changed["contents"][0]["criteria"][0]["title"] = "Tiêu chí mới"
    write(tmp_path, "thu-v2.yaml", changed)
    assert set(load_catalogue(tmp_path)) == {"3cd-thu@1", "3cd-thu@2"}
    assert publish(tmp_path) == ["3cd-thu@2"]
    assert (tmp_path / "published.yaml").read_text(encoding="utf-8").startswith(registry)
    assert publish(tmp_path) == []


def test_an_unpublished_set_loads_and_is_listed_as_not_yet_published(tmp_path):
    write(tmp_path, "thu.yaml", a_set())
    assert [s.ref for s in unpublished(tmp_path)] == ["3cd-thu@1"]


# ---- sources: where each criterion comes from; the province's own choice ----------------------


def with_sources(sources: dict[str, str] | None = None, **by_criterion: str | None) -> dict:
    """a_set() whose criteria name a source: `by_criterion` maps "1.1" -> key (default "hd")."""
    data = a_set(
        sources={"hd": "Hướng dẫn số 1-HD/TĐTN của Tỉnh đoàn"} if sources is None else sources
    )
    for content in data["contents"]:
        for criterion in content["criteria"]:
            source = by_criterion.get(criterion["id"], "hd")
            if source is not None:
                criterion["source"] = source
    return data


def test_the_new_version_gives_every_criterion_a_named_source():
    criteria = load_catalogue()["3cd-2023-2027@2"]
    for criterion in criteria.criteria.values():
        words = criteria.source_words(criterion)
        assert criterion.source is not None, criterion.id
        assert words and "chưa ghi nguồn" not in words, criterion.id
    assert criteria.source_words(criteria.criteria["2.1"]) == (
        "Kế hoạch số 61-KH/TĐTN-TCKT ngày 03/7/2018 của Ban Thường vụ Tỉnh đoàn Hưng Yên"
    )


def test_the_yearly_dialogue_is_the_provinces_own_choice_and_optional_in_the_new_version():
    criteria = load_catalogue()["3cd-2023-2027@2"]
    dialogue = criteria.criteria["3.3"]
    assert dialogue.province_choice and not dialogue.required
    assert [c.id for c in criteria.criteria.values() if c.province_choice] == ["3.3"]
    assert sorted(c.id for c in criteria.criteria.values() if not c.required) == ["3.3", "3.4"]
    assert criteria.source_words(dialogue) == (
        "Tỉnh đoàn tự chọn thêm, không có trong hướng dẫn (không bắt buộc)"
    )


def test_the_published_first_version_still_loads_unchanged_without_sources():
    catalogue = load_catalogue()
    old = catalogue["3cd-2023-2027@1"]
    assert old.fingerprint == published_fingerprints()["3cd-2023-2027@1"] == "1785f774138b304a"
    assert old.sources == {} and old.criteria["3.3"].required
    assert old.source_words(old.criteria["1.1"]) == "bộ tiêu chí này chưa ghi nguồn"
    new = catalogue["3cd-2023-2027@2"]
    assert [c.title for c in new.criteria.values()] == [c.title for c in old.criteria.values()]


def test_a_province_may_make_its_own_choice_required(tmp_path):
    data = with_sources(**{"3.1": "tinh"})
    data["contents"][2]["criteria"][0]["required"] = True
    write(tmp_path, "thu.yaml", data)
    criterion = load_catalogue(tmp_path)["3cd-thu@1"].criteria["3.1"]
    assert criterion.province_choice and criterion.required
    write(tmp_path, "thu.yaml", with_sources(**{"3.1": "tinh"}))
    assert not load_catalogue(tmp_path)["3cd-thu@1"].criteria["3.1"].required


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (with_sources(**{"2.2": None}), "tiêu chí 2.2 chưa ghi source (nguồn)"),
        (
            with_criterion(source="tinh"),
            "tiêu chí 1.2, 2.1, 2.2, 3.1, 3.2 chưa ghi source (nguồn)",
        ),
        (
            with_sources(**{"1.2": "hd-khac"}),
            "tiêu chí 1.2 (hd-khac): source không có trong sources",
        ),
        (with_sources({"hd": "  "}), "sources: nguồn hd chưa ghi tên văn bản"),
        (
            with_sources({"hd": "X", "tinh": "Y"}),
            "sources: 'tinh' dành cho tiêu chí Tỉnh đoàn tự chọn",
        ),
        (with_sources(**{"1.1": ""}), "source: không được để trống"),
    ],
)
def test_a_set_with_missing_or_unknown_sources_is_refused_in_vietnamese(tmp_path, data, words):
    assert words in refused(tmp_path, data)
