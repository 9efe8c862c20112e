"""The audit actions of a repair after a write that landed in another record's row (Google Sheets).

Part of the store interface, not of an engine: the data-health screen lists repairs by these words
without importing the engine that makes them (services/storage/sheets_verify.py).
"""

ACTOR = "3CĐ (tự kiểm tra sau khi ghi)"
RESTORED = "Hoàn tác ô bị ghi nhầm hàng"  # another record's cells put back
REPLACED = "Ghi lại vào đúng hàng"  # the intended record written where it is now
WITHDRAWN = "Huỷ lần lưu bị ghi nhầm hàng"  # the intended record changed meanwhile: not saved
LEFT = "Ô bị ghi nhầm chưa hoàn tác"  # a person changed the cell since: left for a person
UNREPAIRED = "Ô bị ghi nhầm chưa sửa được"  # Google refused the repair to the end: fix by hand
REPAIR_ACTIONS = (RESTORED, REPLACED, WITHDRAWN, LEFT, UNREPAIRED)
