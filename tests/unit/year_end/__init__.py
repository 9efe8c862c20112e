"""Tests of services.year_end: assessment, decisions, the province check, results, commendation."""
