"""Tests of services.storage: the read cache, the engines, the fake Sheets API itself."""
