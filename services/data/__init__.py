"""Data moving in and out of the store: data health of a hand-edited sheet, export/import, copy to Google Sheets, the audit log."""
