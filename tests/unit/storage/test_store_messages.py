"""Store refusals read as Vietnamese sentences with the sheet's own headers, not field names."""

from services.core.messages import describe
from services.storage import DuplicateRecord, StoreUnavailable


def test_a_duplicate_names_the_tab_and_the_columns_as_the_sheet_shows_them():
    message = describe(
        DuplicateRecord("assessments", {"cycle_id": "CK-2026", "unit_id": "DV-0052"})
    )
    assert message.startswith("Bảng “Đánh giá” đã có một bản ghi như vậy (Mã chu kỳ: CK-2026, ")
    assert "Mã đơn vị được đánh giá: DV-0052" in message and "chưa lưu gì" in message
    assert "cycle_id" not in message and "{" not in message


def test_the_storage_layer_says_what_happened_and_the_messages_module_says_it_in_vietnamese():
    refused = StoreUnavailable("rejected", status=400)
    assert (refused.code, refused.details()) == ("rejected", {"status": 400})
    assert str(refused) == "rejected(status=400)"  # for logs: neutral, no wording
    assert describe(refused) == (
        "Google Sheets từ chối yêu cầu (400); chưa chắc đã lưu. Hãy thử lại sau."
    )


def test_a_code_without_wording_is_still_a_sentence_never_the_code():
    said = describe(StoreUnavailable("a_code_nobody_worded"))
    assert "a_code_nobody_worded" not in said and said.startswith("Kho dữ liệu báo lỗi")
