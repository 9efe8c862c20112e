"""The rules of 3CĐ: who may do what, validation, deadlines, reports. No Streamlit, no gspread here."""
