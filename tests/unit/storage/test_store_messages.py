"""Store refusals read as Vietnamese sentences with the sheet's own headers, not field names."""

from services.storage import DuplicateRecord


def test_a_duplicate_names_the_tab_and_the_columns_as_the_sheet_shows_them():
    message = str(DuplicateRecord("assessments", {"cycle_id": "CK-2026", "unit_id": "DV-0052"}))
    assert message.startswith("Bảng “Đánh giá” đã có một bản ghi như vậy (Mã chu kỳ: CK-2026, ")
    assert "Mã đơn vị được đánh giá: DV-0052" in message and "chưa lưu gì" in message
    assert "cycle_id" not in message and "{" not in message
